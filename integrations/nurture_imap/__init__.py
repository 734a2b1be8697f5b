"""Sent mail over IMAP for Nurture (the ``imap`` source): headers only, TLS required.

``plugin`` is the entry point in ``nurture_tui.sources``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nurture_tui.sync.contract import PasswordSignIn, SourceContext, SourceOption

if TYPE_CHECKING:
    from nurture_imap.source import ImapSource


class ImapPlugin(PasswordSignIn):
    """An IMAP mailbox: server, port and user in config.toml, the password in the keyring."""

    name = "imap"
    title = "IMAP"
    options = (
        SourceOption(
            "host",
            "Your IMAP server, for sent mail; the password is in the keyring.",
            required=True,
        ),
        SourceOption(
            "port",
            "The IMAP port (993 is IMAP over TLS).",
            kind="int",
            default=993,
            between=(1, 65535),
        ),
        SourceOption("user", "Your IMAP user name."),
        SourceOption(
            "sent_folder",
            "The Sent folder, if it has no \\Sent flag (found by flag, then by usual names).",
        ),
    )

    def open(self, context: SourceContext) -> ImapSource:
        from nurture_imap.source import ImapSource

        return ImapSource(
            context.option("host"),
            context.option("port"),
            context.option("user"),
            self.password(context),
            since=context.window[0],
            folder=context.option("sent_folder"),
        )


plugin = ImapPlugin()
