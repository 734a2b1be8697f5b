"""Dates and times as people type them, read against a fixed "now".

Hostile input first (a refusal is one line naming what is accepted, never a traceback),
then every form a rep types, the weekday and year-less choices both ways, year-less
birthdays through the real store, and the CLI echoing back what it understood.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from builders import contact, history, partner
from nurture_tui import cli
from nurture_tui.commands import output
from nurture_tui.domain import codec
from nurture_tui.domain.dates import (
    MonthDay,
    Tense,
    describe_day,
    describe_moment,
    read_birthday,
)
from nurture_tui.domain.errors import ValidationError
from nurture_tui.domain.model import Milestone
from nurture_tui.domain.playbook.config import load_playbook
from nurture_tui.domain.playbook.engine import suggest
from nurture_tui.domain.validation import parse_birthday, parse_date, parse_datetime
from nurture_tui.services import records
from nurture_tui.services.playbook import default_playbook_text
from nurture_tui.services.present import contact_json
from nurture_tui.services.session import Session
from nurture_tui.store.opening import open_store

CHICAGO = ZoneInfo("America/Chicago")
#: A Wednesday, noon in Chicago.
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=CHICAGO)
TODAY = NOW.date()
PAST, FUTURE = Tense.PAST, Tense.FUTURE


def local(*fields: int) -> datetime:
    return datetime(*fields, tzinfo=CHICAGO)  # type: ignore[misc]


def moment(text: str, tense: Tense | None = PAST) -> datetime:
    return parse_datetime(text, CHICAGO, now=NOW, tense=tense)


def refusal(call: Callable[[], object]) -> str:
    """The one line a refusal says; it must be one line, escaped, and short."""
    with pytest.raises(ValidationError) as refused:
        call()
    message = str(refused.value)
    assert "\n" not in message and "\x1b" not in message and "\u202e" not in message
    assert len(message) < 400, message
    return message


# --- hostile input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "named"),
    [
        ("tomorrow 25:00", "'25:00' is not a time of day"),
        ("yesterday 13pm", "'13pm' is not a time of day"),
        ("tomorrow 10", "'10' is not a time of day"),
        ("Tue 23 Nov 2026", "23 Nov 2026 is a Monday"),
        ("3pm EST", "the time zone 'EST' is ambiguous"),
        ("11/23/2026 3pm GMT+1", "write the offset as -05:00"),
        ("2026", "it needs at least a month and a day"),
        ("23", "it needs at least a month and a day"),
        ("February 30", "is not a date and time"),
        ("10000-01-01", "is not a date and time"),
        ("99999999999999999999", "is not a date and time"),
        ("\x1b[2J3pm", "'\\x1b[2J3pm' is not a date and time"),
        ("\u202e3pm", "'\\u202e3pm' is not a date and time"),
        ("", "is empty"),
    ],
)
def test_unreadable_times_are_refused_in_one_line_naming_the_problem(
    typed: str, named: str
) -> None:
    message = refusal(lambda: moment(typed))
    assert named in message
    if "ambiguous" not in message and "empty" not in message:
        assert "try today 3pm, yesterday 15:00, tue 10:00" in message  # the accepted forms


@pytest.mark.parametrize(
    "typed", ["9999-12-31", "12/31/9999 3pm", "1899-12-30 23:00", "01/01/0001"]
)
def test_years_out_of_range_are_refused_with_the_range(typed: str) -> None:
    assert "must be between 1900 and 2199" in refusal(lambda: moment(typed))
    assert "must be between 1900 and 2199" in refusal(lambda: parse_date(typed, today=TODAY))


def test_a_five_megabyte_argument_is_refused_before_any_parser_sees_it() -> None:
    huge = "11/23/2026 " * 500_000
    for call in (
        lambda: moment(huge),
        lambda: parse_date(huge, today=TODAY),
        lambda: parse_birthday(huge),
    ):
        assert "characters long" in refusal(call)


def test_a_bare_weekday_without_a_tense_asks_which_one() -> None:
    message = refusal(lambda: moment("tue 10:00", tense=None))
    assert "which Tuesday? write last tue or next tue" in message
    assert moment("next tue 10:00", tense=None) == local(2026, 12, 1, 10, 0)


# --- the forms people type ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("today", local(2026, 11, 25, 0, 0)),
        ("yesterday", local(2026, 11, 24, 0, 0)),
        ("tomorrow", local(2026, 11, 26, 0, 0)),
        ("now", NOW),
        ("yesterday 3pm", local(2026, 11, 24, 15, 0)),
        ("Yesterday at 3:30 p.m.", local(2026, 11, 24, 15, 30)),
        ("tomorrow 9am", local(2026, 11, 26, 9, 0)),
        ("3pm", local(2026, 11, 25, 15, 0)),
        ("15:00", local(2026, 11, 25, 15, 0)),
        ("noon", local(2026, 11, 25, 12, 0)),
        ("11/23/2026 3:00 PM", local(2026, 11, 23, 15, 0)),
        ("11/23/2026 15:00", local(2026, 11, 23, 15, 0)),  # refused before this change
        ("11/20/2026", local(2026, 11, 20, 0, 0)),
        ("11/23", local(2026, 11, 23, 0, 0)),
        ("11/23 3pm", local(2026, 11, 23, 15, 0)),
        ("Nov 23, 2026 at 3pm", local(2026, 11, 23, 15, 0)),
        ("Mon 23 Nov 2026 15:00", local(2026, 11, 23, 15, 0)),
        ("2026-11-23", local(2026, 11, 23, 0, 0)),
        ("2026-11-23 15:00", local(2026, 11, 23, 15, 0)),
        ("2026-11-23T15:00Z", datetime(2026, 11, 23, 15, 0, tzinfo=UTC)),
        (
            "2026-11-23T15:00-05:00",
            datetime(2026, 11, 23, 15, 0, tzinfo=timezone(timedelta(hours=-5))),
        ),
        ("11/23/2026 3pm UTC", datetime(2026, 11, 23, 15, 0, tzinfo=UTC)),
    ],
)
def test_every_form_a_rep_types_is_read(typed: str, meant: datetime) -> None:
    read = moment(typed)
    assert read == meant
    assert read.utcoffset() == meant.utcoffset()


@pytest.mark.parametrize(
    ("typed", "past", "future"),
    [
        # Tuesday was yesterday: a log means it, an invite means next week's.
        ("tue 10:00", local(2026, 11, 24, 10, 0), local(2026, 12, 1, 10, 0)),
        ("thursday 9am", local(2026, 11, 19, 9, 0), local(2026, 11, 26, 9, 0)),
        # Today is a Wednesday: the time of day decides which side of now it falls.
        ("wed 11:00", local(2026, 11, 25, 11, 0), local(2026, 12, 2, 11, 0)),
        ("wed 13:00", local(2026, 11, 18, 13, 0), local(2026, 11, 25, 13, 0)),
        ("wed", local(2026, 11, 25, 0, 0), local(2026, 11, 25, 0, 0)),
        # "next" and "last" say it themselves, whatever the tense.
        ("next wed", local(2026, 12, 2, 0, 0), local(2026, 12, 2, 0, 0)),
        ("last wed 3pm", local(2026, 11, 18, 15, 0), local(2026, 11, 18, 15, 0)),
        # A year-less date: the latest past one for a log, the coming one for an invite.
        ("11/23", local(2026, 11, 23, 0, 0), local(2027, 11, 23, 0, 0)),
        ("March 14 10am", local(2026, 3, 14, 10, 0), local(2027, 3, 14, 10, 0)),
        ("12/01", local(2025, 12, 1, 0, 0), local(2026, 12, 1, 0, 0)),
    ],
)
def test_a_weekday_or_a_year_less_date_follows_the_tense(
    typed: str, past: datetime, future: datetime
) -> None:
    assert moment(typed, PAST) == past
    assert moment(typed, FUTURE) == future


def test_relative_words_follow_the_given_now_not_the_system_clock() -> None:
    new_year = datetime(2031, 1, 1, 0, 30, tzinfo=CHICAGO)
    assert parse_datetime("yesterday 3pm", CHICAGO, now=new_year) == local(2030, 12, 31, 15, 0)
    # now is in UTC, the rep in Chicago: "today" is the rep's day.
    utc_now = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)  # 24 Nov, 21:00 in Chicago
    assert parse_datetime("today", CHICAGO, now=utc_now) == local(2026, 11, 24, 0, 0)


@pytest.mark.parametrize(
    ("typed", "past", "future"),
    [
        ("today", date(2026, 11, 25), date(2026, 11, 25)),
        ("yesterday", date(2026, 11, 24), date(2026, 11, 24)),
        ("tue", date(2026, 11, 24), date(2026, 12, 1)),
        ("wed", date(2026, 11, 25), date(2026, 11, 25)),
        ("11/23", date(2026, 11, 23), date(2027, 11, 23)),
        ("--0314", date(2026, 3, 14), date(2027, 3, 14)),
        ("11/23/2026", date(2026, 11, 23), date(2026, 11, 23)),
        ("2026-11-23", date(2026, 11, 23), date(2026, 11, 23)),
        ("November 23 2026", date(2026, 11, 23), date(2026, 11, 23)),
        ("11/23/2026 3:00 PM", date(2026, 11, 23), date(2026, 11, 23)),  # the time is dropped
    ],
)
def test_days_are_read_the_same_way(typed: str, past: date, future: date) -> None:
    assert parse_date(typed, today=TODAY, tense=PAST) == past
    assert parse_date(typed, today=TODAY, tense=FUTURE) == future


def test_old_callers_keep_working_without_now_or_tense() -> None:
    assert parse_date("2026-11-02") == parse_date("11/02/2026") == date(2026, 11, 2)
    assert parse_datetime("2026-11-02 09:30", CHICAGO) == local(2026, 11, 2, 9, 30)
    assert parse_date("today") == date.today()


# --- birthdays and anniversaries without a year ---------------------------------------------


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("March 14", MonthDay(3, 14)),
        ("14 March", MonthDay(3, 14)),
        ("Mar 14", MonthDay(3, 14)),
        ("03-14", MonthDay(3, 14)),
        ("3/14", MonthDay(3, 14)),
        ("--0314", MonthDay(3, 14)),
        ("--03-14", MonthDay(3, 14)),
        ("Feb 29", MonthDay(2, 29)),
        ("1980-03-14", date(1980, 3, 14)),
        ("03/14/1980", date(1980, 3, 14)),
        ("March 14, 1980", date(1980, 3, 14)),
    ],
)
def test_birthdays_with_or_without_a_year(typed: str, meant: date | MonthDay) -> None:
    assert parse_birthday(typed) == meant
    assert type(parse_birthday(typed)) is type(meant)


@pytest.mark.parametrize(
    ("typed", "named"),
    [
        ("today", "it needs the month and day"),
        ("tue", "it needs the month and day"),
        ("Feb 30", "is not a birthday"),
        ("--1399", "that day does not exist"),
        ("March", "it needs at least a month and a day"),
        ("March 14 3pm", "it is a day, without a time"),
        ("9999-03-14", "must be between 1900 and 2199"),
        ("1604-03-14", "must be between 1900 and 2199"),  # the year kept for year-less days
    ],
)
def test_birthdays_that_are_not_days_are_refused(typed: str, named: str) -> None:
    assert named in refusal(lambda: parse_birthday(typed))


def test_a_day_of_the_year_writes_and_reads_rfc_6350_text() -> None:
    day = MonthDay(3, 14)
    assert day.isoformat() == str(day) == "--0314"
    assert MonthDay.fromisoformat("--0314") == MonthDay.fromisoformat("--03-14") == day
    assert f"{day:%d %b}" == "14 Mar"
    assert describe_day(day) == "14 Mar"
    assert MonthDay(2, 29).in_year(2027) == date(2027, 3, 1)
    assert MonthDay(2, 29).in_year(2028) == date(2028, 2, 29)
    with pytest.raises(ValueError, match="no year"):
        f"{day:%Y}"
    with pytest.raises(ValidationError):
        MonthDay(2, 30)
    assert read_birthday("--0229") == MonthDay(2, 29)


def test_year_less_birthdays_and_milestones_round_trip_through_the_store(
    session: Session, store_dir: object
) -> None:
    p = records.add_partner(session, "Mercy General", "hospital")
    sam = records.add_contact(session, p.id, "Sam Ortiz", birthday=parse_birthday("March 14"))
    ann = records.add_contact(session, p.id, "Ann Lee", birthday=parse_birthday("1980-03-14"))
    records.edit_contact(
        session,
        sam.id,
        milestones=(Milestone(MonthDay(6, 12), "wedding anniversary"),),
    )
    reopened = open_store(store_dir)  # type: ignore[arg-type]
    stored_sam, stored_ann = reopened.contact(sam.id), reopened.contact(ann.id)
    assert stored_sam.birthday == MonthDay(3, 14)
    assert stored_sam.milestones == (Milestone(MonthDay(6, 12), "wedding anniversary"),)
    assert stored_ann.birthday == date(1980, 3, 14)  # dated birthdays read as before
    # The export document, the undo image and the CLI's JSON all carry --0314.
    doc = codec.contact_to_doc(stored_sam)
    assert doc["birthday"] == "--0314" and doc["milestones"][0]["on"] == "--0612"
    assert codec.contact_from_doc(sam.id, doc) == stored_sam
    assert contact_json(stored_sam)["birthday"] == "--0314"
    # Giving the year later replaces the year-less day.
    records.edit_contact(session, sam.id, birthday=date(1979, 3, 14))
    assert open_store(store_dir).contact(sam.id).birthday == date(1979, 3, 14)  # type: ignore[arg-type]


def test_a_year_less_birthday_or_anniversary_gets_its_note_every_year() -> None:
    playbook = load_playbook(default_playbook_text())
    p = partner()
    today = date(2027, 3, 11)
    people = [
        contact(p, "Ann Lee", birthday=MonthDay(3, 14)),
        contact(p, "Bo Kim", milestones=(Milestone(MonthDay(3, 12), "wedding anniversary"),)),
        contact(p, "Cy Diaz", birthday=MonthDay(9, 1)),
    ]
    found = suggest([history(p, contacts=people)], today, UTC, playbook, [])
    reasons = " ".join(a.reason for a in found if a.rule == "handwritten-note")
    assert "Ann Lee's birthday" in reasons
    assert "wedding anniversary" in reasons
    assert "Cy Diaz" not in reasons


# --- describing -----------------------------------------------------------------------------


def test_describe_moment_says_the_day_the_way_a_rep_reads_it() -> None:
    at = local(2026, 11, 23, 15, 0)
    assert describe_moment(at, NOW) == "Mon 23 Nov 15:00"
    assert describe_moment(at) == "Mon 23 Nov 2026 15:00"
    assert describe_moment(local(2027, 1, 4, 9, 5), NOW) == "Mon 4 Jan 2027 09:05"
    assert describe_day(date(2026, 11, 2), TODAY) == "Mon 2 Nov"


# --- the CLI, in process, with the session's clock fixed ------------------------------------

#: Monday 23 Nov 2026, 09:00 in Chicago (the conftest's frozen clock).
CLI_NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


@pytest.fixture
def run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Iterator[Callable[..., tuple[int, str, str]]]:
    opened = output.open_session

    def frozen(*args: object, **kwargs: object) -> Session:
        session = opened(*args, **kwargs)  # type: ignore[arg-type]
        return replace(session, clock=lambda: CLI_NOW)

    monkeypatch.setattr(output, "open_session", frozen)

    def call(*argv: str) -> tuple[int, str, str]:
        code = cli.main(list(argv))
        captured = capsys.readouterr()
        assert "Traceback" not in captured.err
        return code, captured.out, captured.err

    yield call


def test_the_cli_reads_dates_as_typed_and_echoes_what_it_understood(
    run: Callable[..., tuple[int, str, str]],
) -> None:
    code, out, _ = run("partner", "add", "Mercy General", "--kind", "hospital", "--json")
    pid = json.loads(out)["id"]
    code, out, err = run("log", "--partner", pid, "--kind", "call", "--at", "yesterday 3pm")
    assert code == 0 and "logged call with Mercy General for Sun 22 Nov 15:00" in err
    code, out, err = run("log", "--partner", pid, "--kind", "call", "--at", "11/23/2026 15:00")
    assert code == 0 and "for Mon 23 Nov 15:00" in err
    code, out, _ = run("touch", "show", out.strip(), "--json")
    assert json.loads(out)["at"].startswith("2026-11-23T15:00:00-06:00")
    code, out, err = run(
        "log", "--partner", pid, "--kind", "meeting", "--at", "fri 10:00", "--planned",
        "--purpose", "in-service planning",
    )  # fmt: skip
    assert code == 0 and "planned meeting with Mercy General for Fri 27 Nov 10:00" in err
    code, out, err = run("log", "--partner", pid, "--kind", "call", "--at", "fri 10:00")
    assert code == 0 and "for Fri 20 Nov 10:00" in err
    code, out, err = run("referral", "add", "--partner", pid, "--received", "11/20")
    assert code == 0 and "received Fri 20 Nov" in err
    code, out, err = run("next", "--today", "wed")
    assert code == 0 and "as of Wed 25 Nov" in err


def test_the_cli_refuses_bad_dates_in_one_line_with_exit_1(
    run: Callable[..., tuple[int, str, str]],
) -> None:
    run("partner", "add", "Mercy General", "--kind", "hospital")
    for at in ("tomorrow 25:00", "11/23/9999 3pm", "x" * 5_000_000, "\x1b]0;pwned\x07today"):
        code, out, err = run("log", "--partner", "Mercy General", "--kind", "call", "--at", at)
        assert code == 1 and out == ""
        assert err.count("\n") == 1 and len(err) < 400 and "\x1b" not in err, err
    code, out, err = run("log", "--partner", "Mercy General", "--kind", "call", "--at", "tue 25")
    assert code == 1 and "try today 3pm" in err
    code, out, _ = run(
        "log", "--partner", "Mercy General", "--kind", "call", "--at", "someday", "--json"
    )
    assert code == 1 and json.loads(out)["error"]["code"] == "invalid"


def test_the_cli_stores_a_birthday_without_a_year(
    run: Callable[..., tuple[int, str, str]],
) -> None:
    run("partner", "add", "Mercy General", "--kind", "hospital")
    code, out, err = run(
        "contact", "add", "--partner", "Mercy General", "Sam Ortiz", "--birthday", "March 14"
    )
    assert code == 0 and "birthday 14 Mar" in err
    code, out, _ = run("contact", "list", "--json")
    assert json.loads(out)[0]["birthday"] == "--0314"
    code, out, err = run(
        "contact", "add", "--partner", "Mercy General", "Ann Lee", "--birthday", "today"
    )
    assert code == 1 and "is not a birthday" in err and "March 14, 03-14, --0314" in err
