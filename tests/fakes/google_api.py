"""A fake Google on 127.0.0.1 speaking the real JSON shapes of Calendar v3, Gmail v1 and the
OAuth token endpoint — enough for google-api-python-client to run against it unchanged.

Knobs for faults: ``fail`` queues errors (429 with Retry-After, 500 mid-pagination, 410),
``revoked`` makes refresh tokens invalid, ``history_floor`` makes old history ids 404.
"""

from __future__ import annotations

import email.parser
import itertools
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse


@dataclass
class Fault:
    path: str  # a regex searched in the request path
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    reason: str = ""
    times: int = 1


@dataclass
class GoogleState:
    events: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # cal -> id -> ev
    event_versions: dict[tuple[str, str], int] = field(default_factory=dict)
    version: int = 1
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)
    history: list[tuple[int, str]] = field(default_factory=list)  # (history id, message id)
    history_id: int = 1000
    history_floor: int = 0
    page_size: int = 100
    fail: list[Fault] = field(default_factory=list)
    revoked: set[str] = field(default_factory=set)
    tokens_issued: int = 0
    requests: list[str] = field(default_factory=list)
    inserted: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    # --- helpers for tests ---------------------------------------------------------------
    def put_event(self, calendar: str, event: dict[str, Any]) -> None:
        with self.lock:
            self.version += 1
            event = {"kind": "calendar#event", "status": "confirmed", **event}
            self.events.setdefault(calendar, {})[event["id"]] = event
            self.event_versions[(calendar, event["id"])] = self.version

    def cancel_event(self, calendar: str, event_id: str) -> None:
        with self.lock:
            self.version += 1
            self.events[calendar][event_id]["status"] = "cancelled"
            self.event_versions[(calendar, event_id)] = self.version

    def send(self, message_id: str, to: str, subject: str, when: datetime, cc: str = "") -> None:
        with self.lock:
            self.history_id += 1
            headers = [
                {"name": "From", "value": "Alex Rivera <alex@homecare.example>"},
                {"name": "To", "value": to},
                {"name": "Subject", "value": subject},
                {"name": "Date", "value": when.strftime("%a, %d %b %Y %H:%M:%S +0000")},
                {"name": "Message-ID", "value": f"<{message_id}@mail.example>"},
            ]
            if cc:
                headers.append({"name": "Cc", "value": cc})
            self.messages[message_id] = {
                "id": message_id,
                "threadId": message_id,
                "labelIds": ["SENT"],
                "historyId": str(self.history_id),
                "internalDate": str(int(when.timestamp() * 1000)),
                "payload": {"headers": headers},
            }
            self.history.append((self.history_id, message_id))


