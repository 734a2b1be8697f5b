"""Sync as a use case: find installed sources, sign in, run them, keep a status file,
triage people.

Every source is reached through the source contract (``sync/contract.py``): this module builds
each one its ``SourceContext`` — its declared options from the settings, its own keyring
entries, the clock and the sync window — and keeps the store to itself. Nothing here names
a source, so one installed by a third party's entry point gets sign-in, sync and the Sync
screen like the four that ship.

The last-run status lives in ``sync-status.json`` beside the store, not in it: a sync that
finds nothing new must not write to the store at all.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from nurture_tui.config import check_setting
from nurture_tui.domain.errors import NurtureError, ValidationError
from nurture_tui.domain.repository import own_state_key
from nurture_tui.services import records
from nurture_tui.services.session import Session
from nurture_tui.store.files import atomic_write
from nurture_tui.sync.contract import (
    KeyringSecrets,
    NoPrompts,
    Prompts,
    SignIn,
    SourceContext,
    SourceOption,
    SourcePlugin,
    SourceSecrets,
    SourceStatus,
    SyncSource,
)
from nurture_tui.sync.runner import SyncReport, run_sync
from nurture_tui.sync.sources import (
    GROUP,
    InstalledSource,
    installed_sources,
    load_plugin,
    unknown_source_message,
)

__all__ = ["GROUP", "InstalledSource", "installed_sources", "unknown_source_message"]

#: Where a source's secrets live (tests swap in a fake keyring backend, not this).
SecretsFor = Callable[[str], SourceSecrets]


# --- a source's context ----------------------------------------------------------------------


def source_context(
    session: Session,
    plugin: SourcePlugin | SignIn,
    *,
    prompts: Prompts | None = None,
    overrides: Mapping[str, object] | None = None,
    require: bool = True,
    secrets: SecretsFor = KeyringSecrets,
) -> SourceContext:
    """What ``plugin`` is handed: its options (settings, then ``overrides`` for this run,
    each checked by the option's rules), its keyring entries, the clock and the window.

    ``require``: refuse (ValidationError naming the keys and the fix) while a required
    option is unset — before a sync or a sign-in starts, never halfway through one.
    """
    settings = session.settings
    declared: Sequence[SourceOption] = getattr(plugin, "options", ())
    by_name = {option.name: option for option in declared}
    options: dict[str, Any] = {
        o.name: settings.sources.get(o.key(plugin.name), o.default) for o in declared
    }
    for name, value in (overrides or {}).items():
        option = by_name.get(name)
        if option is None:
            raise ValidationError(
                f"{plugin.name} has no --{name.replace('_', '-')} option"
                + (f"; its options: {', '.join(sorted(by_name))}" if by_name else "")
            )
        try:
            options[name] = check_setting(option.key(plugin.name), value)
        except ValidationError as exc:
            raise ValidationError(f"--{name.replace('_', '-')}: {exc}") from None
    if require:
        missing = [o for o in declared if o.required and options[o.name] in ("", None)]
        if missing:
            raise ValidationError(missing_options(plugin.name, missing))
    now = session.now()
    window = (
        now - timedelta(days=settings.sync_past_days),
        now + timedelta(days=settings.sync_future_days),
    )
    return SourceContext(
        name=plugin.name,
        options=options,
        secrets=secrets(plugin.name),
        clock=session.clock,
        zone=settings.zone,
        window=window,
        data_dir=session.repo.directory,
        prompts=prompts or NoPrompts(plugin.name),
    )


def missing_options(name: str, missing: Sequence[SourceOption]) -> str:
    keys = [o.key(name) for o in missing]
    first = missing[0]
    example = "https://…" if first.kind == "url" else "…"
    return (
        f"{name} needs {' and '.join(keys)} set first ({first.help.rstrip('.')}): run "
        f'`nurture config set {keys[0]} "{example}"`, then `nurture auth {name}`'
    )


def unset_options(session: Session, plugin: SourcePlugin) -> list[str]:
    """The config keys of required options that are not set (for the Sync screen)."""
    return [
        o.key(plugin.name)
        for o in plugin.options
        if o.required and session.settings.sources.get(o.key(plugin.name), o.default) in ("", None)
    ]


def load_source(session: Session, name: str) -> SyncSource:
    """The installed source ``name``, opened for one run (its options checked first)."""
    plugin = load_plugin(name)
    return plugin.open(source_context(session, plugin))


# --- signing in ------------------------------------------------------------------------------


class ZoomSignIn:
    """Zoom's server-to-server OAuth app (account id, client id and secret, in the keyring):
    not a sync source, but signed in to the same way, so ``nurture auth zoom`` works."""

    name = "zoom"
    title = "Zoom"
    options: tuple[SourceOption, ...] = ()

    def authenticate(self, context: SourceContext) -> str:
        from nurture_tui.invites import zoom

        credentials = zoom.ZoomCredentials(
            context.prompts.ask("Zoom account id: ").strip(),
            context.prompts.ask("Zoom client id: ").strip(),
            context.prompts.ask("Zoom client secret: ", secret=True).strip(),
        )
        zoom.save_credentials(credentials)
        return "Zoom app stored in the keyring"

    def status(self, context: SourceContext) -> SourceStatus:
        if context.secrets.get() is not None:
            return SourceStatus(True, "Zoom app stored")
        return SourceStatus(False, "not connected: run `nurture auth zoom`")

    def logout(self, context: SourceContext) -> str:
        context.secrets.delete()
        return "forgot the Zoom app"


#: Sign-ins that are not sync sources (offered by ``nurture auth`` beside the sources).
OTHER_SIGN_INS: dict[str, SignIn] = {"zoom": ZoomSignIn()}


def sign_in_names() -> list[str]:
    """What ``nurture auth`` accepts: every installed source, and Zoom."""
    return sorted({*(s.name for s in installed_sources()), *OTHER_SIGN_INS})


def _sign_in(name: str) -> SignIn:
    if name in OTHER_SIGN_INS:
        return OTHER_SIGN_INS[name]
    try:
        return load_plugin(name)
    except NurtureError as exc:
        if name in {s.name for s in installed_sources()}:
            raise
        raise ValidationError(unknown_source_message(name, sign_in_names())) from exc


def sign_in(
    session: Session,
    name: str,
    prompts: Prompts,
    overrides: Mapping[str, object] | None = None,
) -> str:
    """Run ``name``'s sign-in (browser, device code or a password asked through
    ``prompts``); on success the source counts as connected. Returns what happened."""
    from nurture_tui.secrets import require_keyring

    require_keyring()  # before asking anything: what is typed must have a safe home
    plugin = _sign_in(name)
    said = plugin.authenticate(
        source_context(session, plugin, prompts=prompts, overrides=overrides)
    )
    if name not in OTHER_SIGN_INS:
        session.repo.put_state(own_state_key(session.repo, f"source:{name}"), {"enabled": True})
    return said


def sign_in_status(session: Session, name: str) -> SourceStatus:
    """Whether the rep is signed in to ``name`` (no browser, no question, no network for a
    source that has nothing stored)."""
    from nurture_tui.secrets import require_keyring

    require_keyring()
    plugin = _sign_in(name)
    return plugin.status(source_context(session, plugin, require=False))


def sign_out(session: Session, name: str) -> str:
    """Forget ``name``'s stored sign-in; it no longer counts as connected."""
    from nurture_tui.secrets import require_keyring

    require_keyring()
    plugin = _sign_in(name)
    said = plugin.logout(source_context(session, plugin, require=False))
    if name not in OTHER_SIGN_INS:
        session.repo.put_state(own_state_key(session.repo, f"source:{name}"), None)
    return said


