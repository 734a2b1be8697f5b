"""Import partners and contacts from a spreadsheet export (reps keep their lists in Excel).

One row is a partner, optionally with one contact. Headers are matched loosely (see
``HEADERS``); duplicates (same NPI, same normalised name, same email) merge instead of
doubling. Every row is validated before anything is written, and the write is one atomic
batch: a bad row means nothing is imported, and the error names its line.

Bounded and tolerant of what spreadsheets write: the file is read through ``read_bounded``
(an ordinary file of at most 20 MB), decoded as UTF-8 with or without a BOM, else as
Windows-1252 (Excel on Windows), else Latin-1; the delimiter (comma, semicolon or tab) is
sniffed from the first few KB. Two columns with the same name, or two that mean the same
field, are refused naming both; a line break inside a one-line cell is refused with its
line; formula-looking cells are handled by ``_guard_formula``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from nurture_tui.domain.errors import NurtureError, ValidationError
from nurture_tui.domain.kinds import PartnerKind, Stage, Tier, parse_enum
from nurture_tui.domain.model import Contact, Partner, new_id
from nurture_tui.domain.text import clean_text
from nurture_tui.domain.validation import (
    clean_domain,
    clean_email,
    clean_name,
    clean_npi,
    parse_date,
)
from nurture_tui.services.bounded_files import read_bounded
from nurture_tui.services.session import Session

#: Accepted header spellings (lower-cased, spaces/underscores/dashes folded) per field.
HEADERS: dict[str, tuple[str, ...]] = {
    "partner": ("partner", "partnername", "organization", "organisation", "company", "account"),
    "kind": ("kind", "type", "partnerkind", "partnertype", "category"),
    "tier": ("tier", "priority", "potential"),
    "stage": ("stage", "status", "relationship"),
    "domains": ("domain", "domains", "website", "web"),
    "npi": ("npi",),
    "owner": ("owner", "rep", "salesrep"),
    "tags": ("tags", "tag", "territory"),
    "contact": ("contact", "contactname", "name", "person"),
    "emails": ("email", "emails", "contactemail", "emailaddress"),
    "role": ("role", "title", "jobtitle", "position"),
    "phone": ("phone", "telephone", "phonenumber", "mobile"),
    "birthday": ("birthday", "birthdate", "dob"),
    "started": ("started", "startdate", "hired"),
    "met": ("met", "metinperson", "met_in_person"),
}

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
#: Free-text fields: a leading formula character is stripped (see ``_guard_formula``).
_FREE_TEXT = frozenset({"partner", "contact", "role", "owner", "tags"})
#: A spreadsheet treats a cell starting with one of these as a formula (OWASP).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: A phone number may start with "+" (E.164) when nothing but phone characters follow.
_PHONE = re.compile(r"^\+[\d\s().\-/]+$")
#: The delimiter is sniffed from this much of the file's start.
_SNIFF_CHARS = 8192
_NOISE = re.compile(r"\b(the|inc|llc|ltd|corp|co|pc|pllc)\b")


@dataclass
class ImportReport:
    partners_added: int = 0
    partners_merged: int = 0
    contacts_added: int = 0
    contacts_merged: int = 0
    rows: int = 0
    dry_run: bool = False
    errors: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "rows": self.rows,
            "partners_added": self.partners_added,
            "partners_merged": self.partners_merged,
            "contacts_added": self.contacts_added,
            "contacts_merged": self.contacts_merged,
            "dry_run": self.dry_run,
        }


def normalise_name(name: str) -> str:
    """'The Mercy Hospital, Inc.' and 'mercy hospital' are the same partner."""
    lowered = re.sub(r"[^a-z0-9 ]+", " ", name.lower().replace("&", " and "))
    return " ".join(_NOISE.sub(" ", lowered).split())


def _fold(header: str) -> str:
    return re.sub(r"[\s_\-]+", "", header.strip().lower())


def _map_headers(headers: list[str]) -> dict[str, int]:
    """Field name -> column; two columns with one name, or meaning one field, are refused
    naming both (a silent choice would import the wrong one). Blank headers are ignored."""
    mapping: dict[str, int] = {}
    named: dict[str, str] = {}
    for index, header in enumerate(headers):
        if "\n" in header or "\r" in header:
            raise ValidationError(f"line 1: the column name {header!r} holds a line break")
        folded = _fold(header)
        if not folded:
            continue
        if folded in named:
            raise ValidationError(
                f"the CSV has two columns named {named[folded]!r} and {header.strip()!r}; "
                "rename or remove one"
            )
        named[folded] = header.strip()
        for field_name, spellings in HEADERS.items():
            if folded not in spellings:
                continue
            if field_name in mapping:
                first = headers[mapping[field_name]].strip()
                raise ValidationError(
                    f"the columns {first!r} and {header.strip()!r} both mean {field_name}; "
                    "rename or remove one"
                )
            mapping[field_name] = index
    if "partner" not in mapping:
        raise ValidationError(
            "the CSV has no partner column (a header named Partner, Organization or Company)"
        )
    return mapping


def _kind(value: str) -> PartnerKind:
    text = value.strip().lower()
    if not text:
        return PartnerKind.OTHER
    text = _KIND_ALIASES.get(text, text).replace(" ", "-")
    return parse_enum(PartnerKind, text, "partner kind")


def _split(value: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;,|]", value) if part.strip()]


def _yes(value: str) -> bool:
    return value.strip().lower() in ("y", "yes", "true", "1", "x")


class _Plan:
    """Partners and contacts as they will be after the import, with lookups for merging."""

    def __init__(self, session: Session) -> None:
        repo = session.repo
        self.partners: dict[str, Partner] = {p.id: p for p in repo.partners()}
        self.contacts: dict[str, Contact] = {c.id: c for c in repo.contacts()}
        self.by_npi = {p.npi: p.id for p in self.partners.values() if p.npi}
        self.by_name = {normalise_name(p.name): p.id for p in self.partners.values()}
        self.by_email = {e: c.id for c in self.contacts.values() for e in c.emails}
        self.by_contact_name = {
            (c.partner_id, normalise_name(c.name)): c.id for c in self.contacts.values()
        }
        self.changed: dict[str, Partner | Contact] = {}


def import_csv(session: Session, path: Path, *, dry_run: bool = False) -> ImportReport:
    """Validate every row, then write all of it in one atomic batch (or nothing)."""
    text = _decode(read_bounded(path))
    try:
        records = _records(text)
        first = next(records, None)
        if first is None:
            raise ValidationError(f"{path} is empty")
        mapping = _map_headers(first[1])
        plan = _Plan(session)
        report = ImportReport(dry_run=dry_run)
        for line_number, row in records:
            if not any(cell.strip() for cell in row):
                continue
            try:
                _import_row(session, plan, mapping, row, report)
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
        session.repo.save(*plan.changed.values(), action="import-csv")
    return report


def _decode(data: bytes) -> str:
    """UTF-8 (a BOM is dropped), else Windows-1252 (what Excel on Windows saves), else
    Latin-1, which decodes any byte: a wrong guess shows as odd letters, never a crash.
    Only the five bytes cp1252 leaves undefined reach Latin-1."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _delimiter(text: str) -> str:
    """Comma, semicolon or tab, sniffed from whole lines of the file's start; comma when
    the sample does not say (a one-column file)."""
    sample = text[:_SNIFF_CHARS]
    if len(text) > _SNIFF_CHARS and "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line the record starts on, cells) for each record; a quoted cell may span lines,
    so the line is the reader's, not the record's index."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    line = 1
    for row in reader:
        yield line, row
        line = reader.line_num + 1


