"""Every screen at 80x24 and 120x40, on seeded data with a frozen clock.

Update after an intended change with ``pytest tests/ui --snapshot-update`` and look at
the report before committing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot

from nurture_tui.ui.screens.log_form import LogTouchForm
from nurture_tui.ui.widgets.stage_column import StageColumn

from .helpers import NOW, make_app, settle

# team_db, memory_keyring and nurture: a team store on the suite's PostgreSQL server.
pytest_plugins = ["team_helpers"]

SIZES = [(80, 24), (120, 40)]
Steps = Callable[[Pilot[None]], Awaitable[None]]


def keys(*pressed: str) -> Steps:
    async def run(pilot: Pilot[None]) -> None:
        await settle(pilot)
        for key in pressed:
            await pilot.press(key)
            await settle(pilot)

    return run


async def twin_selected(pilot: Pilot[None]) -> None:
    """The board with one of two partners whose names collide once cut selected: their
    titles tell them apart, the detail line shows the full name and the whole reason."""
    await settle(pilot)
    column = pilot.app.screen.query_one("#column-prospect", StageColumn)
    for _ in column.cards:
        if column.current is not None and column.current.name.endswith(" 11"):
            break
        await pilot.press("down")
    assert column.current is not None and column.current.name.endswith(" 11")
    await settle(pilot)


async def gift_warning(pilot: Pilot[None]) -> None:
    await settle(pilot)
    app = pilot.app
    board = app.board  # type: ignore[attr-defined]
    partner = next(c for c in board.cards if c.referrals_90d == 0)
    await app.push_screen(LogTouchForm(partner.id, kind="gift"))
    await settle(pilot)


async def compliance_warning(pilot: Pilot[None]) -> None:
    """The log form for a $600 dinner to a demo physician (over the 2026 limit of $535):
    the compliance warning in bold, the playbook's don'ts after it."""
    from nurture_tui.domain.kinds import PHYSICIAN_CREDENTIALS

    await settle(pilot)
    app = pilot.app
    repo = app.session.repo  # type: ignore[attr-defined]
    board = app.board  # type: ignore[attr-defined]
    partner, doctor = next(
        (card, c)
        for card in board.cards
        for c in repo.contacts(card.id)
        if c.credential in PHYSICIAN_CREDENTIALS
    )
    await app.push_screen(LogTouchForm(partner.id, kind="gift", contact_id=doctor.id))
    await settle(pilot)
    for selector, text in (("#log-item", "dinner at Rosa's"), ("#log-value", "600")):
        app.screen.query_one(selector).focus()
        await pilot.press(*text)
    await settle(pilot)


async def save_anyway(pilot: Pilot[None]) -> None:
    """The one question before saving through a compliance warning."""
    await compliance_warning(pilot)
    await pilot.press("ctrl+s")
    await settle(pilot)


async def referral_status(pilot: Pilot[None]) -> None:
    """The referral form in edit mode, as the partner page's referral row opens it."""
    from nurture_tui.ui.screens.referral_form import ReferralForm

    await settle(pilot)
    app = pilot.app
    board = app.board  # type: ignore[attr-defined]
    partner = next(c for c in board.cards if c.referrals_90d)
    referral = app.session.repo.referrals(partner.id)[0]  # type: ignore[attr-defined]
    await app.push_screen(ReferralForm(partner.id, referral_id=referral.id))
    await settle(pilot)


def with_details(steps: Steps) -> Steps:
    """``steps`` with the rep's details set (an invite form otherwise asks for them first)."""

    async def run(pilot: Pilot[None]) -> None:
        from dataclasses import replace

        app = pilot.app
        app.session.settings = replace(  # type: ignore[attr-defined]
            app.session.settings,  # type: ignore[attr-defined]
            rep_name="Alex Rivera",
            rep_email="alex@sunrisehomecare.com",
            agency="Sunrise Home Care",
        )
        await steps(pilot)

    return run


async def details_screen(pilot: Pilot[None]) -> None:
    await settle(pilot)
    pilot.app.action_show_details()  # type: ignore[attr-defined]
    await settle(pilot)


