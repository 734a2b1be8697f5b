"""Every form closes only when its write landed: a refusal keeps the form open with what
was typed and says why beside the field; the footer shows the form's own keys; Save and
Cancel stay in view on a 24-line terminal. Real SQLite store, driven with the Pilot."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import event
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Footer, Input, Select, Static
from textual.widgets._footer import FooterKey

from nurture_tui.domain.model import Partner
from nurture_tui.domain.playbook.facts import SuggestedAction
from nurture_tui.services import records
from nurture_tui.ui.app import NurtureApp
from nurture_tui.ui.screens.agenda import AgendaScreen
from nurture_tui.ui.screens.assign_person import AssignPersonForm
from nurture_tui.ui.screens.confirm import ConfirmScreen
from nurture_tui.ui.screens.contact_form import ContactForm
from nurture_tui.ui.screens.form import FormScreen
from nurture_tui.ui.screens.log_form import LogTouchForm
from nurture_tui.ui.screens.partner_form import PartnerForm
from nurture_tui.ui.screens.referral_form import ReferralForm
from nurture_tui.ui.screens.snooze import DismissForm, SnoozeForm

from .helpers import make_app, settle


def toasts(app: App[None]) -> list[str]:
    """The toasts shown, without the undo hint every change's toast ends with."""
    return [str(n.message).removesuffix("  (u: undo)") for n in app._notifications]


async def type_into(pilot: Pilot[None], selector: str, text: str) -> None:
    field = pilot.app.screen.query_one(selector, Input)
    field.focus()
    field.value = ""
    await pilot.press(*list(text))


def problem_beside(form: Screen[object], field_id: str) -> str:
    """The refusal shown right after ``field_id`` (the next cell pair of the form grid)."""
    field = form.query_one(f"#{field_id}")
    assert field.parent is not None
    siblings = list(field.parent.children)
    after = siblings[siblings.index(field) + 1 :]
    notes = [w for w in after[:2] if w.has_class("field-error")]
    assert notes, f"no message beside #{field_id}"
    return str(notes[0].render())


def visible(pilot: Pilot[None], widget: Widget) -> bool:
    """The widget is what the terminal shows at its own centre (not scrolled off or covered)."""
    region = widget.region
    if not region.area:
        return False
    x, y = region.center
    size = pilot.app.size
    if not (0 <= x < size.width and 0 <= y < size.height):
        return False
    shown, _ = pilot.app.screen.get_widget_at(int(x), int(y))
    return shown is widget or widget in shown.ancestors


async def first_partner(pilot: Pilot[None], app: NurtureApp) -> Partner:
    await settle(pilot)
    assert app.board is not None
    return app.session.repo.partner(app.board.cards[0].id)


def read_only(app: NurtureApp) -> None:
    """From now on SQLite itself refuses every write (``PRAGMA query_only``), as with a
    store on a read-only disk: reads still work."""
    engine = app.session.repo.engine  # type: ignore[attr-defined]
    engine.dispose()
    event.listen(engine, "connect", lambda conn, _record: conn.execute("PRAGMA query_only = ON"))


# ------------------------------------------------------------- a failed save
async def test_a_date_in_year_9999_keeps_the_log_form_open_with_what_was_typed(
    tmp_path: Path,
) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        partner = await first_partner(pilot, app)
        before = len(app.session.repo.touchpoints(partner.id))
        app.push_screen(LogTouchForm(partner.id))
        await settle(pilot)
        await type_into(pilot, "#log-purpose", "care transitions talk")
        await type_into(pilot, "#log-at", "9999-12-31 10:00")
        await pilot.press("ctrl+s")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, LogTouchForm), "the form stays open"
        assert form.query_one("#log-purpose", Input).value == "care transitions talk"
        assert form.query_one("#log-at", Input).value == "9999-12-31 10:00"
        assert "between 1900 and 2199" in problem_beside(form, "log-at")
        assert form.focused is form.query_one("#log-at")
        assert len(app.session.repo.touchpoints(partner.id)) == before
        # Fixing the date saves, closes, and the toast echoes the understood moment.
        await type_into(pilot, "#log-at", "2026-11-20 15:00")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, FormScreen)
        assert len(app.session.repo.touchpoints(partner.id)) == before + 1
        assert "Logged check-in for Fri 20 Nov 15:00" in toasts(app)
        assert str(list(app._notifications)[-1].message).endswith("(u: undo)")


