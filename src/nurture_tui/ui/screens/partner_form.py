"""Add or edit a partner; archive one (it leaves the board, its history stays)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Button, Input, Select
from textual.worker import Worker

from nurture_tui.domain.kinds import PartnerKind, Stage, Tier
from nurture_tui.domain.model import Contact, Partner
from nurture_tui.services.entries import PartnerEntry, partner_entry
from nurture_tui.ui.base import nurture
from nurture_tui.ui.screens.confirm import ConfirmScreen
from nurture_tui.ui.screens.form import FormScreen, field_label


class PartnerForm(FormScreen):
    TITLE = "Add a partner"
    BINDINGS: ClassVar[list[BindingType]] = [
        *FormScreen.BINDINGS,
        Binding("ctrl+o", "archive", "Archive", id="partner_form.archive"),
    ]
    FIELDS = (
        ("name", "partner-name"),
        ("kind", "partner-kind"),
        ("tier", "partner-tier"),
        ("stage", "partner-stage"),
        ("domains", "partner-domains"),
        ("npi", "partner-npi"),
        ("tags", "partner-tags"),
    )
    FIELD_HINTS = (
        ("partner name", "partner-name"),
        ("domain", "partner-domains"),
        ("npi", "partner-npi"),
        ("tag", "partner-tags"),
        ("partner kind", "partner-kind"),
        ("tier", "partner-tier"),
        ("stage", "partner-stage"),
    )

    ENTRY_WIDGETS = (
        ("name", "partner-name"),
        ("kind", "partner-kind"),
        ("tier", "partner-tier"),
        ("stage", "partner-stage"),
        ("domains", "partner-domains"),
        ("npi", "partner-npi"),
        ("tags", "partner-tags"),
        ("notes", "partner-notes"),
    )

    def __init__(self, partner: Partner | None = None) -> None:
        super().__init__()
        self.partner = partner
        self.archiving = False

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Archive is offered only for a partner that exists (and hidden when adding one).
        if action == "archive":
            return self.partner is not None
        return True

    def buttons(self) -> ComposeResult:
        if self.partner is not None:
            yield Button("Archive…", variant="warning", id="partner-archive")

    @property
    def form_title(self) -> str:
        return f"Edit {self.partner.name}" if self.partner else "Add a partner"

    def fields(self) -> ComposeResult:
        # The fields show the partner's entry (``partner_entry``): the same words the
        # save compares with to know what the rep changed.
        shown = partner_entry(self.partner) if self.partner else PartnerEntry(name="", kind="")
        yield field_label("Name")
        yield Input(value=shown.name, id="partner-name")
        yield field_label("Kind")
        yield Select(
            [(k.value, k.value) for k in PartnerKind],
            allow_blank=False,
            value=shown.kind or PartnerKind.HOSPITAL.value,
            id="partner-kind",
        )
        yield field_label("Tier (A best)")
        yield Select(
            [(t.value, t.value) for t in Tier],
            allow_blank=False,
            value=shown.tier,
            id="partner-tier",
        )
        yield field_label("Stage")
        yield Select(
            [(s.value, s.value) for s in Stage],
            allow_blank=False,
            value=shown.stage,
            id="partner-stage",
        )
        yield field_label("Domains")
        yield Input(value=shown.domains, placeholder="mercy.org, ...", id="partner-domains")
        yield field_label("NPI")
        yield Input(value=shown.npi, id="partner-npi")
        yield field_label("Tags")
        yield Input(value=shown.tags, id="partner-tags")
        yield field_label("Notes")
        yield Input(value=shown.notes, id="partner-notes")

    def _value(self, widget_id: str) -> str:
        widget = self.query_one(f"#{widget_id}")
        return str(widget.value)  # type: ignore[attr-defined]

    def save(self) -> Worker[None]:
        """Everything as typed; the service checks each field (a typo is named beside it)."""
        entry = PartnerEntry(
            name=self._value("partner-name"),
            kind=self._value("partner-kind"),
            tier=self._value("partner-tier"),
            stage=self._value("partner-stage"),
            domains=self._value("partner-domains"),
            npi=self._value("partner-npi"),
            tags=self._value("partner-tags"),
            notes=self._value("partner-notes"),
        )
        existing = self.partner.id if self.partner else None
        return nurture(self).save_partner(entry, existing, opened=self.partner, origin=self)

    def opened_entry(self) -> object:
        return partner_entry(self.partner) if self.partner else None

    def reopen(self, record: Partner | Contact) -> None:
        if isinstance(record, Partner):
            self.partner = record

    # ----------------------------------------------------------------- archive
    @on(Button.Pressed, "#partner-archive")
    def action_archive(self) -> None:
        """Ask first; an archived partner leaves the board and the agenda (its history,
        contacts and referrals stay, and ``nurture partner list --all`` still shows it)."""
        partner = self.partner
        if partner is None or self.saving:
            return
        question = Text.assemble(
            "Archive ",
            (partner.name, "bold"),
            "?\nIt leaves the board and the agenda; its history stays in the store "
            "(nurture partner list --all).",
        )
        self.app.push_screen(
            ConfirmScreen(question, yes="Archive", no="Keep"), self._archive_confirmed
        )

    def _archive_confirmed(self, confirmed: bool | None) -> None:
        partner = self.partner
        if not confirmed or partner is None:
            return
        self.archiving = True
        self.start_write(nurture(self).archive_partner(partner.id, origin=self))

    def saved(self, result: object) -> None:
        super().saved(result)
        if self.archiving and self.partner is not None:
            # The partner's own page would show a partner that is no longer on the board.
            pid = self.partner.id
            if getattr(self.app.screen, "partner_id", None) == pid:
                self.app.pop_screen()
