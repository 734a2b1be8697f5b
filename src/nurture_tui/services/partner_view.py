"""Everything the partner page shows, gathered in one call (run it in a worker)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from nurture_tui.domain.attendance import attending_reps
from nurture_tui.domain.model import Contact, Partner
from nurture_tui.domain.playbook.config import Playbook
from nurture_tui.domain.playbook.engine import suggest
from nurture_tui.domain.playbook.facts import SuggestedAction
from nurture_tui.services.playbook import history_of, referral_network
from nurture_tui.services.session import Session

#: The timeline shows this many latest entries; older ones are in `nurture partner show`.
TIMELINE_LIMIT = 400


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    when: datetime | date
    what: str
    status: str
    detail: str
    source: str
    record_id: str
    by: str = ""
    """Who logged it (a rep's email; "" before attribution)."""
    reps: tuple[str, ...] = ()
    """Who had it: a synced meeting's reps, else the rep who logged it."""


@dataclass(frozen=True)
class PartnerView:
    partner: Partner
    contacts: list[Contact]
    timeline: list[TimelineEntry]
    actions: list[SuggestedAction]
    referral_count: int
    touch_count: int
    shared: bool = False
    """A team store: the page says who logged each entry (on a rep's own store, the rep)."""


def load_partner_view(
    session: Session, playbook: Playbook, partner_id: str, today: date
) -> PartnerView:
    history = history_of(session.repo, partner_id)
    zone = session.settings.zone
    names = {c.id: c.name for c in history.contacts}
    entries = [
        TimelineEntry(
            when=t.at.astimezone(zone),
            what=t.kind.value,
            status=t.status.value,
            detail=" · ".join(
                part
                for part in (", ".join(names.get(c, "?") for c in t.contact_ids), t.purpose, t.note)
                if part
            ),
            source=t.source,
            record_id=t.id,
            by=t.created_by,
            reps=attending_reps(t),
        )
        for t in history.touchpoints[-TIMELINE_LIMIT:]
    ]
    entries += [
        TimelineEntry(
            when=r.received,
            what="referral",
            status=r.status.value,
            detail=" · ".join(
                part
                for part in (
                    names.get(r.contact_id or "", ""),
                    r.service,
                    "complex needs" if r.complex_needs else "",
                )
                if part
            ),
            source="manual",
            record_id=r.id,
            by=r.created_by,
        )
        for r in history.referrals
    ]
    entries.sort(key=_sort_key, reverse=True)
    network = referral_network(session, today, playbook)  # every partner's, as the board's
    actions = suggest([history], today, zone, playbook, session.repo.dismissals(), network)
    return PartnerView(
        partner=history.partner,
        contacts=history.contacts,
        timeline=entries[:TIMELINE_LIMIT],
        actions=actions,
        referral_count=len(history.referrals),
        touch_count=len(history.touchpoints),
        shared=session.repo.shared,
    )


def _sort_key(entry: TimelineEntry) -> tuple[date, str]:
    when = entry.when
    day = when.date() if isinstance(when, datetime) else when
    clock = when.strftime("%H:%M") if isinstance(when, datetime) else "99:99"
    return (day, clock)
