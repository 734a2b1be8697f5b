"""Validation at the boundary: what the user types becomes clean, typed values or a clear error."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, tzinfo

from nurture_tui.domain.dates import MonthDay, Tense, read_birthday, read_day, read_moment
from nurture_tui.domain.errors import ValidationError
from nurture_tui.domain.text import clean_text

_EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_DOMAIN = re.compile(r"^(?=.{3,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")

#: The first instant a stored moment may be (inclusive). Nothing a rep records is older,
#: and keeping well inside ``datetime``'s own range (years 1..9999) means converting any
#: accepted moment to any timezone can never overflow.
EARLIEST_MOMENT = datetime(1900, 1, 1, tzinfo=UTC)
#: The first instant that is too late (exclusive): 2199-12-31T23:59:59.999999Z is the last
#: accepted moment. The store reuses both bounds for its database CHECK constraint.
LATEST_MOMENT = datetime(2200, 1, 1, tzinfo=UTC)
#: The same range for plain calendar days (birthdays, referral dates), both inclusive.
EARLIEST_DAY = EARLIEST_MOMENT.date()
LATEST_DAY = date(LATEST_MOMENT.year - 1, 12, 31)
_RANGE = f"between {EARLIEST_DAY.year} and {LATEST_DAY.year}"


def clean_email(value: str) -> str:
    """Lower-case, trimmed email, or a ValidationError that shows what was wrong."""
    email = value.strip().lower()
    if not _EMAIL.match(email):
        raise ValidationError(f"{value!r} is not an email address (expected name@example.org)")
    return email


def clean_domain(value: str) -> str:
    """A bare mail/web domain: 'https://www.Mercy.org/' becomes 'mercy.org'."""
    domain = value.strip().lower()
    domain = re.sub(r"^[a-z]+://", "", domain).split("/")[0].removeprefix("www.")
    domain = domain.removeprefix("@")
    if not _DOMAIN.match(domain):
        raise ValidationError(f"{value!r} is not a domain (expected something like mercy.org)")
    return domain


def npi_is_valid(npi: str) -> bool:
    """The NPI check digit: Luhn over '80840' + the first nine digits (CMS NPI standard)."""
    if not (len(npi) == 10 and npi.isdigit()):
        return False
    digits = [int(c) for c in "80840" + npi]
    total = 0
    for index, digit in enumerate(reversed(digits)):
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def clean_npi(value: str) -> str:
    npi = re.sub(r"[\s-]", "", value)
    if not npi_is_valid(npi):
        raise ValidationError(
            f"{value!r} is not a valid NPI (10 digits whose check digit must match)"
        )
    return npi


def clean_name(value: str, what: str = "name") -> str:
    """One line of printable text (no control codes or bidi overrides), 1–200 characters."""
    name = clean_text(value)
    if not name:
        raise ValidationError(f"the {what} cannot be empty")
    if len(name) > 200:
        raise ValidationError(f"the {what} is longer than 200 characters")
    return name


def check_moment(value: datetime, what: str = "date and time") -> datetime:
    """``value`` itself (its zone kept) once it is known to lie in the domain's range.

    Every moment entering the domain passes here, once, at the boundary: in UTC it must be
    on or after ``EARLIEST_MOMENT`` and before ``LATEST_MOMENT``. ``datetime`` accepts
    9999-12-31T23:00-05:00, but that is year 10000 in UTC and every later conversion would
    raise OverflowError deep inside a sync, an export or the store; refusing it here, with
    a message for the rep, means no such value is ever stored or compared. Naive values
    are refused too: their instant is unknown (callers attach the rep's zone first).
    """
    try:
        offset = value.utcoffset()
    except (OverflowError, ValueError):
        offset = None
    if offset is None:
        raise ValidationError(f"the {what} has no timezone, so it cannot be stored")
    try:
        instant: datetime | None = value.astimezone(UTC)
    except (OverflowError, ValueError):
        instant = None  # outside datetime's own range once in UTC: certainly too far out
    if instant is None or not EARLIEST_MOMENT <= instant < LATEST_MOMENT:
        raise ValidationError(f"the {what} must be {_RANGE} (in UTC); {value.isoformat()} is not")
    return value


def check_day(value: date, what: str = "date") -> date:
    """``value`` itself once its year is in the domain's range (see ``check_moment``).

    A birthday in 9999 or a referral in year 1 is a typo, and dates that far out break
    date arithmetic (cadences, anniversaries) far from where they were typed.
    """
    if not EARLIEST_DAY <= value <= LATEST_DAY:
        raise ValidationError(f"the {what} must be {_RANGE}; {value.isoformat()} is not")
    return value


def parse_date(
    value: str,
    what: str = "date",
    *,
    today: date | None = None,
    tense: Tense | None = None,
) -> date:
    """A day as people type it: 2026-11-02, 11/02/2026, 11/2, Nov 2, today, yesterday, tue.

    ``today`` anchors the relative words (pass the session's; the system date otherwise)
    and ``tense`` picks among the days a weekday or a year-less date can mean (see
    ``domain.dates``). The day is range-checked (``check_day``): every CLI option, TUI form
    and CSV cell that takes a date comes through here.
    """
    day = read_day(value, today=today or date.today(), tense=tense, what=what)
    return check_day(day, what)


def parse_birthday(value: str, what: str = "birthday") -> date | MonthDay:
    """A birthday or anniversary, with its year or without: 1980-03-14, March 14, 03-14.

    A year-less day comes back as a ``MonthDay`` (stored as RFC 6350's ``--0314``); one
    with a year is range-checked like any other day.
    """
    day = read_birthday(value, what=what)
    return day if isinstance(day, MonthDay) else check_day(day, what)


def parse_datetime(
    value: str,
    local_zone: tzinfo,
    what: str = "date and time",
    *,
    now: datetime | None = None,
    tense: Tense | None = None,
) -> datetime:
    """An aware, range-checked moment as people type it; naive input is in ``local_zone``.

    Accepts ISO 8601, US 11/23/2026 3:00 PM, 11/23 3pm, today, yesterday 3pm, tue 10:00,
    3pm and 15:00. ``now`` anchors the relative words (pass the session's clock; the system
    clock otherwise) and ``tense`` says whether "tue" is the latest past Tuesday (a log) or
    the next one (an invite). A bare date means the start of that day. The result has
    passed ``check_moment``, so every CLI option and TUI form that takes a time is covered.
    """
    moment = read_moment(
        value, now=now or datetime.now(local_zone), zone=local_zone, tense=tense, what=what
    )
    return check_moment(moment, what)


def ensure_aware(moment: datetime, local_zone: tzinfo) -> datetime:
    """Naive datetimes are local wall-clock times; aware ones are kept as they are."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        return moment.replace(tzinfo=local_zone)
    return moment


def to_utc(moment: datetime) -> datetime:
    """``moment`` in UTC; out-of-range or naive moments are refused, never overflowed."""
    return check_moment(moment).astimezone(UTC)
