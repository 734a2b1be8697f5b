"""Create an invite (a Zoom in-service, a check-in...) and write it as an .ics file."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path

from textual.app import ComposeResult
from textual.widgets import Input, Select, Static

from nurture_tui.domain.validation import parse_datetime
from nurture_tui.invites.model import Invite, InviteKind
from nurture_tui.services import invites
from nurture_tui.services.session import Session
from nurture_tui.store.files import atomic_write
from nurture_tui.ui.base import nurture
from nurture_tui.ui.screens.form import FormScreen, field_label


class InviteForm(FormScreen):
    TITLE = "Create an invite"

    def __init__(self, partner_id: str, *, kind: str = InviteKind.CHECK_IN.value) -> None:
        super().__init__()
        self.partner_id = partner_id
        self.kind = kind if kind in {k.value for k in InviteKind} else InviteKind.CHECK_IN.value

    def header(self) -> ComposeResult:
        yield Static(
            "The invite goes to the partner's contacts with an email; an .ics file is "
            "written for your calendar (import or send it).",
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
        yield field_label("Starts")
        yield Input(value=tomorrow.strftime("%Y-%m-%d %H:%M"), id="invite-start")
        yield field_label("Minutes")
        yield Input(placeholder="the kind's usual length", id="invite-minutes")
        yield field_label("Title")
        yield Input(placeholder="from the template", id="invite-title")
        yield field_label("Video link")
        yield Input(
            value=app.session.settings.zoom_url, placeholder="or leave empty", id="invite-video"
        )
        yield field_label("Place")
        yield Input(placeholder="where to meet, if not on video", id="invite-place")

    def _text(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value.strip()

    def save(self) -> None:
        app = nurture(self)
        start = parse_datetime(self._text("invite-start"), app.session.settings.zone)
        minutes_text = self._text("invite-minutes")
        minutes = int(minutes_text) if minutes_text.isdigit() else None
        kind = str(self.query_one("#invite-kind", Select).value)
        title = self._text("invite-title") or None
        video, place = self._text("invite-video"), self._text("invite-place")
        pid = self.partner_id
        folder = app.session.repo.directory / "invites"

        def write(session: Session) -> tuple[Invite, Path]:
            invite = invites.create_invite(
                session,
                pid,
                kind,
                start,
                duration_minutes=minutes,
                title=title,
                video_url=video,
                location=place,
            )
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{invite.uid.split('@')[0]}.ics"
            atomic_write(path, invites.invite_ics(invite))
            return invite, path

        app.run_write(write, lambda result: f"Invite planned; .ics saved to {result[1]}", pid)
