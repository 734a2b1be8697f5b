"""Store figures, whole process where a rep waits on a whole process.

- ``nurture log``, ``nurture partner show ID --json`` and ``nurture next --limit 10`` on a
  5-partner store and on 5,000 partners / 250,000 touchpoints: median wall time of 7 runs
  and peak RSS, with the ratio measured in the same run;
- one durable ``save`` in-process (p50/p95: the commit is on disk when it returns);
- the cold load of everything the board needs (every partner's history), in-process;
- ``nurture demo --partners 5000 --touchpoints 250000`` as a whole process.

Run: ``.venv/bin/python benchmarks/bench_store.py`` (or ``make bench``). No thresholds: it
prints figures.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from common import percentiles, session_at, timed

from nurture_tui.domain.kinds import TouchpointKind
from nurture_tui.domain.model import Touchpoint, new_id

RUNS = 7
SAMPLES = 200
NURTURE = [sys.executable, "-m", "nurture_tui.cli"]


def run(argv: list[str], home: Path) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MB, from wait4) and stdout of one whole ``nurture`` process."""
    env = {
        **os.environ,
        "NURTURE_HOME": str(home),
        "NURTURE_TIMEZONE": "America/Chicago",
        "NURTURE_CONFIG_DIR": str(home / "config"),
    }
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        pid = os.posix_spawn(
            sys.executable,
            [*NURTURE, *argv],
            env,
            file_actions=[
                (os.POSIX_SPAWN_DUP2, out.fileno(), 1),
                (os.POSIX_SPAWN_DUP2, err.fileno(), 2),
            ],
        )
        _, status, usage = os.wait4(pid, 0)
        elapsed = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        if os.waitstatus_to_exitcode(status):
            raise SystemExit(f"nurture {' '.join(argv)} failed: {err.read().decode()}")
        return elapsed, usage.ru_maxrss / 1024, out.read().decode()


def median_run(argv: list[str], home: Path) -> tuple[float, float]:
    """Median wall time over RUNS and the largest peak RSS of any single run."""
    results = [run(argv, home) for _ in range(RUNS)]
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def small_store() -> tuple[Path, str]:
    home = Path(tempfile.mkdtemp(prefix="nurture-small-"))
    run(["demo", "--partners", "5", "--touchpoints", "100"], home)
    return home, first_partner(home)


def first_partner(home: Path) -> str:
    import json

    _, _, out = run(["partner", "list", "--json"], home)
    return str(json.loads(out)[0]["id"])


def log_latency(home: Path, partner_id: str) -> tuple[float, float]:
    session = session_at(home)
    samples = []
    for _ in range(SAMPLES):
        touch = Touchpoint(new_id(), partner_id, TouchpointKind.CALL, datetime.now(UTC))
        samples.append(timed(lambda t=touch: session.repo.save(t)))
    return percentiles(samples)


COLD_LOAD = """
import resource, sys, time
sys.path.insert(0, {bench!r})
from pathlib import Path
from common import session_at
started = time.perf_counter()  # after imports: the store's own cost
session = session_at(Path({path!r}))
histories = session.repo.histories()
loaded = time.perf_counter() - started
touches = sum(len(h.touchpoints) for h in histories)
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{{loaded:.3f}} {{rss:.0f}} {{len(histories)}} {{touches}}")
"""


def cold_load(home: Path) -> tuple[float, float, int, int]:
    code = COLD_LOAD.format(bench=str(Path(__file__).parent), path=str(home))
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    return float(out[0]), float(out[1]), int(out[2]), int(out[3])


def main() -> None:
    print("store (SQLite, WAL, synchronous=FULL)")
    big = Path(tempfile.mkdtemp(prefix="nurture-big-"))
    elapsed, rss, _ = run(["demo", "--partners", "5000", "--touchpoints", "250000"], big)
    print(
        f"  nurture demo --partners 5000 --touchpoints 250000: {elapsed:.1f} s "
        f"(peak RSS {rss:.0f} MB)"
    )
    small, small_pid = small_store()
    big_pid = first_partner(big)
    for label, argv in (
        ("nurture log", ["log", "--partner", "{pid}", "--kind", "call"]),
        ("nurture partner show ID --json", ["partner", "show", "{pid}", "--json"]),
        ("nurture next --limit 10", ["next", "--limit", "10"]),
    ):
        s_time, s_rss = median_run([a.format(pid=small_pid) for a in argv], small)
        b_time, b_rss = median_run([a.format(pid=big_pid) for a in argv], big)
        print(
            f"  {label}: 5 partners {s_time:.2f} s / {s_rss:.0f} MB; 250k {b_time:.2f} s / "
            f"{b_rss:.0f} MB; ratio {b_time / s_time:.2f} (median of {RUNS})"
        )
    e50, e95 = log_latency(small, small_pid)
    f50, f95 = log_latency(big, big_pid)
    print(
        f"  one durable save in-process: 5 partners p50 {e50 * 1000:.2f} ms p95 "
        f"{e95 * 1000:.2f} ms; 250k p50 {f50 * 1000:.2f} ms p95 {f95 * 1000:.2f} ms"
    )
    loaded, rss, partners, touches = cold_load(big)
    print(
        f"  cold load of every history the board needs ({partners:,} partners, "
        f"{touches:,} touchpoints): {loaded:.2f} s, peak RSS {rss:.0f} MB"
    )


if __name__ == "__main__":
    main()
