"""One way to answer: JSON on stdout with ``--json``, text otherwise; messages on stderr."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from typing import Any

import orjson

from nurture_tui.services.session import Session, open_session


def emit(args: argparse.Namespace, data: Any, text: str | Iterable[str]) -> None:
    """Print ``data`` as JSON in --json mode, else ``text`` for a person."""
    if args.json:
        sys.stdout.buffer.write(orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n")
        sys.stdout.flush()
        return
    lines = [text] if isinstance(text, str) else list(text)
    for line in lines:
        print(line)


def say(message: str) -> None:
    """A message for the person at the terminal (stderr, so stdout stays machine-readable)."""
    print(message, file=sys.stderr)


def session_for(args: argparse.Namespace) -> Session:
    """Open the store for a command; one-time news (a store migration) goes to stderr."""
    notices: list[str] = []
    session = open_session(args.data_dir, notices=notices)
    for notice in notices:
        say(notice)
    return session


def table(rows: list[list[str]], headers: list[str]) -> list[str]:
    """Plain aligned columns; no colour, so it pipes cleanly."""
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    out = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    out += [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
    return out
