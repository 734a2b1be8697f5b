"""The records Nurture keeps. Immutable: a change is a new value written through the store."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

from nurture_tui.domain.dates import MonthDay
from nurture_tui.domain.kinds import (
    Credential,
    Direction,
    PartnerKind,
    ReferralStatus,
    Stage,
    Tier,
    TouchpointKind,
    TouchpointStatus,
)

_ID_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"


def new_id() -> str:
    """A 12-character random id; like git hashes, any unique prefix names the record."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(12))


@dataclass(frozen=True, slots=True)
class Milestone:
    """Something worth a hand-written note: an achievement, a challenge, a celebration.

    ``on`` is a day, or a ``MonthDay`` for an anniversary whose year nobody knows: that one
    comes back every year.
    """

    on: date | MonthDay
    note: str


@dataclass(frozen=True, slots=True)
class Partner:
    """An organisation or person that can refer participants to the agency."""

    id: str
    name: str
    kind: PartnerKind
    tier: Tier = Tier.B
    stage: Stage = Stage.PROSPECT
    domains: tuple[str, ...] = ()
    npi: str | None = None
    owner: str | None = None
    tags: tuple[str, ...] = ()
    social_pages: tuple[str, ...] = ()
    notes: str = ""
    stage_since: date | None = None
    created_at: datetime | None = None
    archived: bool = False
    created_by: str = field(default="", compare=False)
    """Who created it (a rep's email on a team store; "" before attribution). Stamped by
    the store on save, never taken from the caller; left out of equality, like
    ``changed_by``: two records saying the same thing are equal whoever wrote them."""
    changed_by: str = field(default="", compare=False)
    """Who last changed what it says (stamped by the store, as ``created_by``)."""
    version: int = field(default=0, compare=False)
    """Which version of what it says this is: the store moves it with every change, so a
    form that opened one version can tell a colleague saved another meanwhile (0 for a
    record not read from a store)."""


@dataclass(frozen=True, slots=True)
class Contact:
    """A person at a partner: the one the rep actually nurtures."""

    id: str
    partner_id: str
    name: str
    role: str = ""
    emails: tuple[str, ...] = ()
    phone: str = ""
    birthday: date | MonthDay | None = None
    """With its year, or a ``MonthDay`` (RFC 6350's ``--0314``) when the year is not known."""
    started: date | None = None
    milestones: tuple[Milestone, ...] = ()
    met_in_person: bool = False
    linkedin_connected: bool = False
    archived: bool = False
    credential: Credential | None = None
    """MD, DO, NP, RN...: whether gifts to them count toward a physician's yearly limit."""
    npi: str | None = None
    """Their individual NPI (type 1), when known."""
    created_by: str = field(default="", compare=False)
    """Who created it (a rep's email on a team store; "" before attribution). Stamped by
    the store on save, never taken from the caller; left out of equality, like
    ``changed_by``: two records saying the same thing are equal whoever wrote them."""
    changed_by: str = field(default="", compare=False)
    """Who last changed what it says (stamped by the store, as ``created_by``)."""
    version: int = field(default=0, compare=False)
    """Which version of what it says this is: the store moves it with every change, so a
    form that opened one version can tell a colleague saved another meanwhile (0 for a
    record not read from a store)."""


@dataclass(frozen=True, slots=True)
class Override:
    """A compliance warning the rep saw and saved through anyway: who, when, and the
    warning's words as shown (the compliance report lists every one)."""

    rule: str
    message: str
    by: str
    at: datetime
    recipient: str | None = None
    """The contact the warning was about (a physician's limit), or None: the whole touch."""


class MeetingRep(NamedTuple):
    """A rep who had a synced meeting in their calendar, and ``event``: their own copy's
    id there (``cal:primary:abc``), by which their sync finds the touch again when that
    copy changes or goes. "" as ``rep`` is the one rep of a rep's own store."""

    rep: str
    event: str


class Touchpoint(NamedTuple):
    """Something that happened (or is planned) between the rep and a partner.

    A NamedTuple rather than a dataclass on purpose: 250,000 of these load at start-up and
    a tuple builds several times faster than a frozen dataclass (see benchmarks/).
    Change one with ``touchpoint._replace(...)``.
    """

    id: str
    partner_id: str
    kind: TouchpointKind
    at: datetime
    contact_ids: tuple[str, ...] = ()
    direction: Direction = Direction.GIVE
    status: TouchpointStatus = TouchpointStatus.DONE
    purpose: str = ""
    note: str = ""
    source: str = "manual"
    external_id: str | None = None
    requested: bool = False
    value_cents: int = 0
    """What was given, in the agency's currency's cents, for all recipients together
    (split evenly among ``contact_ids``; see ``domain.compliance``). 0: nothing of value."""
    item: str = ""
    """What was given ("lunch for 6", "coffee gift card"): screened free text."""
    overrides: tuple[Override, ...] = ()
    """Compliance warnings saved through, each with who and when."""
    reps: tuple[MeetingRep, ...] = ()
    """For a synced meeting: the reps who had it, each with their own copy of the event
    (sorted by rep), so a meeting two reps attended is one touch with both on it."""
    created_by: str = ""
    """Who logged it (a rep's email on a team store; "" before attribution): stamped by
    the store on save, never taken from the caller."""
    changed_by: str = ""
    """Who last changed what it says (stamped by the store, as ``created_by``)."""

    @property
    def is_done(self) -> bool:
        return self.status is TouchpointStatus.DONE

    # Attribution is bookkeeping about a touch, not what it says: equality (and so the
    # hash) leaves the last two fields out, as ``field(compare=False)`` does for the
    # dataclasses above. A sync comparing a fetched meeting with the stored touch, and a
    # test comparing what it saved with what it reads, both mean the content.
    def __eq__(self, other: object) -> bool:
        if isinstance(other, Touchpoint):
            return self[:_CONTENT] == other[:_CONTENT]
        return tuple.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(self[:_CONTENT])


#: How many of a Touchpoint's fields say what happened (the rest is attribution).
_CONTENT = 16


@dataclass(frozen=True, slots=True)
class Referral:
    """A participant referred by a partner. ``participant_ref`` is an opaque code only."""

    id: str
    partner_id: str
    received: date
    participant_ref: str
    contact_id: str | None = None
    service: str = ""
    """One of ``ReferralService``'s values, or "" when not known yet."""
    status: ReferralStatus = ReferralStatus.RECEIVED
    complex_needs: bool = False
    partner_no_longer_serving: bool = False
    service_detail: str = ""
    """A few screened words beside the service ("evenings only"); never patient data."""
    created_by: str = field(default="", compare=False)
    """Who created it (a rep's email on a team store; "" before attribution). Stamped by
    the store on save, never taken from the caller; left out of equality, like
    ``changed_by``: two records saying the same thing are equal whoever wrote them."""
    changed_by: str = field(default="", compare=False)
    """Who last changed what it says (stamped by the store, as ``created_by``)."""


@dataclass(frozen=True, slots=True)
class Dismissal:
    """An action the rep dismissed or snoozed; the engine stays quiet about it until ``until``."""

    partner_id: str
    rule: str
    key: str
    until: date | None = None
    reason: str = ""


@dataclass(slots=True)
class PartnerHistory:
    """Everything the playbook reads about one partner, gathered once (indexes, not scans)."""

    partner: Partner
    contacts: list[Contact] = field(default_factory=list)
    touchpoints: list[Touchpoint] = field(default_factory=list)
    referrals: list[Referral] = field(default_factory=list)
