"""Playbook figures: every suggested action for 5k partners / 250k touchpoints.

Run: ``.venv/bin/python benchmarks/bench_playbook.py [STORE_DIR]``.

The last line is a fingerprint of every action (all fields, in order): two runs that
print the same fingerprint suggested exactly the same things, so a speed-up can be
compared with the code before it (``PYTHONPATH=<old checkout>/src`` runs the old code).
"""

from __future__ import annotations

import hashlib
import sys
from dataclasses import astuple
from pathlib import Path

from common import TODAY, build_store, percentiles, session_at, timed

from nurture_tui.domain.playbook.engine import suggest
from nurture_tui.domain.playbook.facts import SuggestedAction
from nurture_tui.services.playbook import effective_playbook, histories


def fingerprint(actions: list[SuggestedAction]) -> str:
    """sha256 of every field of every action, in order (floats by repr, enums as text)."""
    digest = hashlib.sha256()
    for action in actions:
        digest.update(repr(tuple(map(_plain, astuple(action)))).encode())
    return digest.hexdigest()[:16]


def _plain(value: object) -> object:
    if isinstance(value, str):
        return str(value)  # an enum member as its text
    if isinstance(value, tuple):
        return tuple(map(_plain, value))
    return value


def main() -> None:
    print("playbook")
    directory = Path(sys.argv[1]) if len(sys.argv) > 1 else build_store()
    session = session_at(directory)
    playbook = effective_playbook().playbook
    gather = [timed(lambda: histories(session.repo)) for _ in range(3)]
    all_histories = histories(session.repo)
    zone = session.settings.zone
    runs = [timed(lambda: suggest(all_histories, TODAY, zone, playbook, [])) for _ in range(7)]
    actions = suggest(all_histories, TODAY, zone, playbook, [])
    g50, _ = percentiles(gather)
    s50, s95 = percentiles(runs)
    print(f"  gather histories (indexes): p50 {g50 * 1000:.0f} ms")
    print(
        f"  all actions ({len(actions):,}) for {len(all_histories):,} partners: "
        f"p50 {s50 * 1000:.0f} ms  worst {s95 * 1000:.0f} ms"
    )
    print(f"  fingerprint of every action: {fingerprint(actions)}")


if __name__ == "__main__":
    main()
