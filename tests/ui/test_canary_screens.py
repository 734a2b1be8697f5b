"""A participant reference planted in a referral appears on no TUI screen but the referral."""

from __future__ import annotations

import html
import re
from datetime import date
from pathlib import Path

from textual.pilot import Pilot

from nurture_tui.services import records

from .helpers import make_app, settle

CANARY = "ZQX7-CANARY-77"


def screen_text(pilot: Pilot[None]) -> str:
    svg = pilot.app.export_screenshot()
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


async def test_no_screen_shows_a_participant_reference(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    partner = app.session.repo.partners()[0]
    records.add_referral(app.session, partner.id, date(2026, 11, 20), participant_ref=CANARY)
    records.save_touchpoint(
        app.session,
        records.draft_touchpoint(app.session, partner.id, "call", note=f"about {CANARY}"),
    )
    seen: dict[str, str] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        seen["board"] = screen_text(pilot)
        for key, name in (
            ("g", "agenda"),
            ("R", "reports"),
            ("y", "sync"),
            ("question_mark", "help"),
        ):
            await pilot.press(key)
            await settle(pilot)
            seen[name] = screen_text(pilot)
            await pilot.press("escape")
            await settle(pilot)
        app.open_partner(partner.id)
        await settle(pilot)
        for tab in ("1", "2", "3", "4"):
            await pilot.press(tab)
            await settle(pilot)
            seen[f"partner tab {tab}"] = screen_text(pilot)
    leaks = [name for name, text in seen.items() if CANARY in text]
    assert leaks == []
    assert len(seen) == 9
    notes = [t.note for t in app.session.repo.touchpoints(partner.id) if t.note]
    assert any("[participant]" in note for note in notes), "masked, not dropped"
