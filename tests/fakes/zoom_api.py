"""A fake Zoom (server-to-server OAuth token endpoint and meetings API) on 127.0.0.1."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse


def fake_zoom_handler(state: dict[str, Any]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def _reply(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            url = urlparse(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)) or 0)
            if url.path == "/oauth/token":
                query = parse_qs(url.query)
                expected = base64.b64encode(b"cid:secret").decode()
                if self.headers.get("Authorization") != f"Basic {expected}" or query.get(
                    "grant_type"
                ) != ["account_credentials"]:
                    self._reply(401, {"reason": "Invalid client_id or client_secret"})
                    return
                self._reply(
                    200, {"access_token": "zat", "token_type": "bearer", "expires_in": 3600}
                )
            elif url.path == "/v2/users/me/meetings":
                if self.headers.get("Authorization") != "Bearer zat":
                    self._reply(401, {"message": "Invalid access token"})
                    return
                meeting = json.loads(body)
                state.setdefault("meetings", []).append(meeting)
                self._reply(
                    201, {"id": 123, "join_url": "https://zoom.us/j/123?pwd=abc", **meeting}
                )
            else:
                self._reply(404, {"message": "no route"})

    return Handler


@contextmanager
def fake_zoom() -> Iterator[tuple[str, dict[str, Any]]]:
    state: dict[str, Any] = {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), fake_zoom_handler(state))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state
    finally:
        server.shutdown()
        server.server_close()
