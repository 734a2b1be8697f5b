"""Undo (`u`), and a timeline row opened to edit, re-status or delete it (issue 12)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from textual.widgets import DataTable, Input, Select

from nurture_tui.domain.kinds import ReferralStatus, Stage
from nurture_tui.domain.model import Partner
from nurture_tui.services import records
from nurture_tui.ui.app import NurtureApp
from nurture_tui.ui.screens.board import BoardScreen
from nurture_tui.ui.screens.confirm import ConfirmScreen
from nurture_tui.ui.screens.record import RecordScreen
from nurture_tui.ui.screens.referral_form import ReferralForm
from nurture_tui.ui.screens.touch_edit import TouchEditForm

from .helpers import NOW, make_app, settle


def _mercy(app: NurtureApp) -> Partner:
    partner = records.add_partner(app.session, "Mercy General", "hospital")
    records.add_contact(app.session, partner.id, "Sam Ortiz")
    return partner


async def _open_timeline_row(app: NurtureApp, pilot, partner_id: str, row: int = 0) -> None:  # type: ignore[no-untyped-def]
    app.open_partner(partner_id)
    await settle(pilot)
    table = app.screen.query_one("#timeline", DataTable)
    table.focus()
    table.move_cursor(row=row)
    await pilot.press("enter")
    await settle(pilot)


async def test_u_undoes_a_stage_move_and_again_redoes_it(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        board = app.screen
        assert isinstance(board, BoardScreen)
        column = board.column(Stage.PROSPECT)
        column.focus()
        moved = column.current
        assert moved is not None
        await pilot.press("greater_than_sign")
        await settle(pilot)
        assert app.session.repo.partner(moved.id).stage is Stage.ENGAGED
        assert any("u: undo" in n.message for n in app._notifications)
        await pilot.press("u")
        await settle(pilot)
        assert app.session.repo.partner(moved.id).stage is Stage.PROSPECT
        assert any(n.message.startswith("Undid: Moved") for n in app._notifications)
        await pilot.press("u")
        await settle(pilot)
        assert app.session.repo.partner(moved.id).stage is Stage.ENGAGED
        assert any(n.message.startswith("Redid: Moved") for n in app._notifications)


async def test_u_with_nothing_to_undo_says_so(tmp_path: Path) -> None:
    app = make_app(tmp_path)  # the demo replaced the store: nothing before it to undo
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        assert any("can't be undone" in n.message for n in app._notifications)


async def test_delete_a_touch_from_the_timeline_with_confirmation(tmp_path: Path) -> None:
    app = make_app(tmp_path, demo=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("escape")
        mercy = _mercy(app)
        draft = records.draft_touchpoint(app.session, mercy.id, "call", note="voicemail")
        touch = records.save_touchpoint(app.session, draft)
        await _open_timeline_row(app, pilot, mercy.id)
        assert isinstance(app.screen, RecordScreen)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # kept
        await settle(pilot)
        assert [t.id for t in app.session.repo.touchpoints(mercy.id)] == [touch.id]
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert list(app.session.repo.touchpoints(mercy.id)) == []
        await pilot.press("u")
        await settle(pilot)
        assert [t.id for t in app.session.repo.touchpoints(mercy.id)] == [touch.id]


async def test_edit_a_touch_from_the_timeline(tmp_path: Path) -> None:
    app = make_app(tmp_path, demo=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("escape")
        mercy = _mercy(app)
        at = NOW - timedelta(days=1)
        draft = records.draft_touchpoint(app.session, mercy.id, "call", at=at, note="voicemail")
        touch = records.save_touchpoint(app.session, draft)
        await _open_timeline_row(app, pilot, mercy.id)
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, TouchEditForm)
        assert form.query_one("#log-note", Input).value == "voicemail"
        form.query_one("#log-kind", Select).value = "meeting"
        note = form.query_one("#log-note", Input)
        note.value = "met at the nurses' station"
        await pilot.press("ctrl+s")
        await settle(pilot)
        [edited] = app.session.repo.touchpoints(mercy.id)
        assert edited.id == touch.id and edited.kind.value == "meeting"
        assert edited.note == "met at the nurses' station" and edited.at == touch.at


async def test_a_refused_edit_keeps_the_form_open(tmp_path: Path) -> None:
    app = make_app(tmp_path, demo=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("escape")
        mercy = _mercy(app)
        touch = records.save_touchpoint(
            app.session, records.draft_touchpoint(app.session, mercy.id, "call")
        )
        await _open_timeline_row(app, pilot, mercy.id)
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, TouchEditForm)
        form.query_one("#log-at", Input).value = "9999-12-31 10:00"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert app.session.repo.touchpoint(touch.id) == touch


async def test_change_a_referral_status_and_delete_it(tmp_path: Path) -> None:
    app = make_app(tmp_path, demo=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("escape")
        mercy = _mercy(app)
        referral = records.add_referral(app.session, mercy.id, date(2026, 11, 20))
        await _open_timeline_row(app, pilot, mercy.id)
        assert isinstance(app.screen, RecordScreen)
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ReferralForm)
        form.query_one("#ref-status", Select).value = "admitted"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.session.repo.referral(referral.id).status is ReferralStatus.ADMITTED
        await _open_timeline_row(app, pilot, mercy.id)
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert app.session.repo.referrals(mercy.id) == []
