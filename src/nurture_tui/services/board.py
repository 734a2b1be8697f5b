"""What the board and agenda show, computed in one pass (run it in a worker, not the UI thread)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from nurture_tui.domain.kinds import PartnerKind, Stage, Tier
from nurture_tui.domain.model import Partner
from nurture_tui.domain.playbook.config import Playbook
from nurture_tui.domain.playbook.engine import network_of, suggest
from nurture_tui.domain.playbook.facts import SuggestedAction
from nurture_tui.domain.playbook.plan import pick_per_partner
from nurture_tui.services.playbook import DailyPlan, histories, plan_of
from nurture_tui.services.session import Session


class Health(StrEnum):
    """Where a partner stands against its tier's check-in cadence."""

    ON_CADENCE = "on-cadence"
    DUE = "due"
    OVERDUE = "overdue"
    DORMANT = "dormant"


@dataclass(frozen=True, slots=True)
class PartnerCard:
    id: str
    name: str
    kind: PartnerKind
    tier: Tier
    stage: Stage
    owner: str | None
    tags: tuple[str, ...]
    days_since_touch: int | None
    health: Health
    referrals_90d: int
    top_action: SuggestedAction | None


@dataclass(frozen=True)
class BoardData:
    cards: list[PartnerCard]
    agenda: list[SuggestedAction]
    today: date
    revision: int
    touchpoints: int
    #: False for the quick first pass (no playbook yet): the board paints, actions follow.
    complete: bool = True
    #: Today's plan: the agenda cut to ``daily_capacity``, one action per partner.
    plan: DailyPlan | None = field(default=None)

    def by_stage(self, stage: Stage) -> list[PartnerCard]:
        return [c for c in self.cards if c.stage is stage]


def load_board(
    session: Session, playbook: Playbook, today: date | None = None, *, with_agenda: bool = True
) -> BoardData:
    """Partners with their health and top action, plus the ranked agenda, in one pass.

    ``with_agenda=False`` is the quick first pass, so the board paints early: two grouped
    queries (last touch, referrals in 90 days) instead of every partner's history.
    """
    today = today or session.today()
    repo = session.repo
    revision = repo.revision
    window = today - timedelta(days=90)
    if not with_agenda:
        last_touches = repo.last_touch_times()
        referrals = repo.referral_counts_since(window)
        cards = [
            _card(p, last_touches.get(p.id), referrals.get(p.id, 0), today, session, playbook)
            for p in repo.partners()
        ]
        return BoardData(cards, [], today, revision, repo.touchpoint_count(), complete=False)
    all_histories = histories(repo)
    network = network_of(all_histories, today, playbook)  # once, from every partner
    zone = session.settings.zone
    agenda = suggest(all_histories, today, zone, playbook, repo.dismissals(), network)
    top = pick_per_partner(agenda)  # the card shows the action the day's plan would pick
    cards = []
    for history in all_histories:
        last = next((t.at for t in reversed(history.touchpoints) if t.is_done), None)
        recent = sum(1 for r in history.referrals if r.received >= window)
        partner = history.partner
        cards.append(_card(partner, last, recent, today, session, playbook, top.get(partner.id)))
    plan = plan_of(agenda, [h.partner for h in all_histories], today, session.settings)
    return BoardData(cards, agenda, today, revision, repo.touchpoint_count(), plan=plan)


def _card(
    partner: Partner,
    last_touch: datetime | None,
    referrals_90d: int,
    today: date,
    session: Session,
    playbook: Playbook,
    action: SuggestedAction | None = None,
) -> PartnerCard:
    zone = session.settings.zone
    days = None if last_touch is None else (today - last_touch.astimezone(zone).date()).days
    return PartnerCard(
        id=partner.id,
        name=partner.name,
        kind=partner.kind,
        tier=partner.tier,
        stage=partner.stage,
        owner=partner.owner,
        tags=partner.tags,
        days_since_touch=days,
        health=health_of(partner.stage, partner.tier, days, playbook),
        referrals_90d=referrals_90d,
        top_action=action,
    )


def health_of(stage: Stage, tier: Tier, days: int | None, playbook: Playbook) -> Health:
    if stage is Stage.DORMANT:
        return Health.DORMANT
    cadence = playbook.rule("check-in")
    every = cadence.per_tier("every_days", tier)
    grace = cadence.per_tier("overdue_after_days", tier)
    if days is None or days > every + grace:
        return Health.OVERDUE
    if days >= every - playbook.ranking.horizon_days:
        return Health.DUE
    return Health.ON_CADENCE
