"""The rep's settings file: read, checked and written. The typed model, ``Settings``, is
``context.Settings`` (re-exported here); loaded once.

Read from ``config.toml`` in the config directory; every field can be overridden by an
environment variable ``NURTURE_<FIELD>`` (tests and cron jobs use that).

Every value passes ``check_setting`` wherever it comes from — the file, the environment,
``nurture config set`` or the "Your details" screen — so a bad value is refused with the
same words everywhere, and one that got into the file by hand is reported by key and file
on the next start, never used. ``save_settings`` is the one writer of the file: it keeps
the rep's comments and any keys it does not know, and replaces the file atomically (0600).
"""

from __future__ import annotations

import difflib
import functools
import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import available_timezones

# Settings and its keys are defined with the core context (below sync/, which reads them);
# this module reads, checks and writes the file, and knows the installed sources' options.
from nurture_tui.context import Settings as Settings
from nurture_tui.context import core_setting_keys as core_setting_keys
from nurture_tui.domain.errors import ValidationError
from nurture_tui.domain.text import checked_link
from nurture_tui.domain.validation import clean_domain, clean_email
from nurture_tui.locations import config_file

if TYPE_CHECKING:
    from nurture_tui.sync.contract import SourceOption


# ----------------------------------------------------------------------------- the keys

#: The settings the "Your details" screen edits, in its order.
DETAILS: tuple[str, ...] = (
    "rep_name",
    "rep_email",
    "agency",
    "agency_domain",
    "timezone",
    "zoom_url",
    "daily_capacity",
    "agency_type",
)

#: What an invite cannot go out without: it is sent in the rep's name, from their address,
#: and its text names their agency.
INVITE_DETAILS: tuple[str, ...] = ("rep_name", "rep_email", "agency")

#: Each detail in words, for messages ("rep_name (your name) is not set").
DESCRIPTIONS: dict[str, str] = {
    "rep_name": "your name",
    "rep_email": "your email address",
    "agency": "your agency's name",
    "agency_domain": "your agency's mail domain",
    "timezone": "your time zone",
    "zoom_url": "your video-meeting link",
    "daily_capacity": "how many actions a day's plan holds",
    "agency_type": "what your agency furnishes (home-health, hospice, ...)",
    "currency": "the currency of the values you log",
}

#: Values that stand in for a real one (the defaults of earlier versions): never sent.
PLACEHOLDERS = frozenset({"your name", "your agency", "your agency name"})

#: Words people try for a key, for "did you mean" (never accepted as the key itself).
_ALIASES: dict[str, str] = {
    "name": "rep_name",
    "email": "rep_email",
    "mail": "rep_email",
    "organizer": "rep_email",
    "domain": "agency_domain",
    "tz": "timezone",
    "zone": "timezone",
    "time_zone": "timezone",
    "video": "zoom_url",
    "video_url": "zoom_url",
    "video_link": "zoom_url",
    "meeting_link": "zoom_url",
    "zoom": "zoom_url",
    "link": "zoom_url",
    "capacity": "daily_capacity",
    "plan_size": "daily_capacity",
    "agency_types": "agency_type",
    "type": "agency_type",
}

#: Whole numbers and the range each may take (inclusive).
_RANGES: dict[str, tuple[int, int]] = {
    "daily_capacity": (1, 100),
    "sync_every_minutes": (0, 24 * 60),
    "sync_past_days": (0, 3650),
    "sync_future_days": (0, 3650),
}

_MAX_TEXT = 200
_MAX_LINK = 2000
#: Terminal escapes, other control characters and bidi overrides: refused in a setting (it
#: is typed by the rep, so refusing says more than silently cleaning it would).
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def setting_keys() -> list[str]:
    """Every setting: Nurture's own, then each installed source's options."""
    return [*core_setting_keys(), *_source_options()]


def _kinds() -> dict[str, str]:
    return {f.name: str(f.type) for f in fields(Settings) if f.name != "sources"}


def _source_options() -> dict[str, SourceOption]:
    """The installed sources' options by key; a key no installed source declares is not
    a setting (a source removed later leaves its keys in the file, unread)."""
    from nurture_tui.sync.sources import source_options

    return {key: option for key, (_name, option) in source_options().items()}


