"""One touchpoint or referral from a partner's timeline: read it whole, correct or delete it.

``enter`` on a timeline row opens it: ``e`` edits it (the log form for a touch; the referral
form for a referral's status, service and flags), ``d`` deletes it after one question.
Every change here is one ``u`` away, as everywhere else in the app.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, Static
from textual.worker import get_current_worker

from nurture_tui.domain.model import Referral, Touchpoint
from nurture_tui.services import records
from nurture_tui.services.session import Session
from nurture_tui.ui.base import nurture
from nurture_tui.ui.screens.confirm import ConfirmScreen


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
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="record", exit_on_error=False)
    def load(self) -> None:
        app = nurture(self)
        repo = app.session.repo
        zone = app.session.settings.zone
        with app.store_lock:
            record: Touchpoint | Referral = (
                repo.touchpoint(self.record_id)
                if self.kind == "touchpoint"
                else repo.referral(self.record_id)
            )
            partner = repo.partner(record.partner_id).name
            if isinstance(record, Touchpoint):
                names = [repo.contact(c).name for c in record.contact_ids]
                lines = [
                    ("Partner", partner),
                    ("What", record.kind.value),
                    ("When", f"{record.at.astimezone(zone):%a %d %b %Y %H:%M}"),
                    ("Status", record.status.value),
                    ("Contacts", ", ".join(names)),
                    ("Purpose", record.purpose),
                    ("Note", record.note),
                    ("Source", record.source),
                ]
            else:
                contact = repo.contact(record.contact_id).name if record.contact_id else ""
                lines = [
                    ("Partner", partner),
                    ("Received", f"{record.received:%a %d %b %Y}"),
                    ("From", contact),
                    ("Participant", record.participant_ref),
                    (
                        "Service",
                        " · ".join(x for x in (record.service, record.service_detail) if x),
                    ),
                    ("Status", record.status.value),
                    ("Complex needs", "yes" if record.complex_needs else ""),
                ]
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, record, lines)

    def _show(self, record: Touchpoint | Referral, lines: list[tuple[str, str]]) -> None:
        self.record = record
        body = Text()
        for label, value in lines:
            if value:
                body.append(f"{label:<14}", style="dim")
                body.append(f"{value}\n")  # outside text stays text, never markup
        self.query_one("#record-body", Static).update(body)

    def _what(self) -> str:
        record = self.record
        if isinstance(record, Touchpoint):
            return f"the {record.kind.value} of {record.at:%d %b}"
        if isinstance(record, Referral):
            return f"the referral of {record.received:%d %b}"
        return "this record"

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
        what = self._what()
        rid = record.id

        def write(session: Session) -> object:
            if isinstance(record, Touchpoint):
                return records.delete_touchpoint(session, rid)
            return records.delete_referral(session, rid)

        nurture(self).run_write(write, lambda _: f"Deleted {what}", record.partner_id)
        self.dismiss()

    def action_close(self) -> None:
        self.dismiss()
