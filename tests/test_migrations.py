"""The Alembic scripts and the schema module say the same thing."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from nurture_tui.store import migrate, schema
from nurture_tui.store.opening import open_store


def test_the_code_knows_the_scripts_head() -> None:
    assert migrate.script_head() == migrate.HEAD == migrate.KNOWN[-1]


def test_a_migrated_database_matches_the_schema_module(tmp_path: Path) -> None:
    repo = open_store(tmp_path)
    with repo.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), schema.metadata)
    assert differences == []


def test_a_store_from_a_newer_nurture_is_refused(tmp_path: Path) -> None:
    import sqlite3

    import pytest

    from nurture_tui.domain.errors import StoreError

    open_store(tmp_path).close()
    connection = sqlite3.connect(tmp_path / "nurture.db")
    connection.execute("UPDATE alembic_version SET version_num = '9999'")
    connection.commit()
    connection.close()
    with pytest.raises(StoreError, match="newer Nurture"):
        open_store(tmp_path)
