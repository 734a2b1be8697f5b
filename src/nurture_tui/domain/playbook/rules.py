"""The playbook's rules. Each reads one partner's Facts and yields Drafts with a reason.

Every rule cites its seed sentence in ``default_playbook.toml`` (the rule's definition).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import islice

from nurture_tui.domain.dates import MonthDay
from nurture_tui.domain.kinds import ReferralStatus, Stage, TouchpointKind
from nurture_tui.domain.model import Contact, Referral, Touchpoint
from nurture_tui.domain.playbook.config import RuleConfig
from nurture_tui.domain.playbook.facts import Draft, Facts, days_ago, long_date, plural, span

K = TouchpointKind


@dataclass(frozen=True)
class Network:
    """Facts across all partners that some rules need (who the top referrers are)."""

    top_referrers: frozenset[str]


Rule = Callable[[Facts, RuleConfig, Network], Iterator[Draft]]


def thank_you(f: Facts, cfg: RuleConfig, net: Network) -> Iterator[Draft]:
    """A personal thank-you after each referral, until one is logged after it."""
    oldest = f.today - timedelta(days=cfg.days("lookback_days"))
    for referral in f.referrals:
        if referral.received < oldest or f.done_since(K.THANK_YOU, referral.received):
            continue
        # Owed from the day the referral arrives (so a day's plan shows it at once), late
        # after ``within_days``.
        yield Draft(
            rule="thank-you",
            kind=K.THANK_YOU,
            due=referral.received,
            overdue_on=referral.received + timedelta(days=cfg.days("within_days")),
            reason=f"{_referral_from(f, referral)}; no thank-you logged",
            evidence=(referral.id,),
            key=referral.id,
            contact_id=referral.contact_id,
        )


def _referral_from(f: Facts, referral: Referral) -> str:
    """'Referral from James Murphy (contact) on 7 Nov', or from the partner if no contact."""
    when = long_date(referral.received, f.today)
    if referral.contact_id is None:
        return f"Referral from {f.partner.name} on {when}"
    return f"Referral from {f.contact_name(referral.contact_id)} (contact) on {when}"


def in_service_thanks(f: Facts, cfg: RuleConfig, net: Network) -> Iterator[Draft]:
    """Thank a partner who taught your team, until a thank-you is logged after it."""
    taught = f.last_of_kind.get(K.IN_SERVICE)
    if taught is None:
        return
    day = f.day(taught.at)
    if f.today - day > timedelta(days=cfg.days("lookback_days")):
        return
    if f.done_since(K.THANK_YOU, day) or f.done_since(K.GIFT, day):
        return
    due = day + timedelta(days=cfg.days("within_days"))
    yield Draft(
        rule="in-service-thanks",
        kind=K.THANK_YOU,
        due=due,
        overdue_on=due,
        reason=f"They taught your team an in-service on {long_date(day, f.today)}; "
        "send a thank-you (a small gift is fitting here)",
        evidence=(taught.id,),
        key=taught.id,
    )


def participant_update(f: Facts, cfg: RuleConfig, net: Network) -> Iterator[Draft]:
    """An update on the referred participant a few weeks on, while the partner still serves them."""
    for referral in f.referrals:
        if referral.partner_no_longer_serving or referral.status is ReferralStatus.DECLINED:
            continue
        start = referral.received + timedelta(days=cfg.days("from_days"))
        if f.today - referral.received > timedelta(days=cfg.days("stale_after_days")):
            continue
        if f.done_since(K.PARTICIPANT_UPDATE, referral.received + timedelta(days=7)):
            continue
        yield Draft(
            rule="participant-update",
            kind=K.PARTICIPANT_UPDATE,
            due=start,
            overdue_on=referral.received + timedelta(days=cfg.days("until_days")),
            reason=f"{_referral_from(f, referral)} is "
            f"{plural((f.today - referral.received).days, 'day')} old; send an update on how "
            "the participant is doing",
            evidence=(referral.id,),
            key=referral.id,
            contact_id=referral.contact_id,
        )


def feedback_request(f: Facts, cfg: RuleConfig, net: Network) -> Iterator[Draft]:
    """Ask how the referral process went: after the first referral, then twice a year (tier A)."""
    if not f.referrals:
        return
    first = f.referrals[0]
    last_asked = f.last_day_of(K.FEEDBACK_REQUEST)
    if last_asked is None or last_asked < first.received:
        due = first.received + timedelta(days=cfg.days("after_first_referral_days"))
        yield Draft(
            rule="feedback-request",
            kind=K.FEEDBACK_REQUEST,
            due=due,
            overdue_on=due,
            reason=f"First referral came on {long_date(first.received, f.today)}; ask how "
            "the referral process went for them",
            evidence=(first.id,),
            key="first",
        )
    elif f.partner.tier == "A":
        due = last_asked + timedelta(days=cfg.days("tier_a_every_days"))
        last = f.last_of_kind[K.FEEDBACK_REQUEST]
        yield Draft(
            rule="feedback-request",
            kind=K.FEEDBACK_REQUEST,
            due=due,
            overdue_on=due,
            reason=f"Key partner; last asked for feedback on {long_date(last_asked, f.today)} "
            "(every six months)",
            evidence=(last.id,),
            key=due.isoformat(),
        )


def care_coordination(f: Facts, cfg: RuleConfig, net: Network) -> Iterator[Draft]:
    """Offer to coordinate the care plan for a referral with complex needs."""
    for referral in f.referrals:
        if not referral.complex_needs or referral.partner_no_longer_serving:
            continue
        if referral.status in (ReferralStatus.DECLINED, ReferralStatus.CLOSED):
            continue
        if f.today - referral.received > timedelta(days=cfg.days("stale_after_days")):
            continue
        if f.done_since(K.CARE_COORDINATION, referral.received):
            continue
        due = referral.received + timedelta(days=cfg.days("within_days"))
        yield Draft(
            rule="care-coordination",
            kind=K.CARE_COORDINATION,
            due=due,
            overdue_on=due,
            reason=f"{_referral_from(f, referral)} has complex needs; offer a care-plan meeting",
            evidence=(referral.id,),
            key=referral.id,
            contact_id=referral.contact_id,
        )


def check_in(f: Facts, cfg: RuleConfig, net: Network) -> Iterator[Draft]:
    """The regular cadence by tier; any touch, logged or synced, resets the clock."""
    if f.partner.stage is Stage.DORMANT or f.next_planned is not None:
        return  # dormant, or a meeting is already planned
    tier = f.partner.tier
    last = f.last_touch
    if last is None:
        start = f.partner.stage_since or f.today
        due, evidence = start, tuple[str, ...]()
        reason = "No touch logged yet; open the relationship with a check-in"
    else:
        last_day = f.day(last.at)
        due = last_day + timedelta(days=cfg.per_tier("every_days", tier))
        evidence = (last.id,)
        reason = (
            f"Last touch {days_ago((f.today - last_day).days)} ({last.kind.value}, "
            f"{long_date(last_day, f.today)}); tier {tier.value} cadence is every "
            f"{plural(cfg.per_tier('every_days', tier), 'day')}"
        )
    overdue_on = due + timedelta(days=cfg.per_tier("overdue_after_days", tier))
    yield Draft(
        rule="check-in",
        kind=K.CHECK_IN,
        due=due,
        overdue_on=overdue_on,
        reason=reason,
        evidence=evidence,
        key=due.isoformat(),
    )


def _periodic(kind: TouchpointKind, what: str) -> Rule:
    def rule(f: Facts, cfg: RuleConfig, net: Network) -> Iterator[Draft]:
        if f.partner.stage in (Stage.PROSPECT, Stage.DORMANT):
            return
        if "tiers" in cfg.values and f.partner.tier not in cfg.names("tiers"):
            return
        last = f.last_of_kind.get(kind)
        every = cfg.days("every_days")
        if last is None:
            due = f.today
            reason, evidence = f"No {what} shared with them yet", tuple[str, ...]()
        else:
            last_day = f.day(last.at)
            due = last_day + timedelta(days=every)
            reason = f"Last {what} {long_date(last_day, f.today)}; due every {plural(every, 'day')}"
            evidence = (last.id,)
        yield Draft(
            rule=cfg.name,
            kind=kind,
            due=due,
            overdue_on=due + timedelta(days=14),
            reason=reason,
            evidence=evidence,
            key=due.isoformat(),
        )

    rule.__doc__ = f"A periodic {what} for partners already engaged."
    return rule


webinar = _periodic(K.WEBINAR, "webinar invitation")
newsletter = _periodic(K.NEWSLETTER, "newsletter")


def appreciation_event(f: Facts, cfg: RuleConfig, net: Network) -> Iterator[Draft]:
    """A yearly appreciation event invitation for the top referrers."""
    if f.partner.id not in net.top_referrers:
        return
    last = f.last_day_of(K.APPRECIATION_EVENT)
    due = f.today if last is None else last + timedelta(days=cfg.days("every_days"))
    year = f.referrals_between(f.today - timedelta(days=365), f.today)
    yield Draft(
        rule="appreciation-event",
        kind=K.APPRECIATION_EVENT,
        due=due,
        overdue_on=due + timedelta(days=30),
        reason=f"A top referrer ({plural(len(year), 'referral')} in the last year); invite them to "
        "the annual appreciation event",
        evidence=tuple(r.id for r in year[-5:]),
        key=str(due.year),
    )


_VALUE_KINDS = (K.ARTICLE_SHARE, K.IN_SERVICE, K.NETWORKING_EVENT, K.SOCIAL_ENGAGEMENT)
_VALUE_WHY = {
    K.ARTICLE_SHARE: "share an industry article with your own comments",
    K.IN_SERVICE: "invite them to teach your staff in a Zoom in-service",
    K.NETWORKING_EVENT: "invite them to a networking event you host",
    K.SOCIAL_ENGAGEMENT: "follow and engage with their company page",
}


def value_add(f: Facts, cfg: RuleConfig, net: Network) -> Iterator[Draft]:
    """An engaged but quiet partner gets the value touch it has had least recently."""
    if f.partner.stage not in cfg.names("stages") or f.last_touch is None:
        return
    last_day = f.day(f.last_touch.at)
    quiet = (f.today - last_day).days
    if quiet < cfg.days("quiet_days"):
        return
    candidates = [k for k in _VALUE_KINDS if _value_fits(k, f, cfg)]
    if not candidates:
        return
    kind = min(candidates, key=lambda k: (f.last_day_of(k) or date.min, _VALUE_KINDS.index(k)))
    yield Draft(
        rule="value-add",
        kind=kind,
        due=f.today,
        overdue_on=f.today + timedelta(days=14),
        reason=f"Engaged but quiet for {plural(quiet, 'day')}; {_VALUE_WHY[kind]}",
        evidence=(f.last_touch.id,),
        key=f"{kind.value}:{last_day.isoformat()}",
    )


def _value_fits(kind: TouchpointKind, f: Facts, cfg: RuleConfig) -> bool:
    if kind is K.IN_SERVICE:
        return f.partner.kind in cfg.names("teaching_kinds")
    if kind is K.SOCIAL_ENGAGEMENT:
        return bool(f.partner.social_pages)
    return True


def introduction(f: Facts, cfg: RuleConfig, net: Network) -> Iterator[Draft]:
    """Ask to be introduced to key people, especially someone who has just started."""
    window = timedelta(days=cfg.days("new_employee_days"))
    for contact in f.contacts:
        if not contact.started or not (f.today - window <= contact.started <= f.today):
            continue
        if f.done_since(K.INTRODUCTION, contact.started):
            continue
        yield Draft(
            rule="introduction",
            kind=K.INTRODUCTION,
            due=f.today,
            overdue_on=contact.started + window,
            reason=f"{contact.name} ({contact.role or 'new'}) started "
            f"{long_date(contact.started, f.today)}; ask to be introduced",
            evidence=(contact.id,),
            key=contact.id,
            contact_id=contact.id,
        )


def handwritten_note(f: Facts, cfg: RuleConfig, net: Network) -> Iterator[Draft]:
    """A hand-written note for a birthday, work anniversary or milestone in the coming days."""
    ahead = cfg.days("days_ahead")
    for contact in f.contacts:
        for occasion, day in _occasions(contact, f.today, ahead):
            noted = f.done_since(K.HANDWRITTEN_NOTE, day - timedelta(days=ahead + 7))
            if noted and contact.id in noted.contact_ids:
                continue
            yield Draft(
                rule="handwritten-note",
                kind=K.HANDWRITTEN_NOTE,
                due=day - timedelta(days=2) if day - timedelta(days=2) > f.today else f.today,
                overdue_on=day,
                reason=f"{contact.name}'s {occasion} is on {long_date(day, f.today)}; "
                "send a hand-written note",
                evidence=(contact.id,),
                key=f"{contact.id}:{occasion}:{day.isoformat()}",
                contact_id=contact.id,
            )


def _occasions(contact: Contact, today: date, ahead: int) -> Iterator[tuple[str, date]]:
    end = today + timedelta(days=ahead)
    months = {today.month, end.month}  # a cheap filter: this runs for every contact
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
    for year in (today.year, today.year + 1):
        day = MonthDay(origin.month, origin.day).in_year(year)  # 29 Feb: 1 Mar, most years
        if day >= today:
            return day
    raise AssertionError("unreachable: next year's anniversary is always ahead")


def linkedin_connect(f: Facts, cfg: RuleConfig, net: Network) -> Iterator[Draft]:
    """Connect on LinkedIn, but only with contacts already met in person."""
    contact = next((c for c in f.contacts if c.met_in_person and not c.linkedin_connected), None)
    if contact is None or f.partner.stage is Stage.DORMANT:
        return
    yield Draft(
        rule="linkedin-connect",
        kind=K.SOCIAL_ENGAGEMENT,
        due=f.today,
        overdue_on=f.today + timedelta(days=30),
        reason=f"You have met {contact.name} in person; connect on LinkedIn",
        evidence=(contact.id,),
        key=contact.id,
        contact_id=contact.id,
    )


def referral_ask(f: Facts, cfg: RuleConfig, net: Network) -> Iterator[Draft]:
    """After several touches in a row with no ask, remind the rep to ask for referrals."""
    if f.partner.stage is Stage.DORMANT:
        return
    limit = cfg.days("touches_without_ask")
    last_ask = f.last_of_kind.get(K.REFERRAL_ASK)
    since = [t for t in f.done[-(limit * 4 or 1) :] if last_ask is None or t.at > last_ask.at]
    if len(since) < limit:
        return
    yield Draft(
        rule="referral-ask",
        kind=K.REFERRAL_ASK,
        due=f.today,
        overdue_on=f.today + timedelta(days=14),
        reason=f"{plural(len(since), 'touch')} in a row without asking for referrals"
        + (f" (last ask {long_date(f.day(last_ask.at), f.today)})" if last_ask else ""),
        evidence=tuple(t.id for t in since[-limit:]),
        key=since[-1].id,
    )


def ask_why_no_referrals(f: Facts, cfg: RuleConfig, net: Network) -> Iterator[Draft]:
    """Long effort and no referral: ask frankly why, then decide where to spend energy.

    Effort is counted from the first touch after the last referral (or the first touch
    ever), not from the stage date: history logged, synced or imported before the partner
    was added (or moved) is effort all the same. Engaged, referring and champion partners.
    """
    if f.partner.stage in (Stage.PROSPECT, Stage.DORMANT) or not f.done:
        return  # not yet a relationship to ask about, or one already set aside
    last_referral = f.referrals[-1].received if f.referrals else None
    effort = _Effort.since(f, last_referral)
    if effort is None:
        return  # nothing since the last referral
    kind = f.partner.kind
    days, touches = cfg.per_kind("effort_days", kind), cfg.per_kind("effort_touches", kind)
    if len(f.done) - effort.start < touches:
        return  # too few touches, even counting newsletters
    start = f.day(effort.first.at)
    elapsed = (f.today - start).days
    if elapsed < days:
        return
    count = effort.count(f)
    if count < touches:
        return
    since = (
        f"No referral since {long_date(last_referral, f.today)}"
        if last_referral
        else "No referral yet"
    )
    yield Draft(
        rule="ask-why-no-referrals",
        kind="ask-why-no-referrals",
        due=f.today,
        overdue_on=f.today + timedelta(days=30),
        reason=f"{since} after {span(elapsed)} and {plural(count, 'touch')} "
        f"(from {long_date(start, f.today)}); {kind.value.replace('-', ' ')} partners "
        f"usually refer within {span(days)} and {touches} touches: schedule a frank talk "
        "to ask why, then decide whether to mark dormant",
        evidence=effort.latest(f, 3),
        key=start.isoformat(),
        suggested_stage=Stage.DORMANT.value,
    )


#: A mailing to a general audience: not effort spent on this partner.
_NOT_EFFORT = K.NEWSLETTER


@dataclass(frozen=True, slots=True)
class _Effort:
    """The touches aimed at a partner since its last referral: ``f.done[start:]`` without
    newsletters. Found by bisection, and walked only when a newsletter falls in the range:
    this rule runs for every partner, and walking every touch cost 40 ms at 250,000."""

    start: int
    #: No newsletter in ``f.done[start:]``: count and latest need no walk.
    clean: bool
    first: Touchpoint

    @classmethod
    def since(cls, f: Facts, last_referral: date | None) -> _Effort | None:
        done = f.done
        start = 0
        if last_referral is not None:  # from the local midnight after the referral's day
            cutoff = datetime.combine(last_referral + timedelta(days=1), time(0), f.zone)
            start = bisect_left(done, cutoff, key=_at)
        if start >= len(done):
            return None
        news = f.last_of_kind.get(_NOT_EFFORT)
        if news is None or news.at < done[start].at:
            return cls(start, True, done[start])
        first = next((t for t in islice(done, start, None) if t.kind is not _NOT_EFFORT), None)
        return None if first is None else cls(start, False, first)

    def count(self, f: Facts) -> int:
        if self.clean:
            return len(f.done) - self.start
        return sum(1 for t in islice(f.done, self.start, None) if t.kind is not _NOT_EFFORT)

    def latest(self, f: Facts, n: int) -> tuple[str, ...]:
        found: list[str] = []
        for index in range(len(f.done) - 1, self.start - 1, -1):
            if f.done[index].kind is not _NOT_EFFORT:
                found.append(f.done[index].id)
                if len(found) == n:
                    break
        return tuple(reversed(found))


def _at(touch: Touchpoint) -> datetime:
    return touch.at


def stage_change(f: Facts, cfg: RuleConfig, net: Network) -> Iterator[Draft]:
    """Hints that the partner's stage no longer fits its history."""
    stage = f.partner.stage
    recent = f.referrals_between(f.today - timedelta(days=90), f.today)
    last_touch = f.day(f.last_touch.at) if f.last_touch else None
    last_referral = f.referrals[-1].received if f.referrals else None
    last_activity = max((d for d in (last_touch, last_referral) if d), default=None)
    silent = cfg.days("dormant_after_days")
    target: tuple[Stage, str, tuple[str, ...]] | None = None
    if stage in (Stage.PROSPECT, Stage.ENGAGED) and f.referrals:
        first = f.referrals[0]
        target = (
            Stage.REFERRING,
            f"First referral arrived {long_date(first.received, f.today)}",
            (first.id,),
        )
    elif stage is Stage.REFERRING and len(recent) >= cfg.days("champion_referrals_90d"):
        target = (
            Stage.CHAMPION,
            f"{plural(len(recent), 'referral')} in the last 90 days",
            tuple(r.id for r in recent),
        )
    elif stage is not Stage.DORMANT and last_activity and (f.today - last_activity).days >= silent:
        target = (
            Stage.DORMANT,
            f"No touch or referral for {plural((f.today - last_activity).days, 'day')}",
            (),
        )
    if target is None:
        return
    new_stage, why, evidence = target
    yield Draft(
        rule="stage-change",
        kind="stage-change",
        due=f.today,
        overdue_on=f.today + timedelta(days=30),
        reason=f"{why}; move from {stage.value} to {new_stage.value}?",
        evidence=evidence,
        key=new_stage.value,
        suggested_stage=new_stage.value,
    )


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
