"""Outlook / Microsoft 365 through Microsoft Graph, spoken over plain HTTP.

Calendar: ``/me/calendarView/delta`` inside the sync window, following ``@odata.nextLink``
and keeping ``@odata.deltaLink``; ``@removed`` items are deletions; 410 (SyncStateNotFound,
resyncRequired) means start over. Sent mail: ``/me/mailFolders/sentitems/messages/delta``
with only header fields selected. One request at a time per mailbox; 429 waits Retry-After.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from nurture_outlook.auth import SIGN_IN_AGAIN, MsalTokens
from nurture_tui.invites.model import Invite
from nurture_tui.sync.contract import (
    CalendarPage,
    CursorExpired,
    MailPage,
    SentMessage,
    SignInRequired,
    SourceContext,
    SourceError,
    SourceOffline,
    SourceUnavailable,
)
from nurture_tui.sync.meetings import Meeting
from nurture_tui.sync.retry import Retryable, RetryPolicy, with_retries

NAME = "outlook"
GRAPH = "https://graph.microsoft.com/v1.0"
_PARTSTAT = {
    "accepted": "ACCEPTED",
    "declined": "DECLINED",
    "tentativelyAccepted": "TENTATIVE",
    "organizer": "ACCEPTED",
    "none": "NEEDS-ACTION",
    "notResponded": "NEEDS-ACTION",
}
_MAIL_FIELDS = "subject,toRecipients,ccRecipients,sentDateTime,internetMessageId"


class OutlookSource:
    """The ``outlook`` sync source and calendar writer."""

    name = NAME

    def __init__(
        self,
        token: Callable[[], str],
        *,
        window: tuple[datetime, datetime],
        graph: str = GRAPH,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] | None = None,
        session: Any = None,
    ) -> None:
        import requests

        self._token = token
        self._window = window
        self._graph = graph.rstrip("/")
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
        self._http = session or requests.Session()
        self.meeting_url = ""  # the Teams link of the last pushed invite, if one was made

    @classmethod
    def from_context(cls, context: SourceContext) -> OutlookSource:
        """The source for one run; not signed in yet is said before MSAL reaches out."""
        if context.secrets.get() is None:
            raise SignInRequired(
                "Outlook is not connected yet: sign in with `nurture auth outlook`"
            )
        tokens = MsalTokens(
            context.option("client_id"), context.option("tenant"), secrets=context.secrets
        )
        return cls(
            tokens.access_token,
            window=context.window,
            graph=os.environ.get("NURTURE_GRAPH_ENDPOINT") or GRAPH,
        )

    # ------------------------------------------------------------------ plumbing
    def _request(
        self, method: str, url: str, *, json: Any = None, expired_on: tuple[int, ...] = (410,)
    ) -> dict[str, Any]:
        import requests

        def once() -> dict[str, Any]:
            headers = {
                "Authorization": f"Bearer {self._token()}",
                "Prefer": 'odata.maxpagesize=100, outlook.timezone="UTC"',
            }
            try:
                response = self._http.request(method, url, json=json, headers=headers, timeout=30)
            except (requests.ConnectionError, requests.Timeout) as exc:
                raise SourceOffline(
                    f"Outlook cannot be reached ({type(exc).__name__}); offline, will retry"
                ) from None
            status = response.status_code
            if status in expired_on:
                raise CursorExpired(f"Outlook asked for a full re-sync ({status})")
            if status == 429 or status >= 500:
                after = response.headers.get("Retry-After")
                raise Retryable(f"HTTP {status}", float(after) if after else None)
            if status == 401:
                raise SignInRequired(f"Outlook refused the sign-in: {SIGN_IN_AGAIN}")
            if status >= 400:
                raise SourceError(f"Outlook answered {status} ({_graph_error(response)})")
            return response.json() if response.content else {}

        try:
            return with_retries(once, self._retry, sleep=self._sleep)
        except Retryable as exc:
            raise SourceUnavailable(
                f"Outlook kept failing ({exc}); nothing was changed — sync again later"
            ) from None

    def _pages(self, url: str) -> tuple[list[dict[str, Any]], str]:
        """Follow nextLink to the end; returns the items and the deltaLink."""
        items: list[dict[str, Any]] = []
        while True:
            page = self._request("GET", url)
            items.extend(page.get("value", []))
            if "@odata.nextLink" in page:
                url = str(page["@odata.nextLink"])
                continue
            return items, str(page.get("@odata.deltaLink", ""))

    # ------------------------------------------------------------------ calendar
    def fetch_calendar(self, cursor: dict[str, Any] | None) -> CalendarPage:
        delta = (cursor or {}).get("delta_link")
        full = not delta
        if full:
            start, end = (m.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") for m in self._window)
            delta = f"{self._graph}/me/calendarView/delta?" + urlencode(
                {"startDateTime": start, "endDateTime": end}
            )
        items, delta_link = self._pages(str(delta))
        meetings, removed = [], []
        for item in items:
            external_id = f"cal:outlook:{item['id']}"
            if "@removed" in item:
                removed.append(external_id)
                continue
            meeting = _meeting(item, external_id)
            if meeting is not None:
                meetings.append(meeting)
        return CalendarPage(meetings, removed, {"delta_link": delta_link}, full=full)

    # ---------------------------------------------------------------- sent mail
    def fetch_sent_mail(self, cursor: dict[str, Any] | None) -> MailPage:
        delta = (cursor or {}).get("delta_link")
        full = not delta
        if full:
            delta = f"{self._graph}/me/mailFolders/sentitems/messages/delta?" + urlencode(
                {"$select": _MAIL_FIELDS}
            )
        items, delta_link = self._pages(str(delta))
        messages = [m for m in (_sent(item) for item in items if "@removed" not in item) if m]
        if full:
            messages = [m for m in messages if m.sent_at >= self._window[0]]
        return MailPage(messages, {"delta_link": delta_link}, full=full)

    # ------------------------------------------------------------------- writer
    def push_invite(self, invite: Invite, *, online_meeting: bool = False) -> str:
        """Create the event (Graph invites the attendees); ``online_meeting`` adds Teams."""
        body = _event_body(invite)
        if online_meeting:
            body["isOnlineMeeting"] = True
            body["onlineMeetingProvider"] = "teamsForBusiness"
        created = self._request("POST", f"{self._graph}/me/events", json=body)
        self.meeting_url = str((created.get("onlineMeeting") or {}).get("joinUrl") or "")
        return str(created["id"])

    def update_invite(self, invite: Invite, event_id: str) -> None:
        self._request("PATCH", f"{self._graph}/me/events/{event_id}", json=_event_body(invite))

    def cancel_invite(self, invite: Invite, event_id: str | None = None) -> None:
        if event_id:
            self._request(
                "POST", f"{self._graph}/me/events/{event_id}/cancel", json={"comment": "Cancelled."}
            )


def _graph_error(response: Any) -> str:
    try:
        return str(response.json()["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return response.reason or "error"


def _when(value: dict[str, Any] | None) -> datetime | None:
    """The event's start, or None (the event is skipped) when absent or unreadable.

    A readable time is returned even if absurd: the sync core range-checks every source's
    times and skips such an event with a warning.
    """
    if not value or not value.get("dateTime"):
        return None
    try:
        moment = datetime.fromisoformat(str(value["dateTime"])[:26].rstrip("Z"))
    except ValueError:
        return None
    zone = str(value.get("timeZone") or "UTC")
    if zone in ("UTC", "tzone://Microsoft/Utc"):  # what we ask for with Prefer
        return moment.replace(tzinfo=UTC)
    try:
        return moment.replace(tzinfo=ZoneInfo(WINDOWS_TO_OLSON.get(zone, zone)))
    except (ZoneInfoNotFoundError, ValueError):
        return moment.replace(tzinfo=UTC)


def _meeting(item: dict[str, Any], external_id: str) -> Meeting | None:
    start = _when(item.get("start"))
    if start is None:
        return None
    attendees = tuple(
        (
            str(a["emailAddress"].get("address", "")).lower(),
            _PARTSTAT.get(str(a.get("status", {}).get("response", "none")), "NEEDS-ACTION"),
        )
        for a in item.get("attendees", [])
        if a.get("emailAddress", {}).get("address")
    )
    organizer = str(item.get("organizer", {}).get("emailAddress", {}).get("address", "")).lower()
    return Meeting(
        external_id=external_id,
        start=start,
        title=str(item.get("subject") or ""),
        organizer=organizer,
        attendees=attendees,
        cancelled=bool(item.get("isCancelled")),
        # Graph gives each attendee's copy its own id; ``iCalUId`` is the meeting's, the
        # same in every mailbox (and per occurrence of a series); ``originalStart`` is an
        # occurrence's or exception's start before any move.
        uid=str(item.get("iCalUId") or ""),
        original_start=_original_start(item),
    )


def _original_start(item: dict[str, Any]) -> datetime | None:
    """An occurrence's (or exception's) ``originalStart``: a DateTimeOffset, in UTC when
    it says no offset; None for a single event, or when unreadable."""
    if item.get("type") not in ("occurrence", "exception") or not item.get("originalStart"):
        return None
    try:
        moment = datetime.fromisoformat(str(item["originalStart"]).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _sent(item: dict[str, Any]) -> SentMessage | None:
    sent = item.get("sentDateTime")
    if not sent:
        return None
    recipients = tuple(
        str(r["emailAddress"]["address"]).lower()
        for field in ("toRecipients", "ccRecipients")
        for r in item.get(field) or []
        if r.get("emailAddress", {}).get("address")
    )
    message_id = str(item.get("internetMessageId") or item["id"]).strip("<>")
    try:
        sent_at = datetime.fromisoformat(str(sent).replace("Z", "+00:00"))
    except ValueError:
        return None  # unreadable; a readable but absurd date is the core's to refuse
    if sent_at.tzinfo is None:
        sent_at = sent_at.replace(tzinfo=UTC)
    return SentMessage(
        f"msg:{message_id}",
        sent_at,
        str(item.get("subject") or ""),
        recipients,
    )


def _event_body(invite: Invite) -> dict[str, Any]:
    zone = getattr(invite.start.tzinfo, "key", "UTC")
    body: dict[str, Any] = {
        "subject": invite.title,
        "body": {"contentType": "text", "content": invite.description},
        "start": {"dateTime": invite.start.replace(tzinfo=None).isoformat(), "timeZone": zone},
        "end": {"dateTime": invite.end.replace(tzinfo=None).isoformat(), "timeZone": zone},
        "attendees": [
            {"emailAddress": {"address": p.email, "name": p.name}, "type": "required"}
            for p in invite.attendees
        ],
        "transactionId": invite.uid,
        "reminderMinutesBeforeStart": invite.reminder_minutes,
    }
    if invite.video_url or invite.location:
        body["location"] = {"displayName": invite.video_url or invite.location}
    return body
