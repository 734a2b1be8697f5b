"""Google sync into the agency-scale store, whole process (``nurture sync``), no TUI.

The 5,000-partner / 250,000-touchpoint demo store (with its 8,400 participant references)
is copied, each partner given a contact the fake Google's attendees and recipients match
(``bench_sync_tmux.agency_store``), and ``nurture sync`` ingests 10,000 events and 10,000
sent messages from the fake in its own process. This is where masking references in every
subject used to cost a minute.

Run: ``.venv/bin/python benchmarks/bench_sync_agency.py [STORE_DIR] [--before=SRC_DIR]``
(``--before``: also time the code at SRC_DIR, e.g. an older checkout's ``src``, alternating,
on the same machine, for a ratio).
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

from bench_sync_tmux import agency_store, signed_in_to_fake_google  # noqa: E402

NURTURE = str(HERE.parent / ".venv" / "bin" / "nurture")


def one_sync(source: Path | None, code: str | None) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one ``nurture sync`` process: the CPU figure moves
    less with a busy host, so it is the one to compare two trees by."""
    work = Path(tempfile.mkdtemp(prefix="nurture-agency-sync-"))
    try:
        store, partners = agency_store(work, source)
        if code:  # older code reads the schema it knew: 0005, before the team tables
            from store_helpers import downgrade_store

            downgrade_store(store, "0005")
        with signed_in_to_fake_google(work, partners) as signed_in:
            env = os.environ | signed_in
            if code:
                env["PYTHONPATH"] = os.pathsep.join([code, env["PYTHONPATH"]])
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            done = subprocess.run(
                [NURTURE, "--data-dir", str(store), "sync"], env=env, capture_output=True, text=True
            )
            elapsed = time.perf_counter() - started
            after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the fake is not reaped yet
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        if done.returncode != 0:
            raise SystemExit(f"sync failed: {done.stderr.strip()[-300:]}")
        return elapsed, cpu
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    given = [a for a in sys.argv[1:] if not a.startswith("--")]
    before = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--before=")), None)
    source = Path(given[0]) if given else None
    if source is None:
        from common import build_store

        source = build_store()
    print("Google sync into the agency store (5,000 partners, 250,000 touches), whole process")
    now, now_cpu = one_sync(source, None)
    print(f"  now: 20,000 items in {now:.1f} s, {20_000 / now:,.0f} items/s (CPU {now_cpu:.1f} s)")
    if before:
        then, then_cpu = one_sync(source, before)
        print(
            f"  before ({before}): 20,000 items in {then:.1f} s, {20_000 / then:,.0f} items/s "
            f"(CPU {then_cpu:.1f} s)"
        )
        print(f"  ratio before/now: {then / now:.1f} (CPU {then_cpu / now_cpu:.1f})")


if __name__ == "__main__":
    main()
