"""Filling a DataTable whose columns fit their content, measured before anything renders.

Textual's DataTable measures auto-width columns on its next idle, and caches every row it
renders in between under the same key: a repaint that falls between ``add_row`` and that
idle keeps the header and short cells at the old width until the cursor moves (Textual
issue #1026's family). Measuring here and giving each column a fixed width removes the
window, so the screen is the same however the repaint and the idle interleave.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.cells import cell_len
from rich.text import Text
from textual.widgets import DataTable

Cell = str | int | Text


def _width(cell: Cell) -> int:
    if isinstance(cell, Text):
        return cell.cell_len
    return cell_len(str(cell))


def fill_table(
    table: DataTable[Cell],
    headers: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    *,
    fixed: dict[str, int] | None = None,
    keys: Sequence[str] | None = None,
) -> None:
    """Replace the table's columns and rows; each column as wide as its widest cell.

    ``fixed`` pins some columns' widths (by header), e.g. a date column; ``keys`` names the
    rows (what a selected row stands for). The cursor row is kept where it was (clamped),
    so a refresh after a write does not jump to the top.
    """
    materialised = [list(row) for row in rows]
    cursor_row = table.cursor_row
    table.clear(columns=True)
    pinned = fixed or {}
    for index, header in enumerate(headers):
        width = pinned.get(header)
        if width is None:
            width = max([cell_len(header), *(_width(row[index]) for row in materialised)])
        table.add_column(header, width=width)
    for index, row in enumerate(materialised):
        # A str cell would be parsed as markup by DataTable: names and emails are text.
        table.add_row(
            *(Text(cell) if isinstance(cell, str) else cell for cell in row),
            key=keys[index] if keys is not None else None,
        )
    if materialised:
        table.move_cursor(row=min(cursor_row, len(materialised) - 1), animate=False)
