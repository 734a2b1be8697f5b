"""Record a referral, or change one (its status above all: received -> admitted -> in
service, or declined / closed). The participant reference is generated: never a name
(HIPAA minimum necessary)."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import Checkbox, Input, Select, Static
from textual.worker import Worker

from nurture_tui.domain.dates import describe_day
from nurture_tui.domain.errors import ValidationError
from nurture_tui.domain.kinds import ReferralService, ReferralStatus
from nurture_tui.domain.model import Referral
from nurture_tui.services import lookups
from nurture_tui.services.entries import ReferralEntry
from nurture_tui.services.lookups import PartnerContacts, ReferralToEdit
from nurture_tui.ui.base import nurture
from nurture_tui.ui.screens.form import FormScreen, field_label


class ReferralForm(FormScreen):
    """``ReferralForm(partner_id)`` records a new referral; ``ReferralForm(partner_id,
    referral_id=...)`` (a timeline row's ``record_id``) edits that one: status, service,
    detail and flags, as ``nurture referral edit`` does."""

    @dataclass
    class ContactsLoaded(Message):
        """The partner's name and contacts (the "From" choice)."""

        loaded: PartnerContacts

    @dataclass
    class ReferralLoaded(Message):
        """The referral being changed, and the contact it came from."""

        loaded: ReferralToEdit

    TITLE = "Record a referral"
    FIELDS = (
        ("received", "ref-received"),
        ("contact", "ref-contact"),
        ("service", "ref-service"),
        ("service_detail", "ref-service-detail"),
        ("status", "ref-status"),
    )
    FIELD_HINTS = (
        ("received", "ref-received"),
        ("future", "ref-received"),
        ("service detail", "ref-service-detail"),
        ("service", "ref-service"),
        ("contact", "ref-contact"),
        ("status", "ref-status"),
    )

    def __init__(self, partner_id: str, *, referral_id: str | None = None) -> None:
        super().__init__()
        self.partner_id = partner_id
        self.referral_id = referral_id
        self.referral: Referral | None = None

    @property
    def editing(self) -> bool:
        return self.referral_id is not None

    @property
    def form_title(self) -> str:
        return "Change a referral" if self.editing else self.TITLE

    def header(self) -> ComposeResult:
        yield Static("", id="ref-partner", classes="form-subtitle")  # who it is about
        if self.editing:
            yield Static("Loading…", id="ref-summary", classes="form-subtitle")

    def fields(self) -> ComposeResult:
        if self.editing:
            yield field_label("Status")
            yield Select(
                [(s.value, s.value) for s in ReferralStatus],
                allow_blank=False,
                value=ReferralStatus.RECEIVED.value,
                id="ref-status",
            )
        else:
            yield field_label("From")
            yield Select([], id="ref-contact", prompt="the partner as a whole")
            yield field_label("Received")
            yield Input(
                value="today",
                placeholder="today, yesterday, mon, 11/20 or 2026-11-20",
                id="ref-received",
            )
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
        if self.editing:
            yield field_label("")
            yield Checkbox(
                "The partner no longer serves this participant (no more updates to them)",
                id="ref-no-longer-serving",
            )

    def footer(self) -> ComposeResult:
        yield Static(
            "🔒 A participant code like P-7K2Q9 is generated. Never type a name, initials, "
            "date of birth or record number here.",
            classes="privacy-note",
        )

    def on_mount(self) -> None:
        app, pid, rid = nurture(self), self.partner_id, self.referral_id
        if rid is not None:
            app.load_into(
                self,
                lambda session: lookups.referral_to_edit(session, rid),
                self.ReferralLoaded,
                purpose="referral",
            )
        else:
            app.load_into(
                self,
                lambda session: lookups.partner_contacts(session, pid),
                self.ContactsLoaded,
                purpose="referral-contacts",
            )

    @on(ContactsLoaded)
    def _contacts_loaded(self, message: ContactsLoaded) -> None:
        self.query_one("#ref-partner", Static).update(Text(message.loaded.partner_name))
        self.query_one("#ref-contact", Select).set_options(
            [(f"{c.name} — {c.role}", c.id) for c in message.loaded.contacts]
        )

    @on(ReferralLoaded)
    def _referral_loaded(self, message: ReferralLoaded) -> None:
        referral, contact = message.loaded.referral, message.loaded.contact
        self.referral = referral
        self.query_one("#ref-partner", Static).update(Text(message.loaded.partner_name))
        source = f" from {contact.name}" if contact else ""
        self.query_one("#ref-summary", Static).update(
            Text(f"{referral.participant_ref} · received {describe_day(referral.received)}{source}")
        )
        self.query_one("#ref-status", Select).value = referral.status.value
        if referral.service:
            self.query_one("#ref-service", Select).value = referral.service
        self.query_one("#ref-service-detail", Input).value = referral.service_detail
        self.query_one("#ref-complex", Checkbox).value = referral.complex_needs
        self.query_one(
            "#ref-no-longer-serving", Checkbox
        ).value = referral.partner_no_longer_serving

    def _service(self) -> tuple[str, str, bool]:
        chosen = self.query_one("#ref-service", Select).value
        service = chosen if isinstance(chosen, str) else ""
        detail = self.query_one("#ref-service-detail", Input).value
        return service, detail, self.query_one("#ref-complex", Checkbox).value

    def save(self) -> Worker[None]:
        return self._edit() if self.editing else self._add()

    def _add(self) -> Worker[None]:
        """As typed: the service reads "yesterday" (a referral has arrived: "mon" is the
        last Monday) and checks every field."""
        contact = self.query_one("#ref-contact", Select).value
        service, detail, complex_needs = self._service()
        entry = ReferralEntry(
            received=self.query_one("#ref-received", Input).value,
            contact_id=contact if isinstance(contact, str) else None,
            service=service,
            service_detail=detail,
            complex_needs=complex_needs,
        )
        return nurture(self).record_referral(self.partner_id, entry, origin=self)

    def _edit(self) -> Worker[None]:
        referral = self.referral
        if referral is None:
            raise ValidationError("the referral is still loading; try again in a moment")
        service, detail, complex_needs = self._service()
        return nurture(self).change_referral(
            referral.id,
            status=str(self.query_one("#ref-status", Select).value),
            service=service,
            service_detail=detail,
            complex_needs=complex_needs,
            partner_no_longer_serving=self.query_one("#ref-no-longer-serving", Checkbox).value,
            origin=self,
        )
