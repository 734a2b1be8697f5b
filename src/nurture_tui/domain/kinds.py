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
