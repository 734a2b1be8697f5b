"""Signing in to Microsoft 365 with MSAL; the token cache lives in the keyring.

Device-code flow by default (it works over SSH), the interactive browser as an option. The
``SerializableTokenCache`` is kept in the source's keyring entry (service ``nurture``, user
``outlook``), split into several entries when large, reached only through the
``SourceSecrets`` the core hands the source.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from nurture_tui.sync.contract import KeyringSecrets, SignInRequired, SourceOffline, SourceSecrets

SCOPES = ["Calendars.ReadWrite", "Mail.ReadBasic"]  # offline_access is added by MSAL
KEYRING_USER = "outlook"
SIGN_IN_AGAIN = "sign in again with `nurture auth outlook`"


def authority(tenant: str) -> str:
    return os.environ.get("NURTURE_MS_AUTHORITY") or f"https://login.microsoftonline.com/{tenant}"


class MsalTokens:
    """Access tokens for Graph from MSAL, with the cache persisted to the keyring."""

    def __init__(
        self,
        client_id: str,
        tenant: str,
        *,
        http_client: Any = None,
        secrets: SourceSecrets | None = None,
    ) -> None:
        import msal

        self._secrets = secrets if secrets is not None else KeyringSecrets(KEYRING_USER)
        if not client_id:
            raise SignInRequired(
                "Outlook needs the agency's app registration: set outlook_client_id (and "
                "outlook_tenant) in config.toml — docs/connecting.md explains the registration"
            )
        self._cache = msal.SerializableTokenCache()
        stored = self._secrets.get()
        if stored:
            self._cache.deserialize(stored)
        options: dict[str, Any] = {"token_cache": self._cache}
        if http_client is not None:
            options["http_client"] = http_client
        if os.environ.get("NURTURE_MS_AUTHORITY"):
            options["instance_discovery"] = False  # a test or sovereign-cloud authority
        try:
            self._app = msal.PublicClientApplication(
                client_id, authority=authority(tenant), **options
            )
        except ValueError as exc:
            raise SignInRequired(f"the Microsoft sign-in settings are wrong ({exc})") from None
        except OSError as exc:
            raise SourceOffline(f"Microsoft sign-in cannot be reached ({exc}); offline") from None

    def _persist(self) -> None:
        if self._cache.has_state_changed:
            self._secrets.set(self._cache.serialize())

    def access_token(self) -> str:
        accounts = self._app.get_accounts()
        if not accounts:
            raise SignInRequired(
                "Outlook is not connected yet: sign in with `nurture auth outlook`"
            )
        try:
            result = self._app.acquire_token_silent(SCOPES, account=accounts[0])
        except OSError as exc:
            raise SourceOffline(f"Microsoft sign-in cannot be reached ({exc}); offline") from None
        self._persist()
        if not result or "access_token" not in result:
            raise SignInRequired(f"the Outlook sign-in expired or was revoked — {SIGN_IN_AGAIN}")
        return str(result["access_token"])

    def sign_in_with_device_code(self, show: Callable[[str], None]) -> str:
        flow = self._app.initiate_device_flow(scopes=SCOPES)
        if "user_code" not in flow:
            raise SignInRequired(
                f"Microsoft refused to start sign-in: {flow.get('error_description', flow)}"
            )
        show(str(flow["message"]))
        result = self._app.acquire_token_by_device_flow(flow)
        return self._finish(result)

    def sign_in_with_browser(self) -> str:
        result = self._app.acquire_token_interactive(SCOPES)
        return self._finish(result)

    def _finish(self, result: dict[str, Any]) -> str:
        if "access_token" not in result:
            detail = result.get("error_description") or result.get("error")
            raise SignInRequired(f"Microsoft sign-in failed: {detail}")
        self._persist()
        claims = result.get("id_token_claims") or {}
        return str(claims.get("preferred_username") or claims.get("email") or "signed in")

    def signed_in_as(self) -> str | None:
        accounts = self._app.get_accounts()
        return str(accounts[0].get("username")) if accounts else None


def logout(secrets: SourceSecrets | None = None) -> None:
    (secrets if secrets is not None else KeyringSecrets(KEYRING_USER)).delete()
