"""Undo, history, and editing or deleting what was logged (issue 12): through the real
CLI where a rep would use it, and through the services for sync and met-in-person."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from cli_runner import Nurture
from conftest import FROZEN_NOW
from nurture_tui.domain.errors import NurtureError
from nurture_tui.services import records
from nurture_tui.services.history import recent_changes, undo_latest
from nurture_tui.services.session import Session
from nurture_tui.services.sync import sync
from nurture_tui.sync.contract import CalendarPage, MailPage, SentMessage
from nurture_tui.sync.meetings import Meeting


@pytest.fixture
def nurture(tmp_path: Path) -> Nurture:
    return Nurture(tmp_path / "home", tmp_path / "config")


def _mercy(nurture: Nurture) -> str:
    added: Any = nurture.json("partner", "add", "Mercy General", "--kind", "hospital")
    return str(added["id"])


def test_undo_reverts_a_stage_move_and_undo_again_redoes_it(nurture: Nurture) -> None:
    mercy = _mercy(nurture)
    nurture("partner", "edit", mercy, "--stage", "engaged")
    result = nurture("undo")
    assert result.stdout.startswith("Undid: Moved Mercy General from prospect to engaged")
    assert nurture.json("partner", "show", mercy)["stage"] == "prospect"  # type: ignore[index]
    again: Any = nurture.json("undo")
    assert again["change"]["summary"] == "Redid: Moved Mercy General from prospect to engaged"
    assert again["undone"]["action"] == "undo"
    assert nurture.json("partner", "show", mercy)["stage"] == "engaged"  # type: ignore[index]


def test_history_lists_changes_newest_first_with_the_contract_fields(nurture: Nurture) -> None:
    mercy = _mercy(nurture)
    nurture("log", "--partner", mercy, "--kind", "call")
    changes: Any = nurture.json("history", "--limit", "5")
    assert [c["summary"] for c in changes] == [
        "Logged a call with Mercy General",
        "Added Mercy General",
    ]
    assert set(changes[0]) == {
        "id",
        "at",
        "actor",
        "action",
        "summary",
        "records",
        "undoes",
        "undoable",
    }
    assert changes[0]["id"] > changes[1]["id"] and changes[0]["undoable"] is True
    text = nurture("history").stdout
    assert "Logged a call with Mercy General" in text.splitlines()[1]


def test_nothing_to_undo_is_one_line_and_exit_1(nurture: Nurture) -> None:
    result = nurture("undo", ok=False)
    assert result.returncode == 1
    assert result.stderr.strip() == "nurture: error: nothing to undo: no change has been made yet"
    failed = nurture("undo", "--json", ok=False)
    assert json.loads(failed.stdout)["error"]["message"].startswith("nothing to undo")


def test_the_demo_replaces_the_store_and_cannot_be_undone(nurture: Nurture) -> None:
    nurture("demo", "--partners", "3", "--touchpoints", "20")
    result = nurture("undo", ok=False)
    assert result.returncode == 1 and "nurture restore" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_touch_edit_takes_the_options_of_log_and_delete_is_undoable(nurture: Nurture) -> None:
    mercy = _mercy(nurture)
    sam: Any = nurture.json("contact", "add", "--partner", mercy, "Sam Ortiz")
    logged: Any = nurture.json("log", "--partner", mercy, "--kind", "call", "--note", "first")
    edited: Any = nurture.json(
        "touch",
        "edit",
        logged["id"][:6],
        "--kind",
        "meeting",
        "--at",
        "2026-11-20T10:00",
        "--contact",
        sam["id"],
        "--note",
        "met Sam about discharges",
        "--purpose",
        "discharge planning",
        "--requested",
    )
    assert edited["kind"] == "meeting" and edited["note"] == "met Sam about discharges"
    assert edited["contact_ids"] == [sam["id"]] and edited["at"].startswith("2026-11-20T10:00")
    shown: Any = nurture.json("touch", "show", logged["id"])
    assert shown["purpose"] == "discharge planning" and shown["contacts"] == ["Sam Ortiz"]
    deleted = nurture("touch", "delete", logged["id"])
    assert "undo with `nurture undo`" in deleted.stdout
    missing = nurture("touch", "show", logged["id"], ok=False)
    assert missing.returncode == 1
    nurture("undo")
    assert nurture.json("touch", "show", logged["id"])["kind"] == "meeting"  # type: ignore[index]


def test_touch_edit_refuses_bad_input_and_changes_nothing(nurture: Nurture) -> None:
    mercy = _mercy(nurture)
    logged: Any = nurture.json("log", "--partner", mercy, "--kind", "call")
    before = nurture("history").stdout
    late = nurture("touch", "edit", logged["id"], "--at", "9999-12-31T10:00", ok=False)
    assert late.returncode == 1 and len(late.stderr.strip().splitlines()) == 1
    stranger = nurture("touch", "edit", "zzzzzz", "--note", "x", ok=False)
    assert stranger.returncode == 1
    assert nurture("history").stdout == before


def test_referral_delete_and_undo_keep_the_participant_reference(nurture: Nurture) -> None:
    mercy = _mercy(nurture)
    added: Any = nurture.json(
        "referral",
        "add",
        "--partner",
        mercy,
        "--received",
        "2026-11-20",
        "--participant",
        "P-77341",
    )
    nurture("referral", "edit", added["id"], "--status", "admitted")
    nurture("referral", "delete", added["id"][:6])
    assert nurture.json("referral", "list") == []
    history = nurture("history", "--json").stdout
    assert "P-77341" not in history
    nurture("undo")
    listed: Any = nurture.json("referral", "list")
    [back] = listed
    assert back["participant"] == "P-77341" and back["status"] == "admitted"


# ------------------------------------------------------------------ services


class OnePageSource:
    """A source with some meetings and sent mail (one page each)."""

    name = "memory"

    def __init__(self, meetings: list[Meeting], messages: list[SentMessage]) -> None:
        self.meetings, self.messages = meetings, messages

    def fetch_calendar(self, cursor: dict[str, Any] | None) -> CalendarPage:
        return CalendarPage(self.meetings, cursor={"n": len(self.meetings)}, full=True)

    def fetch_sent_mail(self, cursor: dict[str, Any] | None) -> MailPage:
        return MailPage(self.messages, cursor={"n": len(self.messages)})


@pytest.fixture
def mercy(session: Session) -> str:
    partner = records.add_partner(session, "Mercy General", "hospital", domains=["mercy.org"])
    records.add_contact(session, partner.id, "Sam Ortiz", emails=["sam@mercy.org"])
    return partner.id


def _source() -> OnePageSource:
    sam = (("sam@mercy.org", "ACCEPTED"),)
    yesterday = FROZEN_NOW - timedelta(days=1)
    return OnePageSource(
        [
            Meeting("cal:a", yesterday, "Check-in", "rep@agency.org", sam),
            Meeting("cal:b", yesterday - timedelta(days=3), "Lunch", "rep@agency.org", sam),
        ],
        [SentMessage("msg:1", yesterday, "Hello", ("sam@mercy.org",))],
    )


def test_a_sync_run_is_one_change_and_undo_reverts_it_whole(session: Session, mercy: str) -> None:
    report = sync(session, _source())
    assert report.created == 3, report
    [latest, *_] = recent_changes(session)
    assert latest.summary == "Synced memory" and latest.records == 3
    undo_latest(session)
    assert list(session.repo.touchpoints(mercy)) == []


def test_a_deleted_synced_touchpoint_stays_deleted(session: Session, mercy: str) -> None:
    sync(session, _source())
    synced = list(session.repo.touchpoints(mercy))
    records.delete_touchpoint(session, synced[0].id)
    again = sync(session, _source())
    assert again.created == 0
    assert {t.id for t in session.repo.touchpoints(mercy)} == {t.id for t in synced[1:]}


def test_an_in_person_log_marks_its_contacts_met(session: Session, mercy: str) -> None:
    [sam] = session.repo.contacts(mercy)
    assert not sam.met_in_person
    zoom = records.draft_touchpoint(
        session, mercy, "in-service", contact_ids=[sam.id], purpose="Zoom in-service"
    )
    records.save_touchpoint(session, zoom)
    assert not session.repo.contact(sam.id).met_in_person
    visit = records.draft_touchpoint(session, mercy, "meeting", contact_ids=[sam.id])
    records.save_touchpoint(session, visit)
    assert session.repo.contact(sam.id).met_in_person
    undo_latest(session)  # the log and the mark are one change
    assert not session.repo.contact(sam.id).met_in_person


def test_a_planned_visit_does_not_mark_anyone_met(session: Session, mercy: str) -> None:
    [sam] = session.repo.contacts(mercy)
    draft = records.draft_touchpoint(
        session,
        mercy,
        "meeting",
        contact_ids=[sam.id],
        at=FROZEN_NOW + timedelta(days=2),
        planned=True,
    )
    records.save_touchpoint(session, draft)
    assert not session.repo.contact(sam.id).met_in_person


def test_undo_with_nothing_done_is_a_nurture_error(session: Session) -> None:
    with pytest.raises(NurtureError, match="nothing to undo"):
        undo_latest(session)


def test_undo_on_a_full_disk_changes_nothing_and_says_so(nurture: Nurture) -> None:
    import resource
    import signal

    mercy = _mercy(nurture)
    for n in range(5):
        nurture("log", "--partner", mercy, "--kind", "call", "--note", f"{n} " + "n" * 3000)
    before = nurture("history", "--json").stdout, nurture("partner", "show", mercy, "--json").stdout

    def full_disk() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, resource.RLIM_INFINITY))

    result = nurture("undo", ok=False, preexec=full_disk)
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1 and "full" in result.stderr
    after = nurture("history", "--json").stdout, nurture("partner", "show", mercy, "--json").stdout
    assert after == before
    assert nurture("undo").stdout.startswith("Undid: Logged a call with Mercy General")


def test_touch_edit_names_partners_and_contacts_and_takes_typed_dates(nurture: Nurture) -> None:
    mercy = _mercy(nurture)
    nurture("contact", "add", "--partner", "Mercy General", "Sam Ortiz")
    logged: Any = nurture.json("log", "--partner", mercy, "--kind", "call")
    result = nurture(
        "touch", "edit", logged["id"], "--contact", "sam ortiz", "--at", "yesterday 3pm"
    )
    assert "for " in result.stdout and "15:00" in result.stdout
    shown: Any = nurture.json("touch", "show", logged["id"])
    assert shown["contacts"] == ["Sam Ortiz"] and "T15:00:00" in shown["at"]
    wrong = nurture("touch", "edit", logged["id"], "--at", "someday", ok=False)
    assert wrong.returncode == 1 and len(wrong.stderr.strip().splitlines()) == 1
