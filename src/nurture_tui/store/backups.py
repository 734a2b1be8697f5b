"""Backups and restore of the SQLite store, through SQLite's online backup API.

A backup is consistent while other processes write (the API copies a snapshot), is written
under a temporary name and renamed only once complete and checked, so no half backup is
ever left behind. ``restore`` never opens the live database: it works when that file is
damaged, missing or half-migrated, and keeps the file it replaces aside.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from nurture_tui.domain.errors import AmbiguousIdError, NotFoundError, StoreError
from nurture_tui.store.database import (
    DATABASE_NAME,
    damaged_message,
    file_problem,
    plain_errors,
    private_directory,
    private_file,
    sqlite_uri,
)
from nurture_tui.store.files import fsync_directory

#: How many automatic and manual backups are kept (the oldest go first).
BACKUPS_KEPT = 7
_PREFIX = "nurture-"
LEGACY_PREFIX = "pre-sqlite-"


@dataclass(frozen=True)
class Backup:
    """One restorable backup: a SQLite copy, or a journal-era store folder."""

    path: Path
    name: str
    legacy: bool = False


def backups_directory(directory: Path) -> Path:
    return directory / "backups"


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")


def list_backups(directory: Path) -> list[Backup]:
    """Every restorable backup, newest first (SQLite copies and journal-era folders)."""
    root = backups_directory(directory)
    if not root.is_dir():
        return []
    found = [
        Backup(p, p.name.removeprefix(_PREFIX).removesuffix(".db"))
        for p in root.glob(f"{_PREFIX}*.db")
        if p.is_file()
    ]
    for folder in root.iterdir():
        if folder.is_dir() and (folder / "manifest.json").exists():
            found.append(Backup(folder, folder.name, legacy=True))
    return sorted(found, key=lambda b: b.name.removeprefix(LEGACY_PREFIX), reverse=True)


def has_backups(directory: Path) -> bool:
    return bool(list_backups(directory))


@contextlib.contextmanager
def _temporary(path: Path) -> Iterator[Path]:
    """A 0600 temp file beside ``path``; removed unless the caller renamed it into place."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with contextlib.suppress(FileNotFoundError):
        temp.unlink()
    private_file(temp)
    try:
        yield temp
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()


def _copy(source: sqlite3.Connection, target_path: Path) -> None:
    """Copy ``source`` into a self-contained file (rollback journal, checked, fsynced)."""
    target = sqlite3.connect(target_path)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")
        verdict = target.execute("PRAGMA quick_check").fetchone()[0]
        if verdict != "ok":
            raise sqlite3.DatabaseError(f"the copy fails its check: {verdict}")
    finally:
        target.close()
    with open(target_path, "rb") as handle:
        os.fsync(handle.fileno())


def backup(directory: Path) -> Path:
    """Back up the live database to ``backups/nurture-STAMP.db``; keep the newest few."""
    live = directory / DATABASE_NAME
    if not live.exists():
        raise StoreError(f"there is no database at {live} to back up")
    _check_live(live)  # a damaged store is reported as such, not as a failed backup
    root = private_directory(backups_directory(directory))
    target = root / f"{_PREFIX}{_stamp()}.db"
    with plain_errors(str(target)), _sqlite_errors(str(target)), _temporary(target) as temp:
        source = sqlite3.connect(live, timeout=15)
        try:
            _copy(source, temp)
        finally:
            source.close()
        temp.rename(target)
        fsync_directory(root)
    prune(directory)
    return target


def _check_live(live: Path) -> None:
    problem = file_problem(live)
    if problem:
        raise StoreError(damaged_message(str(live), problem))
    with _sqlite_errors(str(live)):
        connection = sqlite3.connect(sqlite_uri(live, read_only=True), uri=True, timeout=15)
        try:
            verdict = connection.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            connection.close()
    if verdict != "ok":
        raise StoreError(damaged_message(str(live), str(verdict)))


def prune(directory: Path) -> None:
    """Keep the newest ``BACKUPS_KEPT`` SQLite backups; journal-era folders are kept."""
    copies = [b for b in list_backups(directory) if not b.legacy]
    for old in copies[BACKUPS_KEPT:]:
        with contextlib.suppress(FileNotFoundError):
            old.path.unlink()


def latest_backup_age_hours(directory: Path) -> float:
    copies = [b for b in list_backups(directory) if not b.legacy]
    if not copies:
        return float("inf")
    age = datetime.now().timestamp() - copies[0].path.stat().st_mtime
    return age / 3600


