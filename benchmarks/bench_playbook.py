"""Playbook figures: every suggested action for 5k partners / 250k touchpoints.

Run: ``.venv/bin/python benchmarks/bench_playbook.py [STORE_DIR]``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from common import TODAY, build_store, percentiles, session_at, timed

from nurture_tui.domain.playbook.engine import suggest
from nurture_tui.services.playbook import effective_playbook, histories


def main() -> None:
    print("playbook")
    directory = Path(sys.argv[1]) if len(sys.argv) > 1 else build_store()
    session = session_at(directory)
    playbook = effective_playbook().playbook
    gather = [timed(lambda: histories(session.repo)) for _ in range(3)]
    all_histories = histories(session.repo)
    zone = session.settings.zone
    runs = [timed(lambda: suggest(all_histories, TODAY, zone, playbook, [])) for _ in range(5)]
    actions = suggest(all_histories, TODAY, zone, playbook, [])
    g50, _ = percentiles(gather)
    s50, s95 = percentiles(runs)
    print(f"  gather histories (indexes): p50 {g50 * 1000:.0f} ms")
    print(
        f"  all actions ({len(actions):,}) for {len(all_histories):,} partners: "
        f"p50 {s50 * 1000:.0f} ms  worst {s95 * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
