"""The rep's flows, driven with the Pilot: keys in, state and screens out."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Select, Static

from nurture_tui.domain.kinds import Stage
from nurture_tui.ui.screens.agenda import AgendaScreen
from nurture_tui.ui.screens.board import BoardScreen
from nurture_tui.ui.screens.log_form import LogTouchForm
from nurture_tui.ui.screens.partner import PartnerScreen
from nurture_tui.ui.widgets.stage_column import StageColumn

from .helpers import make_app, settle


async def type_into(pilot, selector: str, text: str) -> None:  # type: ignore[no-untyped-def]
    pilot.app.screen.query_one(selector, Input).focus()
    await pilot.press(*list(text))


async def test_add_partner_and_contact_then_log_a_meeting(tmp_path: Path) -> None:
    app = make_app(tmp_path, demo=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("escape")  # the welcome dialog of an empty store
        await pilot.press("a")
        await settle(pilot)
        await type_into(pilot, "#partner-name", "Mercy General")
        await type_into(pilot, "#partner-domains", "mercy.org")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.board is not None and [c.name for c in app.board.cards] == ["Mercy General"]
        column = app.screen.query_one("#column-prospect", StageColumn)
        column.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PartnerScreen)
        await pilot.press("c")
        await settle(pilot)
        await type_into(pilot, "#contact-name", "Sam Ortiz")
        await type_into(pilot, "#contact-emails", "sam@mercy.org")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, LogTouchForm)
        form.query_one("#log-kind", Select).value = "meeting"
        await type_into(pilot, "#log-purpose", "care transitions")
        await pilot.press("ctrl+s")
        await settle(pilot)
        pid = app.board.cards[0].id
        touches = app.session.repo.touchpoints(pid)
        assert [t.kind.value for t in touches] == ["meeting"]
        assert touches[0].purpose == "care transitions"
        assert app.board.cards[0].days_since_touch == 0


async def test_referral_brings_a_thank_you_that_goes_when_done(tmp_path: Path) -> None:
    app = make_app(tmp_path, demo=None)
    async with app.run_test(size=(120, 40)) as pilot:
        from nurture_tui.services import records

        partner = records.add_partner(app.session, "Hope Hospice", "hospice", stage="engaged")
        app.reload_board()
        await settle(pilot)
        await pilot.press("escape")
        app.screen.query_one("#column-engaged", StageColumn).focus()
        await pilot.press("f")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert len(app.session.repo.referrals(partner.id)) == 1
        await pilot.press("g")
        await settle(pilot)
        agenda = app.screen
        assert isinstance(agenda, AgendaScreen)
        thanks = [a for a in agenda.actions if a.rule == "thank-you"]
        assert thanks and "no thank-you logged" in thanks[0].reason
        table = agenda.query_one(DataTable)
        table.move_cursor(row=agenda.actions.index(thanks[0]))
        await pilot.press("enter")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, LogTouchForm)
        assert form.query_one("#log-kind", Select).value == "thank-you"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, AgendaScreen)
        assert not [a for a in app.screen.actions if a.rule == "thank-you"]


async def test_a_gift_without_a_referral_warns_before_saving(tmp_path: Path) -> None:
    app = make_app(tmp_path, demo=None)
    async with app.run_test(size=(100, 40)) as pilot:
        from nurture_tui.services import records

        partner = records.add_partner(app.session, "Mercy", "hospital")
        await pilot.press("escape")
        app.push_screen(LogTouchForm(partner.id))
        await settle(pilot)
        app.screen.query_one("#log-kind", Select).value = "gift"
        await settle(pilot)
        warnings = str(app.screen.query_one("#log-warnings", Static).render())
        assert "No in-service they taught" in warnings
        assert app.session.repo.touchpoints(partner.id) == [], "nothing saved yet"


async def test_snooze_and_dismiss_from_the_agenda(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("g")
        await settle(pilot)
        agenda = app.screen
        assert isinstance(agenda, AgendaScreen)
        first = agenda.actions[0]
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("enter")  # "Tomorrow"
        await settle(pilot)
        assert first not in agenda.actions
        second = agenda.actions[0]
        await pilot.press("x")
        await settle(pilot)
        await pilot.press(*"they prefer email")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert second.key not in {
            a.key
            for a in agenda.actions
            if a.rule == second.rule and a.partner_id == second.partner_id
        }
        reasons = {d.reason for d in app.session.repo.dismissals()}
        assert "they prefer email" in reasons and "snoozed" in reasons


async def test_filter_and_search_the_board(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        board = app.screen
        assert isinstance(board, BoardScreen)
        await pilot.press("slash")
        await pilot.press(*"tier:A")
        await settle(pilot)
        shown = [c for s in Stage for c in board.column(s).cards]
        assert shown and all(c.tier.value == "A" for c in shown)
        target = shown[0].name
        search = board.query_one("#board-search", Input)
        search.value = target[:6]
        await settle(pilot)
        names = [c.name for s in Stage for c in board.column(s).cards]
        assert target in names
        await pilot.press("escape")
        await settle(pilot)
        total = sum(len(board.column(s).cards) for s in Stage)
        assert total == len(app.board.cards)  # type: ignore[union-attr]


async def test_move_a_partner_to_the_next_stage_with_a_key(tmp_path: Path) -> None:
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
        assert board.column(Stage.ENGAGED).current.id == moved.id  # type: ignore[union-attr]


async def test_the_board_refreshes_when_another_process_writes(tmp_path: Path) -> None:
    from nurture_tui.services import records
    from nurture_tui.services.session import Session
    from nurture_tui.store.opening import open_store

    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        before = len(app.board.cards)  # type: ignore[union-attr]
        other = Session(repo=open_store(tmp_path), settings=app.session.settings)
        records.add_partner(other, "Added Elsewhere", "payer")
        app.check_store()
        await settle(pilot)
        assert len(app.board.cards) == before + 1  # type: ignore[union-attr]


async def test_help_and_reports_open(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the report is written to the current folder
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert app.screen.__class__.__name__ == "HelpScreen"
        await pilot.press("escape")
        await pilot.press("R")
        await settle(pilot)
        assert app.screen.__class__.__name__ == "ReportsScreen"
        await pilot.press("e")
        await settle(pilot)
        exports = list(tmp_path.glob("nurture-report-*.csv"))
        assert exports and "P-" not in exports[0].read_text()


async def test_help_opens_at_its_top_again_after_being_scrolled(tmp_path: Path) -> None:
    from textual.containers import VerticalScroll

    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        scroll = app.screen.query_one(VerticalScroll)
        await pilot.press("end")
        await settle(pilot)
        assert scroll.scroll_y > 0  # help is longer than 24 lines: it did scroll
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert app.screen.__class__.__name__ == "HelpScreen"
        assert app.screen.query_one(VerticalScroll).scroll_y == 0


async def test_create_an_invite_from_the_agenda(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataclasses import replace

    monkeypatch.chdir(tmp_path)  # the .ics goes to the folder Nurture was started in
    app = make_app(tmp_path)
    app.session = replace(
        app.session,
        settings=replace(
            app.session.settings,
            rep_name="Alex Rivera",
            rep_email="alex@homecare.example",
            agency="Sunrise Home Care",
            zoom_url="https://zoom.us/j/1",
        ),
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("g")
        await settle(pilot)
        agenda = app.screen
        assert isinstance(agenda, AgendaScreen)
        action = agenda.actions[0]
        await pilot.press("i")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        written = list(tmp_path.glob("*.ics"))
        assert len(written) == 1 and b"BEGIN:VEVENT" in written[0].read_bytes()
        planned = [
            t for t in app.session.repo.touchpoints(action.partner_id) if t.source == "invite"
        ]
        assert len(planned) == 1 and planned[0].status.value == "planned"


async def test_assign_an_unmatched_person_from_the_sync_screen(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    app.session.repo.put_state(
        "unmatched:pat.lee@newclinic.org",
        {"email": "pat.lee@newclinic.org", "count": 2, "source": "google"},
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert app.screen.__class__.__name__ == "SyncScreen"
        await pilot.press("a")
        await settle(pilot)
        partner = app.board.cards[0]  # type: ignore[union-attr]
        await type_into(pilot, "#assign-search", partner.name)
        await settle(pilot)
        from textual.widgets import OptionList

        options = app.screen.query_one("#assign-partners", OptionList)
        options.focus()
        options.highlighted = 0
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        contact = app.session.repo.contact_by_email("pat.lee@newclinic.org")
        assert contact is not None and contact.partner_id == partner.id
        assert contact.name == "Pat Lee"
        await pilot.press("escape")


async def test_ignore_an_unmatched_person(tmp_path: Path) -> None:
    from nurture_tui.services import sync as sync_service

    app = make_app(tmp_path)
    app.session.repo.put_state(
        "unmatched:spam@list.example", {"email": "spam@list.example", "count": 1}
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        assert sync_service.unmatched_people(app.session) == []


async def test_edit_a_contact_from_the_partner_page(tmp_path: Path) -> None:
    from nurture_tui.services import records

    app = make_app(tmp_path, demo=None)
    async with app.run_test(size=(120, 40)) as pilot:
        partner = records.add_partner(app.session, "Hope Hospice", "hospice")
        contact = records.add_contact(app.session, partner.id, "Nora Baker")
        await pilot.press("escape")
        app.open_partner(partner.id)
        await settle(pilot)
        await pilot.press("E")
        await settle(pilot)
        await type_into(pilot, "#contact-milestone", "2026-11-27 promoted to director")
        app.screen.query_one("#contact-met").value = True  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
        updated = app.session.repo.contact(contact.id)
        assert updated.met_in_person
        assert [m.note for m in updated.milestones] == ["promoted to director"]
