"""The live board and the action cache at 5k partners / 250k touchpoints.

- the day's first pass, in-process: cards, then every partner's actions computed and cached;
- a warm start: the same board from the action cache (what the TUI does after the first
  start of the day, and what ``nurture today`` reads);
- after a save: one touch logged, then the board brought up to date (``LiveBoard.update``:
  the partners whose history moved are re-read, the agenda re-ranked, the plan re-cut);
- ``nurture today`` and ``nurture next --limit 10`` as whole processes, with the cache
  warm and cold (a new day).

Run: ``.venv/bin/python benchmarks/bench_live.py [STORE_DIR]`` (the store is copied; the
copy is written to).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import TODAY, build_store, percentiles, session_at, timed

from nurture_tui.domain.kinds import TouchpointKind
from nurture_tui.domain.model import Touchpoint
from nurture_tui.services.board import LiveBoard
from nurture_tui.services.playbook import effective_playbook

ROOT = Path(__file__).resolve().parent.parent
NURTURE = ROOT / ".venv" / "bin" / "nurture"


def whole_process(store: Path, *args: str, cold: bool) -> float:
    if cold:
        with sqlite3.connect(store / "nurture.db") as db:
            db.execute("DELETE FROM action_cache")
    started = time.perf_counter()
    subprocess.run(
        [str(NURTURE), "--data-dir", str(store), *args],
        check=True,
        capture_output=True,
        env=os.environ | {"NURTURE_CONFIG_DIR": str(store.parent / "config")},
    )
    return time.perf_counter() - started


def main() -> None:
    print("live board and action cache")
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else build_store()
    work = Path(tempfile.mkdtemp(prefix="nurture-live-"))
    store = work / "store"
    shutil.copytree(source, store)
    (work / "config").mkdir()
    with sqlite3.connect(store / "nurture.db") as db:
        db.execute("DELETE FROM action_cache")
    try:
        session = session_at(store)
        playbook = effective_playbook().playbook
        live = LiveBoard(session, playbook, TODAY)
        quick = timed(live.quick)
        first = timed(live.fill)
        print(f"  cards from grouped queries: {quick * 1000:.0f} ms")
        print(
            f"  first pass of the day, in-process (every partner computed, cached): {first:.2f} s"
        )
        warm_runs = []
        for _ in range(3):
            again = LiveBoard(session_at(store), playbook, TODAY)
            started = time.perf_counter()
            again.quick()
            again.fill(compute=False)
            warm_runs.append(time.perf_counter() - started)
            assert again.complete
        warm = percentiles(warm_runs)[0]
        print(f"  warm start from the action cache (cards + actions): p50 {warm * 1000:.0f} ms")
        partners = session.repo.partners()
        updates = []
        for n, partner in enumerate(partners[:20]):
            touch = Touchpoint(f"bench-{n}", partner.id, TouchpointKind.CALL, session.now())
            session.repo.save(touch, summary="bench")
            updates.append(timed(live.update))
        p50, _ = percentiles(updates)
        print(
            f"  after a save, board and agenda up to date (LiveBoard.update): "
            f"p50 {p50 * 1000:.0f} ms  worst {max(updates) * 1000:.0f} ms over {len(updates)} saves"
        )
        for args in (("today",), ("next", "--limit", "10")):
            warm = [whole_process(store, *args, cold=False) for _ in range(3)]
            cold = whole_process(store, *args, cold=True)
            whole_process(store, *args, cold=False)  # leave the cache warm again
            print(
                f"  nurture {' '.join(args)} (whole process): cache warm p50 "
                f"{percentiles(warm)[0]:.2f} s, cold (new day) {cold:.2f} s"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
