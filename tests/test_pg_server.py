"""The throw-away PostgreSQL server that the store's contract tests run against."""

from __future__ import annotations

import sqlalchemy as sa

from pg_server import postgres_db_url, postgres_url  # noqa: F401


def test_a_fresh_database_takes_a_table_and_gives_back_its_row(postgres_db_url: str) -> None:  # noqa: F811
    assert postgres_db_url.startswith("postgresql+psycopg://")
    engine = sa.create_engine(postgres_db_url)
    try:
        metadata = sa.MetaData()
        partners = sa.Table(
            "partners",
            metadata,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("name", sa.Text, nullable=False),
        )
        with engine.begin() as conn:
            assert sa.inspect(conn).get_table_names() == []  # nothing left by another test
            metadata.create_all(conn)
            conn.execute(sa.insert(partners).values(id=1, name="Sunrise Senior Living"))
        with engine.connect() as conn:
            rows = conn.execute(sa.select(partners.c.id, partners.c.name)).all()
        assert [tuple(row) for row in rows] == [(1, "Sunrise Senior Living")]
    finally:
        engine.dispose()


def test_the_server_is_postgresql_13_or_newer(postgres_db_url: str) -> None:  # noqa: F811
    engine = sa.create_engine(postgres_db_url)
    try:
        with engine.connect() as conn:
            version_num = int(conn.execute(sa.text("SHOW server_version_num")).scalar_one())
            database = conn.execute(sa.text("SELECT current_database()")).scalar_one()
    finally:
        engine.dispose()
    assert version_num >= 130000
    assert database.startswith("test_")
