"""Instant boards: each partner's history revision, and a cache of suggested actions.

- ``partners.history_rev``: the store revision at which anything in the partner's history
  last changed (the partner, a contact, a touchpoint, a referral, a dismissal). A view that
  holds every partner's actions recomputes only the partners whose revision moved, and
  another process's writes are found by one indexed query instead of a reload.
- ``action_cache``: each partner's suggested actions for a day, as computed under one
  playbook and time zone (``context``). Derived data, never a record: it is not in the
  change log, an undo does not touch it, and a row is used only while the partner's
  ``history_rev`` and the day still match, so a stale row is simply recomputed.
- ``ix_touchpoints_partner_status_at``: each partner's latest done touch from the index
  alone, so the board's cards paint without visiting 250,000 rows.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision: str | None = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("partners") as batch:
        batch.add_column(
            sa.Column("history_rev", sa.BigInteger, nullable=False, server_default="0")
        )
        batch.create_index("ix_partners_history_rev", ["history_rev"])
    op.execute("UPDATE partners SET history_rev = (SELECT value FROM meta WHERE key = 'revision')")
    # Each partner's latest done touch, read from the index alone (the board's first paint).
    op.create_index(
        "ix_touchpoints_partner_status_at", "touchpoints", ["partner_id", "status", "at"]
    )
    op.create_table(
        "action_cache",
        sa.Column("partner_id", sa.String(40), primary_key=True),
        sa.Column("context", sa.String(64), primary_key=True),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("history_rev", sa.BigInteger, nullable=False),
        sa.Column("actions", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("action_cache")
    op.drop_index("ix_touchpoints_partner_status_at", "touchpoints")
    with op.batch_alter_table("partners") as batch:
        batch.drop_index("ix_partners_history_rev")
        batch.drop_column("history_rev")
