"""Running the Alembic migrations forward on open, without an ``env.py``.

Alembic's ``EnvironmentContext`` is what an ``env.py`` would set up; driving it from here
lets the store migrate itself on the connection it already has, inside one transaction
(both SQLite and PostgreSQL have transactional DDL).
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from nurture_tui.domain.errors import StoreError


def _scripts() -> ScriptDirectory:
    location = resources.files("nurture_tui.store").joinpath("migrations")
    return ScriptDirectory(str(location))


def head_revision() -> str:
    head = _scripts().get_current_head()
    assert head is not None
    return head


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def needs_upgrade(connection: Connection) -> bool:
    """True when the schema is older than this Nurture's (or absent); raises when newer."""
    current = current_revision(connection)
    scripts = _scripts()
    if current is not None and scripts.get_revision(current) is None:
        raise StoreError(
            f"the store was written by a newer Nurture (schema {current}); upgrade Nurture"
        )
    return current != scripts.get_current_head()


def upgrade(connection: Connection) -> None:
    """Migrate the schema on ``connection`` to the head revision (in its transaction)."""
    scripts = _scripts()

    def steps(revision: Any, _context: Any) -> Any:
        return scripts._upgrade_revs("head", revision)

    config = Config()
    with EnvironmentContext(config, scripts, fn=steps, destination_rev="head") as env:
        env.configure(connection=connection, transactional_ddl=True)
        env.run_migrations()