class TerminalPrompts:
    """Prompts in the terminal the sign-in runs in (the CLI's, or the TUI's while it is
    suspended): lines on stderr, answers from stdin — refused when stdin is no terminal,
    rather than waiting forever for an answer nobody can type."""

    def __init__(self, name: str) -> None:
        self.name = name

    def say(self, text: str) -> None:
        print(text, file=sys.stderr)

    def ask(self, question: str, *, secret: bool = False) -> str:
        if not sys.stdin.isatty():
            raise ValidationError(
                f"`nurture auth {self.name}` asks for {question.split(' (')[0].rstrip(': ')}: "
                "run it in a terminal"
            )
        if secret:
            import getpass

            return getpass.getpass(question)
        return input(question)


def configured_sources(session: Session) -> list[str]:
    """Sources the rep has signed in to or configured (their state says so)."""
    repo = session.repo
    return [
        s.name for s in installed_sources() if repo.state(own_state_key(repo, f"source:{s.name}"))
    ]


def status_file(session: Session) -> Path:
    directory = session.repo.directory
    return directory / "sync-status.json"


def read_status(session: Session) -> dict[str, Any]:
    path = status_file(session)
    try:
        loaded: dict[str, Any] = orjson.loads(path.read_bytes())
        return loaded
    except (FileNotFoundError, orjson.JSONDecodeError):
        return {}


