"""The playbook's rules. Each reads one partner's Facts and returns Drafts with a reason.

Every rule cites its seed sentence in ``default_playbook.toml`` (the rule's definition).
A rule's id is written once, as its key in ``RULES`` (the playbook file's table name):
the engine stamps it on the rule's actions, so a draft does not repeat it.

Where a seed sentence and the law disagree, the law wins: after a referral or an
in-service the rules suggest thanks in words (a note, an email), never a gift — the
Anti-Kickback Statute (42 U.S.C. § 1320a-7b(b)) makes anything of value given to reward
referrals a crime, and Stark (42 CFR 411.357(k)) caps a physician's non-monetary
compensation each year.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from typing import Final, NamedTuple

from nurture_tui.domain.dates import MonthDay
from nurture_tui.domain.kinds import ReferralStatus, Stage, TouchpointKind
from nurture_tui.domain.model import Contact, Referral, Touchpoint
from nurture_tui.domain.playbook.config import RuleConfig
from nurture_tui.domain.playbook.facts import (
    TOUCH_AT,
    TOUCH_ID,
    Draft,
    Facts,
    NotATouch,
    days_ago,
    long_date,
    plural,
    span,
)


class K:
    """The touch kinds the rules name, as plain class attributes. Why not
    ``TouchpointKind.X``: reading a member off an Enum class costs 80 ns against 20 ns
    here, and the rules read them about 100,000 times a pass."""

    APPRECIATION_EVENT: Final = TouchpointKind.APPRECIATION_EVENT
    ARTICLE_SHARE: Final = TouchpointKind.ARTICLE_SHARE
    CARE_COORDINATION: Final = TouchpointKind.CARE_COORDINATION
    CHECK_IN: Final = TouchpointKind.CHECK_IN
    FEEDBACK_REQUEST: Final = TouchpointKind.FEEDBACK_REQUEST
    GIFT: Final = TouchpointKind.GIFT
    HANDWRITTEN_NOTE: Final = TouchpointKind.HANDWRITTEN_NOTE
    IN_SERVICE: Final = TouchpointKind.IN_SERVICE
    INTRODUCTION: Final = TouchpointKind.INTRODUCTION
    NETWORKING_EVENT: Final = TouchpointKind.NETWORKING_EVENT
    NEWSLETTER: Final = TouchpointKind.NEWSLETTER
    PARTICIPANT_UPDATE: Final = TouchpointKind.PARTICIPANT_UPDATE
    REFERRAL_ASK: Final = TouchpointKind.REFERRAL_ASK
    SOCIAL_ENGAGEMENT: Final = TouchpointKind.SOCIAL_ENGAGEMENT
    THANK_YOU: Final = TouchpointKind.THANK_YOU
    WEBINAR: Final = TouchpointKind.WEBINAR


class S:
    """The stages, as plain class attributes (see K)."""

    REFERRING: Final = Stage.REFERRING
    CHAMPION: Final = Stage.CHAMPION
    DORMANT: Final = Stage.DORMANT


#: Bump when a rule's logic or wording changes. The action cache is keyed by it (with the
#: playbook data and the package version): cached actions keep the reason text they were
#: computed with, so without it an upgrade that rewords a rule would show yesterday's words.
#: 2: thanks in words, never a gift (issue 14).
RULES_REVISION: Final = 2

#: Not yet a relationship, or one set aside: the cadence rules leave these partners be.
_NOT_ACTIVE = (Stage.PROSPECT, Stage.DORMANT)
_BEFORE_REFERRING = (Stage.PROSPECT, Stage.ENGAGED)
_ENDED = (ReferralStatus.DECLINED, ReferralStatus.CLOSED)
_DECLINED = ReferralStatus.DECLINED


@dataclass(frozen=True)
class Network:
    """Facts across all partners that some rules need (who the top referrers are)."""

    top_referrers: frozenset[str]


#: A rule returns its drafts as a list or tuple (``()`` when it has nothing to say): no
#: generator per call, as each of 16 rules runs for each of 5,000 partners a pass.
Rule = Callable[[Facts, RuleConfig, Network], Sequence[Draft]]

_NONE: tuple[Draft, ...] = ()


def thank_you(f: Facts, cfg: RuleConfig, net: Network) -> Sequence[Draft]:
    """A personal thank-you in words (a note or an email) after each referral, until one
    is logged after it.

    A gift logged after the referral does not count as the thank-you (our choice): a gift
    is not the thanks the law allows here — anything of value given because a referral
    arrived can look like a reward for it (Anti-Kickback Statute) — so the rule keeps
    suggesting the words. Only a logged thank-you stops it."""
    if not f.referrals:
        return _NONE
    oldest = f.today - cfg.period("lookback_days")
    thanked = f.last_day(K.THANK_YOU)
    drafts = []
    for referral in f.referrals:
        received = referral.received
        if received < oldest or (thanked is not None and thanked >= received):
            continue
        if received > f.horizon:
            continue
        # Owed from the day the referral arrives (so a day's plan shows it at once), late
        # after ``within_days``.
        drafts.append(
            Draft(
                kind=K.THANK_YOU,
                due=received,
                overdue_on=received + cfg.period("within_days"),
                reason=f"{_referral_from(f, referral)}{_THANK_IN_WORDS}",
                evidence=(referral.id,),
                key=referral.id,
                contact_id=referral.contact_id,
            )
        )
    return drafts


#: The referral thank-you's advice, after "Referral from … on …". Kept to one clause: the
#: board's cards and the agenda's table cut a reason at their width (the detail line wraps).
_THANK_IN_WORDS = (
    "; no thank-you logged — send a note or an email, not a gift "
    "(a gift could look like a reward for the referral)"
)


def _referral_from(f: Facts, referral: Referral) -> str:
    """'Referral from James Murphy (contact) on 7 Nov', or from the partner if no contact."""
    when = long_date(referral.received, f.today)
    if referral.contact_id is None:
        return f"Referral from {f.partner.name} on {when}"
    return f"Referral from {f.contact_name(referral.contact_id)} (contact) on {when}"


def in_service_thanks(f: Facts, cfg: RuleConfig, net: Network) -> Sequence[Draft]:
    """Thank a partner who taught your team, in words, until a thank-you is logged after it.

    A gift logged after the in-service still counts as thanks (the rep did thank them, and
    the gift guardrail has had its say when it was logged), but the suggestion itself is
    always a note or an email: a gift to a referral source is something of value, and for a
    physician it counts toward the yearly Stark limit."""
    day = f.last_day(K.IN_SERVICE)
    if day is None:
        return _NONE
    if f.today - day > cfg.period("lookback_days"):
        return _NONE
    if f.done_on_or_after(K.THANK_YOU, day) or f.done_on_or_after(K.GIFT, day):
        return _NONE
    due = day + cfg.period("within_days")
    if due > f.horizon:
        return _NONE
    taught = f.last_of_kind[K.IN_SERVICE]
    return (
        Draft(
            kind=K.THANK_YOU,
            due=due,
            overdue_on=due,
            reason=f"They taught your team an in-service on {long_date(day, f.today)}; "
            "send a thank-you note or email",
            evidence=(taught.id,),
            key=taught.id,
        ),
    )


def participant_update(f: Facts, cfg: RuleConfig, net: Network) -> Sequence[Draft]:
    """An update on the referred participant a few weeks on, while the partner still serves them."""
    if not f.referrals:
        return _NONE
    stale = cfg.period("stale_after_days")
    updated = f.last_day(K.PARTICIPANT_UPDATE)
    drafts = []
    for referral in f.referrals:
        if referral.partner_no_longer_serving or referral.status is _DECLINED:
            continue
        received = referral.received
        if f.today - received > stale:
            continue
        if updated is not None and updated >= received + _WEEK:
            continue
        start = received + cfg.period("from_days")
        if start > f.horizon:
            continue
        drafts.append(
            Draft(
                kind=K.PARTICIPANT_UPDATE,
                due=start,
                overdue_on=received + cfg.period("until_days"),
                reason=f"{_referral_from(f, referral)} is "
                f"{plural((f.today - received).days, 'day')} old; send an update on how "
                "the participant is doing",
                evidence=(referral.id,),
                key=referral.id,
                contact_id=referral.contact_id,
            )
        )
    return drafts


_WEEK = timedelta(days=7)


def feedback_request(f: Facts, cfg: RuleConfig, net: Network) -> Sequence[Draft]:
    """Ask how the referral process went: after the first referral, then twice a year (tier A)."""
    if not f.referrals:
        return _NONE
    first = f.referrals[0]
    last_asked = f.last_day(K.FEEDBACK_REQUEST)
    if last_asked is None or last_asked < first.received:
        due = first.received + cfg.period("after_first_referral_days")
        if due > f.horizon:
            return _NONE
        return (
            Draft(
                kind=K.FEEDBACK_REQUEST,
                due=due,
                overdue_on=due,
                reason=f"First referral came on {long_date(first.received, f.today)}; ask how "
                "the referral process went for them",
                evidence=(first.id,),
                key="first",
            ),
        )
    if f.partner.tier != "A":
        return _NONE
    due = last_asked + cfg.period("tier_a_every_days")
    if due > f.horizon:
        return _NONE
    last = f.last_of_kind[K.FEEDBACK_REQUEST]
    return (
        Draft(
            kind=K.FEEDBACK_REQUEST,
            due=due,
            overdue_on=due,
            reason=f"Key partner; last asked for feedback on {long_date(last_asked, f.today)} "
            "(every six months)",
            evidence=(last.id,),
            key=due.isoformat(),
        ),
    )


def care_coordination(f: Facts, cfg: RuleConfig, net: Network) -> Sequence[Draft]:
    """Offer to coordinate the care plan for a referral with complex needs."""
    drafts = []
    for referral in f.referrals:
        if not referral.complex_needs or referral.partner_no_longer_serving:
            continue
        if referral.status in _ENDED:
            continue
        if f.today - referral.received > cfg.period("stale_after_days"):
            continue
        if f.done_on_or_after(K.CARE_COORDINATION, referral.received):
            continue
        due = referral.received + cfg.period("within_days")
        if due > f.horizon:
            continue
        drafts.append(
            Draft(
                kind=K.CARE_COORDINATION,
                due=due,
                overdue_on=due,
                reason=f"{_referral_from(f, referral)} has complex needs; offer a care-plan "
                "meeting",
                evidence=(referral.id,),
                key=referral.id,
                contact_id=referral.contact_id,
            )
        )
    return drafts


def check_in(f: Facts, cfg: RuleConfig, net: Network) -> Sequence[Draft]:
    """The regular cadence by tier; any touch, logged or synced, resets the clock."""
    partner = f.partner
    if partner.stage is S.DORMANT or f.next_planned is not None:
        return _NONE  # dormant, or a meeting is already planned
    tier = partner.tier
    last_day = f.last_touch_day
    if last_day is None:
        due = partner.stage_since or f.today
    else:
        due = last_day + cfg.tier_period("every_days", tier)
    if due > f.horizon:
        return _NONE  # most partners: the next check-in is weeks away
    if last_day is None:
        evidence = _NO_EVIDENCE
        reason = "No touch logged yet; open the relationship with a check-in"
    else:
        last = f.done[-1]
        evidence = (last.id,)
        reason = (
            f"Last touch {days_ago((f.today - last_day).days)} ({last.kind}, "
            f"{long_date(last_day, f.today)}); tier {tier} cadence is every "
            f"{plural(cfg.per_tier('every_days', tier), 'day')}"
        )
    return (
        Draft(
            kind=K.CHECK_IN,
            due=due,
            overdue_on=due + cfg.tier_period("overdue_after_days", tier),
            reason=reason,
            evidence=evidence,
            key=due.isoformat(),
        ),
    )


_NO_EVIDENCE: tuple[str, ...] = ()


def _periodic(kind: TouchpointKind, what: str) -> Rule:
    def rule(f: Facts, cfg: RuleConfig, net: Network) -> Sequence[Draft]:
        if f.partner.stage in _NOT_ACTIVE:
            return _NONE
        if "tiers" in cfg.values and f.partner.tier not in cfg.names("tiers"):
            return _NONE
        last_day = f.last_day(kind)
        every = cfg.days("every_days")
        due = f.today if last_day is None else last_day + cfg.period("every_days")
        if due > f.horizon:
            return _NONE
        if last_day is None:
            reason, evidence = f"No {what} shared with them yet", _NO_EVIDENCE
        else:
            reason = f"Last {what} {long_date(last_day, f.today)}; due every {plural(every, 'day')}"
            evidence = (f.last_of_kind[kind].id,)
        return (
            Draft(
                kind=kind,
                due=due,
                overdue_on=due + _TWO_WEEKS,
                reason=reason,
                evidence=evidence,
                key=due.isoformat(),
            ),
        )

    rule.__doc__ = f"A periodic {what} for partners already engaged."
    return rule


_TWO_WEEKS = timedelta(days=14)
_MONTH = timedelta(days=30)

webinar = _periodic(K.WEBINAR, "webinar invitation")
newsletter = _periodic(K.NEWSLETTER, "newsletter")


def appreciation_event(f: Facts, cfg: RuleConfig, net: Network) -> Sequence[Draft]:
    """A yearly appreciation event invitation for the top referrers.

    The reason says that a meal there counts toward each invited physician's yearly
    non-monetary limit (42 CFR 411.357(k)); the figure itself is not written here: it
    changes every year and lives in the compliance limits table."""
    if f.partner.id not in net.top_referrers:
        return _NONE
    last = f.last_day(K.APPRECIATION_EVENT)
    due = f.today if last is None else last + cfg.period("every_days")
    year = f.referrals_between(f.today - timedelta(days=365), f.today)
    return (
        Draft(
            kind=K.APPRECIATION_EVENT,
            due=due,
            overdue_on=due + _MONTH,
            reason=f"A top referrer ({plural(len(year), 'referral')} in the last year); invite "
            f"them to the annual appreciation event{_MODEST_EVENT}",
            evidence=tuple(r.id for r in year[-5:]),
            key=str(due.year),
        ),
    )


#: The appreciation event's caution: the limit by name, where to read its figure.
_MODEST_EVENT = (
    " — keep it modest: a meal counts toward each invited physician's yearly "
    "non-monetary limit (see `nurture compliance limits`)"
)

_VALUE_KINDS = (K.ARTICLE_SHARE, K.IN_SERVICE, K.NETWORKING_EVENT, K.SOCIAL_ENGAGEMENT)
_VALUE_WHY = {
    K.ARTICLE_SHARE: "share an industry article with your own comments",
    K.IN_SERVICE: "invite them to teach your staff in a Zoom in-service",
    K.NETWORKING_EVENT: "invite them to a networking event you host",
    K.SOCIAL_ENGAGEMENT: "follow and engage with their company page",
}


def value_add(f: Facts, cfg: RuleConfig, net: Network) -> Sequence[Draft]:
    """An engaged but quiet partner gets the value touch it has had least recently."""
    last_day = f.last_touch_day
    partner = f.partner
    if last_day is None or partner.stage not in cfg.names("stages"):
        return _NONE
    quiet = (f.today - last_day).days
    if quiet < cfg.days("quiet_days"):
        return _NONE
    teaches = partner.kind in cfg.names("teaching_kinds")  # they could teach an in-service
    kind: TouchpointKind | None = None
    oldest = date.max
    for candidate in _VALUE_KINDS:  # the least recent that fits; ties: the first listed
        if candidate is K.IN_SERVICE and not teaches:
            continue
        if candidate is K.SOCIAL_ENGAGEMENT and not partner.social_pages:
            continue
        day = f.last_day(candidate) or date.min
        if kind is None or day < oldest:
            kind, oldest = candidate, day
    if kind is None:
        return _NONE
    return (
        Draft(
            kind=kind,
            due=f.today,
            overdue_on=f.today + _TWO_WEEKS,
            reason=f"Engaged but quiet for {plural(quiet, 'day')}; {_VALUE_WHY[kind]}",
            evidence=(f.done[-1].id,),
            key=f"{kind}:{last_day.isoformat()}",
        ),
    )


def introduction(f: Facts, cfg: RuleConfig, net: Network) -> Sequence[Draft]:
    """Ask to be introduced to key people, especially someone who has just started."""
    if not f.contacts:
        return _NONE
    window = cfg.period("new_employee_days")
    today = f.today
    oldest = today - window
    drafts = []
    for contact in f.contacts:
        started = contact.started
        if not started or not (oldest <= started <= today):
            continue
        if f.done_on_or_after(K.INTRODUCTION, started):
            continue
        drafts.append(
            Draft(
                kind=K.INTRODUCTION,
                due=today,
                overdue_on=started + window,
                reason=f"{contact.name} ({contact.role or 'new'}) started "
                f"{long_date(started, today)}; ask to be introduced",
                evidence=(contact.id,),
                key=contact.id,
                contact_id=contact.id,
            )
        )
    return drafts


def handwritten_note(f: Facts, cfg: RuleConfig, net: Network) -> Sequence[Draft]:
    """A hand-written note for a birthday, work anniversary or milestone in the coming days."""
    if not f.contacts:
        return _NONE
    today = f.today
    end = today + cfg.period("days_ahead")
    months = (today.month, end.month)  # a cheap filter: this runs for every contact
    drafts = []
    for contact in f.contacts:
        birthday, started = contact.birthday, contact.started
        if not (
            contact.milestones
            or (birthday and birthday.month in months)
            or (started and started.month in months)
        ):
            continue
        for occasion, day in _occasions(contact, today, end, months):
            noted = f.done_since(K.HANDWRITTEN_NOTE, day - cfg.period("days_ahead") - _WEEK)
            if noted and contact.id in noted.contact_ids:
                continue
            due = day - _TWO_DAYS if day - _TWO_DAYS > today else today
            drafts.append(
                Draft(
                    kind=K.HANDWRITTEN_NOTE,
                    due=due,
                    overdue_on=day,
                    reason=f"{contact.name}'s {occasion} is on {long_date(day, today)}; "
                    "send a hand-written note",
                    evidence=(contact.id,),
                    key=f"{contact.id}:{occasion}:{day.isoformat()}",
                    contact_id=contact.id,
                )
            )
    return drafts


_TWO_DAYS = timedelta(days=2)


def _occasions(
    contact: Contact, today: date, end: date, months: tuple[int, int]
) -> Iterator[tuple[str, date]]:
    if contact.birthday and contact.birthday.month in months:
        day = _next_anniversary(contact.birthday, today)
        if day <= end:
            yield "birthday", day
    if contact.started and contact.started.month in months:
        day = _next_anniversary(contact.started, today)
        years = day.year - contact.started.year
        if years >= 1 and day <= end:
            yield f"{years}-year work anniversary", day
    for milestone in contact.milestones:
        on = milestone.on  # a year-less anniversary comes back every year
        day = _next_anniversary(on, today) if isinstance(on, MonthDay) else on
        if today <= day <= end:
            yield f"milestone ({milestone.note})" if milestone.note else "milestone", day


def _next_anniversary(origin: date | MonthDay, today: date) -> date:
    """The next time ``origin``'s day of the year comes round, today included. 29 February
    falls on 1 March in a common year, as ``MonthDay.in_year`` has it (written out here,
    not by making a MonthDay: this runs for thousands of contacts a pass)."""
    month, day = origin.month, origin.day
    for year in (today.year, today.year + 1):
        try:
            found = date(year, month, day)
        except ValueError:  # 29 February in a common year
            found = date(year, 3, 1)
        if found >= today:
            return found
    raise AssertionError("unreachable: next year's anniversary is always ahead")


def linkedin_connect(f: Facts, cfg: RuleConfig, net: Network) -> Sequence[Draft]:
    """Connect on LinkedIn, but only with contacts already met in person."""
    if f.partner.stage is S.DORMANT:
        return _NONE
    for contact in f.contacts:
        if contact.met_in_person and not contact.linkedin_connected:
            return (
                Draft(
                    kind=K.SOCIAL_ENGAGEMENT,
                    due=f.today,
                    overdue_on=f.today + _MONTH,
                    reason=f"You have met {contact.name} in person; connect on LinkedIn",
                    evidence=(contact.id,),
                    key=contact.id,
                    contact_id=contact.id,
                ),
            )
    return _NONE


def referral_ask(f: Facts, cfg: RuleConfig, net: Network) -> Sequence[Draft]:
    """After several touches in a row with no ask, remind the rep to ask for referrals."""
    if f.partner.stage is S.DORMANT:
        return _NONE
    limit = cfg.count("touches_without_ask")
    done = f.done
    if len(done) < limit:
        return _NONE  # too few touches, asked or not
    since = done[-(limit * 4 or 1) :]
    last_ask = f.last_of_kind.get(K.REFERRAL_ASK)
    if last_ask is not None:  # the touches after it (sorted by time: bisection)
        since = since[bisect_right(since, last_ask.at, key=_AT) :]
    if len(since) < limit or not since:
        return _NONE
    last_asked = f.last_day(K.REFERRAL_ASK)
    return (
        Draft(
            kind=K.REFERRAL_ASK,
            due=f.today,
            overdue_on=f.today + _TWO_WEEKS,
            reason=f"{plural(len(since), 'touch')} in a row without asking for referrals"
            + (f" (last ask {long_date(last_asked, f.today)})" if last_asked else ""),
            evidence=tuple(map(_ID, since[-limit:])),
            key=since[-1].id,
        ),
    )


_ID = TOUCH_ID


def ask_why_no_referrals(f: Facts, cfg: RuleConfig, net: Network) -> Sequence[Draft]:
    """Long effort and no referral: ask frankly why, then decide where to spend energy.

    Effort is counted from the first touch after the last referral (or the first touch
    ever), not from the stage date: history logged, synced or imported before the partner
    was added (or moved) is effort all the same. Engaged, referring and champion partners.
    """
    if f.partner.stage in _NOT_ACTIVE or not f.done:
        return _NONE  # not yet a relationship to ask about, or one already set aside
    kind = f.partner.kind
    touches = cfg.per_kind("effort_touches", kind)
    if len(f.done) < touches:
        return _NONE  # too few touches ever, even counting newsletters
    days = cfg.per_kind("effort_days", kind)
    last_referral = f.referrals[-1].received if f.referrals else None
    if last_referral is not None and (f.today - last_referral).days < days:
        return _NONE  # the effort since began after the referral: not long enough yet
    effort = _effort_since(f, last_referral)
    if effort is None:
        return _NONE  # nothing since the last referral
    if len(f.done) - effort.start < touches:
        return _NONE  # too few touches, even counting newsletters
    start = f.day(effort.first.at)
    elapsed = (f.today - start).days
    if elapsed < days:
        return _NONE
    count = effort.count(f)
    if count < touches:
        return _NONE
    since = (
        f"No referral since {long_date(last_referral, f.today)}"
        if last_referral
        else "No referral yet"
    )
    return (
        Draft(
            kind=NotATouch.ASK_WHY,
            due=f.today,
            overdue_on=f.today + _MONTH,
            reason=f"{since} after {span(elapsed)} and {plural(count, 'touch')} "
            f"(from {long_date(start, f.today)}); {kind.replace('-', ' ')} partners "
            f"usually refer within {span(days)} and {touches} touches: schedule a frank talk "
            "to ask why, then decide whether to mark dormant",
            evidence=effort.latest(f, 3),
            key=start.isoformat(),
            suggested_stage=_DORMANT_TEXT,
        ),
    )


_DORMANT_TEXT = str(Stage.DORMANT)

#: A mailing to a general audience: not effort spent on this partner.
_NOT_EFFORT = K.NEWSLETTER


class _Effort(NamedTuple):
    """The touches aimed at a partner since its last referral: ``f.done[start:]`` without
    newsletters. Found by bisection, and walked only when a newsletter falls in the range:
    this rule runs for every partner, and walking every touch cost 40 ms at 250,000."""

    start: int
    #: No newsletter in ``f.done[start:]``: count and latest need no walk.
    clean: bool
    first: Touchpoint

    def count(self, f: Facts) -> int:
        if self.clean:
            return len(f.done) - self.start
        return len(f.done) - self.start - f.kinds[self.start :].count(_NOT_EFFORT)

    def latest(self, f: Facts, n: int) -> tuple[str, ...]:
        found: list[str] = []
        for index in range(len(f.done) - 1, self.start - 1, -1):
            if f.kinds[index] is not _NOT_EFFORT:
                found.append(f.done[index].id)
                if len(found) == n:
                    break
        return tuple(reversed(found))


def _effort_since(f: Facts, last_referral: date | None) -> _Effort | None:
    done = f.done
    start = 0
    if last_referral is not None:  # from the local midnight after the referral's day
        start = bisect_left(done, _next_midnight(last_referral, f.zone), key=_AT)
    if start >= len(done):
        return None
    news = f.last_of_kind.get(_NOT_EFFORT)
    if news is None or news.at < done[start].at:
        return _Effort(start, True, done[start])
    kinds = f.kinds
    for index in range(start, len(done)):
        if kinds[index] is not _NOT_EFFORT:
            return _Effort(start, False, done[index])
    return None


@lru_cache(maxsize=4096)
def _next_midnight(day: date, zone: tzinfo) -> datetime:
    """The instant the local day after ``day`` begins, in UTC (the touches' own zone, so
    comparing with them needs no conversion). Cached: a pass asks for 3,000 of these,
    most of them for the same few hundred days."""
    return datetime.combine(day + timedelta(days=1), time(0), zone).astimezone(UTC)


_AT = TOUCH_AT


def stage_change(f: Facts, cfg: RuleConfig, net: Network) -> Sequence[Draft]:
    """Hints that the partner's stage no longer fits its history."""
    stage = f.partner.stage
    today = f.today
    evidence: tuple[str, ...]
    if stage in _BEFORE_REFERRING and f.referrals:
        first = f.referrals[0]
        new_stage = S.REFERRING
        why = f"First referral arrived {long_date(first.received, today)}"
        evidence = (first.id,)
    elif stage is S.REFERRING and len(
        recent := f.referrals_between(today - _QUARTER, today)
    ) >= cfg.count("champion_referrals_90d"):
        new_stage = S.CHAMPION
        why = f"{plural(len(recent), 'referral')} in the last 90 days"
        evidence = tuple(r.id for r in recent)
    else:
        if stage is S.DORMANT:
            return _NONE
        last_activity = f.last_touch_day
        if f.referrals:
            last_referral = f.referrals[-1].received
            if last_activity is None or last_referral > last_activity:
                last_activity = last_referral
        if last_activity is None:
            return _NONE
        silent = (today - last_activity).days
        if silent < cfg.days("dormant_after_days"):
            return _NONE
        new_stage = S.DORMANT
        why = f"No touch or referral for {plural(silent, 'day')}"
        evidence = _NO_EVIDENCE
    target = str(new_stage)  # the plain text, as a key and in JSON
    return (
        Draft(
            kind=NotATouch.STAGE_CHANGE,
            due=today,
            overdue_on=today + _MONTH,
            reason=f"{why}; move from {stage} to {target}?",
            evidence=evidence,
            key=target,
            suggested_stage=target,
        ),
    )


_QUARTER = timedelta(days=90)


#: Rule id -> rule, in the order of the playbook file.
RULES: dict[str, Rule] = {
    "thank-you": thank_you,
    "in-service-thanks": in_service_thanks,
    "participant-update": participant_update,
    "feedback-request": feedback_request,
    "care-coordination": care_coordination,
    "check-in": check_in,
    "webinar": webinar,
    "appreciation-event": appreciation_event,
    "newsletter": newsletter,
    "value-add": value_add,
    "introduction": introduction,
    "handwritten-note": handwritten_note,
    "linkedin-connect": linkedin_connect,
    "referral-ask": referral_ask,
    "ask-why-no-referrals": ask_why_no_referrals,
    "stage-change": stage_change,
}
