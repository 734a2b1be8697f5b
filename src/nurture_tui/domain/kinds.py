"""Enumerated vocabularies with their canonical ids (a public contract: scripts use them)."""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from nurture_tui.domain.errors import ValidationError

E = TypeVar("E", bound=StrEnum)


class PartnerKind(StrEnum):
    HOSPITAL = "hospital"
    PHYSICIAN_PRACTICE = "physician-practice"
    HOSPICE = "hospice"
    SKILLED_NURSING = "skilled-nursing"
    HOME_HEALTH = "home-health"
    CASE_MANAGEMENT = "case-management"
    WAIVER_CASE_MANAGER = "waiver-case-manager"
    AREA_AGENCY_ON_AGING = "area-agency-on-aging"
    CENTER_FOR_INDEPENDENT_LIVING = "center-for-independent-living"
    COMMUNITY_ORG = "community-org"
    PAYER = "payer"
    OTHER = "other"


class Stage(StrEnum):
    PROSPECT = "prospect"
    ENGAGED = "engaged"
    REFERRING = "referring"
    CHAMPION = "champion"
    DORMANT = "dormant"


class Tier(StrEnum):
    A = "A"
    B = "B"
    C = "C"


class TouchpointKind(StrEnum):
    CHECK_IN = "check-in"
    MEETING = "meeting"
    CALL = "call"
    EMAIL = "email"
    IN_SERVICE = "in-service"
    NETWORKING_EVENT = "networking-event"
    WEBINAR = "webinar"
    APPRECIATION_EVENT = "appreciation-event"
    CARE_COORDINATION = "care-coordination"
    ARTICLE_SHARE = "article-share"
    NEWSLETTER = "newsletter"
    HANDWRITTEN_NOTE = "handwritten-note"
    THANK_YOU = "thank-you"
    PARTICIPANT_UPDATE = "participant-update"
    FEEDBACK_REQUEST = "feedback-request"
    SOCIAL_ENGAGEMENT = "social-engagement"
    INTRODUCTION = "introduction"
    REFERRAL_ASK = "referral-ask"
    GIFT = "gift"
    BROCHURE_DROP = "brochure-drop"
    PERSONAL_CHAT = "personal-chat"


class Credential(StrEnum):
    """A contact's professional credential. The first seven are a "physician" under the
    physician self-referral law (42 U.S.C. § 1395nn(h)(1) via § 1395x(r): doctors of
    medicine, osteopathy, dental surgery or medicine, podiatric medicine, optometry, and
    chiropractors), whose non-monetary gifts count toward the yearly Stark limit."""

    MD = "md"
    DO = "do"
    DDS = "dds"
    DMD = "dmd"
    DPM = "dpm"
    OD = "od"
    DC = "dc"
    NP = "np"
    PA = "pa"
    RN = "rn"
    MSW = "msw"
    OTHER = "other"


#: Credentials that make a contact a physician for Stark's yearly limit.
PHYSICIAN_CREDENTIALS = frozenset(
    {
        Credential.MD,
        Credential.DO,
        Credential.DDS,
        Credential.DMD,
        Credential.DPM,
        Credential.OD,
        Credential.DC,
    }
)


def parse_credential(text: str) -> Credential | None:
    """ "M.D.", "md", "DDS/DMD" -> the credential; "" -> None (unset)."""
    word = "".join(ch for ch in text.lower() if ch.isalnum() or ch == "/")
    if not word:
        return None
    word = word.split("/")[0]
    try:
        return Credential(word)
    except ValueError:
        choices = ", ".join(member.value for member in Credential)
        raise ValidationError(
            f"unknown credential {text.strip()!r}; choose one of: {choices}"
        ) from None


class AgencyType(StrEnum):
    """What the rep's agency furnishes. Home health is a designated health service under
    Stark (42 U.S.C. § 1395nn(h)(6)(J)), so its gifts to physicians have a yearly limit;
    the Anti-Kickback Statute applies to every type."""

    HOME_HEALTH = "home-health"
    HOSPICE = "hospice"
    NON_MEDICAL_HOME_CARE = "non-medical-home-care"
    WAIVER_PROVIDER = "waiver-provider"


class Direction(StrEnum):
    """Whether a touch gives value to the partner or asks something of them."""

    GIVE = "give"
    ASK = "ask"


class TouchpointStatus(StrEnum):
    DONE = "done"
    PLANNED = "planned"
    CANCELLED = "cancelled"


class ReferralStatus(StrEnum):
    RECEIVED = "received"
    ADMITTED = "admitted"
    IN_SERVICE = "in-service"
    DECLINED = "declined"
    CLOSED = "closed"


