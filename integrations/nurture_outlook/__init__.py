"""Microsoft 365 / Outlook calendar and sent mail for Nurture (the ``outlook`` source).

``plugin`` is the entry point in ``nurture_tui.sources``; MSAL and requests are imported
only when this source syncs or signs in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nurture_tui.sync.contract import SourceContext, SourceError, SourceOption, SourceStatus

if TYPE_CHECKING:
    from nurture_outlook.source import OutlookSource


class OutlookPlugin:
    """Microsoft 365 through the agency's app registration; the token cache in the keyring."""

    name = "outlook"
    title = "Microsoft 365"
    options = (
        SourceOption(
            "client_id",
            "The agency's Microsoft Entra app registration (public client) id.",
            required=True,
        ),
        SourceOption(
            "tenant",
            "The Microsoft tenant id or domain (default: any work or school account).",
            default="organizations",
        ),
        SourceOption(
            "browser",
            "Sign in in a browser instead of with a device code (which works over SSH).",
            kind="bool",
            default=False,
        ),
    )

    def open(self, context: SourceContext) -> OutlookSource:
        from nurture_outlook.source import OutlookSource

        return OutlookSource.from_context(context)

    def authenticate(self, context: SourceContext) -> str:
        from nurture_outlook.auth import MsalTokens

        tokens = MsalTokens(
            context.option("client_id"), context.option("tenant"), secrets=context.secrets
        )
        if context.option("browser"):
            who = tokens.sign_in_with_browser()
        else:
            who = tokens.sign_in_with_device_code(context.prompts.say)
        return f"connected as {who}"

    def status(self, context: SourceContext) -> SourceStatus:
        from nurture_outlook.auth import MsalTokens

        not_connected = SourceStatus(False, "not connected: run `nurture auth outlook`")
        if context.secrets.get() is None:
            return not_connected  # said without reaching Microsoft
        try:
            tokens = MsalTokens(
                context.option("client_id"), context.option("tenant"), secrets=context.secrets
            )
        except SourceError as exc:
            return SourceStatus(False, str(exc))
        who = tokens.signed_in_as()
        return SourceStatus(True, f"connected as {who}", who) if who else not_connected

    def logout(self, context: SourceContext) -> str:
        from nurture_outlook.auth import logout

        logout(context.secrets)
        return "signed out of Outlook"


plugin = OutlookPlugin()
