"""What the rep typed into a form, read and validated once, here, then written in one change.

The TUI's forms collect their fields as typed (a date is text: "yesterday 3pm", "fri") into
an entry and hand it to a use case; the use case parses and checks every field, raising a
``FieldError`` that names the field (``"at"``, ``"emails"``…) so the form can show the
refusal beside it, and writes through ``records`` (or ``playbook``, ``invites``) in one
transaction. The forms check nothing themselves: there is one place a rule lives.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from nurture_tui.config import DESCRIPTIONS, Settings, check_setting, save_settings, with_saved
from nurture_tui.domain.compliance import Finding
from nurture_tui.domain.dates import MonthDay, Tense
from nurture_tui.domain.errors import EditConflict, NotFoundError, ValidationError
from nurture_tui.domain.kinds import TouchpointKind, parse_enum
from nurture_tui.domain.model import (
    Contact,
    Dismissal,
    Milestone,
    Partner,
    PartnerHistory,
    Referral,
    Touchpoint,
)
from nurture_tui.domain.money import parse_amount
from nurture_tui.domain.playbook.config import Playbook
from nurture_tui.domain.playbook.facts import SuggestedAction
from nurture_tui.domain.playbook.guardrails import PlannedTouch, check
from nurture_tui.domain.validation import parse_birthday, parse_date, parse_datetime
from nurture_tui.invites.model import Invite
from nurture_tui.services import compliance, invites, records
from nurture_tui.services import playbook as playbook_service
from nurture_tui.services.fields import FieldError, checking
from nurture_tui.services.meanwhile import differences, meanwhile, removed_meanwhile
from nurture_tui.services.session import Session


def split_list(value: str) -> list[str]:
    """ "a, b; c" as ["a", "b", "c"]: how a form's one-line list field is read."""
    return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]


# ------------------------------------------------------------------ touchpoints
@dataclass(frozen=True)
class TouchEntry:
    """A touch as the log form holds it; ``when`` is as typed ("" means now)."""

    kind: str
    when: str = ""
    contact_ids: tuple[str, ...] = ()
    purpose: str = ""
    note: str = ""
    requested: bool = False
    linkedin_connect: bool = False
    value: str = ""
    """What was given, as typed ("25", "$120.50"); for all the touch's contacts together."""
    item: str = ""
    """What was given ("lunch for the team")."""


def entry_value(entry: TouchEntry) -> int:
    """The typed value in cents (field ``value`` when it does not read as an amount)."""
    with checking("value"):
        return parse_amount(entry.value) if entry.value.strip() else 0


def planned_touch(session: Session, entry: TouchEntry) -> PlannedTouch:
    """The entry as the guardrails see it; a log is of something done, so "tue 10:00" is
    the latest Tuesday, not the next (field ``at`` for a time that won't read)."""
    now = session.now()
    when = entry.when.strip()
    with checking("at"):
        at = parse_datetime(when, session.settings.zone, now=now, tense=Tense.PAST) if when else now
    with checking("kind"):
        kind = parse_enum(TouchpointKind, entry.kind, "touchpoint kind")
    return PlannedTouch(
        kind=kind,
        at=at,
        purpose=entry.purpose,
        requested=entry.requested,
        contact_ids=entry.contact_ids,
        linkedin_connect=entry.linkedin_connect,
    )


def touch_warnings(
    session: Session, entry: TouchEntry, history: PartnerHistory, playbook: Playbook
) -> list[str]:
    """What the guardrails say about the touch as typed so far (never blocking).

    A time still being typed ("yesterday 3") cannot be judged yet: no warnings then, and
    the refusal waits for Save. Anything else that goes wrong is raised."""
    return touch_check(session, entry, history, playbook).lines


@dataclass(frozen=True)
class TouchCheck:
    """What the form shows while the rep types: the playbook's don'ts (the seeds) and the
    compliance findings (the law). Compliance warnings are recorded as overridden if the
    touch is saved anyway."""

    cautions: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()

    @property
    def lines(self) -> list[str]:
        notices = [f"Notice: {f.message}" for f in self.findings if f.severity == "notice"]
        warnings = [f.message for f in self.findings if f.severity == "warning"]
        return [*warnings, *self.cautions, *notices]

    @property
    def compliance_warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]


def touch_check(
    session: Session,
    entry: TouchEntry,
    history: PartnerHistory,
    playbook: Playbook,
    *,
    replaces: str | None = None,
) -> TouchCheck:
    """Everything said about the touch as typed so far (never blocking). A time or a value
    still being typed cannot be judged yet: nothing is said of it until Save refuses it."""
    try:
        planned = planned_touch(session, entry)
        cents = entry_value(entry)
    except ValidationError:
        return TouchCheck()
    cautions = tuple(warning.message for warning in check(planned, history, playbook))
    draft = records.TouchpointDraft(
        partner_id=history.partner.id,
        kind=planned.kind,
        at=planned.at,
        contact_ids=planned.contact_ids,
        purpose=planned.purpose,
        value_cents=cents,
        item=entry.item,
    )
    checked = compliance.check_with_history(session, playbook, draft, history, replaces=replaces)
    return TouchCheck(cautions, tuple(checked.findings))