async def test_a_refusal_from_the_write_itself_keeps_the_referral_form(tmp_path: Path) -> None:
    """The service (in the worker) refuses patient data in the detail: the form stays, the
    message sits beside the detail, nothing is recorded."""
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        partner = await first_partner(pilot, app)
        before = len(app.session.repo.referrals(partner.id))
        app.push_screen(ReferralForm(partner.id))
        await settle(pilot)
        await type_into(pilot, "#ref-service-detail", "DOB 03/14/1950 MRN 12345678")
        await pilot.press("ctrl+s")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ReferralForm)
        assert "patient data" in problem_beside(form, "ref-service-detail")
        assert form.query_one("#ref-service-detail", Input).value == "DOB 03/14/1950 MRN 12345678"
        assert len(app.session.repo.referrals(partner.id)) == before
        assert not any("Could not" in t or "went wrong" in t for t in toasts(app))


async def test_a_read_only_store_keeps_the_partner_form_open_and_says_why(
    tmp_path: Path,
) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.push_screen(PartnerForm())
        await settle(pilot)
        await type_into(pilot, "#partner-name", "Riverside Clinic")
        await type_into(pilot, "#partner-domains", "riverside.org")
        read_only(app)
        await pilot.press("ctrl+s")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, PartnerForm), "the form stays open"
        top = form.query_one("#form-error", Static)
        assert top.display and "read-only" in str(top.render())
        assert form.query_one("#partner-name", Input).value == "Riverside Clinic"
        assert form.query_one("#partner-domains", Input).value == "riverside.org"
        assert not form.query_one("#form-save", Button).disabled, "Save can be tried again"


@pytest.mark.parametrize(
    ("field_id", "typed", "words"),
    [
        ("contact-birthday", "9999-01-01", "between 1900 and 2199"),
        ("contact-emails", "not-an-email", "not an email address"),
        ("contact-name", "", "cannot be empty"),
    ],
)
async def test_contact_form_refusals_sit_beside_their_field(
    tmp_path: Path, field_id: str, typed: str, words: str
) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        partner = await first_partner(pilot, app)
        app.push_screen(ContactForm(partner.id))
        await settle(pilot)
        await type_into(pilot, "#contact-name", "Nora Baker")
        await type_into(pilot, "#contact-role", "Discharge Planner")
        await type_into(pilot, f"#{field_id}", typed)
        await pilot.press("ctrl+s")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ContactForm)
        assert words in problem_beside(form, field_id)
        assert form.query_one("#contact-role", Input).value == "Discharge Planner"


async def test_a_second_refusal_replaces_the_first(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        partner = await first_partner(pilot, app)
        app.push_screen(ContactForm(partner.id))
        await settle(pilot)
        await type_into(pilot, "#contact-birthday", "9999-01-01")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await type_into(pilot, "#contact-name", "Nora Baker")
        await type_into(pilot, "#contact-birthday", "1980-03-14")
        await type_into(pilot, "#contact-started", "someday")
        await pilot.press("ctrl+s")
        await settle(pilot)
        form = app.screen
        assert len(form.query(".field-error")) == 1
        assert "is not a start date" in problem_beside(form, "contact-started")


async def test_assigning_a_person_without_a_partner_says_so_beside_the_search(
    tmp_path: Path,
) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.push_screen(AssignPersonForm("pat.lee@newclinic.org"))
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, AssignPersonForm)
        assert "pick the partner" in problem_beside(form, "assign-search")


# -------------------------------------------------------- snooze and dismiss
async def agenda_action(pilot: Pilot[None], app: NurtureApp) -> SuggestedAction:
    await settle(pilot)
    await pilot.press("g")
    await settle(pilot)
    agenda = app.screen
    assert isinstance(agenda, AgendaScreen)
    return agenda.actions[0]


