"""The cold load of every history the board needs, this build against another, alternating.

Issue 14 added three touchpoint columns (value, item, overrides); this says what they cost
where 250,000 touchpoints are read at once. Each run is a whole process (a fresh
interpreter, the store's pages in the OS cache after the first):

    .venv/bin/python benchmarks/bench_load_ab.py --store DIR_NEW --other-src OLD/src \
        --other-store DIR_OLD [--runs 5]

``DIR_OLD`` must be at the other build's schema (a copy made before migrating); the first
open of ``DIR_NEW`` by this build migrates it, and that one-time cost is printed too. No
thresholds: it prints figures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

_PROBE = """
import sys, time
from pathlib import Path
from nurture_tui.store.opening import open_store
started = time.perf_counter()
repo = open_store(Path(sys.argv[1]))
opened = time.perf_counter() - started
started = time.perf_counter()
histories = repo.histories()
print(opened, time.perf_counter() - started, sum(len(h.touchpoints) for h in histories))
"""


def _run(src: Path, store: Path) -> tuple[float, float, int]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, str(store)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return float(out[0]), float(out[1]), int(out[2])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--other-src", type=Path, required=True)
    parser.add_argument("--other-store", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    here = Path(__file__).resolve().parent.parent / "src"
    opened, loaded, count = _run(here, args.store)
    print(
        f"first open by this build: {opened * 1000:.0f} ms (a migration, if one was due); "
        f"load {loaded * 1000:.0f} ms; {count:,} touchpoints"
    )
    ours, theirs = [], []
    for _ in range(args.runs):
        theirs.append(_run(args.other_src, args.other_store)[1])
        ours.append(_run(here, args.store)[1])
    for name, times in (("other build", theirs), ("this build", ours)):
        print(
            f"{name:12} load median {statistics.median(times) * 1000:.0f} ms "
            f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f})"
        )
    print(f"ratio this/other: {statistics.median(ours) / statistics.median(theirs):.2f}")


if __name__ == "__main__":
    main()
