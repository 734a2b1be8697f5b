"""The core context: settings and a clock, and nothing that reaches the store.

It lives below ``sync/`` and ``services/`` so that either can be handed "what time it is
for this rep, and how they set Nurture up" without the repository coming along.
``services.session.Session`` is this context with the store opened on top; the sync
runner is given the store separately (``StoreContext``) and never hands it to a source.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Protocol

from nurture_tui.config import Settings
from nurture_tui.domain.ports import Repository


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Context:
    """Who the rep is (their settings) and what time it is (a clock tests can fix)."""

    settings: Settings = field(default_factory=Settings)
    clock: Callable[[], datetime] = utc_now

    def now(self) -> datetime:
        """The clock's time in the rep's zone."""
        return self.clock().astimezone(self.settings.zone)

    def today(self) -> date:
        return self.now().date()


class StoreContext(Protocol):
    """A context with the store open: what the sync runner reads and writes through.

    A Protocol, so the runner (below ``services``) names no services type; a
    ``services.session.Session`` is one.
    """

    repo: Repository
    settings: Settings

    def now(self) -> datetime: ...
