"""The partner board: a column per stage, a card per partner, a filter on ``/``.

Keys: ←/→ (h/l) move between columns and stop at the ends; ↑/↓ move within one (the
column binds only those); `<`/`>` move the partner one column and stop at the ends too.
The detail line under the columns always shows the selected card's full name and the
whole reason for its next action, and `y` there takes a stage suggestion in one key.

On a team store the board shows the rep's own partners, `e` switches to every rep's (and
back; the status line says which), and `o` hands the selected partner to a rep.
"""

from __future__ import annotations

from typing import ClassVar

from rich.markup import escape
from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Header, Input, Label, Static

from nurture_tui.domain.kinds import Stage
from nurture_tui.domain.playbook.facts import SuggestedAction
from nurture_tui.services.board import BoardData, PartnerCard
from nurture_tui.ui.base import nurture
from nurture_tui.ui.filtering import CardFilter
from nurture_tui.ui.widgets.footer import SteadyFooter
from nurture_tui.ui.widgets.stage_column import StageColumn

ACTIVE_STAGES = (Stage.PROSPECT, Stage.ENGAGED, Stage.REFERRING, Stage.CHAMPION)
ALL_STAGES = (*ACTIVE_STAGES, Stage.DORMANT)


class BoardScreen(Screen[None]):
    """Every partner by relationship stage, with health and the top suggested action."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left,h", "focus_column(-1)", "Prev stage", show=False, id="board.left"),
        Binding("right,l", "focus_column(1)", "Next stage", show=False, id="board.right"),
        Binding("slash", "search", "Search", id="board.search"),
        # Offered only when the card's next action is a stage move; elsewhere `y` goes on
        # to the app (Sync), as on the agenda.
        Binding("y", "accept_stage", "Accept stage", id="board.accept"),
        Binding("less_than_sign", "move_stage(-1)", "Stage ←", id="board.stage_back"),
        Binding("greater_than_sign", "move_stage(1)", "Stage →", id="board.stage_forward"),
        Binding("a", "add_partner", "Add partner", id="board.add"),
        Binding("t", "log_touch", "Log touch", id="board.log"),
        Binding("f", "record_referral", "Referral", id="board.referral"),
        Binding("z", "toggle_dormant", "Dormant", id="board.dormant"),
        # A team store only (hidden elsewhere): whose partners, and handing one on.
        Binding("e", "toggle_everyone", "Mine/everyone", id="board.everyone"),
        Binding("o", "set_owner", "Owner", id="board.owner"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="board.clear"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filter = CardFilter()
        self.show_dormant = False
        self._welcomed = False
        self._follow_id: str | None = None
        self._seen_complete = False
        #: Whether the footer now offers `y` (a stage move for the selected card).
        self._stage_move_offered = False
        #: The column the rep is in: what the detail line describes (also while the search
        #: box has focus), where arrows count from and where focus returns.
        self._column: StageColumn | None = None
        #: Whether the footer offers the team keys (`e`, `o`): known once the board loads.
        self._team_keys_offered = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(
            placeholder="search: name, or kind:hospice tier:A tag:north owner:alex",
            id="board-search",
        )
        with Horizontal(id="board-columns"):
            for stage in ALL_STAGES:
                with Vertical(classes="stage", id=f"stage-{stage.value}"):
                    yield Label(stage.value.title(), classes="stage-title")
                    yield StageColumn(id=f"column-{stage.value}")
        yield Static("", id="board-detail")
        yield Static("Loading partners…", id="board-summary")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self._show_search(False)
        self.query_one(f"#stage-{Stage.DORMANT.value}").display = False
        self.watch(self.app, "board", self._show_board)
        self.watch(self.app, "everyone", self._view_changed, init=False)
        self.watch(self.app, "read_only", self._view_changed, init=False)
        self._enter(self.column(Stage.PROSPECT))

    def _show_search(self, shown: bool) -> None:
        """Show the search box, or hide it so that it takes no keys at all.

        A hidden (display: none) widget still counts as focusable in Textual, so when
        nothing on the board held focus (the dormant column hidden while focused, say),
        coming back to the board focused the hidden box and the next key filtered the
        board. Disabled, it cannot be focused, by a resume or by anything else.
        """
        search = self.query_one("#board-search", Input)
        search.display = shown
        search.disabled = not shown

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        """Back on the board with no column focused: return to the one last worked in."""
        if not isinstance(self.focused, StageColumn | Input):
            self._enter(self._column)

    def _enter(self, column: StageColumn | None) -> None:
        """Make ``column`` (a shown one; else Prospect) the one the rep is in, and focus it."""
        if column is None or column.parent is None or not column.parent.display:
            column = self.column(Stage.PROSPECT)
        self._column = column
        # Now, not a frame later as Widget.focus() does: a key pressed right after an
        # arrow (↓ after →, held-down →) goes to the column the arrow chose.
        self.set_focus(column)

    def column(self, stage: Stage) -> StageColumn:
        return self.query_one(f"#column-{stage.value}", StageColumn)

    @property
    def visible_stages(self) -> tuple[Stage, ...]:
        return ALL_STAGES if self.show_dormant else ACTIVE_STAGES

    def _view_changed(self, _changed: object) -> None:
        self._show_board(nurture(self).board)

    def _in_view(self, data: BoardData, card: PartnerCard) -> bool:
        """In the view (mine or everyone's; an ``owner:`` filter picks for itself)."""
        return self.filter.picks_owner or data.in_view(card, nurture(self).everyone)

    def _show_board(self, data: BoardData | None) -> None:
        if data is None:
            return
        if data.owners.team != self._team_keys_offered:
            self._team_keys_offered = data.owners.team
            self.refresh_bindings()
        shown = [
            c for c in data.cards if self._in_view(data, c) and self.filter.matches(c, data.owners)
        ]
        by_stage: dict[Stage, list[PartnerCard]] = {stage: [] for stage in ALL_STAGES}
        for card in shown:
            by_stage[card.stage].append(card)
        # The first complete pass re-sorts by priority: start at the top, not where the
        # quick pass's alphabetical order left the cursor — unless the rep has already
        # moved in that column (keys pressed while the actions arrived): then stay on
        # the partner they chose.
        first_complete = data.complete and not self._seen_complete
        self._seen_complete = self._seen_complete or data.complete
        for stage, cards in by_stage.items():
            cards.sort(key=_card_order)
            column = self.column(stage)
            column.set_cards(
                cards, reset=first_complete and column.cursor == 0, pending=not data.complete
            )
            title = self.query_one(f"#stage-{stage.value} .stage-title", Label)
            title.update(f"{stage.value.title()}  [dim]{len(cards):,}[/]")
        self._summarise(data, len(shown))
        if self._follow_id:
            self._select_partner(self._follow_id)
            self._follow_id = None
        self._show_detail()
        if data.complete and not data.cards and not self._welcomed:
            self._welcomed = True
            from nurture_tui.ui.screens.welcome import WelcomeScreen

            self.app.push_screen(WelcomeScreen())

    def _select_partner(self, partner_id: str) -> None:
        for stage in self.visible_stages:
            column = self.column(stage)
            if column.select_id(partner_id):
                self._enter(column)
                return

    def _summarise(self, data: BoardData, shown: int) -> None:
        agenda, partners, view = data.agenda, len(data.cards), ""
        if data.owners.team:
            everyone = nurture(self).everyone
            if not everyone:
                cards = {c.id: c for c in data.cards if data.in_view(c, False)}
                agenda = [a for a in agenda if a.partner_id in cards]
                partners = len(cards)
            me = escape(data.owners.me or "no rep")  # an email is outside text
            view = (
                "[b]Everyone's partners[/] (e: mine) · "
                if everyone
                else f"[b]My partners[/] ({me}; e: everyone's) · "
            )
        due = sum(1 for a in agenda if a.due <= data.today)
        overdue = sum(1 for a in agenda if a.overdue)
        text = (
            f"{view}{partners:,} partners · {data.touchpoints:,} touchpoints · "
            f"[b]{due:,}[/] actions due today ([b]{overdue:,}[/] overdue) · "
            f"{data.today:%a %d %b %Y}"
        )
        if not data.complete:
            text = (
                f"{view}{partners:,} partners · {data.touchpoints:,} touchpoints · "
                "working out today's suggestions…"
            )
        if self.filter.active:
            verb = "matches" if shown == 1 else "match"
            text = f"[b]{shown:,} {verb} the filter[/] · " + text
        if nurture(self).read_only:  # the last loaded board, shown as it was
            text = "[b reverse] team database unreachable — read-only [/] · " + text
        self.query_one("#board-summary", Static).update(text)

    # ------------------------------------------------------------ the detail line
    @staticmethod
    def _stage_move(card: PartnerCard | None) -> SuggestedAction | None:
        """The card's next action when it is a stage move ("…; move from prospect to
        referring?"): what `y` takes. Only the action the card shows, so `y` never acts
        on something the rep cannot see; on other cards `y` stays Sync."""
        action = card.top_action if card is not None else None
        if action is not None and action.is_stage_move:
            return action
        return None

    def _show_detail(self) -> None:
        """The selected card in full: its whole name and the whole reason for its next
        action (cards cut both to fit), and the stage suggestion `y` would take."""
        detail = self.query_one("#board-detail", Static)
        card = self._current_card()
        if card is None:
            empty = "Nothing matches the filter." if self.filter.active else "No partner here."
            detail.update(Text(empty, style="dim"))
            self._offer_stage_move(False)
            return
        # What the card cuts or leaves out; the stage is the column's own title.
        facts = [card.kind.value, f"tier {card.tier.value}"]
        facts += [f"owner {card.owner}"] if card.owner else []
        text = Text.assemble((card.name, "bold"), ("  " + " · ".join(facts), "dim"), "\n")
        action = card.top_action
        move = self._stage_move(card)
        if action is not None:
            flag = "!" if action.overdue else "→"
            text.append_text(
                Text.assemble(
                    (f"{flag} {action.kind}", "bold"), f" ({action.label}): ", action.reason
                )
            )
        elif (data := nurture(self).board) is not None and not data.complete:
            text.append("working out its next action…", style="dim")
        else:
            text.append("nothing due", style="dim")
        if move is not None:
            text.append(f"  y: move to {move.suggested_stage}", style="bold")
        detail.update(text)
        self._offer_stage_move(move is not None)

    def _offer_stage_move(self, offered: bool) -> None:
        """`y` is offered only with a stage suggestion. The footer is rebuilt only when
        that changes: rebuilding it lays out the whole screen, which was most of what a
        cursor move cost (~75 ms through a terminal at 5,000 partners)."""
        if offered != self._stage_move_offered:
            self._stage_move_offered = offered
            self.refresh_bindings()

    def on_stage_column_highlighted(self, message: StageColumn.Highlighted) -> None:
        if message.column is self._column:
            self._show_detail()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """A column focused by a click (or Tab) is the one the rep is in now."""
        if isinstance(event.widget, StageColumn) and event.widget is not self._column:
            self._column = event.widget
            self._show_detail()

    # --------------------------------------------------------------- actions
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "accept_stage":
            # False, not None: with no stage suggestion `y` goes on to the app (Sync).
            return self.is_mounted and self._stage_move(self._current_card()) is not None
        if action in ("toggle_everyone", "set_owner"):
            return self._team_keys_offered  # a rep's own store has one rep: no views
        return True

    def _current_card(self) -> PartnerCard | None:
        return self._column.current if self._column is not None else None

    def action_focus_column(self, step: int) -> None:
        """The column ``step`` to the right (negative: left), stopping at the ends."""
        stages = self.visible_stages
        index = next((i for i, s in enumerate(stages) if self._column is self.column(s)), 0)
        target = self.column(stages[max(0, min(index + step, len(stages) - 1))])
        if target is not self._column:
            self._enter(target)
            self._show_detail()

    def action_search(self) -> None:
        self._show_search(True)
        # At once: "/tier" typed fast must not send the "t" to the column (log a touch).
        self.set_focus(self.query_one("#board-search", Input))

    @on(Input.Changed, "#board-search")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.filter = CardFilter.parse(event.value)
        self._show_board(nurture(self).board)

    @on(Input.Submitted, "#board-search")
    def _filter_submitted(self) -> None:
        column = next((self.column(s) for s in self.visible_stages if self.column(s).cards), None)
        self._enter(column)

    def action_clear_filter(self) -> None:
        """Clear and hide the search; back in the column last worked in."""
        search = self.query_one("#board-search", Input)
        if not search.display and not self.filter.active:
            return  # nothing to clear: escape leaves the rep where they are
        search.value = ""
        self._show_search(False)
        self.filter = CardFilter()
        self._show_board(nurture(self).board)
        self._enter(self._column)

    def action_toggle_dormant(self) -> None:
        self.show_dormant = not self.show_dormant
        self.query_one(f"#stage-{Stage.DORMANT.value}").display = self.show_dormant
        if self.show_dormant:
            self._enter(self.column(Stage.DORMANT))
        elif self._column in (None, self.column(Stage.DORMANT)):
            # The rep's column just went away: stay on the board, next to where it was.
            self._enter(self.column(Stage.CHAMPION))

    def action_toggle_everyone(self) -> None:
        nurture(self).toggle_everyone()

    def action_set_owner(self) -> None:
        """Hand the selected partner to a rep. A rep who is no admin may only take an
        unassigned partner or hand back their own: refused here at once for a colleague's
        partner (the service refuses it too, whoever asks)."""
        card, data = self._current_card(), nurture(self).board
        if card is None or data is None:
            self.notify("Pick a partner first (arrows to move, / to search)")
            return
        owners = data.owners
        if not (owners.is_admin or owners.is_mine(card.owner) or owners.is_unassigned(card.owner)):
            self.notify(
                f"{card.name} belongs to {card.owner}: only an admin may reassign partners",
                title="Not yours to reassign",
                severity="error",
                markup=False,
            )
            return
        from nurture_tui.ui.screens.owner_form import OwnerForm

        self.app.push_screen(OwnerForm(card, owners))

    def action_move_stage(self, step: int) -> None:
        """Move the partner to the column ``step`` away, as the board shows them; at the
        first or last column it stays (Champion never wraps round to Prospect)."""
        card = self._current_card()
        if card is None:
            return
        order = list(self.visible_stages)
        if card.stage not in order:
            return
        index = order.index(card.stage) + step
        if not 0 <= index < len(order):
            end = "first" if index < 0 else "last"
            hint = "" if self.show_dormant or index < 0 else " (z shows Dormant)"
            self.notify(f"{card.stage.value.title()} is the {end} stage{hint}", timeout=3)
            return
        self._set_stage(card, order[index])

    def _set_stage(self, card: PartnerCard, target: Stage) -> None:
        """Move ``card``'s partner to ``target`` (the ``move_stage`` use case), and follow it."""
        nurture(self).move_stage(card.id, target)
        if target is Stage.DORMANT and not self.show_dormant:
            self.action_toggle_dormant()
        self._follow_id = card.id

    def action_accept_stage(self) -> None:
        """Take the card's stage suggestion ("…; move from prospect to referring?")."""
        card = self._current_card()
        move = self._stage_move(card)
        if card is None or move is None or not move.suggested_stage:
            return
        self._set_stage(card, Stage(move.suggested_stage))

    def on_stage_column_opened(self, message: StageColumn.Opened) -> None:
        nurture(self).open_partner(message.card.id)

    def action_add_partner(self) -> None:
        from nurture_tui.ui.screens.partner_form import PartnerForm

        self.app.push_screen(PartnerForm())

    def action_log_touch(self) -> None:
        card = self._current_card()
        if card is None:
            self.notify("Pick a partner first (arrows to move, / to search)")
            return
        from nurture_tui.ui.screens.log_form import LogTouchForm

        self.app.push_screen(LogTouchForm(card.id))

    def action_record_referral(self) -> None:
        card = self._current_card()
        if card is None:
            self.notify("Pick a partner first (arrows to move, / to search)")
            return
        from nurture_tui.ui.screens.referral_form import ReferralForm

        self.app.push_screen(ReferralForm(card.id))


def _card_order(card: PartnerCard) -> tuple[float, str]:
    """Most urgent first: the top action's priority, then the name."""
    priority = card.top_action.priority if card.top_action else 0.0
    return (-priority, card.name.lower())
