"""Create a Zoom meeting for an invite with Zoom's server-to-server OAuth app.

The app's account id, client id and secret live in the keyring (user ``zoom``), never in
the config. ``NURTURE_ZOOM_OAUTH`` and ``NURTURE_ZOOM_API`` point at other endpoints (tests).
Standard library HTTP only: this runs once per invite.
"""

from __future__ import annotations

import base64
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from nurture_tui.domain.errors import NurtureError
from nurture_tui.secrets import get_secret, set_secret

KEYRING_USER = "zoom"
OAUTH = "https://zoom.us/oauth/token"
API = "https://api.zoom.us/v2"


class ZoomError(NurtureError):
    """Zoom could not create the meeting; the message says why and what to do."""


@dataclass(frozen=True)
class ZoomCredentials:
    account_id: str
    client_id: str
    client_secret: str


def save_credentials(credentials: ZoomCredentials) -> None:
    set_secret(KEYRING_USER, json.dumps(credentials.__dict__))


def stored_credentials() -> ZoomCredentials:
    raw = get_secret(KEYRING_USER)
    if not raw:
        raise ZoomError(
            "Zoom is not connected: run `nurture auth zoom` with your "
            "server-to-server OAuth app's account id, client id and secret"
        )
    return ZoomCredentials(**json.loads(raw))


def _post(url: str, body: dict[str, Any] | None, headers: dict[str, str]) -> dict[str, Any]:
    data = json.dumps(body).encode() if body is not None else b""
    request = urllib.request.Request(
        url, data=data, method="POST", headers={"Content-Type": "application/json", **headers}
    )
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            loaded: dict[str, Any] = json.loads(response.read() or b"{}")
            return loaded
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode(errors="replace")[:200]
        if exc.code in (400, 401):
            raise ZoomError(
                f"Zoom refused the app's credentials ({exc.code}: {detail}); "
                "check them with `nurture auth zoom`"
            ) from None
        raise ZoomError(f"Zoom answered {exc.code} ({detail}); try again later") from None
    except (urllib.error.URLError, OSError) as exc:
        raise ZoomError(
            f"Zoom cannot be reached ({exc}); use your personal link (--zoom-url) or try again"
        ) from None


def create_meeting(credentials: ZoomCredentials, topic: str, start: datetime, minutes: int) -> str:
    """A scheduled meeting; returns its join URL."""
    oauth = os.environ.get("NURTURE_ZOOM_OAUTH", OAUTH)
    api = os.environ.get("NURTURE_ZOOM_API", API).rstrip("/")
    basic = base64.b64encode(f"{credentials.client_id}:{credentials.client_secret}".encode())
    query = urllib.parse.urlencode(
        {"grant_type": "account_credentials", "account_id": credentials.account_id}
    )
    token = _post(f"{oauth}?{query}", None, {"Authorization": f"Basic {basic.decode()}"})
    if "access_token" not in token:
        raise ZoomError("Zoom gave no access token; check the app with `nurture auth zoom`")
    meeting = _post(
        f"{api}/users/me/meetings",
        {
            "topic": topic[:200],
            "type": 2,  # scheduled
            "start_time": start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "duration": minutes,
            "timezone": getattr(start.tzinfo, "key", "UTC"),
            "settings": {"join_before_host": False, "waiting_room": True},
        },
        {"Authorization": f"Bearer {token['access_token']}"},
    )
    url = meeting.get("join_url")
    if not url:
        raise ZoomError("Zoom created no join link; use --zoom-url instead")
    return str(url)
