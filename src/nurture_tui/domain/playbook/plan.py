"""A day's plan: a handful of actions a rep can finish, not every suggestion there is.

Pure: it reorders and cuts the engine's ranked list. A thank-you or participant update that
is already late goes first (the seeds' promise after each referral is the one a partner
notices when broken), then the rest by priority; one action per partner, so a day reaches
as many partners as it can; at most ``size`` actions.
"""

from __future__ import annotations

from collections.abc import Container, Iterable

from nurture_tui.domain.kinds import TouchpointKind
from nurture_tui.domain.playbook.facts import SuggestedAction

#: Kinds that jump the queue once overdue: the follow-ups owed after a referral.
OWED_AFTER_REFERRAL = frozenset({TouchpointKind.THANK_YOU, TouchpointKind.PARTICIPANT_UPDATE})


def owed_first(action: SuggestedAction) -> bool:
    """False sorts first: an overdue thank-you or participant update."""
    return not (action.overdue and action.kind in OWED_AFTER_REFERRAL)


def in_plan_order(ranked: Iterable[SuggestedAction]) -> list[SuggestedAction]:
    """The engine's ranking with overdue follow-ups moved to the front, each group in the
    engine's deterministic order (a stable partition: one pass, no sort of 20,000)."""
    first: list[SuggestedAction] = []
    rest: list[SuggestedAction] = []
    for action in ranked:
        (rest if owed_first(action) else first).append(action)
    return first + rest


def pick_per_partner(ranked: Iterable[SuggestedAction]) -> dict[str, SuggestedAction]:
    """Each partner's one action for the day: its first in plan order. The board's card
    shows this one too, so the card and the plan never disagree."""
    picks: dict[str, SuggestedAction] = {}
    for action in in_plan_order(ranked):
        picks.setdefault(action.partner_id, action)
    return picks


def daily_plan(
    ranked: Iterable[SuggestedAction],
    size: int,
    partner_ids: Container[str] | None = None,
) -> list[SuggestedAction]:
    """At most ``size`` actions, one per partner, overdue follow-ups first, then by priority.

    ``partner_ids`` narrows the plan to a rep's own partners (None: every partner).
    """
    if size < 1:
        return []
    plan: list[SuggestedAction] = []
    seen: set[str] = set()
    for action in in_plan_order(ranked):
        if action.partner_id in seen:
            continue
        if partner_ids is not None and action.partner_id not in partner_ids:
            continue
        seen.add(action.partner_id)
        plan.append(action)
        if len(plan) == size:
            break
    return plan
