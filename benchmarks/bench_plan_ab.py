"""``nurture today`` and ``nurture next --limit 10`` as whole processes, this build against
an older one, alternating runs (so load on the machine falls on both alike).

Run: ``.venv/bin/python benchmarks/bench_plan_ab.py NEW_STORE OLD_SRC OLD_STORE`` — e.g.
``git worktree add /tmp/before 52bd59c``, a store built by that build at OLD_STORE, and
OLD_SRC ``/tmp/before/src``. The stores are only read (a warm action cache is kept).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")


def main() -> None:
    new_store, old_src, old_store = sys.argv[1:4]
    env = os.environ | {"NURTURE_CONFIG_DIR": tempfile.mkdtemp(prefix="nurture-ab-")}
    builds = {
        "now": [PYTHON, "-m", "nurture_tui.cli", "--data-dir", new_store],
        "before": [
            *("env", f"PYTHONPATH={old_src}", PYTHON, "-m", "nurture_tui.cli"),
            *("--data-dir", old_store),
        ],
    }
    for args in (["today"], ["next", "--limit", "10"]):
        times: dict[str, list[float]] = {name: [] for name in builds}
        for _ in range(3):
            for name, command in builds.items():
                started = time.perf_counter()
                subprocess.run([*command, *args], env=env, capture_output=True, check=True)
                times[name].append(time.perf_counter() - started)
        medians = {name: statistics.median(runs) for name, runs in times.items()}
        print(
            f"  nurture {' '.join(args)}: now {medians['now']:.2f} s, before "
            f"{medians['before']:.2f} s (ratio {medians['now'] / medians['before']:.2f})"
        )


if __name__ == "__main__":
    main()
