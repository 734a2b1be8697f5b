"""The Team screen (`T`), the manager's view, on a real PostgreSQL team store.

The boss (admin, the app's rep), Ann and Ben; each rep writes through their own database
role, so the store stamps who logged what. Today is Monday 23 Nov 2026 (09:00 in Chicago):
"this week" is today, "this month" is from Sun 1 Nov. The figures each period must show are
counted by hand from the seed below; the overdue actions are checked against the board's
own agenda (the playbook's, computed by the board and not by the report).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from rich.text import Text
from sqlalchemy.engine import make_url
from textual.widgets import DataTable, Static

from nurture_tui.config import Settings
from nurture_tui.domain.kinds import PartnerKind, Stage, TouchpointKind
from nurture_tui.domain.model import Override, Partner, Referral, Touchpoint
from nurture_tui.domain.playbook.config import load_playbook
from nurture_tui.services.playbook import default_playbook_text
from nurture_tui.services.session import Session
from nurture_tui.store.opening import open_store
from nurture_tui.store.sql import SqlRepository
from nurture_tui.ui.app import NurtureApp
from nurture_tui.ui.screens.team import TOTAL, TeamScreen
from tcp_proxy import CuttableProxy
from team_helpers import ANN, BEN, BOSS, TeamDatabase, seed_team

from .helpers import NOW, TODAY, make_app, make_team_app, settle
from .test_team_live import until

pytest_plugins = ["team_helpers"]

HOSPICE = Partner(
    id="annhospice01",
    name="Ann Hospice",
    kind=PartnerKind.HOSPICE,
    stage=Stage.ENGAGED,
    owner=ANN,
)
QUIET = Partner(
    id="annquietsnf1",
    name="Ann Quiet SNF",
    kind=PartnerKind.SKILLED_NURSING,
    stage=Stage.REFERRING,
    owner=ANN,
)
CLINIC = Partner(
    id="benclinic001",
    name="Ben Clinic",
    kind=PartnerKind.PHYSICIAN_PRACTICE,
    stage=Stage.ENGAGED,
    owner=BEN,
)
NOBODYS = Partner(id="nobodysnf001", name="Nobody SNF", kind=PartnerKind.SKILLED_NURSING)


def _at(month: int, day: int, hour: int) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def _touch(
    tid: str, partner: Partner, kind: str, at: datetime, overridden_by: str = ""
) -> Touchpoint:
    overrides = (
        (Override(rule="gift-cash", message="a cash equivalent", by=overridden_by, at=at),)
        if overridden_by
        else ()
    )
    return Touchpoint(
        id=tid,
        partner_id=partner.id,
        kind=TouchpointKind(kind),
        at=at,
        value_cents=2500 if kind == "gift" else 0,
        overrides=overrides,
    )


def _referral(rid: str, partner: Partner, received: date) -> Referral:
    return Referral(id=rid, partner_id=partner.id, received=received, participant_ref=rid[:6])


@dataclass(frozen=True)
class Team:
    urls: dict[str, str]
    ann: SqlRepository
    ben: SqlRepository


@pytest.fixture
def team(
    team_db: TeamDatabase,
    memory_keyring: object,
    nurture: object,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> Iterator[Team]:
    """The hand-built seed: what each rep did, through their own role."""
    urls = seed_team(nurture, team_db, monkeypatch)
    ann = open_store(tmp_path / "ann", url=urls[ANN])
    ben = open_store(tmp_path / "ben", url=urls[BEN])
    boss = open_store(tmp_path / "boss-seed", url=urls[BOSS])
    ann.save(
        HOSPICE,
        QUIET,
        _touch("annold000001", QUIET, "call", _at(10, 5, 15)),  # before the month: quiet
        _touch("anncall00001", HOSPICE, "call", _at(11, 23, 14)),  # this week
        _touch("anncall00002", HOSPICE, "call", _at(11, 10, 16)),  # this month
        _touch("annemail0001", HOSPICE, "email", _at(11, 23, 13)),  # this week
        _touch("anngift00001", HOSPICE, "gift", _at(11, 12, 17), overridden_by=ANN),  # month
        _referral("rweek0000001", HOSPICE, date(2026, 11, 23)),
        _referral("rmonth000001", HOSPICE, date(2026, 11, 3)),
        _referral("roctober0001", HOSPICE, date(2026, 10, 20)),  # neither
    )
    ben.save(
        CLINIC,
        _touch("benmeet00001", HOSPICE, "meeting", _at(11, 23, 14)),  # his, on Ann's partner
        _touch("benemail0001", CLINIC, "email", _at(11, 20, 15)),  # this month
        _touch("bengift00001", CLINIC, "gift", _at(11, 20, 16), overridden_by=BEN),  # month
    )
    boss.save(NOBODYS)
    boss.close()
    yield Team(urls, ann, ben)
    ann.close()
    ben.close()


#: (touches by kind, referrals, quiet, overrides) counted by hand, per period and rep.
EXPECTED = {
    "week": {
        ANN: ("1 call, 1 email", 2, 1, 1, 0),
        BEN: ("1 meeting", 1, 0, 0, 0),
        BOSS: ("—", 0, 0, 0, 0),
    },
    "month": {
        ANN: ("2 call, 1 email, 1 gift", 4, 2, 1, 1),
        BEN: ("1 email, 1 gift, 1 meeting", 3, 0, 0, 1),
        BOSS: ("—", 0, 0, 0, 0),
    },
}


def _cells(table: DataTable[object], key: str) -> dict[str, str]:
    headers = [str(c.label) for c in table.columns.values()]
    row = table.get_row(key)
    return {
        h: str(cell.plain if isinstance(cell, Text) else cell)
        for h, cell in zip(headers, row, strict=True)
    }


def _text(screen: TeamScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def _overdue_on_the_board(app: NurtureApp, rep: str) -> int:
    board = app.board
    assert board is not None and board.complete
    owner = {c.id: c.owner for c in board.cards}
    return sum(1 for a in board.agenda if a.overdue and owner.get(a.partner_id) == rep)


def _check_period(app: NurtureApp, screen: TeamScreen, period: str) -> None:
    table = screen.query_one("#team-table", DataTable)
    assert table.display and table.row_count == 4  # three reps and the total
    keys = [table.coordinate_to_cell_key((row, 0)).row_key.value for row in range(4)]
    assert keys == [ANN, BEN, BOSS, TOTAL]  # by name: "A Rep" (twice, by email), "Pat Boss"
    for rep, (kinds, touches, referrals, quiet, overrides) in EXPECTED[period].items():
        cells = _cells(table, rep)
        assert cells["Email"] == rep
        assert cells["By kind"] == kinds, (period, rep)
        assert int(cells["Touches"]) == touches, (period, rep)
        assert int(cells["Referrals"]) == referrals, (period, rep)
        assert int(cells["Quiet"]) == quiet, (period, rep)
        assert int(cells["Overrides"]) == overrides, (period, rep)
        assert int(cells["Overdue"]) == _overdue_on_the_board(app, rep), (period, rep)
    total = _cells(table, TOTAL)
    expected = EXPECTED[period].values()
    assert int(total["Touches"]) == sum(e[1] for e in expected)
    assert int(total["Referrals"]) == sum(e[2] for e in expected)
    assert int(total["Overrides"]) == sum(e[4] for e in expected)
    assert int(total["Overdue"]) == sum(_overdue_on_the_board(app, r) for r in (ANN, BEN, BOSS))


async def test_the_team_screen_shows_each_rep_s_week_and_month(team: Team, tmp_path: Path) -> None:
    app = make_team_app(tmp_path / "boss", team.urls[BOSS])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("T")
        screen = app.screen
        assert isinstance(screen, TeamScreen)
        assert "Loading this week…" in _text(screen, "#team-message")  # before the message
        await settle(pilot)
        summary = _text(screen, "#team-summary")
        assert "This week · Mon 23 Nov – Mon 23 Nov 2026 · 3 reps" in summary
        assert "1 partner with no owner" in summary
        assert not screen.query_one("#team-message").display
        _check_period(app, screen, "week")
        assert _overdue_on_the_board(app, ANN) >= 1  # the quiet SNF's check-in, long late

        # The highlighted rep in full: Ann first (Ann and Ben share a name: by email).
        detail = _text(screen, "#team-detail")
        assert f"A Rep <{ANN}> · 2 partners · touches: 1 call, 1 email" in detail
        assert "going quiet: Ann Quiet SNF" in detail
        await pilot.press("down")
        detail = _text(screen, "#team-detail")
        assert f"A Rep <{BEN}> · 1 partner · touches: 1 meeting" in detail
        assert "going quiet: none" in detail

        await pilot.press("m")
        assert "Loading this month…" in _text(screen, "#team-message")
        await settle(pilot)
        summary = _text(screen, "#team-summary")
        assert "This month · Sun 01 Nov – Mon 23 Nov 2026 · 3 reps" in summary
        _check_period(app, screen, "month")

        await pilot.press("m")
        await settle(pilot)
        assert "This week" in _text(screen, "#team-summary")
        _check_period(app, screen, "week")


async def test_a_colleague_s_write_and_ctrl_r_bring_the_figures_up_to_date(
    team: Team, tmp_path: Path
) -> None:
    app = make_team_app(tmp_path / "boss", team.urls[BOSS])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("T")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TeamScreen)
        table = screen.query_one("#team-table", DataTable)
        assert _cells(table, ANN)["By kind"] == "1 call, 1 email"

        # Ann logs another call on her laptop; the app hears of it (the poll, run here by
        # hand: the listener's work is the same call), and the screen reads again.
        team.ann.save(_touch("anncall00003", HOSPICE, "call", _at(11, 23, 14)))
        app.check_store()
        await settle(pilot)
        assert _cells(table, ANN)["By kind"] == "2 call, 1 email"
        assert _cells(table, TOTAL)["Touches"] == "4"

        # Ben's referral, and nothing tells the app: ctrl+r reads again.
        team.ben.save(_referral("rbenweek0001", CLINIC, date(2026, 11, 23)))
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert _cells(table, BEN)["Referrals"] == "1"
        assert _cells(table, TOTAL)["Referrals"] == "2"


async def test_on_a_rep_s_own_store_the_screen_says_what_it_needs(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("T")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TeamScreen)
        said = _text(screen, "#team-message")
        assert said.startswith("The Team screen needs a team store")
        assert "nurture team init" in said and "R (reports)" in said
        assert not screen.query_one("#team-table").display
        assert not screen.query_one("#team-summary").display
        await pilot.press("m")  # no period to switch: nothing happens, nothing breaks
        await settle(pilot)
        assert _text(screen, "#team-message") == said
        assert not any(n.severity == "error" for n in app._notifications)
        await pilot.press("escape")
        assert not isinstance(app.screen, TeamScreen)


async def test_while_the_team_database_is_away_the_screen_says_so(
    team: Team, team_db: TeamDatabase, tmp_path: Path
) -> None:
    proxy = CuttableProxy((team_db.host, team_db.port))
    url = make_url(team_db.url(password=team_db.password)).set(port=proxy.port)
    address = url.render_as_string(hide_password=False)
    session = Session(
        repo=open_store(tmp_path / "boss", url=address),
        settings=Settings(timezone="America/Chicago", store_url=address),
        clock=lambda: NOW,
    )
    # The poll every 0.2 s notices the cut, and the return.
    app = NurtureApp(
        session, playbook=load_playbook(default_playbook_text()), today=TODAY, watch_seconds=0.2
    )
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: app.board is not None and app.board.complete, "no board")
            await pilot.press("T")
            screen = app.screen
            assert isinstance(screen, TeamScreen)
            table = screen.query_one("#team-table", DataTable)
            await until(pilot, lambda: table.display, "no figures")
            assert _cells(table, ANN)["By kind"] == "1 call, 1 email"

            proxy.cut()
            await until(pilot, lambda: bool(app.read_only), "the app never noticed")
            summary = _text(screen, "#team-summary")
            assert summary.startswith(" team database unreachable — read-only ")
            assert table.display and _cells(table, ANN)["By kind"] == "1 call, 1 email"

            await pilot.press("m")  # the month was never loaded: nothing to show but why
            said = _text(screen, "#team-message")
            assert said.startswith("Team database unreachable — read-only (")
            assert "the figures show once it answers again" in said
            assert not table.display

            proxy.restore()
            await until(pilot, lambda: not app.read_only, "the app never came back")
            await until(pilot, lambda: table.display, "the month never came")
            assert "read-only" not in _text(screen, "#team-summary")
            assert _cells(table, ANN)["By kind"] == "2 call, 1 email, 1 gift"
            assert not any(n.severity == "error" for n in app._notifications)
    finally:
        proxy.close()
