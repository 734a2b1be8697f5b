"""The source contract: what a sync source declares and implements, and its errors.

A source is pure I/O: it fetches pages of calendar events and sent-mail headers and returns
them with an opaque cursor. Deciding what becomes a touchpoint is the core's job
(``meetings.py``, ``mail.py``), so every source behaves the same.

An installed source is a ``SourcePlugin`` registered in the ``nurture_tui.sources``
entry-point group (``sync/sources.py`` finds them). Like a harlequin adapter it declares
its options (``SourceOption``: config keys ``<source>_<option>``, checked by the same rules
as every setting) and implements sign-in (``authenticate`` / ``status`` / ``logout``); it
is handed a ``SourceContext`` — its own options, its own keyring entries, the clock and
the sync window — and never the store: the runner owns that.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, Literal, Protocol, runtime_checkable

from nurture_tui.domain.errors import NurtureError
from nurture_tui.invites.model import Invite
from nurture_tui.sync.meetings import Meeting


@dataclass(frozen=True, slots=True)
class SentMessage:
    """Headers of one sent message: never its body."""

    external_id: str  # the message id in the source
    sent_at: datetime
    subject: str
    recipients: tuple[str, ...]  # To and Cc addresses


@dataclass(frozen=True)
class CalendarPage:
    """What a source returned for its calendar since ``cursor``."""

    meetings: Sequence[Meeting]
    removed: Sequence[str] = ()  # external ids of events deleted at the source
    cursor: dict[str, Any] = field(default_factory=dict)
    full: bool = False  # a full listing (the source had no usable cursor)


@dataclass(frozen=True)
class MailPage:
    messages: Sequence[SentMessage]
    cursor: dict[str, Any] = field(default_factory=dict)
    full: bool = False


@runtime_checkable
class SyncSource(Protocol):
    """A calendar-and-mail source: Google, Outlook, CalDAV, IMAP, or a third party's."""

    name: str

    # Either one page, or pages yielded one at a time, each with the cursor that resumes
    # after it: the runner stores each page with its cursor in one transaction, so a long
    # listing interrupted (kill -9, a cancel) resumes at the next page.
    def fetch_calendar(
        self, cursor: dict[str, Any] | None
    ) -> CalendarPage | Iterable[CalendarPage]: ...

    def fetch_sent_mail(self, cursor: dict[str, Any] | None) -> MailPage | Iterable[MailPage]: ...


@runtime_checkable
class CalendarWriter(Protocol):
    """Pushes invites to the rep's calendar (and the attendees' inboxes).

    ``push_invite`` returns the event's id at the source, which update and cancel take;
    ``meeting_url`` holds the online-meeting link the last push created, if any.
    """

    name: str
    meeting_url: str

    def push_invite(self, invite: Invite, *, online_meeting: bool = False) -> str: ...

    def update_invite(self, invite: Invite, event_id: str) -> None: ...

    def cancel_invite(self, invite: Invite, event_id: str | None = None) -> None: ...


# --------------------------------------------------------------- what a source declares

OptionKind = Literal["text", "int", "bool", "url", "path"]
_OPTION_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")
SOURCE_NAME = re.compile(r"[a-z][a-z0-9-]{0,29}")


@dataclass(frozen=True)
class SourceOption:
    """One setting a source needs, declared by the source (harlequin's adapter options).

    Its key in config.toml, ``nurture config`` and ``NURTURE_<KEY>`` is
    ``<source>_<name>`` (``caldav_url``); its value is checked by the same rules as every
    setting: ``text`` one printable line, ``url`` an https address, ``int`` a whole number
    in ``between``, ``bool`` true/false, ``path`` a file name (``~`` expanded).
    """

    name: str
    help: str
    kind: OptionKind = "text"
    default: str | int | bool = ""
    required: bool = False  # sync and sign-in refuse to start until it is set
    between: tuple[int, int] | None = None  # an int's inclusive range

    def __post_init__(self) -> None:
        if not _OPTION_NAME.fullmatch(self.name):
            raise ValueError(f"option name {self.name!r}: lower-case letters, digits and _")

    def key(self, source: str) -> str:
        """Its config key: the source's name, then its own (``google_client_id``)."""
        return f"{source.replace('-', '_')}_{self.name}"


@dataclass(frozen=True)
class SourceStatus:
    """Whether the rep is signed in to a source, and as whom; ``detail`` says it in words
    (with the command to run when not connected)."""

    connected: bool
    detail: str
    account: str | None = None


class SourceSecrets(Protocol):
    """The keyring, scoped to one source: ``key`` "" is the source's main secret (its
    token or password); other keys name further entries of the same source."""

    def get(self, key: str = "") -> str | None: ...

    def set(self, value: str, key: str = "") -> None: ...

    def delete(self, key: str = "") -> None: ...


