"""Run every enabled rule over every partner once, drop what was dismissed, rank the rest."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import date, timedelta, tzinfo

from nurture_tui.domain.collector import collector_paused
from nurture_tui.domain.model import Dismissal, PartnerHistory, Referral
from nurture_tui.domain.playbook.config import Playbook, RuleConfig
from nurture_tui.domain.playbook.facts import (
    DUE,
    URGENT,
    WHEN_YOU_CAN,
    Facts,
    PriorityTerms,
    SuggestedAction,
    new_action,
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
    least = max(1, cfg.count("min_referrals"))
    wanted = cfg.count("top_referrers")
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
    actions: list[SuggestedAction] = []
    with collector_paused():  # 100,000 acyclic objects a pass: a seventh of its time
        for history in active:
            found = partner_actions(history, today, zone, playbook, network, rules)
            if quiet and history.partner.id in quiet:  # only partners with a dismissal
                silenced = quiet[history.partner.id]
                found = [a for a in found if (a.rule, a.key) not in silenced]
            actions += found
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
    the day, the playbook and whether the partner is a top referrer stay the same).

    The ranking is written out here rather than in a helper: this loop makes 20,000
    actions a pass at 5,000 partners, and each call and attribute lookup counts.
    """
    partner = history.partner
    if partner.archived:
        return []
    ranking = playbook.ranking
    horizon = today + ranking.horizon
    facts = Facts.of(history, today, zone, horizon)
    recent = _recent_referrals(facts.referrals, today, ranking.referral_cap)
    tier_factor = ranking.tier[partner.tier]
    stage_factor = ranking.stage[partner.stage]
    bonus = ranking.referral_bonus * recent
    upcoming = ranking.upcoming_urgency
    max_urgency, per_step = ranking.max_urgency, ranking.overdue_days_per_step
    urgent_weight = ranking.urgent_weight
    terms_of = ranking.terms_memo
    partner_id, name, tier, stage = partner.id, partner.name, partner.tier, partner.stage
    actions: list[SuggestedAction] = []
    for rule, cfg in rules if rules is not None else enabled_rules(playbook):
        drafts = rule(facts, cfg, network)
        if not drafts:
            continue
        weight, rule_id = cfg.weight, cfg.name  # the rule's key in RULES: its id
        for kind, due, reason, evidence, key, overdue_on, stage_to, contact in drafts:
            if due > horizon:
                continue
            if due > today:
                urgency = upcoming
            else:
                urgency = min(max_urgency, 1 + (today - due).days / per_step)
            overdue = today > (overdue_on or due)
            memo = (weight, urgency, tier, stage, recent)
            terms = terms_of.get(memo)
            if terms is None:  # a StrEnum is its value: no per-action .value lookup
                terms = terms_of[memo] = PriorityTerms(
                    weight,
                    urgency,
                    tier,
                    tier_factor,
                    stage,
                    stage_factor,
                    ranking.referral_bonus,
                    recent,
                )
            if overdue and weight >= urgent_weight:  # the priority in words
                label = URGENT
            else:
                label = DUE if due <= today else WHEN_YOU_CAN
            actions.append(
                new_action(
                    partner_id,
                    name,
                    kind,
                    due,
                    overdue,
                    weight * urgency * tier_factor * stage_factor + bonus,
                    rule_id,
                    reason,
                    evidence,
                    key,
                    stage_to,
                    contact,
                    terms,
                    label,
                )
            )
    return actions


def _recent_referrals(referrals: list[Referral], today: date, cap: int) -> int:
    """Referrals in the 180 days to today, at most ``cap``: the priority's referral bonus."""
    if not referrals:
        return 0
    start = today - _HALF_YEAR
    return min(sum(1 for r in referrals if start <= r.received <= today), cap)


_HALF_YEAR = timedelta(days=180)


def rank(actions: list[SuggestedAction], names: Mapping[str, str]) -> list[SuggestedAction]:
    """Highest priority first; ties by due date, partner name (``names``: id -> lowercased
    name), rule id and key, so the order never depends on input order."""
    actions.sort(key=lambda a: (-a.priority, a.due, names[a.partner_id], a.rule, a.key))
    return actions


def _silenced(dismissals: Iterable[Dismissal], today: date) -> dict[str, set[tuple[str, str]]]:
    """Partner id -> the (rule, key) pairs dismissed or snoozed past today."""
    quiet: dict[str, set[tuple[str, str]]] = {}
    for d in dismissals:
        if d.until is None or d.until > today:
            quiet.setdefault(d.partner_id, set()).add((d.rule, d.key))
    return quiet
