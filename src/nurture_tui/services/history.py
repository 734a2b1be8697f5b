"""Undo and the list of recent changes, for the CLI and the TUI alike.

Every change a rep makes goes through the store with what it replaced (see
``store/sql.py``); these use cases only ask the store and shape the answer. Undo always
reverts the store's latest change, whoever made it, and says which one it was.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from nurture_tui.domain.changes import Change
from nurture_tui.services.session import Session


def undo_latest(session: Session) -> tuple[Change, Change]:
    """Revert the latest change: (what was reverted, the change that reverted it)."""
    return session.repo.undo()


def recent_changes(session: Session, limit: int = 20) -> list[Change]:
    """The newest changes first."""
    return session.repo.changes(limit)


def change_json(change: Change, zone: tzinfo) -> dict[str, Any]:
    """A change as ``nurture history --json`` and ``nurture undo --json`` give it."""
    return {
        "id": change.seq,
        "at": change.at.astimezone(zone).isoformat(timespec="seconds"),
        "actor": change.actor,
        "action": change.action,
        "summary": change.summary,
        "records": change.records,
        "undoes": change.undoes,
        "undoable": change.undoable,
    }
