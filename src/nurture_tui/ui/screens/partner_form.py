"""Add or edit a partner; archive one (it leaves the board, its history stays)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Button, Input, Select

from nurture_tui.domain.kinds import PartnerKind, Stage, Tier
from nurture_tui.domain.model import Partner
from nurture_tui.domain.validation import clean_domain, clean_name, clean_npi
from nurture_tui.services import records
from nurture_tui.services.session import Session
from nurture_tui.ui.screens.confirm import ConfirmScreen
from nurture_tui.ui.screens.form import FormScreen, FormWrite, checking, field_label


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]


class PartnerForm(FormScreen):
    TITLE = "Add a partner"
    BINDINGS: ClassVar[list[BindingType]] = [
        *FormScreen.BINDINGS,
        Binding("ctrl+o", "archive", "Archive", id="partner_form.archive"),
    ]
    FIELD_HINTS = (
        ("partner name", "partner-name"),
        ("domain", "partner-domains"),
        ("npi", "partner-npi"),
        ("tag", "partner-tags"),
        ("partner kind", "partner-kind"),
        ("tier", "partner-tier"),
        ("stage", "partner-stage"),
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
        p = self.partner
        yield field_label("Name")
        yield Input(value=p.name if p else "", id="partner-name")
        yield field_label("Kind")
        yield Select(
            [(k.value, k.value) for k in PartnerKind],
            allow_blank=False,
            value=p.kind.value if p else PartnerKind.HOSPITAL.value,
            id="partner-kind",
        )
        yield field_label("Tier (A best)")
        yield Select(
            [(t.value, t.value) for t in Tier],
            allow_blank=False,
            value=p.tier.value if p else "B",
            id="partner-tier",
        )
        yield field_label("Stage")
        yield Select(
            [(s.value, s.value) for s in Stage],
            allow_blank=False,
            value=p.stage.value if p else "prospect",
            id="partner-stage",
        )
        yield field_label("Domains")
        yield Input(
            value=", ".join(p.domains) if p else "",
            placeholder="mercy.org, ...",
            id="partner-domains",
        )
        yield field_label("NPI")
        yield Input(value=p.npi or "" if p else "", id="partner-npi")
        yield field_label("Tags")
        yield Input(value=", ".join(p.tags) if p else "", id="partner-tags")
        yield field_label("Notes")
        yield Input(value=p.notes if p else "", id="partner-notes")

    def _value(self, widget_id: str) -> str:
        widget = self.query_one(f"#{widget_id}")
        return str(widget.value)  # type: ignore[attr-defined]

    def save(self) -> FormWrite[Partner]:
        name = self._value("partner-name")
        kind, tier, stage = (self._value(f"partner-{f}") for f in ("kind", "tier", "stage"))
        domains = _split(self._value("partner-domains"))
        npi = self._value("partner-npi").strip()
        tags = _split(self._value("partner-tags"))
        notes = self._value("partner-notes")
        existing = self.partner
        # Check here too, so a typo is named beside its field before the write starts.
        with checking("partner-name"):
            clean_name(name, "partner name")
        with checking("partner-domains"):
            for domain in domains:
                clean_domain(domain)
        if npi:
            with checking("partner-npi"):
                clean_npi(npi)

        def write(session: Session) -> Partner:
            if existing is None:
                return records.add_partner(
                    session,
                    name,
                    kind,
                    tier=tier,
                    stage=stage,
                    domains=domains,
                    npi=npi or None,
                    tags=tags,
                    notes=notes,
                )
            return records.edit_partner(
                session,
                existing.id,
                name=name,
                kind=kind,
                tier=tier,
                stage=stage,
                domains=domains,
                npi=npi,
                tags=tags,
                notes=notes,
            )

        verb = "Added" if existing is None else "Saved"
        return FormWrite(write, lambda p: f"{verb} {p.name}", existing.id if existing else None)

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
        pid = partner.id
        self.archiving = True
        self.start_write(
            FormWrite(
                lambda session: records.archive_partner(session, pid),
                lambda p: f"Archived {p.name}: it has left the board",
                pid,
            )
        )

    def saved(self, result: object) -> None:
        super().saved(result)
        if self.archiving and self.partner is not None:
            # The partner's own page would show a partner that is no longer on the board.
            pid = self.partner.id
            if getattr(self.app.screen, "partner_id", None) == pid:
                self.app.pop_screen()