def record_status(session: Session, report: SyncReport, at: datetime) -> None:
    status = read_status(session)
    status[report.source] = {"at": at.isoformat(), **report.as_json()}
    atomic_write(status_file(session), orjson.dumps(status, option=orjson.OPT_INDENT_2))


def setup_failed(session: Session, name: str, error: NurtureError) -> SyncReport:
    """A source that could not even start (no password stored, not installed): recorded in
    the sync status like any run, so the Sync screen and `nurture sources` show it."""
    report = SyncReport(name, status="SetupFailed", message=str(error))
    record_status(session, report, session.now())
    return report


def sync(
    session: Session,
    source: SyncSource,
    *,
    full: bool = False,
    allow_deletions: bool = False,
    progress: Callable[[str], None] | None = None,
) -> SyncReport:
    # One change, however many pages and feeds: undo reverts the whole run, never one by one.
    with session.repo.change(f"sync-{source.name}", f"Synced {source.name}"):
        report = run_sync(
            session, source, full=full, allow_deletions=allow_deletions, progress=progress
        )
    record_status(session, report, session.now())
    return report


# --- the unmatched people queue ------------------------------------------------------------


@dataclass(frozen=True)
class UnmatchedPerson:
    email: str
    count: int
    last_seen: str
    source: str


def unmatched_people(session: Session) -> list[UnmatchedPerson]:
    people = []
    prefix = own_state_key(session.repo, "unmatched:")
    for key in session.repo.state_keys(prefix):
        entry = session.repo.state(key) or {}
        if entry.get("ignored") or entry.get("assigned"):
            continue
        people.append(
            UnmatchedPerson(
                entry.get("email", key[len(prefix) :]),
                int(entry.get("count", 0)),
                str(entry.get("last_seen", "")),
                str(entry.get("source", "")),
            )
        )
    return sorted(people, key=lambda p: (-p.count, p.email))


def ignore_person(session: Session, email: str) -> None:
    """Never queue this address again (remembered)."""
    key = own_state_key(session.repo, f"unmatched:{email.lower()}")
    entry = session.repo.state(key) or {"email": email.lower()}
    session.repo.put_state(key, {**entry, "ignored": True})


def assign_person(
    session: Session,
    email: str,
    partner_id: str,
    contact_id: str | None = None,
    name: str | None = None,
) -> str:
    """Give the address to a contact (or a new contact at the partner); returns the contact."""
    email = email.lower()
    repo = session.repo
    pid = repo.resolve("partner", partner_id)
    if contact_id:
        contact = repo.contact(repo.resolve("contact", contact_id))
        if contact.partner_id != pid:
            raise ValidationError(f"{contact.name} works at another partner")
        if email not in contact.emails:
            contact = records.edit_contact(session, contact.id, emails=(*contact.emails, email))
    else:
        local = email.split("@")[0].replace(".", " ").replace("_", " ")
        contact = records.add_contact(session, pid, name or local.title() or email, emails=[email])
    key = own_state_key(repo, f"unmatched:{email}")
    entry = repo.state(key) or {"email": email}
    repo.put_state(key, {**entry, "assigned": contact.id})
    return contact.id
