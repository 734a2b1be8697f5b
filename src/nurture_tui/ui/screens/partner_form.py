"""Add or edit a partner."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Input, Select

from nurture_tui.domain.kinds import PartnerKind, Stage, Tier
from nurture_tui.domain.model import Partner
from nurture_tui.domain.validation import clean_domain, clean_name, clean_npi
from nurture_tui.services import records
from nurture_tui.services.session import Session
from nurture_tui.ui.base import nurture
from nurture_tui.ui.screens.form import FormScreen, field_label


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]


class PartnerForm(FormScreen):
    TITLE = "Add a partner"

    def __init__(self, partner: Partner | None = None) -> None:
        super().__init__()
        self.partner = partner

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

    def save(self) -> None:
        name = self._value("partner-name")
        kind, tier, stage = (self._value(f"partner-{f}") for f in ("kind", "tier", "stage"))
        domains = _split(self._value("partner-domains"))
        npi = self._value("partner-npi").strip()
        tags = _split(self._value("partner-tags"))
        notes = self._value("partner-notes")
        existing = self.partner
        # Check here, not only in the worker, so a typo keeps the form open with its text.
        clean_name(name, "partner name")
        for domain in domains:
            clean_domain(domain)
        if npi:
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
        nurture(self).run_write(
            write, lambda p: f"{verb} {p.name}", existing.id if existing else None
        )
