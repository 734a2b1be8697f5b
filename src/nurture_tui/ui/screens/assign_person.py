"""Assign an unmatched address to a partner (as a new contact) or to one of its contacts."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.message import Message
from textual.widgets import Input, OptionList, Select, Static
from textual.widgets.option_list import Option
from textual.worker import Worker

from nurture_tui.domain.model import Contact
from nurture_tui.services import lookups
from nurture_tui.ui.base import nurture
from nurture_tui.ui.filtering import fuzzy_match
from nurture_tui.ui.screens.form import FieldError, FormScreen, field_label

NEW_CONTACT = "__new__"


class AssignPersonForm(FormScreen):
    @dataclass
    class ContactsLoaded(Message):
        """The picked partner's contacts (to add the address to one of them)."""

        contacts: list[Contact]

    TITLE = "Who is this?"
    FIELDS = (("name", "assign-name"), ("emails", "assign-contact"))
    FIELD_HINTS = (
        ("already belongs", "assign-contact"),
        ("contact", "assign-contact"),
        ("name", "assign-name"),
    )

    def __init__(self, email: str) -> None:
        super().__init__()
        self.email = email
        self.partner_id: str | None = None

    def header(self) -> ComposeResult:
        yield Static(Text(self.email), classes="form-subtitle")

    def fields(self) -> ComposeResult:
        yield field_label("Partner")
        yield Input(placeholder="type to find the partner", id="assign-search")
        yield field_label("")
        yield OptionList(id="assign-partners")
        yield field_label("Contact")
        yield Select(
            [("a new contact", NEW_CONTACT)],
            value=NEW_CONTACT,
            allow_blank=False,
            id="assign-contact",
        )
        yield field_label("Name")
        local = self.email.split("@")[0].replace(".", " ").replace("_", " ").title()
        yield Input(value=local, id="assign-name")

    def on_mount(self) -> None:
        self._filter("")

    @on(Input.Changed, "#assign-search")
    def _search(self, event: Input.Changed) -> None:
        self._filter(event.value)

    def _filter(self, text: str) -> None:
        board = nurture(self).board
        cards = board.cards if board else []
        matches = [c for c in cards if fuzzy_match(text.lower(), c.name)][:50]
        options = self.query_one("#assign-partners", OptionList)
        options.clear_options()
        options.add_options([Option(c.name, id=c.id) for c in matches])

    @on(OptionList.OptionHighlighted, "#assign-partners")
    def _picked(self, event: OptionList.OptionHighlighted) -> None:
        partner_id = self.partner_id = event.option.id
        if partner_id:
            nurture(self).load_into(
                self,
                lambda session: lookups.contacts_at(session, partner_id),
                self.ContactsLoaded,
                purpose="assign-contacts",
            )

    @on(ContactsLoaded)
    def _contacts_loaded(self, message: ContactsLoaded) -> None:
        choice = self.query_one("#assign-contact", Select)
        choice.set_options(
            [("a new contact", NEW_CONTACT), *((c.name, c.id) for c in message.contacts)]
        )
        choice.value = NEW_CONTACT

    def save(self) -> Worker[None]:
        if not self.partner_id:
            raise FieldError("assign-search", "pick the partner this person works at")
        contact = self.query_one("#assign-contact", Select).value
        contact_id = str(contact) if isinstance(contact, str) and contact != NEW_CONTACT else None
        name = self.query_one("#assign-name", Input).value.strip() or None
        return nurture(self).assign_person(
            self.email, self.partner_id, contact_id, name, origin=self
        )
