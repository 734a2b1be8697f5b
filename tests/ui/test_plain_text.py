"""Text from outside is shown as typed: markup in a name is characters, not styling."""

from __future__ import annotations

import html
import re
from pathlib import Path

from nurture_tui.services import records

from .helpers import make_app, settle

NAME = "[bold red]Evil[/] Clinic"


def screen_text(app: object) -> str:
    svg = app.export_screenshot()  # type: ignore[attr-defined]
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


async def test_a_name_with_markup_shows_as_typed_on_every_screen(tmp_path: Path) -> None:
    app = make_app(tmp_path, demo=None)
    partner = records.add_partner(app.session, NAME, "hospital", tier="A", notes="[i]note[/i]")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "[bold red]Evil[/] Clin" in screen_text(app), "board (the card truncates)"
        app.open_partner(partner.id)
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        text = screen_text(app)
        assert NAME in text and "[i]note[/i]" in text, "partner page and notes"
        await pilot.press("t")
        await settle(pilot)
        assert NAME in screen_text(app), "log form"


async def test_table_cells_show_markup_as_typed(tmp_path: Path) -> None:
    """DataTable parses str cells as markup: the agenda, timeline, contacts and reports
    must pass outside text as Text."""
    app = make_app(tmp_path, demo=None)
    partner = records.add_partner(app.session, NAME, "hospital", tier="A")
    records.add_contact(app.session, partner.id, "[b]Sam[/b] Ortiz", role="[i]Planner[/i]")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("g")
        await settle(pilot)
        assert "[bold red]Evil[/]" in screen_text(app), "agenda"
        await pilot.press("escape")
        app.open_partner(partner.id)
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        text = screen_text(app)
        assert "[b]Sam[/b] Ortiz" in text and "[i]Planner[/i]" in text, "contacts"
