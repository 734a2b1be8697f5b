"""User text made safe for calendar fields.

The writer escapes what RFC 5545 requires; on top of that, one-line fields lose every
control character (a CR/LF can never start a new property, attendee or event) and a
parameter value loses the characters a parameter cannot hold.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NEWLINES = re.compile(r"[\r\n\u2028\u2029\x85]+")


def one_line(text: str, limit: int = 250) -> str:
    """For SUMMARY, LOCATION and the like: no control characters, no line breaks.

    A backslash becomes "/": icalendar 7 writes a typed ``\\N`` unescaped, so every reader
    would see a line break in the title (found by the hypothesis test of the writer).
    """
    cleaned = _NEWLINES.sub(" ", _CONTROL.sub("", text.replace("\x00", "").replace("\\", "/")))
    return " ".join(cleaned.split())[:limit]


def multi_line(text: str, limit: int = 4000) -> str:
    """For DESCRIPTION: line breaks kept (the writer escapes them), other controls removed."""
    cleaned = _CONTROL.sub("", text.replace("\x00", "")).replace("\r\n", "\n").replace("\r", "\n")
    return cleaned[:limit]


def parameter(text: str) -> str:
    """For CN=...: also no double quote, which would end the quoted parameter."""
    return one_line(text, 120).replace('"', "'")
