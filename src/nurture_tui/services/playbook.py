"""The playbook as a use case: load it, compute the agenda, check a touch, dismiss or snooze."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path

from nurture_tui.domain.model import Dismissal, PartnerHistory
from nurture_tui.domain.phi import phi_findings
from nurture_tui.domain.playbook.config import Playbook, PlaybookError, load_playbook
from nurture_tui.domain.playbook.engine import suggest
from nurture_tui.domain.playbook.facts import SuggestedAction
from nurture_tui.domain.playbook.guardrails import PlannedTouch, Warning, check
from nurture_tui.domain.ports import Repository
from nurture_tui.locations import playbook_file
from nurture_tui.services.records import TouchpointDraft
from nurture_tui.services.session import Session


def default_playbook_text() -> str:
    return (
        resources.files("nurture_tui.domain.playbook")
        .joinpath("default_playbook.toml")
        .read_text(encoding="utf-8")
    )


@dataclass(frozen=True)
class LoadedPlaybook:
    playbook: Playbook
    source: str
    problem: str | None = None


def check_playbook_file(path: Path) -> Playbook:
    """Validate a playbook file; PlaybookError lists problems with line numbers."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PlaybookError(str(path), [f"cannot be read ({exc})"]) from None
    return load_playbook(default_playbook_text(), text, str(path))


def effective_playbook(path: Path | None = None) -> LoadedPlaybook:
    """The rep's playbook if it is valid; otherwise the defaults plus the problem to show."""
    path = path or playbook_file()
    if not path.exists():
        return LoadedPlaybook(load_playbook(default_playbook_text()), "defaults")
    try:
        return LoadedPlaybook(check_playbook_file(path), str(path))
    except PlaybookError as exc:
        return LoadedPlaybook(
            load_playbook(default_playbook_text()),
            "defaults",
            f"{exc} — using the default playbook until it is fixed",
        )


def history_of(repo: Repository, partner_id: str) -> PartnerHistory:
    """One partner's history: only that partner's rows are read."""
    return repo.histories([partner_id])[0]


def histories(repo: Repository, partner_ids: list[str] | None = None) -> list[PartnerHistory]:
    return repo.histories(partner_ids)


def next_actions(
    session: Session,
    playbook: Playbook,
    *,
    today: date | None = None,
    partner_id: str | None = None,
) -> list[SuggestedAction]:
    repo = session.repo
    ids = [repo.resolve("partner", partner_id)] if partner_id else None
    return suggest(
        histories(repo, ids),
        today or session.today(),
        session.settings.zone,
        playbook,
        repo.dismissals(),
    )


def guardrail_warnings(
    session: Session, playbook: Playbook, draft: TouchpointDraft, *, linkedin_connect: bool = False
) -> list[Warning]:
    planned = PlannedTouch(
        kind=draft.kind,
        at=draft.at,
        purpose=draft.purpose,
        requested=draft.requested,
        contact_ids=draft.contact_ids,
        linkedin_connect=linkedin_connect,
    )
    history = history_of(session.repo, draft.partner_id)
    return check(planned, history, playbook) + phi_warnings(draft, history)


def phi_warnings(draft: TouchpointDraft, history: PartnerHistory) -> list[Warning]:
    """The PHI screen over what the rep typed: a warning per field, naming the kind of
    identifier (never the text). Notes stay the rep's to keep; invites refuse instead."""
    known = [email for contact in history.contacts for email in contact.emails]
    warnings = []
    for what, text in (("purpose", draft.purpose), ("note", draft.note)):
        findings = phi_findings(text, known)
        if findings:
            warnings.append(
                Warning(
                    "phi-screen",
                    f"the {what} looks like it holds a patient identifier ({'; '.join(findings)})"
                    ": keep patient details on the referral record, not in notes",
                )
            )
    return warnings


def dismiss(session: Session, action: SuggestedAction, reason: str) -> Dismissal:
    """Stop suggesting this action (remembered in the store)."""
    dismissal = Dismissal(action.partner_id, action.rule, action.key, None, reason.strip())
    session.repo.save(dismissal, action="dismiss")
    return dismissal


def snooze(session: Session, action: SuggestedAction, until: date) -> Dismissal:
    """Hide this action until ``until``."""
    dismissal = Dismissal(action.partner_id, action.rule, action.key, until, "snoozed")
    session.repo.save(dismissal, action="snooze")
    return dismissal
