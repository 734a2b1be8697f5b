"""TUI figures at 5k partners / 250k touchpoints: launch to first painted board, and
keypress-to-repaint on the board.

Run: ``.venv/bin/python benchmarks/bench_tui.py [STORE_DIR]``. "Launch" starts before the
app's modules are imported; "painted" is when the first card line is rendered.
"""

from __future__ import annotations

import time

LAUNCH = time.perf_counter()

import asyncio  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from common import TODAY, build_store, percentiles, session_at  # noqa: E402


async def measure(directory: Path) -> None:
    from nurture_tui.services.playbook import effective_playbook
    from nurture_tui.ui.app import NurtureApp
    from nurture_tui.ui.widgets.stage_column import StageColumn

    painted: list[float] = []
    render_line = StageColumn.render_line

    def spy(column: StageColumn, y: int):  # type: ignore[no-untyped-def]
        if column.cards and not painted:
            painted.append(time.perf_counter() - LAUNCH)
        return render_line(column, y)

    StageColumn.render_line = spy  # type: ignore[method-assign]
    app = NurtureApp(
        session_at(directory),
        playbook=effective_playbook().playbook,
        today=TODAY,
        watch_seconds=None,
    )
    async with app.run_test(size=(160, 48)) as pilot:
        while not painted:
            await asyncio.sleep(0.005)
        print(
            f"  launch to first painted board: {painted[0]:.2f} s "
            f"({len(app.board.cards):,} partners)"
        )  # type: ignore[union-attr]
        while not app.board.complete:  # type: ignore[union-attr]
            await asyncio.sleep(0.02)
        print(f"  suggestions on every card after: {time.perf_counter() - LAUNCH:.2f} s")
        StageColumn.render_line = render_line  # type: ignore[method-assign]
        await pilot.pause()
        latencies = []
        for key in ["down"] * 40 + ["pagedown"] * 10 + ["right", "left"] * 5 + ["up"] * 20:
            pressed = time.perf_counter()
            await pilot.press(key)
            await pilot.pause()
            latencies.append(time.perf_counter() - pressed)
        p50, p95 = percentiles(latencies)
        print(
            f"  keypress to repaint, Pilot round trip (includes the harness's own waits): "
            f"p50 {p50 * 1000:.0f} ms  p95 {p95 * 1000:.0f} ms over {len(latencies)} keys"
        )
        column = app.screen.focused
        assert isinstance(column, StageColumn)
        work = []
        for _ in range(60):
            pressed = time.perf_counter()
            column.action_cursor_down()
            column._lines.clear()
            for y in range(column.size.height):
                column.render_line(y)
            work.append(time.perf_counter() - pressed)
        w50, w95 = percentiles(work)
        print(
            f"  our work per key (cursor move + re-render of the whole column): "
            f"p50 {w50 * 1000:.1f} ms  p95 {w95 * 1000:.1f} ms"
        )


def main() -> None:
    print("tui")
    directory = Path(sys.argv[1]) if len(sys.argv) > 1 else build_store()
    asyncio.run(measure(directory))


if __name__ == "__main__":
    main()
