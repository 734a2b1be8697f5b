"""Command palette: jump to any partner or contact, a suggested action, or a screen.

The contacts' names are read once when the palette opens (``startup``, through the
``lookups.contact_names`` service, in a thread), not on every key typed. A palette
provider is not a message pump, so this is the one read that is awaited rather than run
by the app's ``load_into`` worker; a failure surfaces as the palette's own error.
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

from nurture_tui.services.lookups import ContactName, contact_names

if TYPE_CHECKING:
    from nurture_tui.ui.app import NurtureApp


class NurtureCommands(Provider):
    """Partners by name, contacts by name (opening their partner), and screen actions."""

    #: Every contact's name, read when the palette opens.
    _contacts: tuple[ContactName, ...] = ()

    @property
    def nurture_app(self) -> NurtureApp:
        return self.app  # type: ignore[return-value]

    async def startup(self) -> None:
        self._contacts = tuple(await asyncio.to_thread(contact_names, self.nurture_app.session))

    def _targets(self) -> list[tuple[str, str, str]]:
        """(label, help, partner id) for every partner and contact, from the loaded board."""
        board = self.nurture_app.board
        if board is None:
            return []
        targets = [(c.name, f"{c.kind.value} · {c.stage.value}", c.id) for c in board.cards]
        contacts = self._contacts
        names = {c.id: c.name for c in board.cards}
        targets += [
            (f"{c.name} ({names.get(c.partner_id, '?')})", c.role or "contact", c.partner_id)
            for c in contacts
            if c.partner_id in names
        ]
        return targets

    def _actions(self) -> list[tuple[str, str, str]]:
        return [
            ("Agenda", "today's plan (a: every suggestion)", "show_agenda"),
            ("Board", "partners by stage", "show_board"),
            ("Reports", "referrals, conversion, quiet partners", "show_reports"),
            ("Team", "each rep's week or month: touches, overdue, referrals", "show_team"),
            ("Help", "keys and colours", "help"),
            (
                "Your details (settings)",
                "name, email, agency, time zone, video link, daily plan: config.toml",
                "show_details",
            ),
        ]

    async def discover(self) -> Hits:
        for label, help_text, action in self._actions():
            yield DiscoveryHit(label, partial(self.app.run_action, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for label, help_text, action in self._actions():
            score = matcher.match(label)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(label),
                    partial(self.app.run_action, action),
                    help=help_text,
                )
        for label, help_text, partner_id in self._targets():
            score = matcher.match(label)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(label),
                    partial(self.nurture_app.open_partner, partner_id),
                    help=help_text,
                )
        from nurture_tui.ui.screens.agenda import open_agenda_at, palette_actions

        for item in palette_actions(self.nurture_app.board):  # "thank-you" finds thank-yous
            label = f"{item.kind}: {item.partner}"
            score = matcher.match(label)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(label),
                    partial(open_agenda_at, self.app, item),
                    help=item.reason,
                )
