"""Snooze or dismiss a suggested action (both remembered in the store)."""

from __future__ import annotations

from datetime import timedelta

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from nurture_tui.domain.dates import Tense, describe_day
from nurture_tui.domain.errors import ValidationError
from nurture_tui.domain.model import Dismissal
from nurture_tui.domain.playbook.facts import SuggestedAction
from nurture_tui.domain.validation import parse_date
from nurture_tui.services import playbook as playbook_service
from nurture_tui.services.session import Session
from nurture_tui.ui.base import nurture
from nurture_tui.ui.screens.form import (
    FieldError,
    FormScreen,
    FormWrite,
    checking,
    field_label,
)


class SnoozeForm(FormScreen):
    TITLE = "Snooze until…"
    SAVE_ON_ENTER = True  # Enter in the date field snoozes, as Enter on a choice does

    def __init__(self, action: SuggestedAction) -> None:
        super().__init__()
        self.action = action

    def header(self) -> ComposeResult:
        yield Static(Text(f"{self.action.kind} — {self.action.partner}"), classes="form-subtitle")

    def fields(self) -> ComposeResult:
        yield field_label("When")
        yield OptionList(
            Option("Tomorrow", id="1"),
            Option("In a week", id="7"),
            Option("On a date…", id="date"),
            id="snooze-choice",
        )
        yield field_label("Date")
        yield Input(id="snooze-date", placeholder="fri, 12/1, 2026-12-01 (for 'On a date…')")

    def on_mount(self) -> None:
        choice = self.query_one("#snooze-choice", OptionList)
        choice.highlighted = 0
        choice.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id == "date":
            self.query_one("#snooze-date", Input).focus()
        else:
            self.action_save()

    def save(self) -> FormWrite[Dismissal]:
        today = nurture(self).today
        choice = self.query_one("#snooze-choice", OptionList)
        highlighted = choice.highlighted
        option = choice.get_option_at_index(highlighted) if highlighted is not None else None
        raw = self.query_one("#snooze-date", Input).value.strip()
        with checking("snooze-date"):
            if raw:
                # A snooze is until a day to come: "fri" is the next Friday.
                until = parse_date(raw, "date", today=today, tense=Tense.FUTURE)
            elif option is not None and option.id in ("1", "7"):
                until = today + timedelta(days=int(option.id))
            else:
                raise ValidationError("pick tomorrow, a week, or type a date")
            if until <= today:
                raise ValidationError("snooze to a day after today")
        action = self.action

        def write(session: Session) -> Dismissal:
            return playbook_service.snooze(session, action, until)

        return FormWrite(
            write, lambda d: f"Snoozed until {describe_day(until, today)}", action.partner_id
        )


class DismissForm(FormScreen):
    TITLE = "Dismiss this suggestion"
    SAVE_ON_ENTER = True  # type the reason, press Enter: as in Snooze

    def __init__(self, action: SuggestedAction) -> None:
        super().__init__()
        self.action = action

    def header(self) -> ComposeResult:
        yield Static(
            f"{self.action.kind} — {self.action.partner}\n{self.action.reason}",
            classes="form-subtitle",
        )

    def fields(self) -> ComposeResult:
        yield field_label("Why?")
        yield Input(placeholder="e.g. they prefer email; handled by my manager", id="dismiss-why")

    def save(self) -> FormWrite[Dismissal]:
        reason = self.query_one("#dismiss-why", Input).value.strip()
        if not reason:
            raise FieldError(
                "dismiss-why",
                "a reason is needed: say why in a few words (it tells you later why this "
                "suggestion went quiet)",
            )
        action = self.action

        def write(session: Session) -> Dismissal:
            return playbook_service.dismiss(session, action, reason)

        return FormWrite(write, lambda d: "Dismissed", action.partner_id)
