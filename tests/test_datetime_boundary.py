"""Every date and time entering the domain is range-checked once, at its boundary.

``datetime`` happily holds 9999-12-31T23:00-05:00, which is year 10000 in UTC: any later
conversion raises OverflowError far from where the value came in (a sync, an export, the
store). So the typed parsers, the CSV and .ics readers, the sync core and the use cases
refuse anything outside 1900..2199 (UTC) with one ValidationError written for the rep.
Hostile values first; the accepted edges after.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from nurture_caldav.source import CalDavSource
from nurture_google.auth import credentials_from_info
from nurture_google.source import GoogleSource
from nurture_imap.source import _parse as imap_parse
from nurture_outlook.source import _meeting as outlook_meeting
from nurture_outlook.source import _sent as outlook_sent

from builders import alex_settings
from fakes.google_api import event, fake_google
from nurture_tui.domain.errors import ValidationError
from nurture_tui.domain.model import Milestone
from nurture_tui.domain.validation import (
    EARLIEST_MOMENT,
    LATEST_MOMENT,
    check_day,
    check_moment,
    parse_date,
    parse_datetime,
    to_utc,
)
from nurture_tui.invites.ics_reader import IcsError, parse_ics
from nurture_tui.services import invites, records
from nurture_tui.services.csv_import import import_csv
from nurture_tui.services.ics_import import import_ics
from nurture_tui.services.session import Session
from nurture_tui.sync.contract import CalendarPage, MailPage, SentMessage
from nurture_tui.sync.mail import reconcile_message
from nurture_tui.sync.matching import PeopleMatcher
from nurture_tui.sync.meetings import Meeting, Outcome, reconcile_meeting
from nurture_tui.sync.retry import RetryPolicy
from nurture_tui.sync.runner import run_sync

CHICAGO = ZoneInfo("America/Chicago")
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
MINUS_5 = timezone(timedelta(hours=-5))
PLUS_14 = timezone(timedelta(hours=14))
#: Year 10000 once in UTC: astimezone(UTC) raises OverflowError.
OVERFLOWS_LATE = datetime(9999, 12, 31, 23, 0, tzinfo=MINUS_5)
#: Year 0 once in UTC: astimezone(UTC) raises OverflowError.
OVERFLOWS_EARLY = datetime(1, 1, 1, 0, 0, tzinfo=PLUS_14)
RANGE = "must be between 1900 and 2199"


def one_line_refusal(exc: pytest.ExceptionInfo[ValidationError]) -> str:
    message = str(exc.value)
    assert RANGE in message and "\n" not in message
    return message


# ----------------------------------------------------------------- the pure checks


@pytest.mark.parametrize(
    "typed",
    [
        "9999-12-31T23:00-05:00",
        "0001-01-01T00:00+14:00",
        "9999-12-31",
        "1899-12-31",
        "2200-01-01",
        "12/31/9999",
        "1899-12-31T23:59:59.999999Z",
        "2200-01-01T00:00Z",
        "2199-12-31T23:00-05:00",  # 2199 locally, 2200 in UTC
        "1900-01-01T09:00+14:00",  # 1900 locally, 1899 in UTC
    ],
)
def test_parse_datetime_refuses_out_of_range_moments(typed: str) -> None:
    with pytest.raises(ValidationError) as refused:
        parse_datetime(typed, CHICAGO, "time of the visit")
    assert one_line_refusal(refused).startswith("the time of the visit must be between")


@pytest.mark.parametrize("moment", [OVERFLOWS_LATE, OVERFLOWS_EARLY])
def test_check_moment_turns_an_overflow_into_a_validation_error(moment: datetime) -> None:
    with pytest.raises(OverflowError):
        moment.astimezone(UTC)  # what would have crashed somewhere later
    with pytest.raises(ValidationError) as refused:
        check_moment(moment, "start")
    assert moment.isoformat() in one_line_refusal(refused)  # dates are not sensitive


def test_check_moment_refuses_a_naive_moment() -> None:
    with pytest.raises(ValidationError, match="no timezone"):
        check_moment(datetime(2026, 11, 2, 9, 30))


def test_to_utc_refuses_instead_of_overflowing() -> None:
    with pytest.raises(ValidationError, match=RANGE):
        to_utc(OVERFLOWS_LATE)
    assert to_utc(datetime(2026, 11, 2, 9, 30, tzinfo=CHICAGO)).tzinfo is UTC


@pytest.mark.parametrize(
    "typed", ["9999-12-31", "1899-12-31", "2200-01-01", "0001-01-01", "12/31/9999"]
)
def test_parse_date_refuses_out_of_range_days_naming_the_field(typed: str) -> None:
    with pytest.raises(ValidationError) as refused:
        parse_date(typed, "birthday")
    assert one_line_refusal(refused).startswith("the birthday must be between")


def test_a_malformed_date_is_still_reported_as_malformed() -> None:
    with pytest.raises(ValidationError, match="is not a date"):
        parse_date("31/31/2026")
    with pytest.raises(ValidationError, match="is not a date and time"):
        parse_datetime("the tuesday after next", CHICAGO)


@pytest.mark.parametrize(
    ("typed", "instant"),
    [
        ("2199-12-31T23:59Z", datetime(2199, 12, 31, 23, 59, tzinfo=UTC)),
        ("2199-12-31T23:59:59.999999+00:00", LATEST_MOMENT - timedelta(microseconds=1)),
        ("1900-01-01T00:00Z", EARLIEST_MOMENT),
        ("1900-01-01T09:00+09:00", EARLIEST_MOMENT),
        ("2026-11-02 09:30", datetime(2026, 11, 2, 15, 30, tzinfo=UTC)),
    ],
)
def test_the_edges_of_the_range_are_accepted(typed: str, instant: datetime) -> None:
    assert parse_datetime(typed, CHICAGO) == instant


def test_check_moment_returns_the_value_with_its_zone_kept() -> None:
    moment = datetime(2026, 12, 3, 14, 0, tzinfo=CHICAGO)
    assert check_moment(moment) is moment


def test_days_at_the_edges_are_accepted() -> None:
    assert parse_date("2199-12-31") == date(2199, 12, 31)
    assert parse_date("01/01/1900") == date(1900, 1, 1)
    assert check_day(date(2026, 11, 2)) == date(2026, 11, 2)


def test_the_bounds_are_aware_utc_datetimes_for_the_store() -> None:
    assert datetime(1900, 1, 1, tzinfo=UTC) == EARLIEST_MOMENT
    assert datetime(2200, 1, 1, tzinfo=UTC) == LATEST_MOMENT
    assert EARLIEST_MOMENT.tzinfo is UTC and LATEST_MOMENT.tzinfo is UTC


# --------------------------------------------------------------------------- .ics

ICS_HEAD = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//boundary//EN\r\n"
ICS_TAIL = "END:VCALENDAR\r\n"
GOOD_EVENT = (
    "BEGIN:VEVENT\r\nUID:good-1@example.org\r\nDTSTART:20261110T160000Z\r\n"
    "DTEND:20261110T170000Z\r\nSUMMARY:Check-in\r\n"
    "ORGANIZER:mailto:alex@homecare.example\r\nATTENDEE;CN=Sam:mailto:sam@mercy.org\r\n"
    "END:VEVENT\r\n"
)
PAGO_PAGO_EVENT = (
    "BEGIN:VEVENT\r\nUID:far-future@example.org\r\n"
    "DTSTART;TZID=Pacific/Pago_Pago:99991231T230000\r\nSUMMARY:Lunch\r\n"
    "ORGANIZER:mailto:alex@homecare.example\r\nATTENDEE;CN=Sam:mailto:sam@mercy.org\r\n"
    "END:VEVENT\r\n"
)
WINDOW = (NOW - timedelta(days=365), NOW + timedelta(days=92))


def ics(*events: str) -> bytes:
    return (ICS_HEAD + "".join(events) + ICS_TAIL).encode()


@pytest.fixture
def rep(session: Session) -> Session:
    """A rep with Mercy General (Sam) and an address and agency for sync and invites."""
    settings = alex_settings()
    rep = Session(session.repo, settings, lambda: NOW)
    mercy = records.add_partner(rep, "Mercy General", "hospital", domains=["mercy.org"])
    records.add_contact(rep, mercy.id, "Sam Ortiz", emails=["sam@mercy.org"])
    return rep


def mercy_touches(rep: Session) -> list[Any]:
    [mercy] = [p for p in rep.repo.partners() if p.name == "Mercy General"]
    return list(rep.repo.touchpoints(mercy.id))


def test_a_pago_pago_event_in_year_9999_is_refused_naming_the_event() -> None:
    with pytest.raises(IcsError) as refused:
        parse_ics(ics(PAGO_PAGO_EVENT), "lunch.ics", window=WINDOW, local_zone=CHICAGO)
    message = one_line_refusal(refused)
    assert message.startswith("lunch.ics: ") and "far-future@example.org" in message


@pytest.mark.parametrize(
    "hostile",
    [
        "DTSTART;VALUE=DATE:18991231",
        "DTSTART:00010101T000000Z",
        "DTSTART:21991231T230000Z\r\nDURATION:PT2H",  # the end leaves the range
        "DTSTART:20261110T160000Z\r\nDTEND;TZID=Pacific/Pago_Pago:99991231T230000",
    ],
)
def test_any_out_of_range_time_in_an_event_refuses_the_file(hostile: str) -> None:
    bad = f"BEGIN:VEVENT\r\nUID:bad@example.org\r\n{hostile}\r\nEND:VEVENT\r\n"
    with pytest.raises(IcsError) as refused:
        parse_ics(ics(bad), "bad.ics", window=WINDOW, local_zone=CHICAGO)
    assert "bad@example.org" in one_line_refusal(refused)


def test_importing_a_file_with_one_bad_event_imports_nothing(rep: Session, tmp_path: Path) -> None:
    path = tmp_path / "mixed.ics"
    path.write_bytes(ics(GOOD_EVENT, PAGO_PAGO_EVENT))
    with pytest.raises(ValidationError) as refused:
        import_ics(rep, path)
    assert "far-future@example.org" in one_line_refusal(refused)
    assert mercy_touches(rep) == []  # the file is refused whole, as for any bad event


def test_in_a_folder_the_bad_file_is_reported_and_the_good_one_imported(
    rep: Session, tmp_path: Path
) -> None:
    folder = tmp_path / "calendars"
    folder.mkdir()
    (folder / "good.ics").write_bytes(ics(GOOD_EVENT))
    (folder / "lunch.ics").write_bytes(ics(PAGO_PAGO_EVENT))
    report = import_ics(rep, folder)
    assert report.files == 1 and report.created == 1
    [error] = report.errors
    assert "lunch.ics" in error and "far-future@example.org" in error and RANGE in error
    [touch] = mercy_touches(rep)
    assert touch.at == datetime(2026, 11, 10, 16, 0, tzinfo=UTC)


# ---------------------------------------------------------------------------- CSV


@pytest.mark.parametrize(
    ("column", "cell"),
    [("Birthday", "9999-12-31"), ("Started", "12/31/1899"), ("Birthday", "0001-01-01")],
)
def test_a_csv_row_with_an_out_of_range_date_imports_nothing(
    session: Session, tmp_path: Path, column: str, cell: str
) -> None:
    path = tmp_path / "partners.csv"
    path.write_text(
        f"Organization,Type,Contact Name,Email,{column}\n"
        "Hope Hospice,hospice,Nora Baker,nora@hope.org,2026-01-02\n"
        f"Mercy General,hospital,Sam Ortiz,sam@mercy.org,{cell}\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as refused:
        import_csv(session, path)
    message = one_line_refusal(refused)
    assert "partners.csv line 3" in message
    assert list(session.repo.partners()) == []


# ---------------------------------------------------------------------- use cases


def test_contact_days_are_range_checked_by_the_use_cases(rep: Session) -> None:
    [mercy] = list(rep.repo.partners())
    with pytest.raises(ValidationError, match=f"birthday {RANGE}"):
        records.add_contact(rep, mercy.id, "Ann Lee", birthday=date(9999, 12, 31))
    with pytest.raises(ValidationError, match=f"start date {RANGE}"):
        records.add_contact(rep, mercy.id, "Ann Lee", started=date(1, 1, 1))
    [sam] = list(rep.repo.contacts(mercy.id))
    with pytest.raises(ValidationError, match=f"milestone date {RANGE}"):
        records.edit_contact(rep, sam.id, milestones=(Milestone(date(9999, 1, 1), "promoted"),))
    with pytest.raises(ValidationError, match=f"birthday {RANGE}"):
        records.edit_contact(rep, sam.id, birthday=date(1899, 12, 31))
    assert [c.name for c in rep.repo.contacts(mercy.id)] == ["Sam Ortiz"]
    assert rep.repo.contact(sam.id).milestones == ()


def test_referral_and_touchpoint_times_are_range_checked(rep: Session) -> None:
    [mercy] = list(rep.repo.partners())
    with pytest.raises(ValidationError, match=f"received date {RANGE}"):
        records.add_referral(rep, mercy.id, date(1, 1, 1))
    with pytest.raises(ValidationError, match=f"received date {RANGE}"):
        records.add_referral(rep, mercy.id, date(9999, 12, 31))  # not "in the future"
    with pytest.raises(ValidationError, match=f"touchpoint {RANGE}"):
        records.draft_touchpoint(rep, mercy.id, "check-in", at=OVERFLOWS_LATE)
    assert list(rep.repo.referrals(mercy.id)) == []


def test_an_invite_cannot_start_or_end_out_of_range(rep: Session) -> None:
    [mercy] = list(rep.repo.partners())
    with pytest.raises(ValidationError, match=f"invite start {RANGE}"):
        invites.create_invite(rep, mercy.id, "check-in", OVERFLOWS_LATE)
    late = datetime(2199, 12, 31, 23, 30, tzinfo=UTC)
    with pytest.raises(ValidationError, match=f"invite end {RANGE}"):
        invites.create_invite(rep, mercy.id, "check-in", late, duration_minutes=60)
    assert invites.invites(rep) == []
    assert mercy_touches(rep) == []


# --------------------------------------------------------------------------- sync


def test_a_meeting_out_of_range_is_skipped_with_a_warning(rep: Session) -> None:
    matcher = PeopleMatcher.from_repo(
        rep.repo, frozenset({"alex@homecare.example"}), frozenset({"homecare.example"})
    )
    outcome = Outcome(save=[], unmatched=set())
    for start in (OVERFLOWS_LATE, OVERFLOWS_EARLY):
        sam = (("sam@mercy.org", "ACCEPTED"),)
        meeting = Meeting("cal:primary:ev9", start, "P-4821 lunch", "alex@homecare.example", sam)
        reconcile_meeting(meeting, matcher, rep.repo, source="google", now=NOW, outcome=outcome)
    message = SentMessage("msg:m9", OVERFLOWS_LATE, "P-4821", ("sam@mercy.org",))
    reconcile_message(
        message, matcher, rep.repo, source="google", keep_subject=True, outcome=outcome
    )
    assert outcome.save == [] and outcome.created == 0
    assert len(outcome.warnings) == 3
    assert all(RANGE in w and "\n" not in w for w in outcome.warnings)
    assert outcome.warnings[0].startswith("skipped event cal:primary:ev9: the start must")
    assert outcome.warnings[2].startswith("skipped message msg:m9: the date must")
    assert not any("P-4821" in w for w in outcome.warnings)  # titles never leak


@dataclass
class MemorySource:
    """A sync source held in memory: whatever meetings and messages a test gives it."""

    meetings: list[Meeting]
    messages: list[SentMessage] = field(default_factory=list)
    name: str = "memory"

    def fetch_calendar(self, cursor: dict[str, Any] | None) -> CalendarPage:
        return CalendarPage(self.meetings, cursor={"n": len(self.meetings)})

    def fetch_sent_mail(self, cursor: dict[str, Any] | None) -> MailPage:
        return MailPage(self.messages, cursor={"n": len(self.messages)})


def hostile_source() -> MemorySource:
    sam = (("sam@mercy.org", "ACCEPTED"),)
    return MemorySource(
        meetings=[
            Meeting("cal:bad", OVERFLOWS_LATE, "Lunch", "alex@homecare.example", sam),
            Meeting("cal:old", OVERFLOWS_EARLY, "Lunch", "alex@homecare.example", sam),
            Meeting("cal:good", NOW - timedelta(days=1), "Check-in", "alex@homecare.example", sam),
        ],
        messages=[
            SentMessage("msg:bad", OVERFLOWS_LATE, "Hello", ("sam@mercy.org",)),
            SentMessage("msg:good", NOW - timedelta(hours=2), "Hello", ("sam@mercy.org",)),
        ],
    )


def test_a_sync_skips_out_of_range_items_and_keeps_the_rest(rep: Session) -> None:
    report = run_sync(rep, hostile_source())
    assert report.status == "ok", report.message
    assert report.created == 2
    touches = mercy_touches(rep)
    assert sorted(t.kind.value for t in touches) == ["check-in", "email"]
    assert all(EARLIEST_MOMENT <= t.at < LATEST_MOMENT for t in touches)
    again = run_sync(rep, hostile_source())  # and the store still reads and writes
    assert again.status == "ok" and again.created == 0


def test_the_sync_report_carries_the_skip_warnings(rep: Session) -> None:
    report = run_sync(rep, hostile_source())
    skipped = [w for w in report.warnings if w.startswith("skipped")]
    assert len(skipped) == 3 and all(RANGE in w for w in skipped)


FAST = RetryPolicy(attempts=2, base_delay=0.0, max_delay=0.0, budget=5.0)


@pytest.fixture
def google() -> Iterator[tuple[str, Any]]:
    with fake_google() as served:
        yield served


def test_google_sync_survives_absurd_and_unreadable_event_times(
    rep: Session, google: tuple[str, Any]
) -> None:
    base, state = google
    credentials = credentials_from_info(
        {
            "refresh_token": "rt-good",
            "client_id": "cid",
            "client_secret": "secret",
            "token_uri": f"{base}token",
            "token": "expired",
            "expiry": "2000-01-01T00:00:00Z",
        }
    )
    state.put_event("primary", event(["sam@mercy.org"], "Check-in", NOW - timedelta(days=1)))
    absurd = event(["sam@mercy.org"], "Lunch", NOW, event_id="absurd")
    absurd["start"] = {"dateTime": "9999-12-31T23:00:00-05:00"}
    state.put_event("primary", absurd)
    unreadable = event(["sam@mercy.org"], "Lunch", NOW, event_id="unreadable")
    unreadable["start"] = {"dateTime": "10000-01-01T00:00:00Z"}
    state.put_event("primary", unreadable)
    state.send("e1", "sam@mercy.org", "Hello", NOW - timedelta(hours=1))
    state.send("e2", "sam@mercy.org", "Hello again", NOW - timedelta(hours=1))
    headers = state.messages["e2"]["payload"]["headers"]
    for header in headers:
        if header["name"] == "Date":
            header["value"] = "Fri, 31 Dec 9999 23:00:00 -0500"
    source = GoogleSource(
        credentials,
        calendars=["primary"],
        window=WINDOW,
        api_root=base,
        retry=FAST,
        sleep=lambda _: None,
    )
    report = run_sync(rep, source)
    assert report.status == "ok", report.message
    touches = mercy_touches(rep)
    assert sorted(t.kind.value for t in touches) == ["check-in", "email"]
    assert all(t.at.year == 2026 for t in touches)


def test_source_parsers_never_raise_on_unusable_dates() -> None:
    huge = b"To: sam@mercy.org\r\nDate: Fri, 31 Dec 99999999999999999999 23:00:00 -0500\r\n\r\n"
    assert imap_parse(1, huge) is None  # parsedate_to_datetime raises OverflowError here
    absurd = imap_parse(2, b"To: sam@mercy.org\r\nDate: Fri, 31 Dec 9999 23:00:00 -0500\r\n\r\n")
    assert absurd is not None and absurd.sent_at == OVERFLOWS_LATE  # the core refuses it
    assert outlook_sent({"id": "x", "sentDateTime": "10000-01-01T00:00:00Z"}) is None
    assert outlook_meeting({"start": {"dateTime": "not a time"}}, "cal:x") is None
    pago = outlook_meeting(
        {"start": {"dateTime": "9999-12-31T23:00:00.0000000", "timeZone": "Pacific/Pago_Pago"}},
        "cal:y",
    )
    assert pago is not None
    with pytest.raises(ValidationError, match=RANGE):
        check_moment(pago.start)


def test_caldav_drops_an_object_with_an_out_of_range_event_without_crashing() -> None:
    source = CalDavSource("https://dav.example/", "alex", "pw", window=WINDOW, zone=CHICAGO)
    assert (
        source._meetings("https://dav.example/cal/", "lunch.ics", ics(PAGO_PAGO_EVENT).decode())
        == []
    )
    [good] = source._meetings("https://dav.example/cal/", "good.ics", ics(GOOD_EVENT).decode())
    assert good.start == datetime(2026, 11, 10, 16, 0, tzinfo=UTC)


# ---------------------------------------------------------------- the real command


class Nurture:
    """The installed ``nurture`` in a subprocess, as a rep or a cron job runs it."""

    def __init__(self, tmp_path: Path) -> None:
        self.env = {
            **os.environ,
            "NURTURE_HOME": str(tmp_path / "home"),
            "NURTURE_CONFIG_DIR": str(tmp_path / "config"),
            "NURTURE_TIMEZONE": "America/Chicago",
        }

    def __call__(self, *args: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "nurture_tui.cli", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert "Traceback" not in result.stderr, result.stderr
        return result

    def refuses(self, *args: str) -> str:
        result = self(*args)
        assert result.returncode == 1, result.stderr
        [line] = result.stderr.strip().splitlines()
        assert line.startswith("nurture: error: ") and RANGE in line
        return line


@pytest.fixture
def nurture(tmp_path: Path) -> Nurture:
    return Nurture(tmp_path)


def test_the_cli_refuses_out_of_range_times_in_one_line(nurture: Nurture) -> None:
    added = nurture("partner", "add", "Mercy General", "--kind", "hospital", "--json")
    assert added.returncode == 0, added.stderr
    pid = json.loads(added.stdout)["id"]
    line = nurture.refuses(
        "log", "--partner", pid, "--kind", "gift", "--at", "9999-12-31T23:00-05:00"
    )
    assert "9999-12-31T23:00:00-05:00" in line
    nurture.refuses("log", "--partner", pid, "--kind", "gift", "--at", "0001-01-01T00:00+14:00")
    nurture.refuses("next", "--today", "9999-12-31")
    nurture.refuses("next", "--today", "0001-01-01")
    nurture.refuses("referral", "add", "--partner", pid, "--received", "1899-12-31")
    nurture.refuses("contact", "add", "--partner", pid, "Sam Ortiz", "--birthday", "9999-12-31")
    nurture.refuses(
        "invite", "--partner", pid, "--kind", "check-in", "--start", "9999-12-31T23:00-05:00"
    )
    listed = nurture("partner", "list")
    assert listed.returncode == 0 and "Mercy General" in listed.stdout
    logged = nurture("log", "--partner", pid, "--kind", "gift", "--at", "2199-12-31T23:59Z")
    assert logged.returncode == 0, logged.stderr
    assert nurture("next", "--today", "2199-12-31").returncode == 0
    assert nurture("next", "--today", "1900-01-01").returncode == 0
