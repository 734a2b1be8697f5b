"""Validation at the boundary: what the user types becomes clean, typed values or a clear error."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, tzinfo

from nurture_tui.domain.errors import ValidationError

_EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_DOMAIN = re.compile(r"^(?=.{3,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


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
    name = " ".join(value.split())
    if not name:
        raise ValidationError(f"the {what} cannot be empty")
    if len(name) > 200:
        raise ValidationError(f"the {what} is longer than 200 characters")
    return name


def parse_date(value: str, what: str = "date") -> date:
    """ISO dates (2026-11-02); also accepts US 11/02/2026 as reps paste from spreadsheets."""
    text = value.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    if match:
        month, day, year = (int(g) for g in match.groups())
        try:
            return date(year, month, day)
        except ValueError:
            pass
    raise ValidationError(f"{value!r} is not a {what} (expected YYYY-MM-DD)")


def parse_datetime(value: str, local_zone: tzinfo, what: str = "date and time") -> datetime:
    """An aware datetime; naive input is taken in the rep's local zone.

    A bare date means the start of that day, local time.
    """
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = datetime.combine(parse_date(text, what), time(0, 0))
        except ValidationError:
            raise ValidationError(
                f"{value!r} is not a {what} (expected YYYY-MM-DD HH:MM or ISO 8601)"
            ) from None
    return ensure_aware(parsed, local_zone)


def ensure_aware(moment: datetime, local_zone: tzinfo) -> datetime:
    """Naive datetimes are local wall-clock times; aware ones are kept as they are."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        return moment.replace(tzinfo=local_zone)
    return moment


def to_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValidationError("a time without a timezone cannot be stored")
    return moment.astimezone(UTC)