_OPTION_KINDS = {"int": "int", "bool": "bool"}  # every other kind is text


class UnknownSettingError(ValidationError):
    """A key that is not a setting; the message suggests the nearest and lists them all."""

    def __init__(self, key: str) -> None:
        keys = setting_keys()
        guess = _ALIASES.get(key.lower().replace("-", "_"))
        if guess is None:
            close = difflib.get_close_matches(key.lower().replace("-", "_"), keys, n=1)
            guess = close[0] if close else None
        hint = f"; did you mean {guess}?" if guess else "."
        super().__init__(f"unknown setting {_shown(key)}{hint} Settings: {', '.join(keys)}")
        self.key = key
        self.suggestion = guess


def check_key(key: str) -> str:
    if key not in _kinds() and key not in _source_options():
        raise UnknownSettingError(key)
    return key


def _shown(value: object) -> str:
    """A value quoted for a message, with control characters made visible (never raw)."""
    return repr(value) if isinstance(value, str) else repr(str(value))


# ------------------------------------------------------------------------ the checks


def check_setting(key: str, value: object) -> object:
    """The value ``key`` takes, from text typed or a TOML value; ValidationError says why
    not (without naming the key: the caller says where the value came from).

    A source's option (``caldav_url``) is checked by the rules of its declared kind."""
    kind = _kinds().get(key)
    option = None if kind is not None else _source_options().get(key)
    if option is not None:
        kind = _OPTION_KINDS.get(option.kind, "str")
    if kind is None:
        raise UnknownSettingError(key)
    if kind == "bool":
        return _check_bool(value)
    if kind == "int":
        between = option.between if option is not None else None
        return _check_int(key, value, between)
    if not isinstance(value, str):
        raise ValidationError(f"expected text in quotes, not {_shown(value)}")
    is_link = key.endswith("_url") or (option is not None and option.kind == "url")
    text = check_plain_text(value, _MAX_LINK if is_link else _MAX_TEXT)
    check = _TEXT_CHECKS.get(key)
    if option is not None and option.kind == "url":
        check = check_https
    return check(text) if check and text else text


def check_plain_text(value: str, limit: int = _MAX_TEXT) -> str:
    """One line of printable text, trimmed: escape codes, control characters and bidi
    overrides are refused (they would retitle a terminal or reorder an invite's text)."""
    if _UNPRINTABLE.search(value):
        raise ValidationError(
            "escape codes and other control characters are not allowed; type plain text"
        )
    text = value.strip()
    if len(text) > limit:
        raise ValidationError(f"longer than {limit} characters")
    return text


def check_person_name(value: str) -> str:
    if value.lower() in PLACEHOLDERS:
        raise ValidationError(f"{value!r} is a placeholder; type the real name")
    return value


