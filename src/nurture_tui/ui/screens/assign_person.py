"""Assign an unmatched address to a partner (as a new contact) or to one of its contacts."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.widgets import Input, OptionList, Select, Static
from textual.widgets.option_list import Option

from nurture_tui.domain.model import Contact
from nurture_tui.services import sync as service
from nurture_tui.ui.base import nurture
from nurture_tui.ui.filtering import fuzzy_match
from nurture_tui.ui.screens.form import FieldError, FormScreen, FormWrite, field_label

NEW_CONTACT = "__new__"


class AssignPersonForm(FormScreen):
    TITLE = "Who is this?"
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
        self.partner_id = event.option.id
        if self.partner_id:
            self.load_contacts(self.partner_id)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def load_contacts(self, partner_id: str) -> None:
        app = nurture(self)
        with app.store_lock:
            contacts = app.session.repo.contacts(partner_id)
        self.app.call_from_thread(self._contacts_loaded, contacts)

    def _contacts_loaded(self, contacts: list[Contact]) -> None:
        choice = self.query_one("#assign-contact", Select)
        choice.set_options([("a new contact", NEW_CONTACT), *((c.name, c.id) for c in contacts)])
        choice.value = NEW_CONTACT

    def save(self) -> FormWrite[object]:
        if not self.partner_id:
            raise FieldError("assign-search", "pick the partner this person works at")
        contact = self.query_one("#assign-contact", Select).value
        contact_id = str(contact) if isinstance(contact, str) and contact != NEW_CONTACT else None
        name = self.query_one("#assign-name", Input).value.strip() or None
        email, partner_id = self.email, self.partner_id
        return FormWrite(
            lambda session: service.assign_person(session, email, partner_id, contact_id, name),
            lambda _: f"{email} assigned",
            partner_id,
        )
