"""Sent mail over IMAP for Nurture (the ``imap`` source): headers only, TLS required."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nurture_imap.source import ImapSource
    from nurture_tui.services.session import Session


def create(session: Session) -> ImapSource:
    """The entry point in ``nurture_tui.sources``."""
    from nurture_imap.source import ImapSource

    return ImapSource.from_session(session)
