"""Run every enabled rule over every partner once, drop what was dismissed, rank the rest."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta, tzinfo

from nurture_tui.domain.model import Dismissal, PartnerHistory, Referral
from nurture_tui.domain.playbook.config import Playbook, Ranking, RuleConfig
from nurture_tui.domain.playbook.facts import (
    DUE,
    URGENT,
    WHEN_YOU_CAN,
    Draft,
    Facts,
    PriorityTerms,
    SuggestedAction,
)
from nurture_tui.domain.playbook.rules import RULES, Network, Rule


def network_of(histories: Iterable[PartnerHistory], today: date, playbook: Playbook) -> Network:
    """The network of these partners' histories: pass every active partner's, never a subset
    (a partner alone would always be its own top referrer)."""
    referrals = (r for h in histories if not h.partner.archived for r in h.referrals)
    return network_from(referrals, today, playbook)


def network_from(referrals: Iterable[Referral], today: date, playbook: Playbook) -> Network:
    """The top referrers of the last year (for the appreciation event), from every active
    partner's referrals: the same answer whichever view asks."""
    year_ago = today - timedelta(days=365)
    counts = Counter(r.partner_id for r in referrals if year_ago <= r.received <= today)
    return top_referrers(counts, playbook)


def top_referrers(
    counts: Mapping[str, int],
    playbook: Playbook,
    active: Callable[[str], bool] = lambda _partner_id: True,
) -> Network:
    """The network from each partner's referral count in the year (365 days to today).

    A partner needs at least ``min_referrals``; of those, the ``top_referrers`` with the
    most (ties: the larger id, so the answer never depends on input order). ``active`` is
    asked only about candidates, most referrals first, so a store can say which partners
    are archived without reading every partner.
    """
    cfg = playbook.rule("appreciation-event")
    least = max(1, cfg.days("min_referrals"))
    wanted = cfg.days("top_referrers")
    ranked = sorted(((c, pid) for pid, c in counts.items() if c >= least), reverse=True)
    top: list[str] = []
    for _count, partner_id in ranked:
        if len(top) >= wanted:
            break
        if active(partner_id):
            top.append(partner_id)
    return Network(top_referrers=frozenset(top))


def suggest(
    histories: Iterable[PartnerHistory],
    today: date,
    zone: tzinfo,
    playbook: Playbook,
    dismissals: Iterable[Dismissal] = (),
    network: Network | None = None,
) -> list[SuggestedAction]:
    """All suggested actions due within the horizon, highest priority first.

    ``network`` is computed from ``histories`` when not given: pass it (``network_from``
    over every partner's referrals) whenever ``histories`` are not every partner, so a
    partner page agrees with the board. Deterministic: ties are broken by due date,
    partner name and rule id.
    """
    active = [h for h in histories if not h.partner.archived]
    if network is None:
        network = network_of(active, today, playbook)
    quiet = _silenced(dismissals, today)
    rules = enabled_rules(playbook)
    actions = [
        action
        for history in active
        for action in partner_actions(history, today, zone, playbook, network, rules)
        if (action.partner_id, action.rule, action.key) not in quiet
    ]
    names = {h.partner.id: h.partner.name.lower() for h in active}  # once, not per action
    return rank(actions, names)


def enabled_rules(playbook: Playbook) -> list[tuple[Rule, RuleConfig]]:
    """The playbook's enabled rules with their settings, in the order they run."""
    chosen = [(RULES[name], playbook.rule(name)) for name in RULES]
    return [(rule, cfg) for rule, cfg in chosen if cfg.enabled]


def partner_actions(
    history: PartnerHistory,
    today: date,
    zone: tzinfo,
    playbook: Playbook,
    network: Network,
    rules: list[tuple[Rule, RuleConfig]] | None = None,
) -> list[SuggestedAction]:
    """One partner's actions due within the horizon, ranked but not yet sorted, before
    dismissals: what a per-partner cache keeps (it is valid while the partner's history,
    the day, the playbook and whether the partner is a top referrer stay the same)."""
    if history.partner.archived:
        return []
    ranking = playbook.ranking
    horizon = today + timedelta(days=ranking.horizon_days)
    facts = Facts.of(history, today, zone)
    scale = _PartnerScale.of(facts, ranking)
    return [
        _rank(draft, facts, cfg.weight, ranking, scale)
        for rule, cfg in (rules if rules is not None else enabled_rules(playbook))
        for draft in rule(facts, cfg, network)
        if draft.due <= horizon
    ]


def rank(actions: list[SuggestedAction], names: Mapping[str, str]) -> list[SuggestedAction]:
    """Highest priority first; ties by due date, partner name (``names``: id -> lowercased
    name), rule id and key, so the order never depends on input order."""
    actions.sort(key=lambda a: (-a.priority, a.due, names[a.partner_id], a.rule, a.key))
    return actions


def _silenced(dismissals: Iterable[Dismissal], today: date) -> set[tuple[str, str, str]]:
    return {(d.partner_id, d.rule, d.key) for d in dismissals if d.until is None or d.until > today}


@dataclass(frozen=True, slots=True)
class _PartnerScale:
    """The per-partner factors of the priority, computed once per partner, not per action."""

    tier: float
    stage: float
    recent: int
    bonus: float

    @classmethod
    def of(cls, facts: Facts, ranking: Ranking) -> _PartnerScale:
        today = facts.today
        recent = min(
            len(facts.referrals_between(today - timedelta(days=180), today)), ranking.referral_cap
        )
        return cls(
            tier=ranking.tier[facts.partner.tier],
            stage=ranking.stage[facts.partner.stage],
            recent=recent,
            bonus=ranking.referral_bonus * recent,
        )


def _rank(
    draft: Draft, facts: Facts, weight: float, ranking: Ranking, scale: _PartnerScale
) -> SuggestedAction:
    today = facts.today
    partner = facts.partner
    if draft.due > today:
        urgency = ranking.upcoming_urgency
    else:
        late = (today - draft.due).days
        urgency = min(ranking.max_urgency, 1 + late / ranking.overdue_days_per_step)
    priority = weight * urgency * scale.tier * scale.stage + scale.bonus
    overdue_on = draft.overdue_on or draft.due
    overdue = today > overdue_on
    terms = PriorityTerms(
        weight,
        urgency,
        partner.tier,  # a StrEnum is its value: no per-action .value lookup
        scale.tier,
        partner.stage,
        scale.stage,
        ranking.referral_bonus,
        scale.recent,
    )
    return SuggestedAction(
        partner_id=partner.id,
        partner=partner.name,
        kind=draft.kind,
        due=draft.due,
        overdue=overdue,
        priority=priority,
        rule=draft.rule,
        reason=draft.reason,
        evidence=draft.evidence,
        key=draft.key,
        suggested_stage=draft.suggested_stage,
        contact_id=draft.contact_id,
        terms=terms,
        label=_label(overdue, weight, draft.due, today, ranking),
    )


def _label(overdue: bool, weight: float, due: date, today: date, ranking: Ranking) -> str:
    """The priority in words: late and weighty is urgent; late or due today is due."""
    if overdue and weight >= ranking.urgent_weight:
        return URGENT
    return DUE if due <= today else WHEN_YOU_CAN
