"""The agenda as a day's plan (issue 12), driven with the Pilot: the plan by default, `a`
for everything, the whole reason on the detail line, priorities in words, `/` with the
board's filter language, one key to take a stage suggestion, invites prefilled from the
suggestion, and the palette finding actions."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo

from textual.command import CommandPalette
from textual.widgets import DataTable, Input, Select, Static

from builders import history, partner, referral
from nurture_tui.domain.kinds import Stage
from nurture_tui.domain.playbook.config import load_playbook
from nurture_tui.domain.playbook.engine import suggest
from nurture_tui.domain.playbook.facts import DUE, URGENT, WHEN_YOU_CAN, SuggestedAction
from nurture_tui.services import records
from nurture_tui.services.board import Health, PartnerCard
from nurture_tui.services.playbook import default_playbook_text
from nurture_tui.ui.app import NurtureApp
from nurture_tui.ui.filtering import CardFilter
from nurture_tui.ui.screens.agenda import AGENDA_ROWS, AgendaScreen, action_matches

from .helpers import TODAY, make_app, settle


def screen_text(app: object) -> str:
    svg = app.export_screenshot()  # type: ignore[attr-defined]
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


def agenda_of(app: NurtureApp) -> AgendaScreen:
    screen = app.screen
    assert isinstance(screen, AgendaScreen)
    return screen


def cursor_to(agenda: AgendaScreen, action: SuggestedAction) -> None:
    agenda.query_one(DataTable).move_cursor(row=agenda.actions.index(action))


def detail(agenda: AgendaScreen) -> str:
    return str(agenda.query_one("#agenda-detail", Static).render())


async def test_the_agenda_opens_on_todays_plan_and_a_shows_everything(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("g")
        await settle(pilot)
        agenda = agenda_of(app)
        board = app.board
        assert board is not None and board.plan is not None
        assert agenda.actions == board.plan.actions
        assert 0 < len(agenda.actions) <= 12
        assert len({a.partner_id for a in agenda.actions}) == len(agenda.actions)
        assert len(board.agenda) > len(agenda.actions), "the plan is a cut, not everything"
        summary = str(agenda.query_one("#agenda-summary", Static).render())
        assert summary.startswith("Today's plan · Mon 23 Nov · ")
        await pilot.press("a")
        await settle(pilot)
        assert agenda.actions == board.agenda[:AGENDA_ROWS]
        assert str(agenda.query_one("#agenda-summary", Static).render()).startswith(
            "All suggestions"
        )
        await pilot.press("a")
        await settle(pilot)
        assert agenda.actions == board.plan.actions


async def test_priorities_are_words_and_the_whole_reason_is_on_the_detail_line(
    tmp_path: Path,
) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("g", "a")
        await settle(pilot)
        agenda = agenda_of(app)
        table = agenda.query_one(DataTable)
        words = {str(table.get_row_at(i)[0]) for i in range(table.row_count)}
        assert words <= {URGENT, DUE, WHEN_YOU_CAN} and URGENT in words
        longest = max(agenda.actions[:15], key=lambda a: len(a.reason))
        assert len(longest.reason) > 40, "a reason the 80-column table cannot hold"
        cursor_to(agenda, longest)
        await settle(pilot)
        assert longest.reason in detail(agenda)
        assert f"{longest.priority:.1f}" not in screen_text(app), "no number on screen"


async def test_slash_filters_with_the_boards_language_and_escape_leaves_it(
    tmp_path: Path,
) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("g", "a")
        await settle(pilot)
        agenda = agenda_of(app)
        board = app.board
        assert board is not None
        tiers = {c.id: c.tier.value for c in board.cards}
        await pilot.press("slash", *"tier:A")
        await settle(pilot)
        assert agenda.actions and {tiers[a.partner_id] for a in agenda.actions} == {"A"}
        expected = [a for a in board.agenda if tiers[a.partner_id] == "A"]
        assert agenda.actions == expected[:AGENDA_ROWS]
        summary = str(agenda.query_one("#agenda-summary", Static).render())
        assert summary.startswith(f"{len(expected):,} match")
        await pilot.press("enter")  # back to the table, the filter stays
        assert isinstance(app.focused, DataTable)
        await pilot.press("escape")  # leaves the filter, box and all
        await settle(pilot)
        search = agenda.query_one("#agenda-search", Input)
        assert not search.display and search.value == "" and not agenda.filter.active
        await pilot.press("a")  # a hidden box takes no keys: `a` toggles the view
        await settle(pilot)
        assert search.value == "" and agenda.actions == board.plan.actions  # type: ignore[union-attr]
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, AgendaScreen)


def test_plain_words_match_the_name_or_the_action() -> None:
    p = partner(tier="A")
    actions = suggest(
        [history(p, referrals=[referral(p, 3)])],
        TODAY,
        ZoneInfo("UTC"),
        load_playbook(default_playbook_text()),
    )
    card = PartnerCard(p.id, p.name, p.kind, p.tier, p.stage, None, (), 3, Health.DUE, 1, None)
    thanks = next(a for a in actions if a.kind == "thank-you")
    assert action_matches(CardFilter.parse("thank"), thanks, card)
    assert action_matches(CardFilter.parse("mercy tier:a"), thanks, card)
    assert not action_matches(CardFilter.parse("tier:b"), thanks, card)
    assert not action_matches(CardFilter.parse("webinar"), thanks, card)
    assert not action_matches(CardFilter.parse("thank"), thanks, None)


async def test_one_match_is_said_in_the_singular(tmp_path: Path) -> None:
    app = make_app(tmp_path, demo=None)
    partner = records.add_partner(app.session, "Hope Hospice", "hospice", stage="engaged")
    records.add_referral(app.session, partner.id, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("escape", "g", "a")
        await settle(pilot)
        await pilot.press("slash", *"thank")
        await settle(pilot)
        summary = str(agenda_of(app).query_one("#agenda-summary", Static).render())
        assert summary.startswith("1 matches the filter · ")


async def test_y_or_enter_on_a_stage_suggestion_moves_the_stage(tmp_path: Path) -> None:
    """ "First referral arrived 23 Nov; move from prospect to referring?" takes one key."""
    app = make_app(tmp_path, demo=None)
    first = records.add_partner(app.session, "Hope Hospice", "hospice", stage="prospect")
    second = records.add_partner(app.session, "Mercy General", "hospital", stage="engaged")
    for p in (first, second):
        records.add_referral(app.session, p.id, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("escape", "g", "a")
        await settle(pilot)
        agenda = agenda_of(app)
        thanks = next(a for a in agenda.actions if a.kind == "thank-you")
        cursor_to(agenda, thanks)
        await settle(pilot)
        assert "enter or y" not in detail(agenda)
        hint = next(a for a in agenda.actions if a.partner_id == first.id and a.suggested_stage)
        assert hint.reason == "First referral arrived 23 Nov; move from prospect to referring?"
        cursor_to(agenda, hint)
        await settle(pilot)
        assert "enter or y: move to referring" in detail(agenda)
        await pilot.press("y")
        await settle(pilot)
        assert app.session.repo.partner(first.id).stage is Stage.REFERRING
        other = next(a for a in agenda.actions if a.partner_id == second.id and a.suggested_stage)
        cursor_to(agenda, other)
        await pilot.press("enter")
        await settle(pilot)
        assert app.session.repo.partner(second.id).stage is Stage.REFERRING
        assert isinstance(app.screen, AgendaScreen), "no form: the move is the whole action"


async def test_y_elsewhere_does_not_move_a_stage(tmp_path: Path) -> None:
    app = make_app(tmp_path, demo=None)
    p = records.add_partner(app.session, "Hope Hospice", "hospice", stage="prospect")
    records.add_referral(app.session, p.id, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("escape", "g", "a")
        await settle(pilot)
        agenda = agenda_of(app)
        cursor_to(agenda, next(a for a in agenda.actions if a.kind == "thank-you"))
        await pilot.press("y")  # the app's own `y` (sync), not a stage move
        await settle(pilot)
        assert app.session.repo.partner(p.id).stage is Stage.PROSPECT
        assert app.screen.__class__.__name__ == "SyncScreen"


async def test_an_invite_from_the_agenda_names_the_partner_contact_and_kind(
    tmp_path: Path,
) -> None:
    from nurture_tui.ui.screens.invite_form import InviteForm

    app = make_app(tmp_path)
    details = replace(
        app.session.settings,
        rep_name="Alex Rivera",
        rep_email="alex@homecare.example",
        agency="Sunrise Home Care",
    )
    app.session = replace(app.session, settings=details)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("g", "a")
        await settle(pilot)
        agenda = agenda_of(app)
        for kind, expected in (
            ("appreciation-event", "appreciation-event"),
            ("check-in", "check-in"),
            ("referral-ask", "check-in"),  # a talk, not a meeting kind of its own
            ("participant-update", "check-in"),  # names a contact
        ):
            action = next(a for a in agenda.actions if a.kind == kind)
            cursor_to(agenda, action)
            await pilot.press("i")
            await settle(pilot)
            form = app.screen
            assert isinstance(form, InviteForm)
            assert form.partner_id == action.partner_id
            assert form.contact_id == action.contact_id
            assert form.query_one("#invite-kind", Select).value == expected
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen is agenda
        assert any(a.contact_id for a in agenda.actions if a.kind == "participant-update")


async def test_the_palette_finds_actions_and_opens_the_agenda_on_one(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        board = app.board
        assert board is not None
        wanted = [a for a in board.agenda if a.kind == "thank-you"]
        assert wanted, "the demo has a thank-you to find"
        await pilot.press("ctrl+p")
        await settle(pilot)
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        await pilot.press(*"thank-you")
        await pilot.wait_for_scheduled_animations()
        await settle(pilot)
        shown = screen_text(app)
        assert f"thank-you: {wanted[0].partner}" in shown
        await pilot.press("enter")
        await settle(pilot)
        agenda = agenda_of(app)
        table = agenda.query_one(DataTable)
        assert agenda.actions[table.cursor_row].kind == "thank-you"
        assert wanted[0].reason in detail(agenda)


async def test_the_plan_is_the_reps_own_and_an_owner_name_is_text(tmp_path: Path) -> None:
    """With config naming the rep, the plan holds only their partners; the owner's name is
    shown as typed, never read as markup."""
    app = make_app(tmp_path, demo=None)
    owner = "[b]Al[/b]"
    app.session = replace(app.session, settings=replace(app.session.settings, rep_name=owner))
    mine = records.add_partner(app.session, "Hope Hospice", "hospice", owner=owner)
    theirs = records.add_partner(app.session, "Mercy General", "hospital", owner="jordan")
    for p in (mine, theirs):
        records.add_referral(app.session, p.id, TODAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("escape", "g")
        await settle(pilot)
        agenda = agenda_of(app)
        assert {a.partner_id for a in agenda.actions} == {mine.id}
        assert f"Today's plan for {owner} · " in screen_text(app)
        await pilot.press("a")
        await settle(pilot)
        assert {a.partner_id for a in agenda.actions} == {mine.id, theirs.id}
