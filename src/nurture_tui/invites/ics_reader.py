"""Read the .ics that Google, Outlook and Apple produce into plain events.

Handles X-WR-TIMEZONE, Windows zone names ("Central Standard Time"), all-day events,
RRULE/EXDATE (expanded inside a bounded window: a hostile rule cannot eat memory or time),
modified instances (RECURRENCE-ID), METHOD:CANCEL and STATUS:CANCELLED, and SEQUENCE.
A file that does not parse is refused whole with the file's name and the problem; so is a
file with an event whose start, end, RECURRENCE-ID or EXDATE is outside the domain's
range (``check_moment``): ``DTSTART;TZID=Pacific/Pago_Pago:99991231T230000`` is year
10000 in UTC and must be refused by name, never overflow later.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrulestr
from icalendar import Calendar
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from nurture_tui.domain.errors import ValidationError
from nurture_tui.domain.validation import check_moment

#: Recurring events are expanded no further than this many instances...
MAX_INSTANCES = 500
#: ...nor past this many steps of the rule, so FREQ=DAILY from 1900 cannot hang us.
MAX_RULE_STEPS = 20_000
_REFUSED_FREQUENCIES = ("SECONDLY", "MINUTELY", "HOURLY")


class IcsError(ValidationError):
    """A calendar file Nurture refuses; the message names the file and the problem."""


@dataclass(frozen=True, slots=True)
class Attendee:
    email: str
    name: str = ""
    partstat: str = "NEEDS-ACTION"


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    """One event (or one instance of a recurring event) read from a file."""

    uid: str
    instance: str  # "" for a single event, the instance start (ISO) for a recurrence
    sequence: int
    start: datetime
    end: datetime
    all_day: bool
    summary: str
    organizer: str
    attendees: tuple[Attendee, ...]
    cancelled: bool

    @property
    def key(self) -> str:
        return f"{self.uid}|{self.instance}" if self.instance else self.uid


@dataclass(frozen=True)
class ParsedCalendar:
    method: str
    events: list[CalendarEvent]


def parse_ics(
    data: bytes, source: str, *, window: tuple[datetime, datetime], local_zone: tzinfo
) -> ParsedCalendar:
    """Parse a whole file or refuse it whole (IcsError naming ``source``)."""
    try:
        calendar = Calendar.from_ical(data)
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise IcsError(f"{source} is not a valid calendar file: {_short(exc)}") from None
    if calendar.name != "VCALENDAR":
        raise IcsError(f"{source} is not a calendar file (it starts with {calendar.name})")
    method = str(calendar.get("method", "PUBLISH")).upper()
    floating = _zone(str(calendar.get("x-wr-timezone", "")), local_zone)
    try:
        events = _events(calendar, method, floating, window)
    except ValidationError as exc:  # IcsError and check_moment's refusals alike
        raise IcsError(f"{source}: {exc}") from None
    except (ValueError, KeyError, TypeError, AttributeError, OverflowError) as exc:
        raise IcsError(f"{source}: an event could not be read ({_short(exc)})") from None
    return ParsedCalendar(method, events)


def _short(exc: BaseException) -> str:
    """The library's message without the raw bytes it sometimes quotes."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text.split(": b'")[0].split(" b'")[0][:200]


def _zone(name: str, fallback: tzinfo) -> tzinfo:
    """An IANA or Windows zone name; the fallback when empty or unknown."""
    name = name.strip()
    if not name:
        return fallback
    name = WINDOWS_TO_OLSON.get(name, name)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return fallback