def check_zone(value: str) -> str:
    """An IANA zone name that this machine's zone database knows ('' is the system's)."""
    if not value:
        return ""
    if value not in _zone_names():
        close = difflib.get_close_matches(value, sorted(_zone_names()), n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        raise ValidationError(
            f"{value!r} is not an IANA time zone (like America/Chicago or Europe/London){hint}"
        )
    return value


@functools.cache
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def check_agency_type(value: str) -> str:
    """ "Home Health, hospice" -> "home-health,hospice": known types only, each once."""
    from nurture_tui.domain.kinds import AgencyType

    known = {t.value for t in AgencyType}
    chosen: list[str] = []
    for part in value.replace(";", ",").split(","):
        word = "-".join(part.strip().lower().replace("_", " ").split())
        if not word:
            continue
        if word not in known:
            raise ValidationError(
                f"{part.strip()!r} is not an agency type; choose one or more of: "
                f"{', '.join(sorted(known))} (comma-separated)"
            )
        if word not in chosen:
            chosen.append(word)
    return ",".join(chosen)


def check_currency(value: str) -> str:
    """An ISO 4217 code, upper-cased ("usd" -> "USD")."""
    code = value.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise ValidationError(f"{value!r} is not a currency code (three letters, like USD)")
    return code


def check_video_link(value: str) -> str:
    return checked_link(value, "video link")


def check_store_url(value: str) -> str:
    """A PostgreSQL URL whose TLS settings are safe (``store.team_url``); kept as typed —
    ``nurture config set`` moves a password out of it before it is saved."""
    from nurture_tui.store.team_url import check_tls, parse_store_url

    check_tls(parse_store_url(value))
    return value


def shown_setting(key: str, value: object) -> object:
    """``value`` as the rep may see it: a store URL without its password."""
    if key == "store_url" and isinstance(value, str) and value:
        from nurture_tui.store.team_url import parse_store_url, shown

        try:
            return shown(parse_store_url(value))
        except ValidationError:
            return "(not a PostgreSQL address)"  # a bad value may still hold a password
    return value


def check_https(value: str) -> str:
    return checked_link(value, "server address")


def _check_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.strip().lower()
        if word in ("1", "true", "yes", "on"):
            return True
        if word in ("0", "false", "no", "off"):
            return False
    raise ValidationError(f"expected true or false, not {_shown(value)}")


def _check_int(key: str, value: object, between: tuple[int, int] | None = None) -> int:
    if isinstance(value, bool):
        raise ValidationError(f"expected a whole number, not {_shown(value)}")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,9}\s*", value):
        number = int(value)
    else:
        raise ValidationError(f"expected a whole number, not {_shown(value)}")
    low, high = between or _RANGES.get(key, (0, 10**9))
    if not low <= number <= high:
        raise ValidationError(f"must be between {low} and {high}, not {number}")
    return number


_TEXT_CHECKS = {
    "rep_name": check_person_name,
    "agency": check_person_name,
    "rep_email": clean_email,
    "agency_domain": clean_domain,
    "timezone": check_zone,
    "zoom_url": check_video_link,
    "agency_type": check_agency_type,
    "currency": check_currency,
    "store_url": check_store_url,
}


def missing_invite_details(settings: Settings) -> list[str]:
    """The settings an invite needs that are empty (or still an old placeholder)."""
    missing = []
    for key in INVITE_DETAILS:
        value = str(getattr(settings, key)).strip()
        if not value or value.lower() in PLACEHOLDERS:
            missing.append(key)
    return missing


class MissingDetailsError(ValidationError):
    """An invite would go out with a blank or a placeholder: the rep's details come first.

    ``missing`` lets the TUI open the details screen instead of only saying so."""

    def __init__(self, missing: Sequence[str], path: Path | None) -> None:
        self.missing = tuple(missing)
        where = f"(kept in {path})" if path else "(kept in config.toml)"
        named = ", ".join(f"{key} ({DESCRIPTIONS[key]})" for key in self.missing)
        verb = "is" if len(self.missing) == 1 else "are"
        example = f'nurture config set {self.missing[0]} "…"'
        super().__init__(
            f"invites go out in your name, and {named} {verb} not set: run `{example}` "
            f'{where}, or fill in Your details in the app (ctrl+p, then "details")'
        )


def require_invite_details(settings: Settings) -> None:
    missing = missing_invite_details(settings)
    if missing:
        raise MissingDetailsError(missing, _config_path_or_none())


def _config_path_or_none() -> Path | None:
    try:
        return config_file()
    except OSError:
        return None


# --------------------------------------------------------------------- reading the file


@dataclass(frozen=True)
class Entry:
    """One setting as it is in force: its value, where it came from, and any problem."""

    key: str
    value: object
    source: str  # "file", "env" or "default"
    problem: str = ""


def settings_path() -> Path:
    """config.toml's path; a config directory that cannot be made is one clear line."""
    try:
        return config_file()
    except OSError as exc:
        raise ValidationError(
            f"the config directory cannot be used ({exc.strerror or exc}); set "
            "NURTURE_CONFIG_DIR to a folder you own"
        ) from None


def _read_text(path: Path) -> str | None:
    if not path.exists():
        return None
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ValidationError(
            f"{path} is not valid TOML (not UTF-8 text); fix it or move it away"
        ) from None
    except OSError as exc:
        raise ValidationError(f"{path} cannot be read: {exc.strerror or exc}") from None


