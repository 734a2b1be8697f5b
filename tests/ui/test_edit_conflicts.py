"""Nobody overwrites anybody (issue 15): a partner or contact form that a colleague saved
over while it was open says what they changed, puts their changes into the fields the rep
left alone, and lets the rep put theirs on top — or look first. Nothing typed is lost.

Real stores: SQLite with a second connection for "another window or a command", and a
PostgreSQL team store with two rep roles.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, Select, Static

from nurture_tui.domain.kinds import Stage, Tier
from nurture_tui.domain.model import Partner
from nurture_tui.services import records
from nurture_tui.services.session import Session
from nurture_tui.store.opening import open_store
from nurture_tui.ui.app import NurtureApp
from nurture_tui.ui.screens.confirm import ConfirmScreen
from nurture_tui.ui.screens.contact_form import ContactForm
from nurture_tui.ui.screens.partner_form import PartnerForm
from team_helpers import BEN, BOSS

from .helpers import NOW, make_app, make_team_app, settle, team_urls

__all__ = ["team_urls"]  # a fixture (tests/ui/helpers.py)
from .test_forms import toasts, type_into

pytest_plugins = ["team_helpers"]


def question(app: NurtureApp) -> str:
    screen = app.screen
    assert isinstance(screen, ConfirmScreen), f"no question asked ({type(screen).__name__})"
    return str(screen.query_one("#confirm-question", Static).render())


def other_tier(partner: Partner) -> Tier:
    return Tier.A if partner.tier is not Tier.A else Tier.B


async def edit_first_partner(pilot: Pilot[None], app: NurtureApp) -> tuple[Partner, PartnerForm]:
    await settle(pilot)
    assert app.board is not None
    partner = app.session.repo.partner(app.board.cards[0].id)
    app.push_screen(PartnerForm(partner))
    await settle(pilot)
    form = app.screen
    assert isinstance(form, PartnerForm)
    return partner, form


async def test_a_partner_saved_by_another_window_is_shown_and_mine_goes_on_top(
    tmp_path: Path,
) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        partner, form = await edit_first_partner(pilot, app)
        # The rep changes the stage and the notes...
        new_stage = Stage.ENGAGED if partner.stage is not Stage.ENGAGED else Stage.CHAMPION
        form.query_one("#partner-stage", Select).value = new_stage.value
        await type_into(pilot, "#partner-notes", "Prefers Tuesday mornings")
        # ...while a command in another terminal moves the tier.
        other = Session(repo=open_store(tmp_path, actor="pat@desktop"), clock=lambda: NOW)
        tier = other_tier(partner)
        records.edit_partner(other, partner.id, tier=tier.value)
        other.repo.close()
        await pilot.press("ctrl+s")
        await settle(pilot)
        asked = question(app)
        assert f"pat@desktop saved {partner.name} while you had it open" in asked
        assert f"tier: {partner.tier.value} → {tier.value}" in asked
        assert "Yours: stage, notes" in asked and "Their changes are kept" in asked
        # Their change is in the form already, under the question.
        assert form.query_one("#partner-tier", Select).value == tier.value
        assert form.query_one("#partner-notes", Input).value == "Prefers Tuesday mornings"
        assert app.session.repo.partner(partner.id).notes == partner.notes, "nothing saved yet"
        await pilot.press("y")
        await settle(pilot)
        stored = app.session.repo.partner(partner.id)
        assert (stored.tier, stored.stage, stored.notes) == (
            tier,
            new_stage,
            "Prefers Tuesday mornings",
        )
        assert not isinstance(app.screen, PartnerForm | ConfirmScreen), "the form closed"
        assert f"Saved {partner.name}" in toasts(app)


async def test_review_first_keeps_the_contact_form_open_with_both_and_save_lands(
    tmp_path: Path,
) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.board is not None
        partner_id = app.board.cards[0].id
        contact = records.add_contact(
            app.session, partner_id, "Nora Baker", role="Case Manager", phone="555-0100"
        )
        app.push_screen(ContactForm(partner_id, app.session.repo.contact(contact.id)))
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ContactForm)
        await type_into(pilot, "#contact-role", "Director of Case Management")
        form.query_one("#contact-met", Checkbox).value = True
        other = Session(repo=open_store(tmp_path, actor="pat@desktop"), clock=lambda: NOW)
        records.edit_contact(other, contact.id, role="Charge Nurse", emails=["nora@mercy.org"])
        other.repo.close()
        await pilot.press("ctrl+s")
        await settle(pilot)
        asked = question(app)
        assert "role: Case Manager → Charge Nurse" in asked
        assert "emails: (empty) → nora@mercy.org" in asked
        assert "Yours replace theirs in: role" in asked
        await pilot.press("n")  # review first
        await settle(pilot)
        assert app.screen is form
        assert form.query_one("#contact-emails", Input).value == "nora@mercy.org"
        assert form.query_one("#contact-role", Input).value == "Director of Case Management"
        assert form.query_one("#contact-met", Checkbox).value is True
        top = str(form.query_one("#form-error", Static).render())
        assert "pat@desktop saved this meanwhile" in top
        stored = app.session.repo.contact(contact.id)
        assert (stored.role, stored.met_in_person) == ("Charge Nurse", False)
        await pilot.press("ctrl+s")
        await settle(pilot)
        stored = app.session.repo.contact(contact.id)
        assert (stored.role, stored.emails, stored.met_in_person, stored.phone) == (
            "Director of Case Management",
            ("nora@mercy.org",),
            True,
            "555-0100",
        )
        assert not isinstance(app.screen, ContactForm)


async def test_a_save_with_no_colleague_in_between_writes_only_what_the_rep_changed(
    tmp_path: Path,
) -> None:
    """With nobody in between, the save lands at once (no question), writes the one field
    the rep changed and moves the version once."""
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        partner, form = await edit_first_partner(pilot, app)
        await type_into(pilot, "#partner-tags", "hospice-partner")
        await pilot.press("ctrl+s")
        await settle(pilot)
        stored = app.session.repo.partner(partner.id)
        assert stored.tags == ("hospice-partner",)
        assert replace(stored, tags=partner.tags) == partner
        assert stored.version == partner.version + 1


async def test_on_a_team_store_the_colleague_is_named_and_both_changes_land(
    team_urls: dict[str, str], tmp_path: Path
) -> None:
    app = make_team_app(tmp_path / "boss", team_urls[BOSS])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("e")  # everyone's partners (the boss owns none)
        partner, form = await edit_first_partner(pilot, app)
        await type_into(pilot, "#partner-domains", "mercy.org")
        ben = Session(repo=open_store(tmp_path / "ben", url=team_urls[BEN]), clock=lambda: NOW)
        tier = other_tier(partner)
        records.edit_partner(ben, partner.id, tier=tier.value, notes="Ben met the new DON")
        ben.repo.close()
        await pilot.press("ctrl+s")
        await settle(pilot)
        asked = question(app)
        assert f"{BEN} saved {partner.name} while you had it open" in asked
        assert f"tier: {partner.tier.value} → {tier.value}" in asked
        assert "notes:" in asked and "Ben met the new DON" in asked
        await pilot.press("y")
        await settle(pilot)
        stored = app.session.repo.partner(partner.id)
        assert (stored.tier, stored.notes, stored.domains) == (
            tier,
            "Ben met the new DON",
            ("mercy.org",),
        )
        assert stored.changed_by == BOSS


async def _colleague_saved_while_open(pilot: Pilot[None]) -> None:
    app = pilot.app
    assert isinstance(app, NurtureApp)
    partner, _form = await edit_first_partner(pilot, app)
    await type_into(pilot, "#partner-notes", "Prefers Tuesday mornings")
    directory = app.session.repo.directory  # type: ignore[attr-defined]
    other = Session(repo=open_store(directory, actor="pat@desktop"), clock=lambda: NOW)
    records.edit_partner(other, partner.id, tier=other_tier(partner).value, notes="Call Ana")
    other.repo.close()
    await pilot.press("ctrl+s")
    await settle(pilot)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_changed_meanwhile(  # type: ignore[no-untyped-def]
    snap_compare, tmp_path: Path, size: tuple[int, int]
) -> None:
    assert snap_compare(
        make_app(tmp_path), terminal_size=size, run_before=_colleague_saved_while_open
    )


async def test_the_rep_s_own_other_window_is_called_you(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        partner, _form = await edit_first_partner(pilot, app)
        await type_into(pilot, "#partner-notes", "Prefers Tuesday mornings")
        me = app.session.repo.actor
        other = Session(repo=open_store(tmp_path, actor=me), clock=lambda: NOW)
        records.edit_partner(other, partner.id, tier=other_tier(partner).value)
        other.repo.close()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert f"You, in another window or a command, saved {partner.name}" in question(app)
