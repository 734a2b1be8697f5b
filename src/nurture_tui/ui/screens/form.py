"""The shared frame of every modal form: a title, fields that scroll, Save and Cancel that
stay in view, and a save that closes the form only once its write has landed.

A subclass reads its fields in ``save()`` and returns a ``FormWrite``: the write itself and
the words that confirm it. The base runs the write in a worker under the store lock; on
success it tells the app (``RecordSaved``: a toast and a board reload) and dismisses with
the write's result; on a refusal the form stays open with everything typed, and the
message goes beside the field it names (or at the top when it names none).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar, cast

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Footer, Input, Label, Static
from textual.worker import Worker, WorkerState

from nurture_tui.domain.errors import NurtureError, ValidationError
from nurture_tui.services.session import Session
from nurture_tui.ui.base import nurture
from nurture_tui.ui.messages import RecordSaved

T = TypeVar("T")

#: The worker group of a form's write (one at a time: a second Save waits for the first).
WRITE_GROUP = "form-write"


class FieldError(ValidationError):
    """A refusal about one field, so the form can show it beside that field."""

    def __init__(self, field_id: str, message: str) -> None:
        super().__init__(message)
        self.field_id = field_id


@contextmanager
def checking(field_id: str) -> Iterator[None]:
    """Name the field a refusal raised inside this block is about (a date that won't parse)."""
    try:
        yield
    except FieldError:
        raise
    except NurtureError as exc:
        raise FieldError(field_id, str(exc)) from exc


@dataclass(frozen=True)
class FormWrite(Generic[T]):
    """What Save does once the fields are read: ``write`` runs in a worker under the store
    lock (one transaction, through a service); ``done`` words the toast from its result."""

    write: Callable[[Session], T]
    done: Callable[[T], str]
    partner_id: str | None = None


class FormScreen(ModalScreen[Any]):
    """Subclasses yield their fields in ``fields()`` and return their write from ``save()``."""

    TITLE = "Form"
    AUTO_FOCUS = "Input, Select, OptionList, Checkbox"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="form.save"),
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
    ]
    #: Words of a service's refusal -> the id of the field it is about, for refusals that
    #: arrive from the write (the services name fields in their messages: "received date").
    FIELD_HINTS: ClassVar[tuple[tuple[str, str], ...]] = ()
    #: Enter in a one-line field saves (short dialogs: a reason, a date).
    SAVE_ON_ENTER: ClassVar[bool] = False

    def __init__(self) -> None:
        super().__init__()
        self._pending: FormWrite[Any] | None = None

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
        yield Footer(show_command_palette=False)

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

    def save(self) -> FormWrite[Any] | None:
        """Read and check the fields; return the write. Raise ``FieldError`` (or use
        ``checking``) to refuse with a message beside a field, ``NurtureError`` for one at
        the top. ``None`` means the subclass started its own write (the old way: the form
        closes at once, so prefer returning a ``FormWrite``)."""
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
        """The field a refusal is about: named by ``FieldError``, else found by its words."""
        if isinstance(error, FieldError):
            return error.field_id
        text = str(error).lower()
        return next((fid for words, fid in self.FIELD_HINTS if words in text), None)

    def refuse(self, error: NurtureError) -> None:
        self.show_error(str(error), self.field_for(error))

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

    def start_write(self, plan: FormWrite[Any]) -> None:
        """Run ``plan`` in this form's worker; the form stays until it lands."""
        self._pending = plan
        self.query_one("#form-save", Button).disabled = True
        self._write(plan)

    @work(thread=True, exclusive=True, group=WRITE_GROUP, exit_on_error=False)
    def _write(self, plan: FormWrite[Any]) -> tuple[Any, bool]:
        """The write, and whether it left a change ``u`` can take back (for the toast)."""
        app = nurture(self)
        with app.store_lock:
            before = _latest_change(app.session)
            result = plan.write(app.session)
            undoable = _latest_change(app.session) != before
        return result, undoable

    @on(Worker.StateChanged)
    def _write_finished(self, event: Worker.StateChanged) -> None:
        if event.worker.group != WRITE_GROUP or event.state not in (
            WorkerState.SUCCESS,
            WorkerState.ERROR,
            WorkerState.CANCELLED,
        ):
            return
        event.stop()
        plan, self._pending = self._pending, None
        self.query_one("#form-save", Button).disabled = False
        if event.state is WorkerState.SUCCESS and plan is not None:
            result, undoable = cast("tuple[Any, bool]", event.worker.result)
            message = plan.done(result)
            if message and undoable:
                message += "  (u: undo)"  # as every change's toast says (app.run_write)
            self.app.post_message(RecordSaved(message, plan.partner_id))
            self.saved(result)
            return
        error = event.worker.error
        if isinstance(error, NurtureError):
            self.refuse(error)
        elif error is not None:
            self.log.error(repr(error))
            self.show_error(
                f"Something went wrong ({type(error).__name__}); nothing was saved and what "
                "you typed is still here. Try again, and report it if it keeps happening."
            )

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


def _latest_change(session: Session) -> int | None:
    changes = session.repo.changes(1)
    return changes[0].seq if changes else None


def field_label(text: str) -> Label:
    return Label(text, classes="field-label")
