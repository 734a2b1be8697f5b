"""Settings as a typed model: the rep, their zone, privacy switches. Loaded once.

Read from ``config.toml`` in the config directory; every field can be overridden by an
environment variable ``NURTURE_<FIELD>`` (tests and cron jobs use that).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields
from datetime import tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from nurture_tui.domain.errors import ValidationError
from nurture_tui.locations import config_file


@dataclass(frozen=True)
class Settings:
    rep_name: str = "Your Name"
    """Shown as the organizer of invites."""
    rep_email: str = ""
    """Your own address: never matched to a partner."""
    agency: str = "Your Agency"
    """Your agency's name, used in invite text."""
    agency_domain: str = ""
    """Your agency's mail domain: never matched to a partner."""
    timezone: str = ""
    """IANA zone (America/Chicago); naive times you type are taken in it. Empty: the system's."""
    zoom_url: str = ""
    """Your personal Zoom (or other video) link for invites."""
    keep_subjects: bool = True
    """Keep synced mail/meeting subjects (masked for participant references)."""
    sync_every_minutes: int = 15
    """How often the open TUI syncs connected sources (0: only when you press S)."""
    sync_past_days: int = 365
    """How far back calendar sync reads."""
    sync_future_days: int = 92
    """How far ahead calendar sync reads."""
    google_calendars: str = "primary"
    """Google calendar ids to sync, comma-separated."""
    google_client_id: str = ""
    """Your Google OAuth client (Desktop type); or pass --client-secrets to `nurture auth`."""
    outlook_client_id: str = ""
    """The agency's Microsoft Entra app registration (public client) id."""
    outlook_tenant: str = "organizations"
    """The Microsoft tenant id or domain (default: any work or school account)."""
    caldav_url: str = ""
    """Your CalDAV server (iCloud, Fastmail, Nextcloud...); the password is in the keyring."""
    caldav_user: str = ""
    """Your CalDAV user name."""
    imap_host: str = ""
    """Your IMAP server, for sent mail; the password is in the keyring."""
    imap_port: int = 993
    """The IMAP port (993 is IMAP over TLS)."""
    imap_user: str = ""
    """Your IMAP user name."""
    imap_sent_folder: str = ""
    """The Sent folder, if it has no \\Sent flag (found by flag, then by usual names)."""
    store_url: str = ""
    """A PostgreSQL URL for a team store (postgresql://USER@HOST/DB); empty: the SQLite file
    nurture.db in the data directory."""

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
    from datetime import datetime

    local = datetime.now().astimezone().tzinfo
    assert local is not None
    return local


def load_settings(path: Path | None = None) -> Settings:
    """Settings from the config file and ``NURTURE_*`` variables; bad files raise clearly."""
    path = path or config_file()
    values: dict[str, object] = {}
    if path.exists():
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ValidationError(f"{path} is not valid TOML: {exc}") from None
        section = raw.get("nurture", raw)
        values.update({f.name: section[f.name] for f in fields(Settings) if f.name in section})
    for f in fields(Settings):
        env = os.environ.get(f"NURTURE_{f.name.upper()}")
        if env is not None:
            values[f.name] = _convert(env, str(f.type))
    for name, value in list(values.items()):
        if isinstance(value, str):
            kind = next(str(f.type) for f in fields(Settings) if f.name == name)
            values[name] = _convert(value, kind)
    return Settings(**values)  # type: ignore[arg-type]


def _convert(value: str, kind: str) -> object:
    if kind == "bool":
        return value.strip().lower() in ("1", "true", "yes", "on")
    if kind == "int":
        try:
            return int(value)
        except ValueError:
            raise ValidationError(f"expected a whole number, not {value!r}") from None
    return value