async def test_enter_in_why_dismisses_and_an_empty_reason_is_refused(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        action = await agenda_action(pilot, app)
        app.push_screen(DismissForm(action))
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, DismissForm), "an empty reason keeps the dialog"
        assert "a reason is needed" in problem_beside(form, "dismiss-why")
        assert not app.session.repo.dismissals()
        await pilot.press(*"they prefer email")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AgendaScreen)
        assert [d.reason for d in app.session.repo.dismissals()] == ["they prefer email"]


async def test_snooze_to_a_past_day_is_refused_beside_the_date(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        action = await agenda_action(pilot, app)
        app.push_screen(SnoozeForm(action))
        await settle(pilot)
        await type_into(pilot, "#snooze-date", "2026-11-01")
        await pilot.press("enter")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, SnoozeForm)
        assert "after today" in problem_beside(form, "snooze-date")
        await type_into(pilot, "#snooze-date", "2026-12-01")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AgendaScreen)
        assert "Snoozed until Tue 1 Dec" in toasts(app)


# ------------------------------------------------------------------ the keys
FormFactory = Callable[[NurtureApp, Partner, SuggestedAction], FormScreen]

FORMS: dict[str, FormFactory] = {
    "log": lambda app, p, a: LogTouchForm(p.id, kind="gift"),
    "referral": lambda app, p, a: ReferralForm(p.id),
    "partner_add": lambda app, p, a: PartnerForm(),
    "partner_edit": lambda app, p, a: PartnerForm(p),
    "contact": lambda app, p, a: ContactForm(p.id),
    "snooze": lambda app, p, a: SnoozeForm(a),
    "dismiss": lambda app, p, a: DismissForm(a),
    "assign": lambda app, p, a: AssignPersonForm("pat.lee@newclinic.org"),
}


async def open_form(pilot: Pilot[None], app: NurtureApp, name: str) -> FormScreen:
    action = await agenda_action(pilot, app)
    partner = app.session.repo.partner(action.partner_id)
    form = FORMS[name](app, partner, action)
    app.push_screen(form)
    await settle(pilot)
    assert app.screen is form
    return form


@pytest.mark.parametrize("name", list(FORMS))
async def test_the_footer_shows_the_forms_own_keys(tmp_path: Path, name: str) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        form = await open_form(pilot, app, name)
        footer = form.query_one(Footer)
        assert visible(pilot, footer)
        shown = [key.description for key in footer.query(FooterKey)]
        expected = ["Save", "Cancel", "Archive"] if name == "partner_edit" else ["Save", "Cancel"]
        assert shown == expected
        # The screen underneath (the agenda) keeps its keys to itself.
        assert not {"Snooze", "Dismiss", "Quit", "Board"} & set(shown)


@pytest.mark.parametrize("name", list(FORMS))
async def test_save_and_cancel_stay_in_view_at_80x24(tmp_path: Path, name: str) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        form = await open_form(pilot, app, name)
        for button_id in ("#form-save", "#form-cancel"):
            assert visible(pilot, form.query_one(button_id, Button)), button_id


async def test_choosing_gift_at_80x24_adds_the_warning_and_keeps_the_buttons(
    tmp_path: Path,
) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.board is not None
        quiet = next(c for c in app.board.cards if c.referrals_90d == 0)
        form = LogTouchForm(quiet.id)
        app.push_screen(form)
        await settle(pilot)
        await type_into(pilot, "#log-purpose", "thank them for the in-service")
        await settle(pilot)
        assert not form.query_one("#log-warnings").has_class("has-warnings")
        form.query_one("#log-kind", Select).value = "gift"
        await settle(pilot)
        warnings = str(form.query_one("#log-warnings", Static).render())
        assert "No in-service they taught" in warnings
        assert visible(pilot, form.query_one("#form-save", Button))
        assert visible(pilot, form.query_one("#form-cancel", Button))
        # The fields scroll under the fixed buttons: the last one can be brought into view.
        note = form.query_one("#log-linkedin")
        note.focus()
        await settle(pilot)
        assert visible(pilot, note)
        assert visible(pilot, form.query_one("#form-save", Button))


