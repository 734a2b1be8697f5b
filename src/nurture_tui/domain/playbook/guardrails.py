"""The seeds' "don'ts" as warnings: shown while a touch is logged or planned, never blocking."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from nurture_tui.domain.kinds import FACE_TIME_KINDS, TouchpointKind
from nurture_tui.domain.model import PartnerHistory
from nurture_tui.domain.playbook.config import Playbook
from nurture_tui.domain.playbook.facts import plural

K = TouchpointKind


@dataclass(frozen=True, slots=True)
class Caution:
    """One guardrail the touch trips, and what to do instead. (Not ``Warning``: that
    name is Python's built-in warning class.)"""

    rule: str
    message: str

    def as_json(self) -> dict[str, str]:
        return {"rule": self.rule, "message": self.message}


@dataclass(frozen=True, slots=True)
class PlannedTouch:
    """What the guardrails look at: the touch about to be logged or planned."""

    kind: TouchpointKind
    at: datetime
    purpose: str = ""
    requested: bool = False
    contact_ids: tuple[str, ...] = ()
    linkedin_connect: bool = False


def check(touch: PlannedTouch, history: PartnerHistory, playbook: Playbook) -> list[Caution]:
    """Every guardrail that the planned touch trips, in a stable order."""
    return [
        warning
        for check_one in (_gift, _brochure, _no_purpose, _chit_chat, _linkedin)
        if (warning := check_one(touch, history, playbook)) is not None
    ]


def _gift(touch: PlannedTouch, history: PartnerHistory, playbook: Playbook) -> Caution | None:
    # Seed: "Save gifts of this nature for meaningful opportunities to thank the referral
    # source when a beneficial exchange takes place, like a referral or when they take time
    # to educate your team." The law narrows it: a gift sent because a referral arrived is
    # the textbook kickback risk (Anti-Kickback Statute, 42 U.S.C. § 1320a-7b(b)), so a
    # referral never makes a gift fitting — a referral is thanked with words. Only an
    # in-service they taught in the window is a reason for a gift. (The timing check
    # itself, a gift soon after a referral from them, is the compliance checks' job.)
    if touch.kind is not K.GIFT:
        return None
    window = timedelta(days=playbook.guardrail("gift_window_days"))
    since = touch.at - window
    if any(
        t.kind is K.IN_SERVICE and t.is_done and since <= t.at <= touch.at
        for t in history.touchpoints
    ):
        return None
    return Caution(
        "gift-without-reason",
        f"No in-service they taught in the last {plural(window.days, 'day')} to thank for; "
        "thank with words (a note or an email) — a gift should never follow or reward a "
        "referral",
    )


def _brochure(touch: PlannedTouch, history: PartnerHistory, playbook: Playbook) -> Caution | None:
    # "Don't just drop off more brochures ... it's not helpful unless they've asked for it."
    if touch.kind is not K.BROCHURE_DROP or touch.requested:
        return None
    before = sum(1 for t in history.touchpoints if t.kind is K.BROCHURE_DROP and t.is_done)
    repeat = f" (this would be drop number {before + 1})" if before else ""
    return Caution(
        "unrequested-brochures",
        f"They did not ask for brochures{repeat}; more literature is not new information — "
        "bring something useful instead, or mark it as requested",
    )


def _no_purpose(touch: PlannedTouch, history: PartnerHistory, playbook: Playbook) -> Caution | None:
    # "Don't waste the referral target's time just to get some face-to-face time."
    if touch.kind not in (K.CHECK_IN, K.MEETING) or touch.purpose.strip():
        return None
    return Caution(
        "face-time-without-purpose",
        "A visit or meeting with no purpose or agenda; say what it is for, so it does not "
        "disrupt their work",
    )


def _chit_chat(touch: PlannedTouch, history: PartnerHistory, playbook: Playbook) -> Caution | None:
    # "Don't make face-to-face meetings only about personal chitchat."
    if touch.kind not in FACE_TIME_KINDS:
        return None
    streak = playbook.guardrail("chit_chat_streak")
    face = [
        t.kind
        for t in history.touchpoints
        if t.kind in FACE_TIME_KINDS and t.is_done and t.at <= touch.at
    ]
    if touch.kind is K.PERSONAL_CHAT:
        face.append(K.PERSONAL_CHAT)  # this one would extend the streak
    recent = face[-streak:]
    if len(recent) < streak or any(kind is not K.PERSONAL_CHAT for kind in recent):
        return None
    return Caution(
        "only-chit-chat",
        f"The last {streak} meetings were only personal chat; bring a business reason "
        "(a referral update, an in-service, their feedback) so the relationship keeps its purpose",
    )


def _linkedin(touch: PlannedTouch, history: PartnerHistory, playbook: Playbook) -> Caution | None:
    # "Connect with the referral source personally on LinkedIn only after you've met in person."
    if not touch.linkedin_connect:
        return None
    contacts = {c.id: c for c in history.contacts}
    strangers = [
        contacts[cid].name
        for cid in touch.contact_ids
        if cid in contacts and not contacts[cid].met_in_person
    ]
    if touch.contact_ids and not strangers:
        return None
    who = ", ".join(strangers) if strangers else "this contact"
    return Caution(
        "linkedin-before-meeting",
        f"You have not met {who} in person yet; connect on LinkedIn after meeting in person",
    )