def log_touch(
    session: Session, partner_id: str, entry: TouchEntry, playbook: Playbook | None = None
) -> Touchpoint:
    """Log the touch the rep typed: one change. Compliance warnings it trips are saved
    with it as overridden by the rep (the compliance report lists them)."""
    planned = planned_touch(session, entry)
    cents = entry_value(entry)
    with checking("contact"):
        draft = records.draft_touchpoint(
            session,
            partner_id,
            planned.kind.value,
            at=planned.at,
            contact_ids=planned.contact_ids,
            purpose=planned.purpose,
            note=entry.note,
            requested=planned.requested,
            value_cents=cents,
            item=entry.item,
        )
    book = playbook or playbook_service.effective_playbook().playbook
    checked = compliance.check_draft(session, book, draft)
    return records.save_touchpoint(session, replace(draft, overrides=checked.overrides))


def edit_touch(
    session: Session,
    touchpoint_id: str,
    entry: TouchEntry,
    playbook: Playbook | None = None,
    *,
    opened: Touchpoint | None = None,
) -> Touchpoint:
    """Correct a logged touch with what the rep typed: one change (none if nothing moved).
    Warnings the corrected touch trips are added to its overrides. ``opened``: the touch
    as the form opened it; if anyone changed it since, nothing is written."""
    opened = opened or session.repo.touchpoint(touchpoint_id)
    if session.repo.touchpoint(touchpoint_id) != opened:
        raise ValidationError(
            "this touch was changed since it was opened, by another window or a colleague; "
            "nothing was saved: open it again to see it as it is now"
        )
    planned = planned_touch(session, entry)
    cents = entry_value(entry)
    with checking("contact"):
        updated = records.touchpoint_changes(
            session,
            touchpoint_id,
            kind=planned.kind.value,
            at=planned.at,
            contact_ids=planned.contact_ids,
            purpose=planned.purpose,
            note=entry.note,
            requested=planned.requested,
            value_cents=cents,
            item=entry.item,
        )
    book = playbook or playbook_service.effective_playbook().playbook
    checked = compliance.check_touchpoint(session, book, updated)
    fresh = updated._replace(overrides=(*updated.overrides, *checked.overrides))
    return records.save_touch_edit(session, fresh, opened=opened)


# --------------------------------------------------------------------- partners
@dataclass(frozen=True)
class PartnerEntry:
    """A partner as the partner form holds it (lists as typed: "a.org, b.org")."""

    name: str
    kind: str
    tier: str = "B"
    stage: str = "prospect"
    domains: str = ""
    npi: str = ""
    tags: str = ""
    notes: str = ""


def partner_entry(partner: Partner) -> PartnerEntry:
    """The partner as the partner form shows it, field for field."""
    return PartnerEntry(
        name=partner.name,
        kind=partner.kind.value,
        tier=partner.tier.value,
        stage=partner.stage.value,
        domains=", ".join(partner.domains),
        npi=partner.npi or "",
        tags=", ".join(partner.tags),
        notes=partner.notes,
    )


def save_partner(
    session: Session,
    entry: PartnerEntry,
    partner_id: str | None = None,
    *,
    opened: Partner | None = None,
) -> Partner:
    """Add the partner (``partner_id`` None) or change it: one change, checked by
    ``records`` field by field.

    ``opened``: the partner as the form opened it. Only the fields the rep changed are
    written, and only if nobody saved the partner since; otherwise ``ChangedMeanwhile``
    says what changed, and the form can put the rep's changes on top.
    """
    npi = entry.npi.strip()
    if partner_id is None:
        return records.add_partner(
            session,
            entry.name,
            entry.kind,
            npi=npi or None,
            tier=entry.tier,
            stage=entry.stage,
            domains=split_list(entry.domains),
            tags=split_list(entry.tags),
            notes=entry.notes,
        )
    base = partner_entry(opened) if opened is not None else None
    mine = [c.field for c in differences(base, entry)] if base is not None else None
    fields: dict[str, Any] = {
        "name": entry.name,
        "kind": entry.kind,
        "tier": entry.tier,
        "stage": entry.stage,
        "domains": split_list(entry.domains),
        "npi": npi,
        "tags": split_list(entry.tags),
        "notes": entry.notes,
    }
    if opened is not None:
        try:
            session.repo.partner(opened.id)
        except NotFoundError:
            raise removed_meanwhile(opened) from None
    if mine is not None:
        if not mine:
            return session.repo.partner(partner_id)  # nothing changed: nothing to write
        fields = {name: value for name, value in fields.items() if name in mine}
    try:
        return records.edit_partner(
            session,
            partner_id,
            expected_version=opened.version if opened is not None else None,
            **fields,
        )
    except EditConflict:
        if opened is None or base is None or mine is None:
            raise
        return meanwhile(
            lambda: session.repo.partner(opened.id), partner_entry, opened, base, entry, mine
        )


