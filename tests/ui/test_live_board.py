"""Issue 13 in the TUI: after a write the board reads only the partners it touched, and
shows exactly what the whole playbook pass would; another process's write is followed the
same way; the day's first pass in a child process gives the same board; a new day starts
over."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from builders import touch
from nurture_tui.domain.kinds import Stage
from nurture_tui.domain.model import PartnerHistory
from nurture_tui.domain.playbook.config import load_playbook
from nurture_tui.domain.playbook.engine import suggest
from nurture_tui.domain.playbook.facts import SuggestedAction
from nurture_tui.services.action_book import context_key
from nurture_tui.services.board import BoardData, LiveBoard
from nurture_tui.services.playbook import default_playbook_text
from nurture_tui.services.session import Session
from nurture_tui.store.opening import open_store
from nurture_tui.ui.app import NurtureApp
from nurture_tui.ui.screens.board import BoardScreen

from .helpers import NOW, TODAY, make_app, make_session, settle

PLAYBOOK = load_playbook(default_playbook_text())


def whole_pass(session: Session) -> list[SuggestedAction]:
    repo = session.repo
    return suggest(repo.histories(), TODAY, session.settings.zone, PLAYBOOK, repo.dismissals())


def spy_on_reads(app: NurtureApp) -> list[list[str]]:
    """Every list of partners the app reads histories of from now on."""
    repo = app.session.repo
    read: list[list[str]] = []
    histories_of = repo.histories_of

    def spy(partner_ids: Sequence[str]) -> list[PartnerHistory]:
        read.append(list(partner_ids))
        return histories_of(partner_ids)

    repo.histories_of = spy  # type: ignore[method-assign]
    return read


async def test_a_save_in_the_tui_recomputes_only_that_partner(tmp_path: Path) -> None:
    app = make_app(tmp_path / "store")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.board is not None and app.board.complete
        read = spy_on_reads(app)
        card = app.board.cards[0]
        action = next(a for a in app.board.agenda if a.partner_id == card.id)
        app.snooze(action, days=7)  # the use case the agenda's z runs
        await settle(pilot)
        assert read == [[card.id]]
        assert action not in app.board.agenda
        assert app.board.agenda == whole_pass(app.session)


async def test_another_process_write_is_followed_per_partner(tmp_path: Path) -> None:
    directory = tmp_path / "store"
    app = make_app(directory)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        read = spy_on_reads(app)
        other = open_store(directory)  # the CLI, a background sync
        partner = other.partners()[3]
        other.save(touch(partner, "meeting", 0), summary="Met them")
        app.check_store()  # what the watcher's timer does every two seconds
        await settle(pilot)
        assert read == [[partner.id]]
        assert app.board is not None
        card = next(c for c in app.board.cards if c.id == partner.id)
        assert card.days_since_touch == 0
        assert app.board.agenda == whole_pass(app.session)


async def test_the_first_pass_in_a_child_process_gives_the_same_board(tmp_path: Path) -> None:
    directory = tmp_path / "store"
    reference = make_app(tmp_path / "reference")  # the same demo, computed in-process
    async with reference.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        expected = reference.board
    app = NurtureApp(
        make_session(directory),
        playbook=PLAYBOOK,
        today=TODAY,
        watch_seconds=None,
        cold_pass="process",
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.board is not None and expected is not None and app.board.complete
        assert app.board.agenda == expected.agenda
        assert [c.top_action for c in app.board.cards] == [c.top_action for c in expected.cards]
        assert app.live is not None
        key = context_key(PLAYBOOK, app.session.settings.zone, False)
        cached = app.session.repo.cached_actions(key, TODAY)  # the child wrote it, we read it
        assert len(cached) >= len(app.board.cards) - len(app.live.book.network.top_referrers)


async def test_a_new_day_starts_the_board_over(tmp_path: Path) -> None:
    app = make_app(tmp_path / "store")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.live is not None and app.live.today == TODAY
        tomorrow = TODAY.replace(day=TODAY.day + 1)
        app.fixed_today = tomorrow
        app.session.clock = lambda: NOW.replace(day=NOW.day + 1)
        app.board_changed()
        await settle(pilot)
        assert app.live.today == tomorrow and app.board is not None
        assert app.board.today == tomorrow and app.board.complete


async def test_keys_pressed_before_the_actions_arrive_keep_the_partner(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first complete board re-sorts columns by priority and starts them at the top —
    but a column the rep already moved in keeps the partner they moved to."""
    arrived = threading.Event()
    fill = LiveBoard.fill

    def held_fill(self: LiveBoard, *args: Any, **kwargs: Any) -> BoardData:
        arrived.wait(timeout=30)
        return fill(self, *args, **kwargs)

    monkeypatch.setattr(LiveBoard, "fill", held_fill)
    app = make_app(tmp_path / "store")
    async with app.run_test(size=(120, 40)) as pilot:
        while app.board is None:  # the quick pass: cards, no actions yet
            await pilot.pause()
        await pilot.press("down", "down")
        screen = app.screen
        assert isinstance(screen, BoardScreen)
        chosen = screen.column(Stage.PROSPECT).current
        assert chosen is not None and not app.board.complete
        arrived.set()
        await settle(pilot)
        assert app.board.complete
        assert screen.column(Stage.PROSPECT).current == next(
            c for c in app.board.cards if c.id == chosen.id
        )
        assert screen.column(Stage.ENGAGED).cursor == 0  # untouched: at the top


