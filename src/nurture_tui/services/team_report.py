"""The manager's view (``nurture team report``, the Team screen): per rep, since a day.

For each current rep of a team store: the touches they logged by kind, the overdue actions
on their partners today, the referrals their partners sent, the partners of theirs going
quiet, and the compliance warnings they saved through. A manager reads it weekly ("since
Monday") or monthly (``--since`` the 1st).

Who logged a touch is the store's own stamp (``created_by``, from the rep's database
role); a touch from before attribution counts for its partner's owner. A synced meeting
several reps attended is one touch naming them all (``reps``): it counts once for each.
"Going quiet" is the playbook's own word for it: a partner the rep works (not a prospect,
not dormant) with no touch for the value-add rule's ``quiet_days`` — the day the playbook
starts suggesting a value touch to win them back.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from nurture_tui.domain.attendance import attending_reps
from nurture_tui.domain.errors import ValidationError
from nurture_tui.domain.kinds import Stage
from nurture_tui.domain.model import Touchpoint
from nurture_tui.domain.playbook.config import Playbook
from nurture_tui.services.owners import ownership
from nurture_tui.services.playbook import every_action, histories
from nurture_tui.services.session import Session

#: Stages whose partners a rep works: a prospect is not yet quiet, a dormant one already is.
_WORKED = frozenset({Stage.ENGAGED, Stage.REFERRING, Stage.CHAMPION})


@dataclass
class RepSummary:
    """One rep's figures for the period."""

    email: str
    name: str
    partners: int = 0
    touches: Counter[str] = field(default_factory=Counter)
    overdue: int = 0
    referrals: int = 0
    quiet: list[str] = field(default_factory=list)
    overrides: int = 0

    def document(self) -> dict[str, Any]:
        return {
            "rep": self.email,
            "name": self.name,
            "partners": self.partners,
            "touches": sum(self.touches.values()),
            "touches_by_kind": dict(sorted(self.touches.items())),
            "overdue_actions": self.overdue,
            "referrals": self.referrals,
            "going_quiet": sorted(self.quiet, key=str.lower),
            "overrides": self.overrides,
        }


@dataclass(frozen=True)
class TeamReport:
    since: date
    today: date
    reps: list[RepSummary]
    unassigned: int

    def document(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat(),
            "today": self.today.isoformat(),
            "reps": [r.document() for r in self.reps],
            "unassigned_partners": self.unassigned,
        }


class NotATeamStore(ValidationError):
    """The report asked of a rep's own store (SQLite): there is no team to report on.
    A type of its own so the Team screen says it in its own calm words, not as an error."""


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def team_report(session: Session, playbook: Playbook, since: date | None = None) -> TeamReport:
    """The report (see the module doc); ``since`` defaults to this week's Monday."""
    owners = ownership(session)
    if not owners.team or owners.reps is None:
        raise NotATeamStore(
            "the team report needs a team store (`nurture config set store_url …`, then "
            "`nurture team init`): on your own store, `nurture report` covers you"
        )
    today = session.today()
    since = since or monday_of(today)
    if since > today:
        raise ValidationError(f"--since {since.isoformat()} is after today; nothing to report")
    zone = session.settings.zone
    start = datetime.combine(since, time.min, zone)
    reps = {r.email.casefold(): RepSummary(r.email, r.name) for r in owners.reps}
    # An override names the rep by email on a team store, by name if saved before it was.
    by_name = {r.name.casefold(): reps[r.email.casefold()] for r in owners.reps if r.name}
    owner_of: dict[str, str | None] = {}
    quiet_days = playbook.rule("value-add").days("quiet_days")
    unassigned = 0
    for history in histories(session.repo):
        partner = history.partner
        owner = (partner.owner or "").casefold()
        owner_of[partner.id] = owner
        mine = reps.get(owner)
        if mine is None:
            unassigned += 1
        else:
            mine.partners += 1
            mine.referrals += sum(1 for r in history.referrals if since <= r.received <= today)
        last = None
        for touch in history.touchpoints:
            if not touch.is_done:
                continue
            last = touch.at
            if touch.at < start:
                continue
            for who in _attended_by(touch, reps, mine):
                who.touches[touch.kind.value] += 1
            for override in touch.overrides:
                by = reps.get(override.by.casefold()) or by_name.get(override.by.casefold())
                if by is not None and override.at >= start:
                    by.overrides += 1
        if mine is not None and partner.stage in _WORKED:
            quiet_for = (today - last.astimezone(zone).date()).days if last else None
            if quiet_for is None or quiet_for >= quiet_days:
                mine.quiet.append(partner.name)
    actions, _ = every_action(session, playbook, today)
    for action in actions:
        whose = owner_of.get(action.partner_id)
        if action.overdue and whose is not None and whose in reps:
            reps[whose].overdue += 1
    ordered = sorted(reps.values(), key=lambda r: (r.name.lower() or r.email, r.email))
    return TeamReport(since, today, ordered, unassigned)


def _attended_by(
    touch: Touchpoint, reps: dict[str, RepSummary], owner: RepSummary | None
) -> list[RepSummary]:
    """Whose touch it is for the report: each current rep who had a shared meeting, else
    the rep who logged it, else (before attribution) the partner's owner."""
    had = [reps[email.casefold()] for email in attending_reps(touch) if email.casefold() in reps]
    return had or ([owner] if owner is not None else [])