def _file_section(path: Path, text: str | None) -> Mapping[str, Any]:
    if text is None:
        return {}
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(f"{path} is not valid TOML: {exc}; fix it or move it away") from None
    section = raw.get("nurture", raw)
    if not isinstance(section, dict):
        raise ValidationError(f"{path}: `nurture` must be a [nurture] table")
    return section


def read_entries(path: Path | None = None) -> list[Entry]:
    """Every setting with its source; values that break a rule carry the problem instead
    of stopping the read (``nurture config show`` lists them). A file that is not TOML
    raises: nothing in it can be trusted."""
    path = path or settings_path()
    section = _file_section(path, _read_text(path))
    defaults = Settings()
    options = _source_options()
    entries = []
    for key in setting_keys():
        env = os.environ.get(f"NURTURE_{key.upper()}")
        raw: object
        if env is not None:
            raw, source = env, "env"
        elif key in section:
            raw, source = section[key], "file"
        else:
            default = options[key].default if key in options else getattr(defaults, key)
            entries.append(Entry(key, default, "default"))
            continue
        try:
            entries.append(Entry(key, check_setting(key, raw), source))
        except ValidationError as exc:
            entries.append(Entry(key, raw, source, str(exc)))
    return entries


def load_settings(path: Path | None = None) -> Settings:
    """Settings from the config file and ``NURTURE_*`` variables; bad files raise clearly."""
    path = path or settings_path()
    values: dict[str, Any] = {}
    sources: dict[str, Any] = {}
    core = set(core_setting_keys())
    for entry in read_entries(path):
        if entry.problem:
            where = f"NURTURE_{entry.key.upper()}" if entry.source == "env" else str(path)
            raise ValidationError(
                f"{where}: {entry.key}: {entry.problem}; fix it with "
                f'`nurture config set {entry.key} "…"`'
            )
        if entry.key not in core:
            sources[entry.key] = entry.value  # defaults too: a source reads one dict
        elif entry.source != "default":
            values[entry.key] = entry.value
    return Settings(**values, sources=sources)


def env_overrides() -> list[str]:
    """The settings a ``NURTURE_*`` variable decides in this process (the file's value for
    them is not the one in force)."""
    return [key for key in setting_keys() if f"NURTURE_{key.upper()}" in os.environ]


# ---------------------------------------------------------------------- writing the file


def save_settings(changes: Mapping[str, object], path: Path | None = None) -> Path:
    """Check ``changes`` and write them into config.toml: comments, order and keys this
    version does not know are kept (tomlkit round-trips the file); the new file replaces
    the old one atomically and is readable only by its owner. Returns the path written.

    A file that is not valid TOML is never overwritten: the rep's other settings are in it.
    """
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    from nurture_tui.store.files import atomic_write

    path = path or settings_path()
    checked = {check_key(key): check_setting(key, value) for key, value in changes.items()}
    text = _read_text(path)
    _file_section(path, text)  # refuse a damaged file before touching anything
    try:
        document = tomlkit.parse(text or "")
    except TOMLKitError as exc:
        raise ValidationError(f"{path} is not valid TOML: {exc}; fix it or move it away") from None
    table: Any = document.get("nurture", document)
    for key, value in checked.items():
        if value == "" and key not in table:
            continue  # nothing to record: empty is the default
        table[key] = value
    data = tomlkit.dumps(document).encode("utf-8")
    target = path.resolve() if path.is_symlink() else path  # a dotfiles link stays a link
    try:
        atomic_write(target, data)
    except OSError as exc:
        raise ValidationError(f"{target} cannot be written: {exc.strerror or exc}") from None
    return path


def with_saved(settings: Settings, changes: Mapping[str, object]) -> Settings:
    """``settings`` after ``save_settings(changes)``: what a running app should use now
    (a key a ``NURTURE_*`` variable decides keeps that value, as on the next start)."""
    overridden = set(env_overrides())
    kept: dict[str, Any] = {
        k: check_setting(k, v) for k, v in changes.items() if k not in overridden
    }
    core = set(core_setting_keys())
    sources = {k: v for k, v in kept.items() if k not in core}
    own = {k: v for k, v in kept.items() if k in core}
    return replace(settings, **own, sources={**settings.sources, **sources})
