"""One touchpoint or referral from a partner's timeline: read it whole, correct or delete it.

``enter`` on a timeline row opens it. Deleting asks once (a confirm dialog), and every
change here is one ``u`` away, as everywhere else in the app.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Label, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from nurture_tui.domain.kinds import ReferralStatus
from nurture_tui.domain.model import Referral, Touchpoint
from nurture_tui.services import records
from nurture_tui.services.session import Session
from nurture_tui.ui.base import nurture


class ConfirmDelete(ModalScreen[bool]):
    """Yes or no, with the record named and the way back said."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Delete", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "Keep it", id="confirm.no"),
    ]

    def __init__(self, what: str) -> None:
        super().__init__()
        self.what = what

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(Text(f"Delete {self.what}?"), id="confirm-question")
            yield Static("It can be taken back with u (undo).", classes="dim")
            with Horizontal(id="confirm-buttons"):
                yield Button("Delete (y)", variant="error", id="confirm-yes")
                yield Button("Keep it (n)", id="confirm-no")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()

    @on(Button.Pressed, "#confirm-yes")
    def _yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-no")
    def _no(self) -> None:
        self.dismiss(False)

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


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
            if self.kind == "referral":
                yield Label("Status (enter sets it)", classes="dim")
                yield OptionList(
                    *(Option(s.value, id=s.value) for s in ReferralStatus), id="record-status"
                )
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
        if isinstance(record, Referral):
            statuses = self.query_one("#record-status", OptionList)
            statuses.highlighted = list(ReferralStatus).index(record.status)
            statuses.focus()

    def _what(self) -> str:
        record = self.record
        if isinstance(record, Touchpoint):
            return f"the {record.kind.value} of {record.at:%d %b}"
        if isinstance(record, Referral):
            return f"the referral of {record.received:%d %b}"
        return "this record"

    @on(OptionList.OptionSelected, "#record-status")
    def _set_status(self, event: OptionList.OptionSelected) -> None:
        record = self.record
        status = event.option.id
        if not isinstance(record, Referral) or status is None or status == record.status.value:
            return
        rid = record.id

        def write(session: Session) -> Referral:
            return records.update_referral(session, rid, status=status)

        nurture(self).run_write(
            write, lambda r: f"Referral status: {r.status.value}", record.partner_id
        )
        self.dismiss()

    def action_edit(self) -> None:
        record = self.record
        if isinstance(record, Touchpoint):
            from nurture_tui.ui.screens.touch_edit import TouchEditForm

            self.app.switch_screen(TouchEditForm(record))
        elif isinstance(record, Referral):
            self.query_one("#record-status", OptionList).focus()

    def action_delete(self) -> None:
        record = self.record
        if record is None:
            return

        def answered(yes: bool | None) -> None:
            if yes and record is not None:
                self._delete(record)

        self.app.push_screen(ConfirmDelete(self._what()), answered)

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
