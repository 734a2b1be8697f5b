"""Spreadsheet import as reps' real sheets are: loose headers, partners matched by name,
suffix, spelling and contact email domain (each merge reported), notes, city and last
visit kept, a dry run that shows its mapping, and hostile files refused in one line.

The CLI tests run the real ``nurture`` command on files written to a temporary folder.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from cli_runner import Nurture
from nurture_tui.domain.errors import ValidationError
from nurture_tui.domain.kinds import PartnerKind
from nurture_tui.domain.model import Partner
from nurture_tui.services import records
from nurture_tui.services.csv_columns import HEADERS, fold
from nurture_tui.services.csv_import import import_csv, normalise_name
from nurture_tui.services.csv_matching import OrgName, PartnerIndex
from nurture_tui.services.session import Session

ROOT = Path(__file__).resolve().parent.parent

GOOD = """Organization,Type,Tier,Website,NPI,Contact Name,Email,Title,Met in person
Mercy General Hospital,Hospital,A,mercy.org,1234567893,Sam Ortiz,sam@mercy.org,Discharge Planner,yes
"The Mercy General Hospital, Inc.",hospital,,,,Nora Baker,nora@mercy.org,Social Worker,
Hope Hospice,hospice,B,hopehospice.org,,Sam Ortiz,,Liaison,
Mercy General Hospital,,,,,Sam Ortiz,SAM@mercy.org,,
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "partners.csv"
    path.write_text(text, encoding="utf-8")
    return path


