"""Opening the store: the one place that decides what a data directory holds.

- ``nurture.db`` exists: open it (migrating the schema forward, after a backup).
- A journal-era store exists: migrate it into ``nurture.db`` in one transaction, keep the
  old files untouched in ``backups/pre-sqlite-STAMP/``, and say so once.
- Neither, but backups exist: the database was lost, not never made. Refuse and point at
  ``nurture restore``, so nothing writes an empty store over the rep's history.
- Neither and no backups: a new, empty store.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from filelock import FileLock, Timeout

from nurture_tui.domain.errors import StoreError
from nurture_tui.store import backups
from nurture_tui.store.database import (
    DATABASE_NAME,
    StoreDamagedError,
    damaged_message,
    file_problem,
    plain_errors,
    private_directory,
    private_file,
    sqlite_engine,
)
from nurture_tui.store.files import fsync_directory
from nurture_tui.store.legacy import MIGRATED_KEY, build_database, legacy_files, read_legacy
from nurture_tui.store.migrate import needs_upgrade, upgrade
from nurture_tui.store.sql import SqlRepository


def open_store(
    directory: Path, *, url: str = "", actor: str = "nurture", notices: list[str] | None = None
) -> SqlRepository:
    """The Repository for ``directory`` (or the server at ``url``); see the module doc.

    ``notices`` collects one-time news for the rep (a migration happened, and what it left
    out); the CLI prints them on stderr, the TUI as a notification.
    """
    notices = notices if notices is not None else []
    private_directory(directory)
    if url:
        return _open_server(directory, url, actor)
    database = directory / DATABASE_NAME
    problem = file_problem(database)
    if problem:
        raise StoreDamagedError(damaged_message(str(database), problem))
    if _missing_or_empty(database):
        if legacy_files(directory):
            database.unlink(missing_ok=True)  # an empty file is no database: migrate instead
            _migrate_journal_store(directory, notices)
        elif backups.has_backups(directory):
            raise StoreError(
                f"the database {database} is missing or empty, but backups exist: run "
                "`nurture restore` to bring back the latest (`nurture restore --list` shows "
                "them). Nothing was created. To start afresh instead, move the backups "
                "folder aside"
            )
    private_file(database)
    for suffix in ("-wal", "-shm"):
        companion = database.with_name(database.name + suffix)
        if companion.exists():
            private_file(companion)
    engine = sqlite_engine(database)
    with plain_errors(str(database)):
        with engine.connect() as c:
            stale = needs_upgrade(c)
        if stale:
            _upgrade_schema(directory, engine)
    repo = SqlRepository(engine, directory=directory, location=str(database), actor=actor)
    if legacy_files(directory) and repo.state(MIGRATED_KEY):
        _finish_move(directory, repo.state(MIGRATED_KEY) or {})  # a crash mid-migration
    return repo


def _missing_or_empty(database: Path) -> bool:
    """No database yet: the file is absent, or empty (SQLite would call that a new store,
    but beside backups it is a lost one)."""
    try:
        return database.stat().st_size == 0
    except FileNotFoundError:
        return True


def _open_server(directory: Path, url: str, actor: str) -> SqlRepository:
    """The team store at ``url``: never created here (``nurture team init`` does that), an
    older schema migrated forward; the actor is the connected rep (see ``store.server``)."""
    from nurture_tui.store.server import open_server

    server, rep = open_server(url, actor)
    return SqlRepository(server.engine, directory=directory, location=server.where, actor=rep)


def _upgrade_schema(directory: Path, engine: object) -> None:
    from sqlalchemy import Engine

    assert isinstance(engine, Engine)
    with engine.connect() as c:
        empty = (
            c.exec_driver_sql(
                "SELECT count(*) FROM sqlite_master WHERE name = 'alembic_version'"
            ).scalar_one()
            == 0
        )
    if not empty:
        backups.backup(directory)  # a schema migration is undoable by `nurture restore`
    with engine.connect().execution_options(write=True) as c, c.begin():
        if needs_upgrade(c):  # another process may have just done it
            upgrade(c)


def _migrate_journal_store(directory: Path, notices: list[str]) -> None:
    lock = FileLock(str(directory / ".migrate.lock"), timeout=60, mode=0o600)
    try:
        with lock:
            database = directory / DATABASE_NAME
            if database.exists():
                return  # another process migrated while we waited
            data = read_legacy(directory)
            stamp = backups._stamp()
            target = backups.backups_directory(directory) / f"{backups.LEGACY_PREFIX}{stamp}"
            temp = directory / f".{DATABASE_NAME}.migrating"
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
            private_file(temp)
            try:
                with plain_errors(str(database)):
                    build_database(data, temp, origin=target.name)
                    temp.rename(database)
                    fsync_directory(directory)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    temp.unlink()
            _finish_move(directory, {"from": target.name})
    except Timeout:
        raise StoreError(
            f"another Nurture process is migrating the store at {directory}; try again"
        ) from None
    counts = (
        f"{len(data.partners)} partners, {len(data.contacts)} contacts, "
        f"{len(data.touchpoints)} touchpoints, {len(data.referrals)} referrals"
    )
    notices.append(
        f"moved your store into {DATABASE_NAME} ({counts}); the old files are kept unchanged "
        f"in {target}"
    )
    notices += [f"left out of the move: {problem}" for problem in data.problems]


def _tighten(path: Path) -> None:
    """The journal store's files kept their old 0644 modes: make them private too."""
    with contextlib.suppress(OSError):
        path.chmod(0o700 if path.is_dir() else 0o600)
        if path.is_dir():
            for inner in path.rglob("*"):
                inner.chmod(0o700 if inner.is_dir() else 0o600)


def _finish_move(directory: Path, marker: dict[str, object]) -> None:
    """Move the journal store's files, untouched, into the backup folder the marker names."""
    name = str(marker.get("from") or f"{backups.LEGACY_PREFIX}{backups._stamp()}")
    target = private_directory(backups.backups_directory(directory) / name)
    with plain_errors(str(target)):
        for path in legacy_files(directory):
            path.rename(target / path.name)
            _tighten(target / path.name)
        fsync_directory(target)
        fsync_directory(directory)
