"""Import partners and contacts from a spreadsheet export (reps keep their lists in Excel).

One row is a partner, optionally with one contact. Headers are matched loosely (see
``HEADERS``); duplicates (same NPI, same normalised name, same email) merge instead of
doubling. Every row is validated before anything is written, and the write is one atomic
batch: a bad row means nothing is imported, and the error names its line.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
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
    mapping: dict[str, int] = {}
    for index, header in enumerate(headers):
        folded = _fold(header)
        for field_name, spellings in HEADERS.items():
            if folded in spellings and field_name not in mapping:
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
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle))
    except FileNotFoundError:
        raise ValidationError(f"{path}: no such file") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ValidationError(f"{path} is not a readable UTF-8 CSV file: {exc}") from None
    if not rows:
        raise ValidationError(f"{path} is empty")
    mapping = _map_headers(rows[0])
    plan = _Plan(session)
    report = ImportReport(dry_run=dry_run)
    for line_number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        try:
            _import_row(session, plan, mapping, row, report)
        except NurtureError as exc:
            report.errors.append(f"{path.name} line {line_number}: {exc}")
        report.rows += 1
    if report.errors:
        shown = "; ".join(report.errors[:5])
        more = f" (and {len(report.errors) - 5} more)" if len(report.errors) > 5 else ""
        raise ValidationError(f"nothing was imported: {shown}{more}")
    if not dry_run and plan.changed:
        session.repo.save(*plan.changed.values(), action="import-csv")
    return report


def _cell(row: list[str], mapping: dict[str, int], name: str) -> str:
    """One cell as clean one-line text (no control codes or bidi overrides)."""
    index = mapping.get(name)
    return clean_text(row[index]) if index is not None and index < len(row) else ""


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
    emails = [clean_email(e) for e in _split(cell("emails"))]
    if not contact_name and not emails:
        return
    _merge_contact(plan, partner, contact_name, emails, cell, report)


def _merge_partner(session: Session, plan: _Plan, get: Cell, report: ImportReport) -> Partner:
    name = clean_name(get("partner"), "partner name")
    npi = clean_npi(get("npi")) if get("npi") else None
    domains = tuple(clean_domain(d) for d in _split(get("domains")))
    tags = tuple(t.lower() for t in _split(get("tags")))
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
