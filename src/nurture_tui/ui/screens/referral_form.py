"""Record a referral. The participant reference is generated: never a name (HIPAA)."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.widgets import Checkbox, Input, Select, Static

from nurture_tui.domain.kinds import ReferralService
from nurture_tui.domain.model import Contact, Referral
from nurture_tui.domain.validation import parse_date
from nurture_tui.services import records
from nurture_tui.services.session import Session
from nurture_tui.ui.base import nurture
from nurture_tui.ui.screens.form import FormScreen, field_label


class ReferralForm(FormScreen):
    TITLE = "Record a referral"

    def __init__(self, partner_id: str) -> None:
        super().__init__()
        self.partner_id = partner_id

    def fields(self) -> ComposeResult:
        yield field_label("From")
        yield Select([], id="ref-contact", prompt="the partner as a whole")
        yield field_label("Received")
        yield Input(value=nurture(self).today.isoformat(), id="ref-received")
        yield field_label("Service")
        yield Select(
            [(member.value.replace("-", " "), member.value) for member in ReferralService],
            id="ref-service",
            prompt="not known yet",
        )
        yield field_label("Detail")
        yield Input(
            placeholder="a few words, e.g. evenings only (no patient details)",
            id="ref-service-detail",
        )
        yield field_label("")
        yield Checkbox("Complex needs (offer to coordinate the care plan)", id="ref-complex")

    def footer(self) -> ComposeResult:
        yield Static(
            "🔒 A participant code like P-7K2Q9 is generated. Never type a name, initials, "
            "date of birth or record number here.",
            classes="privacy-note",
        )

    def on_mount(self) -> None:
        self.load_contacts()

    @work(thread=True, exit_on_error=False)
    def load_contacts(self) -> None:
        app = nurture(self)
        with app.store_lock:
            contacts = app.session.repo.contacts(self.partner_id)
        self.app.call_from_thread(self._contacts_loaded, contacts)

    def _contacts_loaded(self, contacts: list[Contact]) -> None:
        self.query_one("#ref-contact", Select).set_options(
            [(f"{c.name} — {c.role}", c.id) for c in contacts]
        )

    def save(self) -> None:
        received = parse_date(self.query_one("#ref-received", Input).value, "received date")
        contact = self.query_one("#ref-contact", Select).value
        contact_id = contact if isinstance(contact, str) else None
        chosen = self.query_one("#ref-service", Select).value
        service = chosen if isinstance(chosen, str) else ""
        detail = self.query_one("#ref-service-detail", Input).value
        complex_needs = self.query_one("#ref-complex", Checkbox).value
        pid = self.partner_id

        def write(session: Session) -> Referral:
            return records.add_referral(
                session,
                pid,
                received,
                contact_id=contact_id,
                service=service,
                service_detail=detail,
                complex_needs=complex_needs,
            )

        nurture(self).run_write(
            write, lambda r: f"Referral recorded as {r.participant_ref}; thank them soon", pid
        )
