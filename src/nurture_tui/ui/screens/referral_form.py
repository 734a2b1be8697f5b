"""Record a referral, or change one (its status above all: received -> admitted -> in
service, or declined / closed). The participant reference is generated: never a name
(HIPAA minimum necessary)."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.widgets import Checkbox, Input, Select, Static

from nurture_tui.domain.dates import Tense, describe_day
from nurture_tui.domain.errors import ValidationError
from nurture_tui.domain.kinds import ReferralService, ReferralStatus
from nurture_tui.domain.model import Contact, Referral
from nurture_tui.domain.validation import parse_date
from nurture_tui.services import records
from nurture_tui.services.session import Session
from nurture_tui.ui.base import nurture
from nurture_tui.ui.screens.form import FormScreen, FormWrite, checking, field_label


class ReferralForm(FormScreen):
    """``ReferralForm(partner_id)`` records a new referral; ``ReferralForm(partner_id,
    referral_id=...)`` (a timeline row's ``record_id``) edits that one: status, service,
    detail and flags, as ``nurture referral edit`` does."""

    TITLE = "Record a referral"
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
        if self.referral_id is not None:
            self.load_referral(self.referral_id)
        else:
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

    @work(thread=True, exit_on_error=False)
    def load_referral(self, referral_id: str) -> None:
        app = nurture(self)
        with app.store_lock:
            referral = app.session.repo.referral(referral_id)
            contact = app.session.repo.contact(referral.contact_id) if referral.contact_id else None
        self.app.call_from_thread(self._referral_loaded, referral, contact)

    def _referral_loaded(self, referral: Referral, contact: Contact | None) -> None:
        self.referral = referral
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

    def save(self) -> FormWrite[Referral]:
        return self._edit() if self.editing else self._add()

    def _add(self) -> FormWrite[Referral]:
        today = nurture(self).today
        with checking("ref-received"):
            received = parse_date(
                self.query_one("#ref-received", Input).value,
                "received date",
                today=today,
                tense=Tense.PAST,  # a referral has arrived: "mon" is the last Monday
            )
        contact = self.query_one("#ref-contact", Select).value
        contact_id = contact if isinstance(contact, str) else None
        service, detail, complex_needs = self._service()
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

        return FormWrite(
            write,
            lambda r: (
                f"Referral recorded as {r.participant_ref} (received "
                f"{describe_day(r.received, today)}); thank them soon"
            ),
            pid,
        )

    def _edit(self) -> FormWrite[Referral]:
        referral = self.referral
        if referral is None:
            raise ValidationError("the referral is still loading; try again in a moment")
        status = str(self.query_one("#ref-status", Select).value)
        service, detail, complex_needs = self._service()
        no_longer_serving = self.query_one("#ref-no-longer-serving", Checkbox).value

        def write(session: Session) -> Referral:
            return records.update_referral(
                session,
                referral.id,
                status=status,
                service=service,
                service_detail=detail,
                complex_needs=complex_needs,
                partner_no_longer_serving=no_longer_serving,
            )

        return FormWrite(
            write,
            lambda r: f"Referral {r.participant_ref}: {r.status.value}",
            referral.partner_id,
        )