class ReferralService(StrEnum):
    """What a referral is for: home-care and Medicaid-waiver services (HCBS). A list, not
    free text, so a patient's name or condition has nowhere to go; ``other`` plus a short
    screened detail covers the rest."""

    PERSONAL_CARE = "personal-care"
    HOMEMAKER = "homemaker"
    RESPITE = "respite"
    COMPANION = "companion"
    SKILLED_NURSING = "skilled-nursing"
    HOME_HEALTH_AIDE = "home-health-aide"
    ADULT_DAY = "adult-day"
    CARE_COORDINATION = "care-coordination"
    ENVIRONMENTAL_MODIFICATION = "environmental-modification"
    PERS = "pers"
    OTHER = "other"


#: Words reps (and older stores) used for each service, for reading free text.
_SERVICE_WORDS = {
    "personal care": ReferralService.PERSONAL_CARE,
    "homemaker": ReferralService.HOMEMAKER,
    "homemaking": ReferralService.HOMEMAKER,
    "respite": ReferralService.RESPITE,
    "companion": ReferralService.COMPANION,
    "companion care": ReferralService.COMPANION,
    "companionship": ReferralService.COMPANION,
    "skilled nursing": ReferralService.SKILLED_NURSING,
    "skilled nursing visit": ReferralService.SKILLED_NURSING,
    "nursing": ReferralService.SKILLED_NURSING,
    "home health aide": ReferralService.HOME_HEALTH_AIDE,
    "hha": ReferralService.HOME_HEALTH_AIDE,
    "adult day": ReferralService.ADULT_DAY,
    "adult day care": ReferralService.ADULT_DAY,
    "care coordination": ReferralService.CARE_COORDINATION,
    "case management": ReferralService.CARE_COORDINATION,
    "environmental modification": ReferralService.ENVIRONMENTAL_MODIFICATION,
    "home modification": ReferralService.ENVIRONMENTAL_MODIFICATION,
    "pers": ReferralService.PERS,
    "personal emergency response": ReferralService.PERS,
}


def service_from_text(text: str) -> tuple[str, str]:
    """(service, detail) for what a rep or an older store wrote in the service field.

    A known service word becomes that service with no detail; anything else becomes
    ``other`` with the text as the detail (to be screened by the caller); "" stays "".
    """
    words = " ".join(text.replace("-", " ").replace("_", " ").lower().split())
    if not words:
        return "", ""
    for member in ReferralService:
        if words == member.value.replace("-", " "):
            return member.value, ""
    if words in _SERVICE_WORDS:
        return _SERVICE_WORDS[words].value, ""
    return ReferralService.OTHER.value, " ".join(text.split())


#: Touches that happen face to face or on a call, where a purpose is expected.
FACE_TIME_KINDS = frozenset(
    {TouchpointKind.CHECK_IN, TouchpointKind.MEETING, TouchpointKind.PERSONAL_CHAT}
)


def default_direction(kind: TouchpointKind) -> Direction:
    """Most touches give; only an explicit referral ask or feedback request asks."""
    if kind in (TouchpointKind.REFERRAL_ASK, TouchpointKind.FEEDBACK_REQUEST):
        return Direction.ASK
    return Direction.GIVE


def parse_enum(enum: type[E], value: str, what: str) -> E:
    """Parse a canonical id, with an error listing the valid ones."""
    try:
        return enum(value.strip())
    except ValueError:
        choices = ", ".join(member.value for member in enum)
        raise ValidationError(f"unknown {what} {value!r}; choose one of: {choices}") from None


#: Touches that happen in the same room: logging one means the rep has met its contacts in
#: person (the seeds: connect on LinkedIn only after meeting in person).
IN_PERSON_KINDS = frozenset(
    {
        TouchpointKind.MEETING,
        TouchpointKind.CHECK_IN,
        TouchpointKind.IN_SERVICE,
        TouchpointKind.NETWORKING_EVENT,
        TouchpointKind.APPRECIATION_EVENT,
        TouchpointKind.BROCHURE_DROP,
        TouchpointKind.PERSONAL_CHAT,
    }
)
#: Words that make an otherwise in-person kind a video call ("Zoom in-service").
_REMOTE_WORDS = ("zoom", "teams", "google meet", "meet.google", "webex", "video", "virtual")


def is_in_person(kind: TouchpointKind, purpose: str = "", note: str = "") -> bool:
    """True when a touch of ``kind`` with this purpose/note met its contacts face to face."""
    if kind not in IN_PERSON_KINDS:
        return False
    text = f"{purpose} {note}".lower()
    return not any(word in text for word in _REMOTE_WORDS)
