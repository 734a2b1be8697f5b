"""The command line's contract: global options anywhere, JSON that is always JSON, and
never a traceback — not even for a bug of ours."""

from __future__ import annotations

import argparse
import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from nurture_tui import cli


def leaves(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """Every runnable sub-command, with the words that reach it."""
    groups = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not groups:
        yield path, parser
        return
    for group in groups:
        for name, sub in group.choices.items():
            yield from leaves(sub, (*path, name))


def required_arguments(parser: argparse.ArgumentParser) -> list[str]:
    """Words that satisfy a sub-command's required arguments (values are never used)."""
    words: list[str] = []
    for action in parser._actions:
        known = action.choices or getattr(action.type, "values", None)  # cli.Choice
        value = str(next(iter(known))) if known else "x"
        if not action.option_strings and action.nargs not in ("?", "*"):
            words.append(value)
        elif action.required:
            words += [action.option_strings[0], value]
    for group in parser._mutually_exclusive_groups:
        if group.required:
            action = group._group_actions[0]
            words.append(action.option_strings[0])
            if action.nargs != 0:
                words.append("x")
    return words


COMMANDS = sorted(leaves(cli.build_parser()), key=lambda item: item[0])


@pytest.mark.parametrize("path", [p for p, _ in COMMANDS], ids=" ".join)
def test_global_options_work_before_and_after_every_sub_command(path: tuple[str, ...]) -> None:
    parser = dict(COMMANDS)[path]
    rest = required_arguments(parser)
    for argv in (
        ["--data-dir", "/tmp/chosen", "--json", *path, *rest],
        [*path, *rest, "--data-dir", "/tmp/chosen", "--json"],
        ["--json", *path, "--data-dir", "/tmp/chosen", *rest],
    ):
        args = cli.parse(argv)
        assert (args.data_dir, args.json) == ("/tmp/chosen", True), argv
    args = cli.parse([*path, *rest])
    assert (args.data_dir, args.json) == (None, False)


def run(
    tmp_path: Path, *argv: str, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        **(extra_env or {}),
        "NURTURE_HOME": str(tmp_path / "default-home"),
        "NURTURE_CONFIG_DIR": str(tmp_path / "config"),
        "NURTURE_CRASH_DIR": str(tmp_path / "crashes"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "nurture_tui.cli", *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Traceback" not in result.stderr + result.stdout
    return result


def test_a_data_dir_before_the_command_is_where_data_goes(tmp_path: Path) -> None:
    chosen = tmp_path / "chosen"
    added = run(
        tmp_path,
        "--data-dir",
        str(chosen),
        "--json",
        "partner",
        "add",
        "Mercy",
        "--kind",
        "hospital",
    )
    assert json.loads(added.stdout)["name"] == "Mercy"
    assert (chosen / "nurture.db").exists()
    assert not (tmp_path / "default-home" / "nurture.db").exists()
    listed = run(tmp_path, "--data-dir", str(chosen), "--json", "partner", "list")
    assert [p["name"] for p in json.loads(listed.stdout)] == ["Mercy"]


@pytest.mark.parametrize(
    ("argv", "code", "status"),
    [
        (["log", "--partner", "nosuch", "--kind", "call"], "not-found", 1),
        (["next", "--today", "9999-12-31"], "invalid", 1),
        (["partner", "frob"], "usage", 2),
        (["next", "--limit", "ten"], "usage", 2),
    ],
)
def test_with_json_an_error_is_one_json_document_on_stdout(
    tmp_path: Path, argv: list[str], code: str, status: int
) -> None:
    result = run(tmp_path, "--json", *argv)
    assert result.returncode == status
    document = json.loads(result.stdout)
    assert document["error"]["code"] == code and document["error"]["message"]


def test_without_json_an_error_is_one_line_on_stderr(tmp_path: Path) -> None:
    result = run(tmp_path, "log", "--partner", "nosuch", "--kind", "call")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("nurture: error:")


def test_a_bug_of_ours_is_one_line_and_a_private_crash_report_without_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NURTURE_CRASH_DIR", str(tmp_path / "crashes"))
    secret = "ZQX-CANARY-77"

    def broken(_args: argparse.Namespace) -> int:
        raise KeyError(f"participant {secret}")

    monkeypatch.setattr(cli, "build_parser", _parser_with(broken))
    assert cli.main(["partner", "list"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "KeyError" in err and "crash report" in err
    reports = list((tmp_path / "crashes").iterdir())
    assert len(reports) == 1
    assert stat.S_IMODE(reports[0].stat().st_mode) == 0o600
    text = reports[0].read_text()
    assert "KeyError" in text and "broken" in text and secret not in text


def _parser_with(handler: object) -> object:
    original = cli.build_parser

    def build() -> argparse.ArgumentParser:
        parser = original()
        for _path, leaf in leaves(parser):
            leaf.set_defaults(handler=handler)
        return parser

    return build


def test_next_refuses_a_limit_below_one(tmp_path: Path) -> None:
    for limit in ("-5", "0"):
        result = run(tmp_path, "next", "--limit", limit)
        assert result.returncode == 2 and "must be 1 or more" in result.stderr


def test_an_empty_store_says_how_to_add_partners(tmp_path: Path) -> None:
    for argv in (["next"], ["partner", "list"]):
        result = run(tmp_path, *argv)
        assert result.returncode == 0
        assert "No partners yet" in result.stdout and "nurture import csv" in result.stdout


def test_sync_all_runs_and_records_every_source_even_when_one_cannot_start(
    tmp_path: Path,
) -> None:
    import keyring

    from fakes.memory_keyring import MemoryKeyring
    from nurture_tui.services import sync as service
    from nurture_tui.store.opening import open_store

    home = tmp_path / "default-home"
    repo = open_store(home)
    for name in ("caldav", "imap"):
        repo.put_state(f"source:{name}", {"enabled": True})
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())  # an empty keyring: neither has a password
    try:
        rc = cli.main(["--data-dir", str(home), "--json", "sync"])
    finally:
        keyring.set_keyring(previous)
    assert rc == 1
    from nurture_tui.config import Settings
    from nurture_tui.services.session import Session

    status = service.read_status(Session(open_store(home), Settings()))
    assert {name: status[name]["status"] for name in ("caldav", "imap")} == {
        "caldav": "SetupFailed",
        "imap": "SetupFailed",
    }
    assert all(status[name]["message"] for name in ("caldav", "imap"))


@pytest.mark.parametrize(
    "argv",
    [
        ["auth", "google", "--status"],
        ["auth", "outlook", "--status"],
        ["auth", "caldav", "--status"],
        ["auth", "imap"],
        ["auth", "caldav"],
        ["auth", "zoom", "--status"],
    ],
    ids=" ".join,
)
def test_without_a_keyring_every_auth_answers_the_same_before_asking_anything(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
) -> None:
    import keyring
    from keyring.backends import fail

    monkeypatch.setenv("NURTURE_HOME", str(tmp_path / "home"))
    asked: list[str] = []
    monkeypatch.setattr("getpass.getpass", lambda prompt="": asked.append(prompt) or "pw")
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        assert cli.main(argv) == 1
    finally:
        keyring.set_keyring(previous)
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no working keyring" in err
    assert asked == [], "no password is asked for when it could not be kept"


def test_google_sign_in_with_a_bad_client_file_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "client_secret.json"
    bad.write_text("{not json")
    keyring_env = {  # a working keyring, so the client file itself is what is judged
        "PYTHON_KEYRING_BACKEND": "fakes.memory_keyring.MemoryKeyring",
        "PYTHONPATH": str(Path(__file__).parent),
    }
    for path in (str(bad), str(tmp_path / "missing.json")):
        result = run(tmp_path, "auth", "google", "--client-secrets", path, extra_env=keyring_env)
        assert result.returncode == 1 and result.stderr.count("\n") == 1
        assert "OAuth client" in result.stderr


def test_google_sign_in_without_a_browser_prints_the_address(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import webbrowser

    from nurture_google import auth

    def no_browser(*_args: object) -> None:
        raise webbrowser.Error("could not locate runnable browser")

    monkeypatch.delenv("SSH_CONNECTION", raising=False)
    monkeypatch.setattr(webbrowser, "get", no_browser)
    assert auth._has_browser() is False


def test_an_invite_update_without_tz_keeps_the_invites_zone(tmp_path: Path) -> None:
    env = {
        "NURTURE_REP_EMAIL": "alex@homecare.example",
        "NURTURE_REP_NAME": "Alex",
        "NURTURE_AGENCY": "Sunrise Home Care",
        "NURTURE_TIMEZONE": "UTC",
    }
    added = run(tmp_path, "partner", "add", "Hope", "--kind", "hospice", "--json", extra_env=env)
    pid = json.loads(added.stdout)["id"]
    run(
        tmp_path,
        "contact",
        "add",
        "--partner",
        pid,
        "Sam Ortiz",
        "--email",
        "sam@hope.org",
        extra_env=env,
    )
    made = json.loads(
        run(
            tmp_path,
            "invite",
            "--partner",
            pid,
            "--kind",
            "check-in",
            "--start",
            "2026-12-03 10:00",
            "--tz",
            "America/Chicago",
            "--json",
            extra_env=env,
        ).stdout
    )
    updated = run(
        tmp_path, "invite", "--update", made["uid"], "--start", "2026-12-04 14:00", extra_env=env
    )
    assert updated.returncode == 0, updated.stderr
    assert "DTSTART;TZID=America/Chicago:20261204T140000" in updated.stdout
    assert "BEGIN:VTIMEZONE" in updated.stdout
