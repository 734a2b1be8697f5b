"""Your details: the rep's name, address, agency, zone, video link, daily plan size, and
what the agency furnishes (home health brings Stark's yearly gift limit to physicians).

Offered on first run, from the command palette ("details", "settings") and before an
invite when something it needs is missing. Every value passes the same checks as
``nurture config set`` (``nurture_tui.config.check_setting``), with the reason beside the
field; the form closes only once config.toml is written, and the running app uses the new
values at once (a ``NURTURE_*`` variable still wins, as it will on the next start).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Static
from textual.worker import Worker

from nurture_tui.config import (
    DETAILS,
    env_overrides,
    missing_invite_details,
    settings_path,
)
from nurture_tui.domain.errors import NurtureError
from nurture_tui.ui.base import nurture
from nurture_tui.ui.screens.form import FormScreen, field_label

if TYPE_CHECKING:
    from nurture_tui.ui.app import NurtureApp

#: (label, placeholder) per setting; labels fit the form's 11-column label cell.
_FIELDS: dict[str, tuple[str, str]] = {
    "rep_name": ("Your name", "Alex Rivera — you organise and sign invites"),
    "rep_email": ("Email", "alex@sunrisehomecare.com"),
    "agency": ("Agency", "Sunrise Home Care"),
    "agency_domain": ("Mail domain", "sunrisehomecare.com — colleagues are never partners"),
    "timezone": ("Time zone", "America/Chicago (empty: this computer's)"),
    "zoom_url": ("Video link", "https://zoom.us/j/… (Zoom, Teams or Meet)"),
    "daily_capacity": ("Daily plan", "actions in a day's plan, 1–100"),
    "agency_type": ("Agency type", "home-health, hospice… (the choices are below)"),
}


def field_id(key: str) -> str:
    return f"details-{key.replace('_', '-')}"


class DetailsScreen(FormScreen):
    """The "Your details" form; dismisses with the new ``Settings`` once they are saved
    (``None`` when cancelled)."""

    TITLE = "Your details"
    AUTO_FOCUS = "Input"
    FIELDS = tuple((key, field_id(key)) for key in DETAILS)

    def __init__(self, *, needed: Sequence[str] = (), reason: str = "") -> None:
        """``needed``: settings that may not stay empty this time (an invite's organizer);
        ``reason``: why the form opened, said at the top."""
        super().__init__()
        self.needed = tuple(needed)
        self.reason = reason

    def header(self) -> ComposeResult:
        try:
            where = str(settings_path())
        except NurtureError as exc:
            where = str(exc)
        lines = [self.reason or "Invites go out in your name, from your address."]
        lines.append(f"Saved in {where} (also: nurture config).")
        overridden = [k for k in env_overrides() if k in DETAILS]
        if overridden:
            names = ", ".join(f"NURTURE_{k.upper()}" for k in overridden)
            lines.append(f"Set in this shell, and winning over this form: {names}.")
        yield Static(Text("\n".join(lines)), classes="form-subtitle", id="details-about")

    def fields(self) -> ComposeResult:
        current = nurture(self).session.settings
        for key in DETAILS:
            label, hint = _FIELDS[key]
            value = getattr(current, key)
            yield field_label(label)
            yield Input(value=str(value) if value != "" else "", placeholder=hint, id=field_id(key))

    def footer(self) -> ComposeResult:
        # Right under the field it explains: the four types do not fit its placeholder.
        yield Static(
            Text(
                "Agency type: one or more of home-health, hospice, non-medical-home-care, "
                "waiver-provider (comma-separated). Home health brings Stark's yearly limit "
                "on gifts to physicians; the kickback checks always apply."
            ),
            classes="form-subtitle",
            id="details-agency-types",
        )

    def _typed(self, key: str) -> str:
        return self.query_one(f"#{field_id(key)}", Input).value

    def save(self) -> Worker[None]:
        """As typed: the service checks every value as ``nurture config set`` does (the
        first wrong one is named beside its field), then writes the file."""
        typed = {key: self._typed(key) for key in DETAILS}
        return nurture(self).save_details(typed, self.needed, origin=self)


def offer_on_first_run(app: NurtureApp) -> None:
    """A first run (no config.toml yet) with the rep's details missing: ask for them once
    the board is up — ``make run`` loads demo partners, so the empty-store welcome screen
    that also asks never shows. Escape leaves it for later (the palette finds it)."""
    try:
        first_run = not settings_path().exists()
    except NurtureError:
        return
    if first_run and missing_invite_details(app.session.settings):
        app.push_screen(
            DetailsScreen(
                reason="Welcome to Nurture! First, your details: invites go out in your "
                'name (esc: later; ctrl+p, "details" any time).'
            )
        )
