"""Opening Nurture: settings, the store and a clock, bundled for the CLI and the TUI."""

from __future__ import annotations

import getpass
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from nurture_tui.config import Settings, load_settings
from nurture_tui.domain.ports import Repository
from nurture_tui.locations import data_directory
from nurture_tui.store.opening import open_store


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Session:
    """What every use case needs: where data lives, who the rep is, and what time it is."""

    repo: Repository
    settings: Settings = field(default_factory=Settings)
    clock: Callable[[], datetime] = _now

    def now(self) -> datetime:
        return self.clock().astimezone(self.settings.zone)

    def today(self) -> date:
        return self.now().date()


def default_actor() -> str:
    try:
        return f"{getpass.getuser()}@{socket.gethostname()}"
    except (OSError, KeyError):
        return "nurture"


def open_session(
    data_dir: Path | str | None = None,
    *,
    actor: str | None = None,
    notices: list[str] | None = None,
) -> Session:
    """Settings, the store (SQLite in the data dir, or ``store_url``) and the real clock.

    ``notices`` collects one-time news from opening the store (a migration) for the caller
    to show the rep.
    """
    settings = load_settings()
    repo = open_store(
        data_directory(data_dir),
        url=settings.store_url,
        actor=actor or default_actor(),
        notices=notices,
    )
    return Session(repo=repo, settings=settings)
