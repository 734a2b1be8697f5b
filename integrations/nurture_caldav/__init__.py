"""CalDAV calendars (iCloud, Fastmail, Nextcloud, Radicale) for Nurture: the ``caldav`` source."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nurture_caldav.source import CalDavSource
    from nurture_tui.services.session import Session


def create(session: Session) -> CalDavSource:
    """The entry point in ``nurture_tui.sources``."""
    from nurture_caldav.source import CalDavSource

    return CalDavSource.from_session(session)
