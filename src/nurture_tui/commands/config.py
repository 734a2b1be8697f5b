"""``nurture config show|get KEY|set KEY VALUE|path``: the settings file without an editor.

Each value passes the same checks as the "Your details" screen and the loader
(``nurture_tui.config.check_setting``). These commands never open the store, so they work
before there is one — and ``set`` works while another setting in the file is wrong, so the
rep can fix it with the command the error message names.
"""

from __future__ import annotations

import argparse
from typing import Any

from nurture_tui.commands.output import emit, say, table
from nurture_tui.config import (
    Entry,
    check_key,
    check_setting,
    env_overrides,
    read_entries,
    save_settings,
    settings_path,
)
from nurture_tui.domain.errors import ValidationError

HELP = "show or change your settings (config.toml): your details, sync, sources"


def add_parsers(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    command: Any,
) -> None:
    """Register ``config`` and its actions (called from ``cli.build_parser``)."""
    group = sub.add_parser("config", parents=[common], help=HELP, description=HELP)
    csub = group.add_subparsers(title="config commands", metavar="ACTION", required=True)
    command(csub, "show", show, "every setting, its value and where it comes from")
    p = command(csub, "get", get, "one setting's value in force")
    p.add_argument("key", metavar="KEY")
    p = command(csub, "set", set_, "check a value and save it in config.toml")
    p.add_argument("key", metavar="KEY")
    p.add_argument("value", metavar="VALUE", help='the new value ("" clears a text setting)')
    command(csub, "path", path, "where config.toml is")


def _entry_json(entry: Entry) -> dict[str, Any]:
    document: dict[str, Any] = {"key": entry.key, "value": entry.value, "source": entry.source}
    if entry.problem:
        document["problem"] = entry.problem
    return document


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def show(args: argparse.Namespace) -> int:
    where = settings_path()
    entries = read_entries(where)
    rows = [
        [
            e.key,
            repr(e.value) if e.problem else _text(e.value),
            e.source,
            f"problem: {e.problem}" if e.problem else "",
        ]
        for e in entries
    ]
    emit(
        args,
        {"path": str(where), "settings": [_entry_json(e) for e in entries]},
        [f"# {where}", *table(rows, ["KEY", "VALUE", "FROM", ""])],
    )
    return 0


def get(args: argparse.Namespace) -> int:
    key = check_key(args.key)
    entry = next(e for e in read_entries(settings_path()) if e.key == key)
    if entry.problem:
        raise ValidationError(f"{key}: {entry.problem}")
    emit(args, _entry_json(entry), _text(entry.value))
    return 0


def set_(args: argparse.Namespace) -> int:
    key = check_key(args.key)
    try:
        value = check_setting(key, args.value)
    except ValidationError as exc:
        raise ValidationError(f"{key}: {exc}") from None
    written = save_settings({key: value})
    if key in env_overrides():
        say(
            f"nurture: note: NURTURE_{key.upper()} is set in this shell and wins over the "
            "saved value until it is unset"
        )
    shown = repr(value) if isinstance(value, str) else _text(value)
    emit(
        args,
        {"key": key, "value": value, "path": str(written)},
        f"{key} = {shown} saved in {written}",
    )
    return 0


def path(args: argparse.Namespace) -> int:
    where = settings_path()
    emit(args, {"path": str(where), "exists": where.exists()}, str(where))
    return 0
