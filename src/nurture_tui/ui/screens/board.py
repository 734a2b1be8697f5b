"""The partner board: a column per stage, a card per partner, a filter on ``/``."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Label, Static

from nurture_tui.domain.kinds import Stage
from nurture_tui.services import records
from nurture_tui.services.board import BoardData, PartnerCard
from nurture_tui.ui.base import nurture
from nurture_tui.ui.filtering import CardFilter
from nurture_tui.ui.widgets.stage_column import StageColumn

ACTIVE_STAGES = (Stage.PROSPECT, Stage.ENGAGED, Stage.REFERRING, Stage.CHAMPION)
ALL_STAGES = (*ACTIVE_STAGES, Stage.DORMANT)


class BoardScreen(Screen[None]):
    """Every partner by relationship stage, with health and the top suggested action."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left,h", "focus_column(-1)", "Prev stage", show=False, id="board.left"),
        Binding("right,l", "focus_column(1)", "Next stage", show=False, id="board.right"),
        Binding("slash", "search", "Search", id="board.search"),
        Binding("less_than_sign", "move_stage(-1)", "Stage ←", id="board.stage_back"),
        Binding("greater_than_sign", "move_stage(1)", "Stage →", id="board.stage_forward"),
        Binding("a", "add_partner", "Add partner", id="board.add"),
        Binding("t", "log_touch", "Log touch", id="board.log"),
        Binding("f", "record_referral", "Referral", id="board.referral"),
        Binding("z", "toggle_dormant", "Dormant", id="board.dormant"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="board.clear"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filter = CardFilter()
        self.show_dormant = False
        self._welcomed = False
        self._follow_id: str | None = None
        self._seen_complete = False

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
        yield Static("Loading partners…", id="board-summary")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#board-search").display = False
        self.query_one(f"#stage-{Stage.DORMANT.value}").display = False
        self.watch(self.app, "board", self._show_board)
        self.column(Stage.PROSPECT).focus()

    def column(self, stage: Stage) -> StageColumn:
        return self.query_one(f"#column-{stage.value}", StageColumn)

    @property
    def visible_stages(self) -> tuple[Stage, ...]:
        return ALL_STAGES if self.show_dormant else ACTIVE_STAGES

    def _show_board(self, data: BoardData | None) -> None:
        if data is None:
            return
        shown = [c for c in data.cards if self.filter.matches(c)]
        by_stage: dict[Stage, list[PartnerCard]] = {stage: [] for stage in ALL_STAGES}
        for card in shown:
            by_stage[card.stage].append(card)
        # The first complete pass re-sorts by priority: start at the top, not where the
        # quick pass's alphabetical order left the cursor.
        reset = data.complete and not self._seen_complete
        self._seen_complete = self._seen_complete or data.complete
        for stage, cards in by_stage.items():
            cards.sort(key=_card_order)
            self.column(stage).set_cards(cards, reset=reset)
            title = self.query_one(f"#stage-{stage.value} .stage-title", Label)
            title.update(f"{stage.value.title()}  [dim]{len(cards):,}[/]")
        self._summarise(data, len(shown))
        if self._follow_id:
            self._select_partner(self._follow_id)
            self._follow_id = None
        if data.complete and not data.cards and not self._welcomed:
            self._welcomed = True
            from nurture_tui.ui.screens.welcome import WelcomeScreen

            self.app.push_screen(WelcomeScreen())

    def _select_partner(self, partner_id: str) -> None:
        for stage in self.visible_stages:
            column = self.column(stage)
            if column.select_id(partner_id):
                column.focus()
                return

    def _summarise(self, data: BoardData, shown: int) -> None:
        due = sum(1 for a in data.agenda if a.due <= data.today)
        overdue = sum(1 for a in data.agenda if a.overdue)
        text = (
            f"{len(data.cards):,} partners · {data.touchpoints:,} touchpoints · "
            f"[b]{due:,}[/] actions due today ([b]{overdue:,}[/] overdue) · "
            f"{data.today:%a %d %b %Y}"
        )
        if not data.complete:
            text = (
                f"{len(data.cards):,} partners · {data.touchpoints:,} touchpoints · "
                "working out today's suggestions…"
            )
        if self.filter.active:
            verb = "matches" if shown == 1 else "match"
            text = f"[b]{shown:,} {verb} the filter[/] · " + text
        self.query_one("#board-summary", Static).update(text)

    # --------------------------------------------------------------- actions
    def _focused_column(self) -> StageColumn | None:
        focused = self.focused
        return focused if isinstance(focused, StageColumn) else None

    def _current_card(self) -> PartnerCard | None:
        column = self._focused_column()
        return column.current if column else None

    def action_focus_column(self, step: int) -> None:
        stages = self.visible_stages
        column = self._focused_column()
        index = next((i for i, s in enumerate(stages) if column is self.column(s)), 0)
        self.column(stages[(index + step) % len(stages)]).focus()

    def action_search(self) -> None:
        search = self.query_one("#board-search", Input)
        search.display = True
        search.focus()

    @on(Input.Changed, "#board-search")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.filter = CardFilter.parse(event.value)
        self._show_board(nurture(self).board)

    @on(Input.Submitted, "#board-search")
    def _filter_submitted(self) -> None:
        column = next((self.column(s) for s in self.visible_stages if self.column(s).cards), None)
        (column or self.column(Stage.PROSPECT)).focus()

    def action_clear_filter(self) -> None:
        search = self.query_one("#board-search", Input)
        search.value = ""
        search.display = False
        self.filter = CardFilter()
        self._show_board(nurture(self).board)
        self.column(Stage.PROSPECT).focus()

    def action_toggle_dormant(self) -> None:
        self.show_dormant = not self.show_dormant
        self.query_one(f"#stage-{Stage.DORMANT.value}").display = self.show_dormant
        if self.show_dormant:
            self.column(Stage.DORMANT).focus()

    def action_move_stage(self, step: int) -> None:
        card = self._current_card()
        if card is None:
            return
        order = list(ALL_STAGES)
        index = order.index(card.stage) + step
        if not 0 <= index < len(order):
            return
        target = order[index]
        nurture(self).run_write(
            lambda session: records.set_stage(session, card.id, target),
            lambda partner: f"{partner.name} moved to {partner.stage.value}",
            card.id,
        )
        if target is Stage.DORMANT and not self.show_dormant:
            self.action_toggle_dormant()
        self._follow_id = card.id

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