async def test_cards_say_their_action_is_coming_until_it_has(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the day's actions arrive a card without one says so; "nothing due" is said
    only once it is true."""
    arrived = threading.Event()
    fill = LiveBoard.fill

    def held_fill(self: LiveBoard, *args: Any, **kwargs: Any) -> BoardData:
        arrived.wait(timeout=30)
        return fill(self, *args, **kwargs)

    monkeypatch.setattr(LiveBoard, "fill", held_fill)
    app = make_app(tmp_path / "store")
    async with app.run_test(size=(120, 40)) as pilot:
        while app.board is None:
            await pilot.pause()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, BoardScreen)
        column = screen.column(Stage.PROSPECT)
        lines = [column.render_line(y).text for y in range(column.size.height)]
        assert any("next action…" in line for line in lines)
        assert not any("nothing due" in line for line in lines)
        arrived.set()
        await settle(pilot)
        lines = [column.render_line(y).text for y in range(column.size.height)]
        assert not any("next action…" in line for line in lines)


async def test_a_saved_card_is_drawn_again_and_its_neighbours_are_kept(tmp_path: Path) -> None:
    """After a save only the changed card is redrawn; what the column shows is still
    exactly the board's cards (no stale line from before the save)."""
    app = make_app(tmp_path / "store")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, BoardScreen) and app.board is not None
        column = screen.column(Stage.PROSPECT)
        target = column.cards[1]
        before = [column.render_line(y).text for y in range(column.size.height)]
        neighbour = column.cards[0]
        other = open_store(tmp_path / "store")
        other.save(touch(other.partner(target.id), "meeting", 0), summary="Met them")
        app.check_store()
        await settle(pilot)
        assert column.cards[0] is neighbour  # the same object: not redrawn
        after = [column.render_line(y).text for y in range(column.size.height)]
        from nurture_tui.ui.widgets.stage_column import CARD_HEIGHT

        index = next(i for i, c in enumerate(column.cards) if c.id == target.id)
        rows = range(index * CARD_HEIGHT, (index + 1) * CARD_HEIGHT)
        assert any("today" in after[y] for y in rows if y < len(after))
        fresh = column.cards
        column._lines.clear()  # what a full redraw would draw
        assert [column.render_line(y).text for y in range(column.size.height)] == after
        assert fresh is column.cards and before != after
