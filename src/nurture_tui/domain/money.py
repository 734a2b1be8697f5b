"""Amounts of money as whole cents: typed, shown, and split among recipients.

Cents in an ``int``, never a float: a yearly limit of $535.00 is compared exactly, and a
report's totals add up to the cent. ``decimal`` reads what the rep typed, so "19.99" is
1999 cents and not 1998.9999….
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from nurture_tui.domain.errors import ValidationError

#: The most one touch may record: nothing a rep gives a partner comes near it, and a typo
#: with three extra zeros is refused instead of filling a report with nonsense.
MAX_CENTS = 100_000_00

#: The symbol a rep may type before an amount. Only the dollar: "€5" would otherwise be
#: read as 5 in the agency's currency; another currency is a setting, typed bare.
_SYMBOLS = "$"
#: Longer than any amount a touch may record, with separators: refused before parsing.
_LONGEST = 20
_AMOUNT = re.compile(r"\d{1,3}(,\d{3})+(\.\d{1,2})?|\d+(\.\d{1,2})?|\.\d{1,2}")


def parse_amount(text: str, what: str = "value") -> int:
    """ "25", "$25.50", "1,200" -> cents; anything else is one clear ValidationError."""
    typed = text.strip()
    if len(typed) > _LONGEST:
        raise ValidationError(
            f"the {what} is not an amount (more than {_LONGEST} characters); type it like 25.50"
        )
    bare = typed.lstrip(_SYMBOLS).strip()
    for code in ("USD", "usd"):
        bare = bare.removesuffix(code).strip()
    if bare.startswith("-"):
        raise ValidationError(f"the {what} cannot be negative: {typed!r}")
    if not _AMOUNT.fullmatch(bare) or not bare.isascii():
        raise ValidationError(
            f"the {what} {typed[:40]!r} is not an amount; type it like 25 or 25.50"
        )
    try:
        cents = int(Decimal(bare.replace(",", "")) * 100)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        raise ValidationError(f"the {what} {typed[:40]!r} is not an amount") from None
    if cents > MAX_CENTS:
        raise ValidationError(
            f"the {what} {format_amount(cents)} is more than {format_amount(MAX_CENTS)}; "
            "check the number"
        )
    return cents


def format_amount(cents: int, currency: str = "USD") -> str:
    """12345 -> "$123.45" (USD), "EUR 123.45" for another currency code."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    figure = f"{whole:,}.{part:02d}"
    if currency.upper() == "USD":
        return f"{sign}${figure}"
    return f"{sign}{currency.upper()} {figure}"


def dollars(cents: int) -> float:
    """Cents as a JSON number of dollars (two decimals: exact for any cents value)."""
    return round(cents / 100, 2)


def split_evenly(total: int, parts: int) -> list[int]:
    """``total`` cents in ``parts`` shares that differ by at most a cent and add up to it
    exactly; the first shares take the odd cents ($100 in three: 33.34, 33.33, 33.33)."""
    if parts <= 0:
        return []
    share, odd = divmod(total, parts)
    return [share + 1 if index < odd else share for index in range(parts)]
