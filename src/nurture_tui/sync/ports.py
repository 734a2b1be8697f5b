"""The ports a sync source implements, and the errors it may raise.

A source is pure I/O: it fetches pages of calendar events and sent-mail headers and returns
them with an opaque cursor. Deciding what becomes a touchpoint is the core's job
(``meetings.py``, ``mail.py``), so every source behaves the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

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

    def fetch_calendar(self, cursor: dict[str, Any] | None) -> CalendarPage: ...

    def fetch_sent_mail(self, cursor: dict[str, Any] | None) -> MailPage: ...


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
