"""Google Calendar and Gmail (sent mail) for Nurture, registered as the ``google`` source.

The Google SDKs are an optional extra (``pip install 'nurture-tui[google]'``) and are
imported only when this source is used, so Nurture starts fast without them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nurture_google.source import GoogleSource
    from nurture_tui.services.session import Session


def create(session: Session) -> GoogleSource:
    """The entry point in ``nurture_tui.sources``."""
    from nurture_google.source import GoogleSource

    return GoogleSource.from_session(session)