# --------------------------------------------------------------------- contacts
@dataclass(frozen=True)
class ContactEntry:
    """A contact as the contact form holds it. ``milestone`` is "2026-12-01 promoted": the
    latest milestone (on an edit it replaces the latest one; earlier ones stay)."""

    name: str
    role: str = ""
    emails: str = ""
    phone: str = ""
    birthday: str = ""
    started: str = ""
    milestone: str = ""
    met_in_person: bool = False
    linkedin_connected: bool = False
    credential: str = ""
    """ "md", "np"…; "" leaves it unset (a physician's gifts count toward Stark's limit)."""
    npi: str = ""
    """The contact's individual NPI as typed; "" for none."""


def contact_entry(contact: Contact) -> ContactEntry:
    """The contact as the contact form shows it, field for field (a birthday without its
    year as "03-14"; the latest milestone as "2026-12-01 promoted")."""
    latest = contact.milestones[-1] if contact.milestones else None
    return ContactEntry(
        name=contact.name,
        role=contact.role,
        emails=", ".join(contact.emails),
        phone=contact.phone,
        birthday=day_text(contact.birthday),
        started=day_text(contact.started),
        milestone=f"{latest.on.isoformat()} {latest.note}".strip() if latest else "",
        met_in_person=contact.met_in_person,
        linkedin_connected=contact.linkedin_connected,
        credential=contact.credential.value if contact.credential else "",
        npi=contact.npi or "",
    )


def day_text(value: date | MonthDay | None) -> str:
    """A day as a form shows it again: ISO, or "03-14" for a birthday without a year."""
    if isinstance(value, MonthDay):
        return f"{value.month:02d}-{value.day:02d}"
    return value.isoformat() if value else ""


def save_contact(
    session: Session,
    partner_id: str,
    entry: ContactEntry,
    contact_id: str | None = None,
    *,
    opened: Contact | None = None,
) -> Contact:
    """Add a contact at ``partner_id`` (``contact_id`` None) or change one: one change
    either way (a new contact's milestones and LinkedIn tick go in with it).

    ``opened``: the contact as the form opened it, as for ``save_partner``."""
    today = session.today()
    emails = split_list(entry.emails)
    with checking("birthday"):
        birthday = parse_birthday(entry.birthday) if entry.birthday.strip() else None
    with checking("started"):
        started = (
            parse_date(entry.started, "start date", today=today, tense=Tense.PAST)
            if entry.started.strip()
            else None
        )
    try:
        existing = session.repo.contact(contact_id) if contact_id else None
    except NotFoundError:
        if opened is None:
            raise
        raise removed_meanwhile(opened) from None
    kept = existing.milestones[:-1] if existing and existing.milestones else ()
    if existing is not None:
        base = contact_entry(opened) if opened is not None else None
        mine = [c.field for c in differences(base, entry)] if base is not None else None
        # The milestone is read only when the rep changed it (one kept as imported, a
        # date without words, is not the rep's to fix before saving a phone number).
        milestones = (
            (*kept, *_milestone(entry.milestone, today))
            if mine is None or "milestone" in mine
            else ()
        )
        changes: dict[str, Any] = {
            "name": entry.name,
            "role": entry.role,
            "emails": emails,
            "phone": entry.phone,
            "birthday": birthday,
            "started": started,
            "met_in_person": entry.met_in_person,
            "linkedin_connected": entry.linkedin_connected,
            "milestone": milestones,
            "credential": entry.credential,
            "npi": entry.npi,
        }
        if mine is not None:
            if not mine:
                return session.repo.contact(existing.id)  # nothing changed: nothing to write
            changes = {name: value for name, value in changes.items() if name in mine}
        if "milestone" in changes:
            changes["milestones"] = changes.pop("milestone")
        try:
            return records.edit_contact(
                session,
                existing.id,
                expected_version=opened.version if opened is not None else None,
                **changes,
            )
        except EditConflict:
            if opened is None or base is None or mine is None:
                raise
            return meanwhile(
                lambda: session.repo.contact(opened.id), contact_entry, opened, base, entry, mine
            )
    milestones = _milestone(entry.milestone, today)
    return records.add_contact(
        session,
        partner_id,
        entry.name,
        emails=emails,
        role=entry.role,
        phone=entry.phone.strip(),
        birthday=birthday,
        started=started,
        met_in_person=entry.met_in_person,
        linkedin_connected=entry.linkedin_connected,
        milestones=milestones,
        credential=entry.credential,
        npi=entry.npi,
    )


