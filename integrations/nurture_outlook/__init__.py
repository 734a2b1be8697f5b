"""Microsoft 365 / Outlook calendar and sent mail for Nurture (the ``outlook`` source)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nurture_outlook.source import OutlookSource
    from nurture_tui.services.session import Session


def create(session: Session) -> OutlookSource:
    """The entry point in ``nurture_tui.sources``."""
    from nurture_outlook.source import OutlookSource

    return OutlookSource.from_session(session)