class KeyringSecrets:
    """``SourceSecrets`` in the OS keyring: service ``nurture``, user ``<source>`` (or
    ``<source>:<key>``), chunked when large; never a plain-text fallback."""

    def __init__(self, source: str) -> None:
        self.source = source

    def _user(self, key: str) -> str:
        return self.source if not key else f"{self.source}:{key}"

    def get(self, key: str = "") -> str | None:
        from nurture_tui.secrets import get_secret

        return get_secret(self._user(key))

    def set(self, value: str, key: str = "") -> None:
        from nurture_tui.secrets import set_secret

        set_secret(self._user(key), value)

    def delete(self, key: str = "") -> None:
        from nurture_tui.secrets import delete_secret

        delete_secret(self._user(key))


class Prompts(Protocol):
    """How a sign-in talks to the rep: a line to show, a question to answer."""

    def say(self, text: str) -> None: ...

    def ask(self, question: str, *, secret: bool = False) -> str: ...


class NoPrompts:
    """Prompts where nobody can answer (a sync, a cron job): asking is an error."""

    def __init__(self, name: str = "") -> None:
        self.name = name

    def say(self, text: str) -> None:
        return None

    def ask(self, question: str, *, secret: bool = False) -> str:
        raise SignInRequired(
            f"signing in to {self.name or 'this source'} asks a question: run "
            f"`nurture auth {self.name or 'NAME'}` in a terminal"
        )


@dataclass(frozen=True)
class SourceContext:
    """Everything a source is given — and nothing more: no repository, no other source's
    settings or secrets. Built by the core for each use (``services.sync``)."""

    name: str
    options: Mapping[str, Any]  # by option name, checked, with defaults filled in
    secrets: SourceSecrets
    clock: Callable[[], datetime]
    zone: tzinfo
    window: tuple[datetime, datetime]  # what calendar sync reads: past_days .. future_days
    data_dir: Path | None = None
    prompts: Prompts = field(default_factory=NoPrompts)

    def now(self) -> datetime:
        return self.clock().astimezone(self.zone)

    def option(self, name: str) -> Any:
        """A declared option's value; asking for an undeclared one is a bug in the source."""
        return self.options[name]


class SignIn(Protocol):
    """Sign-in, the part of the contract ``nurture auth NAME`` and the Sync screen's A
    use. ``authenticate`` may talk to the rep through ``context.prompts`` (it runs in a
    terminal: the CLI's, or the TUI's while the TUI is suspended) and returns what
    happened in words; ``status`` must not open a browser or ask anything."""

    name: str

    def authenticate(self, context: SourceContext) -> str: ...

    def status(self, context: SourceContext) -> SourceStatus: ...

    def logout(self, context: SourceContext) -> str: ...


@runtime_checkable
class SourcePlugin(Protocol):
    """What an entry point in ``nurture_tui.sources`` resolves to.

    ``name`` is the entry point's name (``nurture auth NAME``, ``nurture sync NAME``);
    ``title`` is how the rep knows it ("Microsoft 365"); ``options`` its settings.
    ``open`` makes the ``SyncSource`` for one run (raising ``SignInRequired`` when it
    cannot: no token, no password); it may also be a ``CalendarWriter``.
    """

    name: str
    title: str
    options: Sequence[SourceOption]

    def open(self, context: SourceContext) -> SyncSource: ...

    def authenticate(self, context: SourceContext) -> str: ...

    def status(self, context: SourceContext) -> SourceStatus: ...

    def logout(self, context: SourceContext) -> str: ...


class PasswordSignIn:
    """Sign-in for a source whose secret is a password the rep types (CalDAV, IMAP): the
    password is asked once, kept in the source's keyring entry, and never shown.

    A subclass sets ``name``, ``title`` and ``account_option`` (the option naming the
    account, for the question) and reads the password back with ``password(context)``.
    """

    name: str
    title: str
    account_option: str = "user"

    def authenticate(self, context: SourceContext) -> str:
        account = context.options.get(self.account_option) or "your account"
        password = context.prompts.ask(
            f"{self.name} password for {account} (an app-specific one for iCloud or Fastmail): ",
            secret=True,
        )
        if not password:
            raise SourceError("no password given; nothing was stored")
        context.secrets.set(password)
        return f"{self.name} password stored in the keyring"

    def status(self, context: SourceContext) -> SourceStatus:
        if context.secrets.get() is not None:
            return SourceStatus(True, "password stored")
        return SourceStatus(False, f"no password: run `nurture auth {self.name}`")

    def logout(self, context: SourceContext) -> str:
        context.secrets.delete()
        return f"forgot the {self.name} password"

    def password(self, context: SourceContext) -> str:
        """The stored password, or SignInRequired saying how to store one."""
        password = context.secrets.get()
        if password is None:
            raise SignInRequired(f"no {self.title} password stored: run `nurture auth {self.name}`")
        return password


# --------------------------------------------------------------------------- errors


class SourceError(NurtureError):
    """A sync source failed in a way the rep can act on; the message says how."""


class SignInRequired(SourceError):
    """The token is missing, expired beyond refresh, or revoked."""


class SourceOffline(SourceError):
    """The network or the server cannot be reached: nothing changed, retry later."""


class SourceUnavailable(SourceError):
    """The server kept failing (5xx, throttling) past the retry budget."""


class CursorExpired(SourceError):
    """The source forgot our cursor (Google 410, Graph resyncRequired): sync in full."""
