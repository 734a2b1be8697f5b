"""A bare Textual app for ``bench_keys.py``: the floor a key costs through tmux and Textual
with no work of ours (down/up change one line)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static


class Bare(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "move(1)"),
        Binding("up", "move(-1)"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.row = 0

    def compose(self) -> ComposeResult:
        yield Static("bare row 0", id="row")

    def action_move(self, step: int) -> None:
        self.row += step
        self.query_one("#row", Static).update(f"bare row {self.row}")


if __name__ == "__main__":
    Bare().run()
