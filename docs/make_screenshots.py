"""Render the README's screenshots: the board and a partner's timeline, as SVG and PNG.

Run: ``make screenshots``. PNGs need ``rsvg-convert`` (Debian: librsvg2-bin); without it
only the SVGs are written.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent / "tests"))

from ui.helpers import make_app, settle  # noqa: E402

from nurture_tui.services.demo import DemoSize  # noqa: E402


async def shoot() -> list[Path]:
    app = make_app(Path(tempfile.mkdtemp()), demo=DemoSize(40, 1500, 7))
    shots = []
    async with app.run_test(size=(132, 36)) as pilot:
        await settle(pilot)
        shots.append(Path(app.save_screenshot("board.svg", str(HERE))))
        busiest = max(app.board.cards, key=lambda c: c.referrals_90d)  # type: ignore[union-attr]
        app.open_partner(busiest.id)
        await settle(pilot)
        shots.append(Path(app.save_screenshot("partner.svg", str(HERE))))
        await pilot.press("escape", "g")
        await settle(pilot)
        shots.append(Path(app.save_screenshot("agenda.svg", str(HERE))))
    return shots


def main() -> None:
    for svg in asyncio.run(shoot()):
        if shutil.which("rsvg-convert"):
            png = svg.with_suffix(".png")
            subprocess.run(["rsvg-convert", "-w", "1600", str(svg), "-o", str(png)], check=True)
            print(png)
        else:
            print(svg, "(install rsvg-convert for PNG)")


if __name__ == "__main__":
    main()
