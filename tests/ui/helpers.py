"""Building a NurtureApp on seeded data with a frozen clock, for pilots and snapshots."""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input
from textual.worker import WorkerCancelled, WorkerState

from nurture_tui.config import Settings
from nurture_tui.domain.playbook.config import load_playbook
from nurture_tui.services.demo import DemoSize, load_demo
from nurture_tui.services.playbook import default_playbook_text
from nurture_tui.services.session import Session
from nurture_tui.store.opening import open_store
from nurture_tui.ui.app import NurtureApp
from team_helpers import BOSS, TeamDatabase, seed_team, share_demo_owners

TODAY = date(2026, 11, 23)
SEEDED = DemoSize(24, 600, 7)
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def make_session(directory: Path, *, demo: DemoSize | None = SEEDED) -> Session:
    session = Session(
        repo=open_store(directory),
        settings=Settings(timezone="America/Chicago"),
        clock=lambda: NOW,
    )
    if demo is not None:
        load_demo(session, demo)
    return session


def make_app(directory: Path, *, demo: DemoSize | None = SEEDED) -> NurtureApp:
    return NurtureApp(
        make_session(directory, demo=demo),
        playbook=load_playbook(default_playbook_text()),
        today=TODAY,
        watch_seconds=None,
    )


async def settle(pilot: Pilot[None]) -> None:
    """Wait until no worker is pending or running and every message they posted is handled.

    Loops because a handled message may start another worker (a board reload after a save);
    a superseded worker (exclusive group) is cancelled and posts nothing, so it is not
    waited for. No sleeps.
    """
    app = pilot.app
    for _ in range(50):
        with contextlib.suppress(WorkerCancelled):
            await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in app.workers):
            await pilot.pause()  # let widgets finish their idle-time layout (DataTable widths)
            break
    else:
        raise AssertionError("workers kept starting: the app never settled")
    for widget in pilot.app.screen.query(Input):
        widget.cursor_blink = False


def make_team_app(directory: Path, url: str) -> NurtureApp:
    """The app on a team store (PostgreSQL at ``url``, as the rep it names), frozen clock."""
    session = Session(
        repo=open_store(directory, url=url),
        settings=Settings(timezone="America/Chicago"),
        clock=lambda: NOW,
    )
    return NurtureApp(
        session,
        playbook=load_playbook(default_playbook_text()),
        today=TODAY,
        watch_seconds=None,
    )


def seed_team_demo(directory: Path, url: str) -> None:
    """The seeded demo agency, loaded into the team store at ``url``."""
    session = Session(
        repo=open_store(directory, url=url),
        settings=Settings(timezone="America/Chicago"),
        clock=lambda: NOW,
    )
    load_demo(session, SEEDED)
    session.repo.close()


@pytest.fixture
def team_urls(
    team_db: TeamDatabase,
    memory_keyring: object,
    nurture: object,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> dict[str, str]:
    """A team (the boss, Ann and Ben, each logged in) sharing the seeded demo agency, its
    partners owned by Ann, by Ben and by nobody: each rep's ``store_url``. (A module that
    uses it names ``pytest_plugins = ["team_helpers"]`` for the fixtures it needs.)"""
    urls = seed_team(nurture, team_db, monkeypatch)
    seed_team_demo(tmp_path / "seed", urls[BOSS])
    share_demo_owners(team_db)
    return urls
