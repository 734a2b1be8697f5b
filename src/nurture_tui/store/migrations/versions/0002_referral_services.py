"""Referral services become a list (personal care, respite, …) plus a screened detail.

The free-text ``service`` of older stores is read with ``service_from_text``: a known word
becomes its service; anything else becomes ``other`` with the text kept as the detail —
unless the PHI screen finds a patient identifier in it, in which case the detail is dropped
(a date of birth or a name in a service field is exactly what this change exists to stop).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from nurture_tui.domain.kinds import service_from_text
from nurture_tui.domain.phi import phi_findings

revision = "0002"
down_revision: str | None = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("referrals") as batch:
        batch.add_column(sa.Column("service_detail", sa.Text, nullable=False, server_default=""))
    connection = op.get_bind()
    referrals = sa.table(
        "referrals",
        sa.column("id", sa.String),
        sa.column("service", sa.Text),
        sa.column("service_detail", sa.Text),
    )
    rows = connection.execute(
        sa.select(referrals.c.id, referrals.c.service).where(referrals.c.service != "")
    ).all()
    for rid, text in rows:
        service, detail = service_from_text(text)
        if phi_findings(detail):
            detail = ""
        connection.execute(
            referrals.update()
            .where(referrals.c.id == rid)
            .values(service=service, service_detail=detail[:80])
        )


def downgrade() -> None:
    with op.batch_alter_table("referrals") as batch:
        batch.drop_column("service_detail")
