"""Invites as RFC 5545 iCalendar that Outlook, Google and Apple import without complaint.

What real calendars demand beyond the RFC: a VTIMEZONE for every TZID (Outlook), METHOD at
the calendar level, ORGANIZER and attendees with PARTSTAT/RSVP for an invitation, a stable
UID with a growing SEQUENCE for updates, and METHOD:CANCEL with STATUS:CANCELLED to cancel.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, Timezone, vCalAddress, vText

from nurture_tui import __version__
from nurture_tui.invites.model import Invite, InviteStatus
from nurture_tui.invites.sanitize import multi_line, one_line, parameter

PRODID = f"-//Nurture//nurture_tui {__version__}//EN"


def invite_to_ics(
    invite: Invite, *, method: str | None = None, now: datetime | None = None
) -> bytes:
    """The invite as a VCALENDAR. METHOD defaults to REQUEST (CANCEL when cancelled);
    pass ``method="PUBLISH"`` for a personal copy without attendees' RSVP."""
    cancelled = invite.status is InviteStatus.CANCELLED
    method = method or ("CANCEL" if cancelled else "REQUEST")
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    calendar.add("calscale", "GREGORIAN")
    zone = invite.start.tzinfo
    if isinstance(zone, ZoneInfo):
        calendar.add_component(_vtimezone(zone, invite.start))
    calendar.add_component(_event(invite, method, cancelled, now or datetime.now(UTC)))
    return bytes(calendar.to_ical())


def _vtimezone(zone: ZoneInfo, around: datetime) -> Timezone:
    """Only the transitions near the event: compact, and enough for every client."""
    first = (around - timedelta(days=366)).replace(tzinfo=None)
    last = (around + timedelta(days=366 * 2)).replace(tzinfo=None)
    return Timezone.from_tzinfo(zone, first_date=first.date(), last_date=last.date())


def _event(invite: Invite, method: str, cancelled: bool, now: datetime) -> Event:
    event = Event()
    event.add("uid", invite.uid)
    event.add("dtstamp", now.astimezone(UTC))
    event.add("sequence", invite.sequence)
    event.add("dtstart", invite.start)
    event.add("dtend", invite.end)
    event.add("summary", vText(one_line(invite.title)))
    event.add("description", vText(multi_line(_description(invite))))
    event.add("location", vText(one_line(invite.video_url or invite.location or "To be agreed")))
    if invite.video_url:
        event.add("url", one_line(invite.video_url, 2000))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    organizer = vCalAddress(f"mailto:{invite.organizer.email}")
    organizer.params["cn"] = vText(parameter(invite.organizer.name))
    event.add("organizer", organizer)
    if method != "PUBLISH":
        for person in invite.attendees:
            attendee = vCalAddress(f"mailto:{person.email}")
            attendee.params["cn"] = vText(parameter(person.name))
            attendee.params["role"] = "REQ-PARTICIPANT"
            attendee.params["partstat"] = "NEEDS-ACTION"
            attendee.params["rsvp"] = "TRUE"
            event.add("attendee", attendee, encode=False)
    if not cancelled and invite.reminder_minutes:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", vText(one_line(invite.title)))
        alarm.add("trigger", timedelta(minutes=-invite.reminder_minutes))
        event.add_component(alarm)
    return event


def _description(invite: Invite) -> str:
    """The body, with the join link or the meeting place — never an empty 'Join' line."""
    if invite.video_url:
        where = f"Join the video call: {invite.video_url}"
    elif invite.location:
        where = f"Where: {invite.location}"
    else:
        where = "Where: to be agreed — reply with what suits you."
    return f"{invite.description}\n\n{where}"
