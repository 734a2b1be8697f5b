"""The footer of every screen: Textual's, rebuilt only when the keys it shows change."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Footer

if TYPE_CHECKING:
    from textual.screen import Screen

#: What a footer shows of one key: the key, its action, its words, whether it is enabled.
_Shown = tuple[tuple[str, str, str, bool, str], ...]


class SteadyFooter(Footer):
    """A Footer that rebuilds its keys only when what it would show is different.

    Why: Textual's Footer throws away and re-mounts every key each time the screen's
    bindings are refreshed, which happens on every focus change and every return to a
    screen, even when the same keys show. For the board's dozen keys that was a tenth of
    what escape cost at 5,000 partners, and a form rebuilt its footer a second time when
    its first field took the focus. The keys shown are compared first; a change (a key
    enabled, another screen's keys) rebuilds as before.
    """

    def __init__(self, *, show_command_palette: bool = True) -> None:
        super().__init__(show_command_palette=show_command_palette)
        self._shown: _Shown | None = None

    def bindings_changed(self, screen: Screen[object]) -> None:
        shown = _shown_keys(screen)
        if shown == self._shown:
            return
        super().bindings_changed(screen)
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self._shown = shown  # only what was rebuilt: a skipped rebuild is owed still


def _shown_keys(screen: Screen[object]) -> _Shown:
    """The keys ``screen``'s footer shows, in order, as the footer would draw them."""
    return tuple(
        (binding.key, binding.action, binding.description, enabled, tooltip)
        for _node, binding, enabled, tooltip in screen.active_bindings.values()
        if binding.show
    )
