"""Reading a spreadsheet's CSV: its bytes, its delimiter, its headers and its cells.

Tolerant of what spreadsheets write: decoded as UTF-8 with or without a BOM, else as
Windows-1252 (Excel on Windows), else Latin-1; the delimiter (comma, semicolon or tab) is
sniffed from the first few KB. Headers are matched loosely (``HEADERS``: case, spaces and
punctuation do not matter); two columns with the same name, or two that mean the same
field, are refused naming both; columns Nurture has no field for are reported as ignored,
never dropped silently. Every cell is cleaned at this boundary (control codes, escape
sequences and bidi overrides stripped), formula-looking cells are handled by
``guard_formula``, and dates are read as spreadsheets write them (``sheet_moment``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo

from nurture_tui.domain.errors import ValidationError
from nurture_tui.domain.text import clean_text
from nurture_tui.domain.validation import check_day, check_moment

#: Accepted header spellings per field, as people write them. Matching folds case, spaces
#: and punctuation ("E-mail address" is "Email Address"). ``headers_help`` lists them in
#: ``nurture import csv --help``, and docs/importing.md lists the same (a test checks both).
HEADERS: dict[str, tuple[str, ...]] = {
    "partner": (
        "Partner", "Partner Name", "Organization", "Organization Name", "Organisation",
        "Company", "Company Name", "Account", "Account Name", "Facility", "Facility Name",
        "Agency", "Referral Source",
    ),
    "kind": ("Kind", "Type", "Partner Kind", "Partner Type", "Category", "Facility Type"),
    "tier": ("Tier", "Priority", "Potential"),
    "stage": ("Stage", "Status", "Relationship"),
    "domains": ("Domain", "Domains", "Website", "Web Site", "Web", "URL"),
    "npi": ("NPI", "NPI Number"),
    "owner": ("Owner", "Rep", "Sales Rep", "Account Owner"),
    "tags": ("Tags", "Tag", "Territory"),
    "contact": ("Contact", "Contact Name", "Name", "Full Name", "Person"),
    "first_name": ("First Name", "First", "Given Name"),
    "last_name": ("Last Name", "Last", "Surname", "Family Name"),
    "emails": (
        "Email", "Emails", "E-mail", "Email Address", "E-mail Address", "Contact Email",
        "Work Email",
    ),
    "role": ("Role", "Title", "Job Title", "Position"),
    "phone": (
        "Phone", "Phone Number", "Telephone", "Tel", "Mobile", "Cell", "Office Phone",
        "Work Phone",
    ),
    "birthday": ("Birthday", "Birth Date", "Birthdate", "DOB"),
    "started": ("Started", "Start Date", "Hired", "Hire Date"),
    "met": ("Met", "Met in Person"),
    "credential": ("Credential", "Credentials", "Degree"),
    "contact_npi": ("Contact NPI", "Individual NPI", "Physician NPI"),
    "notes": ("Notes", "Note", "Comments", "Comment", "Remarks", "Partner Notes"),
    "contact_notes": ("Contact Notes", "Contact Comments"),
    "address": ("Address", "Street", "Street Address", "Address Line 1"),
    "city": ("City", "Town"),
    "state": ("State", "Province"),
    "zip": ("ZIP", "ZIP Code", "Postal Code", "Postcode"),
    "last_visit": (
        "Last Visit", "Last Visited", "Last Visit Date", "Date of Last Visit",
        "Last Contacted", "Last Contact Date",
    ),
}  # fmt: skip

#: What each field becomes, as the dry run's column mapping and the help say it.
FIELD_LABELS: dict[str, str] = {
    "partner": "partner name",
    "kind": "partner kind",
    "tier": "tier (A, B or C)",
    "stage": "stage",
    "domains": "partner domains",
    "npi": "NPI",
    "owner": "owner (rep)",
    "tags": "tags",
    "contact": "contact name",
    "first_name": "contact first name",
    "last_name": "contact last name",
    "emails": "contact emails",
    "role": "contact role",
    "phone": "contact phone",
    "birthday": "contact birthday",
    "started": "contact start date",
    "met": "met in person (yes/no)",
    "credential": "contact credential (MD, DO, NP, RN...)",
    "contact_npi": "contact's individual NPI",
    "notes": "partner notes",
    "contact_notes": "partner notes, after the contact's name",
    "address": "partner notes (Address: ...)",
    "city": "partner notes (City: ...)",
    "state": "partner notes (with the city)",
    "zip": "partner notes (with the address)",
    "last_visit": "last visit (a check-in touchpoint)",
}

#: Free-text fields: a leading formula character is stripped (see ``guard_formula``).
FREE_TEXT = frozenset(
    {"partner", "contact", "first_name", "last_name", "role", "owner", "tags", "address",
     "city", "state", "zip"}
)  # fmt: skip
#: Fields that may span lines; kept as written, formula characters and all (see
#: ``guard_formula``: a note "+1 for the webinar" or "- call back" is text).
MULTILINE = frozenset({"notes", "contact_notes"})
#: A spreadsheet treats a cell starting with one of these as a formula (OWASP).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: A phone number may start with "+" (E.164) when nothing but phone characters follow.
_PHONE = re.compile(r"^\+[\d\s().\-/]+$")
#: The delimiter is sniffed from this much of the file's start.
_SNIFF_CHARS = 8192


def fold(header: str) -> str:
    """'E-mail Address', 'email_address' and 'EMAIL ADDRESS' are one header."""
    return re.sub(r"[\W_]+", "", clean_text(header).lower())


#: Folded spelling -> field. "E-mail" and "Email" fold alike (both listed for the help);
#: no spelling may fold to two fields (tests/test_csv_import.py checks).
FIELD_OF: dict[str, str] = {fold(s): name for name, spellings in HEADERS.items() for s in spellings}


@dataclass(frozen=True)
class Column:
    """One column of the sheet: 1-based position, its header as shown, and its field."""

    number: int
    header: str
    field: str | None

    def as_json(self) -> dict[str, object]:
        data: dict[str, object] = {"column": self.number, "header": self.header}
        if self.field is not None:
            data["field"] = self.field
        return data


@dataclass(frozen=True)
class ColumnMap:
    """Which column holds which field, and which columns nothing reads."""

    index: dict[str, int]
    columns: tuple[Column, ...]

    @property
    def mapped(self) -> list[Column]:
        return [c for c in self.columns if c.field is not None]

    @property
    def ignored(self) -> list[Column]:
        return [c for c in self.columns if c.field is None]

    def has(self, name: str) -> bool:
        return name in self.index


def map_headers(headers: list[str]) -> ColumnMap:
    """Field name -> column; two columns with one name, or meaning one field, are refused
    naming both (a silent choice would import the wrong one). Blank headers are skipped;
    any other header no field has is kept as an ignored column, so the rep is told."""
    index: dict[str, int] = {}
    named: dict[str, str] = {}
    columns: list[Column] = []
    for position, raw in enumerate(headers):
        if "\n" in raw or "\r" in raw:
            raise ValidationError(f"line 1: the column name {raw!r} holds a line break")
        header = clean_text(raw)
        if not header:
            continue
        folded = fold(header)
        if folded and folded in named:
            raise ValidationError(
                f"the CSV has two columns named {named[folded]!r} and {header!r}; "
                "rename or remove one"
            )
        named[folded] = header
        field_name = FIELD_OF.get(folded)
        if field_name is not None:
            if field_name in index:
                first = clean_text(headers[index[field_name]])
                meaning = field_name.replace("_", " ")
                raise ValidationError(
                    f"the columns {first!r} and {header!r} both mean {meaning}; "
                    "rename or remove one"
                )
            index[field_name] = position
        columns.append(Column(position + 1, header, field_name))
    if "partner" not in index:
        raise ValidationError(
            "the CSV has no partner column (a header named Partner, Organization, Facility "
            "or Company; `nurture import csv --help` lists them all)"
        )
    return ColumnMap(index, tuple(columns))


def decode(data: bytes) -> str:
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


def records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line the record starts on, cells) for each record; a quoted cell may span lines,
    so the line is the reader's, not the record's index."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    line = 1
    for row in reader:
        yield line, row
        line = reader.line_num + 1


def read_cell(row: list[str], columns: ColumnMap, name: str) -> str:
    """One cell as clean text (no control codes or bidi overrides). Every field but the
    notes is one line, so a line break elsewhere is refused; formulas are guarded."""
    position = columns.index.get(name)
    if position is None or position >= len(row):
        return ""
    raw = row[position]
    if name in MULTILINE:
        return clean_text(raw, multiline=True)
    if "\n" in raw or "\r" in raw:
        label = name.replace("_", " ")
        raise ValidationError(f"the {label} cell holds a line break; {label} is one line")
    return guard_formula(name, clean_text(raw), raw)


def guard_formula(name: str, text: str, raw: str) -> str:
    """A cell a spreadsheet would run as a formula (starting with = + - @, tab or CR,
    OWASP "CSV injection") never enters the store as one.

    * Free text (names, role, owner, each tag, address parts): the leading formula
      characters are stripped, so "=HYPERLINK(...)" is kept as the text "HYPERLINK(...)"
      and "@Home Health" as "Home Health"; nothing is lost that a name needs.
    * A phone may start with "+" followed only by phone characters ("+1 555 010 2000");
      any other phone, or email (each of a list), starting with a formula character is
      refused with the row's line (it is not a valid one anyway), and so is any other
      field (kind, tier, stage, NPI, dates, met, each domain), except the "@mercy.org"
      spelling of a domain, which ``clean_domain`` reads.
    * Notes are not guarded here (``read_cell`` keeps them as written): "+1 for the
      webinar" is a note, and every CSV Nurture writes quotes such a cell.
    """
    stripped = raw.lstrip(" ")
    if not stripped.startswith(_FORMULA_START):
        return text
    if name in FREE_TEXT:
        return text.lstrip("=+-@ ")
    if name == "phone" and _PHONE.match(text):
        return text
    if name == "domains" and text.startswith("@") and not text[1:].startswith(_FORMULA_START):
        return text
    raise ValidationError(
        f"the {name} {text[:40]!r} starts with {stripped[0]!r}, which a spreadsheet would run "
        "as a formula; fix the cell"
    )


def headers_help(width: int = 79) -> str:
    """The accepted headers, one field a paragraph, for ``import csv --help``."""
    lines = [
        "Accepted headers (case, spaces and punctuation do not matter; a column with",
        "any other header is listed as ignored, never imported silently):",
    ]
    for name, spellings in HEADERS.items():
        required = " (required)" if name == "partner" else ""
        lines.append(f"  {FIELD_LABELS[name]}{required}:")
        line = "     "
        for n, spelling in enumerate(spellings):
            item = spelling + (", " if n < len(spellings) - 1 else "")
            if len(line) + len(item.rstrip()) > width:
                lines.append(line.rstrip())
                line = "     "
            line += item
        lines.append(line.rstrip())
    return "\n".join(lines)


#: Dates as spreadsheets write them: ISO (2026-11-23) or US (11/23/2026, 11/23/26), with
#: an optional time (15:30, 3:30 PM, 3 PM) after a space or a "T".
_SHEET_DATE = re.compile(
    r"(?:(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
    r"|(?P<us_m>\d{1,2})/(?P<us_d>\d{1,2})/(?P<us_y>\d{4}|\d{2}))"
    r"(?:[ T]+(?P<h>\d{1,2})(?::(?P<min>\d{2})(?::(?P<s>\d{2})(?:\.\d+)?)?)?"
    r"\s*(?P<ampm>[AaPp][Mm])?)?"
)
_DATE_FORMS = "expected 11/23/2026 or 2026-11-23"


def sheet_moment(value: str, zone: tzinfo, what: str) -> datetime:
    """A date (and optional time) as a spreadsheet writes it, in the rep's zone; a bare
    date is the start of that day, as ``nurture log --at DATE`` takes it."""
    day, clock = _sheet_date(value, what)
    return check_moment(datetime.combine(day, clock, tzinfo=zone), what)


def _sheet_date(value: str, what: str) -> tuple[date, time]:
    """The day (range-checked) and time of day a sheet's cell spells. Two-digit years
    follow Excel: 00-29 are 2000-2029, 30-99 are 1930-1999."""
    refused = ValidationError(f"{value!r} is not a {what} date ({_DATE_FORMS})")
    match = _SHEET_DATE.fullmatch(value.strip())
    if match is None:
        raise refused
    g = match.groupdict()
    if g["y"]:
        year, month, day = int(g["y"]), int(g["m"]), int(g["d"])
    else:
        year, month, day = int(g["us_y"]), int(g["us_m"]), int(g["us_d"])
        if len(g["us_y"]) == 2:
            year += 2000 if year < 30 else 1900
    hour, minute, second = int(g["h"] or 0), int(g["min"] or 0), int(g["s"] or 0)
    if g["ampm"]:
        if not 1 <= hour <= 12:
            raise refused
        hour = hour % 12 + (12 if g["ampm"].lower() == "pm" else 0)
    try:
        found = date(year, month, day), time(hour, minute, second)
    except ValueError:
        raise refused from None
    check_day(found[0], what)
    return found


def optional_day(value: str, what: str) -> date | None:
    """A contact's birthday or start date: the day only."""
    return _sheet_date(value, what)[0] if value else None