def _cell(row: list[str], mapping: dict[str, int], name: str) -> str:
    """One cell as clean one-line text (no control codes or bidi overrides); a line break
    inside it is refused (every imported field is one line), and so are formulas."""
    index = mapping.get(name)
    if index is None or index >= len(row):
        return ""
    raw = row[index]
    if "\n" in raw or "\r" in raw:
        raise ValidationError(f"the {name} cell holds a line break; {name} is one line")
    return _guard_formula(name, clean_text(raw), raw)


def _guard_formula(name: str, text: str, raw: str) -> str:
    """A cell a spreadsheet would run as a formula (starting with = + - @, tab or CR,
    OWASP "CSV injection") never enters the store as one.

    * Free text (partner, contact name, role, owner, each tag): the leading formula
      characters are stripped, so "=HYPERLINK(...)" is kept as the text "HYPERLINK(...)" and
      "@Home Health" as "Home Health"; nothing is lost that a name needs.
    * A phone may start with "+" followed only by phone characters ("+1 555 010 2000");
      any other phone, or email (each of a list), starting with a formula character is
      refused with the row's line (it is not a valid one anyway), and so is any other
      field (kind, tier, stage, NPI, dates, met, each domain), except the "@mercy.org"
      spelling of a domain, which ``clean_domain`` reads.
    """
    stripped = raw.lstrip(" ")
    if not stripped.startswith(_FORMULA_START):
        return text
    if name in _FREE_TEXT:
        return text.lstrip("=+-@ ")
    if name == "phone" and _PHONE.match(text):
        return text
    if name == "domains" and text.startswith("@") and not text[1:].startswith(_FORMULA_START):
        return text
    raise ValidationError(
        f"the {name} {text[:40]!r} starts with {stripped[0]!r}, which a spreadsheet would run "
        "as a formula; fix the cell"
    )


