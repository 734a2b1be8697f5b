"""First run with an empty store: load demo data, import a CSV, or add the first partner."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from nurture_tui.services.csv_import import import_csv
from nurture_tui.services.demo import DemoSize, load_demo
from nurture_tui.ui.base import nurture


class WelcomeScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "demo", "Demo data", id="welcome.demo"),
        Binding("i", "import_csv", "Import CSV", id="welcome.import"),
        Binding("a", "add_partner", "Add partner", id="welcome.add"),
        Binding("escape", "app.pop_screen", "Close", id="welcome.close"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="form"):
            yield Label("Welcome to Nurture", classes="form-title")
            yield Static(
                "Your store is empty. Nurture shows every referral partner by stage, and "
                "suggests the next thing to do for each — a thank-you after a referral, a "
                "check-in on cadence, an in-service they could teach your staff.\n"
            )
            yield Button("Load demo data  (d)", id="welcome-demo", variant="primary")
            yield Button("Import a CSV  (i)", id="welcome-import")
            yield Input(placeholder="path/to/partners.csv, then Enter", id="welcome-path")
            yield Button("Add my first partner  (a)", id="welcome-add")

    def on_mount(self) -> None:
        self.query_one("#welcome-path").display = False

    @on(Button.Pressed, "#welcome-demo")
    def action_demo(self) -> None:
        nurture(self).run_write(
            lambda session: load_demo(session, DemoSize()),
            lambda data: f"Demo agency loaded: {len(data.partners)} partners",
        )
        self.dismiss()

    @on(Button.Pressed, "#welcome-import")
    def action_import_csv(self) -> None:
        path = self.query_one("#welcome-path", Input)
        path.display = True
        path.focus()

    @on(Input.Submitted, "#welcome-path")
    def _import(self, event: Input.Submitted) -> None:
        path = Path(event.value.strip()).expanduser()
        nurture(self).run_write(
            lambda session: import_csv(session, path),
            lambda report: (
                f"Imported {report.partners_added} partners and {report.contacts_added} contacts"
            ),
        )
        self.dismiss()

    @on(Button.Pressed, "#welcome-add")
    def action_add_partner(self) -> None:
        from nurture_tui.ui.screens.partner_form import PartnerForm

        self.dismiss()
        self.app.push_screen(PartnerForm())
