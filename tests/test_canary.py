"""A participant reference planted in a referral appears nowhere but the referral record
and the database: not in names, notes, reports, invites, exports, audit or crash reports."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from cli_runner import Nurture

CANARY = "ZQX7-CANARY-77"


def canary_cli(tmp_path: Path) -> Nurture:
    return Nurture(
        tmp_path / "home",
        tmp_path / "config",
        env={
            "NURTURE_CRASH_DIR": str(tmp_path / "crashes"),
            "NURTURE_REP_EMAIL": "alex@homecare.example",
            "NURTURE_REP_NAME": "Alex",
            "NURTURE_AGENCY": "Sunrise Home Care",
        },
    )


@pytest.fixture
def planted(tmp_path: Path) -> tuple[Nurture, str, str]:
    cli = canary_cli(tmp_path)
    added = cli("partner", "add", "Hope Hospice", "--kind", "hospice", "--json")
    pid = json.loads(added.stdout)["id"]
    cid = cli(
        "contact", "add", "--partner", pid, "Sam Ortiz", "--email", "sam@hope.org"
    ).stdout.strip()
    cli("referral", "add", "--partner", pid, "--received", "2026-11-20", "--participant", CANARY)
    return cli, pid, cid


def test_a_reference_is_refused_in_names(planted: tuple[Nurture, str, str]) -> None:
    cli, pid, _ = planted
    for argv in (
        ["partner", "add", f"{CANARY} Clinic", "--kind", "hospital"],
        ["contact", "add", "--partner", pid, CANARY.lower(), "--email", "x@hope.org"],
        ["partner", "edit", pid, "--name", f"Hope {CANARY}"],
        ["partner", "edit", pid, "--tag", f"x-{CANARY}"],
        ["partner", "add", "Other Clinic", "--kind", "hospital", "--owner", CANARY],
    ):
        result = cli(*argv, ok=False)
        assert result.returncode == 1 and "participant reference" in result.stderr
        assert CANARY not in result.stderr, "the refusal never repeats the reference"


def test_a_reference_never_leaves_the_referral_record(
    planted: tuple[Nurture, str, str], tmp_path: Path
) -> None:
    cli, pid, cid = planted
    cli(
        "log",
        "--partner",
        pid,
        "--kind",
        "call",
        "--note",
        f"update on {CANARY} today",
        "--purpose",
        f"{CANARY} follow-up",
    )
    outputs = [
        cli("partner", "list").stdout,
        cli("partner", "list", "--json").stdout,
        cli("partner", "show", pid).stdout,
        cli("partner", "show", pid, "--json").stdout,
        cli("next", "--explain").stdout,
        cli("next", "--json", "--explain").stdout,
        cli("people").stdout,
        cli("sources").stdout,
    ]
    invite = tmp_path / "invite.ics"
    cli(
        "invite",
        "--partner",
        pid,
        "--kind",
        "check-in",
        "--start",
        "2026-12-01 10:00",
        "--contact",
        cid,
        "--out",
        str(invite),
    )
    export = tmp_path / "export.json"
    cli("export", str(export))
    files = [invite.read_text(), export.read_text()]
    for output in outputs + files:
        assert CANARY not in output and CANARY.lower() not in output.lower()
    shown = json.loads(cli("partner", "show", pid, "--json").stdout)
    notes = [t.get("note", "") for t in shown["touchpoints"]]
    assert any("[participant]" in n for n in notes), "masked, not dropped"
    database = sqlite3.connect(cli.home / "nurture.db")
    audit = database.execute("SELECT * FROM audit").fetchall()
    touches = database.execute("SELECT note, purpose FROM touchpoints").fetchall()
    database.close()
    assert CANARY not in repr(audit)
    assert CANARY not in repr(touches), "the mask is what is stored"
    crashes = tmp_path / "crashes"
    for report in crashes.iterdir() if crashes.exists() else []:
        assert CANARY not in report.read_text()
    assert CANARY in cli("referral", "list", "--json").stdout, "the referral record has it"
