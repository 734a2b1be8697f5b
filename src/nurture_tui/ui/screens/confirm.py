"""A yes/no question before something that takes a record away (archive a partner), or
that replaces a colleague's words with the rep's (a form saved over a colleague's save).

Dismisses with ``True`` for yes, ``False`` for no; the caller does the work. "No" is the
focused button, so a stray Enter keeps things as they are.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static
from textual.widgets.button import ButtonVariant

from nurture_tui.ui.widgets.footer import SteadyFooter


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(
        self,
        question: str | Text,
        *,
        yes: str = "Yes",
        no: str = "No",
        yes_variant: ButtonVariant = "error",
    ) -> None:
        super().__init__()
        self.question = Text(question) if isinstance(question, str) else question
        self.yes, self.no = yes, no
        self.yes_variant: ButtonVariant = yes_variant

    def compose(self) -> ComposeResult:
        with Vertical(classes="confirm"):
            yield Static(self.question, id="confirm-question")
            with Horizontal(classes="confirm-buttons"):
                yield Button(f"{self.yes} (y)", variant=self.yes_variant, id="confirm-yes")
                yield Button(f"{self.no} (n)", id="confirm-no")
        yield SteadyFooter(show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()

    @on(Button.Pressed, "#confirm-yes")
    def _yes(self) -> None:
        self.action_answer(True)

    @on(Button.Pressed, "#confirm-no")
    def _no(self) -> None:
        self.action_answer(False)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
