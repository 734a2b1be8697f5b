"""Who did what: every partner, contact, touchpoint and referral carries who created it and
who last changed it (a rep's email on a team store, the local rep on a laptop's).

- ``created_by`` / ``changed_by`` on ``partners``, ``contacts``, ``touchpoints`` and
  ``referrals``: text, "" for rows written before this migration (shown as "before
  attribution": nobody is guessed). Plain ``ADD COLUMN`` with a constant default, so a
  store with 250,000 touchpoints migrates in milliseconds on either engine.
- On PostgreSQL, a trigger stamps both from the session's login role (``session_user``,
  looked up in ``reps``) on every INSERT and UPDATE, so a rep's hand-written SQL client is
  attributed too and no rep can write as a colleague: on INSERT both are the rep; on UPDATE
  ``created_by`` is kept and ``changed_by`` becomes the rep when anything but the
  attribution and the board's bookkeeping (``history_rev``) changed. A role that is no rep
  (the database's owner before ``team init`` names it, a superuser) is trusted as given: it
  owns the tables and could drop the trigger anyway. The function's ``search_path`` is
  pinned (``pg_temp`` last) so a rep's temporary table named ``reps`` cannot stand in.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision: str | None = "0006"
branch_labels = None
depends_on = None

TABLES = ("partners", "contacts", "touchpoints", "referrals")
FUNCTION = "nurture_attribute_rep"

_FUNCTION_BODY = """
DECLARE
    who text;
    kept_rev bigint;
    unchanged boolean;
BEGIN
    SELECT email INTO who FROM reps WHERE role = session_user AND removed_at IS NULL;
    IF who IS NULL THEN
        RETURN NEW;  -- not a rep: the owner or a superuser, trusted as given
    END IF;
    IF TG_OP = 'INSERT' THEN
        NEW.created_by := who;
        NEW.changed_by := who;
        RETURN NEW;
    END IF;
    NEW.created_by := OLD.created_by;
    NEW.changed_by := OLD.changed_by;
    IF TG_TABLE_NAME = 'partners' THEN
        -- history_rev moves whenever a partner's touches do: no change to the partner.
        kept_rev := NEW.history_rev;
        NEW.history_rev := OLD.history_rev;
        unchanged := NEW IS NOT DISTINCT FROM OLD;
        NEW.history_rev := kept_rev;
    ELSE
        unchanged := NEW IS NOT DISTINCT FROM OLD;
    END IF;
    IF NOT unchanged THEN
        NEW.changed_by := who;
    END IF;
    RETURN NEW;
END
"""


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("created_by", sa.Text, nullable=False, server_default=""))
        op.add_column(table, sa.Column("changed_by", sa.Text, nullable=False, server_default=""))
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
            f"CREATE TRIGGER {table}_attribute_rep BEFORE INSERT OR UPDATE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()"
        )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_attribute_rep ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("changed_by")
            batch.drop_column("created_by")