def choose(directory: Path, name: str | None) -> Backup:
    backups = list_backups(directory)
    if not backups:
        raise NotFoundError(f"there are no backups in {backups_directory(directory)}")
    if name is None:
        return backups[0]
    if not name.strip():
        raise NotFoundError("no backup name given; see `nurture restore --list`")
    matches = [b for b in backups if b.name.startswith(name) or b.path.name.startswith(name)]
    exact = [b for b in matches if name in (b.name, b.path.name)]
    if not matches:
        raise NotFoundError(f"no backup named {name!r}; see `nurture restore --list`")
    if len(matches) > 1 and not exact:
        shown = ", ".join(b.name for b in matches[:4])
        raise AmbiguousIdError(
            f"{name!r} matches {len(matches)} backups ({shown}…); type more of the name"
        )
    return (exact or matches)[0]


@dataclass(frozen=True)
class Restored:
    backup: Backup
    replaced: Path | None


def _require_nurture_database(source: sqlite3.Connection, path: Path) -> None:
    """Refuse a backup that is empty or not a Nurture store: restoring it would empty the
    live store (the old one would survive only in replaced-*.db)."""
    try:
        tables = {row[0] for row in source.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"the backup {path} is damaged ({exc}); pick another one") from None
    if not {"alembic_version", "meta", "partners"} <= tables:
        raise StoreError(
            f"the backup {path} is empty or not a Nurture store; nothing was changed — pick "
            "another one (`nurture restore --list`)"
        )


def _checkpoint(live: Path) -> None:
    """Best effort: a damaged or missing live file is exactly what restore is for."""
    if file_problem(live) or not live.exists():
        return
    with contextlib.suppress(sqlite3.Error):
        connection = sqlite3.connect(live, timeout=5)
        try:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            connection.close()


def restore(directory: Path, chosen: Backup) -> Restored:
    """Make ``chosen`` the live database without opening the live one.

    The file it replaces (with its WAL, so nothing committed is split from it) moves to
    ``backups/replaced-STAMP.db``; a journal-era backup is migrated into a new database.
    """
    live = directory / DATABASE_NAME
    root = private_directory(backups_directory(directory))
    with plain_errors(str(live)), _sqlite_errors(str(chosen.path)), _temporary(live) as temp:
        # Concurrent restores each get their own temp name (see _temporary).
        if chosen.legacy:
            from nurture_tui.store.legacy import build_database, read_legacy

            build_database(read_legacy(chosen.path), temp)
        else:
            source = sqlite3.connect(sqlite_uri(chosen.path, read_only=True), uri=True)
            try:
                _require_nurture_database(source, chosen.path)
                _copy(source, temp)
            finally:
                source.close()
        replaced = None
        _checkpoint(live)  # fold the live WAL in, so moving the files cannot split them
        if live.exists() or live.is_symlink():
            replaced = root / f"replaced-{_stamp()}.db"
            for suffix in ("-wal", "-shm"):
                companion = live.with_name(live.name + suffix)
                if companion.exists():
                    companion.rename(replaced.with_name(replaced.name + suffix))
            live.rename(replaced)
        else:
            for suffix in ("-wal", "-shm"):  # leftovers of a deleted database must not apply
                with contextlib.suppress(FileNotFoundError):
                    live.with_name(live.name + suffix).unlink()
        temp.rename(live)
        fsync_directory(directory)
        fsync_directory(root)
    return Restored(chosen, replaced)


@contextlib.contextmanager
def _sqlite_errors(where: str) -> Iterator[None]:
    """The standard library's sqlite3 errors in the same plain words as the store's."""
    try:
        yield
    except sqlite3.DatabaseError as exc:
        text = str(exc).lower()
        if "full" in text or "disk i/o" in text:
            raise StoreError(
                f"could not write {where}: the disk is full (or failing); nothing was changed. "
                "Free some space and try again"
            ) from None
        if "not a database" in text or "malformed" in text or "check" in text:
            if "/backups/" in where:  # a damaged backup: restore is not the way out
                raise StoreError(
                    f"the backup {where} is damaged ({exc}); nothing was changed — pick another "
                    "one (`nurture restore --list`)"
                ) from None
            raise StoreError(damaged_message(where, str(exc))) from None
        raise StoreError(f"{where}: {exc}") from None


def check(directory: Path) -> str:
    """Run ``PRAGMA integrity_check`` on the live database (read-only); raise if damaged."""
    live = directory / DATABASE_NAME
    if not live.exists():
        raise StoreError(f"there is no database at {live}")
    with _sqlite_errors(str(live)):
        problem = file_problem(live)
        if problem:
            raise StoreError(damaged_message(str(live), problem))
        connection = sqlite3.connect(sqlite_uri(live, read_only=True), uri=True, timeout=15)
        try:
            verdict = connection.execute("PRAGMA integrity_check").fetchall()
        finally:
            connection.close()
    # SQLite may put many findings in one row, on lines of their own: one line for the rep.
    problems = [
        line.strip()
        for row in verdict
        if row[0] != "ok"
        for line in str(row[0]).splitlines()
        if line.strip() and not line.startswith("***")
    ]
    if problems:
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        raise StoreError(damaged_message(str(live), f"{count}, the first: {problems[0]}"))
    return str(live)
