"""Adding and changing partners, contacts, touchpoints and referrals, validated.

These use cases are the domain's door for typed values (the CLI, the TUI, sync triage,
scripts): every date and time they accept is range-checked here (``check_day`` /
``check_moment``), so a value that did not come through ``parse_date`` or
``parse_datetime`` is held to the same bounds before it can be stored. A refusal names
its field (``services.fields``: ``"name"``, ``"emails"``…), so a form shows it beside it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import TypeVar

from nurture_tui.domain.dates import MonthDay
from nurture_tui.domain.errors import EditConflict, StoreError, ValidationError
from nurture_tui.domain.kinds import (
    PartnerKind,
    ReferralService,
    ReferralStatus,
    Stage,
    Tier,
    TouchpointKind,
    TouchpointStatus,
    default_direction,
    is_in_person,
    parse_credential,
    parse_enum,
)
from nurture_tui.domain.model import (
    Contact,
    Milestone,
    Override,
    Partner,
    Referral,
    Touchpoint,
    new_id,
)
from nurture_tui.domain.money import MAX_CENTS, format_amount
from nurture_tui.domain.phi import phi_findings
from nurture_tui.domain.privacy import (
    clean_participant_ref,
    contains_reference,
    mask_references,
    new_participant_ref,
)
from nurture_tui.domain.text import clean_text
from nurture_tui.domain.validation import (
    check_day,
    check_moment,
    clean_domain,
    clean_email,
    clean_name,
    clean_npi,
    ensure_aware,
)
from nurture_tui.services.fields import FieldError, checking
from nurture_tui.services.owners import owner_to_store
from nurture_tui.services.session import Session


def _name(session: Session, value: str, what: str) -> str:
    """A partner's or contact's name: clean text that carries no participant reference."""
    name = clean_name(value, what)
    if contains_reference(name, session.repo.participant_refs()):
        raise ValidationError(
            f"the {what} contains a participant reference; a referral's reference stays on "
            "the referral (names travel to invites, reports and exports)"
        )
    return name


def _tags(tags: Sequence[str], session: Session) -> tuple[str, ...]:
    """Lower-case, clean, de-duplicated tags, none carrying a participant reference."""
    cleaned = tuple(dict.fromkeys(t for t in (clean_text(x).lower() for x in tags) if t))
    for tag in cleaned:
        _label(session, tag, "tag")
    return cleaned


def _label(session: Session, value: str | None, what: str) -> str | None:
    """A short label (owner, tag): clean text, refused if it holds a participant reference
    (labels show on the board and in exports)."""
    text = clean_text(value or "")
    if text and contains_reference(text, session.repo.participant_refs()):
        raise ValidationError(
            f"the {what} contains a participant reference; keep it on the referral"
        )
    return text or None


def _free_text(session: Session, value: str, *, multiline: bool = True) -> str:
    """A note, purpose or role: clean text with known participant references masked."""
    return mask_references(clean_text(value, multiline=multiline), session.repo.participant_refs())


def add_partner(
    session: Session,
    name: str,
    kind: str,
    *,
    tier: str = "B",
    stage: str = "prospect",
    domains: Sequence[str] = (),
    npi: str | None = None,
    owner: str | None = None,
    tags: Sequence[str] = (),
    notes: str = "",
) -> Partner:
    with checking("name"):
        clean = _name(session, name, "partner name")
    with checking("kind"):
        partner_kind = parse_enum(PartnerKind, kind, "partner kind")
    with checking("tier"):
        partner_tier = parse_enum(Tier, tier.upper(), "tier")
    with checking("stage"):
        partner_stage = parse_enum(Stage, stage, "stage")
    with checking("domains"):
        partner_domains = tuple(dict.fromkeys(clean_domain(d) for d in domains))
    with checking("npi"):
        partner_npi = clean_npi(npi) if npi else None
    with checking("owner"):
        team, partner_owner = owner_to_store(session, owner, None)
        if not team:
            partner_owner = _label(session, owner, "owner")
    with checking("tags"):
        partner_tags = _tags(tags, session)
    partner = Partner(
        id=new_id(),
        name=clean,
        kind=partner_kind,
        tier=partner_tier,
        stage=partner_stage,
        domains=partner_domains,
        npi=partner_npi,
        owner=partner_owner,
        tags=partner_tags,
        notes=_free_text(session, notes),
        stage_since=session.today(),
        created_at=session.now(),
    )
    session.repo.save(partner, action="partner-add", summary=f"Added {partner.name}")
    return partner


def edit_partner(
    session: Session,
    partner_id: str,
    *,
    name: str | None = None,
    kind: str | None = None,
    tier: str | None = None,
    stage: str | None = None,
    domains: Sequence[str] | None = None,
    npi: str | None = None,
    owner: str | None = None,
    tags: Sequence[str] | None = None,
    notes: str | None = None,
    expected_version: int | None = None,
) -> Partner:
    """Change the fields given, on top of the partner as stored when it is written.

    ``expected_version`` (a form's): refuse with ``EditConflict`` if anyone saved the
    partner since that version was read. Without it the fields given are applied to the
    latest version, so a colleague's change to another field is never written over.
    """
    pid = session.repo.resolve("partner", partner_id)

    def edited(partner: Partner) -> tuple[Partner, str]:
        changes: dict[str, object] = {}
        if name is not None:
            with checking("name"):
                changes["name"] = _name(session, name, "partner name")
        if kind is not None:
            with checking("kind"):
                changes["kind"] = parse_enum(PartnerKind, kind, "partner kind")
        if tier is not None:
            with checking("tier"):
                changes["tier"] = parse_enum(Tier, tier.upper(), "tier")
        if stage is not None:
            with checking("stage"):
                new_stage = parse_enum(Stage, stage, "stage")
            if new_stage is not partner.stage:
                changes["stage"] = new_stage
                changes["stage_since"] = session.today()
        if domains is not None:
            with checking("domains"):
                changes["domains"] = tuple(dict.fromkeys(clean_domain(d) for d in domains))
        if npi is not None:
            with checking("npi"):
                changes["npi"] = clean_npi(npi) if npi else None
        if owner is not None:
            with checking("owner"):
                team, new_owner = owner_to_store(session, owner, partner)
                changes["owner"] = new_owner if team else _label(session, owner, "owner")
        if tags is not None:
            with checking("tags"):
                changes["tags"] = _tags(tags, session)
        if notes is not None:
            changes["notes"] = _free_text(session, notes)
        updated = replace(partner, **changes)  # type: ignore[arg-type]
        moved = set(changes) <= {"stage", "stage_since"}
        summary = (
            f"Moved {updated.name} from {partner.stage.value} to {updated.stage.value}"
            if moved
            else f"Edited {updated.name}"
        )
        return updated, summary

    return _save_edit(
        session,
        lambda: session.repo.partner(pid),
        edited,
        action="partner-edit",
        expected_version=expected_version,
    )


def set_stage(session: Session, partner_id: str, stage: Stage) -> Partner:
    return edit_partner(session, partner_id, stage=stage.value)


def archive_partner(session: Session, partner_id: str) -> Partner:
    pid = session.repo.resolve("partner", partner_id)

    def archived(partner: Partner) -> tuple[Partner, str]:
        return replace(partner, archived=True), f"Archived {partner.name}"

    return _save_edit(
        session, lambda: session.repo.partner(pid), archived, action="partner-archive"
    )


#: A partner or a contact: the records a form edits, with a version (migration 0008).
_Versioned = TypeVar("_Versioned", Partner, Contact)

#: How often an edit without a version of its own is tried again when another writer
#: saved the same record between its read and its write (each try takes milliseconds).
_EDIT_ATTEMPTS = 20


def _save_edit(
    session: Session,
    read: Callable[[], _Versioned],
    edit: Callable[[_Versioned], tuple[_Versioned, str]],
    *,
    action: str,
    expected_version: int | None = None,
) -> _Versioned:
    """Read, edit and save one partner or contact so that no one's change is lost.

    The save is conditional on the version read. With ``expected_version`` (a form that
    opened the record at that version) a newer version is the rep's to see: the
    ``EditConflict`` goes up. Without it (a command, a stage move) the edit is made again
    on the newer version, which is what the caller asked for: these fields, now.
    """
    for _ in range(_EDIT_ATTEMPTS):
        current = read()
        if expected_version is not None and current.version != expected_version:
            raise EditConflict(current.id, expected_version, current.version)
        updated, summary = edit(current)
        if updated == current:
            return current
        try:
            session.repo.save(
                updated,
                action=action,
                summary=summary,
                expected_versions={current.id: current.version},
            )
        except EditConflict:
            if expected_version is not None:
                raise
            continue
        return replace(updated, version=current.version + 1)
    raise StoreError(
        f"{read().name} kept changing while this was being saved (another window or a "
        "colleague saving it again and again); nothing was saved: try again"
    )


def add_contact(
    session: Session,
    partner_id: str,
    name: str,
    *,
    emails: Sequence[str] = (),
    role: str = "",
    phone: str = "",
    birthday: date | MonthDay | None = None,
    started: date | None = None,
    met_in_person: bool = False,
    linkedin_connected: bool = False,
    milestones: Iterable[Milestone] = (),
    credential: str | None = None,
    npi: str | None = None,
) -> Contact:
    """A new contact, milestones and all, in one change (one ``u`` takes it back)."""
    pid = session.repo.resolve("partner", partner_id)
    with checking("name"):
        clean = _name(session, name, "contact name")
    with checking("emails"):
        cleaned = tuple(dict.fromkeys(clean_email(e) for e in emails))
        for email in cleaned:
            other = session.repo.contact_by_email(email)
            if other is not None:
                raise ValidationError(
                    f"{email} already belongs to contact {other.name} ({other.id[:8]})"
                )
    with checking("birthday"):
        born = _birthday(birthday)
    with checking("started"):
        began = _day(started, "start date")
    with checking("milestone"):
        checked = _milestones(milestones)
    with checking("credential"):
        credential_set = parse_credential(credential or "")
    with checking("npi"):
        npi_set = clean_npi(npi) if npi and npi.strip() else None
    contact = Contact(
        id=new_id(),
        partner_id=pid,
        name=clean,
        role=_free_text(session, role, multiline=False),
        emails=cleaned,
        phone=clean_text(phone),
        birthday=born,
        started=began,
        milestones=checked,
        met_in_person=met_in_person,
        linkedin_connected=linkedin_connected,
        credential=credential_set,
        npi=npi_set,
    )
    session.repo.save(contact, action="contact-add", summary=f"Added contact {contact.name}")
    return contact


def edit_contact(
    session: Session, contact_id: str, *, expected_version: int | None = None, **changes: object
) -> Contact:
    """Change the fields given, on top of the contact as stored when it is written
    (``expected_version``: as ``edit_partner``'s)."""
    cid = session.repo.resolve("contact", contact_id)
    if "name" in changes:
        with checking("name"):
            changes["name"] = _name(session, str(changes["name"]), "contact name")
    if "emails" in changes:
        with checking("emails"):
            emails = tuple(dict.fromkeys(clean_email(str(e)) for e in changes["emails"]))  # type: ignore[attr-defined]
            for email in emails:
                other = session.repo.contact_by_email(email)
                if other is not None and other.id != cid:
                    raise ValidationError(
                        f"{email} already belongs to {other.name} ({other.id[:8]})"
                    )
        changes["emails"] = emails
    if "role" in changes:
        changes["role"] = _free_text(session, str(changes["role"]), multiline=False)
    if "phone" in changes:
        changes["phone"] = clean_text(str(changes["phone"]))
    if "birthday" in changes:
        with checking("birthday"):
            changes["birthday"] = _birthday(changes["birthday"])  # type: ignore[arg-type]
    if "started" in changes:
        with checking("started"):
            changes["started"] = _day(changes["started"], "start date")  # type: ignore[arg-type]
    if "milestones" in changes:
        with checking("milestone"):
            changes["milestones"] = _milestones(changes["milestones"])  # type: ignore[arg-type]
    if "credential" in changes:
        with checking("credential"):
            changes["credential"] = parse_credential(str(changes["credential"] or ""))
    if "npi" in changes:
        with checking("npi"):
            typed = str(changes["npi"] or "").strip()
            changes["npi"] = clean_npi(typed) if typed else None

    def edited(contact: Contact) -> tuple[Contact, str]:
        updated = replace(contact, **changes)  # type: ignore[arg-type]
        return updated, f"Edited contact {updated.name}"

    return _save_edit(
        session,
        lambda: session.repo.contact(cid),
        edited,
        action="contact-edit",
        expected_version=expected_version,
    )


@dataclass(frozen=True)
class TouchpointDraft:
    """What the rep is about to log: checked by the guardrails before and after saving."""

    partner_id: str
    kind: TouchpointKind
    at: datetime
    contact_ids: tuple[str, ...] = ()
    purpose: str = ""
    note: str = ""
    requested: bool = False
    status: TouchpointStatus = TouchpointStatus.DONE
    value_cents: int = 0
    """What was given, for all recipients together (``--value-each`` is multiplied out)."""
    item: str = ""
    overrides: tuple[Override, ...] = ()
    """The compliance warnings the rep saves through (``services.compliance``)."""

    def to_touchpoint(self, touchpoint_id: str | None = None) -> Touchpoint:
        return Touchpoint(
            id=touchpoint_id or new_id(),
            partner_id=self.partner_id,
            kind=self.kind,
            at=self.at,
            contact_ids=self.contact_ids,
            direction=default_direction(self.kind),
            status=self.status,
            purpose=clean_text(self.purpose),
            note=clean_text(self.note, multiline=True),
            requested=self.requested,
            value_cents=self.value_cents,
            item=clean_text(self.item),
            overrides=self.overrides,
        )


def draft_touchpoint(
    session: Session,
    partner_id: str,
    kind: str,
    *,
    at: datetime | None = None,
    contact_ids: Sequence[str] = (),
    purpose: str = "",
    note: str = "",
    requested: bool = False,
    planned: bool = False,
    value_cents: int = 0,
    item: str = "",
) -> TouchpointDraft:
    """Validate what the rep typed into a draft (ids resolved, kind parsed, time aware)."""
    repo = session.repo
    pid = repo.resolve("partner", partner_id)
    contacts = tuple(repo.resolve("contact", c) for c in contact_ids)
    for cid in contacts:
        if repo.contact(cid).partner_id != pid:
            raise ValidationError(f"contact {cid[:8]} does not work at this partner")
    when = (
        check_moment(ensure_aware(at, session.settings.zone), "time of the touchpoint")
        if at
        else session.now()
    )
    return TouchpointDraft(
        partner_id=pid,
        kind=parse_enum(TouchpointKind, kind, "touchpoint kind"),
        at=when,
        contact_ids=contacts,
        purpose=purpose,
        note=note,
        requested=requested,
        status=TouchpointStatus.PLANNED if planned else TouchpointStatus.DONE,
        value_cents=_value(value_cents),
        item=_item(item),
    )


def _value(cents: int) -> int:
    if not 0 <= cents <= MAX_CENTS:
        raise FieldError("value", f"a value is between $0 and {format_amount(MAX_CENTS)}")
    return cents


def _item(item: str) -> str:
    """What was given: one line of plain text, at most 120 characters."""
    text = clean_text(item)
    if len(text) > 120:
        raise FieldError("item", "say what was given in at most 120 characters")
    return text


def save_touchpoint(session: Session, draft: TouchpointDraft) -> Touchpoint:
    """Log the touch; a participant reference typed into its purpose or note is masked.

    A touch done in person marks its contacts as met in person, in the same write.
    """
    touchpoint = draft.to_touchpoint()
    touchpoint = touchpoint._replace(
        purpose=_free_text(session, touchpoint.purpose, multiline=False),
        note=_free_text(session, touchpoint.note),
        item=_free_text(session, touchpoint.item, multiline=False),
    )
    partner = session.repo.partner(touchpoint.partner_id)
    _save_with_contacts_met(
        session,
        touchpoint,
        action="log",
        summary=f"Logged {_a_kind(touchpoint)} with {partner.name}",
    )
    return touchpoint


def _save_with_contacts_met(
    session: Session,
    touchpoint: Touchpoint,
    *,
    action: str,
    summary: str,
    unchanged: Sequence[Touchpoint] = (),
) -> None:
    """Save the touch and, when it was done in person, mark its contacts met, in one
    write. The contacts are saved only as they were read (their versions checked), so a
    colleague's edit of one meanwhile is never written over: the write is made again on
    top of it. ``unchanged``: the touch as it was before an edit, which must still be so
    (``EditConflict`` goes up when it is not)."""
    for _ in range(_EDIT_ATTEMPTS):
        met = _met_in_person(session, touchpoint)
        try:
            session.repo.save(
                touchpoint,
                *(replace(c, met_in_person=True) for c in met),
                action=action,
                summary=summary,
                expected_versions={c.id: c.version for c in met},
                unchanged=unchanged,
            )
        except EditConflict as conflict:
            if conflict.record_id not in {c.id for c in met}:
                raise
            continue
        return
    raise StoreError(
        "the contacts of this touch kept changing while it was being saved; nothing was "
        "saved: try again"
    )


def _met_in_person(session: Session, touchpoint: Touchpoint) -> list[Contact]:
    """The touch's contacts not yet marked met in person (as stored now), when it was
    done in person."""
    if touchpoint.status is not TouchpointStatus.DONE or not is_in_person(
        touchpoint.kind, touchpoint.purpose, touchpoint.note
    ):
        return []
    contacts = (session.repo.contact(cid) for cid in touchpoint.contact_ids)
    return [c for c in contacts if not c.met_in_person]


def _a_kind(touchpoint: Touchpoint) -> str:
    words = touchpoint.kind.value.replace("-", " ")
    article = "an" if words[0] in "aeiou" else "a"
    planned = " (planned)" if touchpoint.status is TouchpointStatus.PLANNED else ""
    return f"{article} {words}{planned}"


def touchpoint_changes(
    session: Session,
    touchpoint_id: str,
    *,
    partner_id: str | None = None,
    kind: str | None = None,
    at: datetime | None = None,
    contact_ids: Sequence[str] | None = None,
    purpose: str | None = None,
    note: str | None = None,
    requested: bool | None = None,
    planned: bool | None = None,
    value_cents: int | None = None,
    item: str | None = None,
) -> Touchpoint:
    """The touchpoint with these changes applied and validated (not saved yet)."""
    repo = session.repo
    touchpoint = repo.touchpoint(repo.resolve("touchpoint", touchpoint_id))
    changes: dict[str, object] = {}
    if partner_id is not None:
        changes["partner_id"] = repo.resolve("partner", partner_id)
        touchpoint = touchpoint._replace(partner_id=str(changes["partner_id"]))
        if contact_ids is None:
            contact_ids = touchpoint.contact_ids
    if kind is not None:
        new_kind = parse_enum(TouchpointKind, kind, "touchpoint kind")
        changes["kind"] = new_kind
        changes["direction"] = default_direction(new_kind)
    if at is not None:
        changes["at"] = check_moment(
            ensure_aware(at, session.settings.zone), "time of the touchpoint"
        )
    if contact_ids is not None:
        contacts = tuple(dict.fromkeys(repo.resolve("contact", c) for c in contact_ids))
        for cid in contacts:
            if repo.contact(cid).partner_id != touchpoint.partner_id:
                raise ValidationError(f"contact {cid[:8]} does not work at this partner")
        changes["contact_ids"] = contacts
    if purpose is not None:
        changes["purpose"] = _free_text(session, purpose, multiline=False)
    if note is not None:
        changes["note"] = _free_text(session, note)
    if requested is not None:
        changes["requested"] = requested
    if planned is not None:
        changes["status"] = TouchpointStatus.PLANNED if planned else TouchpointStatus.DONE
    if value_cents is not None:
        changes["value_cents"] = _value(value_cents)
    if item is not None:
        changes["item"] = _free_text(session, _item(item), multiline=False)
    return touchpoint._replace(**changes)  # type: ignore[arg-type]


def edit_touchpoint(session: Session, touchpoint_id: str, **changes: object) -> Touchpoint:
    """Change a logged touch (any field ``log`` takes); one undoable change."""
    opened = session.repo.touchpoint(session.repo.resolve("touchpoint", touchpoint_id))
    updated = touchpoint_changes(session, opened.id, **changes)  # type: ignore[arg-type]
    return save_touch_edit(session, updated, opened=opened)


def save_touch_edit(session: Session, updated: Touchpoint, *, opened: Touchpoint) -> Touchpoint:
    """Save a touch ``touchpoint_changes`` made of ``opened``: one undoable change, none
    if nothing moved; a touch now done in person marks its contacts met, in the same
    write. If anyone changed the touch since ``opened`` was read, nothing is written and
    the rep is told (a touch has no version: what it says is compared)."""
    if updated == opened:
        return updated
    partner = session.repo.partner(updated.partner_id)
    try:
        _save_with_contacts_met(
            session,
            updated,
            action="touch-edit",
            summary=f"Edited {_a_kind(updated)} with {partner.name}",
            unchanged=(opened,),
        )
    except EditConflict as conflict:
        if conflict.record_id != opened.id:
            raise
        raise ValidationError(
            f"this {opened.kind.value} with {partner.name} was changed (or deleted) since "
            "it was opened, by another window or a colleague; nothing was saved: open it "
            "again to see it as it is now"
        ) from None
    return updated


def delete_touchpoint(session: Session, touchpoint_id: str) -> Touchpoint:
    """Delete a touch (undoable); a synced one stays deleted when the next sync sees it."""
    repo = session.repo
    touchpoint = repo.touchpoint(repo.resolve("touchpoint", touchpoint_id))
    partner = repo.partner(touchpoint.partner_id)
    repo.delete(
        touchpoint,
        action="touch-delete",
        summary=f"Deleted {_a_kind(touchpoint)} with {partner.name}",
    )
    return touchpoint


def add_referral(
    session: Session,
    partner_id: str,
    received: date,
    *,
    contact_id: str | None = None,
    participant_ref: str | None = None,
    service: str = "",
    service_detail: str = "",
    status: str = "received",
    complex_needs: bool = False,
) -> Referral:
    repo = session.repo
    pid = repo.resolve("partner", partner_id)
    cid = repo.resolve("contact", contact_id) if contact_id else None
    with checking("contact"):
        if cid and repo.contact(cid).partner_id != pid:
            raise ValidationError(f"contact {cid[:8]} does not work at this partner")
    with checking("received"):
        check_day(received, "received date")
        if received > session.today():
            raise ValidationError("a referral cannot be received in the future")
    ref = clean_participant_ref(participant_ref) if participant_ref else _fresh_ref(session)
    with checking("service"):
        chosen = _service(service)
    with checking("service_detail"):
        detail = _service_detail(session, service_detail)
    with checking("status"):
        referral_status = parse_enum(ReferralStatus, status, "referral status")
    referral = Referral(
        id=new_id(),
        partner_id=pid,
        received=received,
        participant_ref=ref,
        contact_id=cid,
        service=chosen,
        service_detail=detail,
        status=referral_status,
        complex_needs=complex_needs,
    )
    repo.save(
        referral,
        action="referral-add",
        summary=f"Recorded a referral from {repo.partner(pid).name}",
    )
    return referral


def update_referral(session: Session, referral_id: str, **changes: object) -> Referral:
    """Change the fields given, on top of the referral as stored when it is written (a
    colleague's change to another field meanwhile is kept)."""
    rid = session.repo.resolve("referral", referral_id)
    if "status" in changes:
        with checking("status"):
            changes["status"] = parse_enum(
                ReferralStatus, str(changes["status"]), "referral status"
            )
    if "received" in changes:
        with checking("received"):
            changes["received"] = check_day(changes["received"], "received date")  # type: ignore[arg-type]
    if "service" in changes:
        with checking("service"):
            changes["service"] = _service(str(changes["service"]))
    if "service_detail" in changes:
        with checking("service_detail"):
            changes["service_detail"] = _service_detail(session, str(changes["service_detail"]))
    for _ in range(_EDIT_ATTEMPTS):
        referral = session.repo.referral(rid)
        updated = replace(referral, **changes)  # type: ignore[arg-type]
        if updated == referral:
            return referral
        partner = session.repo.partner(updated.partner_id)
        what = (
            f"{referral.status.value} to {updated.status.value}"
            if set(changes) == {"status"}
            else "edited"
        )
        try:
            session.repo.save(
                updated,
                action="referral-edit",
                summary=f"Referral from {partner.name} of {updated.received:%d %b}: {what}",
                unchanged=(referral,),
            )
        except EditConflict:
            continue
        return updated
    raise StoreError(
        "the referral kept changing while this was being saved; nothing was saved: try again"
    )


def delete_referral(session: Session, referral_id: str) -> Referral:
    """Delete a referral (undoable: its row, and so its reference, is kept until then)."""
    repo = session.repo
    referral = repo.referral(repo.resolve("referral", referral_id))
    partner = repo.partner(referral.partner_id)
    repo.delete(
        referral,
        action="referral-delete",
        summary=f"Deleted the referral from {partner.name} of {referral.received:%d %b}",
    )
    return referral


def _service(value: str) -> str:
    """One of the listed services (or "" for not known yet)."""
    text = value.strip()
    return parse_enum(ReferralService, text, "service").value if text else ""


def _service_detail(session: Session, value: str) -> str:
    """A few words beside the service; refused if it looks like patient data, since the
    referral's service is shown in reports and lists."""
    detail = _free_text(session, value, multiline=False)
    if len(detail) > 80:
        raise ValidationError("the service detail is longer than 80 characters; keep it short")
    findings = phi_findings(detail)
    if findings:
        raise ValidationError(
            f"the service detail looks like patient data ({'; '.join(findings)}); keep only "
            'the kind of help ("evenings only", "after discharge")'
        )
    return detail


def _day(value: date | None, what: str) -> date | None:
    """An optional day, range-checked when given."""
    return None if value is None else check_day(value, what)


def _birthday(value: date | MonthDay | None) -> date | MonthDay | None:
    """A birthday, range-checked when it has a year (a ``MonthDay`` has none to check)."""
    return value if value is None or isinstance(value, MonthDay) else check_day(value, "birthday")


def _milestones(milestones: Iterable[Milestone]) -> tuple[Milestone, ...]:
    """The milestones, once every dated one's day is in range (a refusal names the field)."""
    checked = tuple(milestones)
    for milestone in checked:
        if not isinstance(milestone.on, MonthDay):
            check_day(milestone.on, "milestone date")
    return checked


def _fresh_ref(session: Session) -> str:
    taken = session.repo.participant_refs()
    while (ref := new_participant_ref()) in taken:
        pass
    return ref
