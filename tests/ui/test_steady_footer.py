"""SteadyFooter: the keys a screen offers, rebuilt only when they change (issue 13).

The footer must still show every change a rep would see (a key enabled or disabled,
another screen's keys) while a focus change or a return to the screen that leaves the
keys as they were keeps the very same key widgets.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input
from textual.widgets._footer import FooterKey

from nurture_tui.ui.widgets.footer import SteadyFooter


class Other(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.pop_screen", "Back")]

    def compose(self) -> ComposeResult:
        yield SteadyFooter(show_command_palette=False)


class Keys(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save"),
        Binding("ctrl+o", "other", "Other"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.can_save = True

    def compose(self) -> ComposeResult:
        yield Input(id="first")
        yield Input(id="second")
        yield SteadyFooter(show_command_palette=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "save":
            return True if self.can_save else None  # None: shown, but disabled
        return True

    def action_save(self) -> None:
        pass

    def action_other(self) -> None:
        self.push_screen(Other())


def shown(app: App[None]) -> list[tuple[str, bool]]:
    return [(key.description, key.has_class("-disabled")) for key in app.screen.query(FooterKey)]


async def shows(pilot: Pilot[None], expected: list[tuple[str, bool]]) -> None:
    """Let the app handle what is queued until the footer shows ``expected`` (a footer
    rebuilds after the next refresh), then check it does."""
    for _ in range(20):
        if shown(pilot.app) == expected:
            break
        await pilot.pause()
    assert shown(pilot.app) == expected


async def test_a_focus_change_keeps_the_footers_keys_and_a_real_change_shows() -> None:
    app = Keys()
    async with app.run_test() as pilot:
        await shows(pilot, [("Save", False), ("Other", False)])
        before = list(app.screen.query(FooterKey))
        await pilot.press("tab")  # the second input: the same keys
        for _ in range(5):  # what a rebuild would take (Textual's Footer fails here)
            await pilot.pause()
        assert app.focused is not None and app.focused.id == "second"
        assert list(app.screen.query(FooterKey)) == before  # the same widgets, not rebuilt

        app.can_save = False
        app.screen.refresh_bindings()
        await shows(pilot, [("Save", True), ("Other", False)])

        await pilot.press("ctrl+o")
        await shows(pilot, [("Back", False), ("Save", True), ("Other", False)])
        await pilot.press("escape")
        await shows(pilot, [("Save", True), ("Other", False)])
        app.can_save = True
        app.screen.refresh_bindings()
        await shows(pilot, [("Save", False), ("Other", False)])
