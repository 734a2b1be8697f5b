"""One touchpoint or referral from a partner's timeline: read it whole, correct or delete it.

``enter`` on a timeline row opens it: ``e`` edits it (the log form for a touch; the referral
form for a referral's status, service and flags), ``d`` deletes it after one question.
Every change here is one ``u`` away, as everywhere else in the app.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from nurture_tui.domain.model import Referral, Touchpoint
from nurture_tui.domain.money import format_amount, split_evenly
from nurture_tui.services import lookups
from nurture_tui.services.lookups import RecordView
from nurture_tui.ui.base import nurture
from nurture_tui.ui.screens.confirm import ConfirmScreen
from nurture_tui.ui.use_cases import record_words
from nurture_tui.ui.widgets.footer import SteadyFooter


def value_lines(touch: Touchpoint, currency: str, zone: tzinfo) -> list[tuple[str, str]]:
    """What a touch gave and every compliance warning saved through on it (who, when, the
    words): what the compliance officer will ask about, shown where the rep corrects it."""
    lines: list[tuple[str, str]] = []
    if touch.value_cents:
        value = format_amount(touch.value_cents, currency)
        heads = len(touch.contact_ids)
        if heads > 1:
            each = max(split_evenly(touch.value_cents, heads))
            value += f" for {heads} people ({format_amount(each, currency)} each)"
        lines.append(("Value", value))
    lines.append(("Item", touch.item))
    for override in touch.overrides:
        when = f"{override.at.astimezone(zone):%Y-%m-%d %H:%M}"
        lines.append(("Overridden", f"by {override.by} on {when}: {override.message}"))
    return lines


class RecordScreen(ModalScreen[None]):
    """A touchpoint or a referral, loaded in a worker, with what can be done to it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "edit", "Edit", id="record.edit"),
        Binding("d", "delete", "Delete", id="record.delete"),
        Binding("escape", "close", "Close", id="record.close"),
    ]

    def __init__(self, kind: str, record_id: str) -> None:
        super().__init__()
        self.kind = kind  # "touchpoint" or "referral"
        self.record_id = record_id
        self.record: Touchpoint | Referral | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="record-box"):
            yield Label(f"{self.kind.capitalize()}", id="record-title")
            yield Static("Loading…", id="record-body")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.load()

    @dataclass
    class Loaded(Message):
        """The record, read whole, with its lines as shown."""

        view: RecordView

    def load(self) -> None:
        kind, record_id = self.kind, self.record_id
        nurture(self).load_into(
            self,
            lambda session: lookups.record_view(session, kind, record_id),
            self.Loaded,
            purpose="record",
        )

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        record = self.record = message.view.record
        lines = list(message.view.lines)
        if isinstance(record, Touchpoint):
            settings = nurture(self).session.settings
            lines += value_lines(record, settings.currency, settings.zone)
        body = Text()
        for label, value in lines:
            if value:
                body.append(f"{label:<14}", style="dim")
                body.append(f"{value}\n")  # outside text stays text, never markup
        self.query_one("#record-body", Static).update(body)

    def _what(self) -> str:
        record = self.record
        return "this record" if record is None else record_words(record)

    def action_edit(self) -> None:
        record = self.record
        if isinstance(record, Touchpoint):
            from nurture_tui.ui.screens.touch_edit import TouchEditForm

            self.app.switch_screen(TouchEditForm(record))
        elif isinstance(record, Referral):  # status, service, flags: the referral form
            from nurture_tui.ui.screens.referral_form import ReferralForm

            self.app.switch_screen(ReferralForm(record.partner_id, referral_id=record.id))

    def action_delete(self) -> None:
        record = self.record
        if record is None:
            return

        def answered(yes: bool | None) -> None:
            if yes and record is not None:
                self._delete(record)

        question = f"Delete {self._what()}? It can be taken back with u (undo)."
        self.app.push_screen(ConfirmScreen(question, yes="Delete", no="Keep it"), answered)

    def _delete(self, record: Touchpoint | Referral) -> None:
        if isinstance(record, Touchpoint):
            nurture(self).delete_touchpoint(record.id)
        else:
            nurture(self).delete_referral(record.id)
        self.dismiss()

    def action_close(self) -> None:
        self.dismiss()
