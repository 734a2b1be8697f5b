"""Correct a logged touchpoint: the log form, filled with what was recorded."""

from __future__ import annotations

from dataclasses import replace

from textual.widgets import Checkbox, Input, Select
from textual.worker import Worker

from nurture_tui.domain.model import PartnerHistory, Touchpoint
from nurture_tui.ui.base import nurture
from nurture_tui.ui.screens.log_form import LogTouchForm


class TouchEditForm(LogTouchForm):
    TITLE = "Edit touchpoint"

    def __init__(self, touchpoint: Touchpoint) -> None:
        super().__init__(
            touchpoint.partner_id,
            kind=touchpoint.kind.value,
            contact_id=touchpoint.contact_ids[0] if touchpoint.contact_ids else None,
            purpose=touchpoint.purpose,
        )
        self.touchpoint = touchpoint

    def on_mount(self) -> None:
        zone = nurture(self).session.settings.zone
        touch = self.touchpoint
        self.query_one("#log-at", Input).value = f"{touch.at.astimezone(zone):%Y-%m-%d %H:%M}"
        self.query_one("#log-note", Input).value = touch.note
        self.query_one("#log-requested", Checkbox).value = touch.requested
        super().on_mount()

    def _history_loaded(self, history: PartnerHistory) -> None:
        # Guardrails judge the edit against the history without the touch being edited.
        others = [t for t in history.touchpoints if t.id != self.touchpoint.id]
        super()._history_loaded(
            PartnerHistory(history.partner, history.contacts, others, history.referrals)
        )

    def save(self) -> Worker[None]:
        touch = self.touchpoint
        contact = self.query_one("#log-contact", Select).value
        # Only the first contact shows in the form; the others a touch was logged with stay.
        contact_ids = (
            (str(contact), *(c for c in touch.contact_ids[1:] if c != contact))
            if isinstance(contact, str)
            else ()
        )
        entry = replace(self.entry(), contact_ids=contact_ids)
        return nurture(self).edit_touchpoint(touch.id, entry, origin=self)
