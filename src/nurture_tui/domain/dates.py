"""Dates and times as people type them: "yesterday 3pm", "tue 10:00", "11/23", "March 14".

``dateutil.parser`` reads the absolute forms (US 11/23/2026 3:00 PM, 23 Nov 2026, March
14); a small layer here reads what it cannot, or reads ambiguously: the relative words
(today, yesterday, tomorrow, now), weekday names, a bare time of day, and RFC 6350's
year-less ``--0314``. Nothing here reads the clock: the caller passes ``now`` (the CLI and
TUI pass their session's clock, tests a fixed one), so the module stays pure.

A weekday name or a year-less date names several days; a :class:`Tense` says which one is
meant: the latest one not after now for a log or a referral received (``PAST``), the next
one not before now for an invite or a snooze (``FUTURE``). "next tue" and "last tue" say so
themselves. Without a tense a bare weekday is refused (which Tuesday?) and a year-less
date is taken in the current year.

Range checks (years 1900-2199) are ``validation``'s: this module only reads.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from enum import StrEnum
from typing import TypeVar

from dateutil import parser as _dateutil

from nurture_tui.domain.errors import ValidationError

#: Longer text is refused before any parsing: the longest date a person writes ("Monday,
#: November 23rd, 2026 at 3:00 PM -05:00") is about 45 characters, and a pasted megabyte
#: must not reach a parser.
MAX_LENGTH = 80

#: What the one-line refusals offer instead, per kind of value.
MOMENT_FORMS = (
    "today 3pm, yesterday 15:00, tue 10:00, 3pm, 11/23/2026 3:00 PM, 11/23 or 2026-11-23T15:00"
)
DAY_FORMS = "today, yesterday, tue, 11/23/2026, 11/23, March 14 or 2026-11-23"
BIRTHDAY_FORMS = "March 14, 03-14, --0314, or with the year 1980-03-14"

_WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTH_ABBREVIATIONS = (
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
)  # fmt: skip
#: Every way a weekday is written, to its number (Monday is 0, as in ``date.weekday``).
_WEEKDAY_WORDS = {
    word: number
    for number, words in enumerate(
        (
            ("mon", "monday"),
            ("tue", "tues", "tuesday"),
            ("wed", "weds", "wednesday"),
            ("thu", "thur", "thurs", "thursday"),
            ("fri", "friday"),
            ("sat", "saturday"),
            ("sun", "sunday"),
        )
    )
    for word in words
}
_WEEKDAY = "|".join(sorted(_WEEKDAY_WORDS, key=len, reverse=True))
_RELATIVE_DAY = re.compile(
    r"(?P<word>today|yesterday|tomorrow|now)(?:\s*,?\s*(?P<rest>.+))?", re.IGNORECASE
)
_WEEKDAY_DAY = re.compile(
    rf"(?:(?P<which>next|last)\s+)?(?P<weekday>{_WEEKDAY})\.?(?:\s*,?\s*(?P<rest>.+))?",
    re.IGNORECASE,
)
_CLOCK = re.compile(
    r"(?:at\s+)?(?P<hour>\d{1,2})(?::(?P<minute>\d{2}))?(?::(?P<second>\d{2}))?"
    r"(?:\s*(?P<half>[ap])\.?\s*m?\.?)?",
    re.IGNORECASE,
)
_CLOCK_WORDS = {"noon": time(12, 0), "midday": time(12, 0), "midnight": time(0, 0)}
#: RFC 6350 (vCard 4) section 4.3.1's date without a year: ``--0314`` or ``--03-14``.
_YEARLESS = re.compile(r"--(?P<month>\d{2})-?(?P<day>\d{2})")
#: "GMT+1": dateutil reads it POSIX-style, as one hour *behind* UTC. Nobody means that.
_POSIX_OFFSET = re.compile(r"\b(?:utc|gmt)\s*[+-]", re.IGNORECASE)
_UTC_NAMES = frozenset({"UTC", "GMT", "Z", "z"})
_WORDS = re.compile(r"[a-z]+")
#: Two default datetimes for dateutil: a field that comes back the same from both was typed,
#: one that differs was filled in. Both years are leap years, so "Feb 29" reads either way.
_DEFAULT_A = datetime(2000, 1, 1, 0, 0, 0, 0)
_DEFAULT_B = datetime(2004, 2, 2, 1, 1, 1, 1)


class Tense(StrEnum):
    """Which of several matching days a person means."""

    PAST = "past"
    """The latest one not after now: a touch being logged, a referral received."""
    FUTURE = "future"
    """The earliest one not before now: an invite, a snooze, a planned visit."""


@dataclass(frozen=True, slots=True, order=True)
class MonthDay:
    """A day of the year without a year: a birthday or an anniversary whose year nobody knows.

    RFC 6350 writes it ``--0314``; that is its text form everywhere a document or a row
    holds it. 29 February is a real birthday: in a common year it falls on 1 March.
    """

    month: int
    day: int

    def __post_init__(self) -> None:
        try:
            date(2000, self.month, self.day)  # a leap year: 29 February is allowed
        except (ValueError, TypeError, OverflowError):
            raise ValidationError(
                f"{self.month:02d}-{self.day:02d} is not a day of the year"
            ) from None

    @classmethod
    def fromisoformat(cls, text: str) -> MonthDay:
        """``--0314`` or ``--03-14`` (RFC 6350; ISO 8601:2000's reduced form)."""
        match = _YEARLESS.fullmatch(text.strip())
        if match is None:
            raise ValidationError(f"{_shown(text)} is not a day of the year (expected --MMDD)")
        return cls(int(match["month"]), int(match["day"]))

    def isoformat(self) -> str:
        return f"--{self.month:02d}{self.day:02d}"

    def in_year(self, year: int) -> date:
        """This day in ``year``; 29 February becomes 1 March in a common year."""
        try:
            return date(year, self.month, self.day)
        except ValueError:
            return date(year, 3, 1)

    def __str__(self) -> str:
        return self.isoformat()

    def __format__(self, spec: str) -> str:
        """``f"{birthday:%d %b}"`` works as for a date; a format asking for a year fails."""
        if not spec:
            return self.isoformat()
        if "%Y" in spec or "%y" in spec or "%G" in spec:
            raise ValueError("a day of the year has no year to format")
        return format(date(2000, self.month, self.day), spec)


def is_yearless(value: object) -> bool:
    """Whether a stored text value is RFC 6350's year-less form (``--0314``)."""
    return isinstance(value, str) and value.startswith("--")


def day_from_text(text: str) -> date | MonthDay:
    """A day as documents and rows write it: ISO ``2026-03-14`` or year-less ``--0314``."""
    return MonthDay.fromisoformat(text) if is_yearless(text) else date.fromisoformat(text)


# --- reading -----------------------------------------------------------------------------


def read_moment(
    text: str,
    *,
    now: datetime,
    zone: tzinfo,
    tense: Tense | None = None,
    what: str = "date and time",
) -> datetime:
    """The aware moment ``text`` names, read in ``zone`` (the rep's, or an invite's).

    ``now`` anchors the relative words; a text with no time of day means its day's start.
    Not range-checked (``validation.parse_datetime`` does that).
    """
    typed = _normalised(text, what, MOMENT_FORMS)
    local_now = now.astimezone(zone) if now.tzinfo else now.replace(tzinfo=zone)
    today = local_now.date()
    lowered = typed.lower()
    if lowered == "now":
        return local_now

    def at(day: date, clock: time | None) -> datetime:
        return datetime.combine(day, clock or time(0, 0), tzinfo=zone)

    def refuse(reason: str = "") -> ValidationError:
        return _refusal(text, what, MOMENT_FORMS, reason)

    def choose(days: list[date], clock: time | None) -> datetime:
        """With a time the moment decides ("tue 10:00" logged at 9:00 on a Tuesday is last
        week's); without one the day does (a Tuesday's "tue" is that day, either way)."""
        if clock is None:
            return at(_pick(days, today, tense), None)
        return _pick([at(d, clock) for d in days], local_now, tense)

    relative = _RELATIVE_DAY.fullmatch(lowered)
    if relative:
        clock = _clock_or_refuse(relative["rest"], refuse)
        return at(today + timedelta(days=_OFFSETS[relative["word"]]), clock)
    weekday = _WEEKDAY_DAY.fullmatch(lowered)
    if weekday:
        clock = _clock(weekday["rest"], refuse) if weekday["rest"] else None
        if clock is not None or not weekday["rest"]:
            days = _weekday_candidates(weekday["which"], weekday["weekday"], today, tense, refuse)
            return choose(days, clock)
    clock = _clock(lowered, refuse)
    if clock is not None:
        return at(today, clock)
    iso = _iso_moment(typed)
    if iso is not None:
        return iso if iso.tzinfo else iso.replace(tzinfo=zone)
    reading = _read_absolute(typed, lowered, refuse)
    if reading.year is not None:
        moment = at(_day_or_refuse(reading.year, reading.month, reading.day, refuse), reading.clock)
    else:
        moment = choose(list(_yearless_candidates(reading, today)), reading.clock)
    _check_weekday(lowered, moment.date(), refuse)
    return moment.replace(tzinfo=reading.zone) if reading.zone is not None else moment


def read_day(text: str, *, today: date, tense: Tense | None = None, what: str = "date") -> date:
    """The calendar day ``text`` names; a time of day in it is allowed and dropped."""
    typed = _normalised(text, what, DAY_FORMS)
    lowered = typed.lower()

    def refuse(reason: str = "") -> ValidationError:
        return _refusal(text, what, DAY_FORMS, reason)

    relative = _RELATIVE_DAY.fullmatch(lowered)
    if relative:
        _clock_or_refuse(relative["rest"], refuse)
        return today + timedelta(days=_OFFSETS[relative["word"]])
    weekday = _WEEKDAY_DAY.fullmatch(lowered)
    if weekday and (not weekday["rest"] or _clock(weekday["rest"], refuse) is not None):
        days = _weekday_candidates(weekday["which"], weekday["weekday"], today, tense, refuse)
        return _pick(days, today, tense)
    yearless = _YEARLESS.fullmatch(lowered)
    if yearless:
        reading = _Reading(None, int(yearless["month"]), int(yearless["day"]), None, None)
    else:
        iso = _iso_day(typed)
        if iso is not None:
            return iso
        reading = _read_absolute(typed, lowered, refuse)
    if reading.year is not None:
        day = _day_or_refuse(reading.year, reading.month, reading.day, refuse)
    else:
        day = _pick(list(_yearless_candidates(reading, today)), today, tense)
    _check_weekday(lowered, day, refuse)
    return day


def read_birthday(text: str, *, what: str = "birthday") -> date | MonthDay:
    """A birthday or anniversary: with its year (a ``date``) or without (a ``MonthDay``).

    Relative words are refused: "today" says nothing about the year someone was born.
    """
    typed = _normalised(text, what, BIRTHDAY_FORMS)
    lowered = typed.lower()

    def refuse(reason: str = "") -> ValidationError:
        return _refusal(text, what, BIRTHDAY_FORMS, reason)

    yearless = _YEARLESS.fullmatch(lowered)
    if yearless:
        return _month_day_or_refuse(int(yearless["month"]), int(yearless["day"]), refuse)
    if _RELATIVE_DAY.fullmatch(lowered) or _WEEKDAY_DAY.fullmatch(lowered):
        raise refuse("it needs the month and day")
    iso = _iso_day(typed)
    if iso is not None:
        return iso
    reading = _read_absolute(typed, lowered, refuse)
    if reading.clock is not None:
        raise refuse("it is a day, without a time")
    if reading.year is None:
        return _month_day_or_refuse(reading.month, reading.day, refuse)
    day = _day_or_refuse(reading.year, reading.month, reading.day, refuse)
    _check_weekday(lowered, day, refuse)
    return day


# --- describing --------------------------------------------------------------------------


def describe_moment(moment: datetime, now: datetime | None = None) -> str:
    """What a form or the CLI echoes back ("Mon 23 Nov 15:00"), so a misread shows at once.

    The moment is shown in its own zone (convert it to the rep's first). The year is added
    unless ``now`` is given and in the same year, so a moment in another year always says so.
    """
    return f"{describe_day(moment.date(), now.date() if now else None)} {moment:%H:%M}"


def describe_day(day: date | MonthDay, today: date | None = None) -> str:
    """A day as "Mon 23 Nov" (with the year unless it is ``today``'s); "14 Mar" without one."""
    month = _MONTH_ABBREVIATIONS[day.month - 1]
    if isinstance(day, MonthDay):
        return f"{day.day} {month}"
    text = f"{_WEEKDAY_NAMES[day.weekday()][:3]} {day.day} {month}"
    return text if today is not None and today.year == day.year else f"{text} {day.year}"


# --- the layer under the readers -----------------------------------------------------------

_OFFSETS = {"today": 0, "now": 0, "yesterday": -1, "tomorrow": 1}


@dataclass(frozen=True, slots=True)
class _Reading:
    """What an absolute text said, field by field (``year`` None: it gave none)."""

    year: int | None
    month: int
    day: int
    clock: time | None
    zone: tzinfo | None


Refuse = Callable[[str], ValidationError]
_Day = TypeVar("_Day", date, datetime)


def _normalised(text: str, what: str, forms: str) -> str:
    """One line of single-spaced text, or a refusal before any parser sees it."""
    if len(text) > MAX_LENGTH:
        raise ValidationError(
            f"the {what} given is {len(text):,} characters long; a {what} is a few words "
            f"(try {forms})"
        )
    typed = " ".join(text.split())
    if not typed:
        raise ValidationError(f"the {what} is empty (try {forms})")
    return typed


def _shown(text: str) -> str:
    """The text as a refusal quotes it: escaped (no control codes reach the terminal)."""
    return repr(text if len(text) <= 40 else text[:40] + "…")


def _refusal(text: str, what: str, forms: str, reason: str = "") -> ValidationError:
    detail = f": {reason}" if reason else ""
    return ValidationError(f"{_shown(text)} is not a {what}{detail} (try {forms})")


def _clock(text: str | None, refuse: Refuse) -> time | None:
    """A time of day ("3pm", "15:00", "3:30 p.m.", "noon"), or None if ``text`` is not one.

    Text shaped like a time with impossible numbers ("25:00", "13pm") is refused here,
    naming them, rather than read as something else.
    """
    if not text:
        return None
    text = text.strip().lower()
    text = text.removeprefix("at ").strip()
    if text in _CLOCK_WORDS:
        return _CLOCK_WORDS[text]
    match = _CLOCK.fullmatch(text)
    if match is None:
        return None
    hour, half = int(match["hour"]), match["half"]
    minute, second = int(match["minute"] or 0), int(match["second"] or 0)
    if half is None and match["minute"] is None:
        return None  # a bare number: a day of the month as much as an hour
    if half is not None:
        if not 1 <= hour <= 12:
            raise refuse(f"{text!r} is not a time of day (1 to 12 with am or pm)")
        hour = hour % 12 + (12 if half.lower() == "p" else 0)
    if hour > 23 or minute > 59 or second > 59:
        raise refuse(f"{text!r} is not a time of day (00:00 to 23:59)")
    return time(hour, minute, second)


def _clock_or_refuse(text: str | None, refuse: Refuse) -> time | None:
    """After "today"/"yesterday"/"tomorrow": nothing, or a time of day."""
    if not text:
        return None
    clock = _clock(text, refuse)
    if clock is None:
        raise refuse(f"{text.strip()!r} is not a time of day (write 3pm or 15:00)")
    return clock


def _weekday_candidates(
    which: str | None, word: str, today: date, tense: Tense | None, refuse: Refuse
) -> list[date]:
    """The days a weekday name can mean: the one given by next/last, else three around today."""
    weekday = _WEEKDAY_WORDS[word.lower()]
    ahead = (weekday - today.weekday()) % 7
    if which == "next":
        return [today + timedelta(days=ahead or 7)]
    if which == "last":
        return [today - timedelta(days=(today.weekday() - weekday) % 7 or 7)]
    if tense is None:
        name = _WEEKDAY_NAMES[weekday][:3].lower()
        raise refuse(f"which {_WEEKDAY_NAMES[weekday]}? write last {name} or next {name}")
    on_or_after = today + timedelta(days=ahead)
    return [on_or_after - timedelta(days=7), on_or_after, on_or_after + timedelta(days=7)]


def _yearless_candidates(reading: _Reading, today: date) -> Iterable[date]:
    """The month and day in last year, this year and next (29 February only where it is)."""
    for year in (today.year, today.year - 1, today.year + 1):  # this year first: no tense
        try:
            yield date(year, reading.month, reading.day)
        except (ValueError, OverflowError):
            continue


def _pick(candidates: list[_Day], anchor: _Day, tense: Tense | None) -> _Day:
    """The latest candidate not after ``anchor`` (PAST), the earliest not before (FUTURE);
    with no tense, the first candidate (this year's, for a year-less date)."""
    if not candidates:
        raise ValidationError("that day does not exist in any nearby year")
    if tense is Tense.PAST:
        return max((c for c in candidates if c <= anchor), default=min(candidates))
    if tense is Tense.FUTURE:
        return min((c for c in candidates if c >= anchor), default=max(candidates))
    return candidates[0]


def _iso_moment(text: str) -> datetime | None:
    """ISO 8601 (2026-11-23T15:00Z, 2026-11-23 15:00, 20261123), read exactly by Python."""
    if not text[:1].isdigit():
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _iso_day(text: str) -> date | None:
    """ISO 8601 dates, with or without a time (the time is dropped)."""
    moment = _iso_moment(text)
    return moment.date() if moment is not None else None


def _zone_for(name: str | None, offset: int | None) -> tzinfo | None:
    """dateutil's zone hook: UTC and numeric offsets only; a zone name is refused.

    "EST" or "CST" mean different things in different places (and dateutil ignores them,
    silently, unless told): a rep gives an offset or nothing (their own zone).
    """
    if name in _UTC_NAMES:
        return UTC
    if name is None:
        return None if offset is None else timezone(timedelta(seconds=offset))
    raise ValidationError(
        f"the time zone {name!r} is ambiguous; write an offset such as -05:00, or leave it "
        "out for your own zone"
    )


def _read_absolute(typed: str, lowered: str, refuse: Refuse) -> _Reading:
    """Month, day and maybe year, time and zone, from dateutil; month and day are required."""
    if _POSIX_OFFSET.search(typed):
        raise refuse("write the offset as -05:00 or +01:00 rather than after UTC/GMT")
    readings = []
    for default in (_DEFAULT_A, _DEFAULT_B):
        try:
            readings.append(_dateutil.parse(typed, default=default, tzinfos=_zone_for))
        except (ValueError, OverflowError, TypeError):  # ParserError is a ValueError
            raise refuse("") from None
    a, b = readings
    if a.month != b.month or a.day != b.day:
        raise refuse("it needs at least a month and a day")
    clock = None if a.hour != b.hour else time(a.hour, a.minute, a.second, a.microsecond)
    return _Reading(a.year if a.year == b.year else None, a.month, a.day, clock, a.tzinfo)


def _day_or_refuse(year: int, month: int, day: int, refuse: Refuse) -> date:
    try:
        return date(year, month, day)
    except (ValueError, OverflowError):
        raise refuse("that day does not exist") from None


def _month_day_or_refuse(month: int, day: int, refuse: Refuse) -> MonthDay:
    try:
        return MonthDay(month, day)
    except ValidationError:
        raise refuse("that day does not exist") from None


def _check_weekday(lowered: str, day: date, refuse: Refuse) -> None:
    """A weekday that contradicts the date ("Tue 23 Nov 2026", a Monday) is refused."""
    for word in _WORDS.findall(lowered):
        weekday = _WEEKDAY_WORDS.get(word)
        if weekday is not None and weekday != day.weekday():
            month = _MONTH_ABBREVIATIONS[day.month - 1]
            raise refuse(f"{day.day} {month} {day.year} is a {_WEEKDAY_NAMES[day.weekday()]}")
