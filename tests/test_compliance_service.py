"""Compliance through the real store: overrides kept with the touch, the report read from
SQLite, the limits table a rep can update, exports and an older store's migration."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from nurture_tui.domain.errors import ValidationError
from nurture_tui.locations import config_directory
from nurture_tui.services import compliance, entries, exchange, records
from nurture_tui.services.playbook import effective_playbook
from nurture_tui.services.session import Session
from nurture_tui.store.opening import open_store
from store_helpers import downgrade_store

PLAYBOOK = effective_playbook().playbook


def _practice(session: Session) -> tuple[str, str, str]:
    p = records.add_partner(session, "Oak Family Medicine", "physician-practice")
    doctor = records.add_contact(session, p.id, "Dr. Ana Reyes", credential="M.D.")
    nurse = records.add_contact(session, p.id, "Lee Park", credential="rn")
    return p.id, doctor.id, nurse.id


def _log(session: Session, pid: str, when: str, value: str, *who: str, item: str = "") -> object:
    entry = entries.TouchEntry(kind="gift", when=when, contact_ids=who, value=value, item=item)
    return entries.log_touch(session, pid, entry, PLAYBOOK)


def test_a_touch_saved_through_warnings_keeps_who_overrode_what(session: Session) -> None:
    pid, doctor, _ = _practice(session)
    referral = records.add_referral(session, pid, date(2026, 11, 1))
    touch = _log(session, pid, "2026-11-20 10:00", "600", doctor, item="Amazon gift card")
    stored = session.repo.touchpoint(touch.id)  # type: ignore[attr-defined]
    assert {o.rule for o in stored.overrides} == {
        "cash-equivalent",
        "gift-after-referral",
        "stark-yearly-limit",
    }
    assert {o.by for o in stored.overrides} == {"Alex Rivera"}
    assert all(o.at == session.now() for o in stored.overrides)
    text = repr(stored) + repr(session.repo.changes(5))
    assert referral.participant_ref not in text


def test_the_report_reads_the_store_with_archived_partners_and_no_references(
    session: Session, tmp_path: Path
) -> None:
    pid, doctor, nurse = _practice(session)
    referral = records.add_referral(session, pid, date(2026, 10, 30))
    _log(session, pid, "2026-02-01", "300", doctor)
    _log(
        session,
        pid,
        "2026-11-20",
        "100.01",
        doctor,
        nurse,
        item=f"lunch {referral.participant_ref}",
    )
    other = records.add_partner(session, "Mercy General", "hospital")
    _log(session, other.id, "2026-03-03", "20")
    records.archive_partner(session, other.id)
    report = compliance.compliance_report(session, PLAYBOOK, 2026)
    totals = [(r.name, r.total_cents, r.over_by_cents) for r in report.recipients]
    assert totals == [
        ("Dr. Ana Reyes", 35001, 0),
        ("Lee Park", 5000, 0),
        ("Mercy General", 2000, 0),
    ]
    as_json = compliance.report_json(report)
    csv_text = compliance.report_csv(report)
    lines = "\n".join(compliance.report_lines(report))
    for shown in (repr(as_json), csv_text, lines):
        assert referral.participant_ref not in shown  # masked when the item was saved
    only = compliance.compliance_report(session, PLAYBOOK, 2026, partner_id=other.id)
    assert [r.name for r in only.recipients] == ["Mercy General"]
    assert compliance.compliance_report(session, PLAYBOOK, 2025).recipients == []


def test_an_undone_gift_leaves_the_report(session: Session) -> None:
    pid, doctor, _ = _practice(session)
    _log(session, pid, "2026-02-01", "300", doctor)
    session.repo.undo()
    assert compliance.compliance_report(session, PLAYBOOK, 2026).recipients == []


def test_the_csv_keeps_formulas_as_text(session: Session, tmp_path: Path) -> None:
    p = records.add_partner(session, '=HYPERLINK("http://evil","x")', "community-org")
    _log(session, p.id, "2026-03-03", "20", item="+cmd|' /C calc'!A0")
    report = compliance.compliance_report(session, PLAYBOOK, 2026)
    path = compliance.write_report_csv(report, cwd=tmp_path)
    text = path.read_text()
    assert "'=HYPERLINK(" in text and "'+cmd" in text
    assert path.stat().st_mode & 0o777 == 0o600
    with pytest.raises(ValidationError, match="already exists"):
        compliance.write_report_csv(report, cwd=tmp_path)


def test_a_limits_copy_in_the_config_directory_adds_a_year() -> None:
    copy = config_directory() / compliance.LIMITS_FILE
    copy.write_text('[years.2027]\namount = 551\nsource = "https://www.cms.gov/x"\n')
    table = compliance.limit_table()
    assert table.in_force(2027).known and table.in_force(2027).cents == 55100
    assert table.in_force(2026).cents == 53500 and not table.problem


@pytest.mark.parametrize(
    "content", [b"not toml [", b"\xff\xfe binary", b'[years.2027]\namount = "lots"\n']
)
def test_a_broken_limits_copy_is_named_and_the_shipped_table_used(content: bytes) -> None:
    copy = config_directory() / compliance.LIMITS_FILE
    copy.write_bytes(content)
    table = compliance.limit_table()
    assert str(copy) in table.problem and "using the shipped table" in table.problem
    assert table.in_force(2026).cents == 53500


def test_a_limits_copy_that_is_a_link_to_dev_zero_is_refused_not_read_forever() -> None:
    copy = config_directory() / compliance.LIMITS_FILE
    copy.symlink_to("/dev/zero")
    table = compliance.limit_table()
    assert table.in_force(2026).cents == 53500
    assert table.problem


def test_the_check_says_the_copy_is_broken_when_it_matters(session: Session) -> None:
    (config_directory() / compliance.LIMITS_FILE).write_text("nope [")
    pid, doctor, _ = _practice(session)
    draft = records.draft_touchpoint(session, pid, "gift", contact_ids=[doctor], value_cents=60000)
    checked = compliance.check_draft(session, PLAYBOOK, draft)
    assert "limits-table-unreadable" in {f.rule for f in checked.findings}


def test_an_edit_records_only_new_warnings(session: Session) -> None:
    pid, doctor, _ = _practice(session)
    first = _log(session, pid, "2026-02-01", "600", doctor)
    assert [o.rule for o in first.overrides] == ["stark-yearly-limit"]  # type: ignore[attr-defined]
    entry = entries.TouchEntry(
        kind="gift", when="2026-02-01", contact_ids=(doctor,), value="600", item="prepaid visa"
    )
    edited = entries.edit_touch(session, first.id, entry, PLAYBOOK)  # type: ignore[attr-defined]
    assert [o.rule for o in edited.overrides] == ["stark-yearly-limit", "cash-equivalent"]


def test_values_and_credentials_survive_an_export_and_import(
    session: Session, tmp_path: Path
) -> None:
    pid, doctor, _ = _practice(session)
    _log(session, pid, "2026-02-01", "600", doctor, item="dinner")
    target = tmp_path / "export.json"
    exchange.export_tinydb(session, target)
    other = Session(
        repo=open_store(tmp_path / "other"), settings=session.settings, clock=session.clock
    )
    exchange.import_tinydb(other, target, replace=True, allow_missing_refs=True)
    [history] = other.repo.histories_of([pid])
    [touch] = history.touchpoints
    assert (touch.value_cents, touch.item, [o.rule for o in touch.overrides]) == (
        60000,
        "dinner",
        ["stark-yearly-limit"],
    )
    assert {c.name: c.credential.value if c.credential else None for c in history.contacts} == {
        "Dr. Ana Reyes": "md",
        "Lee Park": "rn",
    }


def test_a_store_from_before_values_migrates_keeping_every_touch(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from nurture_tui.domain.kinds import PartnerKind, TouchpointKind
    from nurture_tui.domain.model import Partner, Touchpoint

    repo = open_store(tmp_path)
    repo.save(
        Partner(id="p1", name="Mercy", kind=PartnerKind.HOSPITAL),
        Touchpoint(
            id="t1", partner_id="p1", kind=TouchpointKind.CALL, at=datetime(2026, 1, 1, tzinfo=UTC)
        ),
    )
    repo.close()
    downgrade_store(tmp_path, "0004")
    db = sqlite3.connect(tmp_path / "nurture.db")
    columns = {row[1] for row in db.execute("PRAGMA table_info(touchpoints)")}
    db.close()
    assert "value_cents" not in columns  # really a store from before values
    reopened = open_store(tmp_path)
    touch = reopened.touchpoint("t1")
    assert (touch.value_cents, touch.item, touch.overrides) == (0, "", ())
    reopened.save(replace(reopened.partner("p1"), name="Mercy General"))
    reopened.close()


# ------------------------------------------------------------------ found by a hostile tester


@pytest.mark.parametrize(
    "written", ["{bare}", "{spaced}", "{nbhyphen}", "{fullwidth}", "{zero_width}"]
)
def test_a_reference_written_another_way_never_reaches_the_report(
    session: Session, written: str
) -> None:
    pid, doctor, _ = _practice(session)
    ref = records.add_referral(session, pid, date(2026, 1, 2)).participant_ref  # P-XXXXX
    head, tail = ref.split("-")
    forms = {
        "bare": head + tail,
        "spaced": f"{head} {tail}",
        "nbhyphen": f"{head}\u2011{tail}",
        "fullwidth": "".join(chr(ord(c) + 0xFEE0) for c in head + tail),
        "zero_width": f"{head}-{tail[:2]}\u200b{tail[2:]}",
    }
    typed = written.format(**forms)
    _log(session, pid, "2026-11-20", "20", doctor, item=f"lunch for {typed} family")
    report = compliance.compliance_report(session, PLAYBOOK, 2026)
    shown = repr(compliance.report_json(report)) + compliance.report_csv(report)
    assert "[participant]" in shown
    for form in forms.values():
        assert form not in shown
    assert head + tail not in shown.upper().replace("-", "").replace(" ", "")


def test_a_zero_width_space_does_not_hide_a_gift_card(session: Session) -> None:
    pid, doctor, _ = _practice(session)
    touch = _log(session, pid, "2026-03-01", "20", doctor, item="gift\u200bcard")
    assert "cash-equivalent" in {o.rule for o in touch.overrides}  # type: ignore[attr-defined]


@pytest.mark.parametrize("target", ["/dev/full", "fifo"])
def test_the_csv_never_replaces_a_device_or_blocks_on_a_fifo(
    session: Session, tmp_path: Path, target: str
) -> None:
    import os

    path = Path(target)
    if target == "fifo":
        path = tmp_path / "out.csv"
        os.mkfifo(path)
    report = compliance.compliance_report(session, PLAYBOOK, 2026)
    with pytest.raises(ValidationError, match="not a regular file"):
        compliance.write_report_csv(report, path, overwrite=True)
    assert not path.is_file()


@pytest.mark.parametrize(
    "setting",
    [
        "policy_cap_per_recipient = nan",
        "policy_cap_per_recipient = inf",
        "gift_after_referral_days = 1e9",
        "gift_after_referral_days = 7.5",
        "limit_notice_percent = 500",
    ],
)
def test_absurd_compliance_settings_are_refused_with_their_line(
    tmp_path: Path, setting: str
) -> None:
    from nurture_tui.domain.playbook.config import PlaybookError
    from nurture_tui.services.playbook import check_playbook_file

    path = tmp_path / "playbook.toml"
    path.write_text(f"[compliance]\n{setting}\n")
    with pytest.raises(PlaybookError, match="line 2"):
        check_playbook_file(path)


def test_the_json_report_says_when_the_limits_copy_was_not_used(session: Session) -> None:
    (config_directory() / compliance.LIMITS_FILE).write_text("nope [")
    report = compliance.compliance_report(session, PLAYBOOK, 2026)
    assert "using the shipped table" in compliance.report_json(report)["limit"]["table_problem"]
