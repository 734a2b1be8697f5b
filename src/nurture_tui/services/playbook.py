"""The playbook as a use case: load it, compute the agenda, check a touch, dismiss or snooze."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, timedelta
from importlib import resources
from pathlib import Path

from nurture_tui.config import Settings
from nurture_tui.domain.errors import NotFoundError
from nurture_tui.domain.model import Dismissal, Partner, PartnerHistory
from nurture_tui.domain.ownership import Ownership
from nurture_tui.domain.phi import phi_findings
from nurture_tui.domain.playbook.config import Playbook, PlaybookError, load_playbook
from nurture_tui.domain.playbook.engine import suggest, top_referrers
from nurture_tui.domain.playbook.facts import SuggestedAction
from nurture_tui.domain.playbook.guardrails import Caution, PlannedTouch, check
from nurture_tui.domain.playbook.plan import daily_plan
from nurture_tui.domain.playbook.rules import Network
from nurture_tui.domain.repository import Repository
from nurture_tui.locations import playbook_file
from nurture_tui.services.action_book import ActionBook, bring_current
from nurture_tui.services.owners import ownership
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


def referral_network(session: Session, today: date, playbook: Playbook) -> Network:
    """The top referrers across every active partner, for a view that reads only some
    partners (a partner page, ``next --partner``): the board computes the same from its
    histories, so every view suggests the same appreciation event.

    Two grouped counts (on or after a year ago, minus after today) give each partner's
    referrals in the year without reading every referral; only the few candidates are
    looked up to leave archived partners out (170 ms -> a few ms at 5,000 partners).
    """
    repo = session.repo
    since = repo.referral_counts_since(today - timedelta(days=365))
    later = repo.referral_counts_since(today + timedelta(days=1))
    counts = {pid: count - later.get(pid, 0) for pid, count in since.items()}

    def active(partner_id: str) -> bool:
        try:
            return not repo.partner(partner_id).archived
        except NotFoundError:
            return False

    return top_referrers(counts, playbook, active)


def next_actions(
    session: Session,
    playbook: Playbook,
    *,
    today: date | None = None,
    partner_id: str | None = None,
) -> list[SuggestedAction]:
    """Every suggested action (or one partner's), ranked; the same actions the board has."""
    repo = session.repo
    today = today or session.today()
    zone, dismissals = session.settings.zone, repo.dismissals()
    if partner_id:
        chosen = histories(repo, [repo.resolve("partner", partner_id)])
        network = referral_network(session, today, playbook)
        return suggest(chosen, today, zone, playbook, dismissals, network)
    return every_action(session, playbook, today)[0]


def rep_next_actions(
    session: Session,
    playbook: Playbook,
    *,
    today: date | None = None,
    partner_id: str | None = None,
    everyone: bool = False,
) -> tuple[list[SuggestedAction], dict[str, str | None]]:
    """``nurture next``: the ranked actions of the rep's own partners on a team store
    (``everyone``: every rep's; ``partner_id``: that partner's, whoever owns it), every
    partner's on the rep's own store; and each partner's owner, for ``--json``."""
    today = today or session.today()
    if partner_id:
        actions = next_actions(session, playbook, today=today, partner_id=partner_id)
        partner = session.repo.partner(session.repo.resolve("partner", partner_id))
        return actions, {partner.id: partner.owner}
    ranked, partners = every_action(session, playbook, today)
    owner_of = {p.id: p.owner for p in partners}
    owners = ownership(session)
    if owners.team and not everyone:
        ranked = [a for a in ranked if owners.is_mine(owner_of.get(a.partner_id))]
    return ranked, owner_of


def every_action(
    session: Session, playbook: Playbook, today: date
) -> tuple[list[SuggestedAction], list[Partner]]:
    """Every active partner's actions, ranked (and the partners): served from the store's
    action cache where it is current, so ``nurture today`` and ``next`` read 5,000 cached
    rows instead of 250,000 touchpoints; whatever is stale is computed and cached."""
    repo = session.repo
    partners = repo.partners()
    book = ActionBook(playbook, session.settings.zone, today)
    bring_current(book, repo, {p.id: p.name for p in partners}, repo.history_revisions())
    return book.agenda(repo.dismissals()), partners


#: How many actions a day's plan holds when config.toml does not say (``daily_capacity``).
DEFAULT_DAILY_CAPACITY = 12


def daily_capacity(settings: Settings) -> int:
    """The rep's ``daily_capacity`` (config.toml, checked there), or 12 if it is below 1."""
    value = settings.daily_capacity
    return value if value >= 1 else DEFAULT_DAILY_CAPACITY


#: ``rep_name``'s default ("Your Name"): a placeholder is nobody's name.
_PLACEHOLDER_NAME = next(f.default for f in fields(Settings) if f.name == "rep_name")


def rep_names(settings: Settings) -> frozenset[str]:
    """The names a partner's ``owner`` may give this rep, case aside: ``rep`` (if config has
    it), ``rep_name`` (unless still the placeholder), ``rep_email`` and its local part (a
    team often writes owners as ``alex`` for alex@agency.org)."""
    email = settings.rep_email.strip()
    candidates = [
        getattr(settings, "rep", ""),
        "" if settings.rep_name == _PLACEHOLDER_NAME else settings.rep_name,
        email,
        email.partition("@")[0] if "@" in email else "",
    ]
    return frozenset(n.strip().casefold() for n in candidates if isinstance(n, str) and n.strip())


def rep_partners(settings: Settings, partners: list[Partner]) -> tuple[str | None, set[str] | None]:
    """(the owner name as written, their partner ids) when some partners are this rep's;
    (None, None) otherwise — a rep working alone, whose partners name no owner, plans from
    every partner rather than from none."""
    names = rep_names(settings)
    mine = [p for p in partners if p.owner and p.owner.strip().casefold() in names]
    if not mine:
        return None, None
    return mine[0].owner, {p.id for p in mine}


@dataclass(frozen=True)
class DailyPlan:
    """Today's plan and what it was cut from (for the summary line and ``--json``):
    ``suggested`` counts the suggestions for the partners the plan draws from."""

    today: date
    actions: list[SuggestedAction]
    suggested: int
    size: int
    owner: str | None
    #: Whose partners the plan draws from: "mine" or "everyone" on a team store, None on a
    #: rep's own store (the rep's partners when some name them, else every partner).
    view: str | None = None
    #: Each planned partner's owner (the JSON carries it per action).
    owners: Mapping[str, str | None] = field(default_factory=dict)

    def as_json(self, *, explain: bool = False) -> dict[str, object]:
        document: dict[str, object] = {
            "today": self.today.isoformat(),
            "size": self.size,
            "owner": self.owner,
            "suggested": self.suggested,
            "actions": [
                a.as_json()
                | {"owner": self.owners.get(a.partner_id)}
                | ({"explanation": a.explanation} if explain else {})
                for a in self.actions
            ],
        }
        if self.view is not None:
            document["view"] = self.view
        return document


def plan_of(
    ranked: list[SuggestedAction],
    partners: list[Partner],
    today: date,
    settings: Settings,
    size: int | None = None,
    *,
    owners: Ownership | None = None,
    everyone: bool = False,
) -> DailyPlan:
    """Cut the ranked suggestions to a day: ``size`` (default: ``daily_capacity``) actions,
    one per partner. On a team store (``owners.team``) only the connected rep's partners,
    none if they own none (``everyone``: every rep's); on a rep's own store only their own
    partners when some partners name them, else every partner."""
    size = size or daily_capacity(settings)
    view: str | None = None
    mine: set[str] | None
    if owners is not None and owners.team:
        view = "everyone" if everyone else "mine"
        owner = None if everyone else owners.me or None
        mine = None if everyone else {p.id for p in partners if owners.is_mine(p.owner)}
    else:
        owner, mine = rep_partners(settings, partners)
    suggested = len(ranked) if mine is None else sum(a.partner_id in mine for a in ranked)
    actions = daily_plan(ranked, size, mine)
    by_id = {p.id: p.owner for p in partners}
    planned = {a.partner_id: by_id.get(a.partner_id) for a in actions}
    return DailyPlan(today, actions, suggested, size, owner, view, planned)


def todays_plan(
    session: Session,
    playbook: Playbook,
    *,
    today: date | None = None,
    size: int | None = None,
    everyone: bool = False,
) -> DailyPlan:
    """``nurture today``: the same suggestions as the board and ``next``, cut to a day
    (on a team store, from the rep's own partners unless ``everyone``)."""
    today = today or session.today()
    ranked, partners = every_action(session, playbook, today)
    owners = ownership(session)
    return plan_of(
        ranked, partners, today, session.settings, size, owners=owners, everyone=everyone
    )


def guardrail_warnings(
    session: Session, playbook: Playbook, draft: TouchpointDraft, *, linkedin_connect: bool = False
) -> list[Caution]:
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


def phi_warnings(draft: TouchpointDraft, history: PartnerHistory) -> list[Caution]:
    """The PHI screen over what the rep typed: a warning per field, naming the kind of
    identifier (never the text). Notes stay the rep's to keep; invites refuse instead."""
    known = [email for contact in history.contacts for email in contact.emails]
    warnings = []
    for what, text in (("purpose", draft.purpose), ("note", draft.note)):
        findings = phi_findings(text, known)
        if findings:
            warnings.append(
                Caution(
                    "phi-screen",
                    f"the {what} looks like it holds a patient identifier ({'; '.join(findings)})"
                    ": keep patient details on the referral record, not in notes",
                )
            )
    return warnings


def dismiss(session: Session, action: SuggestedAction, reason: str) -> Dismissal:
    """Stop suggesting this action (remembered in the store)."""
    dismissal = Dismissal(action.partner_id, action.rule, action.key, None, reason.strip())
    session.repo.save(
        dismissal, action="dismiss", summary=f"Dismissed {action.kind} for {action.partner}"
    )
    return dismissal


def snooze(session: Session, action: SuggestedAction, until: date) -> Dismissal:
    """Hide this action until ``until``."""
    dismissal = Dismissal(action.partner_id, action.rule, action.key, until, "snoozed")
    session.repo.save(
        dismissal,
        action="snooze",
        summary=f"Snoozed {action.kind} for {action.partner} until {until:%a %d %b}",
    )
    return dismissal
