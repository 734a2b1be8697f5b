"""Sync figures: 10,000 calendar events and 10,000 sent messages from the fake Google,
matched and stored (items/s end to end), and a no-change sync (requests per feed, writes);
then CalDAV (Radicale, 5,000 events) and IMAP (pymap, 20,000 sent messages).

Run: ``.venv/bin/python benchmarks/bench_sync.py [--quick] [google|caldav|imap ...]``
(no names: all three). Each figure gives the wall time and this process's CPU time: on a
busy machine the wall time includes waiting for a core.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, timedelta
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent / "tests"))

from common import NOW, session_at  # noqa: E402

from nurture_tui.domain.kinds import PartnerKind  # noqa: E402
from nurture_tui.domain.model import Contact, Partner  # noqa: E402
from nurture_tui.sync.runner import run_sync  # noqa: E402

QUICK = "--quick" in sys.argv
EVENTS = 2_000 if QUICK else 10_000
MESSAGES = 2_000 if QUICK else 10_000
CALDAV_EVENTS = 500 if QUICK else 5_000
IMAP_MESSAGES = 2_000 if QUICK else 20_000
PARTNERS = 500


def seeded_session(directory: Path):  # type: ignore[no-untyped-def]
    session = session_at(directory)
    partners = [
        Partner(
            id=f"p{i:04d}",
            name=f"Partner {i}",
            kind=PartnerKind.HOSPITAL,
            domains=(f"partner{i}.org",),
        )
        for i in range(PARTNERS)
    ]
    contacts = [
        Contact(
            id=f"c{i:04d}",
            partner_id=f"p{i:04d}",
            name=f"Contact {i}",
            emails=(f"person@partner{i}.org",),
        )
        for i in range(PARTNERS)
    ]
    session.repo.replace_all(partners, contacts, [], [])
    return session


def bench_google() -> None:
    """The fake Google runs in its own process, so its CPU does not share our GIL."""
    import subprocess

    from test_google_sync import google_source

    server = subprocess.Popen(
        [
            sys.executable,
            str(HERE.parent / "tests" / "fakes" / "google_api.py"),
            str(EVENTS),
            str(MESSAGES),
            str(PARTNERS),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        base = server.stdout.readline().strip()  # type: ignore[union-attr]
        session = seeded_session(Path(tempfile.mkdtemp()))
        source = google_source(base)
        started, cpu, served = time.perf_counter(), time.process_time(), cpu_of(server.pid)
        report = run_sync(session, source)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        served = cpu_of(server.pid) - served
        print(
            f"  google full sync: {report.created:,} touchpoints from {EVENTS:,} events + "
            f"{MESSAGES:,} messages in {elapsed:.1f} s = {report.created / elapsed:,.0f} "
            f"items/s (sync CPU {cpu:.1f} s = {report.created / cpu:,.0f} items/CPU-s; the "
            f"fake server, in its own process, used {served:.1f} s CPU)"
        )
        revision = session.repo.revision
        counted = CountingHttp.install(source)
        started = time.perf_counter()
        again = run_sync(session, source)
        elapsed = time.perf_counter() - started
        print(
            f"  google no-change sync: {len(counted)} requests ({', '.join(counted)}), "
            f"{again.created} new, store writes: {session.repo.revision - revision}, "
            f"{elapsed * 1000:.0f} ms"
        )
    finally:
        server.stdin.close()  # type: ignore[union-attr]
        server.wait(timeout=10)


def cpu_of(pid: int) -> float:
    """A process's CPU seconds so far (user + system; Linux /proc, else 0)."""
    import os

    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CountingHttp:
    """Counts the HTTP requests a source's Google services make (their shared transport)."""

    @staticmethod
    def install(source: object) -> list[str]:
        seen: list[str] = []
        for service in source._services.values():  # type: ignore[attr-defined]
            http = service._http
            original = http.request

            def request(
                uri: str, method: str = "GET", *args: object, _o=original, **kwargs: object
            ) -> object:
                seen.append(f"{method} {uri.split('?')[0].split('/', 3)[-1]}")
                return _o(uri, method, *args, **kwargs)

            http.request = request
        return seen


