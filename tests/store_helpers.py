"""Reading a store the way a test checks it: every row, straight from the database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from nurture_tui.domain.model import Touchpoint
from nurture_tui.store import rows
from nurture_tui.store.opening import open_store


def stored_touchpoints(directory: Path) -> dict[str, Touchpoint]:
    """Every touchpoint in the store at ``directory``, by id (archived partners included)."""
    repo = open_store(directory)
    with repo.engine.connect() as c:
        cursor = c.connection.cursor()
        cursor.execute(f"SELECT {', '.join(rows.TOUCHPOINT_COLUMNS)} FROM touchpoints")
        found = rows.touchpoints_from_rows(cursor.fetchall())
    repo.close()
    return {t.id: t for t in found}


def integrity(directory: Path) -> str:
    """SQLite's own full check of the database file ("ok" when healthy)."""
    connection = sqlite3.connect(directory / "nurture.db")
    try:
        return str(connection.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        connection.close()


def downgrade_store(directory: Path, revision: str) -> None:
    """Take the SQLite store at ``directory`` back to schema ``revision`` with the
    migrations' own ``downgrade()`` steps: a store as an older Nurture left it, whatever
    later migrations add (a test that drops columns by hand breaks with each new one)."""
    from alembic.config import Config
    from alembic.runtime.environment import EnvironmentContext

    from nurture_tui.store.migrate import _scripts

    scripts = _scripts()
    repo = open_store(directory)
    try:
        with repo.engine.connect() as c:
            # SQLite rebuilds a table to drop a column (Alembic's batch mode): with foreign
            # keys enforced, dropping the old ``partners`` would be refused. Off outside
            # the transaction, as SQLite requires.
            c.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]

            def steps(current: object, _context: object) -> object:
                return scripts._downgrade_revs(revision, current)

            with (
                c.begin(),
                EnvironmentContext(Config(), scripts, fn=steps, destination_rev=revision) as env,
            ):
                env.configure(connection=c, transactional_ddl=True)
                env.run_migrations()
    finally:
        repo.close()
