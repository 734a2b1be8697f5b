"""The board's `o`: hand a partner to one of the team's reps, or leave it unassigned.

The reps come from the board's data (read with the cards, in a worker), so opening the
form reads nothing. An admin picks any rep; any other rep is offered only what they may do
(take an unassigned partner, hand back their own); the service checks it again.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker

from nurture_tui.domain.ownership import Ownership
from nurture_tui.services.board import PartnerCard
from nurture_tui.ui.base import nurture
from nurture_tui.ui.screens.form import FormScreen, field_label

#: The option id of "nobody owns it".
UNASSIGNED = "-"


class OwnerForm(FormScreen):
    TITLE = "Owner"
    FIELDS = (("owner", "owner-choice"),)

    def __init__(self, card: PartnerCard, owners: Ownership) -> None:
        super().__init__()
        self.card = card
        self.owners = owners

    def header(self) -> ComposeResult:
        now = self.card.owner or "unassigned"
        yield Static(Text(f"{self.card.name} — now {now}"), classes="form-subtitle")

    def choices(self) -> list[Option]:
        """Every rep and "Unassigned" for an admin; "me" and "Unassigned" for a rep."""
        reps = self.owners.reps or ()
        if not self.owners.is_admin:
            reps = tuple(r for r in reps if r.email == self.owners.me)
        options = [
            Option(Text(r.label + ("  (you)" if r.email == self.owners.me else "")), id=r.email)
            for r in reps
        ]
        return [*options, Option("Unassigned (nobody owns it)", id=UNASSIGNED)]

    def fields(self) -> ComposeResult:
        yield field_label("Rep")
        yield OptionList(*self.choices(), id="owner-choice")

    def on_mount(self) -> None:
        choice = self.query_one("#owner-choice", OptionList)
        current = (self.card.owner or "").casefold()
        ids = [choice.get_option_at_index(i).id for i in range(choice.option_count)]
        choice.highlighted = next((i for i, oid in enumerate(ids) if oid == current), 0)
        choice.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self) -> None:
        self.action_save()

    def save(self) -> Worker[None]:
        choice = self.query_one("#owner-choice", OptionList)
        index = choice.highlighted or 0
        picked = choice.get_option_at_index(index).id
        owner = None if picked in (None, UNASSIGNED) else picked
        return nurture(self).set_owner(self.card.id, owner, origin=self)