class _Handler(BaseHTTPRequestHandler):
    state: GoogleState
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else each reply waits ~40 ms for a delayed ACK

    def log_message(self, format: str, *args: Any) -> None:
        return

    # --- transport -------------------------------------------------------------------------
    def _reply(
        self,
        status: int,
        body: Any,
        headers: dict[str, str] | None = None,
        content_type: str = "application/json",
    ) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length", 0))
        return self.rfile.read(length) if length else b""

    def do_GET(self) -> None:
        self._dispatch("GET", self.path, self._body(), dict(self.headers))

    def do_POST(self) -> None:
        self._dispatch("POST", self.path, self._body(), dict(self.headers))

    def do_PATCH(self) -> None:
        self._dispatch("PATCH", self.path, self._body(), dict(self.headers))

    def do_DELETE(self) -> None:
        self._dispatch("DELETE", self.path, self._body(), dict(self.headers))

    def _dispatch(self, method: str, path: str, body: bytes, headers: dict[str, str]) -> None:
        if path.startswith("/batch/"):
            self._batch(body, headers)
            return
        status, payload, extra = route(self.state, method, path, body, headers)
        self._reply(status, payload, extra)

    def _batch(self, body: bytes, headers: dict[str, str]) -> None:
        content_type = next(v for k, v in headers.items() if k.lower() == "content-type")
        message = email.parser.BytesParser().parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + body
        )
        boundary = "batch_fake_boundary"
        parts = []
        for part in message.get_payload():  # type: ignore[union-attr]
            # The MIME parser may turn CRLF into LF: split on either.
            inner = part.get_payload(decode=True).replace(b"\r\n", b"\n")
            request_line, _, rest = inner.partition(b"\n")
            method, target, _ = request_line.decode().split(" ", 2)
            status, payload, _ = route(
                self.state,
                method,
                target,
                b"",
                {
                    k: v
                    for k, v in (
                        line.split(": ", 1)
                        for line in rest.split(b"\n\n")[0].decode().splitlines()
                        if ": " in line
                    )
                },
            )
            content_id = part["Content-ID"].replace("<", "<response-", 1)
            parts.append(
                f"--{boundary}\r\nContent-Type: application/http\r\n"
                f"Content-ID: {content_id}\r\n\r\n"
                f"HTTP/1.1 {status} OK\r\nContent-Type: application/json\r\n\r\n"
                f"{json.dumps(payload)}\r\n"
            )
        data = ("".join(parts) + f"--{boundary}--\r\n").encode()
        self._reply(200, data, content_type=f"multipart/mixed; boundary={boundary}")


def route(
    state: GoogleState, method: str, target: str, body: bytes, headers: dict[str, str]
) -> tuple[int, Any, dict[str, str]]:
    url = urlparse(target)
    path, query = url.path, {k: v[-1] for k, v in parse_qs(url.query).items()}
    multi = parse_qs(url.query)
    with state.lock:
        state.requests.append(f"{method} {path}")
        for fault in list(state.fail):
            if re.search(fault.path, path):
                fault.times -= 1
                if fault.times <= 0:
                    state.fail.remove(fault)
                error = {
                    "error": {
                        "code": fault.status,
                        "message": fault.reason or "fault",
                        "errors": [{"reason": fault.reason or "backendError"}],
                    }
                }
                return fault.status, error, fault.headers
    if path == "/token":
        return _token(state, body)
    auth = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
    if not auth.startswith("Bearer at-"):
        return (
            401,
            {
                "error": {
                    "code": 401,
                    "message": "Invalid Credentials",
                    "errors": [{"reason": "authError"}],
                }
            },
            {},
        )
    if match := re.fullmatch(r"(?:/calendar/v3)?/calendars/([^/]+)/events", path):
        if method == "POST":
            return _insert(state, match.group(1), body)
        return _events(state, match.group(1), query)
    if match := re.fullmatch(r"(?:/calendar/v3)?/calendars/([^/]+)/events/([^/]+)", path):
        return _event_change(state, method, match.group(1), match.group(2), body)
    if path == "/gmail/v1/users/me/profile":
        return (
            200,
            {"emailAddress": "alex@homecare.example", "historyId": str(state.history_id)},
            {},
        )
    if path == "/gmail/v1/users/me/messages":
        return _messages(state, query, multi)
    if match := re.fullmatch(r"/gmail/v1/users/me/messages/([^/]+)", path):
        message = state.messages.get(match.group(1))
        return (200, message, {}) if message else (404, {"error": {"code": 404}}, {})
    if path == "/gmail/v1/users/me/history":
        return _history(state, query)
    return 404, {"error": {"code": 404, "message": f"no route {path}"}}, {}


def _token(state: GoogleState, body: bytes) -> tuple[int, Any, dict[str, str]]:
    form = {k: v[-1] for k, v in parse_qs(body.decode()).items()}
    if form.get("refresh_token") in state.revoked or form.get("grant_type") != "refresh_token":
        return 400, {"error": "invalid_grant", "error_description": "Token has been revoked."}, {}
    with state.lock:
        state.tokens_issued += 1
        token = f"at-{state.tokens_issued}"
    return 200, {"access_token": token, "expires_in": 3600, "token_type": "Bearer"}, {}


