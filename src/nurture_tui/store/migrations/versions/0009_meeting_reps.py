"""A meeting two reps attended is one touch with both on it: ``touchpoints.reps``.

- ``reps`` on ``touchpoints``: for a synced meeting, the reps who had it in their calendar,
  each with the id of their own copy of the event, as compact JSON pairs
  (``[["ann@agency.org","cal:primary:abc"]]``); "" for every other touch and for meetings
  synced before this migration (their rep is the one who created them, their event the
  one their external id names). Plain ``ADD COLUMN`` with a constant default: milliseconds
  at 250,000 touchpoints on either engine, and nothing for 0007's trigger to stamp.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision: str | None = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("touchpoints", sa.Column("reps", sa.Text, nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("touchpoints") as batch:
        batch.drop_column("reps")
