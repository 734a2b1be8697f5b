"""Signing in to Google: the installed-app flow, tokens in the keyring.

Google's device flow does not allow Calendar or Gmail scopes, so the rep signs in in a
browser: a loopback redirect to 127.0.0.1 on a free port, with PKCE and ``state`` checked
by google-auth-oauthlib. The authorized-user JSON (``Credentials.to_json()``) is kept in
the source's keyring entry (service ``nurture``, user ``google``), reached only through the
``SourceSecrets`` the core hands the source.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from nurture_tui.sync.contract import KeyringSecrets, SignInRequired, SourceSecrets

SCOPES = [
    "https://www.googleapis.com/auth/calendar.events",
    "https://www.googleapis.com/auth/gmail.metadata",
]
KEYRING_USER = "google"
SIGN_IN_AGAIN = "sign in again with `nurture auth google`"


def _secrets(secrets: SourceSecrets | None) -> SourceSecrets:
    return secrets if secrets is not None else KeyringSecrets(KEYRING_USER)


def stored_credentials(secrets: SourceSecrets | None = None) -> Any:
    """The saved credentials, or SignInRequired with what to do."""
    raw = _secrets(secrets).get()
    if not raw:
        raise SignInRequired("Google is not connected yet: sign in with `nurture auth google`")
    try:
        return credentials_from_info(json.loads(raw))
    except (ValueError, KeyError) as exc:
        raise SignInRequired(
            f"the saved Google sign-in is unreadable ({exc}); {SIGN_IN_AGAIN}"
        ) from None


def credentials_from_info(info: dict[str, Any]) -> Any:
    """Authorized-user JSON -> Credentials, honouring its ``token_uri``.

    google-auth now always resets ``token_uri`` to Google's; the JSON we read was written by
    Nurture into the keyring, so its endpoint is trusted (and tests point it at a fake).
    """
    from google.oauth2.credentials import Credentials

    credentials = Credentials.from_authorized_user_info(  # type: ignore[no-untyped-call]
        info, info.get("scopes") or SCOPES
    )
    if info.get("token_uri"):
        credentials = credentials.with_token_uri(info["token_uri"])
    return credentials


def save_credentials(credentials: Any, secrets: SourceSecrets | None = None) -> None:
    _secrets(secrets).set(credentials.to_json())


def logout(secrets: SourceSecrets | None = None) -> None:
    _secrets(secrets).delete()


def _has_browser() -> bool:
    import webbrowser

    try:
        webbrowser.get()
    except webbrowser.Error:
        return False
    return True


def login(
    client_secrets: Path | None, client_id: str = "", secrets: SourceSecrets | None = None
) -> Any:
    """Run the browser flow; prints the URL (and how to forward the port over SSH)."""
    from google_auth_oauthlib.flow import InstalledAppFlow

    if client_secrets is not None:
        try:
            flow = InstalledAppFlow.from_client_secrets_file(str(client_secrets), scopes=SCOPES)
        except (OSError, ValueError) as exc:
            raise SignInRequired(
                f"cannot use {client_secrets} as the Google OAuth client ({type(exc).__name__}: "
                "download the Desktop client's JSON again; docs/connecting.md shows how)"
            ) from None
    elif client_id:
        flow = InstalledAppFlow.from_client_config(
            {
                "installed": {
                    "client_id": client_id,
                    "client_secret": "",
                    "auth_uri": "https://accounts.google.com/o/oauth2/auth",
                    "token_uri": "https://oauth2.googleapis.com/token",
                    "redirect_uris": ["http://127.0.0.1"],
                }
            },
            scopes=SCOPES,
        )
    else:
        raise SignInRequired(
            "Google sign-in needs your OAuth client: `nurture auth google --client-secrets "
            "client_secret.json` (docs/connecting.md shows how to create one)"
        )
    over_ssh = bool(os.environ.get("SSH_CONNECTION"))
    # No browser here (a server, a container): print the address and the SSH hint instead
    # of failing with webbrowser.Error.
    can_open = not over_ssh and _has_browser()
    message = "Open this address in your browser to connect Google:\n{url}\n" + (
        ""
        if can_open
        else "From another machine, forward the port first: ssh -L PORT:127.0.0.1:PORT "
        "this-host (PORT is the number after 127.0.0.1: in the address's redirect_uri).\n"
    )
    credentials = flow.run_local_server(
        host="127.0.0.1",
        port=0,
        open_browser=can_open,
        authorization_prompt_message=message,
        success_message=("Nurture is connected to Google. You can close this tab."),
    )
    save_credentials(credentials, secrets)
    return credentials
