"""Keeping the rep's data safe without being asked: a backup a day while the app is open."""

from __future__ import annotations

from pathlib import Path

from nurture_tui.services.session import Session
from nurture_tui.store import backups

#: A new automatic backup once the newest is this old.
BACKUP_EVERY_HOURS = 24.0


def daily_backup(session: Session) -> Path | None:
    """Back up a local store if its newest backup is a day old; a team store is the
    server's to back up. Returns the new backup, or None when none was due."""
    if session.settings.store_url:
        return None
    directory = session.repo.directory
    if not (directory / "nurture.db").exists():
        return None
    if backups.latest_backup_age_hours(directory) < BACKUP_EVERY_HOURS:
        return None
    return backups.backup(directory)