def _milestone(typed: str, today: date) -> tuple[Milestone, ...]:
    """ "2026-12-01 promoted" as a milestone; nothing typed, none."""
    text = typed.strip()
    if not text:
        return ()
    day, _, note = text.partition(" ")
    with checking("milestone"):
        if not note.strip():
            raise ValidationError("a milestone is a date and a few words, e.g. 2026-12-01 promoted")
        return (Milestone(parse_date(day, "milestone date", today=today), note.strip()),)


# -------------------------------------------------------------------- referrals
@dataclass(frozen=True)
class ReferralEntry:
    """A new referral as the referral form holds it; ``received`` is as typed."""

    received: str
    contact_id: str | None = None
    service: str = ""
    service_detail: str = ""
    complex_needs: bool = False


def record_referral(session: Session, partner_id: str, entry: ReferralEntry) -> Referral:
    """Record the referral (a participant code is generated): one change. It has arrived,
    so "mon" is the last Monday."""
    with checking("received"):
        received = parse_date(
            entry.received, "received date", today=session.today(), tense=Tense.PAST
        )
    return records.add_referral(
        session,
        partner_id,
        received,
        contact_id=entry.contact_id,
        service=entry.service,
        service_detail=entry.service_detail,
        complex_needs=entry.complex_needs,
    )


# ------------------------------------------------------------------ suggestions
def snooze_until(
    session: Session, action: SuggestedAction, typed: str = "", days: int | None = None
) -> Dismissal:
    """Snooze to the day typed (a day to come: "fri" is the next Friday) or ``days`` from
    today; the refusal names field ``date``."""
    today = session.today()
    with checking("date"):
        if typed.strip():
            until = parse_date(typed, "date", today=today, tense=Tense.FUTURE)
        elif days is not None:
            until = today + timedelta(days=days)
        else:
            raise ValidationError("pick tomorrow, a week, or type a date")
        if until <= today:
            raise ValidationError("snooze to a day after today")
    return playbook_service.snooze(session, action, until)


def dismiss_with_reason(session: Session, action: SuggestedAction, reason: str) -> Dismissal:
    """Dismiss a suggestion; a reason is needed (it says later why it went quiet)."""
    if not reason.strip():
        raise FieldError(
            "reason",
            "a reason is needed: say why in a few words (it tells you later why this "
            "suggestion went quiet)",
        )
    return playbook_service.dismiss(session, action, reason)


# ---------------------------------------------------------------------- invites
@dataclass(frozen=True)
class InviteEntry:
    """An invite as the invite form holds it; ``start`` and ``minutes`` as typed."""

    kind: str
    start: str
    minutes: str = ""
    contact_ids: tuple[str, ...] = ()
    title: str = ""
    video_url: str = ""
    location: str = ""


@dataclass(frozen=True)
class PlannedInvite:
    """The invite, and where its .ics was written."""

    invite: Invite
    saved: invites.SavedInvite


def plan_invite(
    session: Session, partner_id: str, entry: InviteEntry, directory: Path
) -> PlannedInvite:
    """Create the invite (its planned touch logged) and write its .ics in ``directory``."""
    with checking("start"):
        start = parse_datetime(entry.start.strip(), session.settings.zone)
    minutes_text = entry.minutes.strip()
    minutes = None
    if minutes_text:
        if not minutes_text.isdigit():
            raise FieldError("minutes", "minutes: a whole number, like 45")
        minutes = int(minutes_text)
    invite = invites.create_invite(
        session,
        partner_id,
        entry.kind,
        start,
        duration_minutes=minutes,
        contact_ids=entry.contact_ids,
        title=entry.title.strip() or None,
        video_url=entry.video_url.strip(),
        location=entry.location.strip(),
    )
    saved = invites.save_invite_file(
        session, invite, invites.invite_ics(invite), directory=directory
    )
    return PlannedInvite(invite, saved)


# ---------------------------------------------------------------- your details
@dataclass(frozen=True)
class SavedDetails:
    """The settings the running app uses from now on, and the config.toml written."""

    settings: Settings
    path: Path


def save_details(
    session: Session, typed: Mapping[str, str], needed: Sequence[str] = ()
) -> SavedDetails:
    """Check every detail as ``nurture config set`` would (the first wrong one names its
    setting as the field) and write them into config.toml; ``needed`` may not be empty."""
    values: dict[str, object] = {}
    for key, text in typed.items():
        with checking(key):
            values[key] = check_setting(key, text)
        if key in needed and values[key] == "":
            raise FieldError(key, f"needed: {DESCRIPTIONS[key]} goes on the invite")
    path = save_settings(values)
    return SavedDetails(with_saved(session.settings, values), path)
