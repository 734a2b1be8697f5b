"""What the board and agenda show, computed in one pass (run it in a worker, not the UI thread)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from nurture_tui.domain.kinds import PartnerKind, Stage, Tier
from nurture_tui.domain.model import Partner, PartnerHistory
from nurture_tui.domain.ownership import Ownership
from nurture_tui.domain.playbook.config import Playbook
from nurture_tui.domain.playbook.facts import SuggestedAction
from nurture_tui.domain.playbook.plan import pick_per_partner
from nurture_tui.services.action_book import ActionBook, Pause, bring_current
from nurture_tui.services.owners import ownership
from nurture_tui.services.playbook import DailyPlan, plan_of
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
    #: Today's plan: the agenda cut to ``daily_capacity``, one action per partner (on a
    #: team store, from the rep's own partners).
    plan: DailyPlan | None = field(default=None)
    #: Who "me" is and who the reps are: the views and ``owner:`` filters ask it.
    owners: Ownership = field(default_factory=Ownership)
    #: A team store's plan from every rep's partners (the "everyone" view); None elsewhere.
    everyone_plan: DailyPlan | None = field(default=None)

    def in_view(self, card: PartnerCard, everyone: bool) -> bool:
        """Whether the board's view shows ``card``: on a team store the rep's own partners,
        unless ``everyone``; on a rep's own store every partner. The views only filter
        what was computed for every partner: switching never recomputes an action."""
        return everyone or not self.owners.team or self.owners.is_mine(card.owner)

    def by_stage(self, stage: Stage) -> list[PartnerCard]:
        return [c for c in self.cards if c.stage is stage]


def load_board(
    session: Session, playbook: Playbook, today: date | None = None, *, with_agenda: bool = True
) -> BoardData:
    """Partners with their health and top action, plus the ranked agenda, in one go.

    ``with_agenda=False`` is the quick first pass, so the board paints early: two grouped
    queries (last touch, referrals in 90 days) instead of every partner's history.
    """
    live = LiveBoard(session, playbook, today or session.today())
    quick = live.quick()
    return live.fill() if with_agenda else quick


class LiveBoard:
    """The board and agenda, kept current one partner at a time (the TUI holds one).

    ``quick`` draws every card from grouped queries; ``fill`` adds every partner's actions
    from the store's action cache, computing only what the cache lacks; ``update`` then
    follows the store: it re-reads only the partners whose history revision moved (a save
    of ours, a background sync, another window), so a logged touch costs one partner's
    history and a re-rank, not 250,000 touchpoints and the whole playbook.

    Safe to call from worker threads: a lock guards the card and revision maps for the
    instant they are swapped; store reads and computation happen outside it.
    """

    def __init__(self, session: Session, playbook: Playbook, today: date) -> None:
        self.session = session
        self.playbook = playbook
        self.today = today
        self.book = ActionBook(playbook, session.settings.zone, today)
        self._lock = threading.Lock()
        self._partners: dict[str, Partner] = {}
        self._cards: dict[str, PartnerCard] = {}
        self._revisions: dict[str, int] = {}
        self._complete = False
        #: The team's reps and who is connected, read with the cards (``quick``).
        self.owners = Ownership()
        #: Each card as last drawn with its top action: (the card, the card with it).
        self._shown: dict[str, tuple[PartnerCard, PartnerCard]] = {}

    @property
    def complete(self) -> bool:
        return self._complete

    def quick(self) -> BoardData:
        """Every card from grouped queries; no actions yet."""
        repo = self.session.repo
        revisions = repo.history_revisions()
        window = self.today - timedelta(days=90)
        last_touches = repo.last_touch_times()
        referrals = repo.referral_counts_since(window)
        partners = repo.partners()
        self.owners = ownership(self.session)
        cards = {
            p.id: _card(
                p,
                last_touches.get(p.id),
                referrals.get(p.id, 0),
                self.today,
                self.session,
                self.playbook,
            )
            for p in partners
        }
        with self._lock:
            self._partners = {p.id: p for p in partners}
            self._cards = cards
            self._revisions = revisions
        return self.data(agenda=False)

    def fill(self, pause: Pause | None = None, *, compute: bool = True) -> BoardData:
        """Every card's actions: the still-valid ones from the store's cache, the rest
        computed (``compute=False``: only what the cache has; ``complete`` says whether
        that was everything). ``pause`` runs between steps (see ``bring_current``)."""
        with self._lock:
            names = {pid: p.name for pid, p in self._partners.items()}
            revisions = dict(self._revisions)
        stale = bring_current(
            self.book, self.session.repo, names, revisions, pause=pause, compute=compute
        )
        self._complete = not stale
        return self.data()

    def update(self) -> tuple[BoardData, set[str]] | None:
        """Follow the store: recompute the partners whose history moved since the last
        look (and any whose top-referrer standing flipped with it). None: nothing moved."""
        repo = self.session.repo
        revisions = repo.history_revisions()
        with self._lock:
            known = self._revisions
            changed = {pid for pid, rev in revisions.items() if known.get(pid) != rev}
            removed = set(known) - set(revisions)
        if not changed and not removed:
            return None
        histories = repo.histories_of(sorted(changed)) if changed else []
        with self._lock:
            for pid in removed:
                self._partners.pop(pid, None)
                self._cards.pop(pid, None)
            for history in histories:
                partner = history.partner
                if partner.archived:
                    self._partners.pop(partner.id, None)
                    self._cards.pop(partner.id, None)
                else:
                    self._partners[partner.id] = partner
                    self._cards[partner.id] = self._card_of(history)
            self._revisions = revisions
            active = set(self._partners)
        self.book.forget(removed | {h.partner.id for h in histories if h.partner.archived})
        flipped = self.book.recount(histories, active)
        again = sorted((flipped & active) - changed)
        self.book.put(histories + (repo.histories_of(again) if again else []), revisions, repo)
        return self.data(), changed | removed

    def data(self, *, agenda: bool = True) -> BoardData:
        """The board as it stands: cards in name order, each with the action the day's plan
        would pick for it, the ranked agenda and today's plan."""
        repo = self.session.repo
        revision = repo.revision
        with self._lock:
            cards = sorted(self._cards.values(), key=_card_order)
            partners = list(self._partners.values())
        owners, settings = self.owners, self.session.settings
        if not agenda:
            return BoardData(
                cards, [], self.today, revision, repo.touchpoint_count(), False, owners=owners
            )
        ranked = self.book.agenda(repo.dismissals())
        top = pick_per_partner(ranked)
        cards = [self._with_top(card, top.get(card.id)) for card in cards]
        plan = plan_of(ranked, partners, self.today, settings, owners=owners)
        everyone = (
            plan_of(ranked, partners, self.today, settings, owners=owners, everyone=True)
            if owners.team
            else None
        )
        return BoardData(
            cards,
            ranked,
            self.today,
            revision,
            repo.touchpoint_count(),
            self._complete,
            plan,
            owners,
            everyone,
        )

    def _with_top(self, card: PartnerCard, action: SuggestedAction | None) -> PartnerCard:
        """The card with its top action, reusing the last one drawn when neither changed
        (after a save, 4,999 of 5,000 cards are the same objects as before)."""
        shown = self._shown.get(card.id)
        if shown is not None and shown[0] is card and shown[1].top_action is action:
            return shown[1]
        drawn = replace(card, top_action=action)
        self._shown[card.id] = (card, drawn)
        return drawn

    def _card_of(self, history: PartnerHistory) -> PartnerCard:
        window = self.today - timedelta(days=90)
        last = next((t.at for t in reversed(history.touchpoints) if t.is_done), None)
        recent = sum(1 for r in history.referrals if r.received >= window)
        return _card(history.partner, last, recent, self.today, self.session, self.playbook)


def _card_order(card: PartnerCard) -> tuple[str, str]:
    """The store's partner order (name, case aside; the id breaks ties)."""
    return card.name.lower(), card.id


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
