"""A change a rep made, as ``nurture history`` lists it and ``nurture undo`` reverts it.

Every write through the store is one change: a logged touch, a stage move, a snooze, a
whole sync run. Undo reverts the latest change by writing back what it replaced, and is
itself a change, so undoing an undo redoes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from nurture_tui.domain.errors import NurtureError


class NothingToUndoError(NurtureError):
    """The store has no change that can be reverted (none yet, or the latest replaced the
    whole store)."""


@dataclass(frozen=True, slots=True)
class Change:
    """One change: ``summary`` is written for the rep ("Logged a call with Mercy General")."""

    seq: int
    at: datetime
    actor: str
    action: str
    summary: str
    records: int
    undoes: int | None = None
    undoable: bool = True

    @property
    def is_undo(self) -> bool:
        return self.undoes is not None


def describe_undo(reverted: Change) -> str:
    """The summary of the change that reverts ``reverted``: an undo of an undo is a redo."""
    if reverted.is_undo:
        original = reverted.summary.removeprefix("Undid: ")
        return f"Redid: {original}"
    return f"Undid: {reverted.summary}"


def default_summary(action: str, counts: dict[str, int]) -> str:
    """A summary for a write whose caller gave none: the action and what it wrote."""
    parts = [f"{n} {table if n == 1 else table + 's'}" for table, n in sorted(counts.items())]
    return f"{action}: {', '.join(parts)}" if parts else action
