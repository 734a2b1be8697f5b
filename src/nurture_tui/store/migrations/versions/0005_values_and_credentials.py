"""Compliance: what a touch gave, and who is a physician.

- ``touchpoints.value_cents``, ``item``: the value given (cents, for all the touch's
  recipients together) and what it was; ``overrides``: the compliance warnings the rep
  saved through, with who and when (JSON; "" when none).
- ``contacts.credential`` (MD, DO, NP…; NULL when unset) and ``contacts.npi`` (an
  individual NPI): whether gifts to a contact count toward Stark's yearly limit.

Plain ``ADD COLUMN`` with constant defaults: neither SQLite nor PostgreSQL rewrites the
table, so a store with 250,000 touchpoints migrates in milliseconds.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision: str | None = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "touchpoints", sa.Column("value_cents", sa.BigInteger, nullable=False, server_default="0")
    )
    op.add_column("touchpoints", sa.Column("item", sa.Text, nullable=False, server_default=""))
    op.add_column("touchpoints", sa.Column("overrides", sa.Text, nullable=False, server_default=""))
    op.add_column("contacts", sa.Column("credential", sa.String(10)))
    op.add_column("contacts", sa.Column("npi", sa.String(10)))


def downgrade() -> None:
    with op.batch_alter_table("contacts") as batch:
        batch.drop_column("npi")
        batch.drop_column("credential")
    with op.batch_alter_table("touchpoints") as batch:
        batch.drop_column("overrides")
        batch.drop_column("item")
        batch.drop_column("value_cents")
