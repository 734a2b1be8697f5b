"""The board's keys and what it shows of the selected card (issue 12, "Board and navigation").

Arrows move between columns at both terminal sizes and stop at the ends; a column never
scrolls sideways; the hidden search box takes no keys; cards whose names collide once cut
still tell the partners apart; the detail line shows the selected card in full; `y` takes
a stage suggestion in one key.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input, Static

from nurture_tui.domain.kinds import PartnerKind, Stage, Tier
from nurture_tui.domain.playbook.config import load_playbook
from nurture_tui.services import records
from nurture_tui.services.board import Health, PartnerCard
from nurture_tui.services.demo import DemoSize
from nurture_tui.services.playbook import default_playbook_text
from nurture_tui.ui.app import NurtureApp
from nurture_tui.ui.screens.board import ACTIVE_STAGES, BoardScreen
from nurture_tui.ui.screens.partner_form import PartnerForm
from nurture_tui.ui.screens.sync import SyncScreen
from nurture_tui.ui.widgets.card_names import card_titles, distinct_titles, fit
from nurture_tui.ui.widgets.stage_column import CARD_HEIGHT, StageColumn

from .helpers import TODAY, make_app, make_session, settle

SIZES = [(120, 40), (80, 24)]
NORTHSIDE = "Northside Hospice & Palliative Care"


def size_id(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


async def board_of(pilot: Pilot[None]) -> BoardScreen:
    await settle(pilot)
    board = pilot.app.screen
    assert isinstance(board, BoardScreen)
    return board


def detail_text(board: BoardScreen) -> str:
    return str(board.query_one("#board-detail", Static).render())


def shown_title(column: StageColumn, card: PartnerCard) -> str:
    """The first line of ``card`` as the column paints it (scrolled into view first)."""
    assert column.select_id(card.id)
    y = column.cards.index(card) * CARD_HEIGHT - round(column.scroll_y)
    return column.render_line(y).text


# ------------------------------------------------------------------ arrows
@pytest.mark.parametrize("size", SIZES, ids=size_id)
async def test_arrows_move_between_columns_and_no_column_scrolls_sideways(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    app = make_app(tmp_path, demo=DemoSize())  # what `nurture demo` loads, as reported
    async with app.run_test(size=size) as pilot:
        board = await board_of(pilot)
        columns = [board.column(stage) for stage in ACTIVE_STAGES]
        # The case reported: columns taller than the screen, with a vertical scrollbar
        # (it used to leave a cell of horizontal overflow for the arrows to scroll).
        assert any(column.show_vertical_scrollbar for column in columns[1:])
        assert board.focused is columns[0]
        for column in columns[1:]:
            await pilot.press("right")
            assert board.focused is column
        for column in reversed(columns[:-1]):
            await pilot.press("left")
            assert board.focused is column
        for column in columns:
            assert column.scroll_x == 0
            assert column.max_scroll_x == 0
            assert not column.show_horizontal_scrollbar
        await pilot.press("down", "down", "up")  # up/down still move within the column
        assert board.focused is columns[0] and columns[0].cursor == 1


async def test_arrows_pressed_faster_than_a_frame_each_move_a_column(tmp_path: Path) -> None:
    """A held-down → (or a fast typist) sends keys before focus has moved."""
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        board = await board_of(pilot)
        for _ in range(3):
            app.post_message(events.Key("right", None))
        app.post_message(events.Key("down", None))
        await settle(pilot)
        champion = board.column(Stage.CHAMPION)
        assert board.focused is champion
        assert champion.cursor == 1
        assert board.column(Stage.PROSPECT).cursor == 0


async def test_column_moves_stop_at_the_ends(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        board = await board_of(pilot)
        await pilot.press("left", "h")
        assert board.focused is board.column(Stage.PROSPECT)
        await pilot.press("right", "l", "right", "right", "l")
        assert board.focused is board.column(Stage.CHAMPION)  # not round to Prospect
        await pilot.press("z")  # dormant shown: it is the last column
        await settle(pilot)
        await pilot.press("right")
        assert board.focused is board.column(Stage.DORMANT)


async def test_stage_moves_stop_at_the_ends(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        board = await board_of(pilot)
        prospect = board.column(Stage.PROSPECT).current
        assert prospect is not None
        await pilot.press("less_than_sign")
        await settle(pilot)
        assert app.session.repo.partner(prospect.id).stage is Stage.PROSPECT
        await pilot.press("right", "right", "right")
        champion = board.column(Stage.CHAMPION).current
        assert champion is not None
        await pilot.press("greater_than_sign")
        await settle(pilot)
        assert app.session.repo.partner(champion.id).stage is Stage.CHAMPION
        assert not board.show_dormant
        await pilot.press("z", "right")  # Dormant shown: it is the column to the right
        await pilot.press("left", "greater_than_sign")
        await settle(pilot)
        assert app.session.repo.partner(champion.id).stage is Stage.DORMANT
        assert board.focused is board.column(Stage.DORMANT)
        moved = board.column(Stage.DORMANT).current
        assert moved is not None and moved.id == champion.id  # the board follows it
        await pilot.press("greater_than_sign")
        await settle(pilot)
        assert app.session.repo.partner(champion.id).stage is Stage.DORMANT


# ------------------------------------------------------------ hidden search
async def test_the_hidden_search_takes_no_keys_after_the_board_lost_focus(
    tmp_path: Path,
) -> None:
    """The reported path: dormant shown then hidden while focused left nothing focused,
    and coming back from the agenda focused the hidden search box."""
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        board = await board_of(pilot)
        for key in ("z", "z", "g", "b"):
            await pilot.press(key)
            await settle(pilot)
        assert app.screen is board
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, PartnerForm)
        assert board.query_one("#board-search", Input).value == ""
        assert not board.filter.active


async def test_the_hidden_search_cannot_be_focused_at_all(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        board = await board_of(pilot)
        search = board.query_one("#board-search", Input)
        board.set_focus(None)  # however it happens (a click on nothing, a terminal blur)
        await pilot.press("g")
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        assert board.focused is not search
        assert not search.focusable
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, PartnerForm)
        assert search.value == ""


async def test_the_search_box_is_visible_when_it_has_the_keys(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        board = await board_of(pilot)
        search = board.query_one("#board-search", Input)
        await pilot.press("slash", *"tier:A")
        await settle(pilot)
        assert board.focused is search and search.display and search.value == "tier:A"
        await pilot.press("escape")
        await settle(pilot)
        assert not search.display and not search.focusable
        assert isinstance(board.focused, StageColumn)
        await pilot.press("right", "escape")  # nothing to clear: escape stays put
        assert board.focused is board.column(Stage.ENGAGED)


# ---------------------------------------------------------------- collisions
@pytest.mark.parametrize("size", SIZES, ids=size_id)
async def test_names_that_collide_once_cut_are_told_apart(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=size) as pilot:
        board = await board_of(pilot)
        column = board.column(Stage.PROSPECT)
        twins = [c for c in column.cards if c.name.startswith(NORTHSIDE)]
        assert sorted(c.name for c in twins) == [NORTHSIDE, f"{NORTHSIDE} 11"]
        titles = {card.name: shown_title(column, card) for card in twins}
        assert titles[NORTHSIDE] != titles[f"{NORTHSIDE} 11"]
        assert "11" in titles[f"{NORTHSIDE} 11"]
        assert "11" not in titles[NORTHSIDE]
        for card in column.cards:  # every title still fits its column
            assert cell_len(shown_title(column, card)) <= column.scrollable_content_region.width


def test_identical_names_get_what_differs_between_the_partners() -> None:
    def card(id: str, kind: PartnerKind, owner: str | None = None) -> PartnerCard:
        return PartnerCard(
            id, "Mercy General", kind, Tier.B, Stage.PROSPECT, owner, (), None,
            Health.DUE, 0, None,
        )  # fmt: skip

    by_kind = card_titles([card("a1", PartnerKind.HOSPITAL), card("b2", PartnerKind.HOSPICE)], 24)
    assert by_kind == {"a1": "Mercy General (hospital)", "b2": "Mercy General (hospice)"}
    by_owner = card_titles(
        [card("a1", PartnerKind.HOSPITAL, "alex"), card("b2", PartnerKind.HOSPITAL, "casey")], 24
    )
    assert by_owner == {"a1": "Mercy General (alex)", "b2": "Mercy General (casey)"}
    same = card_titles(
        [card("a1xxxx9", PartnerKind.HOSPITAL), card("b2yyyy9", PartnerKind.HOSPITAL)], 16
    )
    assert len(set(same.values())) == 2 and "a1xxxx" in same["a1xxxx9"]


def test_titles_keep_the_words_where_names_part() -> None:
    names = ["Saint Mary Medical Center East", "Saint Mary Medical Center West", "Bayside"]
    assert distinct_titles(names, 16) == ["Saint Mary… East", "Saint Mary… West", "Bayside"]
    wide = ["北区临终关怀与姑息治疗中心一", "北区临终关怀与姑息治疗中心二"]  # two cells a letter
    titles = distinct_titles(wide, 13)
    assert titles[0] != titles[1] and all(cell_len(t) <= 13 for t in titles)


@given(
    st.lists(st.text(alphabet="ab 北&", min_size=1, max_size=40), min_size=1, max_size=6),
    st.integers(min_value=1, max_value=40),
)
def test_titles_always_fit_their_width(names: list[str], width: int) -> None:
    for name, title in zip(names, distinct_titles(names, width), strict=True):
        assert cell_len(title) <= width
        if cell_len(name) <= width:
            assert title == name  # a name that fits is never touched
        else:
            assert title == fit(name, width) or "…" in title


# --------------------------------------------------------------- detail line
@pytest.mark.parametrize("size", SIZES, ids=size_id)
async def test_the_detail_line_shows_the_full_name_and_the_whole_why(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=size) as pilot:
        board = await board_of(pilot)
        column = board.column(Stage.PROSPECT)
        long_one = next(c for c in column.cards if c.name == f"{NORTHSIDE} 11")
        while column.current != long_one:
            await pilot.press("down")
        assert long_one.top_action is not None
        text = detail_text(board)
        assert long_one.name in text
        assert long_one.top_action.reason in " ".join(text.split())
        detail = board.query_one("#board-detail", Static)
        assert detail.region.height >= 2 and detail.region.bottom <= size[1]
        await pilot.press("right")
        engaged = board.column(Stage.ENGAGED).current
        assert engaged is not None and engaged.name in detail_text(board)
        await pilot.click("#column-champion", offset=(3, 1))  # the mouse picks a column too
        await settle(pilot)
        champion = board.column(Stage.CHAMPION)
        assert board.focused is champion and champion.current is not None
        assert champion.current.name in detail_text(board)
        await pilot.press("left")  # and the arrows go on from there
        assert board.focused is board.column(Stage.REFERRING)


# ------------------------------------------------------- stage suggestion: y
def app_with_a_first_referral(tmp_path: Path, playbook_override: str | None) -> NurtureApp:
    """An empty store's app whose playbook ranks with ``playbook_override`` (a rep's own
    playbook.toml), before any partner is added."""
    return NurtureApp(
        make_session(tmp_path, demo=None),
        playbook=load_playbook(default_playbook_text(), playbook_override, "playbook.toml"),
        today=TODAY,
        watch_seconds=None,
    )


async def engaged_hope_hospice(pilot: Pilot[None]) -> tuple[BoardScreen, str]:
    """Hope Hospice, engaged, with a first referral two days ago; selected on the board."""
    app = pilot.app
    session = app.session  # type: ignore[attr-defined]
    hope = records.add_partner(session, "Hope Hospice", "hospice", stage="engaged")
    records.add_partner(session, "Quiet Clinic", "physician-practice", stage="engaged")
    records.add_referral(session, hope.id, TODAY - timedelta(days=2))
    app.reload_board()  # type: ignore[attr-defined]
    board = await board_of(pilot)
    await pilot.press("escape")  # the welcome dialog of an empty store
    await settle(pilot)
    await pilot.press("right")
    column = board.column(Stage.ENGAGED)
    while column.current is None or column.current.id != hope.id:
        await pilot.press("down")
    return board, hope.id


async def test_y_takes_a_cards_stage_suggestion_in_one_key(tmp_path: Path) -> None:
    # A rep who weights stage hints above the rest: the card's next action is the move.
    app = app_with_a_first_referral(tmp_path, "[rules.stage-change]\nweight = 100.0\n")
    async with app.run_test(size=(80, 24)) as pilot:
        board, hope = await engaged_hope_hospice(pilot)
        card = board.column(Stage.ENGAGED).current
        assert card is not None and card.top_action is not None
        assert card.top_action.rule == "stage-change"
        text = " ".join(detail_text(board).split())
        assert "move from engaged to referring?" in text
        assert "y: move to referring" in text
        await pilot.press("y")
        await settle(pilot)
        assert app.session.repo.partner(hope).stage is Stage.REFERRING
        assert app.screen is board
        referring = board.column(Stage.REFERRING)
        assert board.focused is referring  # the board follows the partner
        assert referring.current is not None and referring.current.id == hope
        assert "y: move to" not in detail_text(board)  # taken: nothing more to accept


async def test_y_on_a_card_whose_next_action_is_not_a_stage_move_opens_sync(
    tmp_path: Path,
) -> None:
    """With the default playbook the thank-you comes first: `y` keeps meaning Sync, and
    nothing the card does not show is changed."""
    app = app_with_a_first_referral(tmp_path, None)
    async with app.run_test(size=(80, 24)) as pilot:
        board, hope = await engaged_hope_hospice(pilot)
        card = board.column(Stage.ENGAGED).current
        assert card is not None and card.top_action is not None
        assert card.top_action.rule != "stage-change"
        assert "y: move to" not in detail_text(board)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, SyncScreen)
        assert app.session.repo.partner(hope).stage is Stage.ENGAGED
