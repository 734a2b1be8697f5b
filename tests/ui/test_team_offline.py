"""Issue 15: when the team database is away, the TUI keeps the last loaded board, says it
is read-only, refuses writes at once with a clear line, and carries on when it is back."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from nurture_tui.config import Settings
from nurture_tui.domain.errors import StoreError
from nurture_tui.domain.playbook.config import load_playbook
from nurture_tui.services.demo import load_demo
from nurture_tui.services.playbook import default_playbook_text
from nurture_tui.services.session import Session
from nurture_tui.store.opening import open_store
from nurture_tui.ui.app import NurtureApp
from nurture_tui.ui.screens.board import BoardScreen
from pg_server import postgres_db_url, postgres_store_url, postgres_url  # noqa: F401
from tcp_proxy import CuttableProxy

from .helpers import NOW, SEEDED, TODAY
from .test_team_live import until


async def test_the_board_stays_read_only_while_the_database_is_away(
    postgres_store_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    seed = Session(repo=open_store(tmp_path / "seed", url=postgres_store_url), clock=lambda: NOW)
    load_demo(seed, SEEDED)
    seed.repo.close()
    real = make_url(postgres_store_url)
    proxy = CuttableProxy((str(real.host), int(real.port or 5432)))
    url = real.set(port=proxy.port).render_as_string(hide_password=False)
    session = Session(
        repo=open_store(tmp_path / "b", url=url, actor="b@agency.org"),
        settings=Settings(timezone="America/Chicago", store_url=url),
        clock=lambda: NOW,
    )
    app = NurtureApp(
        session, playbook=load_playbook(default_playbook_text()), today=TODAY, watch_seconds=0.2
    )
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: app.board is not None and app.board.complete, "no board")
            cards = len(app.board.cards) if app.board else 0

            proxy.cut()
            await until(pilot, lambda: bool(app.read_only), "the app never noticed")
            assert "cannot reach the team database" in app.read_only
            board = app.screen
            assert isinstance(board, BoardScreen)
            summary = str(board.query_one("#board-summary").render())
            assert "read-only" in summary
            assert app.board is not None and len(app.board.cards) == cards  # kept as loaded
            with pytest.raises(StoreError, match="read-only for now: nothing was saved"):
                app._change(lambda: None)

            proxy.restore()
            await until(pilot, lambda: not app.read_only, "the app never came back")
            await until(
                pilot,
                lambda: "read-only" not in str(board.query_one("#board-summary").render()),
                "the board still says read-only",
            )
            assert app._change(lambda: 42)[0] == 42
    finally:
        proxy.close()
