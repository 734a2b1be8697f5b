"""Running the Alembic migrations forward on open, without an ``env.py``.

Alembic's ``EnvironmentContext`` is what an ``env.py`` would set up; driving it from here
lets the store migrate itself on the connection it already has, inside one transaction
(both SQLite and PostgreSQL have transactional DDL). Alembic is imported only when a
migration is due: every command checks the schema, and importing Alembic costs ~100 ms.
"""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING, Any

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from nurture_tui.domain.errors import StoreError

if TYPE_CHECKING:
    from alembic.script import ScriptDirectory

#: The newest revision in ``migrations/versions`` (a test keeps the two in step).
HEAD = "0009"
#: Every revision this Nurture knows, oldest first.
KNOWN = ("0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008", "0009")


def _scripts() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    location = resources.files("nurture_tui.store").joinpath("migrations")
    return ScriptDirectory(str(location))


def script_head() -> str | None:
    """The head revision as Alembic reads it from the scripts (for the test of ``HEAD``)."""
    return _scripts().get_current_head()


def current_revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def needs_upgrade(connection: Connection) -> bool:
    """True when the schema is older than this Nurture's (or absent); raises when newer."""
    current = current_revision(connection)
    if current is not None and current not in KNOWN:
        raise StoreError(
            f"the store was written by a newer Nurture (schema {current}); upgrade Nurture"
        )
    return current != HEAD


def upgrade(connection: Connection) -> None:
    """Migrate the schema on ``connection`` to the head revision (in its transaction)."""
    from alembic.config import Config
    from alembic.runtime.environment import EnvironmentContext

    scripts = _scripts()

    def steps(revision: Any, _context: Any) -> Any:
        return scripts._upgrade_revs("head", revision)

    with EnvironmentContext(Config(), scripts, fn=steps, destination_rev="head") as env:
        env.configure(connection=connection, transactional_ddl=True)
        env.run_migrations()
