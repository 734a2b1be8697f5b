"""Issue 15 in the TUI: on a team store, a colleague's write reaches an open board as it
commits (LISTEN/NOTIFY), without waiting for the poll, and only that partner is re-read."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from textual.pilot import Pilot
from textual.worker import WorkerState

from builders import touch
from nurture_tui.config import Settings
from nurture_tui.domain.playbook.config import load_playbook
from nurture_tui.services.demo import load_demo
from nurture_tui.services.playbook import default_playbook_text
from nurture_tui.services.session import Session
from nurture_tui.store.opening import open_store
from nurture_tui.ui.app import NurtureApp
from pg_server import postgres_db_url, postgres_store_url, postgres_url  # noqa: F401

from .helpers import NOW, SEEDED, TODAY
from .test_live_board import spy_on_reads

#: A bound for failing, not a figure: the write is heard as soon as it commits.
PATIENCE = 20.0


async def until(pilot: Pilot[None], done: Callable[[], bool], what: str) -> None:
    """Let the app run until ``done()`` holds (failing after PATIENCE seconds). The app's
    listener never finishes, so waiting for every worker (``settle``) is no use here."""
    deadline = time.monotonic() + PATIENCE
    while not done():
        assert time.monotonic() < deadline, what
        await pilot.pause()


async def test_a_colleague_s_touch_reaches_the_open_board_without_the_poll(
    postgres_store_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    url = postgres_store_url
    seed = Session(repo=open_store(tmp_path / "seed", url=url), clock=lambda: NOW)
    load_demo(seed, SEEDED)
    seed.repo.close()
    mine = Session(
        repo=open_store(tmp_path / "b", url=url, actor="b@agency.org"),
        settings=Settings(timezone="America/Chicago"),
        clock=lambda: NOW,
    )
    # The poll every hour: only the listener can bring the write in during this test.
    app = NurtureApp(
        mine, playbook=load_playbook(default_playbook_text()), today=TODAY, watch_seconds=3600
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: app.board is not None and app.board.complete, "no board")
        await until(
            pilot,
            lambda: any(
                w.name == "listen_for_colleagues" and w.state is WorkerState.RUNNING
                for w in app.workers
            ),
            "the app is not listening",
        )
        read = spy_on_reads(app)
        colleague = open_store(tmp_path / "a", url=url, actor="a@agency.org")
        partner = colleague.partners()[3]
        colleague.save(touch(partner, "meeting", 0), summary="Met them")
        colleague.close()

        def shown() -> bool:
            board = app.board
            return board is not None and any(
                c.id == partner.id and c.days_since_touch == 0 for c in board.cards
            )

        await until(pilot, shown, "the colleague's write never reached the board")
        assert [partner.id] in read
        assert all(ids == [partner.id] for ids in read)
