"""Invite titles and descriptions, drawn from the seeds and chosen by the partner's kind.

An in-service a hospice teaches is about when hospice is the right referral; one a hospital
teaches is about the transition home — the same words for both would be wrong for one of
them. So each invite kind has a general text and, where the seeds give one, a text per
partner group (hospice, hospital and discharge planning, physician practice, case
management and waiver, community organisations). The rep can change any of them in
``invite_templates.toml``: ``[in-service]`` replaces the kind's text for every group,
``[in-service.hospital]`` only the hospital one.

Placeholders: {partner}, {agency}, {rep}, {contact}. Titles name the meeting by what it is
("In-service: …"), never by a video platform: the link, and the platform it is on, are
added only when there is one (``video_platform``).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlsplit

from nurture_tui.domain.errors import ValidationError
from nurture_tui.domain.kinds import PartnerKind
from nurture_tui.invites.model import InviteKind


@dataclass(frozen=True)
class Template:
    title: str
    description: str
    minutes: int


class PartnerGroup(StrEnum):
    """Partners whose invites read alike (the groups the seeds speak to)."""

    GENERAL = "general"
    HOSPICE = "hospice"
    HOSPITAL = "hospital"
    PHYSICIAN = "physician"
    CASE_MANAGEMENT = "case-management"
    COMMUNITY = "community"


#: Skilled nursing discharges patients home like a hospital does (discharge planners at
#: both); payers' care coordinators build care plans like waiver case managers do.
_GROUPS: dict[PartnerKind, PartnerGroup] = {
    PartnerKind.HOSPICE: PartnerGroup.HOSPICE,
    PartnerKind.HOSPITAL: PartnerGroup.HOSPITAL,
    PartnerKind.SKILLED_NURSING: PartnerGroup.HOSPITAL,
    PartnerKind.PHYSICIAN_PRACTICE: PartnerGroup.PHYSICIAN,
    PartnerKind.CASE_MANAGEMENT: PartnerGroup.CASE_MANAGEMENT,
    PartnerKind.WAIVER_CASE_MANAGER: PartnerGroup.CASE_MANAGEMENT,
    PartnerKind.PAYER: PartnerGroup.CASE_MANAGEMENT,
    PartnerKind.AREA_AGENCY_ON_AGING: PartnerGroup.COMMUNITY,
    PartnerKind.CENTER_FOR_INDEPENDENT_LIVING: PartnerGroup.COMMUNITY,
    PartnerKind.COMMUNITY_ORG: PartnerGroup.COMMUNITY,
}


def partner_group(kind: PartnerKind | str) -> PartnerGroup:
    try:
        return _GROUPS.get(PartnerKind(kind), PartnerGroup.GENERAL)
    except ValueError:
        return PartnerGroup.GENERAL


_SIGNED = "\n\n— {rep}, {agency}"
_IN_SERVICE_TITLE = "In-service: {partner} teaches the {agency} team"


def _in_service(topic: str) -> Template:
    """Seed: "ask the referral source to speak to your employees on an important training
    topic that centers on his or her area of expertise"."""
    return Template(
        _IN_SERVICE_TITLE,
        "Thank you for agreeing to speak to our caregivers and care coordinators. Our team "
        "learns best from the people who do this work every day: we would love you to cover "
        f"your area of expertise — {topic}\n\n"
        "About 30 minutes of talk and 15 of questions. It helps our staff serve the people "
        "we share, and we are grateful for your time." + _SIGNED,
        45,
    )


def _care_plan(focus: str) -> Template:
    """Seed: "Invite referral partners to collaborate on care plans … (within HIPAA
    guidelines)"; only while both still serve the participant."""
    return Template(
        "Care-plan coordination: {agency} and {partner}",
        f"A call to coordinate the care plan for a participant we both serve: {focus} "
        "Details are shared during the call, within HIPAA guidelines — none are included in "
        "this invitation." + _SIGNED,
        30,
    )


