"""Today's agenda: ranked suggested actions across all partners, each with its reason."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from nurture_tui.domain.kinds import Stage, TouchpointKind
from nurture_tui.domain.playbook.facts import SuggestedAction
from nurture_tui.services import records
from nurture_tui.services.board import BoardData
from nurture_tui.ui.base import nurture

#: Rows shown at once: a rep works the top of the list; the rest is a filter away.
AGENDA_ROWS = 300
_LOGGABLE = {k.value for k in TouchpointKind}


class AgendaScreen(Screen[None]):
    """What to do today, most important first; act on a row without leaving the keyboard."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "do_action", "Done (log it)", id="agenda.done"),
        Binding("s", "snooze", "Snooze", id="agenda.snooze"),
        Binding("x", "dismiss_action", "Dismiss", id="agenda.dismiss"),
        Binding("i", "invite", "Invite", id="agenda.invite"),
        Binding("o", "open_partner", "Open partner", id="agenda.open"),
        Binding("escape", "app.pop_screen", "Back", id="agenda.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.actions: list[SuggestedAction] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="agenda-summary")
        yield DataTable(id="agenda-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Pri", key="pri", width=5)
        table.add_column("Due", key="due", width=10)
        table.add_column("Partner", key="partner", width=28)
        table.add_column("Action", key="action", width=20)
        table.add_column("Why", key="why")
        self.watch(self.app, "board", self._show)
        table.focus()

    def _show(self, data: BoardData | None) -> None:
        if data is None:
            return
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        self.actions = data.agenda[:AGENDA_ROWS]
        for index, action in enumerate(self.actions):
            due = Text(action.due.strftime("%d %b"), style="bold red" if action.overdue else "")
            table.add_row(
                f"{action.priority:.1f}",
                due,
                Text(action.partner),  # text from outside: never parsed as markup
                action.kind,
                Text(action.reason),
                key=str(index),
            )
        if self.actions:
            table.move_cursor(row=min(keep, len(self.actions) - 1))
        due_today = sum(1 for a in data.agenda if a.due <= data.today)
        more = f" (showing the top {AGENDA_ROWS})" if len(data.agenda) > AGENDA_ROWS else ""
        self.query_one("#agenda-summary", Static).update(
            f"[b]Agenda for {data.today:%A %d %B}[/] · {due_today:,} due · "
            f"{len(data.agenda):,} suggested{more}"
        )

    def _current(self) -> SuggestedAction | None:
        table = self.query_one(DataTable)
        if not self.actions or table.cursor_row >= len(self.actions):
            return None
        return self.actions[table.cursor_row]

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a row (the table handles the key itself) means: done, log it."""
        event.stop()
        self.action_do_action()

    def action_do_action(self) -> None:
        action = self._current()
        if action is None:
            return
        if action.kind == "stage-change" and action.suggested_stage:
            stage = Stage(action.suggested_stage)
            nurture(self).run_write(
                lambda session: records.set_stage(session, action.partner_id, stage),
                lambda p: f"{p.name} is now {p.stage.value}",
                action.partner_id,
            )
            return
        from nurture_tui.ui.screens.log_form import LogTouchForm

        kind = action.kind if action.kind in _LOGGABLE else TouchpointKind.MEETING.value
        purpose = action.reason if action.kind not in _LOGGABLE else ""
        self.app.push_screen(
            LogTouchForm(
                action.partner_id, kind=kind, contact_id=action.contact_id, purpose=purpose
            )
        )

    def action_snooze(self) -> None:
        action = self._current()
        if action is not None:
            from nurture_tui.ui.screens.snooze import SnoozeForm

            self.app.push_screen(SnoozeForm(action))

    def action_dismiss_action(self) -> None:
        action = self._current()
        if action is not None:
            from nurture_tui.ui.screens.snooze import DismissForm

            self.app.push_screen(DismissForm(action))

    def action_invite(self) -> None:
        action = self._current()
        if action is not None:
            from nurture_tui.ui.screens.invite_form import InviteForm

            self.app.push_screen(InviteForm(action.partner_id, kind=action.kind))

    def action_open_partner(self) -> None:
        action = self._current()
        if action is not None:
            nurture(self).open_partner(action.partner_id)
