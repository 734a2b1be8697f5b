"""Store figures: log one touchpoint durably (p50/p95) in an empty and a full store, cold load
of the board's data, peak memory, and naive TinyDB measured in the same run for a ratio.

Run: ``make bench`` or ``.venv/bin/python benchmarks/bench_store.py``.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from common import build_store, percentiles, session_at, timed

from nurture_tui.domain.kinds import TouchpointKind
from nurture_tui.domain.model import Touchpoint, new_id
from nurture_tui.services import records

SAMPLES = 300


def log_latency(directory: Path) -> tuple[float, float]:
    session = session_at(directory)
    partner = (
        session.repo.partners()[0]
        if session.repo.partners()
        else records.add_partner(session, "Bench Partner", "hospital")
    )
    session.repo.touchpoints(partner.id)  # indexes built, as in the running app
    samples = []
    for _ in range(SAMPLES):
        touch = Touchpoint(new_id(), partner.id, TouchpointKind.CALL, datetime.now(UTC))
        samples.append(timed(lambda t=touch: session.repo.save(t)))
    return percentiles(samples)


COLD_LOAD = """
import resource, sys, time
sys.path.insert(0, {bench!r})
from common import session_at
from nurture_tui.services.board import load_board
from nurture_tui.services.playbook import effective_playbook
from pathlib import Path
started = time.perf_counter()  # after imports: the store's own cost
session = session_at(Path({path!r}))
playbook = effective_playbook().playbook
repo = session.repo
partners = repo.partners()
touched = sum(len(repo.touchpoints(p.id)) for p in partners)
referrals = len(repo.referrals())
loaded = time.perf_counter() - started
board = load_board(session, playbook)
total = time.perf_counter() - started
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{{loaded:.3f}} {{total:.3f}} {{rss:.0f}} {{touched}} {{len(board.agenda)}}")
"""


def cold_load(directory: Path) -> tuple[float, float, float]:
    code = COLD_LOAD.format(bench=str(Path(__file__).parent), path=str(directory))
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    return float(out[0]), float(out[1]), float(out[2])


def naive_tinydb(count: int) -> tuple[float, float]:
    """TinyDB as documented (one JSON file, default storage): insert and query cost."""
    from tinydb import Query, TinyDB

    path = Path(tempfile.mkdtemp()) / "naive.json"
    db = TinyDB(path)
    db.insert_multiple({"p": f"p{i % 5000}", "k": "call", "at": i} for i in range(count))
    inserts = [timed(lambda: db.insert({"p": "p1", "k": "call", "at": 0})) for _ in range(5)]
    q = Query()
    # A new query each time: TinyDB caches query results, which would hide the file read.
    queries = [timed(lambda i=i: db.search(q.p == f"p{i}")) for i in range(5)]
    return percentiles(inserts)[0], percentiles(queries)[0]


def main() -> None:
    print("store")
    empty = Path(tempfile.mkdtemp(prefix="nurture-empty-"))
    e50, e95 = log_latency(empty)
    print(f"  log one touchpoint, empty store:  p50 {e50 * 1000:.2f} ms  p95 {e95 * 1000:.2f} ms")
    full = build_store()
    f50, f95 = log_latency(full)
    print(f"  log one touchpoint, 250k store:   p50 {f50 * 1000:.2f} ms  p95 {f95 * 1000:.2f} ms")
    loaded, board, rss = cold_load(full)
    print(
        f"  cold load of the board's data (5k partners, 20k contacts, 250k touchpoints, "
        f"indexes): {loaded:.2f} s"
    )
    print(f"  cold load + every card and the whole agenda computed: {board:.2f} s")
    print(f"  peak RSS of that process: {rss:.0f} MB")
    insert, query = naive_tinydb(100_000)
    print(
        f"  naive TinyDB at 100k: insert {insert * 1000:.0f} ms, query {query * 1000:.0f} ms "
        f"-> our log is {insert / f50:,.0f}x faster"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  (this process peak RSS {peak:.0f} MB)")


if __name__ == "__main__":
    main()
