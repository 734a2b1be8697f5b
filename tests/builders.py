"""Tiny builders for scenario tests: a partner history in a few readable lines."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import count

from nurture_tui.config import Settings
from nurture_tui.domain.kinds import (
    PartnerKind,
    ReferralStatus,
    Stage,
    Tier,
    TouchpointKind,
    TouchpointStatus,
    default_direction,
)
from nurture_tui.domain.model import Contact, Partner, PartnerHistory, Referral, Touchpoint

TODAY = date(2026, 11, 23)
_ids = count(1)


def nid(prefix: str) -> str:
    return f"{prefix}{next(_ids):06d}"


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def at_days_ago(n: int, hour: int = 15) -> datetime:
    return datetime.combine(days_ago(n), time(hour), UTC)


def partner(
    *,
    tier: str = "B",
    stage: str = "engaged",
    kind: str = "hospital",
    since: int = 400,
    social: tuple[str, ...] = (),
) -> Partner:
    return Partner(
        id=nid("p"),
        name="Mercy General",
        kind=PartnerKind(kind),
        tier=Tier(tier),
        stage=Stage(stage),
        stage_since=days_ago(since),
        social_pages=social,
    )


def contact(p: Partner, name: str = "Sam Ortiz", **kw: object) -> Contact:
    return Contact(id=nid("c"), partner_id=p.id, name=name, role="Discharge Planner", **kw)  # type: ignore[arg-type]


def touch(
    p: Partner,
    kind: str,
    days: int,
    *,
    purpose: str = "",
    status: str = "done",
    contacts: tuple[str, ...] = (),
) -> Touchpoint:
    k = TouchpointKind(kind)
    return Touchpoint(
        id=nid("t"),
        partner_id=p.id,
        kind=k,
        at=at_days_ago(days),
        purpose=purpose,
        direction=default_direction(k),
        status=TouchpointStatus(status),
        contact_ids=contacts,
    )


def referral(
    p: Partner,
    days: int,
    *,
    contact_id: str | None = None,
    complex_needs: bool = False,
    no_longer_serving: bool = False,
    status: str = "received",
) -> Referral:
    return Referral(
        id=nid("r"),
        partner_id=p.id,
        received=days_ago(days),
        participant_ref=nid("P-"),
        contact_id=contact_id,
        complex_needs=complex_needs,
        partner_no_longer_serving=no_longer_serving,
        status=ReferralStatus(status),
    )


def history(
    p: Partner,
    *,
    contacts: list[Contact] | None = None,
    touches: list[Touchpoint] | None = None,
    referrals: list[Referral] | None = None,
) -> PartnerHistory:
    return PartnerHistory(
        partner=p,
        contacts=contacts or [],
        touchpoints=sorted(touches or [], key=lambda t: t.at),
        referrals=referrals or [],
    )


def alex_settings() -> Settings:
    """Alex Rivera of Sunrise Home Care, in Chicago: the rep the sync tests sync for (her
    own address and agency domain are never taken for a partner's)."""
    return Settings(
        rep_name="Alex Rivera",
        rep_email="alex@homecare.example",
        agency="Sunrise Home Care",
        agency_domain="homecare.example",
        timezone="America/Chicago",
    )
