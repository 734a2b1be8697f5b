"""The shared frame of every modal form: a title, fields, an error line, Save and Cancel."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from nurture_tui.domain.errors import NurtureError


class FormScreen(ModalScreen[None]):
    """Subclasses yield their fields in ``fields()`` and write in ``save()``."""

    TITLE = "Form"
    AUTO_FOCUS = "Input, Select, OptionList, Checkbox"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        Binding("ctrl+s", "save", "Save", id="form.save"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="form"):
            yield Label(self.form_title, classes="form-title")
            yield from self.header()
            with Grid(classes="form-grid"):
                yield from self.fields()
            yield from self.footer()
            yield Static("", classes="form-error", id="form-error")
            with Horizontal(classes="form-buttons"):
                yield Button("Save", variant="primary", id="form-save")
                yield Button("Cancel", id="form-cancel")

    @property
    def form_title(self) -> str:
        return self.TITLE

    def header(self) -> ComposeResult:
        """Anything above the fields (who the form is about)."""
        yield from ()

    def fields(self) -> ComposeResult:
        """Pairs of label and input, laid out in two columns."""
        raise NotImplementedError

    def footer(self) -> ComposeResult:
        """Anything below the fields (live warnings, a privacy reminder)."""
        yield from ()

    def save(self) -> None:
        """Validate and start the write (in a worker); raise NurtureError to show a problem."""
        raise NotImplementedError

    def show_error(self, message: str) -> None:
        self.query_one("#form-error", Static).update(message)

    @on(Button.Pressed, "#form-save")
    def action_save(self) -> None:
        try:
            self.save()
        except NurtureError as exc:
            self.show_error(str(exc))
            return
        self.dismiss()

    @on(Button.Pressed, "#form-cancel")
    def action_cancel(self) -> None:
        self.dismiss()


def field_label(text: str) -> Label:
    return Label(text, classes="field-label")