DEFAULTS: dict[InviteKind, Template] = {
    InviteKind.IN_SERVICE: _in_service(
        "for example, how your services can help home-care clients and their families, "
        "and when a referral to you is the right one."
    ),
    InviteKind.CHECK_IN: Template(
        "Check-in: {agency} and {partner}",
        "A short check-in to keep us working well together: how recent referrals are going, "
        "anything we can do to make referring to us smoother, and what is new on both sides."
        + _SIGNED,
        30,
    ),
    InviteKind.CARE_COORDINATION: _care_plan(
        "how our home-based services fit with your care, so that everything is coordinated."
    ),
    InviteKind.NETWORKING_EVENT: Template(
        "Community partners networking hour, hosted by {agency}",
        "An informal hour for local referral partners and community leaders to meet, share "
        "what is new, and find ways to work together for older adults and people with "
        "disabilities in our community." + _SIGNED,
        60,
    ),
    InviteKind.APPRECIATION_EVENT: Template(
        "Referral partner appreciation lunch — thank you, {partner}",
        "Every year we set aside time to thank the partners who trust us with the people "
        "they serve. Join us to celebrate what we achieved together, hear updates, and "
        "meet other partners." + _SIGNED,
        90,
    ),
    InviteKind.WEBINAR: Template(
        "Webinar: how Medicaid waiver services can improve outcomes",
        "A short educational webinar for physicians, social workers and discharge planners: "
        "updates on Medicaid waiver programs and best practices for care coordination, with "
        "time for your questions." + _SIGNED,
        45,
    ),
}

#: The texts that differ by partner group, each from a sentence of the seeds.
VARIANTS: dict[tuple[InviteKind, PartnerGroup], Template] = {
    # "have a local hospice provider speak to your team about how hospice care services can
    # benefit home care clients and families or when hospice is an appropriate referral"
    (InviteKind.IN_SERVICE, PartnerGroup.HOSPICE): _in_service(
        "for example, how hospice care can benefit home-care clients and their families, "
        "and when hospice is the right referral to make."
    ),
    # "co-host … care transition workshops"; "'Transitioning Home After Hospitalization'"
    (InviteKind.IN_SERVICE, PartnerGroup.HOSPITAL): _in_service(
        "for example, how discharge planning works and what makes the transition home "
        "after a hospital stay go well, so our caregivers can support it from the first day."
    ),
    # "discuss how your care will complement the participant's medical care"
    (InviteKind.IN_SERVICE, PartnerGroup.PHYSICIAN): _in_service(
        "for example, the conditions you see most in your patients, and how our home-based "
        "care can complement the medical care you provide."
    ),
    # "updates on Medicaid waiver programs"; "personal care and homemaker assistance …
    # ensure that all services are coordinated"
    (InviteKind.IN_SERVICE, PartnerGroup.CASE_MANAGEMENT): _in_service(
        "for example, how waiver care plans are put together and updated, and how personal "
        "care and homemaker services fit with the rest of a participant's plan."
    ),
    # "an expert in aging care both in the community and in the home"; "community outreach"
    (InviteKind.IN_SERVICE, PartnerGroup.COMMUNITY): _in_service(
        "for example, the programs and resources you offer older adults and people with "
        "disabilities in our community, and how our clients and their families can use them."
    ),
    (InviteKind.CARE_COORDINATION, PartnerGroup.PHYSICIAN): _care_plan(
        "how our home-based services will complement the medical care you provide."
    ),
    (InviteKind.CARE_COORDINATION, PartnerGroup.CASE_MANAGEMENT): _care_plan(
        "the participant's overall care plan, so that personal care, homemaker assistance "
        "and the other services are coordinated."
    ),
    (InviteKind.CARE_COORDINATION, PartnerGroup.HOSPITAL): _care_plan(
        "the transition home, so that our services start when and where they are needed."
    ),
}


