"""CalDAV calendars (iCloud, Fastmail, Nextcloud, Radicale) for Nurture: the ``caldav`` source.

``plugin`` is the entry point in ``nurture_tui.sources``; the caldav client is imported only
when a sync runs, so listing the sources stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nurture_tui.sync.contract import PasswordSignIn, SourceContext, SourceOption

if TYPE_CHECKING:
    from nurture_caldav.source import CalDavSource


class CalDavPlugin(PasswordSignIn):
    """A CalDAV account: server and user in config.toml, the password in the keyring."""

    name = "caldav"
    title = "CalDAV"
    options = (
        SourceOption(
            "url",
            "Your CalDAV server (iCloud, Fastmail, Nextcloud...); the password is in the keyring.",
            kind="url",
            required=True,
        ),
        SourceOption("user", "Your CalDAV user name."),
    )

    def open(self, context: SourceContext) -> CalDavSource:
        from nurture_caldav.source import CalDavSource

        return CalDavSource(
            context.option("url"),
            context.option("user"),
            self.password(context),
            window=context.window,
            zone=context.zone,
        )


plugin = CalDavPlugin()
