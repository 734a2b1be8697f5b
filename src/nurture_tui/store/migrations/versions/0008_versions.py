"""Nobody overwrites anybody: every partner and contact carries a version that moves with
each change to what it says, so a form that opened version 4 can tell, when it saves, that
a colleague saved version 5 in between (optimistic concurrency, issue 15).

- ``version`` on ``partners`` and ``contacts``: a count, 1 for rows written before this
  migration (plain ``ADD COLUMN`` with a constant default: milliseconds at 5,000 partners).
  The store writes ``old + 1`` whenever a save changes what the record says, and checks
  the version a form opened with inside the write's transaction.
- On PostgreSQL a trigger keeps the count honest for any client, a rep's hand-written SQL
  included: an UPDATE that changes what the row says without moving ``version`` forward
  gets ``old + 1``, and no UPDATE moves it backwards. Attribution and the board's
  bookkeeping (``history_rev``) are not what a record says, so they leave it alone. The
  function's ``search_path`` is pinned, as 0007's is.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision: str | None = "0007"
branch_labels = None
depends_on = None

TABLES = ("partners", "contacts")
FUNCTION = "nurture_move_version"

#: Columns that are not what a record says: changing only these is no new version.
_BOOKKEEPING = "- 'version' - 'history_rev' - 'created_by' - 'changed_by'"

_FUNCTION_BODY = f"""
BEGIN
    IF NEW.version < OLD.version THEN
        NEW.version := OLD.version;
    END IF;
    IF NEW.version = OLD.version
       AND (to_jsonb(NEW) {_BOOKKEEPING}) IS DISTINCT FROM (to_jsonb(OLD) {_BOOKKEEPING})
    THEN
        NEW.version := OLD.version + 1;
    END IF;
    RETURN NEW;
END
"""


def upgrade() -> None:
    for table in TABLES:
        column = sa.Column("version", sa.BigInteger, nullable=False, server_default="1")
        op.add_column(table, column)
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = bind.execute(sa.text("SELECT current_schema()")).scalar_one()
    quoted = bind.dialect.identifier_preparer.quote(schema)
    op.execute(
        f"CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql "
        f"SET search_path = {quoted}, pg_temp AS $body${_FUNCTION_BODY}$body$"
    )
    for table in TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_move_version BEFORE UPDATE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()"
        )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_move_version ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("version")
