"""The day's first pass over every partner, in a child process.

On a new day (or a first start) no partner's cached actions are valid, and computing them
means reading every history — 250,000 touchpoints at agency scale — and running the
playbook over 5,000 partners: seconds of pure Python. Done in the TUI's own process, that
work holds the interpreter lock against the UI thread and a key waits a second and more.
So the TUI hands the pass to a child process, which writes the results to the store's
action cache and exits; the TUI then reads the cache a step at a time.

The parent sends the child exactly what it computes under (the playbook, the zone, the day,
where the store is) as a pickle on stdin — data the parent made a moment ago, never a file —
so the child's results carry the parent's cache context and nothing is read twice.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

from nurture_tui.domain.errors import NurtureError
from nurture_tui.domain.playbook.config import Playbook
from nurture_tui.services.action_book import ActionBook, bring_current
from nurture_tui.services.session import Session

#: A child that takes longer than this is given up on; the TUI computes in its own process.
CHILD_TIMEOUT_SECONDS = 600


def fill_in_child(session: Session, playbook: Playbook, day: date) -> bool:
    """Fill the store's action cache for ``day`` in a child process; True when it did.

    False (the child failed or timed out, the store can't be reached from it) leaves the
    caller to compute what is missing itself: slower for the UI, never wrong.
    """
    job = {
        "directory": str(session.repo.directory),
        "url": session.settings.store_url,
        "playbook": playbook,
        "zone": session.settings.zone,
        "day": day,
    }
    try:
        done = subprocess.run(
            [sys.executable, "-m", "nurture_tui.services.fill_actions"],
            input=pickle.dumps(job),
            capture_output=True,
            timeout=CHILD_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def fill(job: dict[str, Any]) -> int:
    """The child's work: bring every active partner's cached actions up to date."""
    from nurture_tui.store.opening import open_store

    repo = open_store(Path(job["directory"]), url=job["url"], actor="nurture")
    try:
        book = ActionBook(job["playbook"], job["zone"], job["day"])
        partners = {p.id: p.name for p in repo.partners()}
        stale = bring_current(book, repo, partners, repo.history_revisions())
    finally:
        repo.close()
    return 0 if not stale else 1


def main() -> int:
    """``python -m nurture_tui.services.fill_actions`` with the job pickled on stdin."""
    with contextlib.suppress(OSError):
        os.nice(5)  # the rep's keys come first; this pass can wait a little
    job = pickle.loads(sys.stdin.buffer.read())  # the parent's own job (see the docstring)
    try:
        return fill(job)
    except NurtureError as exc:
        print(f"nurture: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