def bench_caldav() -> None:
    import caldav
    from nurture_caldav.source import CalDavSource

    from servers import radicale
    from test_caldav_imap_sync import vevent

    folder = Path(tempfile.mkdtemp())
    with radicale(folder / "radicale") as url:
        client = caldav.DAVClient(url=url, username="alex", password="x")
        calendar = client.principal().make_calendar(name="Work")
        started = time.perf_counter()
        for i in range(CALDAV_EVENTS):
            calendar.save_event(
                vevent(
                    f"u{i}",
                    [f"person@partner{i % PARTNERS}.org"],
                    "Check-in",
                    NOW - timedelta(hours=i + 1),
                )
            )
        print(
            f"  (uploaded {CALDAV_EVENTS:,} events to Radicale in "
            f"{time.perf_counter() - started:.0f} s)"
        )
        session = seeded_session(folder / "store")
        window = (NOW - timedelta(days=3650), NOW + timedelta(days=92))
        source = CalDavSource(url, "alex", "x", window=window, zone=UTC)
        started = time.perf_counter()
        report = run_sync(session, source)
        elapsed = time.perf_counter() - started
        print(
            f"  caldav full sync: {report.created:,} touchpoints in {elapsed:.1f} s = "
            f"{report.created / elapsed:,.0f} items/s"
        )
        revision = session.repo.revision
        started = time.perf_counter()
        run_sync(session, CalDavSource(url, "alex", "x", window=window, zone=UTC))
        print(
            f"  caldav no-change sync: {(time.perf_counter() - started) * 1000:.0f} ms, "
            f"store writes: {session.repo.revision - revision}"
        )


def bench_imap() -> None:
    from imapclient import IMAPClient
    from nurture_imap.source import ImapSource

    from servers import imap_server

    with imap_server() as port:
        import socket

        client = IMAPClient("127.0.0.1", port=port, ssl=False)
        # Without this, each APPEND waits ~40 ms for a delayed ACK on loopback.
        client.socket().setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        client.login("alex", "secret")
        client.create_folder("Sent")
        started = time.perf_counter()
        for i in range(IMAP_MESSAGES):
            when = (NOW - timedelta(minutes=i + 1)).strftime("%a, %d %b %Y %H:%M:%S +0000")
            client.append(
                "Sent",
                (
                    f"From: alex@homecare.example\r\nTo: person@partner{i % PARTNERS}.org\r\n"
                    f"Subject: Update {i}\r\nDate: {when}\r\nMessage-ID: <m{i}@x>\r\n\r\nbody"
                ).encode(),
            )
        client.logout()
        print(f"  (appended {IMAP_MESSAGES:,} messages in {time.perf_counter() - started:.0f} s)")
        session = seeded_session(Path(tempfile.mkdtemp()))
        since = NOW - timedelta(days=3650)
        started = time.perf_counter()
        report = run_sync(session, ImapSource("127.0.0.1", port, "alex", "secret", since=since))
        elapsed = time.perf_counter() - started
        print(
            f"  imap full sync: {report.created:,} touchpoints in {elapsed:.1f} s = "
            f"{report.created / elapsed:,.0f} items/s"
        )
        revision = session.repo.revision
        started = time.perf_counter()
        run_sync(session, ImapSource("127.0.0.1", port, "alex", "secret", since=since))
        print(
            f"  imap no-change sync: {(time.perf_counter() - started) * 1000:.0f} ms, "
            f"store writes: {session.repo.revision - revision}"
        )


def main() -> None:
    chosen = [a for a in sys.argv[1:] if not a.startswith("-")] or ["google", "caldav", "imap"]
    print("sync")
    for name in chosen:
        {"google": bench_google, "caldav": bench_caldav, "imap": bench_imap}[name]()


if __name__ == "__main__":
    main()
