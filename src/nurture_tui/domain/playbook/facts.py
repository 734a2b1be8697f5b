"""What the rules read about a partner, computed in one pass over its history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo

from nurture_tui.domain.kinds import TouchpointKind, TouchpointStatus
from nurture_tui.domain.model import Contact, Partner, PartnerHistory, Referral, Touchpoint


@dataclass(frozen=True, slots=True)
class PriorityTerms:
    """The factors of an action's priority, kept so ``nurture next --explain`` can show them."""

    weight: float
    urgency: float
    tier: str
    tier_factor: float
    stage: str
    stage_factor: float
    referral_bonus: float
    recent_referrals: int

    def explain(self, priority: float) -> str:
        return (
            f"priority {priority:.2f} = weight {self.weight:g} x urgency {self.urgency:.2f} "
            f"x tier {self.tier} {self.tier_factor:g} x stage {self.stage} "
            f"{self.stage_factor:g} + {self.referral_bonus:g} x {self.recent_referrals} "
            "recent referrals"
        )


#: Priorities as a rep reads them: late on a weighty rule (``ranking.urgent_weight``), due
#: by today, or coming up within the horizon. The number behind them is in ``--explain``.
URGENT, DUE, WHEN_YOU_CAN = "urgent", "due", "when you can"


@dataclass(frozen=True, slots=True)
class SuggestedAction:
    """One thing the rep should do, why, and how urgent it is."""

    partner_id: str
    partner: str
    kind: str
    due: date
    overdue: bool
    priority: float
    rule: str
    reason: str
    evidence: tuple[str, ...]
    key: str = ""
    suggested_stage: str | None = None
    contact_id: str | None = None
    terms: PriorityTerms | None = None
    #: ``urgent``, ``due`` or ``when you can``: the priority in words.
    label: str = DUE

    @property
    def explanation(self) -> str:
        """How the priority was computed (formatted on demand: 20k actions are ranked)."""
        return self.terms.explain(self.priority) if self.terms else ""

    def as_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "partner_id": self.partner_id,
            "partner": self.partner,
            "kind": self.kind,
            "due": self.due.isoformat(),
            "overdue": self.overdue,
            "priority": round(self.priority, 2),
            "priority_label": self.label,
            "rule": self.rule,
            "reason": self.reason,
            "evidence": list(self.evidence),
            "key": self.key,
        }
        if self.suggested_stage:
            data["suggested_stage"] = self.suggested_stage
        if self.contact_id:
            data["contact_id"] = self.contact_id
        return data


@dataclass(frozen=True, slots=True)
class Draft:
    """A rule's raw finding, before ranking turns it into a SuggestedAction."""

    rule: str
    kind: str
    due: date
    reason: str
    evidence: tuple[str, ...]
    key: str = ""
    overdue_on: date | None = None
    suggested_stage: str | None = None
    contact_id: str | None = None


@dataclass(slots=True)
class Facts:
    """One partner's history, indexed for the rules (touches sorted, last of each kind)."""

    partner: Partner
    contacts: list[Contact]
    done: list[Touchpoint]
    referrals: list[Referral]
    today: date
    zone: tzinfo
    last_of_kind: dict[TouchpointKind, Touchpoint] = field(default_factory=dict)
    #: The next touch already planned (an invite sent), if any.
    next_planned: Touchpoint | None = None

    @classmethod
    def of(cls, history: PartnerHistory, today: date, zone: tzinfo) -> Facts:
        done = [t for t in history.touchpoints if t.status is _DONE]
        facts = cls(
            partner=history.partner,
            contacts=history.contacts,
            done=done,
            referrals=sorted(history.referrals, key=lambda r: r.received),
            today=today,
            zone=zone,
        )
        for touch in done:  # oldest first, so the last write per kind wins
            facts.last_of_kind[touch.kind] = touch
        if len(done) != len(history.touchpoints):
            facts.next_planned = next(
                (t for t in history.touchpoints if t.status is _PLANNED), None
            )
        return facts

    def day(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    @property
    def last_touch(self) -> Touchpoint | None:
        return self.done[-1] if self.done else None

    def last_day_of(self, *kinds: TouchpointKind) -> date | None:
        days = [self.day(self.last_of_kind[k].at) for k in kinds if k in self.last_of_kind]
        return max(days) if days else None

    def done_since(self, kind: TouchpointKind, since: date) -> Touchpoint | None:
        """The first touch of ``kind`` on or after ``since`` (touches are sorted by time)."""
        last = self.last_of_kind.get(kind)
        if last is None or self.day(last.at) < since:
            return None
        return next(t for t in self.done if t.kind is kind and self.day(t.at) >= since)

    def referrals_between(self, start: date, end: date) -> list[Referral]:
        return [r for r in self.referrals if start <= r.received <= end]

    def contact_name(self, contact_id: str | None) -> str:
        for contact in self.contacts:
            if contact.id == contact_id:
                return contact.name
        return self.partner.name


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DONE = TouchpointStatus.DONE
_PLANNED = TouchpointStatus.PLANNED


def short_date(day: date) -> str:
    """'2 Nov': the way a rep says it (and faster than strftime, which runs 20k times)."""
    return f"{day.day} {_MONTHS[day.month - 1]}"


def long_date(day: date, today: date) -> str:
    """'2 Nov' this year, '2 Nov 2025' otherwise."""
    return short_date(day) if day.year == today.year else f"{short_date(day)} {day.year}"


def plural(count: int, noun: str) -> str:
    """'1 referral', '2 referrals', '3 touches': the count and the noun agree.

    Kept cheap (rules call it for 60,000 reasons a pass): the thousands separator and the
    '-es' check only when they can matter."""
    number = f"{count:,}" if count >= 1000 or count <= -1000 else str(count)
    if count == 1:
        return f"1 {noun}"
    if noun[-1] in "hsx" and noun.endswith(_ES_ENDINGS):
        return f"{number} {noun}es"
    return f"{number} {noun}s"


_ES_ENDINGS = ("ch", "sh", "s", "x")


def days_ago(days: int) -> str:
    """'today', 'yesterday', '12 days ago' (never '0 days ago')."""
    if days <= 0:
        return "today"
    return "yesterday" if days == 1 else f"{days:,} days ago"


def span(days: int) -> str:
    """A length of time as a rep says it: '6 weeks', '8 months', 'a year', '2 years'."""
    if days < 14:
        return plural(days, "day")
    if days < 60:
        return plural(round(days / 7), "week")
    if days < 350:
        return plural(round(days / 30.4), "month")
    years = round(days / 365)
    return "a year" if years == 1 else plural(years, "year")
