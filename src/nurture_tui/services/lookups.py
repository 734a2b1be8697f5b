"""Small reads the TUI's screens need (a form's contacts, a record to show, the palette's
names), as service functions: the screens reach the store only through these.

Each is one short read; the TUI runs them in a worker (``ui/use_cases.py``). No lock: the
repository is safe to use from several threads and every read sees committed data.
"""

from __future__ import annotations

from dataclasses import dataclass

from nurture_tui.domain.attendance import attending_reps
from nurture_tui.domain.model import Contact, PartnerHistory, Referral, Touchpoint
from nurture_tui.services.history import attribution_words
from nurture_tui.services.playbook import history_of
from nurture_tui.services.session import Session


def partner_history(session: Session, partner_id: str) -> PartnerHistory:
    """One partner's history (what the log form's guardrails judge a touch against)."""
    return history_of(session.repo, partner_id)


def contacts_at(session: Session, partner_id: str) -> list[Contact]:
    """The contacts at one partner, for a form's "with" / "from" / "who" choice."""
    return session.repo.contacts(partner_id)


def partner_name(session: Session, partner_id: str) -> str:
    """The partner's name, for the line under a form's title that says who it is about."""
    return session.repo.partner(partner_id).name


@dataclass(frozen=True)
class PartnerContacts:
    """A partner's name (the form's subtitle) and its contacts (the form's choice)."""

    partner_name: str
    contacts: list[Contact]


def partner_contacts(session: Session, partner_id: str) -> PartnerContacts:
    return PartnerContacts(partner_name(session, partner_id), contacts_at(session, partner_id))


@dataclass(frozen=True)
class ContactName:
    """A contact as the command palette finds it: by name, opening their partner."""

    name: str
    role: str
    partner_id: str


def contact_names(session: Session) -> list[ContactName]:
    """Every contact's name, role and partner (the palette matches on these)."""
    return [ContactName(c.name, c.role, c.partner_id) for c in session.repo.contacts()]


@dataclass(frozen=True)
class ReferralToEdit:
    """A referral, its partner's name and the contact it came from (the referral form's
    subtitle and summary line)."""

    referral: Referral
    contact: Contact | None
    partner_name: str


def referral_to_edit(session: Session, referral_id: str) -> ReferralToEdit:
    repo = session.repo
    referral = repo.referral(referral_id)
    contact = repo.contact(referral.contact_id) if referral.contact_id else None
    return ReferralToEdit(referral, contact, repo.partner(referral.partner_id).name)


@dataclass(frozen=True)
class RecordView:
    """A touchpoint or referral, and its lines as the record screen shows them
    (label, value; an empty value is left out)."""

    record: Touchpoint | Referral
    lines: list[tuple[str, str]]


def record_view(session: Session, kind: str, record_id: str) -> RecordView:
    """``kind`` "touchpoint" or "referral": the record, read whole, with its partner's and
    contacts' names and its time in the rep's zone."""
    repo = session.repo
    zone = session.settings.zone
    record: Touchpoint | Referral = (
        repo.touchpoint(record_id) if kind == "touchpoint" else repo.referral(record_id)
    )
    partner = repo.partner(record.partner_id).name
    if isinstance(record, Touchpoint):
        names = [repo.contact(c).name for c in record.contact_ids]
        lines = [
            ("Partner", partner),
            ("What", record.kind.value),
            ("When", f"{record.at.astimezone(zone):%a %d %b %Y %H:%M}"),
            ("Status", record.status.value),
            ("Contacts", ", ".join(names)),
            ("Purpose", record.purpose),
            ("Note", record.note),
            ("Source", record.source),
        ]
    else:
        contact = repo.contact(record.contact_id).name if record.contact_id else ""
        lines = [
            ("Partner", partner),
            ("Received", f"{record.received:%a %d %b %Y}"),
            ("From", contact),
            ("Participant", record.participant_ref),
            ("Service", " · ".join(x for x in (record.service, record.service_detail) if x)),
            ("Status", record.status.value),
            ("Complex needs", "yes" if record.complex_needs else ""),
        ]
    if repo.shared:  # a team store: who (on a rep's own store, always the rep)
        if isinstance(record, Touchpoint) and any(e.rep for e in record.reps):
            lines.append(("Reps", ", ".join(attending_reps(record))))  # a shared meeting
        lines += [
            ("Created by", attribution_words(record.created_by)),
            ("Changed by", attribution_words(record.changed_by)),
        ]
    return RecordView(record, lines)


def latest_change(session: Session) -> int | None:
    """The number of the store's latest change (None: no change yet). Compared before and
    after a write, it says whether the write left something ``u`` can take back."""
    changes = session.repo.changes(1)
    return changes[0].seq if changes else None
