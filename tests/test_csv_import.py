"""Spreadsheet import: loose headers, merged duplicates, all-or-nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from nurture_tui.domain.errors import ValidationError
from nurture_tui.services.csv_import import import_csv, normalise_name
from nurture_tui.services.session import Session

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


def test_import_merges_duplicates(session: Session, tmp_path: Path) -> None:
    report = import_csv(session, write(tmp_path, GOOD))
    assert (report.partners_added, report.partners_merged) == (2, 2)
    assert (report.contacts_added, report.contacts_merged) == (3, 1)
    partners = {p.name: p for p in session.repo.partners()}
    assert set(partners) == {"Mercy General Hospital", "Hope Hospice"}
    mercy = partners["Mercy General Hospital"]
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
