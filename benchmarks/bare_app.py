"""A bare Textual app for ``bench_keys.py``: the floor a key costs through tmux and Textual
with no work of ours. Down/up change one line; ``?`` covers the screen with the same help
text as Nurture's, in a plain Static on a screen of its own, and escape takes it away: the
floor of any key that redraws the whole terminal (help, a form)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Static

from nurture_tui.ui.screens.help import HELP


class PlainHelp(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.pop_screen")]

    def compose(self) -> ComposeResult:
        yield Static(HELP)


class Bare(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "move(1)"),
        Binding("up", "move(-1)"),
        Binding("question_mark", "push_screen('help')"),
    ]
    SCREENS: ClassVar[dict[str, Callable[[], Screen[Any]]]] = {"help": PlainHelp}

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