#: Google's own page sizes: (default, most) ``maxResults`` per listing, as documented for
#: Calendar ``events.list`` and Gmail ``messages.list`` / ``history.list``.
EVENTS_PAGE = (250, 2500)
MAIL_PAGE = (100, 500)


def _page(
    items: list[Any], query: dict[str, str], cap: int, limits: tuple[int, int]
) -> tuple[list[Any], str | None]:
    """One page as Google cuts it: ``maxResults`` items (its default when not asked, never
    more than its most), and never more than this fake's ``page_size`` (a test's way to
    make many pages of few items)."""
    default, most = limits
    asked = int(query.get("maxResults") or default)
    size = max(1, min(asked, most, cap))
    start = int(query.get("pageToken") or 0)
    chunk = items[start : start + size]
    return chunk, str(start + size) if start + size < len(items) else None


def _events(
    state: GoogleState, calendar: str, query: dict[str, str]
) -> tuple[int, Any, dict[str, str]]:
    with state.lock:
        since = 0
        if "syncToken" in query:
            token = query["syncToken"]
            if not token.startswith("v") or int(token[1:]) < 0:
                return (
                    410,
                    {
                        "error": {
                            "code": 410,
                            "message": "Sync token is no longer valid",
                            "errors": [{"reason": "fullSyncRequired"}],
                        }
                    },
                    {},
                )
            since = int(token[1:])
        events = state.events.get(calendar, {})
        chosen = [
            e
            for e in sorted(events.values(), key=lambda e: e["id"])
            if state.event_versions[(calendar, e["id"])] > since
            and (since or e.get("status") != "cancelled")
        ]
        chunk, next_page = _page(chosen, query, state.page_size, EVENTS_PAGE)
        response: dict[str, Any] = {"kind": "calendar#events", "items": chunk}
        if next_page:
            response["nextPageToken"] = next_page
        else:
            response["nextSyncToken"] = f"v{state.version}"
    return 200, response, {}


def _insert(state: GoogleState, calendar: str, body: bytes) -> tuple[int, Any, dict[str, str]]:
    event = json.loads(body)
    event["id"] = f"ins{len(state.inserted) + 1}"
    if "conferenceData" in event:
        event["hangoutLink"] = f"https://meet.google.com/abc-{event['id']}"
    state.inserted.append(event)
    state.put_event(calendar, event)
    return 200, event, {}


def _event_change(
    state: GoogleState, method: str, calendar: str, event_id: str, body: bytes
) -> tuple[int, Any, dict[str, str]]:
    if event_id not in state.events.get(calendar, {}):
        return 404, {"error": {"code": 404}}, {}
    if method == "DELETE":
        state.cancel_event(calendar, event_id)
        return 204, b"", {}
    event = {**state.events[calendar][event_id], **json.loads(body or b"{}")}
    state.put_event(calendar, event)
    return 200, event, {}


def _messages(
    state: GoogleState, query: dict[str, str], multi: dict[str, list[str]]
) -> tuple[int, Any, dict[str, str]]:
    if "q" in query:
        return (
            403,
            {
                "error": {
                    "code": 403,
                    "message": "Metadata scope does not support 'q'",
                    "errors": [{"reason": "forbidden"}],
                }
            },
            {},
        )
    with state.lock:
        sent = [m for m in state.messages.values() if "SENT" in multi.get("labelIds", ["SENT"])]
        ordered = sorted(sent, key=lambda m: -int(m["internalDate"]))
        chunk, next_page = _page(
            [{"id": m["id"], "threadId": m["threadId"]} for m in ordered],
            query,
            state.page_size,
            MAIL_PAGE,
        )
    response: dict[str, Any] = {"messages": chunk, "resultSizeEstimate": len(ordered)}
    if next_page:
        response["nextPageToken"] = next_page
    return 200, response, {}


