"""The first SQL schema: partners, contacts (+ emails), touchpoints, referrals, dismissals,
state documents, the audit trail and the revision counter.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels = None
depends_on = None

#: 1900-01-01T00:00Z and 2200-01-01T00:00Z as epoch seconds (domain.validation's bounds).
_AT_RANGE = "at >= -2208988800.0 AND at < 7258118400.0"


def upgrade() -> None:
    op.create_table(
        "partners",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("tier", sa.String(4), nullable=False),
        sa.Column("stage", sa.String(20), nullable=False),
        sa.Column("domains", sa.Text, nullable=False),
        sa.Column("npi", sa.String(10)),
        sa.Column("owner", sa.Text),
        sa.Column("tags", sa.Text, nullable=False),
        sa.Column("social_pages", sa.Text, nullable=False),
        sa.Column("notes", sa.Text, nullable=False),
        sa.Column("stage_since", sa.Date),
        sa.Column("created_at", sa.Float),
        sa.Column("archived", sa.Boolean, nullable=False),
    )
    op.create_table(
        "contacts",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("partner_id", sa.String(40), sa.ForeignKey("partners.id"), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("emails", sa.Text, nullable=False),
        sa.Column("phone", sa.Text, nullable=False),
        sa.Column("birthday", sa.Date),
        sa.Column("started", sa.Date),
        sa.Column("milestones", sa.Text, nullable=False),
        sa.Column("met_in_person", sa.Boolean, nullable=False),
        sa.Column("linkedin_connected", sa.Boolean, nullable=False),
        sa.Column("archived", sa.Boolean, nullable=False),
    )
    op.create_index("ix_contacts_partner", "contacts", ["partner_id"])
    op.create_table(
        "contact_emails",
        sa.Column(
            "contact_id",
            sa.String(40),
            sa.ForeignKey("contacts.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("email", sa.Text, nullable=False),
    )
    op.create_index("ix_contact_emails_email", "contact_emails", ["email"])
    op.create_index("ix_contact_emails_contact", "contact_emails", ["contact_id"])
    op.create_table(
        "touchpoints",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("partner_id", sa.String(40), sa.ForeignKey("partners.id"), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("contact_ids", sa.Text, nullable=False),
        sa.Column("direction", sa.String(10), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("purpose", sa.Text, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("source", sa.String(40), nullable=False),
        sa.Column("external_id", sa.Text),
        sa.Column("requested", sa.Boolean, nullable=False),
        sa.CheckConstraint(_AT_RANGE, name="ck_touchpoint_at"),
    )
    op.create_index("ix_touchpoints_partner_at", "touchpoints", ["partner_id", "at"])
    op.create_index("ix_touchpoints_source_external", "touchpoints", ["source", "external_id"])
    op.create_index("ix_touchpoints_status_at", "touchpoints", ["status", "at"])
    op.create_table(
        "referrals",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("partner_id", sa.String(40), sa.ForeignKey("partners.id"), nullable=False),
        sa.Column("received", sa.Date, nullable=False),
        sa.Column("participant_ref", sa.Text, nullable=False),
        sa.Column("contact_id", sa.String(40)),
        sa.Column("service", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("complex_needs", sa.Boolean, nullable=False),
        sa.Column("partner_no_longer_serving", sa.Boolean, nullable=False),
    )
    op.create_index("ix_referrals_partner", "referrals", ["partner_id"])
    op.create_table(
        "dismissals",
        sa.Column("partner_id", sa.String(40), sa.ForeignKey("partners.id"), primary_key=True),
        sa.Column("rule", sa.String(60), primary_key=True),
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("until", sa.Date),
        sa.Column("reason", sa.Text, nullable=False),
    )
    op.create_table(
        "state",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "audit",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.Text, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("table_name", sa.Text, nullable=False),
        sa.Column("record_id", sa.Text, nullable=False),
        sa.Column("deleted", sa.Boolean, nullable=False),
    )
    meta = op.create_table(
        "meta",
        sa.Column("key", sa.String(40), primary_key=True),
        sa.Column("value", sa.BigInteger, nullable=False),
    )
    op.bulk_insert(meta, [{"key": "revision", "value": 0}])


def downgrade() -> None:
    for table in (
        "meta",
        "audit",
        "state",
        "dismissals",
        "referrals",
        "touchpoints",
        "contact_emails",
        "contacts",
        "partners",
    ):
        op.drop_table(table)
