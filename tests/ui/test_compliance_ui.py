"""Issue 14 in the TUI: the log form warns live when a gift to a physician goes over
Stark's yearly limit, Save asks once before saving through a compliance warning (and the
saved touch says who overrode what), the contact form records a credential, the reports
screen's Compliance tab lists every override, and hostile input stays harmless.

Real SQLite store, seeded demo data, frozen clock (2026-11-23); driven with the Pilot and
waited on with ``settle`` (workers done, their messages handled), never with sleeps.
"""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Button, Input, Select, Static

from nurture_tui.domain.kinds import Credential
from nurture_tui.domain.model import Contact, Partner
from nurture_tui.services import records
from nurture_tui.ui.app import NurtureApp
from nurture_tui.ui.screens.confirm import ConfirmScreen
from nurture_tui.ui.screens.contact_form import ContactForm
from nurture_tui.ui.screens.form import FormScreen
from nurture_tui.ui.screens.log_form import LogTouchForm, SaveAnywayScreen
from nurture_tui.ui.screens.record import RecordScreen
from nurture_tui.ui.screens.reports import ReportsScreen

from .helpers import make_app, settle
from .test_forms import problem_beside, toasts, type_into, visible

REP = "Alex Rivera"


def shown(widget: Static) -> str:
    """What a Static shows, as plain text (its content may be a group of renderables)."""
    console = Console(width=120, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()


def with_physician(app: NurtureApp, name: str = "Dr. Lena Ortiz") -> tuple[Partner, Contact]:
    """A physician practice with one MD, and the rep's name set (overrides name them)."""
    session = app.session
    session.settings = replace(session.settings, rep_name=REP)
    practice = records.add_partner(session, "Lakeside Internal Medicine", "physician-practice")
    doctor = records.add_contact(session, practice.id, name, role="Internist", credential="md")
    return practice, doctor


async def open_gift_form(pilot: Pilot[None], partner: Partner, contact: Contact) -> LogTouchForm:
    await settle(pilot)
    form = LogTouchForm(partner.id, kind="gift", contact_id=contact.id)
    pilot.app.push_screen(form)
    await settle(pilot)
    assert pilot.app.screen is form
    return form


def warnings_shown(form: FormScreen) -> str:
    return str(form.query_one("#log-warnings", Static).render())


async def gift_over_the_limit(
    pilot: Pilot[None], partner: Partner, doctor: Contact
) -> LogTouchForm:
    """The log form for a $600 dinner to an MD (the 2026 limit is $535), warnings shown."""
    form = await open_gift_form(pilot, partner, doctor)
    await type_into(pilot, "#log-item", "dinner at Rosa's")
    await type_into(pilot, "#log-value", "600")
    await settle(pilot)
    return form


async def test_a_value_over_the_limit_warns_live_and_save_asks_first(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        practice, doctor = with_physician(app)
        form = await open_gift_form(pilot, practice, doctor)
        await type_into(pilot, "#log-value", "40")
        await settle(pilot)
        assert "yearly limit" not in warnings_shown(form), "$40 is well under the limit"
        assert not form.query_one("#log-warnings").has_class("has-compliance")
        await type_into(pilot, "#log-value", "600")
        await settle(pilot)
        shown = warnings_shown(form)
        assert "⚠ Dr. Lena Ortiz (a physician) has had $0.00 in 2026" in shown
        assert "$535.00 yearly limit" in shown and "over by $65.00" in shown
        assert form.query_one("#log-warnings").has_class("has-compliance")
        assert visible(pilot, form.query_one("#form-save", Button))
        await pilot.press("ctrl+s")
        await settle(pilot)
        confirm = app.screen
        assert isinstance(confirm, SaveAnywayScreen), "Save asks before saving through"
        question = str(confirm.query_one("#confirm-question", Static).render())
        assert f"recorded as overridden by {REP}" in question
        assert "the compliance report lists it." in question
        assert app.session.repo.touchpoints(practice.id) == [], "nothing saved yet"


async def test_confirming_saves_with_the_override_recorded(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        practice, doctor = with_physician(app)
        await gift_over_the_limit(pilot, practice, doctor)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, SaveAnywayScreen)
        await pilot.press("enter")  # Save anyway is the focused answer
        await settle(pilot)
        assert not isinstance(app.screen, (FormScreen, ConfirmScreen))
        [touch] = app.session.repo.touchpoints(practice.id)
        assert touch.value_cents == 600_00 and touch.item == "dinner at Rosa's"
        assert touch.contact_ids == (doctor.id,)
        rules = [o.rule for o in touch.overrides]
        assert "stark-yearly-limit" in rules
        assert all(o.by == REP for o in touch.overrides)
        said = [t for t in toasts(app) if t.startswith("Logged gift")]
        assert said and f"recorded as overridden by {REP}" in said[-1]
        assert str(list(app._notifications)[-1].message).endswith("(u: undo)")
        # The record shows what was given and who overrode what.
        app.push_screen(RecordScreen("touchpoint", touch.id))
        await settle(pilot)
        body = str(app.screen.query_one("#record-body", Static).render())
        assert "$600.00" in body and "dinner at Rosa's" in body
        assert f"by {REP} on 2026-11-23" in body and "yearly limit" in body


async def test_escape_from_the_question_keeps_the_form_and_what_was_typed(
    tmp_path: Path,
) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        practice, doctor = with_physician(app)
        form = await gift_over_the_limit(pilot, practice, doctor)
        await type_into(pilot, "#log-purpose", "retirement dinner")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, SaveAnywayScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert pilot.app.screen is form, "back to the form"
        assert form.query_one("#log-value", Input).value == "600"
        assert form.query_one("#log-item", Input).value == "dinner at Rosa's"
        assert form.query_one("#log-purpose", Input).value == "retirement dinner"
        assert not form.query_one("#form-save", Button).disabled, "Save can be tried again"
        assert app.session.repo.touchpoints(practice.id) == []
        # Asked again, "y" saves.
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert len(app.session.repo.touchpoints(practice.id)) == 1


async def test_a_value_that_is_not_an_amount_is_refused_beside_the_value(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        practice, doctor = with_physician(app)
        form = await open_gift_form(pilot, practice, doctor)
        await type_into(pilot, "#log-value", "abc")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form, "no question: nothing can be judged, the save refuses"
        assert "not an amount" in problem_beside(form, "log-value")
        assert form.query_one("#log-value", Input).value == "abc"
        assert app.session.repo.touchpoints(practice.id) == []


async def test_the_contact_form_saves_a_credential_and_an_npi(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        practice, _ = with_physician(app)
        await settle(pilot)
        app.push_screen(ContactForm(practice.id))
        await settle(pilot)
        form = app.screen
        assert visible(pilot, form.query_one("#form-save", Button))
        await type_into(pilot, "#contact-name", "Sam Patel")
        form.query_one("#contact-credential", Select).value = "np"
        await type_into(pilot, "#contact-npi", "1234567893")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, FormScreen)
        [sam] = [c for c in app.session.repo.contacts(practice.id) if c.name == "Sam Patel"]
        assert sam.credential is Credential.NP
        assert sam.npi == "1234567893"
        # Editing shows them again, and clearing the credential unsets it.
        app.push_screen(ContactForm(practice.id, sam))
        await settle(pilot)
        edit = app.screen
        assert edit.query_one("#contact-credential", Select).value == "np"
        assert edit.query_one("#contact-npi", Input).value == "1234567893"
        edit.query_one("#contact-credential", Select).clear()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.session.repo.contact(sam.id).credential is None


async def test_a_bad_npi_is_refused_beside_the_npi(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        practice, _ = with_physician(app)
        await settle(pilot)
        app.push_screen(ContactForm(practice.id))
        await settle(pilot)
        form = app.screen
        await type_into(pilot, "#contact-name", "Sam Patel")
        await type_into(pilot, "#contact-npi", "12345")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "NPI" in problem_beside(form, "contact-npi").upper()


async def test_the_compliance_tab_lists_the_override(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        practice, doctor = with_physician(app)
        await gift_over_the_limit(pilot, practice, doctor)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)
        assert isinstance(app.screen, ReportsScreen)
        await pilot.press("2")
        await settle(pilot)
        body = shown(app.screen.query_one("#compliance-body", Static))
        first = body.split("\n\n")[1]
        assert first.startswith("Dr. Lena Ortiz, MD · Lakeside Internal Medicine · physician")
        assert "2026-11-23" in first and "$600.00" in first and "dinner at Rosa's" in first
        assert "limit $535.00" in first and "remaining $0.00" in first
        assert "OVER BY $65.00" in first
        assert f"⚠ overridden by {REP} on 2026-11-23" in first
        # Another year has nothing of this; ] comes back.
        await pilot.press("left_square_bracket")
        await settle(pilot)
        before = shown(app.screen.query_one("#compliance-body", Static))
        assert before.startswith("2025") and "Dr. Lena Ortiz" not in before
        await pilot.press("right_square_bracket")
        await settle(pilot)
        again = shown(app.screen.query_one("#compliance-body", Static))
        assert "Dr. Lena Ortiz" in again


async def test_the_compliance_tab_exports_its_csv_beside_an_earlier_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "nurture-compliance-2026.csv").write_text("earlier\n")
    app = make_app(tmp_path / "store")
    async with app.run_test(size=(120, 40)) as pilot:
        practice, doctor = with_physician(app)
        await gift_over_the_limit(pilot, practice, doctor)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        await pilot.press("R", "2")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert (tmp_path / "nurture-compliance-2026.csv").read_text() == "earlier\n"
        said = [t for t in toasts(app) if t.startswith("Compliance report 2026 saved to ")]
        assert said, toasts(app)
        written = Path(said[-1].removeprefix("Compliance report 2026 saved to "))
        assert written.is_absolute() and written.parent == tmp_path
        assert "Dr. Lena Ortiz" in written.read_text() and REP in written.read_text()


async def test_a_hostile_contact_name_shows_as_plain_text(tmp_path: Path) -> None:
    """Escape codes, a bidi override and markup in a name: stored cleaned, shown as text
    in the log form's contact choice, the warning and the compliance tab."""
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        practice, doctor = with_physician(app, "\x1b[31mDr. [b]Evil[/b]\u202e Ortiz\x07")
        stored = app.session.repo.contact(doctor.id).name
        assert not any(ch in stored for ch in "\x1b\u202e\x07")
        form = await gift_over_the_limit(pilot, practice, doctor)
        chosen = str(form.query_one("#log-contact", Select).selection)
        assert chosen == doctor.id
        assert "[b]Evil[/b]" in warnings_shown(form), "markup in a name stays text"
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        await pilot.press("R", "2")
        await settle(pilot)
        body = shown(app.screen.query_one("#compliance-body", Static))
        assert "[b]Evil[/b]" in body
        assert not any(ch in body for ch in "\x1b\u202e\x07")


async def test_three_warnings_at_80x24_keep_the_answers_in_view(tmp_path: Path) -> None:
    """A $600 gift card to an MD three weeks after a referral from the practice: the
    cash, kickback and Stark warnings all show in the question, and its buttons stay on a
    24-line screen."""
    from datetime import date

    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        practice, doctor = with_physician(app)
        records.add_referral(app.session, practice.id, date(2026, 11, 2))
        form = await open_gift_form(pilot, practice, doctor)
        await type_into(pilot, "#log-value", "600")
        await type_into(pilot, "#log-item", "Visa gift card")
        await settle(pilot)
        assert visible(pilot, form.query_one("#log-value", Input))
        assert visible(pilot, form.query_one("#log-item", Input))
        await pilot.press("ctrl+s")
        await settle(pilot)
        confirm = app.screen
        assert isinstance(confirm, SaveAnywayScreen)
        question = str(confirm.query_one("#confirm-question", Static).render())
        assert "The 3 warnings are recorded" in question
        for button in ("#confirm-yes", "#confirm-no"):
            assert visible(pilot, confirm.query_one(button, Button)), button
        await pilot.press("enter")
        await settle(pilot)
        [touch] = app.session.repo.touchpoints(practice.id)
        assert {o.rule for o in touch.overrides} == {
            "cash-equivalent",
            "gift-after-referral",
            "stark-yearly-limit",
        }
