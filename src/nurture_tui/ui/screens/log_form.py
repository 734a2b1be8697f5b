"""Log a touchpoint; the guardrails' warnings appear live, before saving, never blocking."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import Checkbox, Input, Select, Static
from textual.worker import Worker

from nurture_tui.domain.kinds import TouchpointKind
from nurture_tui.domain.model import PartnerHistory
from nurture_tui.services import entries, lookups
from nurture_tui.services.entries import TouchEntry
from nurture_tui.ui.base import nurture
from nurture_tui.ui.screens.form import FormScreen, field_label


class LogTouchForm(FormScreen):
    """What the guardrails say shows live, checked by the service in a worker as the rep
    types (a time half typed shows none); Save logs the touch through ``log_touchpoint``."""

    @dataclass
    class HistoryLoaded(Message):
        """The partner's history: its name, contacts, and what the guardrails judge by."""

        history: PartnerHistory

    @dataclass
    class WarningsChecked(Message):
        """What the guardrails say about the touch as typed so far."""

        warnings: list[str]

    TITLE = "Log a touchpoint"
    FIELDS = (("at", "log-at"), ("contact", "log-contact"), ("kind", "log-kind"))
    FIELD_HINTS = (
        ("time of the touchpoint", "log-at"),
        ("date", "log-at"),
        ("contact", "log-contact"),
        ("purpose", "log-purpose"),
        ("note", "log-note"),
    )

    def __init__(
        self,
        partner_id: str,
        *,
        kind: str = TouchpointKind.CHECK_IN.value,
        contact_id: str | None = None,
        purpose: str = "",
    ) -> None:
        super().__init__()
        self.partner_id = partner_id
        self.initial_kind = kind if kind in {k.value for k in TouchpointKind} else "check-in"
        self.initial_contact = contact_id
        self.initial_purpose = purpose
        self.history: PartnerHistory | None = None

    def header(self) -> ComposeResult:
        yield Static("", id="log-partner", classes="form-subtitle")
        # Above the fields, so the don'ts show even on a 24-line terminal.
        yield Static("", id="log-warnings")

    def fields(self) -> ComposeResult:
        yield field_label("Kind")
        yield Select(
            [(k.value, k.value) for k in TouchpointKind],
            value=self.initial_kind,
            allow_blank=False,
            id="log-kind",
        )
        yield field_label("With")
        yield Select([], id="log-contact", prompt="the partner as a whole")
        yield field_label("When")
        yield Input(placeholder="now; or yesterday 3pm, tue 10:00, 11/23 3pm…", id="log-at")
        yield field_label("Purpose")
        yield Input(
            value=self.initial_purpose,
            placeholder="why this touch matters to them",
            id="log-purpose",
        )
        yield field_label("Note")
        yield Input(id="log-note")
        yield field_label("")
        yield Checkbox("They asked for this (e.g. brochures)", id="log-requested")
        yield field_label("")
        yield Checkbox("This is a LinkedIn connection request", id="log-linkedin")

    def on_mount(self) -> None:
        pid = self.partner_id
        nurture(self).load_into(
            self,
            lambda session: lookups.partner_history(session, pid),
            self.HistoryLoaded,
            purpose="log-history",
        )

    @on(HistoryLoaded)
    def _on_history(self, message: HistoryLoaded) -> None:
        self._history_loaded(message.history)

    def _history_loaded(self, history: PartnerHistory) -> None:
        self.history = history
        self.query_one("#log-partner", Static).update(Text(history.partner.name))
        contacts = self.query_one("#log-contact", Select)
        contacts.set_options([(f"{c.name} — {c.role}", c.id) for c in history.contacts])
        if self.initial_contact and any(c.id == self.initial_contact for c in history.contacts):
            contacts.value = self.initial_contact
        self._update_warnings()

    @on(Select.Changed)
    @on(Input.Changed)
    @on(Checkbox.Changed)
    def _update_warnings(self) -> None:
        history = self.history
        if history is None:
            return
        app = nurture(self)
        entry, playbook = self.entry(), app.playbook
        app.load_into(
            self,
            lambda session: entries.touch_warnings(session, entry, history, playbook),
            self.WarningsChecked,
            purpose="log-warnings",
        )

    @on(WarningsChecked)
    def _show_warnings(self, message: WarningsChecked) -> None:
        text = "\n".join(f"⚠ {warning}" for warning in message.warnings)
        self.query_one("#log-warnings", Static).update(text)
        self.query_one("#log-warnings").set_class(bool(message.warnings), "has-warnings")

    def _contact_ids(self) -> tuple[str, ...]:
        value = self.query_one("#log-contact", Select).value
        return (str(value),) if isinstance(value, str) else ()

    def entry(self) -> TouchEntry:
        """The touch as typed (the service reads the time and checks everything)."""
        return TouchEntry(
            kind=str(self.query_one("#log-kind", Select).value),
            when=self.query_one("#log-at", Input).value,
            contact_ids=self._contact_ids(),
            purpose=self.query_one("#log-purpose", Input).value,
            note=self.query_one("#log-note", Input).value,
            requested=self.query_one("#log-requested", Checkbox).value,
            linkedin_connect=self.query_one("#log-linkedin", Checkbox).value,
        )

    def save(self) -> Worker[None]:
        return nurture(self).log_touchpoint(self.partner_id, self.entry(), origin=self)