def sheet(
    tmp_path: Path,
    rows: list[list[str]],
    *,
    name: str = "partners.csv",
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> Path:
    """A CSV file as a spreadsheet saves it (CRLF, quoted where needed)."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    path = tmp_path / name
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


@pytest.fixture
def nurture(tmp_path: Path) -> Nurture:
    env = {
        "NURTURE_AGENCY_DOMAIN": "sunrisecare.example",
        "NURTURE_REP_EMAIL": "alex@sunrisecare.example",
    }
    return Nurture(tmp_path / "home", tmp_path / "config", env=env)


def add_partner(nurture: Nurture, name: str, kind: str, *extra: str) -> dict[str, Any]:
    data = nurture.json("partner", "add", name, "--kind", kind, *extra)
    assert isinstance(data, dict)
    return data


def partners(nurture: Nurture) -> list[dict[str, Any]]:
    data = nurture.json("partner", "list")
    assert isinstance(data, list)
    return data


def show(nurture: Nurture, partner_id: str) -> dict[str, Any]:
    data = nurture.json("partner", "show", partner_id)
    assert isinstance(data, dict)
    return data


def imported(nurture: Nurture, path: Path, *options: str) -> dict[str, Any]:
    data = nurture.json("import", "csv", str(path), *options)
    assert isinstance(data, dict)
    return data


# ------------------------------------------------------------------- what worked before


def test_import_merges_duplicates(session: Session, tmp_path: Path) -> None:
    report = import_csv(session, write(tmp_path, GOOD))
    assert (report.partners_added, report.partners_merged) == (2, 2)
    assert (report.contacts_added, report.contacts_merged) == (3, 1)
    partners_by_name = {p.name: p for p in session.repo.partners()}
    assert set(partners_by_name) == {"Mercy General Hospital", "Hope Hospice"}
    mercy = partners_by_name["Mercy General Hospital"]
    assert mercy.npi == "1234567893" and mercy.tier.value == "A"
    names = sorted(c.name for c in session.repo.contacts(mercy.id))
    assert names == ["Nora Baker", "Sam Ortiz"]


def test_reimport_changes_nothing(session: Session, tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    import_csv(session, path)
    revision = session.repo.revision
    report = import_csv(session, path)
    assert report.partners_added == 0 and report.contacts_added == 0
    assert session.repo.revision == revision


def test_a_bad_row_names_its_line_and_nothing_is_imported(session: Session, tmp_path: Path) -> None:
    text = GOOD + "Bad Clinic,clinic,A,,,Ann Lee,not-an-email,,\n"
    with pytest.raises(ValidationError, match=r"partners.csv line 6: .*not an email"):
        import_csv(session, write(tmp_path, text))
    assert session.repo.partners() == []


def test_dry_run_writes_nothing(session: Session, tmp_path: Path) -> None:
    report = import_csv(session, write(tmp_path, GOOD), dry_run=True)
    assert report.partners_added == 2 and session.repo.partners() == []


def test_a_file_without_a_partner_column_is_refused(session: Session, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="no partner column"):
        import_csv(session, write(tmp_path, "Name,Email\nSam,sam@x.org\n"))


def test_names_normalise() -> None:
    assert normalise_name("The Mercy Hospital, Inc.") == normalise_name("mercy hospital")


# ------------------------------------------- 1. one partner, however the sheet spells it


def test_the_mercy_general_hospital_row_merges_by_contact_email_domain(
    nurture: Nurture, tmp_path: Path
) -> None:
    """The reported case: a second partner appeared and Sam moved to the old one."""
    mercy = add_partner(nurture, "Mercy General", "hospital", "--domain", "mercy.org")
    path = sheet(
        tmp_path,
        [
            ["Organization", "Contact Name", "Email Address"],
            ["Hope Hospice", "Nora Baker", "nora@hopehospice.org"],
            ["Hope Hospice", "Ann Lee", "ann@hopehospice.org"],
            ["Mercy General Hospital", "Sam Ortiz", "sam@mercy.org"],
        ],
    )
    result = nurture("import", "csv", str(path))
    assert "row 4: 'Mercy General Hospital' merged into Mercy General (same domain mercy.org)" in (
        result.stdout
    )
    names = sorted(p["name"] for p in partners(nurture))
    assert names == ["Hope Hospice", "Mercy General"]
    [sam] = show(nurture, mercy["id"])["contacts"]
    assert (sam["name"], sam["emails"]) == ("Sam Ortiz", ["sam@mercy.org"])


def test_a_domain_known_from_a_contact_matches_too(nurture: Nurture, tmp_path: Path) -> None:
    """The partner has no domain on file, but one of its contacts mails from mercy.org."""
    mercy = add_partner(nurture, "Mercy General", "hospital")
    nurture("contact", "add", "--partner", mercy["id"], "Nora Baker", "--email", "nora@mercy.org")
    path = sheet(tmp_path, [["Facility", "Email"], ["MGH", "sam@mercy.org"]])
    data = imported(nurture, path)
    [merge] = data["merges"]
    assert merge == {
        "row": 2,
        "name": "MGH",
        "partner": "Mercy General",
        "partner_id": mercy["id"],
        "by": "domain",
        "reason": "same domain mercy.org",
        "message": "row 2: 'MGH' merged into Mercy General (same domain mercy.org)",
    }
    assert len(partners(nurture)) == 1


def test_free_mail_and_the_agency_domain_never_merge_partners(
    nurture: Nurture, tmp_path: Path
) -> None:
    hope = add_partner(nurture, "Hope Hospice", "hospice")
    nurture("contact", "add", "--partner", hope["id"], "Ann Lee", "--email", "ann@gmail.com")
    nurture("contact", "add", "--partner", hope["id"], "Alex", "--email", "a2@sunrisecare.example")
    path = sheet(
        tmp_path,
        [
            ["Organization", "Email"],
            ["Riverside Clinic", "pat@gmail.com"],
            ["Oak Hills Clinic", "bo@sunrisecare.example"],
            ["Lakeview Practice", "kim@outlook.com"],
        ],
    )
    data = imported(nurture, path)
    assert data["merges"] == [] and data["partners_added"] == 3
    assert len(partners(nurture)) == 4


def test_a_sister_facility_on_the_same_domain_is_kept_apart_and_said(
    nurture: Nurture, tmp_path: Path
) -> None:
    """Health systems share one mail domain: a different kind or an unrelated name is a
    different partner, and the report says why it was not merged."""
    add_partner(nurture, "Mercy General", "hospital", "--domain", "mercy.org")
    path = sheet(
        tmp_path,
        [
            ["Organization", "Type", "Email"],
            ["Mercy Hospice", "hospice", "lee@mercy.org"],
            ["St Anne Medical Center", "hospital", "kay@mercy.org"],
        ],
    )
    data = imported(nurture, path)
    assert data["merges"] == [] and data["partners_added"] == 2
    messages = [w["message"] for w in data["warnings"]]
    assert (
        "row 2: 'Mercy Hospice' shares mercy.org with Mercy General but is a hospice, not a "
        "hospital: added as its own partner" in messages
    )
    assert (
        "row 3: 'St Anne Medical Center' shares mercy.org with Mercy General but not its "
        "name: added as its own partner" in messages
    )


def test_suffixes_and_one_misspelt_word_merge_with_the_reason(
    nurture: Nurture, tmp_path: Path
) -> None:
    add_partner(nurture, "Mercy General", "hospital")
    add_partner(nurture, "Good Samaritan Home Health", "home-health")
    path = sheet(
        tmp_path,
        [
            ["Organization"],
            ["Mercy General Hospital, Inc."],
            ["Mercy Genral"],
            ["Good Samaritian Home Health LLC"],
            ["Mercy General Hospice"],
        ],
    )
    data = imported(nurture, path)
    reasons = {m["row"]: (m["partner"], m["reason"]) for m in data["merges"]}
    assert reasons == {
        2: ("Mercy General", "same name but for 'Hospital', 'Inc'"),
        3: ("Mercy General", "same name but one misspelt word: 'Genral'"),
        4: ("Good Samaritan Home Health", "same name but one misspelt word: 'Samaritian'"),
    }
    assert sorted(p["name"] for p in partners(nurture)) == [
        "Good Samaritan Home Health",
        "Mercy General",
        "Mercy General Hospice",
    ]


@pytest.mark.parametrize(
    ("row", "row_kind", "existing", "existing_kind", "by"),
    [
        ("Mercy General Hospital", None, "Mercy General", PartnerKind.HOSPITAL, "suffix"),
        ("St. Mary's Medical Center", None, "Saint Marys Hospital", PartnerKind.HOSPITAL, "suffix"),
        ("Hope", None, "Hope Hospice", PartnerKind.HOSPICE, "suffix"),
        ("Mercy Genral", None, "Mercy General", PartnerKind.HOSPITAL, "spelling"),
        ("St Lukes Hospital", None, "St. Luke's", PartnerKind.HOSPITAL, "suffix"),
        # A whole-name ratio scores these 92.7-94.4: one differing word, kept apart.
        ("Mercy General East", None, "Mercy General West", PartnerKind.HOSPITAL, None),
        ("Sunset Senior Living", None, "Sunrise Senior Living", PartnerKind.OTHER, None),
        ("Methodist North", None, "Methodist South", PartnerKind.HOSPITAL, None),
        # One word names: a surname practice misspelt is as likely another doctor.
        ("Johnston Clinic", None, "Johnson Clinic", PartnerKind.PHYSICIAN_PRACTICE, None),
        ("AAA Region 4", None, "AAA Region 3", PartnerKind.AREA_AGENCY_ON_AGING, None),
        ("Mercy Hospice", None, "Mercy Hospital", PartnerKind.HOSPITAL, None),
        ("Mercy", PartnerKind.HOSPICE, "Mercy Hospital", PartnerKind.HOSPITAL, None),
        ("Community Hospital", None, "Community Health Center", PartnerKind.OTHER, None),
        ("Heartland Hospital", None, "Heartland Hospice", PartnerKind.HOSPICE, None),
    ],
)
def test_which_names_are_the_same_partner(
    row: str,
    row_kind: PartnerKind | None,
    existing: str,
    existing_kind: PartnerKind,
    by: str | None,
) -> None:
    index = PartnerIndex(own_domains=frozenset())
    index.add(Partner(id="p1", name=existing, kind=existing_kind))
    found = index.find(OrgName.of(row), kind=row_kind, npi=None, domains=())
    assert (found.match.by if found.match else None) == by


def test_a_different_npi_is_a_different_partner() -> None:
    index = PartnerIndex(own_domains=frozenset())
    index.add(Partner(id="p1", name="Mercy General", kind=PartnerKind.HOSPITAL, npi="1234567893"))
    found = index.find(
        OrgName.of("Mercy General Hospital"), kind=None, npi="1245319599", domains=()
    )
    assert found.match is None


def test_a_contact_who_works_elsewhere_stays_there_and_it_is_said(
    nurture: Nurture, tmp_path: Path
) -> None:
    mercy = add_partner(nurture, "Mercy General", "hospital")
    nurture("contact", "add", "--partner", mercy["id"], "Sam Ortiz", "--email", "sam@gmail.com")
    path = sheet(
        tmp_path, [["Organization", "Contact", "Email"], ["Hope Hospice", "Sam", "sam@gmail.com"]]
    )
    data = imported(nurture, path)
    assert [w["message"] for w in data["warnings"]] == [
        "row 2: sam@gmail.com is Sam Ortiz's address at Mercy General; the contact stays "
        "there (move them in Nurture if they changed jobs)"
    ]
    hope = next(p for p in partners(nurture) if p["name"] == "Hope Hospice")
    assert show(nurture, hope["id"])["contacts"] == []


# --------------------------------------------------------- 2. notes, city, last visit


def test_notes_city_and_last_visit_are_imported_once(nurture: Nurture, tmp_path: Path) -> None:
    path = sheet(
        tmp_path,
        [
            [
                "Organization",
                "Contact Name",
                "Email",
                "Notes",
                "Contact Notes",
                "City",
                "Last Visit",
            ],
            [
                "Mercy General",
                "Sam Ortiz",
                "sam@mercy.org",
                "Prefers mornings.\nParking: lot B",
                "likes the newsletter",
                "Springfield",
                "11/02/2025",
            ],
            ["Mercy General", "Nora Baker", "nora@mercy.org", "", "", "Springfield", "2025-11-02"],
            ["Hope Hospice", "", "", '=HYPERLINK("http://x.example","site")', "", "", "3/4/25"],
        ],
    )
    first = imported(nurture, path)
    assert (first["touchpoints_added"], first["touchpoints_known"]) == (2, 0)
    second = imported(nurture, path)
    assert (second["touchpoints_added"], second["touchpoints_known"]) == (0, 2)
    by_name = {p["name"]: show(nurture, p["id"]) for p in partners(nurture)}
    mercy, hope = by_name["Mercy General"], by_name["Hope Hospice"]
    assert mercy["notes"] == (
        "Prefers mornings.\nParking: lot B\nSam Ortiz: likes the newsletter\nCity: Springfield"
    )
    assert hope["notes"] == '=HYPERLINK("http://x.example","site")'  # text: export quotes it
    [visit] = mercy["touchpoints"]
    assert visit["kind"] == "check-in" and visit["note"] == "last visit, from CSV import"
    assert visit["source"] == "csv" and visit["at"].startswith("2025-11-02T00:00:00")
    assert sorted(visit["contact_ids"]) == sorted(c["id"] for c in mercy["contacts"])
    [hope_visit] = hope["touchpoints"]
    assert hope_visit["at"].startswith("2025-03-04") and hope_visit["contact_ids"] == []


def test_a_new_last_visit_date_is_a_new_touchpoint(session: Session, tmp_path: Path) -> None:
    header = ["Organization", "Last Visit"]
    import_csv(session, sheet(tmp_path, [header, ["Mercy", "10/01/2026"]]))
    import_csv(session, sheet(tmp_path, [header, ["Mercy", "11/20/2026 3:30 PM"]]))
    [mercy] = session.repo.partners()
    times = sorted(t.at for t in session.repo.touchpoints(mercy.id))
    zone = ZoneInfo("America/Chicago")
    assert times == [
        datetime(2026, 10, 1, tzinfo=zone),
        datetime(2026, 11, 20, 15, 30, tzinfo=zone),
    ]


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("12/01/2026", "line 2: the last visit 12/01/2026 is in the future"),
        ("9999-12-31", "line 2: the last visit must be between 1900 and 2199"),
        (
            "31/12/2025",
            "line 2: '31/12/2025' is not a last visit date (expected 11/23/2026 or 2026-11-23)",
        ),
        ("last tuesday", "line 2: 'last tuesday' is not a last visit date"),
    ],
)
def test_a_bad_last_visit_imports_nothing(
    session: Session, tmp_path: Path, cell: str, message: str
) -> None:
    path = sheet(tmp_path, [["Organization", "Last Visit"], ["Mercy", cell]])
    with pytest.raises(ValidationError, match=re.escape(message)):
        import_csv(session, path)
    assert session.repo.partners() == []


def test_sheet_dates_with_two_digit_years_follow_excel(session: Session, tmp_path: Path) -> None:
    """Excel reads 00-29 as 2000-2029 and 30-99 as 1930-1999."""
    rows = [
        ["Organization", "Contact", "Birthday", "Last Visit"],
        ["Mercy", "Sam", "3/14/62", "11/2/26"],
    ]
    import_csv(session, sheet(tmp_path, rows))
    [contact] = session.repo.contacts()
    assert contact.birthday == date(1962, 3, 14)
    [visit] = session.repo.touchpoints(contact.partner_id)
    assert visit.at.date() == date(2026, 11, 2)


# ------------------------------------------------------------------ 3. --dry-run, --json


MESSY = [
    ["Facility", "Type", "Phone Number", "Email Address", "Fax", "Notes", "Region", "Last Visit"],
    ["Mercy General", "hospital", "555-010-2000", "sam@mercy.org", "555-010-2001", "", "north", ""],
    ["Mercy General Hospital", "", "", "nora@mercy.org", "", "wants a webinar", "", "11/02/2025"],
]


def test_dry_run_prints_the_mapping_merges_and_ignored_columns(
    nurture: Nurture, tmp_path: Path
) -> None:
    path = sheet(tmp_path, MESSY)
    result = nurture("import", "csv", str(path), "--dry-run")
    lines = result.stdout.splitlines()
    assert lines[0] == "dry run: nothing was written"
    assert "  Facility       -> partner name" in lines
    assert "  Phone Number   -> contact phone" in lines
    assert "  Email Address  -> contact emails" in lines
    assert "  Last Visit     -> last visit (a check-in touchpoint)" in lines
    assert (
        "  row 3: 'Mercy General Hospital' merged into Mercy General (same domain mercy.org)"
        in lines
    )
    assert "ignored columns: Fax (column 5), Region (column 7)" in lines
    assert (
        "would import 2 rows: 1 new partner (1 merged), 2 new contacts (0 merged), 1 last visit"
        in lines
    )
    assert partners(nurture) == []


def test_dry_run_json_carries_the_same_as_fields(nurture: Nurture, tmp_path: Path) -> None:
    data = imported(nurture, sheet(tmp_path, MESSY), "--dry-run")
    assert data["dry_run"] is True
    assert data["columns"][:3] == [
        {"column": 1, "header": "Facility", "field": "partner"},
        {"column": 2, "header": "Type", "field": "kind"},
        {"column": 3, "header": "Phone Number", "field": "phone"},
    ]
    assert {"column": 8, "header": "Last Visit", "field": "last_visit"} in data["columns"]
    assert data["ignored_columns"] == [
        {"column": 5, "header": "Fax"},
        {"column": 7, "header": "Region"},
    ]
    assert [m["message"] for m in data["merges"]] == [
        "row 3: 'Mercy General Hospital' merged into Mercy General (same domain mercy.org)"
    ]
    assert (data["partners_added"], data["contacts_added"], data["touchpoints_added"]) == (1, 2, 1)
    assert partners(nurture) == []


def test_a_real_import_says_which_columns_it_ignored(nurture: Nurture, tmp_path: Path) -> None:
    result = nurture("import", "csv", str(sheet(tmp_path, MESSY)))
    assert "ignored columns: Fax (column 5), Region (column 7)" in result.stdout
    assert "  Facility" not in result.stdout  # the mapping is the dry run's
    assert len(partners(nurture)) == 1


# -------------------------------------------------------------- 4. headers documented


def test_every_accepted_header_is_in_the_help_and_the_docs(nurture: Nurture) -> None:
    help_text = nurture("import", "csv", "--help").stdout
    docs = (ROOT / "docs" / "importing.md").read_text(encoding="utf-8")
    for label in (
        "Organization",
        "Facility",
        "Email Address",
        "Phone Number",
        "Last Visit",
        "City",
    ):
        assert label in help_text and label in docs
    for field, spellings in HEADERS.items():
        for spelling in spellings:
            assert spelling in help_text, (field, spelling)
            assert spelling in docs, (field, spelling)
    assert "docs/importing.md" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_no_header_spelling_means_two_fields() -> None:
    fields_of: dict[str, set[str]] = {}
    for field, spellings in HEADERS.items():
        for spelling in spellings:
            fields_of.setdefault(fold(spelling), set()).add(field)
    assert {s: f for s, f in fields_of.items() if len(f) > 1} == {}


# ------------------------------------------------------------------------ 5. hostile


def test_a_50_mb_file_is_refused_in_one_line(nurture: Nurture, tmp_path: Path) -> None:
    path = tmp_path / "everyone.csv"
    row = b"Mercy General,hospital,Sam Ortiz,sam@mercy.org\n"
    with path.open("wb") as handle:
        handle.write(b"Organization,Type,Contact,Email\n")
        handle.write(row * (50 * 1024 * 1024 // len(row)))
    result = nurture("import", "csv", str(path), ok=False)
    assert result.returncode == 1
    assert result.stderr.strip().endswith(
        "is larger than 20 MB, the most Nurture imports at once; split it into smaller files"
    )
    assert len(result.stderr.strip().splitlines()) == 1
    assert partners(nurture) == []


def test_excel_on_windows_semicolons_and_cp1252_are_read(nurture: Nurture, tmp_path: Path) -> None:
    rows = [
        ["Organisation", "Contact", "Notes", "City"],
        ["Café Señor Clinic", "José Núñez", "Smith’s referral – ok", "Añasco"],
    ]
    path = sheet(tmp_path, rows, delimiter=";", encoding="cp1252")
    imported(nurture, path)
    [partner] = partners(nurture)
    assert partner["name"] == "Café Señor Clinic"
    assert partner["notes"] == "Smith’s referral – ok\nCity: Añasco"


def test_a_bom_is_not_part_of_the_first_header(nurture: Nurture, tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbfOrganization,Email\r\nMercy,sam@mercy.org\r\n")
    data = imported(nurture, path, "--dry-run")
    assert data["columns"][0] == {"column": 1, "header": "Organization", "field": "partner"}


@pytest.mark.parametrize(
    ("header", "named"),
    [
        ("Organization,Notes,Notes", "two columns named 'Notes' and 'Notes'"),
        ("Organization,Notes,Comments", "the columns 'Notes' and 'Comments' both mean notes"),
    ],
)
def test_duplicate_headers_are_one_line_and_a_json_error(
    nurture: Nurture, tmp_path: Path, header: str, named: str
) -> None:
    path = write(tmp_path, f"{header}\nMercy,a,b\n")
    result = nurture("import", "csv", str(path), ok=False)
    assert result.returncode == 1 and named in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    failed = nurture("import", "csv", str(path), "--json", ok=False)
    assert json.loads(failed.stdout)["error"]["code"] == "invalid"


def test_escape_codes_and_bidi_overrides_never_reach_the_store_or_the_terminal(
    nurture: Nurture, tmp_path: Path
) -> None:
    add_partner(nurture, "Mercy General", "hospital", "--domain", "mercy.org")
    path = sheet(
        tmp_path,
        [
            ["Organi\x1b[31mzation", "Contact", "Email", "F\u202eax"],
            [
                "Mercy \x1b]0;pwned\x07General \u202eHospital",
                "Sam \u2066Ortiz\x1b[2J",
                "sam@mercy.org",
                "1",
            ],
        ],
    )
    result = nurture("import", "csv", str(path), "--dry-run")
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout
    assert "row 2: 'Mercy General Hospital' merged into Mercy General" in result.stdout
    assert "ignored columns: Fax (column 4)" in result.stdout
    nurture("import", "csv", str(path))
    [mercy] = partners(nurture)
    [sam] = show(nurture, mercy["id"])["contacts"]
    assert sam["name"] == "Sam Ortiz"


def test_formula_cells_are_kept_as_text(nurture: Nurture, tmp_path: Path) -> None:
    path = sheet(
        tmp_path,
        [
            ["Organization", "Notes", "City"],
            ['=HYPERLINK("http://x.example","Mercy")', "+1 for the webinar", "=Springfield"],
        ],
    )
    imported(nurture, path)
    [partner] = partners(nurture)
    assert partner["name"] == 'HYPERLINK("http://x.example","Mercy")'
    assert partner["notes"] == "+1 for the webinar\nCity: Springfield"


def test_a_patient_in_the_notes_is_warned_about_and_a_reference_masked(
    nurture: Nurture, tmp_path: Path
) -> None:
    """As for typed notes (records.py masks references; the PHI screen warns): the note
    stays the rep's, a known participant reference never enters it, and the warning names
    the kind of identifier, never the text."""
    mercy = add_partner(nurture, "Mercy General", "hospital")
    nurture(
        "referral",
        "add",
        "--partner",
        mercy["id"],
        "--received",
        "2025-11-02",
        "--participant",
        "Q-77K3Z",
    )
    path = sheet(
        tmp_path,
        [
            ["Organization", "Notes"],
            ["Mercy General", "Mrs. Alvarez referred for respite, ref Q-77K3Z"],
        ],
    )
    result = nurture("import", "csv", str(path))
    assert "warning: row 2: the notes look like they hold a patient identifier" in result.stderr
    assert "Alvarez" not in result.stderr and "Q-77K3Z" not in result.stderr
    data = imported(nurture, path, "--dry-run")
    [warning] = data["warnings"]
    assert warning["code"] == "phi-screen" and warning["row"] == 2
    assert (
        show(nurture, mercy["id"])["notes"]
        == "Mrs. Alvarez referred for respite, ref [participant]"
    )


def test_a_participant_reference_in_a_name_is_refused(nurture: Nurture, tmp_path: Path) -> None:
    mercy = add_partner(nurture, "Mercy General", "hospital")
    nurture(
        "referral",
        "add",
        "--partner",
        mercy["id"],
        "--received",
        "2025-11-02",
        "--participant",
        "Q-77K3Z",
    )
    path = sheet(tmp_path, [["Organization", "Contact"], ["Hope Hospice", "Q-77K3Z"]])
    result = nurture("import", "csv", str(path), ok=False)
    assert result.returncode == 1
    assert "line 2: the contact name contains a participant reference" in result.stderr
    assert "Q-77K3Z" not in result.stderr
    assert [p["name"] for p in partners(nurture)] == ["Mercy General"]


def test_first_and_last_name_columns_make_the_contact(session: Session, tmp_path: Path) -> None:
    rows = [
        ["Account Name", "First Name", "Last Name", "E-mail"],
        ["Mercy", "Sam", "Ortiz", "sam@mercy.org"],
    ]
    import_csv(session, sheet(tmp_path, rows))
    [contact] = session.repo.contacts()
    assert contact.name == "Sam Ortiz"


def test_an_existing_partner_keeps_its_notes_and_gets_the_new_ones(
    session: Session, tmp_path: Path
) -> None:
    mercy = records.add_partner(session, "Mercy General", "hospital", notes="Typed by the rep")
    import_csv(
        session, sheet(tmp_path, [["Organization", "Notes"], ["Mercy General", "From the sheet"]])
    )
    assert session.repo.partner(mercy.id).notes == "Typed by the rep\nFrom the sheet"


def test_thousands_of_numbered_clinics_stay_apart(session: Session, tmp_path: Path) -> None:
    """Numbers are never a misspelling ("Clinic 00001" is not "Clinic 00002"), and the
    name indexes keep a big sheet to one lookup per rule (measured by hand in the docs)."""
    rows = [["Organization", "Email", "Last Visit"]]
    rows += [
        [f"Clinic {n:05d} Westfield", f"a@clinic{n}.example", "2025-11-02"] for n in range(3000)
    ]
    report = import_csv(session, sheet(tmp_path, rows), dry_run=True)
    assert (report.partners_added, report.touchpoints_added) == (3000, 3000)
    assert report.merges == [] and report.warnings == []


def test_a_deleted_last_visit_stays_deleted_on_reimport(session: Session, tmp_path: Path) -> None:
    path = sheet(tmp_path, [["Organization", "Last Visit"], ["Mercy", "11/02/2026"]])
    import_csv(session, path)
    [mercy] = session.repo.partners()
    [visit] = session.repo.touchpoints(mercy.id)
    records.delete_touchpoint(session, visit.id)
    report = import_csv(session, path)
    assert (report.touchpoints_added, report.touchpoints_known) == (0, 1)
    assert list(session.repo.touchpoints(mercy.id)) == []


def test_an_import_is_one_change_that_undo_takes_back(session: Session, tmp_path: Path) -> None:
    rows = [
        ["Organization", "Contact", "Last Visit"],
        ["Mercy", "Sam Ortiz", "11/02/2026"],
        ["Hope Hospice", "Nora Baker", ""],
    ]
    import_csv(session, sheet(tmp_path, rows))
    [change] = session.repo.changes(1)
    assert change.summary == ("Imported partners.csv: 2 new partners, 2 new contacts, 1 last visit")
    session.repo.undo()
    assert session.repo.partners() == [] and session.repo.contacts() == []


def test_a_row_of_an_archived_partner_joins_it_and_says_so(
    session: Session, tmp_path: Path
) -> None:
    mercy = records.add_partner(session, "Mercy General", "hospital")
    records.archive_partner(session, mercy.id)
    rows = [["Organization", "Contact"], ["Mercy General", "Sam"], ["Mercy General", "Nora"]]
    report = import_csv(session, sheet(tmp_path, rows))
    assert report.partners_added == 0
    assert [w.message for w in report.warnings] == [
        "row 2: Mercy General is archived: the row was added to it (unarchive it to see it "
        "on the board)"
    ]
    assert sorted(c.name for c in session.repo.contacts(mercy.id)) == ["Nora", "Sam"]
