"""Opening Nurture: settings, the store and a clock, bundled for the CLI and the TUI.

``Session`` is the core ``Context`` (settings + clock) with the repository on top: the
services and the screens use it; sync sources never see it (they get a ``SourceContext``).
"""

from __future__ import annotations

import getpass
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from nurture_tui.config import Settings, load_settings
from nurture_tui.context import Context, utc_now
from nurture_tui.domain.repository import Repository
from nurture_tui.locations import data_directory
from nurture_tui.store.opening import open_store


@dataclass(init=False)
class Session(Context):
    """What every use case needs: where data lives, who the rep is, and what time it is.

    Built as ``Session(repo, settings, clock)`` (the store first, as callers always did);
    ``dataclasses.replace`` works on it like on any dataclass.
    """

    repo: Repository = field(kw_only=True)

    def __init__(
        self,
        repo: Repository,
        settings: Settings | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        super().__init__(settings if settings is not None else Settings(), clock)
        self.repo = repo

    @property
    def context(self) -> Context:
        """Settings and clock alone, for code that must not reach the store."""
        return Context(self.settings, self.clock)


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
