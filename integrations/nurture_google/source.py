"""Google Calendar (events.list with sync tokens) and Gmail sent mail (metadata only).

Calendar: ``events.list(singleEvents=true)`` page by page, ``nextSyncToken`` kept per
calendar; a 410 means the token expired, and the core re-syncs in full. Gmail:
``messages.list(labelIds=SENT)`` then ``messages.get(format=metadata)`` in batches, then
``history.list`` from the stored ``historyId``; a 404 on a stale history id means full.
Nothing here decides what a touchpoint is: that is the sync core's job.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

from nurture_google.auth import SIGN_IN_AGAIN, stored_credentials
from nurture_tui.invites.model import Invite, InviteStatus
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

NAME = "google"
#: Where batch requests go when no endpoint override is set.
GOOGLE_BATCH_ROOT = "https://gmail.googleapis.com/"
METADATA_HEADERS = ["From", "To", "Cc", "Date", "Subject", "Message-ID"]
BATCH_SIZE = 50  # Gmail's advice: at most 50 requests a batch to stay under rate limits
MAX_SENT = 20_000  # a full listing reads at most this many sent messages
#: Events a page (Google allows up to 2,500): each page is one transaction in the store,
#: and its commit (an fsync) cost more than its 250 events' rows. 1,000, not 2,500: on a
#: team's server a page's write holds the store's turn while it runs.
EVENTS_PAGE = 1000
MAIL_PAGE = 500  # sent messages a page (one listing page; one transaction in the store)
_ADDRESS_SPECIALS = re.compile(r'["()\\;:\[\]]')  # quoting, comments, groups, escapes
_PLAIN_ADDRESS = re.compile(r"[^@\s<>,.][^@\s<>,]*@[^@\s<>,.][^@\s<>,]*")
_RATE_LIMIT_REASONS = {"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded"}
_PARTSTAT = {
    "accepted": "ACCEPTED",
    "declined": "DECLINED",
    "tentative": "TENTATIVE",
    "needsAction": "NEEDS-ACTION",
}


class GoogleSource:
    """The ``google`` sync source and calendar writer."""

    name = NAME

    def __init__(
        self,
        credentials: Any,
        *,
        calendars: list[str],
        window: tuple[datetime, datetime],
        api_root: str | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self._credentials = credentials
        self._calendars = calendars
        self._window = window
        # With an override (tests, a proxy), Calendar and Gmail paths share one base URL.
        self._root = None if not api_root else api_root.rstrip("/") + "/"
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
        self._services: dict[str, Any] = {}
        self.meeting_url = ""  # the Meet link of the last pushed invite, if one was made

    @classmethod
    def from_context(cls, context: SourceContext) -> GoogleSource:
        """The source for one run: the stored sign-in, the calendars option, the window."""
        calendars = str(context.option("calendars"))
        return cls(
            stored_credentials(context.secrets),
            calendars=[c.strip() for c in calendars.split(",") if c.strip()],
            window=context.window,
            api_root=os.environ.get("NURTURE_GOOGLE_API_ENDPOINT") or None,
        )

    # ------------------------------------------------------------------ plumbing
    def _service(self, api: str, version: str) -> Any:
        if api not in self._services:
            from googleapiclient.discovery import build

            options = {"api_endpoint": self._root} if self._root else None
            self._services[api] = build(
                api,
                version,
                credentials=self._credentials,
                cache_discovery=False,
                static_discovery=True,
                client_options=options,
            )
        return self._services[api]

    def _execute(self, request: Any, *, expired_on: tuple[int, ...] = ()) -> Any:
        def once() -> Any:
            return _translate(lambda: request.execute(), expired_on)

        try:
            return with_retries(once, self._retry, sleep=self._sleep)
        except Retryable as exc:
            raise SourceUnavailable(
                f"Google kept failing ({exc}); nothing was changed — sync again later"
            ) from None

    # ------------------------------------------------------------------ calendar
    def fetch_calendar(self, cursor: dict[str, Any] | None) -> Iterator[CalendarPage]:
        """Google's pages one by one, each with the cursor that resumes after it.

        The cursor holds each calendar's sync token (``calendars``) and, while a listing is
        under way, where it stands (``resume``: the calendars done, the page token and the
        request's parameters), so a sync stopped mid-way goes on from the next page.
        """
        cursor = cursor or {}
        tokens: dict[str, str] = dict(cursor.get("calendars", {}))
        resume: dict[str, Any] = dict(cursor.get("resume") or {})
        if resume:
            full, done = bool(resume.get("full")), list(resume.get("done", []))
        else:
            full, done = not tokens or any(c not in tokens for c in self._calendars), []
        events = self._service("calendar", "v3").events()
        pending = [c for c in self._calendars if c not in done]
        for calendar_id in pending:
            at = resume if resume.get("calendar") == calendar_id else {}
            params = at.get("params") or self._list_params(
                calendar_id, None if full else tokens.get(calendar_id)
            )
            page_token = at.get("page_token")
            # A page token Google no longer knows (400/410) means listing again in full.
            expired_on = (400, 410) if page_token else (410,)
            while True:
                response = self._execute(
                    events.list(pageToken=page_token, **params), expired_on=expired_on
                )
                expired_on = (410,)
                meetings, removed = _meetings(calendar_id, response.get("items", []))
                page_token = response.get("nextPageToken")
                where: dict[str, Any] = {"full": full, "done": list(done)}
                if page_token:
                    where |= {"calendar": calendar_id, "page_token": page_token, "params": params}
                else:
                    tokens[calendar_id] = str(response.get("nextSyncToken", ""))
                    done.append(calendar_id)
                    where["done"] = list(done)
                state: dict[str, Any] = {"calendars": dict(tokens), "resume": where}
                if not page_token and calendar_id == pending[-1]:  # the listing is complete
                    state = {"calendars": {c: tokens[c] for c in self._calendars if c in tokens}}
                yield CalendarPage(meetings, removed, state, full=full)
                if not page_token:
                    break
        if not pending:  # nothing (left) to list: the cursor without a listing under way
            known = {c: tokens[c] for c in self._calendars if c in tokens}
            yield CalendarPage([], [], {"calendars": known}, full=full)

    def _list_params(self, calendar_id: str, token: str | None) -> dict[str, Any]:
        params: dict[str, Any] = {
            "calendarId": calendar_id,
            "singleEvents": True,
            "maxResults": EVENTS_PAGE,
        }
        if token:
            params["syncToken"] = token
        else:
            params["timeMin"] = self._window[0].astimezone(UTC).isoformat()
            params["timeMax"] = self._window[1].astimezone(UTC).isoformat()
        return params

    # ---------------------------------------------------------------- sent mail
    def fetch_sent_mail(self, cursor: dict[str, Any] | None) -> Iterator[MailPage]:
        """Sent mail a page at a time (500 ids listed, their headers in batches of 50).

        A full listing's cursor says where it stands (``resume``) until its last page,
        which leaves the history id noted before listing; new mail since a history id
        comes in pages too, the new history id with the last.
        """
        gmail = self._service("gmail", "v1")
        cursor = cursor or {}
        resume: dict[str, Any] = dict(cursor.get("resume") or {})
        history_id = cursor.get("history_id")
        if history_id and not resume:
            ids, latest = self._history(gmail, str(history_id))
            chunks = [ids[i : i + MAIL_PAGE] for i in range(0, len(ids), MAIL_PAGE)] or [[]]
            for n, chunk in enumerate(chunks):
                done = n == len(chunks) - 1
                yield MailPage(
                    self._metadata(gmail, chunk), {"history_id": latest if done else history_id}
                )
            return
        if resume:
            start, page_token = str(resume["history_id"]), resume.get("page_token")
            count = int(resume.get("count", 0))
        else:
            # Note where history starts *before* listing, so nothing sent meanwhile is lost.
            profile = self._execute(gmail.users().getProfile(userId="me"))
            start, page_token, count = str(profile["historyId"]), None, 0
        expired_on = (400,) if page_token else ()
        messages_api = gmail.users().messages()
        while True:
            response = self._execute(
                messages_api.list(
                    userId="me", labelIds=["SENT"], maxResults=MAIL_PAGE, pageToken=page_token
                ),
                expired_on=expired_on,
            )
            expired_on = ()
            ids = [str(item["id"]) for item in response.get("messages", [])][: MAX_SENT - count]
            count += len(ids)
            page_token = response.get("nextPageToken") if count < MAX_SENT else None
            messages = [m for m in self._metadata(gmail, ids) if m.sent_at >= self._window[0]]
            state: dict[str, Any] = {"history_id": start}
            if page_token:
                state = {"resume": {"history_id": start, "page_token": page_token, "count": count}}
            yield MailPage(messages, state, full=True)
            if not page_token:
                return

    def _history(self, gmail: Any, start: str) -> tuple[list[str], str]:
        ids: list[str] = []
        page_token = None
        latest = start
        while True:
            response = self._execute(
                gmail.users()
                .history()
                .list(
                    userId="me",
                    startHistoryId=start,
                    historyTypes=["messageAdded"],
                    labelId="SENT",
                    pageToken=page_token,
                ),
                expired_on=(404,),
            )
            for record in response.get("history", []):
                for added in record.get("messagesAdded", []):
                    message = added.get("message", {})
                    if "SENT" in message.get("labelIds", ["SENT"]):
                        ids.append(str(message["id"]))
            latest = str(response.get("historyId", latest))
            page_token = response.get("nextPageToken")
            if not page_token:
                return list(dict.fromkeys(ids)), latest

    def _metadata(self, gmail: Any, ids: list[str]) -> list[SentMessage]:
        """``messages.get(format=metadata)`` in batches: headers only, never bodies."""
        from nurture_google.batch import LeanBatch, RequestsById

        found: dict[str, dict[str, Any]] = {}
        failures: list[Exception] = []
        # Build the resource once: each users().messages() call rebuilds its methods from
        # the discovery document, which cost more than the requests themselves.
        messages_api = gmail.users().messages()

        def collect(request_id: str, response: Any, exception: Exception | None) -> None:
            if exception is not None:
                failures.append(exception)
            else:
                found[request_id] = response

        get = RequestsById(
            lambda message_id: messages_api.get(
                userId="me", id=message_id, format="metadata", metadataHeaders=METADATA_HEADERS
            )
        )

        for start in range(0, len(ids), BATCH_SIZE):
            chunk = [i for i in ids[start : start + BATCH_SIZE] if i not in found]
            if not chunk:
                continue
            root = self._root or GOOGLE_BATCH_ROOT
            batch = LeanBatch(callback=collect, batch_uri=f"{root}batch/gmail/v1")
            for message_id in chunk:
                batch.add(get(message_id), request_id=message_id)
            failures.clear()
            self._execute(batch)
            if failures:  # a throttled part: fetch the chunk's missing ones one by one
                for message_id in chunk:
                    if message_id not in found:
                        found[message_id] = self._execute(get(message_id))
        return [m for m in (_sent_message(found[i]) for i in ids if i in found) if m]

    # ------------------------------------------------------------------- writer
    def push_invite(self, invite: Invite, *, online_meeting: bool = False) -> str:
        """Insert the event and email the attendees; ``online_meeting`` adds Google Meet."""
        events = self._service("calendar", "v3").events()
        body = _event_body(invite)
        extra: dict[str, Any] = {}
        if online_meeting:
            body["conferenceData"] = {
                "createRequest": {
                    "requestId": invite.uid,
                    "conferenceSolutionKey": {"type": "hangoutsMeet"},
                }
            }
            extra["conferenceDataVersion"] = 1
        request = events.insert(calendarId="primary", body=body, sendUpdates="all", **extra)
        created = self._execute(request)
        self.meeting_url = str(created.get("hangoutLink") or "")
        return str(created["id"])

    def update_invite(self, invite: Invite, event_id: str) -> None:
        events = self._service("calendar", "v3").events()
        self._execute(
            events.patch(
                calendarId="primary", eventId=event_id, body=_event_body(invite), sendUpdates="all"
            )
        )

    def cancel_invite(self, invite: Invite, event_id: str | None = None) -> None:
        if event_id is None:
            return
        events = self._service("calendar", "v3").events()
        self._execute(events.delete(calendarId="primary", eventId=event_id, sendUpdates="all"))


def _translate(call: Callable[[], Any], expired_on: tuple[int, ...]) -> Any:
    """Google's errors in the rep's words, or Retryable for what a retry may fix."""
    import httplib2
    from google.auth.exceptions import RefreshError, TransportError
    from googleapiclient.errors import HttpError

    try:
        return call()
    except HttpError as exc:
        status = int(exc.resp.status)
        reason = _reason(exc)
        if status in expired_on:
            raise CursorExpired(f"Google forgot where the last sync stopped ({status})") from None
        retry_after = exc.resp.get("retry-after")
        if status == 429 or status >= 500 or (status == 403 and reason in _RATE_LIMIT_REASONS):
            raise Retryable(
                f"HTTP {status} {reason}", float(retry_after) if retry_after else None
            ) from None
        if status == 401:
            raise SignInRequired(f"Google refused the sign-in: {SIGN_IN_AGAIN}") from None
        raise SourceError(f"Google answered {status} ({reason or 'error'})") from None
    except RefreshError:
        raise SignInRequired(f"Google token expired or was revoked — {SIGN_IN_AGAIN}") from None
    except (
        httplib2.ServerNotFoundError,
        TransportError,
        ConnectionError,
        TimeoutError,
        OSError,
    ) as exc:
        raise SourceOffline(f"Google cannot be reached ({exc}); offline, will retry") from None


def _reason(exc: Any) -> str:
    try:
        errors = json.loads(exc.content.decode())["error"].get("errors", [])
        return str(errors[0].get("reason", "")) if errors else ""
    except (ValueError, KeyError, AttributeError, IndexError, TypeError):
        return ""


def _meetings(calendar_id: str, items: list[dict[str, Any]]) -> tuple[list[Meeting], list[str]]:
    """One page of events: the meetings, and the ids of events cancelled at the source."""
    meetings: list[Meeting] = []
    removed: list[str] = []
    for item in items:
        external_id = _event_id(calendar_id, item)
        if item.get("status") == "cancelled":
            removed.append(external_id)
            continue
        meeting = _meeting(item, external_id)
        if meeting is not None:
            meetings.append(meeting)
    return meetings, removed


def _event_id(calendar_id: str, item: dict[str, Any]) -> str:
    """calendar + event id (+ the instance's original start for a recurring event)."""
    base = f"cal:{calendar_id}:{item.get('recurringEventId') or item['id']}"
    original = item.get("originalStartTime")
    if original:
        return f"{base}:{original.get('dateTime') or original.get('date')}"
    return base


def _meeting(item: dict[str, Any], external_id: str) -> Meeting | None:
    start = _when(item.get("start", {}))
    if start is None:
        return None
    attendees = tuple(
        (
            str(a.get("email", "")).lower(),
            _PARTSTAT.get(a.get("responseStatus", ""), "NEEDS-ACTION"),
        )
        for a in item.get("attendees", [])
        if a.get("email") and not a.get("resource")
    )
    organizer = str(item.get("organizer", {}).get("email", "")).lower()
    original = item.get("originalStartTime")
    return Meeting(
        external_id=external_id,
        start=start,
        title=str(item.get("summary", "")),
        organizer=organizer,
        attendees=attendees,
        # The same in every attendee's calendar (their copies' ids may differ): one
        # meeting, one touch, whichever reps have it. An instance of a recurring event
        # shares its series' UID; its original start tells the instances apart.
        uid=str(item.get("iCalUID") or ""),
        original_start=_when(original) if isinstance(original, dict) else None,
    )


def _when(value: dict[str, Any]) -> datetime | None:
    """The event's start, or None (the event is skipped) when absent or unreadable.

    A readable time is returned even if absurd (9999-12-31T23:00-05:00): the sync core
    range-checks every source's times and skips such an event with a warning.
    """
    try:
        if "dateTime" in value:
            return datetime.fromisoformat(str(value["dateTime"]).replace("Z", "+00:00"))
        if "date" in value:
            return datetime.combine(date.fromisoformat(str(value["date"])), time(0), UTC)
    except (ValueError, OverflowError):
        return None  # e.g. year 10000: not a time Python (or a rep) can use
    return None


def _recipients(*fields: str) -> tuple[str, ...]:
    """The addresses in To and Cc, lowercased.

    Plain lists (``a@x.org, Name <b@y.org>``) are read directly; anything with quotes,
    comments, groups or escapes goes through ``email.utils.getaddresses`` (which cost
    more than the rest of reading a message).
    """
    found: list[str] = []
    for field in fields:
        if not field:
            continue
        if _ADDRESS_SPECIALS.search(field):
            found += [a.lower() for _, a in getaddresses([field]) if "@" in a]
            continue
        for item in field.split(","):
            item = item.strip()
            name, angle, address = item.partition("<")
            if angle and address.endswith(">") and "@" not in name:
                address = address[:-1].strip()
            else:
                address = item
            if _PLAIN_ADDRESS.fullmatch(address):
                found.append(address.lower())
            else:
                found += [a.lower() for _, a in getaddresses([item]) if "@" in a]
    return tuple(found)


def _sent_message(message: dict[str, Any]) -> SentMessage | None:
    headers = {h["name"].lower(): h["value"] for h in message.get("payload", {}).get("headers", [])}
    recipients = _recipients(headers.get("to", ""), headers.get("cc", ""))
    try:
        sent = parsedate_to_datetime(headers["date"])
        if sent.tzinfo is None:
            sent = sent.replace(tzinfo=UTC)
    except (KeyError, TypeError, ValueError, OverflowError):
        try:
            millis = int(message.get("internalDate", 0))
            sent = datetime.fromtimestamp(millis / 1000, UTC)
        except (TypeError, ValueError, OverflowError, OSError):
            return None  # no usable date at all; an absurd one is the core's to refuse
    message_id = headers.get("message-id", "").strip("<> ") or str(message["id"])
    return SentMessage(f"msg:{message_id}", sent, headers.get("subject", ""), recipients)


def _event_body(invite: Invite) -> dict[str, Any]:
    zone = getattr(invite.start.tzinfo, "key", "UTC")
    body: dict[str, Any] = {
        "summary": invite.title,
        "description": invite.description,
        "start": {"dateTime": invite.start.isoformat(), "timeZone": zone},
        "end": {"dateTime": invite.end.isoformat(), "timeZone": zone},
        "attendees": [{"email": p.email, "displayName": p.name} for p in invite.attendees],
        "iCalUID": invite.uid,
        "sequence": invite.sequence,
        "reminders": {
            "useDefault": False,
            "overrides": [{"method": "popup", "minutes": invite.reminder_minutes}],
        },
    }
    if invite.video_url:
        body["location"] = invite.video_url
    elif invite.location:
        body["location"] = invite.location
    if invite.status is InviteStatus.CANCELLED:
        body["status"] = "cancelled"
    return body
