"""The core context: settings and a clock, and nothing that reaches the store.

It lives below ``sync/`` and ``services/`` so that either can be handed "what time it is
for this rep, and how they set Nurture up" without the repository coming along.
``services.session.Session`` is this context with the store opened on top; the sync
runner is given the store separately (``StoreContext``) and never hands it to a source.

``Settings`` (the typed model) is defined here rather than in ``config.py``: reading and
checking the settings file needs the installed sources' options, so ``config`` sits above
``sync/``, while the runner below it needs only the model.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, tzinfo
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from nurture_tui.domain.errors import ValidationError
from nurture_tui.domain.repository import Repository


@dataclass(frozen=True)
class Settings:
    """The rep, their zone, privacy switches and sync window; loaded once (``config.py``)."""

    rep_name: str = ""
    """Your name: the organizer of invites and their signature. Empty: invites are refused."""
    rep_email: str = ""
    """Your own address: never matched to a partner; the organizer of invites."""
    agency: str = ""
    """Your agency's name, used in invite text. Empty: invites are refused."""
    agency_domain: str = ""
    """Your agency's mail domain: never matched to a partner."""
    timezone: str = ""
    """IANA zone (America/Chicago); naive times you type are taken in it. Empty: the system's."""
    zoom_url: str = ""
    """Your personal video-meeting link (Zoom, Teams, Meet...) for invites; https only."""
    daily_capacity: int = 12
    """How many actions a day's plan holds (1-100)."""
    keep_subjects: bool = True
    """Keep synced mail/meeting subjects (masked for participant references)."""
    sync_every_minutes: int = 15
    """How often the open TUI syncs connected sources (0: only when you press S)."""
    sync_past_days: int = 365
    """How far back calendar sync reads."""
    sync_future_days: int = 92
    """How far ahead calendar sync reads."""
    agency_type: str = ""
    """What your agency furnishes, comma-separated: home-health, hospice,
    non-medical-home-care, waiver-provider. Home health is a designated health service, so
    gifts to physicians are checked against Stark's yearly limit; empty: checked too."""
    currency: str = "USD"
    """The currency values you log are in (an ISO 4217 code); the limits are in USD."""
    store_url: str = ""
    """A PostgreSQL URL for a team store (postgresql://USER@HOST/DB); empty: the SQLite file
    nurture.db in the data directory."""
    sources: dict[str, Any] = field(default_factory=dict, hash=False)
    """The installed sync sources' options by config key (``caldav_url``), checked; each
    source declares its own (``SourceOption``), so none of them is a field here."""

    @property
    def agency_types(self) -> frozenset[str]:
        """``agency_type`` as a set of ids (checked when the setting was read)."""
        return frozenset(part for part in self.agency_type.split(",") if part)

    def source_option(self, key: str, default: Any = None) -> Any:
        """A source option's value in force (``default`` when it is not set)."""
        return self.sources.get(key, default)

    @property
    def zone(self) -> tzinfo:
        if self.timezone:
            try:
                return ZoneInfo(self.timezone)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValidationError(
                    f"unknown timezone {self.timezone!r} in settings; use an IANA name "
                    "like America/Chicago"
                ) from None
        return _system_zone()


def _system_zone() -> tzinfo:
    name = os.environ.get("TZ")
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    local = datetime.now().astimezone().tzinfo
    assert local is not None
    return local


def core_setting_keys() -> list[str]:
    """Nurture's own settings (not a source's)."""
    return [f.name for f in fields(Settings) if f.name != "sources"]


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
