"""First run with an empty store: your details, then demo data, a CSV, or the first partner.

Your details come first while they are missing: invites go out in the rep's name, and
nothing is sent with a placeholder, so the first run is where to ask.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from nurture_tui.config import missing_invite_details
from nurture_tui.ui.base import nurture


class WelcomeScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "details", "Your details", id="welcome.details"),
        Binding("d", "demo", "Demo data", id="welcome.demo"),
        Binding("i", "import_csv", "Import CSV", id="welcome.import"),
        Binding("a", "add_partner", "Add partner", id="welcome.add"),
        Binding("escape", "app.pop_screen", "Close", id="welcome.close"),
    ]

    def compose(self) -> ComposeResult:
        # Scrolls when a 24-line terminal cannot hold it all (the CSV path field appears).
        with VerticalScroll(classes="form"):
            yield Label("Welcome to Nurture", classes="form-title")
            yield Static(
                "Your store is empty. Nurture shows every referral partner by stage, and "
                "suggests the next thing to do for each — a thank-you after a referral, a "
                "check-in on cadence, an in-service they could teach your staff."
            )
            yield Static("", id="welcome-details-note")
            yield Button("Your details  (y)", id="welcome-details")
            yield Button("Load demo data  (d)", id="welcome-demo", variant="primary")
            yield Button("Import a CSV  (i)", id="welcome-import")
            yield Input(placeholder="path/to/partners.csv, then Enter", id="welcome-path")
            yield Button("Add my first partner  (a)", id="welcome-add")

    def on_mount(self) -> None:
        self.query_one("#welcome-path").display = False
        self._show_details_state()

    def _show_details_state(self) -> None:
        """Say whether the rep's details are still needed (they are asked for first)."""
        missing = missing_invite_details(nurture(self).session.settings)
        note = self.query_one("#welcome-details-note", Static)
        button = self.query_one("#welcome-details", Button)
        if missing:
            note.update("First, your details: invites go out in your name.")
            button.label = "Your details  (y)"
            button.variant = "primary"
        else:
            note.update('Your details are set (to change them: ctrl+p, then "details").')
            button.label = "Change your details  (y)"
            button.variant = "default"

    @on(Button.Pressed, "#welcome-details")
    def action_details(self) -> None:
        from nurture_tui.ui.screens.details import DetailsScreen

        self.app.push_screen(DetailsScreen(), lambda _: self._show_details_state())

    @on(Button.Pressed, "#welcome-demo")
    def action_demo(self) -> None:
        nurture(self).load_demo()
        self.dismiss()

    @on(Button.Pressed, "#welcome-import")
    def action_import_csv(self) -> None:
        path = self.query_one("#welcome-path", Input)
        path.display = True
        path.focus()

    @on(Input.Submitted, "#welcome-path")
    def _import(self, event: Input.Submitted) -> None:
        nurture(self).import_csv(Path(event.value.strip()).expanduser())
        self.dismiss()

    @on(Button.Pressed, "#welcome-add")
    def action_add_partner(self) -> None:
        from nurture_tui.ui.screens.partner_form import PartnerForm

        self.dismiss()
        self.app.push_screen(PartnerForm())
