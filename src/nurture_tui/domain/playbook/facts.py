"""What the rules read about a partner, computed in one pass over its history."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime, tzinfo
from enum import StrEnum
from functools import lru_cache
from itertools import compress
from operator import attrgetter, itemgetter
from typing import Any, NamedTuple, cast

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


class NotATouch(StrEnum):
    """The two kinds of action that are not a touch to log.

    Why a type of its own: an action's ``kind`` was a TouchpointKind or one of these
    strings, and a caller could tell them apart only by spelling the string. Now a kind is
    an ``ActionKind``, either a TouchpointKind (log that touch) or one of these, and
    ``SuggestedAction.is_stage_move`` says when the rep can act by moving the partner.
    The values are what ``nurture next --json`` prints as ``kind``, as before.
    """

    #: Move the partner to ``suggested_stage`` (the stage no longer fits the history).
    STAGE_CHANGE = "stage-change"
    #: A frank talk about why no referral came, then perhaps a move to dormant.
    ASK_WHY = "ask-why-no-referrals"


#: What an action asks of the rep: a touch of some kind, or one of NotATouch.
ActionKind = TouchpointKind | NotATouch


def action_kind(text: str) -> ActionKind:
    """The ActionKind spelled ``text`` (as ``as_json`` prints it); ValueError if none is."""
    try:
        return TouchpointKind(text)
    except ValueError:
        return NotATouch(text)  # a ValueError again if it is neither


#: Priorities as a rep reads them: late on a weighty rule (``ranking.urgent_weight``), due
#: by today, or coming up within the horizon. The number behind them is in ``--explain``.
URGENT, DUE, WHEN_YOU_CAN = "urgent", "due", "when you can"


@dataclass(frozen=True, slots=True)
class SuggestedAction:
    """One thing the rep should do, why, and how urgent it is."""

    partner_id: str
    partner: str
    kind: ActionKind
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
    def is_stage_move(self) -> bool:
        """The rep acts by moving the partner to ``suggested_stage`` (compared by value,
        so an action read back from text answers the same)."""
        return self.kind == NotATouch.STAGE_CHANGE and bool(self.suggested_stage)

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


class _Settable:
    """SuggestedAction's slots, in a class whose fields can be set (see new_action)."""

    __slots__ = tuple(f.name for f in fields(SuggestedAction))


def new_action(
    partner_id: str,
    partner: str,
    kind: ActionKind,
    due: date,
    overdue: bool,
    priority: float,
    rule: str,
    reason: str,
    evidence: tuple[str, ...],
    key: str,
    suggested_stage: str | None,
    contact_id: str | None,
    terms: PriorityTerms | None,
    label: str,
) -> SuggestedAction:
    """``SuggestedAction(...)`` with every field given, at a tenth of the cost.

    Why: a frozen dataclass sets each of its 14 fields through ``object.__setattr__``,
    which was most of the cost of making a pass's 20,000 actions (2.7 µs an action,
    against 0.3 µs here). The fields are set on a ``_Settable`` (the same slots, in the
    same order), which then becomes a SuggestedAction: CPython allows the class change
    between classes of the same layout. What comes out is an ordinary SuggestedAction
    (frozen, equal and hashed by its fields); tests/test_playbook_golden.py pins every
    field of every action, and tests/test_playbook_engine.py checks it is one.
    """
    action: Any = _new(_Settable)
    action.partner_id = partner_id
    action.partner = partner
    action.kind = kind
    action.due = due
    action.overdue = overdue
    action.priority = priority
    action.rule = rule
    action.reason = reason
    action.evidence = evidence
    action.key = key
    action.suggested_stage = suggested_stage
    action.contact_id = contact_id
    action.terms = terms
    action.label = label
    action.__class__ = SuggestedAction
    return cast(SuggestedAction, action)


_new = object.__new__


class Draft(NamedTuple):
    """A rule's raw finding, before ranking turns it into a SuggestedAction.

    A NamedTuple (like Touchpoint): 25,000 are made a pass, and a frozen dataclass costs
    three times as much to build. It has no rule id: the engine takes that from the
    rule's key in ``RULES``, the one place it is written."""

    kind: ActionKind
    due: date
    reason: str
    evidence: tuple[str, ...]
    key: str = ""
    overdue_on: date | None = None
    suggested_stage: str | None = None
    contact_id: str | None = None


