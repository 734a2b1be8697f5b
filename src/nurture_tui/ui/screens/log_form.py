"""Log a touchpoint; the guardrails' warnings appear live, before saving, never blocking."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.widgets import Checkbox, Input, Select, Static

from nurture_tui.domain.dates import Tense, describe_moment
from nurture_tui.domain.kinds import TouchpointKind
from nurture_tui.domain.model import PartnerHistory, Touchpoint
from nurture_tui.domain.playbook.guardrails import PlannedTouch, check
from nurture_tui.domain.validation import parse_datetime
from nurture_tui.services import records
from nurture_tui.services.playbook import history_of
from nurture_tui.services.session import Session
from nurture_tui.ui.base import nurture
from nurture_tui.ui.screens.form import FormScreen, FormWrite, checking, field_label


class LogTouchForm(FormScreen):
    TITLE = "Log a touchpoint"
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
        self.load_history()

    @work(thread=True, exit_on_error=False)
    def load_history(self) -> None:
        app = nurture(self)
        with app.store_lock:
            history = history_of(app.session.repo, self.partner_id)
        self.app.call_from_thread(self._history_loaded, history)

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
        if self.history is None:
            return
        try:
            planned = self._planned()
        except Exception:
            return
        app = nurture(self)
        warnings = check(planned, self.history, app.playbook)
        text = "\n".join(f"⚠ {w.message}" for w in warnings)
        self.query_one("#log-warnings", Static).update(text)
        self.query_one("#log-warnings").set_class(bool(warnings), "has-warnings")

    def _when(self) -> datetime:
        app = nurture(self)
        raw = self.query_one("#log-at", Input).value.strip()
        now = app.session.now()
        if not raw:
            return now
        with checking("log-at"):
            # A log is of something done: "tue 10:00" is the latest Tuesday, not the next.
            return parse_datetime(raw, app.session.settings.zone, now=now, tense=Tense.PAST)

    def _contact_ids(self) -> tuple[str, ...]:
        value = self.query_one("#log-contact", Select).value
        return (str(value),) if isinstance(value, str) else ()

    def _planned(self) -> PlannedTouch:
        return PlannedTouch(
            kind=TouchpointKind(str(self.query_one("#log-kind", Select).value)),
            at=self._when(),
            purpose=self.query_one("#log-purpose", Input).value,
            requested=self.query_one("#log-requested", Checkbox).value,
            contact_ids=self._contact_ids(),
            linkedin_connect=self.query_one("#log-linkedin", Checkbox).value,
        )

    def save(self) -> FormWrite[Touchpoint]:
        planned = self._planned()
        note = self.query_one("#log-note", Input).value
        pid = self.partner_id
        typed_date = bool(self.query_one("#log-at", Input).value.strip())
        session = nurture(self).session
        zone, now = session.settings.zone, session.now().astimezone(session.settings.zone)

        def write(session: Session) -> Touchpoint:
            draft = records.draft_touchpoint(
                session,
                pid,
                planned.kind.value,
                at=planned.at,
                contact_ids=planned.contact_ids,
                purpose=planned.purpose,
                note=note,
                requested=planned.requested,
            )
            return records.save_touchpoint(session, draft)

        def done(touch: Touchpoint) -> str:
            # Echo a typed date as understood, so a misread "tue" is caught at once.
            when = f" for {describe_moment(touch.at.astimezone(zone), now)}" if typed_date else ""
            return f"Logged {touch.kind.value}{when}"

        return FormWrite(write, done, pid)
