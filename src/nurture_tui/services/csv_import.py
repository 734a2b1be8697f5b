"""Import partners and contacts from a spreadsheet export (reps keep their lists in Excel).

One row is a partner, optionally with one contact, its notes, its address and the date of
the rep's last visit. The sheet is read by ``csv_columns`` (encodings, delimiter, loose
headers, clean cells); which known partner a row is, is decided by ``csv_matching`` (NPI,
name, contact email domain, descriptive suffixes, one misspelt word), and every merge that
was a judgement is reported with its reason (``csv_report``). Every row is validated
before anything is written, and the write is one atomic batch: a bad row means nothing is
imported, and the error names its line.

Where the columns go (decided here, documented in docs/importing.md):

* Notes go to the partner's notes; Contact Notes too, after the contact's name (a contact
  has no notes of its own). The partner has no address field, so Address, City, State and
  ZIP become one line of its notes ("City: Springfield"). A line already in the notes is
  not added again, so importing the same sheet twice adds nothing.
* Last Visit becomes a ``check-in`` touchpoint with the note "last visit, from CSV import",
  source ``csv`` and the external id ``last-visit:PARTNER:DAY``: one per partner and day,
  whichever rows name it, so a second import finds it instead of logging it again.
* Notes are screened as typed notes are (``records._free_text`` and the log command's PHI
  warning): a known participant reference is masked, and the PHI screen's findings are
  warnings naming the row and the kind of identifier, never the text. A participant
  reference in a name, owner or tag is refused, as when typed.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import tzinfo
from pathlib import Path

from nurture_tui.domain.errors import EditConflict, NurtureError, StoreError, ValidationError
from nurture_tui.domain.kinds import (
    IN_PERSON_KINDS,
    Credential,
    PartnerKind,
    Stage,
    Tier,
    TouchpointKind,
    default_direction,
    parse_credential,
    parse_enum,
)
from nurture_tui.domain.model import Contact, Partner, Touchpoint, new_id
from nurture_tui.domain.ownership import NotARepError
from nurture_tui.domain.phi import phi_findings
from nurture_tui.domain.privacy import contains_reference, mask_references
from nurture_tui.domain.validation import (
    clean_domain,
    clean_email,
    clean_name,
    clean_npi,
)
from nurture_tui.services.bounded_files import read_bounded
from nurture_tui.services.csv_columns import (
    ColumnMap,
    decode,
    guard_formula,
    map_headers,
    optional_day,
    read_cell,
    records,
    sheet_moment,
)
from nurture_tui.services.csv_matching import OrgName, PartnerIndex, normalise_name
from nurture_tui.services.csv_report import ImportReport, ImportWarning, Merge, history_summary
from nurture_tui.services.owners import ownership
from nurture_tui.services.session import Session

__all__ = ["LAST_VISIT_NOTE", "SOURCE", "ImportReport", "import_csv", "normalise_name"]

#: The touchpoint source of a sheet's last visits (with an external id: idempotent).
SOURCE = "csv"
LAST_VISIT_NOTE = "last visit, from CSV import"

_KIND_ALIASES = {
    "physician": "physician-practice",
    "doctor": "physician-practice",
    "clinic": "physician-practice",
    "practice": "physician-practice",
    "snf": "skilled-nursing",
    "nursing home": "skilled-nursing",
    "rehab": "skilled-nursing",
    "hha": "home-health",
    "aaa": "area-agency-on-aging",
    "cil": "center-for-independent-living",
    "case manager": "case-management",
    "waiver": "waiver-case-manager",
    "community": "community-org",
    "insurance": "payer",
    "mco": "payer",
}
#: Reads one cell of the current row by field name.
Cell = Callable[[str], str]


class _Plan:
    """Partners, contacts and last visits as they will be after the import, with the
    lookups for merging, and what must be written."""

    def __init__(self, session: Session) -> None:
        repo = session.repo
        settings = session.settings
        self.session = session
        self.zone: tzinfo = settings.zone
        self.now = session.now()
        self.refs = repo.participant_refs()
        own = frozenset({settings.agency_domain.strip().lower()} - {""})
        if "@" in settings.rep_email:
            own |= {settings.rep_email.rpartition("@")[2].strip().lower()}
        self.index = PartnerIndex(own)
        self.contacts: dict[str, Contact] = {c.id: c for c in repo.contacts()}
        emails_of: dict[str, list[str]] = {}
        for contact in self.contacts.values():
            emails_of.setdefault(contact.partner_id, []).extend(contact.emails)
        for partner in repo.partners(include_archived=True):
            self.index.add(partner, emails_of.get(partner.id, ()))
        #: partner id -> its contacts' addresses (a note naming them is not PHI)
        self.emails_at = {pid: set(emails) for pid, emails in emails_of.items()}
        self.stored = set(self.index.partners)
        #: Every partner and contact read from the store (the rest are this import's).
        self.stored_ids = self.stored | set(self.contacts)
        self.by_email = {e: c.id for c in self.contacts.values() for e in c.emails}
        self.by_contact_name = {
            (c.partner_id, normalise_name(c.name)): c.id for c in self.contacts.values()
        }
        #: On a team store an owner is a rep (``services.owners``); on a rep's own
        #: store it stays the free text it always was.
        self.owners = ownership(session)
        self.visits: dict[str, Touchpoint] = {}
        self.visits_deleted: set[str] = set()
        self.archived_said: set[str] = set()
        self.changed: dict[str, Partner | Contact | Touchpoint] = {}

    def partner(self, partner_id: str) -> Partner:
        return self.index.partners[partner_id]

    def versions_read(self) -> dict[str, int]:
        """The version each stored partner and contact this import changes had when it
        was read: the write checks them (a new record has none)."""
        return {
            rid: record.version
            for rid, record in self.changed.items()
            if isinstance(record, Partner | Contact) and rid in self.stored_ids
        }

    def put_partner(self, partner: Partner) -> None:
        self.index.update(partner)
        self.changed[partner.id] = partner

    def put_contact(self, contact: Contact) -> None:
        self.contacts[contact.id] = self.changed[contact.id] = contact
        self.emails_at.setdefault(contact.partner_id, set()).update(contact.emails)
        self.index.add_domains(contact.partner_id, (e.rpartition("@")[2] for e in contact.emails))


#: How often an import is planned again when someone saved a partner or contact it
#: merges into while it was being planned (each plan reads the store afresh).
_PLAN_ATTEMPTS = 5


def import_csv(session: Session, path: Path, *, dry_run: bool = False) -> ImportReport:
    """Validate every row, then write all of it in one atomic batch (or nothing).

    The batch writes the partners and contacts it merges into only as they were read
    (their versions checked in the write): if a colleague or another window saved one
    meanwhile, the import is planned again on top of their change, never over it.
    """
    text = decode(read_bounded(path))
    for _ in range(_PLAN_ATTEMPTS):
        try:
            return _import_once(session, path, text, dry_run=dry_run)
        except EditConflict:
            continue
    raise StoreError(
        f"the partners {path.name} merges into kept changing while it was imported; "
        "nothing was imported: try again"
    )


def _import_once(session: Session, path: Path, text: str, *, dry_run: bool) -> ImportReport:
    try:
        rows = records(text)
        first = next(rows, None)
        if first is None:
            raise ValidationError(f"{path} is empty")
        columns = map_headers(first[1])
        plan = _Plan(session)
        report = ImportReport(dry_run=dry_run, columns=columns.columns)
        for row_number, (line_number, row) in enumerate(rows, start=2):
            if not any(cell.strip() for cell in row):
                continue
            try:
                _import_row(plan, columns, row, row_number, report)
            except NurtureError as exc:
                report.errors.append(f"{path.name} line {line_number}: {exc}")
            report.rows += 1
    except csv.Error as exc:
        raise ValidationError(f"{path} is not a readable CSV file: {exc}") from None
    if report.errors:
        shown = "; ".join(report.errors[:5])
        more = f" (and {len(report.errors) - 5} more)" if len(report.errors) > 5 else ""
        raise ValidationError(f"nothing was imported: {shown}{more}")
    if not dry_run and plan.changed:
        session.repo.save(
            *plan.changed.values(),
            action="import-csv",
            summary=history_summary(path, report),
            expected_versions=plan.versions_read(),
        )
    return report


def _import_row(
    plan: _Plan, columns: ColumnMap, row: list[str], number: int, report: ImportReport
) -> None:
    cells: dict[str, str] = {}

    def cell(name: str) -> str:  # each cell is cleaned once, however often it is read
        if name not in cells:
            cells[name] = read_cell(row, columns, name)
        return cells[name]

    emails = [clean_email(guard_formula("emails", e, e)) for e in _split(cell("emails"))]
    contact_name = cell("contact") or " ".join(
        part for part in (cell("first_name"), cell("last_name")) if part
    )
    partner = _merge_partner(plan, cell, emails, number, report)
    contact = None
    if contact_name or emails:
        contact = _merge_contact(plan, partner, contact_name, emails, cell, number, report)
    notes = _notes(plan, partner, contact, contact_name, emails, cell, number, report)
    if notes != partner.notes:
        partner = replace(partner, notes=notes)
        plan.put_partner(partner)
    if cell("last_visit"):
        _last_visit(plan, partner, contact, cell("last_visit"), report)


def _merge_partner(
    plan: _Plan, get: Cell, emails: list[str], number: int, report: ImportReport
) -> Partner:
    name = _name(plan, get("partner"), "partner name")
    npi = clean_npi(get("npi")) if get("npi") else None
    domains = tuple(clean_domain(guard_formula("domains", d, d)) for d in _split(get("domains")))
    tags = tuple(
        _label(plan, tag, "tag")
        for t in _split(get("tags"))
        if (tag := guard_formula("tags", t, t).lower())
    )
    kind = _kind(get("kind"))
    found = plan.index.find(
        OrgName.of(name),
        kind=kind,
        npi=npi,
        domains=domains + tuple(e.rpartition("@")[2] for e in emails),
    )
    if found.match is not None:
        current = plan.partner(found.match.partner_id)
        merged = replace(
            current,
            npi=current.npi or npi,
            domains=tuple(dict.fromkeys(current.domains + domains)),
            tags=tuple(dict.fromkeys(current.tags + tags)),
        )
        if merged != current:
            plan.put_partner(merged)
        if found.match.by != "name" or name.casefold() != current.name.casefold():
            report.merges.append(
                Merge(number, name, current.id, current.name, found.match.by, found.match.reason)
            )
        if merged.archived and merged.id not in plan.archived_said:
            plan.archived_said.add(merged.id)
            report.warnings.append(
                ImportWarning(
                    number,
                    "archived",
                    f"row {number}: {merged.name} is archived: the row was added to it "
                    "(unarchive it to see it on the board)",
                )
            )
        report.partners_merged += 1
        return merged
    for why in found.kept_apart:
        report.warnings.append(
            ImportWarning(
                number, "kept-apart", f"row {number}: '{name}' {why}: added as its own partner"
            )
        )
    partner = Partner(
        id=new_id(),
        name=name,
        kind=kind or PartnerKind.OTHER,
        tier=parse_enum(Tier, get("tier").upper() or "B", "tier"),
        stage=parse_enum(Stage, get("stage").lower() or "prospect", "stage"),
        domains=domains,
        npi=npi,
        owner=_owner(plan, get("owner"), number, report),
        tags=tags,
        stage_since=plan.session.today(),
        created_at=plan.now,
    )
    plan.index.add(partner)
    plan.put_partner(partner)
    report.partners_added += 1
    return partner


def _merge_contact(
    plan: _Plan,
    partner: Partner,
    name: str,
    emails: list[str],
    get: Cell,
    number: int,
    report: ImportReport,
) -> Contact | None:
    """The row's contact at ``partner``, merged or new; None when its address belongs to
    someone at another partner (a person is not moved by a spreadsheet)."""
    existing_id = next((plan.by_email[e] for e in emails if e in plan.by_email), None)
    if existing_id is not None and plan.contacts[existing_id].partner_id != partner.id:
        other = plan.contacts[existing_id]
        email = next(e for e in emails if plan.by_email.get(e) == existing_id)
        report.warnings.append(
            ImportWarning(
                number,
                "contact-elsewhere",
                f"row {number}: {email} is {other.name}'s address at "
                f"{plan.partner(other.partner_id).name}; the contact stays there (move them "
                "in Nurture if they changed jobs)",
            )
        )
        return None
    if name:
        name = _name(plan, name, "contact name")
    if existing_id is None and name:
        existing_id = plan.by_contact_name.get((partner.id, normalise_name(name)))
    birthday = optional_day(get("birthday"), "birthday")
    started = optional_day(get("started"), "start date")
    role = mask_references(get("role"), plan.refs)
    credential = _credential(get, name or emails[0], number, report)
    npi = clean_npi(get("contact_npi")) if get("contact_npi") else None
    if existing_id:
        current = plan.contacts[existing_id]
        merged = replace(
            current,
            emails=tuple(dict.fromkeys(current.emails + tuple(emails))),
            role=current.role or role,
            phone=current.phone or get("phone"),
            birthday=current.birthday or birthday,
            started=current.started or started,
            met_in_person=current.met_in_person or _yes(get("met")),
            credential=current.credential or credential,
            npi=current.npi or npi,
        )
        if merged != current:
            plan.put_contact(merged)
        for email in emails:
            plan.by_email[email] = merged.id
        report.contacts_merged += 1
        return merged
    contact = Contact(
        id=new_id(),
        partner_id=partner.id,
        name=name or clean_name(emails[0].split("@")[0], "contact name"),
        role=role,
        emails=tuple(dict.fromkeys(emails)),
        phone=get("phone"),
        birthday=birthday,
        started=started,
        met_in_person=_yes(get("met")),
        credential=credential,
        npi=npi,
    )
    plan.put_contact(contact)
    for email in emails:
        plan.by_email[email] = contact.id
    plan.by_contact_name[(partner.id, normalise_name(contact.name))] = contact.id
    report.contacts_added += 1
    return contact


def _credential(get: Cell, who: str, number: int, report: ImportReport) -> Credential | None:
    """The row's credential ("M.D." is md). One the sheet spells some other way is a
    warning, not a refused import: the contact is added without one, and the rep sets
    it (``contact edit --credential``) once they know which it is."""
    try:
        return parse_credential(get("credential"))
    except ValidationError as exc:
        report.warnings.append(
            ImportWarning(
                number,
                "credential",
                f"row {number}: {exc}; {who} was imported without a credential",
            )
        )
        return None


def _notes(
    plan: _Plan,
    partner: Partner,
    contact: Contact | None,
    contact_name: str,
    emails: list[str],
    get: Cell,
    number: int,
    report: ImportReport,
) -> str:
    """The partner's notes with this row's notes, contact notes and address added (each
    once), screened as typed notes are."""
    pieces: list[str] = []
    known = [*emails, *plan.emails_at.get(partner.id, ())]  # its own people are not PHI
    for column, what in (("notes", "notes"), ("contact_notes", "contact notes")):
        text = get(column)
        if not text:
            continue
        findings = phi_findings(text, known)
        if findings:
            report.warnings.append(
                ImportWarning(
                    number,
                    "phi-screen",
                    f"row {number}: the {what} look like they hold a patient identifier "
                    f"({'; '.join(findings)}): keep patient details on the referral record, "
                    "not in notes",
                )
            )
        text = mask_references(text, plan.refs)
        who = contact.name if contact else contact_name
        pieces.append(f"{who}: {text}" if column == "contact_notes" and who else text)
    place = _place(get)
    if place:
        pieces.append(place)
    return _with_lines(partner.notes, pieces)


def _place(get: Cell) -> str:
    """Address, City, State and ZIP as one line for the notes (the partner has no address
    field): "City: Springfield, IL", or "Address: 12 Main St, Springfield, IL 62701"."""
    street, city, state, zip_code = (get(n) for n in ("address", "city", "state", "zip"))
    region = " ".join(part for part in (state, zip_code) if part)
    if street or zip_code:
        return "Address: " + ", ".join(part for part in (street, city, region) if part)
    if city or state:
        return "City: " + ", ".join(part for part in (city, state) if part)
    return ""


def _with_lines(notes: str, pieces: Iterable[str]) -> str:
    for piece in pieces:
        if piece and piece not in notes:
            notes = f"{notes}\n{piece}" if notes else piece
    return notes


def _last_visit(
    plan: _Plan, partner: Partner, contact: Contact | None, value: str, report: ImportReport
) -> None:
    """One check-in per partner and day, found again by its external id on re-import."""
    at = sheet_moment(value, plan.zone, "last visit")
    if at > plan.now:
        raise ValidationError(f"the last visit {value} is in the future")
    key = f"last-visit:{partner.id}:{at.date().isoformat()}"
    if key in plan.visits_deleted:
        return
    visit = plan.visits.get(key)
    if visit is None and partner.id in plan.stored:
        repo = plan.session.repo
        visit = repo.touchpoint_by_external_id(SOURCE, key)
        if visit is None and repo.was_deleted(SOURCE, key):
            report.touchpoints_known += 1  # the rep deleted it: a re-import does not undo that
            plan.visits_deleted.add(key)
            return
        if visit is not None:
            report.touchpoints_known += 1
    if visit is None:
        visit = Touchpoint(
            id=new_id(),
            partner_id=partner.id,
            kind=TouchpointKind.CHECK_IN,
            at=at,
            direction=default_direction(TouchpointKind.CHECK_IN),
            note=LAST_VISIT_NOTE,
            source=SOURCE,
            external_id=key,
        )
        plan.changed[visit.id] = visit
        report.touchpoints_added += 1
    if contact is not None and contact.id not in visit.contact_ids:
        visit = visit._replace(contact_ids=(*visit.contact_ids, contact.id))
        plan.changed[visit.id] = visit
        if TouchpointKind.CHECK_IN in IN_PERSON_KINDS and not contact.met_in_person:
            plan.put_contact(replace(contact, met_in_person=True))  # a visit is in person
    plan.visits[key] = visit


def _name(plan: _Plan, value: str, what: str) -> str:
    """A partner's or contact's name: clean text that carries no participant reference
    (names travel to invites, reports and exports), as ``records`` requires when typed."""
    name = clean_name(value, what)
    if contains_reference(name, plan.refs):
        raise ValidationError(
            f"the {what} contains a participant reference; a referral's reference stays on "
            "the referral (names travel to invites, reports and exports)"
        )
    return name


def _owner(plan: _Plan, value: str, number: int, report: ImportReport) -> str | None:
    """The new partner's owner: on a team store a rep's email, and a cell naming no rep
    leaves the partner unassigned with a warning (the row still imports; an admin
    assigns it with `o`). On a rep's own store, the text as given."""
    typed = _label(plan, value, "owner")
    if not plan.owners.team:
        return typed or None
    try:
        return plan.owners.resolve(typed)
    except NotARepError:
        shown = typed if len(typed) <= 40 else typed[:40] + "…"
        report.warnings.append(
            ImportWarning(
                number,
                "owner-not-a-rep",
                f"row {number}: owner {shown!r} is no rep of this team: the partner was "
                "added unassigned (`nurture team reps` lists the reps)",
            )
        )
        return None


def _label(plan: _Plan, value: str, what: str) -> str:
    if value and contains_reference(value, plan.refs):
        raise ValidationError(
            f"the {what} contains a participant reference; keep it on the referral"
        )
    return value


def _kind(value: str) -> PartnerKind | None:
    text = value.strip().lower()
    if not text:
        return None
    text = _KIND_ALIASES.get(text, text).replace(" ", "-")
    return parse_enum(PartnerKind, text, "partner kind")


def _split(value: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;,|]", value) if part.strip()]


def _yes(value: str) -> bool:
    return value.strip().lower() in ("y", "yes", "true", "1", "x")
