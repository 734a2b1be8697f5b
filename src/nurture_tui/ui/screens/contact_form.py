"""Add a contact at a partner."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Checkbox, Input

from nurture_tui.domain.model import Contact
from nurture_tui.domain.validation import clean_email, clean_name, parse_date
from nurture_tui.services import records
from nurture_tui.services.session import Session
from nurture_tui.ui.base import nurture
from nurture_tui.ui.screens.form import FormScreen, field_label


class ContactForm(FormScreen):
    TITLE = "Add a contact"

    def __init__(self, partner_id: str) -> None:
        super().__init__()
        self.partner_id = partner_id

    def fields(self) -> ComposeResult:
        yield field_label("Name")
        yield Input(id="contact-name")
        yield field_label("Role")
        yield Input(placeholder="Discharge Planner, Hospice Liaison…", id="contact-role")
        yield field_label("Emails")
        yield Input(id="contact-emails")
        yield field_label("Phone")
        yield Input(id="contact-phone")
        yield field_label("Birthday")
        yield Input(placeholder="YYYY-MM-DD (optional)", id="contact-birthday")
        yield field_label("Started")
        yield Input(placeholder="YYYY-MM-DD they joined the partner", id="contact-started")
        yield field_label("")
        yield Checkbox("Met in person", id="contact-met")

    def _text(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value.strip()

    def save(self) -> None:
        name = self._text("contact-name")
        emails = [e.strip() for e in self._text("contact-emails").split(",") if e.strip()]
        birthday = self._text("contact-birthday")
        started = self._text("contact-started")
        born = parse_date(birthday, "birthday") if birthday else None
        began = parse_date(started, "start date") if started else None
        role, phone = self._text("contact-role"), self._text("contact-phone")
        met = self.query_one("#contact-met", Checkbox).value
        pid = self.partner_id
        clean_name(name, "contact name")
        for email in emails:
            clean_email(email)

        def write(session: Session) -> Contact:
            return records.add_contact(
                session,
                pid,
                name,
                emails=emails,
                role=role,
                phone=phone,
                birthday=born,
                started=began,
                met_in_person=met,
            )

        nurture(self).run_write(write, lambda c: f"Added {c.name}", pid)
