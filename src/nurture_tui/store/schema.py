"""The SQL schema: real columns and the indexes the app's questions need.

The same tables run on SQLite (the embedded default) and PostgreSQL (a team). Lists that are
only ever read whole (a partner's domains, a contact's milestones) are JSON text; anything
the app looks up by (a contact's email, a touchpoint's partner, time and external id) is a
column with an index. Migrations live in ``store/migrations`` (Alembic); this module is the
schema those migrations produce, for queries.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

from nurture_tui.domain.validation import EARLIEST_MOMENT, LATEST_MOMENT

metadata = MetaData()

#: Seconds since the epoch of the range every stored moment must fall in (the database
#: refuses the rest too: a bad value never bricks the store).
EARLIEST_EPOCH = EARLIEST_MOMENT.timestamp()
LATEST_EPOCH = LATEST_MOMENT.timestamp()

partners = Table(
    "partners",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("name", Text, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("tier", String(4), nullable=False),
    Column("stage", String(20), nullable=False),
    Column("domains", Text, nullable=False, default="[]"),
    Column("npi", String(10)),
    Column("owner", Text),
    Column("tags", Text, nullable=False, default="[]"),
    Column("social_pages", Text, nullable=False, default="[]"),
    Column("notes", Text, nullable=False, default=""),
    Column("stage_since", Date),
    Column("created_at", Float),
    Column("archived", Boolean, nullable=False, default=False),
    #: The store revision at which this partner's history last changed (migration 0004).
    Column("history_rev", BigInteger, nullable=False, server_default="0"),
    #: Who created the record and who last changed it (0007; "" before attribution).
    Column("created_by", Text, nullable=False, server_default=""),
    Column("changed_by", Text, nullable=False, server_default=""),
    #: Moves with every change to what the partner says (0008): a form's save checks it.
    Column("version", BigInteger, nullable=False, server_default="1"),
    Index("ix_partners_history_rev", "history_rev"),
)

contacts = Table(
    "contacts",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("partner_id", String(40), ForeignKey("partners.id"), nullable=False),
    Column("name", Text, nullable=False),
    Column("role", Text, nullable=False, default=""),
    Column("emails", Text, nullable=False, default="[]"),
    Column("phone", Text, nullable=False, default=""),
    Column("birthday", Date),
    Column("started", Date),
    Column("milestones", Text, nullable=False, default="[]"),
    Column("met_in_person", Boolean, nullable=False, default=False),
    Column("linkedin_connected", Boolean, nullable=False, default=False),
    Column("archived", Boolean, nullable=False, default=False),
    #: Migration 0005: MD, DO, NP... (NULL: unset) and an individual NPI.
    Column("credential", String(10)),
    Column("npi", String(10)),
    #: Who created the record and who last changed it (0007; "" before attribution).
    Column("created_by", Text, nullable=False, server_default=""),
    Column("changed_by", Text, nullable=False, server_default=""),
    #: Moves with every change to what the contact says (0008): a form's save checks it.
    Column("version", BigInteger, nullable=False, server_default="1"),
    Index("ix_contacts_partner", "partner_id"),
)

#: One row per address: "who is alice@mercy.org?" is one index lookup during sync.
contact_emails = Table(
    "contact_emails",
    metadata,
    Column("contact_id", String(40), ForeignKey("contacts.id", ondelete="CASCADE"), nullable=False),
    Column("email", Text, nullable=False),
    Index("ix_contact_emails_email", "email"),
    Index("ix_contact_emails_contact", "contact_id"),
)

touchpoints = Table(
    "touchpoints",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("partner_id", String(40), ForeignKey("partners.id"), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("at", Float, nullable=False),
    Column("contact_ids", Text, nullable=False, default=""),
    Column("direction", String(10), nullable=False),
    Column("status", String(20), nullable=False),
    Column("purpose", Text, nullable=False, default=""),
    Column("note", Text, nullable=False, default=""),
    Column("source", String(40), nullable=False),
    Column("external_id", Text),
    Column("requested", Boolean, nullable=False, default=False),
    #: Migration 0005: what was given (cents, all recipients), what it was, and the
    #: compliance warnings saved through (JSON list; "" when none).
    Column("value_cents", BigInteger, nullable=False, server_default="0"),
    Column("item", Text, nullable=False, server_default=""),
    Column("overrides", Text, nullable=False, server_default=""),
    #: Who created the record and who last changed it (0007; "" before attribution).
    Column("created_by", Text, nullable=False, server_default=""),
    Column("changed_by", Text, nullable=False, server_default=""),
    #: A synced meeting's reps and each one's own event (0009; JSON pairs, "" when none).
    Column("reps", Text, nullable=False, server_default=""),
    CheckConstraint(f"at >= {EARLIEST_EPOCH} AND at < {LATEST_EPOCH}", name="ck_touchpoint_at"),
    Index("ix_touchpoints_partner_at", "partner_id", "at"),
    Index("ix_touchpoints_source_external", "source", "external_id"),
    Index("ix_touchpoints_status_at", "status", "at"),
    Index("ix_touchpoints_partner_status_at", "partner_id", "status", "at"),
)

referrals = Table(
    "referrals",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("partner_id", String(40), ForeignKey("partners.id"), nullable=False),
    Column("received", Date, nullable=False),
    Column("participant_ref", Text, nullable=False),
    Column("contact_id", String(40)),
    Column("service", Text, nullable=False, default=""),
    Column("status", String(20), nullable=False),
    Column("complex_needs", Boolean, nullable=False, default=False),
    Column("partner_no_longer_serving", Boolean, nullable=False, default=False),
    Column("service_detail", Text, nullable=False, server_default=""),
    #: A deleted referral keeps its row (and so its participant reference, which lives
    #: nowhere else) until an undo brings it back; every read leaves it out.
    Column("deleted", Boolean, nullable=False, server_default=false()),
    #: Who created the record and who last changed it (0007; "" before attribution).
    Column("created_by", Text, nullable=False, server_default=""),
    Column("changed_by", Text, nullable=False, server_default=""),
    Index("ix_referrals_partner", "partner_id"),
)

dismissals = Table(
    "dismissals",
    metadata,
    Column("partner_id", String(40), ForeignKey("partners.id"), primary_key=True),
    Column("rule", String(60), primary_key=True),
    Column("key", Text, primary_key=True),
    Column("until", Date),
    Column("reason", Text, nullable=False, default=""),
)

#: Small documents keyed by name: sync cursors and status, the unmatched-people queue,
#: invites, .ics sequences. Each is read and written whole, so a JSON value is enough.
state = Table(
    "state",
    metadata,
    Column("key", Text, primary_key=True),
    Column("value", Text, nullable=False),
)

#: Who changed what, when: table and record ids only, never a record's contents (no
#: participant reference can leak through the audit trail).
audit = Table(
    "audit",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("at", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("table_name", Text, nullable=False),
    Column("record_id", Text, nullable=False),
    Column("deleted", Boolean, nullable=False, default=False),
)

#: One row per change a rep (or a sync run) made, newest last: what ``nurture history`` lists
#: and ``nurture undo`` reverts.
changes = Table(
    "changes",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("at", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("summary", Text, nullable=False),
    Column("undoes", Integer),
    Column("undoable", Boolean, nullable=False),
)

#: Each record a change wrote: its JSON image before (NULL: it did not exist) and after
#: (NULL: deleted). A referral's image leaves out the participant reference.
change_records = Table(
    "change_records",
    metadata,
    Column("change_seq", Integer, ForeignKey("changes.seq", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("table_name", String(40), nullable=False),
    Column("record_id", Text, nullable=False),
    Column("before", Text),
    Column("after", Text),
    PrimaryKeyConstraint("change_seq", "position"),
)

#: Synced events whose touchpoint the rep deleted: a later sync must not log them again.
deleted_events = Table(
    "deleted_events",
    metadata,
    Column("source", String(40), primary_key=True),
    Column("external_id", Text, primary_key=True),
    Column("at", Text, nullable=False),
)

#: Each partner's suggested actions for a day under one playbook and zone (``context``):
#: derived data, valid while the partner's ``history_rev`` and the day match (0004).
action_cache = Table(
    "action_cache",
    metadata,
    Column("partner_id", String(40), primary_key=True),
    Column("context", String(64), primary_key=True),
    Column("day", Date, nullable=False),
    Column("history_rev", BigInteger, nullable=False),
    Column("actions", Text, nullable=False),
)

#: ``revision`` grows by one with every committed write, whoever made it: the TUI compares
#: it to know when another process (a background sync, the CLI) has written.
meta = Table(
    "meta",
    metadata,
    Column("key", String(40), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

#: The reps sharing a team store (migration 0006): the email is the key (lower-case), the
#: role is the PostgreSQL role they log in as; a removed rep's row stays for the history.
reps = Table(
    "reps",
    metadata,
    Column("email", Text, primary_key=True),
    Column("name", Text, nullable=False, server_default=""),
    Column("role", Text, nullable=False),
    Column("is_admin", Boolean, nullable=False, server_default=false()),
    Column("created_at", Text, nullable=False),
    Column("created_by", Text, nullable=False, server_default=""),
    Column("removed_at", Text),
    UniqueConstraint("role", name="uq_reps_role"),
)

#: One row once ``nurture team init`` ran (0006): the group roles a rep's role is given.
team = Table(
    "team",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("rep_group", Text, nullable=False),
    Column("admin_group", Text, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("created_by", Text, nullable=False),
    CheckConstraint("id = 1", name="ck_team_one_row"),
)