def _moment(value: object, zone: tzinfo, what: str, params_tzid: str = "") -> tuple[datetime, bool]:
    """An aware, range-checked datetime (``what`` names it if refused), and whether it
    was an all-day date. Every time read from a file comes through here, so none can
    reach the domain unchecked."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=_zone(params_tzid, zone))
        return check_moment(value, what), False
    if isinstance(value, date):
        return check_moment(datetime.combine(value, time(0), zone), what), True
    raise ValueError(f"not a date or time: {value!r}")


def _events(
    calendar: Calendar, method: str, floating: tzinfo, window: tuple[datetime, datetime]
) -> list[CalendarEvent]:
    singles: dict[str, CalendarEvent] = {}
    overrides: dict[str, CalendarEvent] = {}
    cancelled_calendar = method == "CANCEL"
    for component in calendar.walk("VEVENT"):
        uid = str(component.get("uid", "")).strip()
        if not uid:
            raise IcsError("an event has no UID")
        base = _base_event(component, uid, floating, cancelled_calendar)
        recurrence_id = component.get("recurrence-id")
        if recurrence_id is not None:
            original, _ = _moment(recurrence_id.dt, floating, f"RECURRENCE-ID of event {uid}")
            override = _with(base, instance=original.astimezone(UTC).isoformat())
            overrides[override.key] = override
            continue
        rule = component.get("rrule")
        if rule is None:
            singles[base.key] = base
            continue
        for occurrence in _expand(component, base, window):
            singles[occurrence.key] = occurrence
    singles.update(overrides)  # a modified instance replaces the generated one
    return sorted(singles.values(), key=lambda e: (e.start, e.key))


def _base_event(component: object, uid: str, floating: tzinfo, cancelled: bool) -> CalendarEvent:
    get = component.get  # type: ignore[attr-defined]
    dtstart = get("dtstart")
    if dtstart is None:
        raise IcsError(f"event {uid} has no start (DTSTART)")
    start, all_day = _moment(
        dtstart.dt, floating, f"start of event {uid}", str(dtstart.params.get("TZID", ""))
    )
    dtend = get("dtend")
    if dtend is not None:
        end, _ = _moment(
            dtend.dt, floating, f"end of event {uid}", str(dtend.params.get("TZID", ""))
        )
    elif get("duration") is not None:
        end = _later(start, get("duration").dt, uid)
    else:
        end = start + (timedelta(days=1) if all_day else timedelta(0))
    status = str(get("status", "CONFIRMED")).upper()
    attendees = get("attendee") or []
    if not isinstance(attendees, list):
        attendees = [attendees]
    return CalendarEvent(
        uid=uid,
        instance="",
        sequence=int(get("sequence", 0) or 0),
        start=start,
        end=end,
        all_day=all_day,
        summary=str(get("summary", "")),
        organizer=_email(get("organizer")),
        attendees=tuple(
            Attendee(
                _email(a),
                str(a.params.get("CN", "")),
                str(a.params.get("PARTSTAT", "NEEDS-ACTION")),
            )
            for a in attendees
            if _email(a)
        ),
        cancelled=cancelled or status == "CANCELLED",
    )


def _later(start: datetime, duration: object, uid: str) -> datetime:
    """The end ``duration`` after ``start``, range-checked like any other time."""
    if not isinstance(duration, timedelta):
        raise ValueError(f"not a duration: {duration!r}")
    try:
        end = start + duration
    except OverflowError:
        raise IcsError(f"event {uid} lasts too long (DURATION {duration})") from None
    return check_moment(end, f"end of event {uid}")


def _email(address: object) -> str:
    if address is None:
        return ""
    text = str(address).strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    return text.lower() if "@" in text else ""


def _with(event: CalendarEvent, **changes: object) -> CalendarEvent:
    from dataclasses import replace

    return replace(event, **changes)  # type: ignore[arg-type]


def _expand(
    component: object, base: CalendarEvent, window: tuple[datetime, datetime]
) -> list[CalendarEvent]:
    get = component.get  # type: ignore[attr-defined]
    rule_text = get("rrule").to_ical().decode()
    if any(f"FREQ={freq}" in rule_text.upper() for freq in _REFUSED_FREQUENCIES):
        raise IcsError(
            f"event {base.uid} repeats more often than daily ({rule_text}); "
            "meetings never do, so the file was refused"
        )
    rule = rrulestr(rule_text, dtstart=base.start)
    excluded = _exdates(component, base.start.tzinfo or UTC, base.uid)
    duration = base.end - base.start
    start, end = window
    instances: list[CalendarEvent] = []
    for step, moment in enumerate(rule):
        if step >= MAX_RULE_STEPS or moment > end or len(instances) >= MAX_INSTANCES:
            break
        if moment < start or moment.astimezone(UTC) in excluded:
            continue
        instances.append(
            _with(
                base,
                start=moment,
                end=moment + duration,
                instance=moment.astimezone(UTC).isoformat(),
            )
        )
    return instances


def _exdates(component: object, zone: tzinfo, uid: str) -> set[datetime]:
    raw = component.get("exdate")  # type: ignore[attr-defined]
    if raw is None:
        return set()
    groups = raw if isinstance(raw, list) else [raw]
    excluded = set()
    for group in groups:
        for item in group.dts:
            moment, _ = _moment(item.dt, zone, f"EXDATE of event {uid}")
            excluded.add(moment.astimezone(UTC))
    return excluded
