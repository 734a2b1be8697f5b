"""Log a touchpoint; the guardrails' warnings appear live, before saving, never blocking.

Two kinds of warning show as the rep types, checked by the service in a worker: the
playbook's don'ts (the seeds: "no gift without something to thank for") and the law's
(``services.compliance``: Stark's yearly limit to a physician, cash equivalents, a gift
right after a referral…). The law's are marked "⚠" in bold and the box's edge turns red;
notices that only inform (80 % of the limit reached) are "ℹ". Saving with a compliance
warning is never refused — the rep may have a reason — but it is never silent either: Save
asks once, and the saved touch records who saved through which warning, for the
compliance report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Checkbox, Input, Select, Static
from textual.worker import Worker

from nurture_tui.domain.compliance import Finding
from nurture_tui.domain.kinds import TouchpointKind
from nurture_tui.domain.model import Contact, PartnerHistory
from nurture_tui.services import compliance, entries, lookups
from nurture_tui.services.entries import TouchCheck, TouchEntry
from nurture_tui.services.session import Session
from nurture_tui.ui.base import nurture
from nurture_tui.ui.messages import WriteFailed
from nurture_tui.ui.screens.confirm import ConfirmScreen
from nurture_tui.ui.screens.form import FormScreen, field_label
from nurture_tui.ui.widgets.footer import SteadyFooter


def contact_label(contact: Contact) -> Text:
    """ "Dr. Lena Ortiz, MD — Hospitalist": the credential shows who is a physician; a
    name is text, never markup."""
    credential = f", {contact.credential.upper()}" if contact.credential else ""
    role = f" — {contact.role}" if contact.role else ""
    return Text(f"{contact.name}{credential}{role}")


def check_text(check: TouchCheck) -> Text:
    """The live box: the law's warnings first ("⚠", bold), then the playbook's don'ts
    ("⚠"), then notices ("ℹ", italic) — so a rep can tell what Save will record."""
    lines = [Text.assemble(("⚠ ", "bold"), (f.message, "bold")) for f in check.compliance_warnings]
    lines += [Text(f"⚠ {caution}") for caution in check.cautions]
    lines += [
        Text(f"ℹ {f.message}", style="italic") for f in check.findings if f.severity == "notice"
    ]
    return Text("\n").join(lines)


class SaveAnywayScreen(ConfirmScreen):
    """The one question before a touch with compliance warnings is saved. Unlike a delete,
    saving is what the rep asked for, so Enter says yes; Esc (or n) goes back to the form
    with everything typed kept. The warnings scroll in a box of their own: however many
    there are, the answers stay on a 24-line screen."""

    def __init__(self, warnings: Sequence[Finding], by: str) -> None:
        count = len(warnings)
        them = "The warning is" if count == 1 else f"The {count} warnings are"
        question = Text(f"Save anyway? {them} recorded as overridden by ")
        question.append(by, style="bold")
        question.append(f"; the compliance report lists {'it' if count == 1 else 'them'}.")
        super().__init__(question, yes="Save anyway", no="Back to the form")
        self.warnings = Text("\n").join(Text(f"⚠ {f.message}") for f in warnings)

    def compose(self) -> ComposeResult:
        with Vertical(classes="confirm"):
            yield Static(self.question, id="confirm-question")
            with VerticalScroll(id="save-anyway-warnings"):
                yield Static(self.warnings)
            with Horizontal(classes="confirm-buttons"):
                yield Button(f"{self.yes} (y)", variant="error", id="confirm-yes")
                yield Button(f"{self.no} (n)", id="confirm-no")
        yield SteadyFooter(show_command_palette=False)

    @on(events.Mount)
    def _yes_by_default(self, event: events.Mount) -> None:
        event.prevent_default()  # not the base's focus on "No"
        self.query_one("#confirm-yes", Button).focus()

    def on_resize(self, event: events.Resize) -> None:
        # The question, the buttons, the border and the footer take 10 lines.
        box = self.query_one("#save-anyway-warnings", VerticalScroll)
        box.styles.max_height = max(3, event.size.height - 11)


class LogTouchForm(FormScreen):
    """What the guardrails say shows live, checked by the service in a worker as the rep
    types (a time or a value half typed shows none); Save checks the touch once more as it
    will be saved, asks before saving through a compliance warning, and logs it through
    ``log_touchpoint``."""

    @dataclass
    class HistoryLoaded(Message):
        """The partner's history: its name, contacts, and what the guardrails judge by."""

        history: PartnerHistory

    @dataclass
    class WarningsChecked(Message):
        """What the guardrails and the compliance checks say about the touch so far."""

        check: TouchCheck

    @dataclass
    class SaveChecked(Message):
        """Save was pressed: what the checks say about the touch about to be saved, and
        who a warning saved through is recorded against."""

        entry: TouchEntry
        check: TouchCheck
        by: str

    TITLE = "Log a touchpoint"
    FIELDS = (
        ("at", "log-at"),
        ("contact", "log-contact"),
        ("kind", "log-kind"),
        ("value", "log-value"),
        ("item", "log-item"),
    )
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
        self.check: TouchCheck = TouchCheck()
        """What the live box shows (the latest check)."""

    def header(self) -> ComposeResult:
        yield Static("", id="log-partner", classes="form-subtitle")
        # Above the fields, so the don'ts show even on a 24-line terminal; in a box of its
        # own, at most a few lines high on a small terminal (the rest scrolls), so the
        # field being typed in is never pushed out of sight by what it made appear.
        with VerticalScroll(id="log-warnings-box"):
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
        # What was given right under who received it: on 24 lines both stay in view
        # under the warnings they bring.
        yield field_label("Value")
        yield Input(placeholder="$ for everyone together, e.g. 48.00", id="log-value")
        yield field_label("Item")
        yield Input(placeholder="what was given: lunch for the team, a plant…", id="log-item")
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
        contacts.set_options([(contact_label(c), c.id) for c in history.contacts])
        if self.initial_contact and any(c.id == self.initial_contact for c in history.contacts):
            contacts.value = self.initial_contact
        self._update_warnings()

    # ------------------------------------------------------------ live checks
    def replaces(self) -> str | None:
        """The id of the touch being corrected (its own value is not counted twice)."""
        return None

    def _check(self, session: Session, entry: TouchEntry, history: PartnerHistory) -> TouchCheck:
        return entries.touch_check(
            session, entry, history, nurture(self).playbook, replaces=self.replaces()
        )

    @on(Select.Changed)
    @on(Input.Changed)
    @on(Checkbox.Changed)
    def _update_warnings(self) -> None:
        history = self.history
        if history is None:
            return
        entry = self.entry_to_save()
        nurture(self).load_into(
            self,
            lambda session: self._check(session, entry, history),
            self.WarningsChecked,
            purpose="log-warnings",
        )

    @on(WarningsChecked)
    def _show_warnings(self, message: WarningsChecked) -> None:
        self.check = check = message.check
        box = self.query_one("#log-warnings", Static)
        box.update(check_text(check))
        box.set_class(bool(check.lines), "has-warnings")
        box.set_class(bool(check.compliance_warnings), "has-compliance")
        self.call_after_refresh(self._keep_the_field_in_view)

    def _keep_the_field_in_view(self) -> None:
        focused = self.focused
        if focused is not None and focused.is_attached:
            body = self.query_one(".form", VerticalScroll)
            body.scroll_to_widget(focused, animate=False)

    def on_resize(self, event: events.Resize) -> None:
        # The fields keep at least ~10 rows: 24 lines show 6 lines of warnings at once.
        box = self.query_one("#log-warnings-box", VerticalScroll)
        box.styles.max_height = max(4, event.size.height - 18)

    # ------------------------------------------------------------------ saving
    def _contact_ids(self) -> tuple[str, ...]:
        value = self.query_one("#log-contact", Select).value
        return (str(value),) if isinstance(value, str) else ()

    def entry(self) -> TouchEntry:
        """The touch as typed (the service reads the time and the value, checks everything)."""
        return TouchEntry(
            kind=str(self.query_one("#log-kind", Select).value),
            when=self.query_one("#log-at", Input).value,
            contact_ids=self._contact_ids(),
            purpose=self.query_one("#log-purpose", Input).value,
            note=self.query_one("#log-note", Input).value,
            requested=self.query_one("#log-requested", Checkbox).value,
            linkedin_connect=self.query_one("#log-linkedin", Checkbox).value,
            value=self.query_one("#log-value", Input).value,
            item=self.query_one("#log-item", Input).value,
        )

    def entry_to_save(self) -> TouchEntry:
        """The touch as it will be saved (an edit keeps contacts the form does not show)."""
        return self.entry()

    def write(self, entry: TouchEntry) -> Worker[None]:
        """Start the use case that saves ``entry``."""
        return nurture(self).log_touchpoint(self.partner_id, entry, origin=self)

    def save(self) -> Worker[None]:
        """Check the touch as it will be saved, in a worker (the live box may lag the last
        key); ``SaveChecked`` then writes it, or first asks. The form counts as saving
        meanwhile: a second Save or Esc waits."""
        entry, pid, history = self.entry_to_save(), self.partner_id, self.history

        def read(session: Session) -> LogTouchForm.SaveChecked:
            try:
                judged = history or lookups.partner_history(session, pid)
                checked = self._check(session, entry, judged)
                return self.SaveChecked(entry, checked, compliance.actor(session))
            except Exception as error:  # the app's toast says it; Save works again
                self.post_message(WriteFailed(error))
                raise

        return nurture(self).load_into(self, read, lambda checked: checked, purpose="log-save")

    def new_warnings(self, check: TouchCheck) -> list[Finding]:
        """The compliance warnings saving would record (an edit: those not already kept)."""
        return check.compliance_warnings

    @on(SaveChecked)
    def _confirm_then_write(self, message: SaveChecked) -> None:
        warnings = self.new_warnings(message.check)
        if not warnings:
            self.start_write(self.write(message.entry))
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.start_write(self.write(message.entry))
            else:  # back to the form, everything typed still there
                self._write_ended()

        self.app.push_screen(SaveAnywayScreen(warnings, message.by), answered)
