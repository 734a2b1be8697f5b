"""A spreadsheet's Credential and Contact NPI columns land on its contacts (issue 14):
the credential decides whether gifts count toward a physician's yearly Stark limit, so
it must arrive, and a credential the sheet spells some other way must not stop the
import — the row is a warning and the contact comes in without one."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from cli_runner import Nurture


@pytest.fixture
def nurture(tmp_path: Path) -> Nurture:
    return Nurture(tmp_path / "home", tmp_path / "config")


def sheet(tmp_path: Path, rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path = tmp_path / "partners.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def contacts(nurture: Nurture) -> dict[str, dict[str, Any]]:
    listed = nurture.json("contact", "list")
    assert isinstance(listed, list)
    return {c["name"]: c for c in listed}


def test_credential_and_contact_npi_columns_map_onto_contacts(
    nurture: Nurture, tmp_path: Path
) -> None:
    path = sheet(
        tmp_path,
        [
            ["Organization", "Type", "Contact", "Degree", "Individual NPI", "Email"],
            ["Oak Family Medicine", "clinic", "Ann Lee", "M.D.", "1234567893", "ann@oak.org"],
            ["Oak Family Medicine", "clinic", "Bo Chan", "", "1245319599", "bo@oak.org"],
            ["Mercy General", "hospital", "Sam Ortiz", "RN", "", "sam@mercy.org"],
            ["Mercy General", "hospital", "Nora Baker", "np", "", "nora@mercy.org"],
        ],
    )
    result = nurture("import", "csv", str(path), "--json")
    assert json.loads(result.stdout)["warnings"] == []
    found = contacts(nurture)
    assert (found["Ann Lee"]["credential"], found["Ann Lee"]["npi"]) == ("md", "1234567893")
    assert found["Ann Lee"]["physician"] is True and found["Ann Lee"]["physician_inferred"] is None
    # no credential, an individual NPI at a physician practice: a physician, and said why
    assert found["Bo Chan"]["credential"] is None and found["Bo Chan"]["physician"] is True
    assert "individual NPI at a physician practice" in found["Bo Chan"]["physician_inferred"]
    assert found["Sam Ortiz"]["credential"] == "rn" and found["Sam Ortiz"]["physician"] is False
    assert found["Nora Baker"]["credential"] == "np"


def test_an_unknown_credential_is_a_row_warning_and_the_rest_is_imported(
    nurture: Nurture, tmp_path: Path
) -> None:
    path = sheet(
        tmp_path,
        [
            ["Organization", "Contact", "Credential", "Email"],
            ["Mercy General", "Sam Ortiz", "Wizard", "sam@mercy.org"],
            ["Mercy General", "Nora Baker", "=MD()", "nora@mercy.org"],
            ["Mercy General", "Ada Park", "DO", "ada@mercy.org"],
        ],
    )
    result = nurture("import", "csv", str(path), "--json")
    assert result.returncode == 0
    warnings = json.loads(result.stdout)["warnings"]
    assert [(w["row"], w["code"]) for w in warnings] == [(2, "credential"), (3, "credential")]
    assert warnings[0]["message"].startswith("row 2: unknown credential 'Wizard'; choose one of:")
    assert warnings[0]["message"].endswith("Sam Ortiz was imported without a credential")
    assert "formula" in warnings[1]["message"]
    found = contacts(nurture)
    assert set(found) == {"Sam Ortiz", "Nora Baker", "Ada Park"}
    assert found["Sam Ortiz"]["credential"] is None and found["Nora Baker"]["credential"] is None
    assert found["Ada Park"]["credential"] == "do" and found["Ada Park"]["physician"] is True
    text = nurture(
        "import",
        "csv",
        str(sheet(tmp_path, [["Partner", "Contact", "Credential"], ["Hope", "Al Roy", "Dr"]])),
    )
    assert "row 2: unknown credential 'Dr'" in text.stdout + text.stderr


def test_a_sheet_does_not_overwrite_a_credential_the_rep_set(
    nurture: Nurture, tmp_path: Path
) -> None:
    nurture("partner", "add", "Mercy General", "--kind", "hospital")
    nurture(
        "contact", "add", "--partner", "Mercy", "Sam Ortiz", "--email", "sam@mercy.org",
        "--credential", "pa",
    )  # fmt: skip
    path = sheet(
        tmp_path,
        [
            ["Organization", "Contact", "Credential", "Contact NPI", "Email"],
            ["Mercy General", "Sam Ortiz", "RN", "1234567893", "sam@mercy.org"],
        ],
    )
    nurture("import", "csv", str(path))
    sam = contacts(nurture)["Sam Ortiz"]
    assert (sam["credential"], sam["npi"]) == ("pa", "1234567893")
