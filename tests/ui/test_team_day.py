"""Each rep's day in the TUI, on a real PostgreSQL team store: the board and the agenda show
the rep's own partners, `e` shows everyone's, `owner:` in the search picks whose, and `o`
hands a partner to a rep (an admin: anyone's; a rep: only an unassigned one, or their own).

The seeded demo agency is shared: its partners owned by Ann, by Ben and by nobody.
"""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, OptionList, Static

from nurture_tui.services.board import BoardData
from nurture_tui.ui.app import NurtureApp
from nurture_tui.ui.messages import OwnerChanged
from nurture_tui.ui.screens.agenda import AgendaScreen
from nurture_tui.ui.screens.board import BoardScreen
from nurture_tui.ui.screens.owner_form import OwnerForm
from team_helpers import ANN, BEN, BOSS

from .helpers import make_team_app, settle, team_urls

__all__ = ["team_urls"]  # a fixture (tests/ui/helpers.py)

pytest_plugins = ["team_helpers"]


def _shown_ids(board: BoardScreen) -> set[str]:
    return {card.id for stage in board.visible_stages for card in board.column(stage).cards}


def _board(app: NurtureApp) -> BoardData:
    assert app.board is not None
    return app.board


def _owned(data: BoardData, owner: str | None) -> set[str]:
    return {c.id for c in data.cards if (c.owner or None) == owner}


async def test_a_reps_board_and_agenda_are_their_own_and_e_shows_everyone(
    team_urls: dict[str, str], tmp_path: Path
) -> None:
    app = make_team_app(tmp_path / "ann", team_urls[ANN])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        data, board = _board(app), app.screen
        assert isinstance(board, BoardScreen)
        board.show_dormant = True  # every stage, so every card counts
        board._show_board(data)
        mine = _owned(data, ANN)
        assert mine and _shown_ids(board) == mine
        summary = str(board.query_one("#board-summary", Static).render())
        assert f"My partners ({ANN}" in summary
        await pilot.press("e")
        await settle(pilot)
        assert app.everyone and _shown_ids(board) == {c.id for c in data.cards}
        assert "Everyone's partners" in str(board.query_one("#board-summary", Static).render())
        await pilot.press("e")  # back to mine; an owner: filter picks for itself
        await pilot.press("slash", *"owner:unassigned")
        await settle(pilot)
        assert _shown_ids(board) == _owned(data, None) != set()
        await pilot.press("escape")
        await pilot.press("g")
        await settle(pilot)
        agenda = app.screen
        assert isinstance(agenda, AgendaScreen)
        assert agenda.actions and {a.partner_id for a in agenda.actions} <= mine
        assert data.plan is not None and data.plan.owner == ANN
        await pilot.press("a")  # every suggestion: still only mine
        await settle(pilot)
        assert {a.partner_id for a in agenda.actions} <= mine
        assert agenda.query_one(DataTable).row_count == len(agenda.actions)
        await pilot.press("e")
        await settle(pilot)
        assert {a.partner_id for a in agenda.actions} - mine
        assert "everyone's" in str(agenda.query_one("#agenda-summary", Static).render())


async def test_a_rep_cannot_reassign_a_colleagues_partner_but_takes_an_unassigned_one(
    team_urls: dict[str, str], tmp_path: Path
) -> None:
    app = make_team_app(tmp_path / "ben", team_urls[BEN])
    changed: list[OwnerChanged] = []
    async with app.run_test(size=(120, 40), message_hook=_collect(changed)) as pilot:
        await settle(pilot)
        board = app.screen
        assert isinstance(board, BoardScreen)
        await pilot.press("e")
        await settle(pilot)
        anns = sorted(_owned(_board(app), ANN))[0]
        board._select_partner(anns)
        await pilot.press("o")
        await settle(pilot)
        assert not isinstance(app.screen, OwnerForm)
        assert any("only an admin may reassign" in n.message for n in app._notifications)
        nobodys = sorted(_owned(_board(app), None))[0]
        board._select_partner(nobodys)
        await pilot.press("o")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, OwnerForm)
        offered = form.query_one(OptionList)
        ids = [offered.get_option_at_index(i).id for i in range(offered.option_count)]
        assert ids == [BEN, "-"]  # only what a rep may do
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, OwnerForm)
        assert [m.partner.id for m in changed] == [nobodys]
        assert app.session.repo.partner(nobodys).owner == BEN
        assert nobodys in _owned(_board(app), BEN)


async def test_an_admin_reassigns_from_the_board(team_urls: dict[str, str], tmp_path: Path) -> None:
    app = make_team_app(tmp_path / "boss", team_urls[BOSS])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        board = app.screen
        assert isinstance(board, BoardScreen)
        assert _shown_ids(board) == set()  # the boss owns no partner
        await pilot.press("e")
        await settle(pilot)
        anns = sorted(_owned(_board(app), ANN))[0]
        board._select_partner(anns)
        await pilot.press("o")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, OwnerForm)
        offered = form.query_one(OptionList)
        ids = [offered.get_option_at_index(i).id for i in range(offered.option_count)]
        assert ids == [ANN, BEN, BOSS, "-"] and offered.highlighted == 0
        await pilot.press("down", "enter")
        await settle(pilot)
        assert app.session.repo.partner(anns).owner == BEN


def _collect(into: list[OwnerChanged]):  # type: ignore[no-untyped-def]
    def hook(message: object) -> None:
        if isinstance(message, OwnerChanged):
            into.append(message)

    return hook