async def sync_screen(pilot: Pilot[None]) -> None:
    from nurture_tui.services.sync import record_status
    from nurture_tui.sync.runner import SyncReport

    await settle(pilot)
    app = pilot.app
    session = app.session  # type: ignore[attr-defined]
    session.repo.put_state(
        "unmatched:pat.lee@newclinic.org",
        {
            "email": "pat.lee@newclinic.org",
            "count": 3,
            "last_seen": "2026-11-20T10:00:00",
            "source": "google",
        },
    )
    session.repo.put_state("source:google", {"enabled": True})
    record_status(session, SyncReport("google", created=12, updated=2, unmatched=1), NOW)
    record_status(
        session,
        SyncReport(
            "outlook",
            status="SignInRequired",
            message="the Outlook sign-in expired or was revoked — sign in again with "
            "`nurture auth outlook`",
        ),
        NOW,
    )
    await pilot.press("y")
    await settle(pilot)


SCREENS: dict[str, Steps] = {
    "board": keys(),
    "board_search": keys("slash", "t", "i", "e", "r", ":", "A"),
    "board_dormant": keys("z"),
    "board_twins": twin_selected,
    "agenda": keys("g"),
    "partner": keys("enter"),
    "partner_suggestions": keys("enter", "2"),
    "timeline_record": keys("enter", "enter"),
    "timeline_record_delete": keys("enter", "enter", "d"),
    "timeline_touch_edit": keys("enter", "down", "enter", "e"),
    "log_form_gift_warning": gift_warning,
    "log_form_compliance_warning": with_details(compliance_warning),
    "log_form_save_anyway": with_details(save_anyway),
    "contact_form": keys("enter", "c"),
    "referral_form": keys("f"),
    "partner_form": keys("a"),
    "snooze": keys("g", "s"),
    "dismiss": keys("g", "x"),
    "dismiss_needs_a_reason": keys("g", "x", "enter"),
    "referral_status": referral_status,
    "partner_archive_confirm": keys("enter", "e", "ctrl+o"),
    "invite_form": with_details(keys("g", "i")),
    "invite_asks_details": keys("g", "i"),
    "details": details_screen,
    "help": keys("question_mark"),
    "reports": keys("R"),
    # The demo's gifts are of last year: "[" shows them.
    "reports_compliance": with_details(keys("R", "2", "left_square_bracket")),
    "sync": sync_screen,
    "team_on_own_store": keys("T"),  # the Team screen says what it needs, in one line
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", list(SCREENS))
def test_screen(  # type: ignore[no-untyped-def]
    snap_compare, tmp_path: Path, name: str, size: tuple[int, int], monkeypatch
) -> None:
    if "details" in name:  # the form shows config.toml's path: the same one on every run
        monkeypatch.setenv("NURTURE_CONFIG_DIR", "/tmp/nurture-snapshots/config")
    assert snap_compare(make_app(tmp_path), terminal_size=size, run_before=SCREENS[name])


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_welcome_on_an_empty_store(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(tmp_path, demo=None), terminal_size=size, run_before=keys())


# ------------------------------------------------------------------- a team store
# The seeded agency on a real PostgreSQL team store, its partners owned by Ann, by Ben and
# by nobody: Ann's own board and agenda, everyone's board, the boss's owner form, and the
# boss's Team screen (this week; this month with Ben highlighted).
TEAM_SCREENS: dict[str, tuple[str, Steps]] = {
    "team_board": ("ann@agency.org", keys()),
    "team_board_everyone": ("ann@agency.org", keys("e")),
    "team_agenda": ("ann@agency.org", keys("g")),
    "team_owner_form": ("boss@agency.org", keys("e", "o")),
    "team_report": ("boss@agency.org", keys("T")),
    "team_report_month": ("boss@agency.org", keys("T", "m", "down")),
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", list(TEAM_SCREENS))
def test_team_screen(  # type: ignore[no-untyped-def]
    snap_compare,
    tmp_path: Path,
    name: str,
    size: tuple[int, int],
    team_db,
    memory_keyring,
    nurture,
    monkeypatch,
) -> None:
    from team_helpers import seed_team, share_demo_owners

    from .helpers import make_team_app, seed_team_demo

    urls = seed_team(nurture, team_db, monkeypatch)
    seed_team_demo(tmp_path / "seed", urls["boss@agency.org"])
    share_demo_owners(team_db)
    rep, steps = TEAM_SCREENS[name]
    app = make_team_app(tmp_path / "rep", urls[rep])
    assert snap_compare(app, terminal_size=size, run_before=steps)
