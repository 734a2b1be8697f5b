"""Add a contact at a partner, or edit one (milestones, met in person, LinkedIn too)."""

from __future__ import annotations

from datetime import date

from textual.app import ComposeResult
from textual.widgets import Checkbox, Input

from nurture_tui.domain.dates import MonthDay, Tense
from nurture_tui.domain.errors import ValidationError
from nurture_tui.domain.model import Contact, Milestone
from nurture_tui.domain.validation import clean_email, clean_name, parse_birthday, parse_date
from nurture_tui.services import records
from nurture_tui.services.session import Session
from nurture_tui.ui.base import nurture
from nurture_tui.ui.screens.form import FormScreen, FormWrite, checking, field_label


def _iso(value: date | MonthDay | None) -> str:
    """A day as the field shows it again: ISO, or "03-14" for a birthday without a year."""
    if isinstance(value, MonthDay):
        return f"{value.month:02d}-{value.day:02d}"
    return value.isoformat() if value else ""


class ContactForm(FormScreen):
    TITLE = "Add a contact"
    FIELD_HINTS = (
        ("contact name", "contact-name"),
        ("already belongs", "contact-emails"),
        ("email", "contact-emails"),
        ("birthday", "contact-birthday"),
        ("start date", "contact-started"),
        ("milestone", "contact-milestone"),
        ("role", "contact-role"),
    )

    def __init__(self, partner_id: str, contact: Contact | None = None) -> None:
        super().__init__()
        self.partner_id = partner_id
        self.contact = contact

    @property
    def form_title(self) -> str:
        return f"Edit {self.contact.name}" if self.contact else "Add a contact"

    def fields(self) -> ComposeResult:
        c = self.contact
        yield field_label("Name")
        yield Input(value=c.name if c else "", id="contact-name")
        yield field_label("Role")
        yield Input(
            value=c.role if c else "",
            placeholder="Discharge Planner, Hospice Liaison…",
            id="contact-role",
        )
        yield field_label("Emails")
        yield Input(value=", ".join(c.emails) if c else "", id="contact-emails")
        yield field_label("Phone")
        yield Input(value=c.phone if c else "", id="contact-phone")
        yield field_label("Birthday")
        yield Input(
            value=_iso(c.birthday if c else None),
            placeholder="1980-03-14, or March 14 without the year (optional)",
            id="contact-birthday",
        )
        yield field_label("Started")
        yield Input(
            value=_iso(c.started if c else None),
            placeholder="when they joined: 11/2, 2026-11-02, mon",
            id="contact-started",
        )
        yield field_label("Milestone")
        milestone = c.milestones[-1] if c and c.milestones else None
        yield Input(
            value=f"{milestone.on.isoformat()} {milestone.note}" if milestone else "",
            placeholder="YYYY-MM-DD promoted / retiring / a hard time…",
            id="contact-milestone",
        )
        yield field_label("")
        yield Checkbox("Met in person", value=bool(c and c.met_in_person), id="contact-met")
        yield field_label("")
        yield Checkbox(
            "Connected on LinkedIn", value=bool(c and c.linkedin_connected), id="contact-linkedin"
        )

    def _text(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value.strip()

    def _milestones(self) -> tuple[Milestone, ...]:
        text = self._text("contact-milestone")
        kept = self.contact.milestones[:-1] if self.contact and self.contact.milestones else ()
        if not text:
            return kept
        day, _, note = text.partition(" ")
        with checking("contact-milestone"):
            if not note.strip():
                raise ValidationError(
                    "a milestone is a date and a few words, e.g. 2026-12-01 promoted"
                )
            on = parse_date(day, "milestone date", today=nurture(self).today)
            return (*kept, Milestone(on, note.strip()))

    def save(self) -> FormWrite[Contact]:
        name = self._text("contact-name")
        emails = [e.strip() for e in self._text("contact-emails").split(",") if e.strip()]
        birthday = self._text("contact-birthday")
        started = self._text("contact-started")
        with checking("contact-name"):
            clean_name(name, "contact name")
        with checking("contact-emails"):
            for email in emails:
                clean_email(email)
        today = nurture(self).today
        with checking("contact-birthday"):
            born = parse_birthday(birthday) if birthday else None
        with checking("contact-started"):
            began = (
                parse_date(started, "start date", today=today, tense=Tense.PAST)
                if started
                else None
            )
        role, phone = self._text("contact-role"), self._text("contact-phone")
        met = self.query_one("#contact-met", Checkbox).value
        linked = self.query_one("#contact-linkedin", Checkbox).value
        milestones = self._milestones()
        pid = self.partner_id
        existing = self.contact

        def write(session: Session) -> Contact:
            if existing is not None:
                return records.edit_contact(
                    session,
                    existing.id,
                    name=name,
                    role=role,
                    emails=emails,
                    phone=phone,
                    birthday=born,
                    started=began,
                    met_in_person=met,
                    linkedin_connected=linked,
                    milestones=milestones,
                )
            contact = records.add_contact(
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
            if linked or milestones:
                contact = records.edit_contact(
                    session, contact.id, linkedin_connected=linked, milestones=milestones
                )
            return contact

        verb = "Saved" if existing else "Added"
        return FormWrite(write, lambda c: f"{verb} {c.name}", pid)
