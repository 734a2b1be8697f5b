"""Messages the app posts to itself from workers (named for what happened)."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from nurture_tui.services.board import BoardData


@dataclass
class BoardLoaded(Message):
    """Fresh board and agenda data, computed in a worker."""

    data: BoardData


@dataclass
class StoreChanged(Message):
    """Another process (a background sync, another window) wrote to the store."""

    revision: int


@dataclass
class RecordSaved(Message):
    """A form's write landed; the board reloads and the rep is told in plain words."""

    message: str
    partner_id: str | None = None
