"""One stage's column of partner cards, virtual: only the visible cards are ever rendered.

A column can hold a thousand partners; a ScrollView with the Line API renders the few
lines on screen, so opening and scrolling the board costs the same at 5,000 partners as at 50.

A column scrolls up and down only: cards are cut to its width, and left/right belong to the
board (they move between columns), so the column neither binds them nor has a horizontal
extent to scroll.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from nurture_tui.services.board import Health, PartnerCard
from nurture_tui.ui.widgets.card_names import card_titles

CARD_HEIGHT = 4  # three lines of card and one of space

HEALTH_MARK = {
    Health.ON_CADENCE: ("●", "on cadence"),
    Health.DUE: ("◐", "due"),
    Health.OVERDUE: ("○", "overdue"),
    Health.DORMANT: ("·", "dormant"),
}


class StageColumn(ScrollView, can_focus=True, inherit_bindings=False):
    """A scrolling list of partner cards with a cursor.

    ``inherit_bindings=False``: ScrollView's own keys include left/right (scroll sideways),
    and a focused widget's bindings win over the screen's, so an inherited right arrow
    scrolled the column one cell instead of moving to the next stage.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "stage-column--card",
        "stage-column--cursor",
        "stage-column--dim",
        "stage-column--action",
        "stage-column--on-cadence",
        "stage-column--due",
        "stage-column--overdue",
        "stage-column--dormant",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("enter", "open", "Open", id="board.open"),
    ]

    cursor: reactive[int] = reactive(0, always_update=True)

    @dataclass
    class Opened(Message):
        """The rep pressed enter (or clicked) on a card."""

        column: StageColumn
        card: PartnerCard

    @dataclass
    class Highlighted(Message):
        column: StageColumn
        card: PartnerCard | None

    def __init__(self, *, name: str | None = None, id: str | None = None) -> None:
        super().__init__(name=name, id=id)
        self.cards: list[PartnerCard] = []
        #: The cards' actions are still being worked out (the board's first seconds).
        self.pending = False
        self._lines: LRUCache[tuple[int, int, bool, int, bool], Strip] = LRUCache(1024)
        #: Card titles for one width, no two alike where a telling part fits (card_names).
        self._titles: dict[str, str] = {}
        self._titles_width = -1

    @property
    def current(self) -> PartnerCard | None:
        return self.cards[self.cursor] if 0 <= self.cursor < len(self.cards) else None

    def set_cards(
        self, cards: list[PartnerCard], *, reset: bool = False, pending: bool = False
    ) -> None:
        """Show ``cards``, keeping the cursor on the same partner unless ``reset``;
        ``pending``: their actions are still being worked out (a card without one says so
        rather than "nothing due")."""
        if not reset and pending == self.pending and self._same_partners(cards):
            self._redraw_changed(cards)
            return
        self.pending = pending
        keep_id = None if reset else (self.current.id if self.current else None)
        self.cards = cards
        self._lines.clear()
        self._titles_width = -1
        self._set_virtual_size()
        index = next((i for i, c in enumerate(cards) if c.id == keep_id), None)
        if reset:
            index = 0
        self.cursor = min(index if index is not None else self.cursor, max(len(cards) - 1, 0))
        self.refresh()

    def _same_partners(self, cards: list[PartnerCard]) -> bool:
        """The same partners in the same order under the same names (a save of one card:
        the board hands back every other card as the very same object)."""
        return len(cards) == len(self.cards) and all(
            new is old or (new.id == old.id and new.name == old.name)
            for new, old in zip(cards, self.cards, strict=True)
        )

    def _redraw_changed(self, cards: list[PartnerCard]) -> None:
        """Draw again only the cards that changed: after a save, one card, not a column
        of them (the cursor stays: the partners and their order are the same)."""
        pairs = enumerate(zip(cards, self.cards, strict=True))
        changed = [i for i, (new, old) in pairs if new is not old]
        self.cards = cards
        if not changed:
            return
        width = self.scrollable_content_region.width
        for index in changed:
            for row in range(CARD_HEIGHT):
                for selected in (False, True):
                    for focus in (False, True):
                        self._lines.discard((index, row, selected, width, focus))
        self.refresh(*(self._card_region(index) for index in changed))
        if self.cursor in changed:
            self.post_message(self.Highlighted(self, self.current))

    def _set_virtual_size(self) -> None:
        # No width: cards never overflow sideways, so there is nothing to scroll to and no
        # horizontal scrollbar (overflow-x: hidden in nurture.tcss says the same).
        self.virtual_size = Size(0, len(self.cards) * CARD_HEIGHT)

    def title(self, card: PartnerCard, width: int) -> str:
        """``card``'s name as its title shows it in ``width`` cells."""
        if width != self._titles_width:
            self._titles = card_titles(self.cards, width)
            self._titles_width = width
        return self._titles.get(card.id) or card.name

    def select_id(self, partner_id: str) -> bool:
        for index, card in enumerate(self.cards):
            if card.id == partner_id:
                self.cursor = index
                return True
        return False

    # ------------------------------------------------------------- rendering
    def render_line(self, y: int) -> Strip:
        line = self.scroll_offset.y + y
        index, row = divmod(line, CARD_HEIGHT)
        width = self.scrollable_content_region.width
        if index >= len(self.cards):
            return Strip.blank(width, self.rich_style)
        selected = index == self.cursor
        key = (index, row, selected, width, self.has_focus)
        strip = self._lines.get(key)
        if strip is None:
            strip = self._render_card_line(self.cards[index], row, selected, width)
            self._lines[key] = strip
        return strip

    def _render_card_line(self, card: PartnerCard, row: int, selected: bool, width: int) -> Strip:
        base = self.get_component_rich_style("stage-column--card")
        if selected:
            cursor = self.get_component_rich_style("stage-column--cursor")
            base = base + cursor if self.has_focus else base + Style(reverse=False, bold=True)
        if row == CARD_HEIGHT - 1:
            return Strip.blank(width, self.rich_style)
        text = self._card_text(card, row, width - 2)
        text.truncate(width - 2, overflow="ellipsis")
        text.pad_right(width - 2 - text.cell_len)
        segments = [Segment(" ", base), *text.render(self.app.console), Segment(" ", base)]
        return Strip(Segment.apply_style(segments, base), width)

    def _style(self, name: str) -> Style:
        """A component style without its background, so the cursor row stays one colour."""
        return self.get_component_rich_style(f"stage-column--{name}", partial=True)

    def _card_text(self, card: PartnerCard, row: int, width: int) -> Text:
        dim = self._style("dim")
        health = self._style(card.health.value)
        if row == 0:
            mark, _ = HEALTH_MARK[card.health]
            name = Text(self.title(card, max(width - 4, 1)), style="bold")
            return Text.assemble((mark + " ", health), name, (" " + card.tier.value, dim))
        if row == 1:
            since = (
                "never touched"
                if card.days_since_touch is None
                else ("today" if card.days_since_touch <= 0 else f"{card.days_since_touch}d ago")
            )
            referrals = f" · {card.referrals_90d} ref" if card.referrals_90d else ""
            return Text.assemble(
                ("  ", dim), (since, health), (referrals, dim), (" · " + card.kind.value, dim)
            )
        action = card.top_action
        if action is None:  # while the day's actions are still arriving, don't say "none"
            return Text("  next action…" if self.pending else "  nothing due", style=dim)
        flag = "!" if action.overdue else "→"
        return Text.assemble(
            (flag + " ", health if action.overdue else dim),
            (action.kind, self._style("action")),
            (": " + action.reason, dim),
        )

    def _on_resize(self) -> None:
        self._lines.clear()
        self._set_virtual_size()
        # The board's detail line grows and shrinks with the selected card's reason, and
        # the column with it: keep the selected card in view.
        self.call_after_refresh(self._scroll_to_cursor)

    def on_focus(self) -> None:
        self._lines.clear()
        self.refresh()

    def on_blur(self) -> None:
        self._lines.clear()
        self.refresh()

    # ---------------------------------------------------------------- cursor
    def watch_cursor(self, old: int, new: int) -> None:
        # Only the two cards that changed are drawn again (their lines are cached by
        # "selected" too), unless the column scrolls: a key then costs two cards, not a
        # column of them.
        if self._scroll_to_cursor():
            self.refresh()
        else:
            self.refresh(self._card_region(old), self._card_region(new))
        self.post_message(self.Highlighted(self, self.current))

    def _card_region(self, index: int) -> Region:
        top = index * CARD_HEIGHT - round(self.scroll_y)
        return Region(0, top, self.size.width, CARD_HEIGHT)

    def _scroll_to_cursor(self) -> bool:
        """Scroll the selected card into view; True when that scrolled."""
        top = self.cursor * CARD_HEIGHT
        height = self.scrollable_content_region.height
        if top < self.scroll_y:
            self.scroll_to(y=top, animate=False)
            return True
        if top + CARD_HEIGHT > self.scroll_y + height:
            self.scroll_to(y=top + CARD_HEIGHT - height, animate=False)
            return True
        return False

    def action_cursor_up(self) -> None:
        if self.cursor > 0:
            self.cursor -= 1

    def action_cursor_down(self) -> None:
        if self.cursor < len(self.cards) - 1:
            self.cursor += 1

    def action_page_up(self) -> None:
        step = max(self.scrollable_content_region.height // CARD_HEIGHT, 1)
        self.cursor = max(self.cursor - step, 0)

    def action_page_down(self) -> None:
        step = max(self.scrollable_content_region.height // CARD_HEIGHT, 1)
        self.cursor = min(self.cursor + step, max(len(self.cards) - 1, 0))

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = max(len(self.cards) - 1, 0)

    def action_open(self) -> None:
        if self.current is not None:
            self.post_message(self.Opened(self, self.current))

    def on_click(self, event: object) -> None:
        offset = getattr(event, "y", 0)
        index = (self.scroll_offset.y + int(offset)) // CARD_HEIGHT
        if 0 <= index < len(self.cards):
            if index == self.cursor and getattr(event, "chain", 1) >= 2:
                self.action_open()
            self.cursor = index
