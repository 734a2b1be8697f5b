"""Snooze or dismiss a suggested action (both remembered in the store)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker

from nurture_tui.domain.playbook.facts import SuggestedAction
from nurture_tui.ui.base import nurture
from nurture_tui.ui.screens.form import FormScreen, field_label


class SnoozeForm(FormScreen):
    TITLE = "Snooze until…"
    FIELDS = (("date", "snooze-date"),)
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

    def save(self) -> Worker[None]:
        """The date typed, or the choice highlighted; the service reads and checks it (a
        snooze is until a day to come: "fri" is the next Friday)."""
        choice = self.query_one("#snooze-choice", OptionList)
        highlighted = choice.highlighted
        option = choice.get_option_at_index(highlighted) if highlighted is not None else None
        days = int(option.id) if option is not None and option.id in ("1", "7") else None
        typed = self.query_one("#snooze-date", Input).value
        return nurture(self).snooze(self.action, typed, days, origin=self)


class DismissForm(FormScreen):
    TITLE = "Dismiss this suggestion"
    FIELDS = (("reason", "dismiss-why"),)
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

    def save(self) -> Worker[None]:
        reason = self.query_one("#dismiss-why", Input).value
        return nurture(self).dismiss(self.action, reason, origin=self)
