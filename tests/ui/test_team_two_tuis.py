"""Two reps, two TUIs, one team database (issue 15): Ann logs a touch in hers and Ben's open
board and agenda show it, brought by LISTEN/NOTIFY (the poll is held at an hour); Ben's `u`
takes back Ben's own change, never Ann's. Two NurtureApp instances run side by side in one
event loop, each on its own rep role, against the suite's real PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Select
from textual.worker import WorkerState

from nurture_tui.config import Settings
from nurture_tui.domain.playbook.config import load_playbook
from nurture_tui.services import records
from nurture_tui.services.playbook import default_playbook_text
from nurture_tui.services.session import Session
from nurture_tui.store.opening import open_store
from nurture_tui.ui.app import NurtureApp
from nurture_tui.ui.screens.agenda import AgendaScreen
from nurture_tui.ui.screens.board import BoardScreen
from nurture_tui.ui.screens.log_form import LogTouchForm
from team_helpers import ANN, BEN

from .helpers import NOW, TODAY, team_urls

__all__ = ["team_urls"]  # a fixture (tests/ui/helpers.py)

pytest_plugins = ["team_helpers"]

#: A bound for failing, not a figure: a write is heard as soon as it commits.
PATIENCE = 20.0


def rep_app(directory: Path, url: str) -> NurtureApp:
    """A rep's TUI, listening for colleagues; the poll every hour, so only the listener
    can bring a colleague's write in during the test."""
    session = Session(
        repo=open_store(directory, url=url),
        settings=Settings(timezone="America/Chicago"),
        clock=lambda: NOW,
    )
    return NurtureApp(
        session,
        playbook=load_playbook(default_playbook_text()),
        today=TODAY,
        watch_seconds=3600,
    )


async def until(pilots: tuple[Pilot[None], ...], done: Callable[[], bool], what: str) -> None:
    """Let both apps run until ``done()`` holds (failing after PATIENCE seconds). Their
    listeners never finish, so waiting for every worker is no use here."""
    deadline = time.monotonic() + PATIENCE
    while not done():
        assert time.monotonic() < deadline, what
        for pilot in pilots:
            await pilot.pause()


def listening(app: NurtureApp) -> bool:
    return any(
        w.name == "listen_for_colleagues" and w.state is WorkerState.RUNNING for w in app.workers
    )


def ready(app: NurtureApp) -> bool:
    return app.board is not None and app.board.complete and listening(app)


async def test_ann_s_touch_reaches_ben_s_board_and_agenda_and_ben_s_u_is_his_own(
    team_urls: dict[str, str], tmp_path: Path
) -> None:
    ann_app = rep_app(tmp_path / "ann", team_urls[ANN])
    ben_app = rep_app(tmp_path / "ben", team_urls[BEN])
    async with ann_app.run_test(size=(120, 40)) as ann, ben_app.run_test(size=(120, 40)) as ben:
        both = (ann, ben)
        await until(both, lambda: ready(ann_app) and ready(ben_app), "the apps never settled")
        # Ben's agenda, open: a check-in overdue at one of his partners.
        await ben.press("g")
        await until(both, lambda: isinstance(ben_app.screen, AgendaScreen), "no agenda")
        agenda = ben_app.screen
        assert isinstance(agenda, AgendaScreen)
        await until(both, lambda: bool(agenda.actions), "Ben's agenda stayed empty")
        due = [a for a in agenda.actions if a.rule == "check-in" and a.overdue]
        assert due, "the seeded agency gives Ben an overdue check-in"
        partner_id = due[0].partner_id
        assert ben_app.session.repo.partner(partner_id).owner == BEN
        # Ben's own change first: a note on another of his partners.
        assert ben_app.board is not None
        ben_card = next(c for c in ben_app.board.cards if c.id != partner_id and c.owner == BEN)
        records.edit_partner(ben_app.session, ben_card.id, notes="Ben's own note")
        # Ann logs a meeting with Ben's partner, in her TUI.
        board = ann_app.screen
        assert isinstance(board, BoardScreen)
        await ann.press("e")  # everyone's partners: this one is Ben's
        await until(both, lambda: partner_id in board_ids(board), "Ben's partner not on Ann's")
        board._select_partner(partner_id)
        await ann.press("t")
        await until(both, lambda: isinstance(ann_app.screen, LogTouchForm), "no log form")
        form = ann_app.screen
        assert isinstance(form, LogTouchForm)
        form.query_one("#log-kind", Select).value = "meeting"
        await ann.press("ctrl+s")
        await until(
            both,
            lambda: any(t.created_by == ANN for t in ann_app.session.repo.touchpoints(partner_id)),
            "Ann's touch never landed",
        )

        def ben_sees_it() -> bool:
            data = ben_app.board
            if data is None:
                return False
            card = next((c for c in data.cards if c.id == partner_id), None)
            return card is not None and card.days_since_touch == 0

        await until(both, ben_sees_it, "Ann's touch never reached Ben's board")
        await until(
            both,
            lambda: (
                not any(
                    a.partner_id == partner_id and a.rule == "check-in" and a.overdue
                    for a in agenda.actions
                )
            ),
            "Ben's open agenda still shows the check-in Ann's meeting answered",
        )
        # Ben's u: his note goes, Ann's touch stays.
        await ben.press("u")
        await until(
            both,
            lambda: ben_app.session.repo.partner(ben_card.id).notes != "Ben's own note",
            "Ben's u did not take back his own change",
        )
        assert any(t.created_by == ANN for t in ben_app.session.repo.touchpoints(partner_id))


def board_ids(board: BoardScreen) -> set[str]:
    return {card.id for stage in board.visible_stages for card in board.column(stage).cards}
