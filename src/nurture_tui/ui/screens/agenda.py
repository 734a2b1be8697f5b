"""The agenda: today's plan by default (a day's worth, one action per partner), every
suggestion on `a`; each row's full reason on the detail line; act without leaving the keys.
On a team store it is the rep's own partners' agenda; `e` shows every rep's (as on the
board: one setting for both)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Static

from nurture_tui.domain.kinds import Stage, TouchpointKind
from nurture_tui.domain.ownership import Ownership
from nurture_tui.domain.playbook.facts import (
    DUE,
    URGENT,
    SuggestedAction,
    long_date,
    plural,
)
from nurture_tui.invites.model import InviteKind
from nurture_tui.services.board import BoardData, PartnerCard
from nurture_tui.services.playbook import DailyPlan
from nurture_tui.ui.base import nurture
from nurture_tui.ui.filtering import CardFilter, fuzzy_match
from nurture_tui.ui.widgets.footer import SteadyFooter

if TYPE_CHECKING:
    from textual.app import App

#: Rows shown at once in the "all" view: a rep works the top of the list; the rest is a
#: filter away.
AGENDA_ROWS = 300
_LOGGABLE = {k.value for k in TouchpointKind}
_INVITABLE = {k.value for k in InviteKind}
#: How each priority word looks: the word carries it, colour only underlines it.
_LABEL_STYLE = {URGENT: "bold red", DUE: "bold yellow"}


_COLUMNS = (
    ("Priority", "pri"),
    ("Due", "due"),
    ("Partner", "partner"),
    ("Action", "action"),
    ("Why", "why"),
)


def _identity(action: SuggestedAction) -> tuple[str, str, str]:
    """What makes an action the same one across reloads (its dismissal key too)."""
    return (action.partner_id, action.rule, action.key)


def invite_kind_for(action: SuggestedAction) -> str:
    """The invite that fits a suggestion: its own kind when it is a meeting kind (an
    in-service, an appreciation event...), otherwise a check-in (a frank talk, a follow-up)."""
    return action.kind if action.kind in _INVITABLE else InviteKind.CHECK_IN.value


def action_matches(
    query: CardFilter,
    action: SuggestedAction,
    card: PartnerCard | None,
    owners: Ownership | None = None,
) -> bool:
    """The board's filter language over an action's partner (``kind:hospice tier:A tag:north
    owner:alex health:overdue``); plain words match the partner's name as on the board, or
    the action's kind (``thank`` finds the thank-yous)."""
    if card is None:
        return False
    if query.fields and not CardFilter(query.fields).matches(card, owners):
        return False
    text = query.text
    return not text or fuzzy_match(text, card.name) or text.replace(" ", "-") in action.kind


