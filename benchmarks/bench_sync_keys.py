"""Keys while the TUI syncs 10,000 events and 10,000 sent messages from the fake Google.

In-process (Textual's Pilot, 120x40): the time from pressing a key to the app having
handled it and painted, first with nothing running (the floor), then while the app's own
sync worker runs (``sync_now``, as the S key or the timer starts it), and finally a TUI
write (a logged touch) started mid-sync: how long until it is saved. The fake Google runs
in its own process, as in ``bench_sync.py``; the app syncs in its child process, as
always, with the real Google source pointed at the fake (signed in through a test keyring
file, as in ``tests/test_sync_pages.py``).

Run: ``.venv/bin/python benchmarks/bench_sync_keys.py [--quick]``.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent / "tests"))

from bench_sync import EVENTS, MESSAGES, PARTNERS, seeded_session  # noqa: E402
from common import TODAY, percentiles  # noqa: E402

from nurture_tui.services import records  # noqa: E402
from test_sync_pages import google_for_children  # noqa: E402


def line(label: str, samples: list[float]) -> None:
    p50, p95 = percentiles(samples)
    print(
        f"  {label}: p50 {p50 * 1000:.0f} ms  p95 {p95 * 1000:.0f} ms  "
        f"worst {max(samples) * 1000:.0f} ms over {len(samples)} keys"
    )


async def keys_during_sync(base: str, where: str) -> None:
    """``where``: "child" (the app's way) or "in-process" (the app's fallback when no child
    process can start: the sync in the TUI's own worker thread), for comparison."""
    from textual.worker import WorkerState

    from nurture_tui.domain.playbook.config import load_playbook
    from nurture_tui.services import sync_child
    from nurture_tui.services.playbook import default_playbook_text
    from nurture_tui.ui.app import NurtureApp

    folder = Path(tempfile.mkdtemp())
    session = seeded_session(folder)
    os.environ.update(google_for_children(folder, base))  # the sync's child signs in
    session.repo.put_state("source:google", {"enabled": True})
    in_child = sync_child.sync_in_child
    if where == "in-process":
        sync_child.sync_in_child = lambda *_a, **_k: None  # type: ignore[assignment]
    app = NurtureApp(
        session,
        playbook=load_playbook(default_playbook_text()),
        today=TODAY,
        watch_seconds=None,
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()

        async def press(key: str) -> float:
            started = time.perf_counter()
            await pilot.press(key)
            return time.perf_counter() - started

        line("idle, down/up", [await press(k) for k in ["down", "up"] * 20])
        started = time.perf_counter()
        syncing = app.sync_now()
        during: list[float] = []
        saved_in = 0.0
        while syncing.state in (WorkerState.PENDING, WorkerState.RUNNING):
            during.append(await press("down" if len(during) % 2 == 0 else "up"))
            if len(during) == 6:  # a TUI write, mid-sync
                partner = session.repo.partners()[0].id
                write_started = time.perf_counter()
                await asyncio.to_thread(
                    records.save_touchpoint,
                    session,
                    records.draft_touchpoint(session, partner, "call", note="mid-sync"),
                )
                saved_in = time.perf_counter() - write_started
        elapsed = time.perf_counter() - started
        report = session.repo.touchpoint_count()
    sync_child.sync_in_child = in_child
    print(
        f"  sync {where} of {EVENTS:,} events + {MESSAGES:,} messages: {elapsed:.1f} s, "
        f"store holds {report:,} touchpoints"
    )
    line(f"during the sync ({where}), down/up", during)
    print(f"  a touch logged mid-sync ({where}) was saved in {saved_in * 1000:.0f} ms")


def main() -> None:
    print(f"keys during a sync (Pilot, in-process; {PARTNERS} partners)")
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
        for where in ("in-process", "child"):
            asyncio.run(keys_during_sync(base, where))
    finally:
        server.stdin.close()  # type: ignore[union-attr]
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