@dataclass(frozen=True)
class Templates:
    """Every text in force: the general one per kind, and the group variants."""

    general: dict[InviteKind, Template]
    variants: dict[tuple[InviteKind, PartnerGroup], Template]

    def for_partner(self, kind: InviteKind, partner_kind: PartnerKind | str) -> Template:
        """The text for an invite of ``kind`` to a partner of ``partner_kind``."""
        group = partner_group(partner_kind)
        return self.variants.get((kind, group), self.general[kind])

    def __getitem__(self, kind: InviteKind) -> Template:
        return self.general[kind]


def load_templates(user_text: str | None, source: str = "invite_templates.toml") -> Templates:
    """The defaults, overridden by the rep's file: ``[in-service]`` (every group) and
    ``[in-service.hospital]`` (one group) with ``title``, ``description``, ``minutes``."""
    general = dict(DEFAULTS)
    variants = dict(VARIANTS)
    if not user_text:
        return Templates(general, variants)
    try:
        raw = tomllib.loads(user_text)
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(f"{source}: {exc}") from None
    for name, values in raw.items():
        try:
            kind = InviteKind(name)
        except ValueError:
            known = ", ".join(k.value for k in InviteKind)
            raise ValidationError(
                f"{source}: unknown invite kind [{name}] (kinds: {known})"
            ) from None
        if not isinstance(values, dict):
            raise ValidationError(f"{source}: [{name}] must be a table")
        own = {k: v for k, v in values.items() if not isinstance(v, dict)}
        if own:  # the kind's text for every group
            general[kind] = _override(general[kind], own, f"{source} [{name}]")
            for key in [k for k in variants if k[0] is kind]:
                variants[key] = _override(variants[key], own, f"{source} [{name}]")
        for group_name, group_values in values.items():
            if not isinstance(group_values, dict):
                continue
            try:
                group = PartnerGroup(group_name)
            except ValueError:
                groups = ", ".join(g.value for g in PartnerGroup)
                raise ValidationError(
                    f"{source}: unknown partner group [{name}.{group_name}] (groups: {groups})"
                ) from None
            base = variants.get((kind, group), general[kind])
            label = f"{source} [{name}.{group_name}]"
            variants[(kind, group)] = _override(base, group_values, label)
    return Templates(general, variants)


def _override(base: Template, values: dict[str, object], where: str) -> Template:
    unknown = set(values) - {"title", "description", "minutes"}
    if unknown:
        raise ValidationError(f"{where}: unknown key {sorted(unknown)[0]!r}")
    minutes = values.get("minutes", base.minutes)
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 5 <= minutes <= 1440:
        raise ValidationError(f"{where}: minutes must be a whole number from 5 to 1440")
    return Template(
        title=str(values.get("title", base.title)),
        description=str(values.get("description", base.description)),
        minutes=minutes,
    )


def render(text: str, **values: str) -> str:
    """Fill placeholders without letting user text inject new ones."""
    out = text
    for key, value in values.items():
        out = out.replace("{" + key + "}", value.replace("{", "(").replace("}", ")"))
    return out


#: Video services by the end of the link's host name.
_PLATFORMS: tuple[tuple[str, str], ...] = (
    ("zoom.us", "Zoom"),
    ("zoomgov.com", "Zoom"),
    ("teams.microsoft.com", "Microsoft Teams"),
    ("teams.live.com", "Microsoft Teams"),
    ("meet.google.com", "Google Meet"),
    ("webex.com", "Webex"),
    ("gotomeeting.com", "GoTo Meeting"),
    ("meet.goto.com", "GoTo Meeting"),
    ("whereby.com", "Whereby"),
    ("meet.jit.si", "Jitsi Meet"),
)


def video_platform(url: str) -> str:
    """The service a meeting link is on ("Zoom", "Microsoft Teams", "Google Meet"…), or ""
    for a link we do not recognise (then the text says "video call")."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    for suffix, name in _PLATFORMS:
        if host == suffix or host.endswith("." + suffix):
            return name
    return ""


def video_line(url: str) -> str:
    """The sentence an invite with a link carries: which service, so the partner knows
    what to open (the link itself follows in the description's last line)."""
    if not url:
        return ""
    platform = video_platform(url)
    return f"We will meet on {platform}." if platform else "We will meet by video call."
