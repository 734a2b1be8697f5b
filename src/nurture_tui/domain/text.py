"""Text from outside is data: no terminal control codes, no bidirectional overrides.

A partner name, a synced meeting title or a CSV cell reaches the rep's terminal, a calendar
and a spreadsheet. An ESC sequence in it can retitle the terminal or blank the screen; a
right-to-left override can make "invoice.exe" read "exe.eciovni". Every text field that
enters the domain passes ``clean_text`` once, at the boundary.
"""

from __future__ import annotations

import re

#: Whole escape sequences first, so their printable tails do not survive as text: CSI
#: ``ESC [ … final``, OSC/DCS/APC/PM ``ESC ] … BEL|ST``, and ``ESC`` + intermediates + a
#: final byte (``ESC c``, ``ESC ( B``); then their 8-bit C1 forms.
_ESCAPE_SEQUENCES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b[\]P^_X][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[ -/]*[0-~]"
    r"|\x9b[0-?]*[ -/]*[@-~]"
    r"|[\x90\x9d\x9e\x9f][^\x07\x9c\x1b]*(?:\x07|\x9c|\x1b\\)?"
)
#: C0 and C1 controls and DEL, but tab and newline (kept where a field is multi-line).
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
#: Bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), and
#: the invisible characters that split a word without showing (zero-width space, joiners,
#: word joiner, byte-order mark, soft hyphen): "gift\u200bcard" reads as "giftcard" but
#: would slip past a check for "gift card" or a participant reference.
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069\u200b-\u200f\u2060-\u2064\ufeff\u00ad]")


def clean_text(value: str, *, multiline: bool = False) -> str:
    """``value`` without control codes or bidi overrides; one line unless ``multiline``.

    One-line fields fold every run of white space (tabs and newlines included) into one
    space; multi-line fields keep newlines and tabs and lose trailing spaces.
    """
    text = _ESCAPE_SEQUENCES.sub("", value)
    text = _BIDI.sub("", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROLS.sub("", text)
    if not multiline:
        return " ".join(text.split())
    return "\n".join(line.rstrip() for line in text.strip().split("\n"))


#: A spreadsheet treats a cell starting with these as a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: object) -> object:
    """A CSV cell a spreadsheet shows as text: a leading formula character gets a ``'``.

    Numbers pass untouched (a negative count is a number, not a formula).
    """
    if isinstance(cell, str) and cell.startswith(_FORMULA_START):
        return "'" + cell
    return cell


def checked_link(value: str, what: str = "link") -> str:
    """A link Nurture stores or sends: https only (http is refused too — video and meeting
    links all have https; a ``javascript:`` or ``file:`` link in an invite is an attack)."""
    from urllib.parse import urlsplit

    from nurture_tui.domain.errors import ValidationError

    link = clean_text(value)
    if not link:
        return ""
    parts = urlsplit(link)
    if parts.scheme.lower() != "https" or not parts.netloc:
        raise ValidationError(f"the {what} must be an https:// address")
    return link