# -------------------------------------------- referral status, archive a partner
async def test_change_a_referrals_status_from_the_referral_form(tmp_path: Path) -> None:
    app = make_app(tmp_path, demo=None)
    async with app.run_test(size=(120, 40)) as pilot:
        partner = records.add_partner(app.session, "Hope Hospice", "hospice")
        referral = records.add_referral(app.session, partner.id, app.today)
        await pilot.press("escape")
        app.push_screen(ReferralForm(partner.id, referral_id=referral.id))
        await settle(pilot)
        form = app.screen
        assert form.query_one("#ref-status", Select).value == "received"
        assert referral.participant_ref in str(form.query_one("#ref-summary", Static).render())
        form.query_one("#ref-status", Select).value = "admitted"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, FormScreen)
        assert app.session.repo.referral(referral.id).status.value == "admitted"
        assert f"Referral {referral.participant_ref}: admitted" in toasts(app)


async def test_archive_a_partner_after_confirming_it_leaves_the_board(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        partner = await first_partner(pilot, app)
        app.open_partner(partner.id)
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, PartnerForm)
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # "no" keeps it
        await settle(pilot)
        assert isinstance(app.screen, PartnerForm)
        assert not app.session.repo.partner(partner.id).archived
        await pilot.press("ctrl+o")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert app.session.repo.partner(partner.id).archived
        assert app.board is not None and partner.id not in {c.id for c in app.board.cards}
        assert app.screen.__class__.__name__ == "BoardScreen", "its page closes too"
        assert f"Archived {partner.name}: it has left the board" in toasts(app)


async def test_a_new_partner_cannot_be_archived(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.push_screen(PartnerForm())
        await settle(pilot)
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert isinstance(app.screen, PartnerForm)
        assert not app.screen.query("#partner-archive")


# ------------------------------------------------- dates as people type them
@pytest.mark.parametrize(
    ("typed", "understood"),
    [
        ("yesterday 3pm", "Sun 22 Nov 15:00"),
        ("tue 10:00", "Tue 17 Nov 10:00"),  # a log is of the past: the latest Tuesday
        ("11/20 3:00 PM", "Fri 20 Nov 15:00"),
    ],
)
async def test_the_log_toast_echoes_the_date_as_understood(
    tmp_path: Path, typed: str, understood: str
) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        partner = await first_partner(pilot, app)
        app.push_screen(LogTouchForm(partner.id))
        await settle(pilot)
        await type_into(pilot, "#log-purpose", "discharge planning huddle")
        await type_into(pilot, "#log-at", typed)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, FormScreen)
        assert f"Logged check-in for {understood}" in toasts(app)


async def test_referral_received_yesterday_and_a_snooze_to_friday(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        action = await agenda_action(pilot, app)
        before = {r.id for r in app.session.repo.referrals(action.partner_id)}
        app.push_screen(ReferralForm(action.partner_id))
        await settle(pilot)
        await type_into(pilot, "#ref-received", "yesterday")
        await pilot.press("ctrl+s")
        await settle(pilot)
        # Ids are random: the new referral is the one that was not there before.
        [latest] = [r for r in app.session.repo.referrals(action.partner_id) if r.id not in before]
        assert any("(received Sun 22 Nov)" in t for t in toasts(app))
        assert latest.received.isoformat() == "2026-11-22"
        app.push_screen(SnoozeForm(action))
        await settle(pilot)
        await type_into(pilot, "#snooze-date", "fri")
        await pilot.press("enter")
        await settle(pilot)
        assert "Snoozed until Fri 27 Nov" in toasts(app)


async def test_a_birthday_without_a_year_is_kept_without_one(tmp_path: Path) -> None:
    from nurture_tui.domain.dates import MonthDay

    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        partner = await first_partner(pilot, app)
        app.push_screen(ContactForm(partner.id))
        await settle(pilot)
        await type_into(pilot, "#contact-name", "Nora Baker")
        await type_into(pilot, "#contact-birthday", "March 14")
        await pilot.press("ctrl+s")
        await settle(pilot)
        [nora] = [c for c in app.session.repo.contacts(partner.id) if c.name == "Nora Baker"]
        assert nora.birthday == MonthDay(3, 14)
        app.push_screen(ContactForm(partner.id, nora))
        await settle(pilot)
        assert app.screen.query_one("#contact-birthday", Input).value == "03-14"
