"""The real ``nurture`` command in a subprocess: output, exit codes, --json, no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_runner import Nurture


@pytest.fixture
def nurture(tmp_path: Path) -> Nurture:
    return Nurture(tmp_path / "home", tmp_path / "config")


def test_a_rep_adds_a_partner_and_contact_logs_a_gift_and_a_referral(nurture: Nurture) -> None:
    partner = nurture.json(
        "partner",
        "add",
        "Mercy General",
        "--kind",
        "hospital",
        "--tier",
        "A",
        "--domain",
        "mercy.org",
        "--npi",
        "1234567893",
    )
    assert isinstance(partner, dict) and partner["kind"] == "hospital"
    pid = partner["id"]
    cid = nurture(
        "contact",
        "add",
        "--partner",
        pid[:6],
        "Sam Ortiz",
        "--email",
        "sam@mercy.org",
        "--role",
        "Discharge Planner",
    ).stdout.strip()
    gift = nurture("log", "--partner", pid, "--kind", "gift", "--contact", cid)
    assert "warning [gift-without-reason]" in gift.stderr
    logged = nurture.json("log", "--partner", pid, "--kind", "gift")
    assert isinstance(logged, dict)
    assert logged["warnings"][0]["rule"] == "gift-without-reason"
    referral = nurture.json(
        "referral", "add", "--partner", pid, "--contact", cid, "--received", "2026-11-20"
    )
    assert isinstance(referral, dict) and referral["participant"].startswith("P-")
    shown = nurture.json("partner", "show", pid[:5])
    assert isinstance(shown, dict)
    assert [c["name"] for c in shown["contacts"]] == ["Sam Ortiz"]
    assert len(shown["touchpoints"]) == 2 and len(shown["referrals"]) == 1
    assert "participant" not in json.dumps(shown), "references only in referral list/show"
    actions = nurture.json("next", "--partner", pid, "--today", "2026-11-23", "--explain")
    assert isinstance(actions, list)
    thanks = [a for a in actions if a["rule"] == "thank-you"]
    assert thanks and thanks[0]["reason"].startswith("Referral from Sam Ortiz (contact) on 20 Nov")
    assert set(thanks[0]) >= {
        "partner_id",
        "partner",
        "kind",
        "due",
        "overdue",
        "priority",
        "rule",
        "reason",
        "evidence",
        "explanation",
    }


def test_user_errors_exit_1_with_one_line_and_usage_errors_exit_2(nurture: Nurture) -> None:
    missing = nurture("partner", "show", "zzzz", ok=False)
    assert missing.returncode == 1
    assert missing.stderr.strip().count("\n") == 0 and "no partner" in missing.stderr
    bad_npi = nurture("partner", "add", "X", "--kind", "hospital", "--npi", "1234567890", ok=False)
    assert bad_npi.returncode == 1 and "not a valid NPI" in bad_npi.stderr
    usage = nurture("partner", "add", "X", "--kind", "spaceship", ok=False)
    assert usage.returncode == 2


def test_a_name_as_participant_reference_is_refused_and_never_echoed(nurture: Nurture) -> None:
    added = nurture("partner", "add", "Hope Hospice", "--kind", "hospice", "--json")
    pid = json.loads(added.stdout)["id"]
    refused = nurture(
        "referral",
        "add",
        "--partner",
        pid,
        "--received",
        "2026-11-01",
        "--participant",
        "Mary Jones",
        ok=False,
    )
    assert refused.returncode == 1
    assert "Mary" not in refused.stderr and "opaque" in refused.stderr


def test_ambiguous_prefixes_are_explained(nurture: Nurture) -> None:
    for name in ("A", "B", "C", "D", "E", "F", "G", "H"):
        nurture("partner", "add", name, "--kind", "other")
    result = nurture("partner", "show", "", ok=False)
    assert result.returncode == 1


def test_demo_builds_a_store_and_refuses_to_overwrite(nurture: Nurture) -> None:
    summary = nurture.json("demo", "--partners", "20", "--touchpoints", "300")
    assert isinstance(summary, dict) and summary["partners"] == 20
    assert summary["touchpoints"] == 300
    again = nurture("demo", ok=False)
    assert again.returncode == 1 and "--force" in again.stderr
    assert nurture.json("demo", "--if-empty") == {"loaded": False}
    listed = nurture.json("partner", "list")
    assert isinstance(listed, list) and len(listed) == 20


def test_backup_and_restore_commands(nurture: Nurture) -> None:
    added = nurture("partner", "add", "Keep Me", "--kind", "payer", "--json")
    pid = json.loads(added.stdout)["id"]
    backup = nurture.json("backup")
    assert isinstance(backup, dict)
    nurture("partner", "archive", pid)
    nurture("restore", backup["backup"])
    listed = nurture.json("partner", "list")
    assert isinstance(listed, list) and [p["name"] for p in listed] == ["Keep Me"]


def test_playbook_show_and_check(nurture: Nurture, tmp_path: Path) -> None:
    shown = nurture("playbook", "show")
    assert "[rules.thank-you]" in shown.stdout
    good = tmp_path / "good.toml"
    good.write_text("[rules.check-in]\nevery_days = { A = 21, B = 60, C = 120 }\n")
    nurture("playbook", "check", str(good))
    bad = tmp_path / "bad.toml"
    bad.write_text("[rules.check-in]\nweight = 2.0\nevry_days = 3\n\n[rules.nope]\nx = 1\n")
    result = nurture("playbook", "check", str(bad), ok=False)
    assert result.returncode == 1
    assert "line 3" in result.stderr and "evry_days" in result.stderr
    assert "line 5" in result.stderr


def test_a_broken_user_playbook_keeps_the_defaults_working(
    nurture: Nurture, tmp_path: Path
) -> None:
    (tmp_path / "config").mkdir(exist_ok=True)
    (tmp_path / "config" / "playbook.toml").write_text("this is [not toml")
    added = nurture("partner", "add", "Mercy", "--kind", "hospital", "--json")
    pid = json.loads(added.stdout)["id"]
    result = nurture("next", "--partner", pid)
    assert "using the default playbook" in result.stderr


def test_a_corrupt_store_is_reported_not_a_traceback(nurture: Nurture, tmp_path: Path) -> None:
    nurture("partner", "add", "Mercy", "--kind", "hospital")
    (tmp_path / "home" / "nurture.db").write_bytes(b"this is not a database" * 300)
    result = nurture("partner", "list", ok=False)
    assert result.returncode == 1 and "damaged" in result.stderr and "restore" in result.stderr


def test_invite_create_update_cancel_and_import_ics(nurture: Nurture, tmp_path: Path) -> None:
    nurture.env |= {
        "NURTURE_REP_EMAIL": "alex@homecare.example",
        "NURTURE_REP_NAME": "Alex",
        "NURTURE_AGENCY": "Sunrise Home Care",
    }
    added = nurture(
        "partner",
        "add",
        "Hope Hospice",
        "--kind",
        "hospice",
        "--domain",
        "hopehospice.org",
        "--json",
    )
    pid = json.loads(added.stdout)["id"]
    nurture("contact", "add", "--partner", pid, "Sam Ortiz", "--email", "sam@hopehospice.org")
    out = tmp_path / "in-service.ics"
    created = nurture.json(
        "invite",
        "--partner",
        pid,
        "--kind",
        "in-service",
        "--start",
        "2030-01-15 14:00",
        "--tz",
        "America/Chicago",
        "--zoom-url",
        "https://zoom.us/j/42",
        "--out",
        str(out),
    )
    assert isinstance(created, dict) and created["method"] == "REQUEST"
    assert out.read_bytes().count(b"BEGIN:VEVENT") == 1
    moved = nurture.json("invite", "--update", created["uid"], "--start", "2030-01-16 14:00")
    assert isinstance(moved, dict) and moved["sequence"] == 1
    cancelled = nurture.json("invite", "--cancel", created["uid"], "--out", str(out))
    assert isinstance(cancelled, dict) and cancelled["method"] == "CANCEL"
    assert b"METHOD:CANCEL" in out.read_bytes()
    ics = nurture(
        "invite", "--partner", pid, "--kind", "check-in", "--start", "2030-02-01 09:00"
    ).stdout
    assert ics.startswith("BEGIN:VCALENDAR")
    listed = nurture.json("invite", "--list")
    assert isinstance(listed, list) and len(listed) == 2
    fixture = Path(__file__).parent / "fixtures" / "ics" / "google_export.ics"
    report = nurture.json("import", "ics", str(fixture))
    assert isinstance(report, dict) and report["created"] == 1
    again = nurture.json("import", "ics", str(fixture))
    assert isinstance(again, dict) and again["created"] == 0
    broken = Path(__file__).parent / "fixtures" / "ics" / "broken_truncated.ics"
    failed = nurture("import", "ics", str(broken), ok=False)
    assert failed.returncode == 1 and "broken_truncated.ics" in failed.stderr
