"""The shared frame of every modal form: a title, fields that scroll, Save and Cancel that
stay in view, and a save that closes the form only once its write has landed.

A subclass reads its fields in ``save()`` and starts its use case on the app
(``ui/use_cases.py``) with itself as ``origin``, returning the worker. The form checks
nothing itself: the service validates what was typed, once. When the write lands the app
shows the toast and brings the board up to date, and the form closes with the result
(``WriteLanded``); on a refusal (``WriteRefused``) the form stays open with everything
typed, and the message goes beside the field it names (``FIELDS`` maps the service's
field names to this form's widgets) or at the top when it names none; on an unexpected
error (``WriteFailed``) the app's toast says so and the form stays, Save enabled again.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, Select, Static
from textual.worker import Worker

from nurture_tui.domain.errors import NurtureError
from nurture_tui.domain.model import Contact, Partner
from nurture_tui.services.fields import FieldError, checking
from nurture_tui.services.meanwhile import ChangedMeanwhile
from nurture_tui.ui.base import nurture
from nurture_tui.ui.messages import WriteFailed, WriteLanded, WriteRefused
from nurture_tui.ui.screens.confirm import ConfirmScreen
from nurture_tui.ui.widgets.footer import SteadyFooter

__all__ = ["FieldError", "FormScreen", "checking", "field_label"]


class FormScreen(ModalScreen[Any]):
    """Subclasses yield their fields in ``fields()`` and return their write from ``save()``."""

    TITLE = "Form"
    AUTO_FOCUS = "Input, Select, OptionList, Checkbox"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="form.save"),
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
    ]
    #: The service's name of a field (``FieldError.field``: "name", "at") -> this form's
    #: widget id; a name not listed is taken as a widget id itself.
    FIELDS: ClassVar[tuple[tuple[str, str], ...]] = ()
    #: Words of a refusal that names no field -> the id of the field it is about (a
    #: service's refusal raised outside any ``checking`` block).
    FIELD_HINTS: ClassVar[tuple[tuple[str, str], ...]] = ()
    #: Enter in a one-line field saves (short dialogs: a reason, a date).
    SAVE_ON_ENTER: ClassVar[bool] = False

    def __init__(self) -> None:
        super().__init__()
        self._pending: Worker[None] | None = None

    def compose(self) -> ComposeResult:
        # The title, the problem line and the buttons are docked: only the fields scroll, so
        # Save and Cancel stay in view on a 24-line terminal whatever a warning adds.
        with VerticalScroll(classes="form"):
            yield Label(self.form_title, classes="form-title")
            yield Static("", classes="form-error", id="form-error")
            yield from self.header()
            with Grid(classes="form-grid"):
                yield from self.fields()
            yield from self.footer()
            with Horizontal(classes="form-buttons"):
                yield Button("Save", variant="primary", id="form-save")
                yield Button("Cancel", id="form-cancel")
                yield from self.buttons()
        # The form's own keys, not the ones of the screen underneath.
        yield SteadyFooter(show_command_palette=False)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # Textual's own scroll-on-focus does not see the docked buttons covering the last
        # rows, so a field tabbed into could sit under them: scroll the form ourselves
        # (``scroll_to_widget`` leaves room for the docks).
        body = self.query_one(".form", VerticalScroll)
        node: Widget | None = event.widget
        while node is not None and node is not body:
            if node.styles.dock != "none":
                return  # the buttons and the title are always in view
            node = node.parent if isinstance(node.parent, Widget) else None
        body.scroll_to_widget(event.widget, animate=False)

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

    def buttons(self) -> ComposeResult:
        """More buttons after Save and Cancel (Archive on an existing partner)."""
        yield from ()

    def save(self) -> Worker[None] | None:
        """Read the fields and start the use case with ``origin=self``; return its worker.
        A ``NurtureError`` raised here (a choice not made yet) is shown like a refusal.
        ``None``: nothing to write, the form just closes."""
        raise NotImplementedError

    # ---------------------------------------------------------------- problems
    def show_error(self, message: str, field_id: str | None = None) -> None:
        """Show ``message`` beside the field ``field_id`` (focused), or at the top."""
        self.clear_errors()
        target = self._field(field_id)
        if target is None or not isinstance(target.parent, Widget):
            top = self.query_one("#form-error", Static)
            top.update(Text(message))
            top.add_class("-shown")
            return
        target.add_class("-refused")
        note = Static(Text(message), classes="field-error")
        if isinstance(target.parent, Grid):  # keep the grid's label | field pairs aligned
            gap = Label("", classes="field-label field-error-gap")
            target.parent.mount(gap, note, after=target)
        else:
            target.parent.mount(note, after=target)
        if target.focusable:
            target.focus()
        self.call_after_refresh(note.scroll_visible, animate=False)

    def clear_errors(self) -> None:
        top = self.query_one("#form-error", Static)
        top.update("")
        top.remove_class("-shown")
        for widget in self.query(".field-error, .field-error-gap"):
            widget.remove()
        for widget in self.query(".-refused"):
            widget.remove_class("-refused")

    def _field(self, field_id: str | None) -> Widget | None:
        if not field_id:
            return None
        found = self.query(f"#{field_id}")
        return found.first() if found else None

    def field_for(self, error: NurtureError) -> str | None:
        """The field a refusal is about: named by ``FieldError`` (through ``FIELDS``), else
        found by its words (``FIELD_HINTS``)."""
        if isinstance(error, FieldError):
            field_id = dict(self.FIELDS).get(error.field, error.field)
            if self._field(field_id) is not None:
                return field_id
        text = str(error).lower()
        return next((fid for words, fid in self.FIELD_HINTS if words in text), None)

    def refuse(self, error: NurtureError) -> None:
        if isinstance(error, ChangedMeanwhile):
            self.changed_meanwhile(error)
            return
        self.show_error(str(error), self.field_for(error))

    # ------------------------------------------------- a colleague saved meanwhile
    #: The entry's field -> this form's widget, for a form that edits a record with a
    #: version (partner, contact): where a colleague's change is put when it arrives.
    ENTRY_WIDGETS: ClassVar[tuple[tuple[str, str], ...]] = ()

    def changed_meanwhile(self, conflict: ChangedMeanwhile) -> None:
        """Someone saved the record since this form opened it, and nothing was written.

        Their changes go into the fields the rep left alone at once (the form now shows
        the record as stored, plus what the rep typed), and the rep is asked: put mine on
        top and save, or look first. Either way nothing the rep typed is lost.
        """
        self.take_theirs(conflict)
        who = conflict.by or "Someone"
        if conflict.by and conflict.by.casefold() == nurture(self).session.repo.actor.casefold():
            who = "You, in another window or a command,"
        theirs = "; ".join(change.describe() for change in conflict.theirs) or "nothing you see"
        replaced = conflict.both
        question = Text.assemble(
            (who, "bold"),
            " saved ",
            (conflict.current.name, "bold"),
            " while you had it open.\nTheirs: ",
            theirs,
            "\nYours: ",
            ", ".join(name.replace("_", " ") for name in conflict.mine) or "nothing",
            *(
                ("\nYours replace theirs in: ", ", ".join(replaced))
                if replaced
                else ("\nTheir changes are kept.",)
            ),
        )
        self.show_error(
            f"{who} saved this meanwhile: their changes are in the "
            "form now, yours are as you typed them. Save puts yours on top."
        )
        self.app.push_screen(
            ConfirmScreen(
                question, yes="Re-apply mine on top", no="Review first", yes_variant="primary"
            ),
            self._reapply_answered,
        )

    def _reapply_answered(self, reapply: bool | None) -> None:
        if reapply:
            self.action_save()

    def take_theirs(self, conflict: ChangedMeanwhile) -> None:
        """Put the record as stored now into the fields the rep did not change, and make
        it the one this form edits (a subclass says how: ``ENTRY_WIDGETS``, ``reopen``)."""
        now = conflict.current_entry
        opened = self.opened_entry()
        for name, widget_id in self.ENTRY_WIDGETS:
            widget = self.query_one(f"#{widget_id}")
            # A field the rep changed keeps what they typed: the ones the save sent, and
            # any typed into while it was under way.
            typed = field_value(widget)
            if name in conflict.mine or (opened is not None and typed != getattr(opened, name)):
                continue
            set_field(widget, getattr(now, name))
        self.reopen(conflict.current)

    def opened_entry(self) -> Any:
        """The record as this form opened it, as its entry (None: a new record)."""
        return None

    def reopen(self, record: Partner | Contact) -> None:
        """This form now edits ``record`` (the version a save of it is checked against)."""

    # ------------------------------------------------------------------ saving
    @property
    def saving(self) -> bool:
        return self._pending is not None

    @on(Button.Pressed, "#form-save")
    def action_save(self) -> None:
        if self.saving:
            return  # one write at a time; the first one decides
        self.clear_errors()
        try:
            plan = self.save()
        except NurtureError as exc:
            self.refuse(exc)
            return
        if plan is None:
            self.dismiss()
            return
        self.start_write(plan)

    def start_write(self, worker: Worker[None]) -> None:
        """The use case ``worker`` is under way: the form stays (Save disabled) until it
        lands or is refused."""
        self._pending = worker
        self.query_one("#form-save", Button).disabled = True

    def _write_ended(self) -> None:
        self._pending = None
        self.query_one("#form-save", Button).disabled = False

    @on(WriteLanded)
    def _write_landed(self, message: WriteLanded) -> None:
        self._write_ended()
        self.saved(message.result)

    @on(WriteRefused)
    def _write_refused(self, message: WriteRefused) -> None:
        self._write_ended()
        self.refuse(message.error)

    @on(WriteFailed)
    def _write_failed(self, message: WriteFailed) -> None:
        self._write_ended()  # the app's error toast has said what went wrong

    def saved(self, result: Any) -> None:
        """The write landed: close with its result (a subclass may do more first)."""
        self.dismiss(result)

    @on(Input.Submitted)
    def _enter_in_a_field(self, event: Input.Submitted) -> None:
        if self.SAVE_ON_ENTER:
            event.stop()
            self.action_save()

    @on(Button.Pressed, "#form-cancel")
    def action_cancel(self) -> None:
        if self.saving:
            return  # the write is under way; its outcome closes the form or shows why not
        self.dismiss()


def field_label(text: str) -> Label:
    return Label(text, classes="field-label")


def field_value(widget: Widget) -> str | bool:
    """What a form's field holds, as an entry holds it (text trimmed; an unset choice
    "")."""
    if isinstance(widget, Checkbox):
        return widget.value
    if isinstance(widget, Select):
        return str(widget.value) if isinstance(widget.value, str) else ""
    if isinstance(widget, Input):
        return widget.value.strip()
    return ""


def set_field(widget: Widget, value: str | bool) -> None:
    """Show ``value`` in a form's field, whatever kind of field it is ("" in a choice
    that may be left unset leaves it unset)."""
    if isinstance(widget, Checkbox):
        widget.value = bool(value)
    elif isinstance(widget, Select):
        widget.value = value if value != "" else Select.NULL
    elif isinstance(widget, Input):
        widget.value = str(value)
