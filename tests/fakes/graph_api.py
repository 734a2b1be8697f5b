"""A fake Microsoft Graph and Entra ID authority on 127.0.0.1, in Graph's real JSON shapes.

MSAL insists on an https authority, so tests give MSAL a requests session (its
``http_client`` hook) that sends ``https://login.fake.test`` to this server.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import requests

AUTHORITY_HOST = "https://login.fake.test"


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


@dataclass
class GraphState:
    base: str = ""
    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    event_versions: dict[str, int] = field(default_factory=dict)
    removed_at: dict[str, int] = field(default_factory=dict)
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)
    message_versions: dict[str, int] = field(default_factory=dict)
    version: int = 1
    page_size: int = 2
    fail: list[tuple[str, int, dict[str, str], int]] = field(default_factory=list)
    expired_deltas: bool = False
    revoked: bool = False
    requests: list[str] = field(default_factory=list)
    created: list[dict[str, Any]] = field(default_factory=list)
    tokens: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def put_event(
        self,
        event_id: str,
        subject: str,
        start: datetime,
        attendees: list[str],
        declined: tuple[str, ...] = (),
        *,
        ical_uid: str | None = None,
        series: tuple[str, datetime] | None = None,
    ) -> None:
        """An event in Graph's shape. ``iCalUId`` is the meeting's, the same in every
        attendee's mailbox while each copy has its own ``id`` (default: one derived from
        the id, as for a meeting nobody else has); ``series`` = (master id, original start)
        makes it an ``occurrence`` of a recurring meeting (``seriesMasterId``,
        ``originalStart``)."""
        with self.lock:
            self.version += 1
            self.events[event_id] = {
                "id": event_id,
                "iCalUId": ical_uid
                or "040000008200E00074C5B7101A82E008" + event_id.encode().hex().upper(),
                "type": "occurrence" if series else "singleInstance",
                "subject": subject,
                "isCancelled": False,
                "start": {
                    "dateTime": start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.0000000"),
                    "timeZone": "UTC",
                },
                "end": {
                    "dateTime": (start + timedelta(minutes=30))
                    .astimezone(UTC)
                    .strftime("%Y-%m-%dT%H:%M:%S.0000000"),
                    "timeZone": "UTC",
                },
                "organizer": {"emailAddress": {"address": "alex@homecare.example"}},
                "attendees": [
                    {
                        "emailAddress": {"address": a, "name": a},
                        "status": {"response": "declined" if a in declined else "accepted"},
                    }
                    for a in attendees
                ],
            }
            if series is not None:
                self.events[event_id]["seriesMasterId"] = series[0]
                self.events[event_id]["originalStart"] = (
                    series[1].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                )
            self.event_versions[event_id] = self.version
            self.removed_at.pop(event_id, None)

    def remove_event(self, event_id: str) -> None:
        with self.lock:
            self.version += 1
            self.events.pop(event_id, None)
            self.removed_at[event_id] = self.version

    def send(self, message_id: str, to: str, subject: str, when: datetime) -> None:
        with self.lock:
            self.version += 1
            address = to.split("<")[-1].strip(">").strip()
            self.messages[message_id] = {
                "id": message_id,
                "subject": subject,
                "sentDateTime": when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "internetMessageId": f"<{message_id}@outlook.example>",
                "toRecipients": [{"emailAddress": {"address": address}}],
                "ccRecipients": [],
            }
            self.message_versions[message_id] = self.version


class _Handler(BaseHTTPRequestHandler):
    state: GraphState
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else each reply waits ~40 ms for a delayed ACK

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _reply(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length", 0))
        return self.rfile.read(length) if length else b""

    def do_GET(self) -> None:
        self._route("GET", self._body())

    def do_POST(self) -> None:
        self._route("POST", self._body())

    def do_PATCH(self) -> None:
        self._route("PATCH", self._body())

    def _route(self, method: str, body: bytes) -> None:
        state = self.state
        url = urlparse(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        path = url.path
        with state.lock:
            state.requests.append(f"{method} {path}")
            for index, (pattern, status, headers, times) in enumerate(state.fail):
                if re.search(pattern, path):
                    if times <= 1:
                        state.fail.pop(index)
                    else:
                        state.fail[index] = (pattern, status, headers, times - 1)
                    self._reply(
                        status, {"error": {"code": "fault", "message": "injected"}}, headers
                    )
                    return
        if path.startswith("/tenant/"):
            self._authority(path, body)
            return
        if not self.headers.get("Authorization", "").startswith("Bearer gat-"):
            self._reply(401, {"error": {"code": "InvalidAuthenticationToken"}})
            return
        if path == "/v1.0/me/calendarView/delta":
            self._delta(query, "calendar")
        elif path == "/v1.0/me/mailFolders/sentitems/messages/delta":
            self._delta(query, "mail")
        elif path == "/v1.0/me/events" and method == "POST":
            event = json.loads(body)
            event["id"] = f"created{len(state.created) + 1}"
            if event.get("isOnlineMeeting"):
                event["onlineMeeting"] = {"joinUrl": "https://teams.microsoft.com/l/meetup-join/x"}
            state.created.append(event)
            self._reply(201, event)
        elif match := re.fullmatch(r"/v1.0/me/events/([^/]+)(/cancel)?", path):
            state.created.append({"id": match.group(1), "action": method + (match.group(2) or "")})
            self._reply(202 if match.group(2) else 200, None if match.group(2) else {})
        else:
            self._reply(404, {"error": {"code": "ResourceNotFound"}})

    def _delta(self, query: dict[str, str], feed: str) -> None:
        state = self.state
        with state.lock:
            since = int(query.get("$deltatoken", 0) or 0)
            if since and state.expired_deltas:
                self._reply(
                    410, {"error": {"code": "SyncStateNotFound", "message": "resyncRequired"}}
                )
                return
            if feed == "calendar":
                items: list[dict[str, Any]] = [
                    e for i, e in sorted(state.events.items()) if state.event_versions[i] > since
                ]
                items += [
                    {"id": i, "@removed": {"reason": "deleted"}}
                    for i, v in sorted(state.removed_at.items())
                    if v > since and since
                ]
            else:
                items = [
                    m
                    for i, m in sorted(state.messages.items())
                    if state.message_versions[i] > since
                ]
            skip = int(query.get("$skiptoken", 0) or 0)
            chunk = items[skip : skip + state.page_size]
            path = (
                "me/calendarView/delta"
                if feed == "calendar"
                else ("me/mailFolders/sentitems/messages/delta")
            )
            response: dict[str, Any] = {"value": chunk}
            if skip + state.page_size < len(items):
                response["@odata.nextLink"] = (
                    f"{state.base}v1.0/{path}?$deltatoken={since}&$skiptoken={skip + state.page_size}"
                )
            else:
                response["@odata.deltaLink"] = (
                    f"{state.base}v1.0/{path}?$deltatoken={state.version}"
                )
        self._reply(200, response)

    def _authority(self, path: str, body: bytes) -> None:
        state = self.state
        base = f"{AUTHORITY_HOST}/tenant"
        if path.endswith("/.well-known/openid-configuration"):
            self._reply(
                200,
                {
                    "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                    "token_endpoint": f"{base}/oauth2/v2.0/token",
                    "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
                    "issuer": f"{base}/v2.0",
                    "end_session_endpoint": f"{base}/logout",
                },
            )
        elif path.endswith("/devicecode"):
            self._reply(
                200,
                {
                    "device_code": "dc-1",
                    "user_code": "ABCD-EFGH",
                    "verification_uri": "https://microsoft.com/devicelogin",
                    "expires_in": 900,
                    "interval": 0,
                    "message": "To sign in, go to https://microsoft.com/devicelogin "
                    "and enter the code ABCD-EFGH.",
                },
            )
        elif path.endswith("/token"):
            form = {k: v[-1] for k, v in parse_qs(body.decode()).items()}
            if state.revoked and form.get("grant_type") == "refresh_token":
                self._reply(
                    400,
                    {
                        "error": "invalid_grant",
                        "error_description": "AADSTS70008: refresh token expired",
                    },
                )
                return
            with state.lock:
                state.tokens += 1
                number = state.tokens
            now = int(time.time())
            id_token = ".".join(
                [
                    _b64({"alg": "none", "typ": "JWT"}),
                    _b64(
                        {
                            "iss": f"{base}/v2.0",
                            "aud": form.get("client_id", "cid"),
                            "sub": "alex",
                            "oid": "uid-1",
                            "tid": "tid-1",
                            "iat": now,
                            "exp": now + 3600,
                            "preferred_username": "alex@homecare.example",
                        }
                    ),
                    "",
                ]
            )
            self._reply(
                200,
                {
                    "token_type": "Bearer",
                    "scope": "Calendars.ReadWrite Mail.ReadBasic",
                    "expires_in": 3600,
                    "access_token": f"gat-{number}",
                    "refresh_token": f"grt-{number}",
                    "id_token": id_token,
                    "client_info": _b64({"uid": "uid-1", "utid": "tid-1"}),
                },
            )
        else:
            self._reply(404, {"error": "not_found"})


class RedirectingSession(requests.Session):
    """MSAL's http_client: https://login.fake.test/... goes to the local fake."""

    def __init__(self, base: str) -> None:
        super().__init__()
        self._base = base.rstrip("/")

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        text = url.decode() if isinstance(url, bytes) else url
        return super().request(method, text.replace(AUTHORITY_HOST, self._base), *args, **kwargs)


@contextmanager
def fake_graph() -> Iterator[tuple[str, GraphState]]:
    state = GraphState()
    handler = type("Handler", (_Handler,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    state.base = f"http://127.0.0.1:{server.server_address[1]}/"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state.base, state
    finally:
        server.shutdown()
        server.server_close()
