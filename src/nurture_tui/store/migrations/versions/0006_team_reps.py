"""A team: the reps who share a PostgreSQL store, and the group roles that grant them access.

- ``reps``: one row per rep (email, lower-case, the key), their name, the PostgreSQL role
  they log in as, whether they are an admin (may add and remove reps), who added them and
  when, and when they were removed (the row stays: history keeps naming them).
- ``team``: one row, written by ``nurture team init``: the group roles holding the
  privileges a rep needs on this database (named per database, since roles are shared by
  every database on a server), and who set the team up.

On SQLite (a rep's own store) both tables stay empty and cost nothing.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision: str | None = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reps",
        sa.Column("email", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False, server_default=""),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("is_admin", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("created_by", sa.Text, nullable=False, server_default=""),
        sa.Column("removed_at", sa.Text),
        sa.UniqueConstraint("role", name="uq_reps_role"),
    )
    op.create_table(
        "team",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("rep_group", sa.Text, nullable=False),
        sa.Column("admin_group", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.CheckConstraint("id = 1", name="ck_team_one_row"),
    )


def downgrade() -> None:
    op.drop_table("team")
    op.drop_table("reps")
