"""Your details in the TUI: found from the palette and the first run, checked beside each
field, written to config.toml only when every value is right, and asked for before an
invite that could not go out without them."""

from __future__ import annotations

import stat
from dataclasses import replace
from pathlib import Path

import pytest
from textual.command import CommandPalette
from textual.widgets import Input, OptionList, Select, Static

from nurture_tui.config import Settings, load_settings
from nurture_tui.services import records
from nurture_tui.ui.app import NurtureApp
from nurture_tui.ui.screens.details import DetailsScreen, field_id
from nurture_tui.ui.screens.invite_form import InviteForm
from nurture_tui.ui.screens.welcome import WelcomeScreen

from . import helpers
from .helpers import make_app, settle

GOOD = {
    "rep_name": "Alex Rivera",
    "rep_email": "alex@sunrisehomecare.com",
    "agency": "Sunrise Home Care",
    "agency_domain": "sunrisehomecare.com",
    "timezone": "America/Chicago",
    "zoom_url": "https://zoom.us/j/5550001",
    "daily_capacity": "10",
}


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return tmp_path / "config" / "config.toml"


def fill(screen: DetailsScreen, values: dict[str, str]) -> None:
    for key, value in values.items():
        screen.query_one(f"#{field_id(key)}", Input).value = value


def errors_beside(screen: DetailsScreen) -> list[str]:
    return [str(w.render()) for w in screen.query(".field-error")]


async def open_details(app: NurtureApp, pilot) -> DetailsScreen:  # type: ignore[no-untyped-def]
    await settle(pilot)
    app.action_show_details()
    await settle(pilot)
    assert isinstance(app.screen, DetailsScreen)
    return app.screen


@pytest.mark.parametrize("query", ["settings", "details", "your details"])
async def test_the_palette_finds_your_details(tmp_path: Path, query: str) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*list(query))
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        options = palette.query_one(OptionList)
        for _ in range(50):  # the palette searches in a worker of its own; wait for it
            await pilot.pause()
            found = [
                str(options.get_option_at_index(i).prompt) for i in range(options.option_count)
            ]
            if any("Your details" in text for text in found):
                break
        top = str(options.get_option_at_index(0).prompt)
        assert "Your details" in top, found
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailsScreen)


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("rep_email", "alex at sunrise", "not an email address"),
        ("timezone", "Mars/Base", "not an IANA time zone"),
        ("rep_name", "Alex \x1b[31mRivera", "escape codes"),
        ("agency", "Sunrise \u202eeraC", "control characters"),
        ("zoom_url", "http://zoom.us/j/1", "https://"),
        ("daily_capacity", "0", "between 1 and 100"),
        ("daily_capacity", "lots", "whole number"),
        ("agency_domain", "sunrise", "not a domain"),
    ],
)
async def test_a_bad_value_is_named_beside_its_field_and_nothing_is_written(
    tmp_path: Path, config: Path, key: str, value: str, words: str
) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_details(app, pilot)
        fill(screen, {**GOOD, key: value})
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen, "the form stays open"
        [message] = errors_beside(screen)
        assert words in message and "\x1b" not in message
        refused = screen.query_one(f"#{field_id(key)}", Input)
        assert refused.has_class("-refused") and refused.value == value, "what was typed stays"
        assert screen.query_one(f"#{field_id('rep_name')}", Input).value == (
            value if key == "rep_name" else GOOD["rep_name"]
        )
        assert not config.exists()
        assert app.session.settings.rep_name == ""


async def test_good_values_are_saved_and_used_at_once(tmp_path: Path, config: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_details(app, pilot)
        fill(screen, {**GOOD, "agency_domain": "https://www.SunriseHomeCare.com/"})
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, DetailsScreen), "closed once written"
        assert stat.S_IMODE(config.stat().st_mode) == 0o600
        saved = load_settings(config)
        assert (saved.rep_name, saved.rep_email, saved.agency) == (
            "Alex Rivera",
            "alex@sunrisehomecare.com",
            "Sunrise Home Care",
        )
        assert saved.agency_domain == "sunrisehomecare.com" and saved.daily_capacity == 10
        assert app.session.settings.rep_name == "Alex Rivera"
        assert app.session.settings.zoom_url == "https://zoom.us/j/5550001"


async def test_a_damaged_config_is_reported_in_the_form_and_kept(
    tmp_path: Path, config: Path
) -> None:
    config.parent.mkdir(parents=True)
    config.write_text('rep_name = "Alex\n')
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_details(app, pilot)
        fill(screen, GOOD)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        top = str(screen.query_one("#form-error", Static).render())
        assert "not valid TOML" in top and str(config) in top
        assert config.read_text() == 'rep_name = "Alex\n'
        assert screen.query_one(f"#{field_id('agency')}", Input).value == GOOD["agency"]


async def test_the_welcome_screen_offers_your_details_first(tmp_path: Path) -> None:
    app = make_app(tmp_path, demo=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, WelcomeScreen)
        note = str(app.screen.query_one("#welcome-details-note", Static).render())
        assert "First, your details" in note
        await pilot.press("y")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DetailsScreen)
        fill(screen, GOOD)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, WelcomeScreen), "back to the first-run choices"
        note = str(app.screen.query_one("#welcome-details-note", Static).render())
        assert "Your details are set" in note


