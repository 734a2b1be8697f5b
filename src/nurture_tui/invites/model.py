"""What an invite is, independent of how it is written (.ics, Google, Graph, CalDAV)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum


class InviteKind(StrEnum):
    """The invites the seeds push reps toward."""

    IN_SERVICE = "in-service"
    CHECK_IN = "check-in"
    CARE_COORDINATION = "care-coordination"
    NETWORKING_EVENT = "networking-event"
    APPRECIATION_EVENT = "appreciation-event"
    WEBINAR = "webinar"


class InviteStatus(StrEnum):
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Person:
    """An organizer or attendee: a name for display and an address to invite."""

    name: str
    email: str


@dataclass(frozen=True, slots=True)
class Invite:
    """One meeting invitation. ``uid`` is stable across updates; ``sequence`` grows."""

    uid: str
    kind: InviteKind
    partner_id: str
    title: str
    description: str
    start: datetime
    duration: timedelta
    organizer: Person
    attendees: tuple[Person, ...] = ()
    video_url: str = ""
    location: str = ""
    sequence: int = 0
    status: InviteStatus = InviteStatus.CONFIRMED
    contact_ids: tuple[str, ...] = field(default=())
    reminder_minutes: int = 15

    @property
    def end(self) -> datetime:
        return self.start + self.duration
