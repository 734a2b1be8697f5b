"""Undo: every change a rep makes is kept with what it replaced; deletions are remembered.

- ``changes``: one row per change (a logged touch, a stage move, a whole sync run), with the
  summary a rep reads in ``nurture history`` and whether it can be undone.
- ``change_records``: each record a change wrote, as JSON images before and after. A
  referral's image never holds its participant reference: the reference stays on the
  referral row, which is why a deleted referral is only marked ``deleted`` (an undo brings
  it back whole) instead of being removed.
- ``deleted_events``: the (source, external id) of synced touchpoints a rep deleted, so the
  next sync that sees the same event does not log it again.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision: str | None = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("referrals") as batch:
        batch.add_column(
            sa.Column("deleted", sa.Boolean, nullable=False, server_default=sa.false())
        )
    op.create_table(
        "changes",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.Text, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("undoes", sa.Integer),
        sa.Column("undoable", sa.Boolean, nullable=False),
    )
    op.create_table(
        "change_records",
        sa.Column(
            "change_seq",
            sa.Integer,
            sa.ForeignKey("changes.seq", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("table_name", sa.String(40), nullable=False),
        sa.Column("record_id", sa.Text, nullable=False),
        sa.Column("before", sa.Text),
        sa.Column("after", sa.Text),
        sa.PrimaryKeyConstraint("change_seq", "position"),
    )
    op.create_table(
        "deleted_events",
        sa.Column("source", sa.String(40), primary_key=True),
        sa.Column("external_id", sa.Text, primary_key=True),
        sa.Column("at", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("deleted_events")
    op.drop_table("change_records")
    op.drop_table("changes")
    with op.batch_alter_table("referrals") as batch:
        batch.drop_column("deleted")
