"""More of the partner and contact forms against a colleague's save (issue 15), from a
hostile tester's finds: a multi-line note survives a save of another field; a milestone
kept without words does not block saving a phone number; the question fits 80×24 with
every field changed and says field names in words; and what the rep types while the save
is under way is kept when the conflict comes back."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from textual.widgets import Button, Input

from nurture_tui.domain.model import Milestone
from nurture_tui.services import entries, records
from nurture_tui.services.meanwhile import ChangedMeanwhile
from nurture_tui.services.session import Session
from nurture_tui.store.opening import open_store
from nurture_tui.ui.screens.contact_form import ContactForm
from nurture_tui.ui.screens.partner_form import PartnerForm

from .helpers import NOW, make_app, settle
from .test_edit_conflicts import edit_first_partner, other_tier, question
from .test_forms import type_into


def colleague(directory: Path) -> Session:
    return Session(repo=open_store(directory, actor="pat@desktop"), clock=lambda: NOW)


async def test_multiline_notes_survive_a_partner_form_save_of_another_field(
    tmp_path: Path,
) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.board is not None
        pid = app.board.cards[0].id
        records.edit_partner(app.session, pid, notes="line one\nline two\n\tindented")
        app.push_screen(PartnerForm(app.session.repo.partner(pid)))
        await settle(pilot)
        await type_into(pilot, "#partner-tags", "vip")
        await pilot.press("ctrl+s")
        await settle(pilot)
        stored = app.session.repo.partner(pid)
        assert (stored.notes, stored.tags) == ("line one\nline two\n\tindented", ("vip",))


async def test_a_milestone_kept_without_words_does_not_block_a_phone_change(
    tmp_path: Path,
) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.board is not None
        pid = app.board.cards[0].id
        c = records.add_contact(app.session, pid, "Nora Baker")
        # as an imported store may hold it: a milestone whose note is ""
        app.session.repo.save(
            replace(app.session.repo.contact(c.id), milestones=(Milestone(date(2025, 6, 1), ""),))
        )
        app.push_screen(ContactForm(pid, app.session.repo.contact(c.id)))
        await settle(pilot)
        await type_into(pilot, "#contact-phone", "555-0100")
        await pilot.press("ctrl+s")
        await settle(pilot)
        stored = app.session.repo.contact(c.id)
        assert (stored.phone, stored.milestones) == ("555-0100", (Milestone(date(2025, 6, 1), ""),))


async def test_the_question_fits_80x24_with_every_field_changed(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.board is not None
        pid = app.board.cards[0].id
        c = records.add_contact(app.session, pid, "Nora Baker", role="Case Manager")
        app.push_screen(ContactForm(pid, app.session.repo.contact(c.id)))
        await settle(pilot)
        await type_into(pilot, "#contact-role", "Director")
        await type_into(pilot, "#contact-phone", "555")
        app.screen.query_one("#contact-met").value = True  # type: ignore[attr-defined]
        pat = colleague(tmp_path)
        records.edit_contact(
            pat,
            c.id,
            name="Nora Baker-Smith " + "x" * 40,
            role="Charge Nurse " + "y" * 50,
            phone="555-0199",
            emails=["nora@mercy.org", "nb@mercy.org"],
            birthday=date(1980, 3, 14),
            started=date(2020, 1, 1),
            met_in_person=True,
            linkedin_connected=True,
            credential="md",
            npi="1234567893",
            milestones=[Milestone(date(2025, 1, 1), "promoted " + "z" * 60)],
        )
        pat.repo.close()
        await pilot.press("ctrl+s")
        await settle(pilot)
        asked = question(app)
        assert "linkedin connected: no → yes" in asked
        assert "met_in_person" not in asked and "linkedin_connected" not in asked
        assert "Yours replace theirs in: role, phone" in asked  # met in person: the same
        for button in ("#confirm-yes", "#confirm-no"):
            region = app.screen.query_one(button, Button).region
            assert region.height > 0 and region.bottom <= 24, (button, region)


async def test_what_is_typed_while_the_save_is_under_way_is_kept(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        partner, form = await edit_first_partner(pilot, app)
        await type_into(pilot, "#partner-notes", "mine")
        pat = colleague(tmp_path)
        records.edit_partner(pat, partner.id, tier=other_tier(partner).value, tags=["theirs"])
        pat.repo.close()
        # The save as the form's worker makes it; before its answer arrives the rep types
        # into another field.
        typed = entries.PartnerEntry(**{**entries.partner_entry(partner).__dict__, "notes": "mine"})
        try:
            entries.save_partner(app.session, typed, partner.id, opened=partner)
        except ChangedMeanwhile as conflict:
            await type_into(pilot, "#partner-domains", "mercy.org")
            form.refuse(conflict)
        else:
            raise AssertionError("no conflict")
        await settle(pilot)
        assert form.query_one("#partner-domains", Input).value == "mercy.org"
        assert form.query_one("#partner-tags", Input).value == "theirs"
        assert form.query_one("#partner-notes", Input).value == "mine"