@dataclass(slots=True)
class Facts:
    """One partner's history, indexed for the rules (touches sorted, last of each kind).

    Built for each of 5,000 partners a pass, so it does only C-speed work over the
    touches (``map``/``zip``/``compress``, no Python loop over 250,000 of them), and
    turns a touch's time into a local day only when a rule asks, once per kind.
    """

    partner: Partner
    contacts: list[Contact]
    #: Done touches, oldest first (the history's own list when every touch is done).
    done: list[Touchpoint]
    #: The kind of each done touch (``kinds[i]`` is ``done[i].kind``), for C-speed search.
    kinds: list[TouchpointKind]
    referrals: list[Referral]
    today: date
    zone: tzinfo
    last_of_kind: dict[TouchpointKind, Touchpoint] = field(default_factory=dict)
    #: The next touch already planned (an invite sent), if any.
    next_planned: Touchpoint | None = None
    #: The last day the engine keeps an action for: a rule may skip writing the reason
    #: of a draft due later (the engine drops it either way).
    horizon: date = date.max
    #: The local day of the last done touch (None: no touch yet).
    last_touch_day: date | None = None
    _last_days: dict[TouchpointKind, date | None] = field(default_factory=dict)

    @classmethod
    def of(
        cls, history: PartnerHistory, today: date, zone: tzinfo, horizon: date = date.max
    ) -> Facts:
        touches = history.touchpoints
        statuses = list(map(_STATUS, touches))
        next_planned = None
        if statuses.count(_DONE) == len(touches):
            done = touches  # never changed here: no copy
        else:
            done = list(compress(touches, map(_DONE.__eq__, statuses)))
            if _PLANNED in statuses:
                next_planned = touches[statuses.index(_PLANNED)]
        kinds = list(map(_KIND, done))
        referrals = history.referrals
        return cls(  # by position, in field order: 5,000 a pass, and keywords cost more
            history.partner,
            history.contacts,
            done,
            kinds,
            sorted(referrals, key=_RECEIVED) if len(referrals) > 1 else referrals,
            today,
            zone,
            # oldest first, so the last touch of each kind is the one kept
            dict(zip(kinds, done, strict=True)),
            next_planned,
            horizon,
            done[-1].at.astimezone(zone).date() if done else None,
            {},
        )

    def day(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    @property
    def last_touch(self) -> Touchpoint | None:
        return self.done[-1] if self.done else None

    def last_day(self, kind: TouchpointKind) -> date | None:
        """The local day of the last done touch of ``kind`` (None: never)."""
        days = self._last_days
        day = days.get(kind, _UNKNOWN)
        if day is _UNKNOWN:
            last = self.last_of_kind.get(kind)
            day = days[kind] = None if last is None else last.at.astimezone(self.zone).date()
        return day

    def done_on_or_after(self, kind: TouchpointKind, since: date) -> bool:
        """Whether a touch of ``kind`` was done on ``since`` or later (local days)."""
        day = self.last_day(kind)
        return day is not None and day >= since

    def done_since(self, kind: TouchpointKind, since: date) -> Touchpoint | None:
        """The first touch of ``kind`` on or after ``since`` (touches are sorted by time)."""
        if not self.done_on_or_after(kind, since):
            return None
        kinds, done = self.kinds, self.done
        index = kinds.index(kind)
        while self.day(done[index].at) < since:  # ends: the last of kind is on or after
            index = kinds.index(kind, index + 1)
        return done[index]

    def referrals_between(self, start: date, end: date) -> list[Referral]:
        return [r for r in self.referrals if start <= r.received <= end]

    def contact_name(self, contact_id: str | None) -> str:
        for contact in self.contacts:
            if contact.id == contact_id:
                return contact.name
        return self.partner.name


#: A Touchpoint's fields by position: a Touchpoint is a tuple, and indexing it costs a
#: fraction of a lookup by name (these run over every touch, 500,000 times a pass).
TOUCH_STATUS = itemgetter(Touchpoint._fields.index("status"))
TOUCH_KIND = itemgetter(Touchpoint._fields.index("kind"))
TOUCH_AT = itemgetter(Touchpoint._fields.index("at"))
TOUCH_ID = itemgetter(Touchpoint._fields.index("id"))
_STATUS, _KIND = TOUCH_STATUS, TOUCH_KIND
#: Not yet looked up (a local day may be None: no touch of that kind).
_UNKNOWN = date.min
_RECEIVED = attrgetter("received")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DONE = TouchpointStatus.DONE
_PLANNED = TouchpointStatus.PLANNED


def long_date(day: date, today: date) -> str:
    """'2 Nov' this year, '2 Nov 2025' otherwise: the way a rep says it. Cached, like
    plural and span: a pass writes 13,000 dates into reasons, most of them the same few
    hundred days."""
    return _long_date(day, today)


@lru_cache(maxsize=4096)
def _long_date(day: date, today: date) -> str:
    if day.year == today.year:
        return f"{day.day} {_MONTHS[day.month - 1]}"
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def plural(count: int, noun: str) -> str:
    """'1 referral', '2 referrals', '3 touches': the count and the noun agree.

    Cached (rules call it for 20,000 reasons a pass, with few distinct counts)."""
    return _plural(count, noun)


@lru_cache(maxsize=4096, typed=True)
def _plural(count: int, noun: str) -> str:
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
    return _span(days)


@lru_cache(maxsize=4096, typed=True)
def _span(days: int) -> str:
    if days < 14:
        return plural(days, "day")
    if days < 60:
        return plural(round(days / 7), "week")
    if days < 350:
        return plural(round(days / 30.4), "month")
    years = round(days / 365)
    return "a year" if years == 1 else plural(years, "year")