def mercy(app: NurtureApp) -> tuple[str, str]:
    session = app.session
    partner = records.add_partner(session, "Mercy General", "hospital")
    records.add_contact(session, partner.id, "Sam Ortiz", emails=["sam@mercy.example"])
    nora = records.add_contact(session, partner.id, "Nora Baker", emails=["nora@mercy.example"])
    records.add_contact(session, partner.id, "No Email")
    return partner.id, nora.id


async def test_an_invite_without_details_asks_for_them_then_continues(
    tmp_path: Path, config: Path
) -> None:
    app = make_app(tmp_path, demo=None)
    pid, _ = mercy(app)
    desk = tmp_path / "desk"
    desk.mkdir()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await app.push_screen(InviteForm(pid, kind="in-service", directory=desk))
        await settle(pilot)
        details = app.screen
        assert isinstance(details, DetailsScreen), "the details come first"
        fill(details, GOOD)
        await pilot.press("ctrl+s")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, InviteForm), "then the invite form"
        assert form.query_one("#invite-video", Input).value == GOOD["zoom_url"]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, InviteForm), "closed once written"
        [written] = list(desk.glob("*.ics"))
        assert written.name == "mercy-general-in-service-2026-11-24.ics"
        ics = written.read_text()
        assert "SUMMARY:In-service: Mercy General teaches the Sunrise Home Care team" in ics
        assert "Your Name" not in ics and "hospice" not in ics.lower()
        planned = [t for t in app.session.repo.touchpoints(pid) if t.source == "invite"]
        assert len(planned) == 1 and planned[0].status.value == "planned"
    assert load_settings(config).rep_name == "Alex Rivera"


async def test_cancelling_the_details_closes_the_invite_too(tmp_path: Path) -> None:
    app = make_app(tmp_path, demo=None)
    pid, _ = mercy(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        base = app.screen
        await app.push_screen(InviteForm(pid, directory=tmp_path))
        await settle(pilot)
        assert isinstance(app.screen, DetailsScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is base
        assert app.session.repo.touchpoints(pid) == []


def with_details(app: NurtureApp) -> NurtureApp:
    app.session.settings = replace(
        app.session.settings,
        **{k: v for k, v in GOOD.items() if k != "daily_capacity"},
    )
    return app


async def test_the_invite_form_is_prefilled_with_partner_contact_and_kind(tmp_path: Path) -> None:
    app = with_details(make_app(tmp_path, demo=None))
    pid, nora = mercy(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await app.push_screen(
            InviteForm(pid, kind="care-coordination", contact_id=nora, directory=tmp_path)
        )
        await settle(pilot)
        form = app.screen
        assert isinstance(form, InviteForm)
        assert "Mercy General (hospital)" in form.form_title
        assert form.query_one("#invite-kind", Select).value == "care-coordination"
        assert form.query_one("#invite-who", Select).value == nora
        await pilot.press("ctrl+s")
        await settle(pilot)
        [written] = list(tmp_path.glob("*.ics"))
        ics = written.read_text()
        assert "nora@mercy.example" in ics and "sam@mercy.example" not in ics


async def test_an_invite_file_never_replaces_another(tmp_path: Path) -> None:
    app = with_details(make_app(tmp_path, demo=None))
    pid, _ = mercy(app)
    taken = tmp_path / "mercy-general-check-in-2026-11-24.ics"
    taken.write_text("someone else's file")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await app.push_screen(InviteForm(pid, directory=tmp_path))
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert taken.read_text() == "someone else's file"
        assert (tmp_path / "mercy-general-check-in-2026-11-24-2.ics").exists()


async def test_a_bad_minutes_value_is_named_beside_it(tmp_path: Path) -> None:
    app = with_details(make_app(tmp_path, demo=None))
    pid, _ = mercy(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await app.push_screen(InviteForm(pid, directory=tmp_path))
        await settle(pilot)
        form = app.screen
        form.query_one("#invite-minutes", Input).value = "forty"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "whole number" in " ".join(str(w.render()) for w in form.query(".field-error"))
        assert list(tmp_path.glob("*.ics")) == []


def test_details_settings_default_is_empty_not_a_placeholder() -> None:
    assert (Settings().rep_name, Settings().agency) == ("", "")


def first_run_app(tmp_path: Path, *, demo: bool = True) -> NurtureApp:
    """The app as ``nurture`` starts it (``run()`` offers the details on a first run)."""
    plain = make_app(tmp_path, demo=helpers.SEEDED if demo else None)
    return NurtureApp(
        plain.session,
        playbook=plain.playbook,
        today=helpers.TODAY,
        watch_seconds=None,
        offer_details=True,
    )


async def test_a_first_run_with_partners_asks_for_the_details(tmp_path: Path) -> None:
    app = first_run_app(tmp_path)  # `make run` loads demo partners: no welcome screen
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, DetailsScreen)
        about = str(app.screen.query_one("#details-about", Static).render())
        assert "Welcome to Nurture" in about and "esc: later" in about
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, DetailsScreen), "later is fine; it is not forced"


async def test_no_offer_once_there_is_a_config_file(tmp_path: Path, config: Path) -> None:
    config.parent.mkdir(parents=True)
    config.write_text("# mine\n")
    app = first_run_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not isinstance(app.screen, DetailsScreen)


async def test_an_empty_first_run_leaves_it_to_the_welcome_screen(tmp_path: Path) -> None:
    app = first_run_app(tmp_path, demo=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, WelcomeScreen)
        assert len([s for s in app.screen_stack if isinstance(s, DetailsScreen)]) == 0
