"""A realistic synthetic agency, so a new user sees a living board (and benchmarks have scale).

Kinds, roles and touches follow the seeds: hospitals' discharge planners, hospice liaisons,
waiver case managers; check-ins, in-services, articles, thank-yous after referrals.
Deterministic for a seed, so screenshots and tests are stable.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from nurture_tui.domain.errors import ValidationError
from nurture_tui.domain.kinds import (
    Credential,
    PartnerKind,
    ReferralStatus,
    Stage,
    Tier,
    TouchpointKind,
    TouchpointStatus,
    default_direction,
)
from nurture_tui.domain.model import Contact, Milestone, Partner, Referral, Touchpoint
from nurture_tui.services.session import Session

_ID = "0123456789abcdefghjkmnpqrstvwxyz"
_REF = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

_PLACES = [
    "Riverside",
    "Lakeview",
    "Maple Grove",
    "Cedar Hills",
    "Northside",
    "St. Luke's",
    "Mercy",
    "Prairie",
    "Harbor",
    "Summit",
    "Oak Valley",
    "Westbrook",
    "Brookfield",
    "Pinecrest",
    "Fairview",
    "Greenway",
    "Silver Lake",
    "Elm Creek",
    "Bayside",
    "Highland",
    "Meadowview",
    "Stonebridge",
    "Willow Park",
    "Hillcrest",
    "Sunnyvale",
    "Clearwater",
    "Kingsley",
    "Ashford",
]
_KIND_NAMES: dict[PartnerKind, tuple[str, ...]] = {
    PartnerKind.HOSPITAL: ("General Hospital", "Medical Center", "Regional Hospital"),
    PartnerKind.PHYSICIAN_PRACTICE: ("Family Medicine", "Internal Medicine", "Geriatrics Clinic"),
    PartnerKind.HOSPICE: ("Hospice", "Hospice & Palliative Care"),
    PartnerKind.SKILLED_NURSING: ("Rehabilitation Center", "Skilled Nursing"),
    PartnerKind.HOME_HEALTH: ("Home Health", "Visiting Nurses"),
    PartnerKind.CASE_MANAGEMENT: ("Care Management", "Case Management Services"),
    PartnerKind.WAIVER_CASE_MANAGER: ("Waiver Support Coordination", "Supports Brokerage"),
    PartnerKind.AREA_AGENCY_ON_AGING: ("Area Agency on Aging",),
    PartnerKind.CENTER_FOR_INDEPENDENT_LIVING: ("Center for Independent Living",),
    PartnerKind.COMMUNITY_ORG: ("Senior Center", "Community Action", "Faith in Action"),
    PartnerKind.PAYER: ("Health Plan", "Managed Care"),
    PartnerKind.OTHER: ("Elder Law Group", "Adult Day Services"),
}
_KIND_WEIGHTS = {
    PartnerKind.HOSPITAL: 10,
    PartnerKind.PHYSICIAN_PRACTICE: 18,
    PartnerKind.HOSPICE: 8,
    PartnerKind.SKILLED_NURSING: 8,
    PartnerKind.HOME_HEALTH: 5,
    PartnerKind.CASE_MANAGEMENT: 10,
    PartnerKind.WAIVER_CASE_MANAGER: 12,
    PartnerKind.AREA_AGENCY_ON_AGING: 5,
    PartnerKind.CENTER_FOR_INDEPENDENT_LIVING: 4,
    PartnerKind.COMMUNITY_ORG: 8,
    PartnerKind.PAYER: 4,
    PartnerKind.OTHER: 3,
}
_ROLES: dict[PartnerKind, tuple[str, ...]] = {
    PartnerKind.HOSPITAL: (
        "Discharge Planner",
        "Social Worker",
        "Case Manager",
        "Director of Care Transitions",
    ),
    PartnerKind.PHYSICIAN_PRACTICE: ("Physician", "Practice Manager", "Nurse Care Coordinator"),
    PartnerKind.HOSPICE: ("Hospice Liaison", "Admissions Director", "Social Worker"),
    PartnerKind.SKILLED_NURSING: ("Discharge Planner", "Administrator", "Social Services Director"),
    PartnerKind.HOME_HEALTH: ("Intake Coordinator", "Director of Nursing"),
    PartnerKind.CASE_MANAGEMENT: ("Care Manager", "Program Director"),
    PartnerKind.WAIVER_CASE_MANAGER: ("Waiver Case Manager", "Support Coordinator", "Supervisor"),
    PartnerKind.AREA_AGENCY_ON_AGING: ("Options Counselor", "Information & Assistance Specialist"),
    PartnerKind.CENTER_FOR_INDEPENDENT_LIVING: (
        "Independent Living Specialist",
        "Transition Coordinator",
    ),
    PartnerKind.COMMUNITY_ORG: ("Executive Director", "Outreach Coordinator"),
    PartnerKind.PAYER: ("Care Coordinator", "Provider Relations"),
    PartnerKind.OTHER: ("Attorney", "Program Manager"),
}
_FIRST = [
    "Sam",
    "Maria",
    "James",
    "Aisha",
    "Robert",
    "Linda",
    "Chen",
    "Priya",
    "David",
    "Grace",
    "Luis",
    "Fatima",
    "Michael",
    "Hannah",
    "Kevin",
    "Olivia",
    "Andre",
    "Nora",
    "Tom",
    "Rosa",
]
_LAST = [
    "Ortiz",
    "Smith",
    "Nguyen",
    "Patel",
    "Johnson",
    "Okafor",
    "Garcia",
    "Kim",
    "Brown",
    "Haddad",
    "Miller",
    "Rossi",
    "Cohen",
    "Walker",
    "Lopez",
    "Murphy",
    "Singh",
    "Baker",
]
_PURPOSES = {
    TouchpointKind.CHECK_IN: (
        "Quarterly check-in: new waiver slots",
        "Review recent referrals",
        "Share our new weekend coverage",
    ),
    TouchpointKind.MEETING: ("Care transitions planning", "Intro to our respite program"),
    TouchpointKind.IN_SERVICE: (
        "In-service: when hospice is appropriate",
        "In-service: fall prevention at home",
    ),
}
_TOUCH_WEIGHTS = {
    TouchpointKind.CHECK_IN: 16,
    TouchpointKind.EMAIL: 22,
    TouchpointKind.CALL: 12,
    TouchpointKind.MEETING: 8,
    TouchpointKind.ARTICLE_SHARE: 7,
    TouchpointKind.NEWSLETTER: 8,
    TouchpointKind.SOCIAL_ENGAGEMENT: 6,
    TouchpointKind.REFERRAL_ASK: 5,
    TouchpointKind.IN_SERVICE: 2,
    TouchpointKind.WEBINAR: 3,
    TouchpointKind.NETWORKING_EVENT: 2,
    TouchpointKind.HANDWRITTEN_NOTE: 2,
    TouchpointKind.INTRODUCTION: 1,
    TouchpointKind.PERSONAL_CHAT: 2,
    TouchpointKind.BROCHURE_DROP: 1,
    TouchpointKind.GIFT: 1,
}
_SERVICES = ("personal-care", "homemaker", "respite", "companion", "skilled-nursing")
_TIER_WEIGHT = {Tier.A: 4.0, Tier.B: 1.5, Tier.C: 0.6}


@dataclass(frozen=True)
class DemoSize:
    partners: int = 40
    touchpoints: int = 1_500
    seed: int = 7


@dataclass(frozen=True)
class DemoData:
    partners: list[Partner]
    contacts: list[Contact]
    touchpoints: list[Touchpoint]
    referrals: list[Referral]


class _Ids:
    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._seen: set[str] = set()

    def __call__(self) -> str:
        while True:
            candidate = "".join(self._rng.choices(_ID, k=12))
            if candidate not in self._seen:
                self._seen.add(candidate)
                return candidate


def build_demo(size: DemoSize, today: date, zone: tzinfo = UTC) -> DemoData:
    """Generate the data set (pure: the same size, seed and day give the same agency)."""
    if size.partners < 1 or size.touchpoints < 0:
        raise ValidationError("the demo needs at least one partner and no negative counts")
    rng = random.Random(size.seed)
    new_id = _Ids(rng)
    partners, contacts = _partners_and_contacts(rng, new_id, size.partners, today, zone)
    weights = [_TIER_WEIGHT[p.tier] * (0.3 if p.stage is Stage.PROSPECT else 1.0) for p in partners]
    by_partner: dict[str, list[Contact]] = {}
    for c in contacts:
        by_partner.setdefault(c.partner_id, []).append(c)
    referrals = _referrals(rng, new_id, partners, by_partner, today)
    follow_ups = _follow_ups(rng, new_id, referrals, today, zone)[: size.touchpoints]
    touchpoints = _touchpoints(
        rng,
        new_id,
        partners,
        weights,
        by_partner,
        size.touchpoints - len(follow_ups),
        today,
        zone,
    )
    contacts, touchpoints = _with_compliance(size.seed, partners, contacts, touchpoints)
    return DemoData(partners, contacts, touchpoints + follow_ups, referrals)


#: Credentials for the demo's roles (the compliance checks read them).
_ROLE_CREDENTIALS: dict[str, tuple[Credential, ...]] = {
    "Physician": (Credential.MD, Credential.MD, Credential.DO),
    "Nurse Care Coordinator": (Credential.RN, Credential.NP),
    "Director of Nursing": (Credential.RN,),
    "Social Worker": (Credential.MSW,),
    "Social Services Director": (Credential.MSW,),
}
#: What the demo's gifts and appreciation events were, and their value range in dollars.
_GIVEN = {
    TouchpointKind.GIFT: (("a book on caregiving", 20, 45), ("fruit basket", 35, 80)),
    TouchpointKind.APPRECIATION_EVENT: (("dinner at the appreciation event", 60, 140),),
}


def _with_compliance(
    seed: int, partners: list[Partner], contacts: list[Contact], touchpoints: list[Touchpoint]
) -> tuple[list[Contact], list[Touchpoint]]:
    """Credentials for contacts whose role has one, and values on gifts, from a random
    stream of their own: the rest of the demo (and every screen built on it) is the same
    agency it was before values existed."""
    rng = random.Random(seed * 7919 + 14)
    credentialed = [
        replace(c, credential=rng.choice(_ROLE_CREDENTIALS[c.role]))
        if c.role in _ROLE_CREDENTIALS
        else c
        for c in contacts
    ]
    valued = []
    for touch in touchpoints:
        options = _GIVEN.get(touch.kind)
        if options is None:
            valued.append(touch)
            continue
        item, low, high = rng.choice(options)
        cents = rng.randint(low, high) * 100 * max(1, len(touch.contact_ids))
        valued.append(touch._replace(item=item, value_cents=cents))
    return credentialed, valued


def _follow_ups(
    rng: random.Random, new_id: _Ids, referrals: list[Referral], today: date, zone: tzinfo
) -> list[Touchpoint]:
    """What a good rep did after most referrals: thank-yous, updates, care-plan calls."""
    plan = (
        (TouchpointKind.THANK_YOU, 0.85, 1, 3, lambda r: True),
        (TouchpointKind.PARTICIPANT_UPDATE, 0.6, 14, 25, lambda r: True),
        (TouchpointKind.CARE_COORDINATION, 0.8, 2, 7, lambda r: r.complex_needs),
    )
    touches: list[Touchpoint] = []
    first: dict[str, Referral] = {}
    for referral in sorted(referrals, key=lambda r: r.received):
        first.setdefault(referral.partner_id, referral)
    for referral in first.values():
        day = referral.received + timedelta(days=rng.randint(8, 20))
        if day < today and rng.random() < 0.8:
            touches.append(
                _touch(new_id, referral, TouchpointKind.FEEDBACK_REQUEST, day, rng, zone)
            )
    for referral in referrals:
        for kind, chance, low, high, applies in plan:
            day = referral.received + timedelta(days=rng.randint(low, high))
            if day >= today or not applies(referral) or rng.random() > chance:
                continue
            touches.append(_touch(new_id, referral, kind, day, rng, zone))
    return touches


def _touch(
    new_id: _Ids,
    referral: Referral,
    kind: TouchpointKind,
    day: date,
    rng: random.Random,
    zone: tzinfo,
) -> Touchpoint:
    return Touchpoint(
        id=new_id(),
        partner_id=referral.partner_id,
        kind=kind,
        at=datetime.combine(day, time(10, rng.randint(0, 59))).replace(tzinfo=zone),
        contact_ids=(referral.contact_id,) if referral.contact_id else (),
        direction=default_direction(kind),
    )


def _partners_and_contacts(
    rng: random.Random, new_id: _Ids, count: int, today: date, zone: tzinfo
) -> tuple[list[Partner], list[Contact]]:
    kinds = list(_KIND_WEIGHTS)
    kind_weights = list(_KIND_WEIGHTS.values())
    stages = [Stage.PROSPECT, Stage.ENGAGED, Stage.REFERRING, Stage.CHAMPION, Stage.DORMANT]
    partners: list[Partner] = []
    contacts: list[Contact] = []
    names: set[str] = set()
    for index in range(count):
        kind = rng.choices(kinds, kind_weights)[0]
        name = f"{rng.choice(_PLACES)} {rng.choice(_KIND_NAMES[kind])}"
        if name in names:
            name = f"{name} {index + 1}"
        names.add(name)
        tier = rng.choices([Tier.A, Tier.B, Tier.C], [2, 5, 3])[0]
        stage = rng.choices(stages, [3, 5, 3, 1, 1])[0]
        slug = "".join(ch for ch in name.lower() if ch.isalnum())[:24]
        partner = Partner(
            id=new_id(),
            name=name,
            kind=kind,
            tier=tier,
            stage=stage,
            domains=(f"{slug}.org",),
            owner=rng.choice(("alex", "jordan", "casey")),
            tags=tuple(rng.sample(("north", "south", "waiver", "medicare", "priority"), k=1)),
            social_pages=(f"https://www.linkedin.com/company/{slug}",),
            stage_since=today - timedelta(days=rng.randint(30, 700)),
            created_at=datetime.combine(today - timedelta(days=730), time(9)).replace(tzinfo=zone),
        )
        partners.append(partner)
        for _ in range(rng.randint(2, 6)):
            first, last = rng.choice(_FIRST), rng.choice(_LAST)
            cid = new_id()
            started = today - timedelta(days=rng.randint(10, 3000))
            milestones: tuple[Milestone, ...] = ()
            if rng.random() < 0.05:
                milestones = (
                    Milestone(
                        today + timedelta(days=rng.randint(0, 20)), "Promoted to department lead"
                    ),
                )
            contacts.append(
                Contact(
                    id=cid,
                    partner_id=partner.id,
                    name=f"{first} {last}",
                    role=rng.choice(_ROLES[kind]),
                    emails=(f"{first}.{last}.{cid[:4]}@{slug}.org".lower(),),
                    phone=f"555-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}",
                    birthday=date(
                        1960 + rng.randint(0, 35), rng.randint(1, 12), rng.randint(1, 28)
                    ),
                    started=started,
                    milestones=milestones,
                    met_in_person=rng.random() < 0.6,
                    linkedin_connected=rng.random() < 0.2,
                )
            )
    return partners, contacts


def _touchpoints(
    rng: random.Random,
    new_id: _Ids,
    partners: list[Partner],
    weights: list[float],
    contacts: dict[str, list[Contact]],
    count: int,
    today: date,
    zone: tzinfo,
) -> list[Touchpoint]:
    kinds = list(_TOUCH_WEIGHTS)
    kind_weights = list(_TOUCH_WEIGHTS.values())
    chosen_partners = rng.choices(partners, weights, k=count)
    chosen_kinds = rng.choices(kinds, kind_weights, k=count)
    end = datetime.combine(today, time(17), zone) - timedelta(days=1)
    result: list[Touchpoint] = []
    for partner, kind in zip(chosen_partners, chosen_kinds, strict=True):
        # Dormant partners went quiet months ago; others are touched until now.
        span = 700 if partner.stage is not Stage.DORMANT else 500
        offset = 200 if partner.stage is Stage.DORMANT else 0
        day = (end - timedelta(days=offset + rng.random() ** 0.7 * span)).date()
        at = datetime.combine(day, time(8 + rng.randint(0, 8), rng.randint(0, 59)), zone)
        people = contacts.get(partner.id, [])
        purpose = rng.choice(_PURPOSES[kind]) if kind in _PURPOSES else ""
        result.append(
            Touchpoint(
                id=new_id(),
                partner_id=partner.id,
                kind=kind,
                at=at,
                contact_ids=(rng.choice(people).id,) if people else (),
                direction=default_direction(kind),
                status=TouchpointStatus.DONE,
                purpose=purpose,
                source=rng.choices(("manual", "google", "outlook"), [6, 3, 1])[0],
            )
        )
    return result


def _referrals(
    rng: random.Random,
    new_id: _Ids,
    partners: list[Partner],
    contacts: dict[str, list[Contact]],
    today: date,
) -> list[Referral]:
    rates = {
        Stage.CHAMPION: 14,
        Stage.REFERRING: 5,
        Stage.ENGAGED: 0,
        Stage.DORMANT: 1,
        Stage.PROSPECT: 0,
    }
    referrals: list[Referral] = []
    refs: set[str] = set()
    for partner in partners:
        for _ in range(rng.randint(rates[partner.stage] // 2, rates[partner.stage])):
            while (ref := "P-" + "".join(rng.choices(_REF, k=5))) in refs:
                pass
            refs.add(ref)
            people = contacts.get(partner.id, [])
            age = (
                rng.randint(1, 400) if partner.stage is not Stage.DORMANT else rng.randint(200, 600)
            )
            referrals.append(
                Referral(
                    id=new_id(),
                    partner_id=partner.id,
                    received=today - timedelta(days=age),
                    participant_ref=ref,
                    contact_id=rng.choice(people).id if people else None,
                    service=rng.choice(_SERVICES),
                    status=rng.choice(list(ReferralStatus)),
                    complex_needs=rng.random() < 0.15,
                )
            )
    return referrals


def load_demo(session: Session, size: DemoSize, *, force: bool = False) -> DemoData:
    """Fill the store with the demo agency; refuses a store that has data unless forced."""
    repo = session.repo
    has_data = bool(repo.partners(include_archived=True) or repo.touchpoint_count())
    if has_data and repo.shared:  # a hostile tester wiped an agency with `demo --force`
        raise ValidationError(
            "this is the team's shared database, and it holds the agency's records: the demo "
            "never replaces them, --force or not (try it on a store of your own: "
            "`nurture --data-dir DIR demo` with NURTURE_STORE_URL unset); nothing was changed"
        )
    if not force and has_data:
        raise ValidationError(
            f"the store at {repo.directory} already has data; "
            "use --force to replace it with the demo"
        )
    data = build_demo(size, session.today(), session.settings.zone)
    repo.replace_all(data.partners, data.contacts, data.touchpoints, data.referrals)
    return data