def _import_row(
    session: Session,
    plan: _Plan,
    mapping: dict[str, int],
    row: list[str],
    report: ImportReport,
) -> None:
    def cell(name: str) -> str:
        return _cell(row, mapping, name)

    partner = _merge_partner(session, plan, cell, report)
    contact_name = cell("contact")
    emails = [clean_email(_guard_formula("emails", e, e)) for e in _split(cell("emails"))]
    if not contact_name and not emails:
        return
    _merge_contact(plan, partner, contact_name, emails, cell, report)


def _merge_partner(session: Session, plan: _Plan, get: Cell, report: ImportReport) -> Partner:
    name = clean_name(get("partner"), "partner name")
    npi = clean_npi(get("npi")) if get("npi") else None
    domains = tuple(clean_domain(_guard_formula("domains", d, d)) for d in _split(get("domains")))
    tags = tuple(tag for t in _split(get("tags")) if (tag := _guard_formula("tags", t, t).lower()))
    existing_id = (plan.by_npi.get(npi) if npi else None) or plan.by_name.get(normalise_name(name))
    if existing_id:
        current = plan.partners[existing_id]
        merged = replace(
            current,
            npi=current.npi or npi,
            domains=tuple(dict.fromkeys(current.domains + domains)),
            tags=tuple(dict.fromkeys(current.tags + tags)),
        )
        if merged != current:
            plan.partners[existing_id] = plan.changed[existing_id] = merged
        report.partners_merged += 1
        return merged
    partner = Partner(
        id=new_id(),
        name=name,
        kind=_kind(get("kind")),
        tier=parse_enum(Tier, get("tier").upper() or "B", "tier"),
        stage=parse_enum(Stage, get("stage").lower() or "prospect", "stage"),
        domains=domains,
        npi=npi,
        owner=get("owner") or None,
        tags=tags,
        stage_since=session.today(),
        created_at=session.now(),
    )
    plan.partners[partner.id] = plan.changed[partner.id] = partner
    if npi:
        plan.by_npi[npi] = partner.id
    plan.by_name[normalise_name(name)] = partner.id
    report.partners_added += 1
    return partner


def _merge_contact(
    plan: _Plan,
    partner: Partner,
    name: str,
    emails: list[str],
    get: Cell,
    report: ImportReport,
) -> None:
    existing_id = next((plan.by_email[e] for e in emails if e in plan.by_email), None)
    if existing_id is None and name:
        existing_id = plan.by_contact_name.get((partner.id, normalise_name(name)))
    birthday = _optional_date(get("birthday"), "birthday")
    started = _optional_date(get("started"), "start date")
    if existing_id:
        current = plan.contacts[existing_id]
        merged = replace(
            current,
            emails=tuple(dict.fromkeys(current.emails + tuple(emails))),
            role=current.role or get("role"),
            phone=current.phone or get("phone"),
            birthday=current.birthday or birthday,
            started=current.started or started,
            met_in_person=current.met_in_person or _yes(get("met")),
        )
        if merged != current:
            plan.contacts[existing_id] = plan.changed[existing_id] = merged
        report.contacts_merged += 1
        return
    contact = Contact(
        id=new_id(),
        partner_id=partner.id,
        name=clean_name(name or emails[0].split("@")[0], "contact name"),
        role=get("role"),
        emails=tuple(emails),
        phone=get("phone"),
        birthday=birthday,
        started=started,
        met_in_person=_yes(get("met")),
    )
    plan.contacts[contact.id] = plan.changed[contact.id] = contact
    for email in emails:
        plan.by_email[email] = contact.id
    plan.by_contact_name[(partner.id, normalise_name(contact.name))] = contact.id
    report.contacts_added += 1


def _optional_date(value: str, what: str) -> date | None:
    return parse_date(value, what) if value else None
