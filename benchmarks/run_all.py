"""``make bench``: every benchmark on one full-scale store, figures printed (no thresholds)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from common import build_store, machine  # noqa: E402


def main() -> None:
    print(f"machine: {machine()}")
    subprocess.run([sys.executable, str(HERE / "bench_store.py")], check=True)
    store = build_store()
    for name in ("bench_playbook.py", "bench_live.py", "bench_tui.py", "bench_keys.py"):
        subprocess.run([sys.executable, str(HERE / name), str(store)], check=True)


if __name__ == "__main__":
    main()
