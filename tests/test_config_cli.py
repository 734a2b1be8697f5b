"""`nurture config` and the rules every setting meets, wherever it is typed or read.

The same checks serve the CLI, the "Your details" screen and the loader; a damaged or
hand-broken config.toml is one line naming the file (and the key), never a traceback.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from cli_runner import Nurture
from nurture_tui.config import (
    MissingDetailsError,
    Settings,
    check_setting,
    load_settings,
    missing_invite_details,
    require_invite_details,
    save_settings,
)
from nurture_tui.domain.errors import ValidationError


@pytest.fixture
def nurture(tmp_path: Path) -> Nurture:
    return Nurture(tmp_path / "home", tmp_path / "config")


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return tmp_path / "config" / "config.toml"


# --- the checks themselves (pure) ------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "raw", "expected"),
    [
        ("rep_name", "  Alex Rivera ", "Alex Rivera"),
        ("rep_email", "Alex@Sunrise.org", "alex@sunrise.org"),
        ("agency_domain", "https://www.Sunrise.org/about", "sunrise.org"),
        ("timezone", "America/Chicago", "America/Chicago"),
        ("timezone", "", ""),
        ("zoom_url", "https://zoom.us/j/5550001", "https://zoom.us/j/5550001"),
        ("daily_capacity", "1", 1),
        ("daily_capacity", 100, 100),
        ("keep_subjects", "no", False),
        ("imap_port", "993", 993),
    ],
)
def test_good_values_are_accepted_and_normalised(key: str, raw: object, expected: object) -> None:
    assert check_setting(key, raw) == expected


@pytest.mark.parametrize(
    ("key", "raw", "words"),
    [
        ("rep_name", "Alex\x1b[31m Rivera", "escape codes"),
        ("agency", "Sunrise\u202eeraC emoH", "control characters"),
        ("rep_name", "Your Name", "placeholder"),
        ("rep_email", "alex at sunrise", "not an email address"),
        ("agency_domain", "sunrise", "not a domain"),
        ("timezone", "Mars/Base", "not an IANA time zone"),
        ("timezone", "../../etc/passwd", "not an IANA time zone"),
        ("zoom_url", "http://zoom.us/j/1", "https://"),
        ("zoom_url", "javascript:alert(1)", "https://"),
        ("daily_capacity", "0", "between 1 and 100"),
        ("daily_capacity", "101", "between 1 and 100"),
        ("daily_capacity", "ten", "whole number"),
        ("daily_capacity", True, "whole number"),
        ("keep_subjects", "maybe", "true or false"),
        ("rep_name", 42, "text"),
        ("rep_name", "x" * 201, "longer than 200"),
    ],
)
def test_bad_values_are_refused_with_the_reason(key: str, raw: object, words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        check_setting(key, raw)


def test_a_near_miss_zone_is_suggested() -> None:
    with pytest.raises(ValidationError, match="did you mean America/Chicago"):
        check_setting("timezone", "America/Chicgo")


def test_invites_need_name_email_and_agency_and_refuse_placeholders() -> None:
    assert missing_invite_details(Settings(rep_email="a@b.org")) == ["rep_name", "agency"]
    old = Settings(rep_name="Your Name", rep_email="a@b.org", agency="Your Agency")
    assert missing_invite_details(old) == ["rep_name", "agency"]
    with pytest.raises(MissingDetailsError) as caught:
        require_invite_details(Settings(rep_email="a@b.org", agency="Sunrise"))
    message = str(caught.value)
    assert caught.value.missing == ("rep_name",)
    assert 'nurture config set rep_name "…"' in message and "config.toml" in message
    assert "\n" not in message


# --- the file: kept, atomic, private ----------------------------------------------------------


def test_saving_keeps_comments_unknown_keys_and_the_nurture_table(config: Path) -> None:
    config.parent.mkdir(parents=True)
    config.write_text(
        '# my settings\n[nurture]\nrep_email = "a@b.org"  # work address\n'
        "future_option = 3\n\n[google]\nextra = true\n"
    )
    save_settings({"rep_name": "Alex Rivera", "rep_email": "alex@sunrise.org"}, config)
    text = config.read_text()
    assert "# my settings" in text and "# work address" in text
    assert "future_option = 3" in text and "[google]" in text
    assert 'rep_email = "alex@sunrise.org"' in text
    loaded = load_settings(config)
    assert (loaded.rep_name, loaded.rep_email) == ("Alex Rivera", "alex@sunrise.org")
    assert stat.S_IMODE(config.stat().st_mode) == 0o600


def test_a_damaged_file_is_never_overwritten(config: Path) -> None:
    config.parent.mkdir(parents=True)
    config.write_text('rep_name = "Alex\n')
    with pytest.raises(ValidationError, match="not valid TOML"):
        save_settings({"agency": "Sunrise"}, config)
    assert config.read_text() == 'rep_name = "Alex\n'


def test_a_linked_config_file_stays_a_link(tmp_path: Path, config: Path) -> None:
    real = tmp_path / "dotfiles" / "nurture.toml"
    real.parent.mkdir()
    real.write_text("# from my dotfiles\n")
    config.parent.mkdir(parents=True)
    config.symlink_to(real)
    save_settings({"agency": "Sunrise Home Care"}, config)
    assert config.is_symlink() and 'agency = "Sunrise Home Care"' in real.read_text()


# --- the command ------------------------------------------------------------------------------


def test_set_get_show_and_path(nurture: Nurture, config: Path) -> None:
    assert nurture("config", "path").stdout.strip() == str(config)
    assert nurture.json("config", "path") == {"path": str(config), "exists": False}
    saved = nurture("config", "set", "rep_name", "Alex Rivera")
    assert str(config) in saved.stdout
    nurture("config", "set", "agency_domain", "https://www.Sunrise.org/")
    assert nurture("config", "get", "agency_domain").stdout == "sunrise.org\n"
    assert nurture.json("config", "set", "daily_capacity", "8") == {
        "key": "daily_capacity",
        "value": 8,
        "path": str(config),
    }
    assert nurture.json("config", "get", "daily_capacity") == {
        "key": "daily_capacity",
        "value": 8,
        "source": "file",
    }
    shown = nurture.json("config", "show")
    assert isinstance(shown, dict) and shown["path"] == str(config)
    by_key = {s["key"]: s for s in shown["settings"]}
    assert by_key["rep_name"] == {"key": "rep_name", "value": "Alex Rivera", "source": "file"}
    assert by_key["timezone"]["source"] == "env"  # the test runner sets NURTURE_TIMEZONE
    assert by_key["agency"]["source"] == "default"
    text = nurture("config", "show").stdout
    assert "Alex Rivera" in text and str(config) in text
    assert stat.S_IMODE(config.stat().st_mode) == 0o600


def test_an_unknown_key_suggests_the_nearest_and_lists_them(nurture: Nurture) -> None:
    result = nurture("config", "set", "rep_emial", "a@b.org", ok=False)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "did you mean rep_email?" in lines[0]
    assert "daily_capacity" in lines[0] and "zoom_url" in lines[0]
    result = nurture("config", "get", "email", "--json", ok=False)
    assert result.returncode == 1
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "invalid" and "did you mean rep_email?" in error["message"]


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("timezone", "Mars/Base", "not an IANA time zone"),
        ("rep_name", "Alex\x1b]0;pwned\x07", "escape codes"),
        ("daily_capacity", "1000", "between 1 and 100"),
        ("zoom_url", "http://zoom.us/j/1", "https://"),
        ("rep_email", "alex", "not an email address"),
    ],
)
def test_bad_values_are_one_line_and_change_nothing(
    nurture: Nurture, config: Path, key: str, value: str, words: str
) -> None:
    nurture("config", "set", "agency", "Sunrise Home Care")
    before = config.read_bytes()
    result = nurture("config", "set", key, value, ok=False)
    assert result.returncode == 1 and result.stdout == ""
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"nurture: error: {key}: ") and words in line
    assert "\x1b" not in result.stderr
    assert config.read_bytes() == before


def test_a_damaged_config_is_one_line_for_every_command(nurture: Nurture, config: Path) -> None:
    config.parent.mkdir(parents=True)
    config.write_bytes(b'rep_name = "Alex\n[nurture\n')
    for args in (("config", "show"), ("config", "set", "agency", "X"), ("partner", "list")):
        result = nurture(*args, ok=False)
        assert result.returncode == 1
        [line] = result.stderr.strip().splitlines()
        assert str(config) in line and "not valid TOML" in line
    config.write_bytes(b"\xff\xfe\x00garbage")
    result = nurture("config", "get", "agency", ok=False)
    assert result.returncode == 1 and str(config) in result.stderr
    assert nurture("config", "path").stdout.strip() == str(config), "path works regardless"


def test_a_bad_value_put_in_the_file_by_hand_names_the_key_and_the_fix(
    nurture: Nurture, config: Path
) -> None:
    config.parent.mkdir(parents=True)
    config.write_text('[nurture]\nrep_name = "Alex\\u001b[2J"\ndaily_capacity = "lots"\n')
    result = nurture("partner", "list", ok=False)
    [line] = result.stderr.strip().splitlines()
    assert str(config) in line and "rep_name" in line and "nurture config set rep_name" in line
    assert "\x1b" not in line
    shown = nurture.json("config", "show")
    assert isinstance(shown, dict)
    problems = {s["key"]: s["problem"] for s in shown["settings"] if "problem" in s}
    assert set(problems) == {"rep_name", "daily_capacity"}
    nurture("config", "set", "rep_name", "Alex Rivera")  # fixing works with the file broken
    nurture("config", "set", "daily_capacity", "10")
    assert nurture("partner", "list").returncode == 0


def test_a_config_dir_that_is_a_file_is_one_line(nurture: Nurture, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    nurture.env["NURTURE_CONFIG_DIR"] = str(blocker)
    result = nurture("config", "show", ok=False)
    assert result.returncode == 1 and "NURTURE_CONFIG_DIR" in result.stderr


def test_an_environment_variable_that_wins_is_said(nurture: Nurture) -> None:
    result = nurture("config", "set", "timezone", "Europe/London")
    assert "NURTURE_TIMEZONE is set" in result.stderr
    env = {k: v for k, v in nurture.env.items() if k != "NURTURE_TIMEZONE"}
    nurture.env = env
    assert nurture("config", "get", "timezone").stdout.strip() == "Europe/London"


def test_config_works_without_a_store(nurture: Nurture, tmp_path: Path) -> None:
    nurture("config", "set", "rep_email", "alex@sunrise.org")
    assert not (tmp_path / "home").exists() or not os.listdir(tmp_path / "home")
