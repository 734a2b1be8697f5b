"""The partner page on a team store says who logged each entry, and `u` is the rep's own.

Two reps' roles on one real PostgreSQL database: the app runs as Bob, Ann writes through
her own repository (another laptop). A touch from before attribution shows a dash on the
timeline and "before attribution" on its record screen.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from nurture_tui.config import Settings
from nurture_tui.domain.kinds import PartnerKind, TouchpointKind
from nurture_tui.domain.model import MeetingRep, Partner, Touchpoint
from nurture_tui.domain.playbook.config import load_playbook
from nurture_tui.services.playbook import default_playbook_text
from nurture_tui.services.session import Session
from nurture_tui.store.opening import open_store
from nurture_tui.store.sql import SqlRepository
from nurture_tui.ui.app import NurtureApp
from nurture_tui.ui.screens.partner import PartnerScreen
from nurture_tui.ui.screens.record import RecordScreen
from pg_server import postgres_url
from team_helpers import TeamDatabase, add_rep, memory_keyring, nurture, set_up, team_db

from .helpers import NOW, TODAY, settle

__all__ = ["memory_keyring", "nurture", "postgres_url", "team_db"]

ANN, BOB = "ann@agency.org", "bob@agency.org"
MERCY = Partner(id="mercy0000001", name="Mercy General", kind=PartnerKind.HOSPITAL)


def _at(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


def _touch(tid: str, kind: str, day: int, note: str) -> Touchpoint:
    return Touchpoint(
        id=tid, partner_id=MERCY.id, kind=TouchpointKind(kind), at=_at(day, 16), note=note
    )


@pytest.fixture
def two_reps(
    team_db: TeamDatabase,
    memory_keyring: object,
    nurture: object,
    tmp_path: Path,
    postgres_url: str,
) -> Iterator[tuple[SqlRepository, SqlRepository]]:
    """(Ann's repository, Bob's) on a team with Mercy and three touches: one from before
    attribution, one Ann logged, one Bob logged."""
    set_up(nurture, team_db)
    repos = []
    for email in (ANN, BOB):
        added = add_rep(nurture, email)
        url = team_db.url(str(added["role"]), str(added["password"]))
        repos.append(open_store(tmp_path / email, url=url))
    ann, bob = repos
    ann.save(MERCY, _touch("told00000001", "call", 2, "an old call"))
    # As the server's superuser (no rep, so the trigger leaves it): a row from before 0007.
    superuser = make_url(postgres_url).set(drivername="postgresql", database=team_db.name)
    with psycopg.connect(superuser.render_as_string(False), autocommit=True) as c:
        c.execute("UPDATE touchpoints SET created_by = '', changed_by = ''")
    ann.save(_touch("tann00000001", "email", 10, "sent the flyer"))
    bob.save(_touch("tbob00000001", "meeting", 20, "lunch with the case managers"))
    yield ann, bob
    ann.close()
    bob.close()


def _app(repo: SqlRepository) -> NurtureApp:
    session = Session(repo=repo, settings=Settings(timezone="America/Chicago"), clock=lambda: NOW)
    return NurtureApp(
        session,
        playbook=load_playbook(default_playbook_text()),
        today=TODAY,
        watch_seconds=None,
    )


def _column(table: DataTable[object], header: str) -> list[str]:
    index = [str(c.label) for c in table.columns.values()].index(header)
    return [str(table.get_row_at(row)[index]) for row in range(table.row_count)]


async def test_the_timeline_and_record_say_who_and_u_is_the_rep_s_own(
    two_reps: tuple[SqlRepository, SqlRepository],
) -> None:
    ann, bob = two_reps
    app = _app(bob)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.open_partner(MERCY.id)
        await settle(pilot)
        assert isinstance(app.screen, PartnerScreen)
        timeline = app.screen.query_one("#timeline", DataTable)
        assert _column(timeline, "By") == ["bob", "ann", "—"]  # newest first
        timeline.focus()
        timeline.move_cursor(row=1)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RecordScreen)
        body = str(app.screen.query_one("#record-body", Static).render())
        assert f"Created by    {ANN}" in body and f"Changed by    {ANN}" in body
        await pilot.press("escape")
        await settle(pilot)

        # Ann edits her flyer email on her laptop; Bob's u takes back only his own lunch.
        ann.save(ann.touchpoint("tann00000001")._replace(note="sent the new flyer"))
        await pilot.press("u")
        await settle(pilot)
        assert [t.id for t in ann.touchpoints(MERCY.id)] == ["told00000001", "tann00000001"]
        assert ann.touchpoint("tann00000001").note == "sent the new flyer"
        assert any(n.message.startswith("Undid: ") for n in app._notifications)
        await pilot.press("u")  # again: redo his own
        await settle(pilot)
        assert [t.id for t in ann.touchpoints(MERCY.id)] == [
            "told00000001",
            "tann00000001",
            "tbob00000001",
        ]
        assert any(n.message.startswith("Redid: ") for n in app._notifications)
        assert ann.touchpoint("tann00000001").note == "sent the new flyer"


async def test_u_with_only_a_colleague_s_change_says_it_is_theirs(
    two_reps: tuple[SqlRepository, SqlRepository], nurture: object, team_db: TeamDatabase
) -> None:
    ann, _bob = two_reps
    added = add_rep(nurture, "cy@agency.org")
    cy = open_store(
        Path(ann.directory).parent / "cy",
        url=team_db.url(str(added["role"]), str(added["password"])),
    )
    app = _app(cy)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        assert any("nothing of yours to undo" in n.message for n in app._notifications)
        assert [t.id for t in ann.touchpoints(MERCY.id)] == [
            "told00000001",
            "tann00000001",
            "tbob00000001",
        ]
    cy.close()


async def _open_mercy(pilot: Pilot[None]) -> None:
    await settle(pilot)
    app = pilot.app
    assert isinstance(app, NurtureApp)
    app.open_partner(MERCY.id)
    await settle(pilot)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_team_timeline(  # type: ignore[no-untyped-def]
    snap_compare, two_reps: tuple[SqlRepository, SqlRepository], size: tuple[int, int]
) -> None:
    _ann, bob = two_reps
    assert snap_compare(_app(bob), terminal_size=size, run_before=_open_mercy)


async def test_a_meeting_both_reps_had_shows_both(
    two_reps: tuple[SqlRepository, SqlRepository],
) -> None:
    """A synced meeting Ann and Bob both had is one touch: the By column names the first
    and counts the others; its record lists every rep."""
    ann, bob = two_reps
    lunch = _touch("tmeet0000001", "meeting", 21, "")._replace(
        purpose="Lunch with Mercy",
        source="google",
        external_id=f"uid:lunch@x#{MERCY.id}",
        reps=(MeetingRep(ANN, "cal:primary:a1"), MeetingRep(BOB, "cal:primary:b7")),
    )
    ann.save(lunch)
    app = _app(bob)
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_mercy(pilot)
        assert isinstance(app.screen, PartnerScreen)
        timeline = app.screen.query_one("#timeline", DataTable)
        assert _column(timeline, "By") == ["ann +1", "bob", "ann", "—"]  # newest first
        timeline.focus()
        timeline.move_cursor(row=0)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RecordScreen)
        body = str(app.screen.query_one("#record-body", Static).render())
        assert f"Reps          {ANN}, {BOB}" in body
        assert f"Created by    {ANN}" in body
