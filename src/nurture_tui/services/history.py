"""Undo and the list of recent changes, for the CLI and the TUI alike.

Every change a rep makes goes through the store with what it replaced (see
``store/sql.py``); these use cases only ask the store and shape the answer. Undo reverts
the rep's latest change (on a laptop's store, where the rep is the only rep: the store's
latest) and says which one it was; on a team store a colleague's change is never taken
back by it, and a change someone wrote over since is refused, naming who.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from nurture_tui.domain.changes import Change
from nurture_tui.services.session import Session


def undo_latest(session: Session) -> tuple[Change, Change]:
    """Revert the rep's latest change: (what was reverted, the change that reverted it)."""
    return session.repo.undo()


def recent_changes(session: Session, limit: int = 20, *, mine: bool = False) -> list[Change]:
    """The newest changes first; ``mine``: only those made by this store's actor."""
    return session.repo.changes(limit, actor=session.repo.actor if mine else None)


def attribution_words(by: str) -> str:
    """Who created or changed a record, for a rep to read: "" (a row older than
    attribution) says so rather than guessing."""
    return by or "before attribution"


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