class AgendaScreen(Screen[None]):
    """What to do today, most pressing first; act on a row without leaving the keyboard."""

    #: The table, not the (hidden) filter box: no focus hop, no extra footer rebuild.
    AUTO_FOCUS = "#agenda-table"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "do_action", "Done (log it)", id="agenda.done"),
        Binding("y", "accept_stage", "Accept stage", id="agenda.accept"),
        Binding("s", "snooze", "Snooze", id="agenda.snooze"),
        Binding("x", "dismiss_action", "Dismiss", id="agenda.dismiss"),
        Binding("i", "invite", "Invite", id="agenda.invite"),
        Binding("o", "open_partner", "Open", id="agenda.open"),
        Binding("a", "toggle_all", "All/plan", id="agenda.all"),
        Binding("e", "toggle_everyone", "Mine/everyone", id="agenda.everyone"),
        Binding("slash", "search", "Filter", id="agenda.filter"),
        Binding("escape", "back", "Back", id="agenda.back"),
    ]

    def __init__(self, *, select: SuggestedAction | None = None) -> None:
        super().__init__()
        self.actions: list[SuggestedAction] = []
        self.show_all = False
        self.filter = CardFilter()
        self._select = select  # from the palette: put the cursor on it once data is in
        self._widths: tuple[int, ...] = ()
        self._stage_key_offered = False
        #: Whether the footer offers `e` (mine/everyone): a team store only.
        self._team_keys_offered = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="agenda-summary")
        yield Input(
            placeholder="filter: name or action, or kind:hospice tier:A tag:north owner:alex",
            id="agenda-search",
        )
        yield DataTable(id="agenda-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="agenda-detail")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one("#agenda-search").display = False
        self._columns_for(self.app.size.width)
        self.watch(self.app, "board", self._show)
        self.watch(self.app, "everyone", self._view_changed, init=False)
        self.query_one(DataTable).focus()

    def _columns_for(self, width: int) -> None:
        """Columns that fit the terminal: the reason takes what is left (its whole text is
        on the detail line), so the table never scrolls sideways."""
        narrow = width < 100
        widths = (12, 6, 20 if narrow else 28, 16 if narrow else 20)
        # Each column has one cell of padding either side; keep 2 for the scrollbar.
        why = max(10, width - sum(widths) - 2 * (len(widths) + 1) - 2)
        wanted = (*widths, why)
        if self._widths == wanted:
            return
        self._widths = wanted
        table = self.query_one(DataTable)
        table.clear(columns=True)
        for (label, key), size in zip(_COLUMNS, wanted, strict=True):
            table.add_column(label, key=key, width=size)

    def on_resize(self, event: events.Resize) -> None:
        before = self._widths
        self._columns_for(event.size.width)
        if self._widths != before:
            self._show(nurture(self).board)

    # ------------------------------------------------------------------ view
    def _show(self, data: BoardData | None) -> None:
        if data is None:
            return
        table = self.query_one(DataTable)
        keep = self._current()
        keep_row = table.cursor_row
        selected, self._select = self._select, None
        cards = {c.id: c for c in data.cards}
        if data.owners.team != self._team_keys_offered:
            self._team_keys_offered = data.owners.team
            self.refresh_bindings()
        # The view (mine or everyone's; an ``owner:`` filter picks for itself) only filters
        # what was computed for every partner.
        everyone = nurture(self).everyone or self.filter.picks_owner
        day_plan = data.everyone_plan if everyone and data.everyone_plan else data.plan
        plan = day_plan.actions if day_plan else []
        if selected is not None:
            keep = selected
            if not any(_identity(a) == _identity(selected) for a in plan):
                self.show_all = True  # the palette named an action outside today's plan
        source = data.agenda if self.show_all else plan
        if self.show_all and not everyone and data.owners.team:
            source = [a for a in source if data.in_view(cards[a.partner_id], False)]
        if self.filter.active:
            source = [
                a
                for a in source
                if action_matches(self.filter, a, cards.get(a.partner_id), data.owners)
            ]
        self.actions = source[:AGENDA_ROWS]
        table.clear()
        for index, action in enumerate(self.actions):
            table.add_row(
                Text(action.label, style=_LABEL_STYLE.get(action.label, "dim")),
                Text("today" if action.due == data.today else long_date(action.due, data.today)),
                Text(action.partner),  # text from outside: never parsed as markup
                Text(action.kind),
                Text(action.reason),
                key=str(index),
            )
        if self.actions:
            row = keep_row
            if keep is not None:
                same = [i for i, a in enumerate(self.actions) if _identity(a) == _identity(keep)]
                row = same[0] if same else keep_row
            table.move_cursor(row=min(row, len(self.actions) - 1))
        self._summarise(data, len(source), day_plan, everyone)
        self._show_detail()

    def _summarise(
        self, data: BoardData, shown: int, plan: DailyPlan | None, everyone: bool
    ) -> None:
        """One line: which view, the day, how much there is (an owner's name is outside text,
        so the line is built as Text, never parsed as markup)."""
        day = f"{data.today:%a %d %b}"
        team = data.owners.team
        if self.show_all:
            title = "All suggestions"
            if team:
                title += " for everyone's partners" if everyone else " for my partners"
            count = shown if team and not self.filter.active else len(data.agenda)
            rest = f" · {day} · {plural(count, 'action')}"
            if shown > AGENDA_ROWS:
                rest += f" (top {AGENDA_ROWS} shown)"
            rest += " · a: today's plan"
        else:
            title = f"Today's plan for {plan.owner}" if plan and plan.owner else "Today's plan"
            if plan is not None and plan.view == "everyone":
                title = "Today's plan for everyone's partners"
            count = len(plan.actions) if plan else 0
            suggested = plan.suggested if plan else len(data.agenda)
            rest = (
                f" · {day} · {count:,} of {plural(suggested, 'action')}, one per partner · a: all"
            )
        if team:
            rest += " · e: mine" if everyone else " · e: everyone's"
        line = Text.assemble((title, "bold"), rest)
        if self.filter.active:
            verb = "matches" if shown == 1 else "match"
            line = Text.assemble((f"{shown:,} {verb} the filter", "bold"), " · ", line)
        self.query_one("#agenda-summary", Static).update(line)

    def _show_detail(self) -> None:
        """The selected row's whole reason (the table cuts it to the column's width)."""
        action = self._current()
        detail = self.query_one("#agenda-detail", Static)
        if action is None:
            empty = "Nothing matches the filter." if self.filter.active else "Nothing to do."
            detail.update(Text(empty, style="dim"))
            self._offer_stage_key(False)
            return
        today = nurture(self).today
        due = "today" if action.due == today else long_date(action.due, today)
        when = " today" if action.label == DUE and due == "today" else f", due {due}"
        text = Text.assemble(
            (action.partner, "bold"),
            f" · {action.kind} · ",
            (action.label, _LABEL_STYLE.get(action.label, "dim")),
            f"{when}\n",
            action.reason,
        )
        stage_move = action.is_stage_move
        if stage_move:
            text.append(f"  enter or y: move to {action.suggested_stage}", style="bold")
        detail.update(text)
        self._offer_stage_key(stage_move)

    def _offer_stage_key(self, offered: bool) -> None:
        """`y` is offered only on a stage suggestion. The footer is rebuilt only when that
        changes: rebuilding it on every cursor move doubled the agenda's time to show."""
        if offered != self._stage_key_offered:
            self._stage_key_offered = offered
            self.refresh_bindings()

    def _current(self) -> SuggestedAction | None:
        table = self.query_one(DataTable)
        if not self.actions or not 0 <= table.cursor_row < len(self.actions):
            return None
        return self.actions[table.cursor_row]

    def select(self, action: SuggestedAction) -> None:
        """Move the cursor to ``action`` (from the command palette), showing all if needed."""
        if not any(_identity(a) == _identity(action) for a in self.actions):
            self.filter = CardFilter()
            self.query_one("#agenda-search", Input).value = ""
            self.query_one("#agenda-search").display = False
        self._select = action
        self._show(nurture(self).board)
        self.query_one(DataTable).focus()

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self) -> None:
        self._show_detail()

    # --------------------------------------------------------------- actions
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "accept_stage":
            current = self._current() if self.is_mounted else None
            # False, not None: on other rows `y` goes on to the app (Sync).
            return bool(current and current.is_stage_move)
        if action == "toggle_everyone":
            return self._team_keys_offered
        return True

    def _view_changed(self, everyone: bool) -> None:
        self.query_one(DataTable).move_cursor(row=0)
        self._show(nurture(self).board)

    def action_toggle_everyone(self) -> None:
        nurture(self).toggle_everyone()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a row (the table handles the key itself) means: do it."""
        event.stop()
        self.action_do_action()

    def action_do_action(self) -> None:
        action = self._current()
        if action is None:
            return
        if action.is_stage_move:
            self.action_accept_stage()
            return
        from nurture_tui.ui.screens.log_form import LogTouchForm

        kind = action.kind if action.kind in _LOGGABLE else TouchpointKind.MEETING.value
        purpose = action.reason if action.kind not in _LOGGABLE else ""
        self.app.push_screen(
            LogTouchForm(
                action.partner_id, kind=kind, contact_id=action.contact_id, purpose=purpose
            )
        )

    def action_accept_stage(self) -> None:
        """Take the stage suggestion ("move from prospect to referring?") with one key."""
        action = self._current()
        if action is None or not action.is_stage_move or not action.suggested_stage:
            return
        stage = Stage(action.suggested_stage)
        nurture(self).move_stage(action.partner_id, stage, accepted=True)

    def action_toggle_all(self) -> None:
        self.show_all = not self.show_all
        self.query_one(DataTable).move_cursor(row=0)
        self._show(nurture(self).board)

    def action_search(self) -> None:
        search = self.query_one("#agenda-search", Input)
        search.display = True
        search.focus()

    @on(Input.Changed, "#agenda-search")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.filter = CardFilter.parse(event.value)
        self._show(nurture(self).board)

    @on(Input.Submitted, "#agenda-search")
    def _filter_submitted(self) -> None:
        self.query_one(DataTable).focus()

    def action_back(self) -> None:
        """Escape: leave the filter first (box and all), then the agenda."""
        search = self.query_one("#agenda-search", Input)
        if search.display or self.filter.active:
            search.value = ""
            search.display = False
            self.filter = CardFilter()
            self._show(nurture(self).board)
            self.query_one(DataTable).focus()
            return
        self.app.pop_screen()

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
        """An invite for this suggestion: partner, contact and kind come from it."""
        action = self._current()
        if action is not None:
            from nurture_tui.ui.screens.invite_form import InviteForm

            self.app.push_screen(
                InviteForm(
                    action.partner_id, kind=invite_kind_for(action), contact_id=action.contact_id
                )
            )

    def action_open_partner(self) -> None:
        action = self._current()
        if action is not None:
            nurture(self).open_partner(action.partner_id)


def palette_actions(data: BoardData | None) -> list[SuggestedAction]:
    """The actions the command palette searches: today's plan, then the top of the rest
    (the "all" view's rows), without repeats."""
    if data is None:
        return []
    plan = data.plan.actions if data.plan else []
    seen = {_identity(a) for a in plan}
    return plan + [a for a in data.agenda[:AGENDA_ROWS] if _identity(a) not in seen]


def open_agenda_at(app: App[object], action: SuggestedAction) -> None:
    """Show the agenda with the cursor on ``action`` (a palette hit)."""
    screen = app.screen
    if isinstance(screen, AgendaScreen):
        screen.select(action)
    else:
        app.push_screen(AgendaScreen(select=action))
