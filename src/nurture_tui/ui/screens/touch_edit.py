"""Correct a logged touchpoint: the log form, filled with what was recorded.

The checks judge the corrected touch without its own old value (no double counting), and
Save asks only about compliance warnings the touch does not already carry as overridden.
"""

from __future__ import annotations

from dataclasses import replace

from textual.widgets import Checkbox, Input, Select
from textual.worker import Worker

from nurture_tui.domain.compliance import Finding
from nurture_tui.domain.model import PartnerHistory, Touchpoint
from nurture_tui.services.entries import TouchCheck, TouchEntry
from nurture_tui.ui.base import nurture
from nurture_tui.ui.screens.log_form import LogTouchForm


def typed_value(cents: int) -> str:
    """A recorded value as the Value field shows it again ("48.00"; nothing when none)."""
    return f"{cents // 100}.{cents % 100:02d}" if cents else ""


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
        self.query_one("#log-value", Input).value = typed_value(touch.value_cents)
        self.query_one("#log-item", Input).value = touch.item
        # LogTouchForm.on_mount runs next (Textual calls each class's handler in turn)
        # and loads the history.

    def _history_loaded(self, history: PartnerHistory) -> None:
        # Guardrails judge the edit against the history without the touch being edited.
        others = [t for t in history.touchpoints if t.id != self.touchpoint.id]
        super()._history_loaded(
            PartnerHistory(history.partner, history.contacts, others, history.referrals)
        )

    def replaces(self) -> str | None:
        return self.touchpoint.id

    def entry_to_save(self) -> TouchEntry:
        touch = self.touchpoint
        contact = self.query_one("#log-contact", Select).value
        # Only the first contact shows in the form; the others a touch was logged with stay.
        contact_ids = (
            (str(contact), *(c for c in touch.contact_ids[1:] if c != contact))
            if isinstance(contact, str)
            else ()
        )
        return replace(self.entry(), contact_ids=contact_ids)

    def new_warnings(self, check: TouchCheck) -> list[Finding]:
        kept = {(o.rule, o.message) for o in self.touchpoint.overrides}
        return [f for f in check.compliance_warnings if (f.rule, f.message) not in kept]

    def write(self, entry: TouchEntry) -> Worker[None]:
        return nurture(self).edit_touchpoint(
            self.touchpoint.id, entry, opened=self.touchpoint, origin=self
        )
