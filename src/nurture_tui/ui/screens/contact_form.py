"""Add a contact at a partner, or edit one (milestones, met in person, LinkedIn too).

The credential says who is a physician (MD, DO, DDS, DMD, DPM, OD, DC): gifts to one count
toward Stark's yearly limit, which the log form checks before the rep spends.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import Checkbox, Input, Select, Static
from textual.worker import Worker

from nurture_tui.domain.kinds import PHYSICIAN_CREDENTIALS, Credential
from nurture_tui.domain.model import Contact, Partner
from nurture_tui.services import lookups
from nurture_tui.services.entries import ContactEntry, contact_entry
from nurture_tui.ui.base import nurture
from nurture_tui.ui.screens.form import FormScreen, field_label


def credential_options() -> list[tuple[str, str]]:
    """ "MD — physician", "NP"…: the physicians (Stark's meaning) say so, since that is
    what the choice changes."""
    return [
        (f"{c.upper()} — physician" if c in PHYSICIAN_CREDENTIALS else c.upper(), c.value)
        for c in Credential
    ]


class ContactForm(FormScreen):
    TITLE = "Add a contact"
    FIELDS = (
        ("name", "contact-name"),
        ("role", "contact-role"),
        ("emails", "contact-emails"),
        ("birthday", "contact-birthday"),
        ("started", "contact-started"),
        ("milestone", "contact-milestone"),
        ("credential", "contact-credential"),
        ("npi", "contact-npi"),
    )
    FIELD_HINTS = (
        ("contact name", "contact-name"),
        ("already belongs", "contact-emails"),
        ("email", "contact-emails"),
        ("birthday", "contact-birthday"),
        ("start date", "contact-started"),
        ("milestone", "contact-milestone"),
        ("role", "contact-role"),
        ("npi", "contact-npi"),
    )

    ENTRY_WIDGETS = (
        ("name", "contact-name"),
        ("role", "contact-role"),
        ("emails", "contact-emails"),
        ("phone", "contact-phone"),
        ("birthday", "contact-birthday"),
        ("started", "contact-started"),
        ("milestone", "contact-milestone"),
        ("met_in_person", "contact-met"),
        ("linkedin_connected", "contact-linkedin"),
        ("credential", "contact-credential"),
        ("npi", "contact-npi"),
    )

    @dataclass
    class PartnerNamed(Message):
        """The partner's name, for the line under the title."""

        name: str

    def __init__(self, partner_id: str, contact: Contact | None = None) -> None:
        super().__init__()
        self.partner_id = partner_id
        self.contact = contact

    def header(self) -> ComposeResult:
        yield Static("", id="contact-partner", classes="form-subtitle")  # at which partner

    def on_mount(self) -> None:
        pid = self.partner_id
        nurture(self).load_into(
            self,
            lambda session: lookups.partner_name(session, pid),
            self.PartnerNamed,
            purpose="contact-partner",
        )

    @on(PartnerNamed)
    def _partner_named(self, message: PartnerNamed) -> None:
        self.query_one("#contact-partner", Static).update(Text(message.name))

    @property
    def form_title(self) -> str:
        return f"Edit {self.contact.name}" if self.contact else "Add a contact"

    def fields(self) -> ComposeResult:
        # The fields show the contact's entry (``contact_entry``): the same words the
        # save compares with to know what the rep changed.
        shown = contact_entry(self.contact) if self.contact else ContactEntry(name="")
        yield field_label("Name")
        yield Input(value=shown.name, id="contact-name")
        yield field_label("Role")
        yield Input(
            value=shown.role,
            placeholder="Discharge Planner, Hospice Liaison…",
            id="contact-role",
        )
        yield field_label("Credential")
        yield Select(
            credential_options(),
            value=shown.credential or Select.NULL,
            prompt="not set (MD, DO… count toward the gift limit)",
            id="contact-credential",
        )
        yield field_label("NPI")
        yield Input(
            value=shown.npi,
            placeholder="their own 10-digit NPI (optional)",
            id="contact-npi",
        )
        yield field_label("Emails")
        yield Input(value=shown.emails, id="contact-emails")
        yield field_label("Phone")
        yield Input(value=shown.phone, id="contact-phone")
        yield field_label("Birthday")
        yield Input(
            value=shown.birthday,
            placeholder="1980-03-14, or March 14 without the year (optional)",
            id="contact-birthday",
        )
        yield field_label("Started")
        yield Input(
            value=shown.started,
            placeholder="when they joined: 11/2, 2026-11-02, mon",
            id="contact-started",
        )
        yield field_label("Milestone")
        yield Input(
            value=shown.milestone,
            placeholder="YYYY-MM-DD promoted / retiring / a hard time…",
            id="contact-milestone",
        )
        yield field_label("")
        yield Checkbox("Met in person", value=shown.met_in_person, id="contact-met")
        yield field_label("")
        yield Checkbox(
            "Connected on LinkedIn", value=shown.linkedin_connected, id="contact-linkedin"
        )

    def _text(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value.strip()

    def save(self) -> Worker[None]:
        """Everything as typed: the service reads the dates and checks every field, and a
        new contact goes in whole (milestones, LinkedIn) as one change."""
        credential = self.query_one("#contact-credential", Select).value
        entry = ContactEntry(
            name=self._text("contact-name"),
            role=self._text("contact-role"),
            emails=self._text("contact-emails"),
            phone=self._text("contact-phone"),
            birthday=self._text("contact-birthday"),
            started=self._text("contact-started"),
            milestone=self._text("contact-milestone"),
            met_in_person=self.query_one("#contact-met", Checkbox).value,
            linkedin_connected=self.query_one("#contact-linkedin", Checkbox).value,
            credential=str(credential) if isinstance(credential, str) else "",
            npi=self._text("contact-npi"),
        )
        existing = self.contact.id if self.contact else None
        return nurture(self).save_contact(
            self.partner_id, entry, existing, opened=self.contact, origin=self
        )

    def opened_entry(self) -> object:
        return contact_entry(self.contact) if self.contact else None

    def reopen(self, record: Partner | Contact) -> None:
        if isinstance(record, Contact):
            self.contact = record
