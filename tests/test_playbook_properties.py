"""Property-based: over random agencies the playbook never crashes, is deterministic, is
silent about archived partners, and every action has a reason and evidence that exists."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nurture_tui.domain.model import PartnerHistory
from nurture_tui.domain.playbook.config import load_playbook
from nurture_tui.domain.playbook.engine import suggest
from nurture_tui.services.demo import DemoSize, build_demo
from nurture_tui.services.playbook import default_playbook_text

PLAYBOOK = load_playbook(default_playbook_text())
ZONE = ZoneInfo("America/Chicago")


def histories(
    seed: int, partners: int, touches: int, archived: frozenset[int]
) -> list[PartnerHistory]:
    data = build_demo(DemoSize(partners, touches, seed), date(2026, 11, 23), ZONE)
    by_id = {}
    for index, partner in enumerate(data.partners):
        by_id[partner.id] = PartnerHistory(replace(partner, archived=index in archived))
    for contact in data.contacts:
        by_id[contact.partner_id].contacts.append(contact)
    for touch in sorted(data.touchpoints, key=lambda t: t.at):
        by_id[touch.partner_id].touchpoints.append(touch)
    for referral in data.referrals:
        by_id[referral.partner_id].referrals.append(referral)
    return list(by_id.values())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    partners=st.integers(1, 25),
    touches=st.integers(0, 400),
    archived=st.frozensets(st.integers(0, 24), max_size=5),
    offset=st.integers(-400, 400),
)
def test_the_playbook_over_random_agencies(
    seed: int, partners: int, touches: int, archived: frozenset[int], offset: int
) -> None:
    today = date(2026, 11, 23) + timedelta(days=offset)
    agency = histories(seed, partners, touches, archived)
    first = suggest(agency, today, ZONE, PLAYBOOK)
    assert first == suggest(agency, today, ZONE, PLAYBOOK), "deterministic"
    archived_ids = {h.partner.id for h in agency if h.partner.archived}
    known = {
        record_id
        for h in agency
        for record_id in (
            [h.partner.id]
            + [c.id for c in h.contacts]
            + [t.id for t in h.touchpoints]
            + [r.id for r in h.referrals]
        )
    }
    priorities = [a.priority for a in first]
    assert priorities == sorted(priorities, reverse=True), "ranked"
    for action in first:
        assert action.partner_id not in archived_ids
        assert action.reason.strip()
        assert set(action.evidence) <= known, f"{action.rule} cites unknown records"
        assert action.due <= today + timedelta(days=PLAYBOOK.ranking.horizon_days)