def _history(state: GoogleState, query: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
    start = int(query["startHistoryId"])
    if start < state.history_floor:
        return (
            404,
            {
                "error": {
                    "code": 404,
                    "message": "Requested entity was not found.",
                    "errors": [{"reason": "notFound"}],
                }
            },
            {},
        )
    with state.lock:
        records = [
            {"id": str(hid), "messagesAdded": [{"message": {"id": mid, "labelIds": ["SENT"]}}]}
            for hid, mid in state.history
            if hid > start
        ]
        chunk, next_page = _page(records, query, state.page_size, MAIL_PAGE)
        response: dict[str, Any] = {"historyId": str(state.history_id)}
    if chunk:
        response["history"] = chunk
    if next_page:
        response["nextPageToken"] = next_page
    return 200, response, {}


@contextmanager
def fake_google() -> Iterator[tuple[str, GoogleState]]:
    """Serve a fresh fake Google; yields (base URL ending in '/', state)."""
    state = GoogleState()
    handler = type("Handler", (_Handler,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", state
    finally:
        server.shutdown()
        server.server_close()


_ids = itertools.count(1)


def event(
    attendees: list[str],
    summary: str,
    start: datetime,
    *,
    organizer: str = "alex@homecare.example",
    event_id: str | None = None,
    minutes: int = 30,
    declined: tuple[str, ...] = (),
    ical_uid: str | None = None,
    recurring: tuple[str, datetime] | None = None,
) -> dict[str, Any]:
    """A Calendar v3 event resource as Google returns it.

    ``iCalUID`` is the meeting's UID, the same in every attendee's copy (Google's own
    events: ``<id>@google.com``); ``ical_uid`` gives another (a colleague's copy, an invite
    from outside). ``recurring`` = (series id, original start) makes it one instance of a
    recurring event, as ``singleEvents=true`` lists them: its id is the series' with the
    original start, it names ``recurringEventId`` and ``originalStartTime``, and shares the
    series' UID.
    """
    end = start.timestamp() + minutes * 60
    if recurring is not None:
        series, original = recurring
        stamp = original.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        event_id = event_id or f"{series}_{stamp}"
    event_id = event_id or f"ev{next(_ids)}"
    resource: dict[str, Any] = {
        "id": event_id,
        "iCalUID": ical_uid or f"{recurring[0] if recurring else event_id}@google.com",
        "summary": summary,
        "start": {"dateTime": start.astimezone(UTC).isoformat().replace("+00:00", "Z")},
        "end": {"dateTime": datetime.fromtimestamp(end, UTC).isoformat().replace("+00:00", "Z")},
        "organizer": {"email": organizer},
        "attendees": [
            {"email": a, "responseStatus": "declined" if a in declined else "accepted"}
            for a in attendees
        ],
    }
    if recurring is not None:
        resource["recurringEventId"] = recurring[0]
        resource["originalStartTime"] = {
            "dateTime": recurring[1].astimezone(UTC).isoformat().replace("+00:00", "Z")
        }
    return resource


def _serve_generated() -> None:
    """``python tests/fakes/google_api.py EVENTS MESSAGES PARTNERS``: a fake Google in its own
    process (benchmarks: the server's CPU must not share the client's GIL)."""
    import sys
    from datetime import timedelta

    events, messages, partners = (int(a) for a in sys.argv[1:4])
    now = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
    with fake_google() as (base, state):
        state.page_size = 10_000  # no cap of the fake's own: pages as Google cuts them
        for i in range(events):
            state.put_event(
                "primary",
                event(
                    [f"person@partner{i % partners}.org"],
                    "Check-in",
                    now - timedelta(hours=i + 1),
                    event_id=f"e{i}",
                ),
            )
        for i in range(messages):
            state.send(
                f"m{i}",
                f"person@partner{i % partners}.org",
                "Update",
                now - timedelta(minutes=i + 1),
            )
        print(base, flush=True)
        sys.stdin.read()  # serve until the parent closes our stdin


if __name__ == "__main__":
    _serve_generated()
