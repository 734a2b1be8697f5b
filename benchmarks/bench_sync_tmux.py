"""Keys through a real terminal (tmux, 120x40) while the TUI syncs 10,000 events and
10,000 sent messages from the fake Google (in its own process).

The TUI is the installed ``nurture``, signed in to the fake through a test keyring file
(as in ``tests/test_sync_pages.py``); the sync is started the rep's way (R, y, S: the
Sync screen's "Sync now"), and a key is answered when the screen tmux holds changes
(``bench_keys.py``'s measure): ``?`` opens help, escape closes it, over and over until the
store holds every synced touchpoint. The same keys before the sync give the floor.

Run: ``.venv/bin/python benchmarks/bench_sync_tmux.py [--quick]`` (500 partners), or
``… bench_sync_tmux.py --agency [STORE_DIR]`` at agency scale: a copy of the 5,000-partner /
250,000-touchpoint demo store (``STORE_DIR``, or one built first), each partner given a
contact the fake's attendees and recipients match, so the 20,000 synced items land on
5,000 partners whose boards and actions the TUI keeps current meanwhile.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent / "tests"))

from bench_keys import NURTURE, SESSION, answer, report, start, tmux, wait_until  # noqa: E402
from bench_sync import EVENTS, MESSAGES, PARTNERS, seeded_session  # noqa: E402
from common import session_at  # noqa: E402

from test_sync_pages import google_for_children  # noqa: E402

HELP = "Nurture — keys"


def key_until(key: str, shown: bool) -> float:
    """Press ``key``; seconds until the help screen is shown (or gone), as tmux sees it."""
    started = time.perf_counter()
    tmux("send-keys", "-t", SESSION, key)
    wait_until(lambda s: (HELP in s) is shown, 60)
    return time.perf_counter() - started


def help_and_back() -> list[float]:
    return [key_until("?", True), key_until("Escape", False)]


def synced(store: Path) -> int:
    with sqlite3.connect(store / "nurture.db") as db:
        return int(db.execute("SELECT count(*) FROM touchpoints").fetchone()[0])


@contextmanager
def signed_in_to_fake_google(work: Path, partners: int) -> Iterator[dict[str, str]]:
    """The fake Google in its own process, serving EVENTS events and MESSAGES sent messages
    whose people are ``person@partner{i}.org``; yields the environment in which Nurture
    (and its sync child) is signed in to it, with a bench config in ``work``."""
    server = subprocess.Popen(
        [
            sys.executable,
            str(HERE.parent / "tests" / "fakes" / "google_api.py"),
            str(EVENTS),
            str(MESSAGES),
            str(partners),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        base = server.stdout.readline().strip()  # type: ignore[union-attr]
        config = work / "config"
        config.mkdir(exist_ok=True)
        (config / "config.toml").write_text(
            'rep_name = "Bench Rep"\nrep_email = "bench@agency.example"\n'
            'agency = "Bench Home Care"\ntimezone = "America/Chicago"\n'
            "sync_every_minutes = 0\n"
        )
        yield {"NURTURE_CONFIG_DIR": str(config), **google_for_children(work, base)}
    finally:
        server.stdin.close()  # type: ignore[union-attr]
        server.wait(timeout=30)


def agency_store(work: Path, source: Path | None) -> tuple[Path, int]:
    """A copy of the agency-scale demo store whose partners the fake's mail and meetings
    match: partner ``i`` (by id) gets a contact ``person@partner{i}.org``."""
    from common import build_store

    from nurture_tui.domain.model import Contact

    store = work / "store"
    shutil.copytree(source or build_store(), store)
    session = session_at(store)
    partners = sorted(p.id for p in session.repo.partners())
    session.repo.save(
        *(
            Contact(
                id=f"bench-c{i:04d}",
                partner_id=partner_id,
                name=f"Bench Person {i}",
                emails=(f"person@partner{i}.org",),
            )
            for i, partner_id in enumerate(partners)
        ),
        summary="bench: a contact the fake matches on every partner",
    )
    session.repo.put_state("source:google", {"enabled": True})
    session.repo.close()
    return store, len(partners)


def main() -> None:
    agency = "--agency" in sys.argv
    work = Path(tempfile.mkdtemp(prefix="nurture-sync-keys-"))
    if agency:
        given = [a for a in sys.argv[1:] if not a.startswith("--")]
        store, partners = agency_store(work, Path(given[0]) if given else None)
    else:
        store, partners = work / "store", PARTNERS
        session = seeded_session(store)
        session.repo.put_state("source:google", {"enabled": True})
        session.repo.close()
    before = synced(store)
    print(f"keys through tmux (120x40) during a sync ({partners:,} partners, {before:,} touches)")
    try:
        with signed_in_to_fake_google(work, partners) as env:
            env |= {"TERM": "xterm-256color"}
            start(f"{NURTURE} --data-dir {store}", {k: f"'{v}'" for k, v in env.items()})
            wait_until(lambda s: "Prospect" in s or "prospect" in s, 60)  # the board painted
            wait_until(lambda s: "next action…" not in s, 120)  # the day's actions arrived
            time.sleep(5)  # settled: the heap frozen, the first collection done
            report("before the sync, ? / escape", [s for _ in range(10) for s in help_and_back()])
            answer("R")
            answer("y")
            wait_until(lambda s: "Sync now" in s or "google" in s, 60)
            started = time.perf_counter()
            tmux("send-keys", "-t", SESSION, "S")
            during: list[float] = []
            wanted = before + EVENTS + MESSAGES
            while synced(store) < wanted and time.perf_counter() - started < 300:
                during.extend(help_and_back())
            elapsed = time.perf_counter() - started
            print(
                f"  the TUI's sync stored {synced(store) - before:,} touchpoints in {elapsed:.1f} s"
            )
            report("during the sync, ? / escape", during)
    finally:
        tmux("kill-server")
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
