"""Google Calendar and Gmail (sent mail) for Nurture, registered as the ``google`` source.

The Google SDKs are an optional extra (``pip install 'nurture-tui[google]'``) and are
imported only when this source syncs or signs in, so Nurture starts fast without them.
``plugin`` is the entry point in ``nurture_tui.sources``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from nurture_tui.sync.contract import SignInRequired, SourceContext, SourceOption, SourceStatus

if TYPE_CHECKING:
    from nurture_google.source import GoogleSource


class GooglePlugin:
    """Google Calendar and Gmail: the installed-app OAuth flow, the token in the keyring."""

    name = "google"
    title = "Google"
    options = (
        SourceOption(
            "calendars", "Google calendar ids to sync, comma-separated.", default="primary"
        ),
        SourceOption(
            "client_id",
            "Your Google OAuth client (Desktop type); or pass --client-secrets to `nurture auth`.",
        ),
        SourceOption(
            "client_secrets",
            "Your Google OAuth client's JSON file (Desktop type), read when you sign in.",
            kind="path",
        ),
    )

    def open(self, context: SourceContext) -> GoogleSource:
        from nurture_google.source import GoogleSource

        return GoogleSource.from_context(context)

    def authenticate(self, context: SourceContext) -> str:
        from nurture_google import auth

        secrets_file = context.option("client_secrets")
        auth.login(
            Path(secrets_file).expanduser() if secrets_file else None,
            context.option("client_id"),
            context.secrets,
        )
        return "google connected"

    def status(self, context: SourceContext) -> SourceStatus:
        from nurture_google import auth

        try:
            auth.stored_credentials(context.secrets)
        except SignInRequired:
            return SourceStatus(False, "not connected: run `nurture auth google`")
        return SourceStatus(True, "connected")

    def logout(self, context: SourceContext) -> str:
        from nurture_google import auth

        auth.logout(context.secrets)
        return "signed out of Google"


plugin = GooglePlugin()
