"""Create an invite (an in-service, a check-in...) and write it as an .ics file.

The form names the partner, can be prefilled with a contact and a kind (from the agenda's
suggestion), asks for the rep's details first when an invite could not go out without
them, and writes the .ics to the folder Nurture was started in — its full path is said,
and a file already there is never replaced (the new one gets ``-2``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import Input, Select, Static
from textual.worker import Worker

from nurture_tui.config import INVITE_DETAILS, MissingDetailsError, missing_invite_details
from nurture_tui.domain.errors import NurtureError
from nurture_tui.invites.model import InviteKind
from nurture_tui.services import lookups
from nurture_tui.services.entries import InviteEntry
from nurture_tui.ui.base import nurture
from nurture_tui.ui.screens.form import FormScreen, field_label

#: The "Who" choice that invites every contact with an email address.
EVERYONE = "*"


class InviteForm(FormScreen):
    TITLE = "Create an invite"
    FIELDS = (("start", "invite-start"), ("minutes", "invite-minutes"))
    FIELD_HINTS = (
        ("video link", "invite-video"),
        ("duration", "invite-minutes"),
        ("invite start", "invite-start"),
        ("invite end", "invite-start"),
        ("invite's text", "invite-title"),
        ("no email address", "invite-who"),
        ("does not work at", "invite-who"),
    )

    @dataclass
    class ContactsLoaded(Message):
        """The partner's contacts with an address to invite, read in a worker."""

        choices: list[tuple[str, str]]

    def __init__(
        self,
        partner_id: str,
        *,
        kind: str = InviteKind.CHECK_IN.value,
        contact_id: str | None = None,
        directory: Path | None = None,
    ) -> None:
        """``kind`` and ``contact_id`` prefill the form (a suggestion from the agenda);
        ``directory`` is where the .ics goes (default: the folder Nurture started in)."""
        super().__init__()
        self.partner_id = partner_id
        self.kind = kind if kind in {k.value for k in InviteKind} else InviteKind.CHECK_IN.value
        self.contact_id = contact_id
        self.directory = directory

    @property
    def partner_label(self) -> str:
        board = nurture(self).board
        card = next((c for c in board.cards if c.id == self.partner_id), None) if board else None
        return f"{card.name} ({card.kind.value})" if card else "this partner"

    @property
    def form_title(self) -> str:
        return f"Invite {self.partner_label}"

    def header(self) -> ComposeResult:
        yield Static(
            "The invite goes to the contacts you choose; an .ics file is written in the "
            "folder you started Nurture in (import it, or send it).",
            classes="form-subtitle",
        )

    def fields(self) -> ComposeResult:
        app = nurture(self)
        tomorrow = datetime.combine(app.today + timedelta(days=1), time(10, 0))
        yield field_label("Kind")
        yield Select(
            [(k.value, k.value) for k in InviteKind],
            value=self.kind,
            allow_blank=False,
            id="invite-kind",
        )
        yield field_label("Who")
        yield Select(
            [("everyone with an email", EVERYONE)],
            value=EVERYONE,
            allow_blank=False,
            id="invite-who",
        )
        yield field_label("Starts")
        yield Input(value=tomorrow.strftime("%Y-%m-%d %H:%M"), id="invite-start")
        yield field_label("Minutes")
        yield Input(placeholder="the kind's usual length", id="invite-minutes")
        yield field_label("Title")
        yield Input(placeholder="from the template for this partner", id="invite-title")
        yield field_label("Video link")
        yield Input(
            value=app.session.settings.zoom_url, placeholder="or leave empty", id="invite-video"
        )
        yield field_label("Place")
        yield Input(placeholder="where to meet, if not on video", id="invite-place")

    def on_mount(self) -> None:
        pid = self.partner_id
        nurture(self).load_into(
            self,
            lambda session: [(c.name, c.id) for c in lookups.contacts_at(session, pid) if c.emails],
            self.ContactsLoaded,
            purpose="invite-contacts",
        )
        if missing_invite_details(nurture(self).session.settings):
            self.call_after_refresh(self.ask_for_details)

    # -------------------------------------------------------------- the details
    def ask_for_details(self, then_save: bool = False) -> None:
        """Your details first (an invite is never sent with a blank or placeholder name);
        back here once they are saved — cancelling them closes the invite too."""
        from nurture_tui.ui.screens.details import DetailsScreen

        def back(result: Any) -> None:
            if result is None:
                self.dismiss()
                return
            video = self.query_one("#invite-video", Input)
            if not video.value:
                video.value = nurture(self).session.settings.zoom_url
            if then_save:
                self.action_save()

        self.app.push_screen(
            DetailsScreen(
                needed=INVITE_DETAILS,
                reason="Before the invite: it goes out in your name, so these come first.",
            ),
            back,
        )

    def refuse(self, error: NurtureError) -> None:
        if isinstance(error, MissingDetailsError):
            self.ask_for_details(then_save=True)
            return
        super().refuse(error)

    # -------------------------------------------------------------- contacts
    @on(ContactsLoaded)
    def _contacts_loaded(self, message: ContactsLoaded) -> None:
        who = self.query_one("#invite-who", Select)
        everyone = "everyone with an email" if message.choices else "nobody has an email yet"
        who.set_options([(everyone, EVERYONE), *message.choices])
        ids = {cid for _, cid in message.choices}
        who.value = self.contact_id if self.contact_id in ids else EVERYONE

    # ------------------------------------------------------------------ saving
    def _text(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value.strip()

    def save(self) -> Worker[None]:
        """As typed: the service reads the start and the minutes and checks the invite."""
        who = self.query_one("#invite-who", Select).value
        entry = InviteEntry(
            kind=str(self.query_one("#invite-kind", Select).value),
            start=self._text("invite-start"),
            minutes=self._text("invite-minutes"),
            contact_ids=(who,) if isinstance(who, str) and who != EVERYONE else (),
            title=self._text("invite-title"),
            video_url=self._text("invite-video"),
            location=self._text("invite-place"),
        )
        directory = self.directory or Path.cwd()
        return nurture(self).plan_invite(self.partner_id, entry, directory, origin=self)
