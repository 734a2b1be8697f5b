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
    shown_setting,
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
    value = shown_setting(entry.key, entry.value)
    document: dict[str, Any] = {"key": entry.key, "value": value, "source": entry.source}
    if entry.problem:
        document["problem"] = entry.problem
    return document


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _shown_value(entry: Entry) -> str:
    value = shown_setting(entry.key, entry.value)
    return repr(value) if entry.problem else _text(value)


def show(args: argparse.Namespace) -> int:
    where = settings_path()
    entries = read_entries(where)
    rows = [
        [
            e.key,
            repr(shown_setting(e.key, e.value))
            if e.problem
            else _text(shown_setting(e.key, e.value)),
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
    emit(args, _entry_json(entry), _text(shown_setting(key, entry.value)))
    return 0


def set_(args: argparse.Namespace) -> int:
    key = check_key(args.key)
    raw, moved = args.value, False
    try:
        if key == "store_url" and raw.strip():
            raw, moved = _keep_store_password(raw)
        value = check_setting(key, raw)
    except ValidationError as exc:
        raise ValidationError(f"{key}: {exc}") from None
    written = save_settings({key: value})
    if moved:
        say("nurture: the password in the address was moved to your keyring, not saved")
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


def _keep_store_password(text: str) -> tuple[str, bool]:
    """A store URL without its password, the password put in the keyring first (no keyring:
    nothing is saved, so the password never lands in config.toml)."""
    from nurture_tui.secrets import require_keyring, set_secret
    from nurture_tui.store.team_url import address, parse_store_url, split_password

    bare, password = split_password(text)
    if password is None:
        return bare, False
    require_keyring()
    set_secret(address(parse_store_url(bare)).keyring_name, password)
    return bare, True


def path(args: argparse.Namespace) -> int:
    where = settings_path()
    emit(args, {"path": str(where), "exists": where.exists()}, str(where))
    return 0
