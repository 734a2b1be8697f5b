"""Read the .ics that Google, Outlook and Apple produce into plain events.

Handles X-WR-TIMEZONE, Windows zone names ("Central Standard Time"), all-day events,
RRULE/EXDATE (expanded inside a bounded window: a hostile rule cannot eat memory or time),
modified instances (RECURRENCE-ID), METHOD:CANCEL and STATUS:CANCELLED, and SEQUENCE.
A file that does not parse is refused whole with the file's name and the problem; so is a
file with an event whose start, end, RECURRENCE-ID or EXDATE is outside the domain's
range (``check_moment``): ``DTSTART;TZID=Pacific/Pago_Pago:99991231T230000`` is year
10000 in UTC and must be refused by name, never overflow later.

Recurrence expansion is bounded four ways, each refusing the file with the event's UID:
sub-daily rules however spelled (FREQ=HOURLY and finer, or more than one BYHOUR, BYMINUTE
or BYSECOND value), more than ``MAX_INSTANCES`` occurrences of one event inside the
window, more than ``MAX_FILE_INSTANCES`` generated occurrences in the file, and more than
``EXPANSION_BUDGET`` seconds spent expanding (``time.monotonic``, checked per occurrence).
A rule that never matches (``FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30``) yields nothing, and
dateutil would walk to year 9999 looking for it (~4 s per event) without ever yielding:
rules are therefore expanded with a private copy of ``dateutil.rrule`` whose calendar
ends the year after the window (``_rrulestr``), so the walk stops there.
"""

from __future__ import annotations

import datetime as datetime_module
import importlib.util
import time as clock
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from types import ModuleType
from typing import cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Calendar
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from nurture_tui.domain.errors import ValidationError
from nurture_tui.domain.validation import check_moment

#: One recurring event may have at most this many occurrences inside the window (a daily
#: meeting has ~460 in the importer's 15-month window)...
MAX_INSTANCES = 1_000
#: ...a whole file at most this many generated occurrences...
MAX_FILE_INSTANCES = 20_000
#: ...and expanding a file's rules may take at most this many seconds.
EXPANSION_BUDGET = 10.0
#: Steps of one rule from its DTSTART (before the window too): a daily rule from 1900 to
#: the end of the window is ~47,000, so this is never reached by a rule we accept.
MAX_RULE_STEPS = 100_000
_REFUSED_FREQUENCIES = ("SECONDLY", "MINUTELY", "HOURLY")
#: A list of more than one value in any of these repeats an event within a day.
_SUB_DAILY_PARTS = ("BYHOUR", "BYMINUTE", "BYSECOND")


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


@dataclass
class _Expansion:
    """What expanding one file's rules has spent so far, against its bounds."""

    budget: float
    seconds: float = 0.0
    occurrences: int = 0

    def check(self, started: float) -> None:
        if self.seconds + clock.monotonic() - started > self.budget:
            raise IcsError(
                f"expanding its recurring events took more than {self.budget:g} seconds; "
                "the file was refused"
            )


def parse_ics(
    data: bytes,
    source: str,
    *,
    window: tuple[datetime, datetime],
    local_zone: tzinfo,
    budget: float | None = None,
) -> ParsedCalendar:
    """Parse a whole file or refuse it whole (IcsError naming ``source``).

    ``budget`` is the time allowed for expanding recurrences (``EXPANSION_BUDGET``).
    """
    split = _split_by_uid(data)
    try:
        # One event (with its recurrence overrides) parsed at a time when the file splits
        # cleanly: a 20 MB file never becomes one 450 MB tree of components.
        calendar = Calendar.from_ical(split[0] if split else data)
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise IcsError(f"{source} is not a valid calendar file: {_short(exc)}") from None
    if calendar.name != "VCALENDAR":
        raise IcsError(f"{source} is not a calendar file (it starts with {calendar.name})")
    method = str(calendar.get("method", "PUBLISH")).upper()
    floating = _zone(str(calendar.get("x-wr-timezone", "")), local_zone)
    events: list[CalendarEvent] = []
    try:
        expansion = _Expansion(EXPANSION_BUDGET if budget is None else budget)
        if not split:
            events = _events(calendar, method, floating, window, expansion)
        for chunk in split[1:]:
            part = Calendar.from_ical(chunk)
            events += _events(part, method, floating, window, expansion)
    except ValidationError as exc:  # IcsError and check_moment's refusals alike
        raise IcsError(f"{source}: {exc}") from None
    except (ValueError, KeyError, IndexError, TypeError, AttributeError, OverflowError) as exc:
        raise IcsError(f"{source}: an event could not be read ({_short(exc)})") from None
    return ParsedCalendar(method, sorted(events, key=lambda e: (e.start, e.key)))


def _split_by_uid(data: bytes) -> list[bytes]:
    """``[header calendar, one calendar per UID…]`` built from the file's own lines, or []
    when the file is not one plain VCALENDAR (then it is parsed whole, as before).

    The header keeps the calendar's properties and every VTIMEZONE; each UID's calendar is
    the header plus that UID's VEVENTs (the master and its RECURRENCE-ID overrides), so
    parsing it alone decides exactly what parsing the whole file would.
    """
    lines = data.splitlines(keepends=True)
    stripped = [line.strip().upper() for line in lines]
    if not stripped or stripped[0].lstrip(b"\xef\xbb\xbf") != b"BEGIN:VCALENDAR":
        return []
    if stripped.count(b"BEGIN:VCALENDAR") != 1 or stripped[-1] != b"END:VCALENDAR":
        return []
    header: list[bytes] = []
    groups: dict[bytes, list[bytes]] = {}
    block: list[bytes] | None = None
    skipping = 0  # inside a component we do not read (VTODO, VJOURNAL…)
    for line, upper in zip(lines[:-1], stripped[:-1], strict=True):
        if block is not None:
            block.append(line)
            if upper == b"END:VEVENT":
                groups.setdefault(_uid_of(block), []).extend(block)
                block = None
        elif upper == b"BEGIN:VEVENT":
            block = [line]
        elif skipping or (
            upper.startswith(b"BEGIN:")
            and upper
            not in (b"BEGIN:VCALENDAR", b"BEGIN:VTIMEZONE", b"BEGIN:STANDARD", b"BEGIN:DAYLIGHT")
        ):
            skipping += upper.startswith(b"BEGIN:") - upper.startswith(b"END:")
        else:
            header.append(line)
    if block is not None or skipping:
        return []  # unbalanced: let the parser say what is wrong
    head = b"".join(header)
    end = lines[-1]
    return [head + end, *(head + b"".join(group) + end for group in groups.values())]


def _uid_of(block: list[bytes]) -> bytes:
    """The (unfolded) UID of a VEVENT's lines; b"" when it has none."""
    for index, line in enumerate(block):
        if line[:4].upper() == b"UID:" or line[:4].upper() == b"UID;":
            value = line.split(b":", 1)[1].rstrip(b"\r\n")
            for following in block[index + 1 :]:
                if following[:1] not in (b" ", b"\t"):
                    break
                value += following[1:].rstrip(b"\r\n")
            return value.strip()
    return b""


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
    calendar: Calendar,
    method: str,
    floating: tzinfo,
    window: tuple[datetime, datetime],
    expansion: _Expansion,
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
        for occurrence in _expand(component, base, window, expansion):
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
    component: object,
    base: CalendarEvent,
    window: tuple[datetime, datetime],
    expansion: _Expansion,
) -> list[CalendarEvent]:
    """The occurrences of a recurring event inside ``window``, within every bound."""
    started = clock.monotonic()
    expansion.check(started)
    get = component.get  # type: ignore[attr-defined]
    recur = get("rrule")
    rule_text = recur.to_ical().decode()
    _refuse_sub_daily(recur, rule_text, base.uid)
    excluded = _exdates(component, base.start.tzinfo or UTC, base.uid)
    duration = base.end - base.start
    start, end = window
    zone = base.start.tzinfo or UTC
    last_year = end.astimezone(zone).year + 1
    instances: list[CalendarEvent] = []
    for step, moment in enumerate(_rrulestr(rule_text, base.start, last_year)):
        expansion.check(started)
        if moment > end:
            break
        if step >= MAX_RULE_STEPS:
            raise IcsError(
                f"event {base.uid} takes more than {MAX_RULE_STEPS:,} steps of its rule "
                f"({rule_text}) to reach the import window; the file was refused"
            )
        if moment < start or moment.astimezone(UTC) in excluded:
            continue
        if len(instances) >= MAX_INSTANCES:
            raise IcsError(
                f"event {base.uid} repeats more than {MAX_INSTANCES:,} times in the import "
                f"window ({rule_text}); the file was refused"
            )
        expansion.occurrences += 1
        if expansion.occurrences > MAX_FILE_INSTANCES:
            raise IcsError(
                f"its recurring events repeat more than {MAX_FILE_INSTANCES:,} times in the "
                f"import window (reached at event {base.uid}); the file was refused"
            )
        instances.append(
            _with(
                base,
                start=moment,
                end=moment + duration,
                instance=moment.astimezone(UTC).isoformat(),
            )
        )
    expansion.seconds += clock.monotonic() - started
    return instances


def _refuse_sub_daily(recur: dict[str, list[object]], rule_text: str, uid: str) -> None:
    """Meetings never repeat within a day: FREQ=HOURLY (or finer) and a list of hours,
    minutes or seconds (``FREQ=DAILY;BYHOUR=0,1,...,23``) are refused alike."""
    frequency = str((recur.get("FREQ") or [""])[0]).upper()
    several = [part for part in _SUB_DAILY_PARTS if len(recur.get(part) or ()) > 1]
    if frequency in _REFUSED_FREQUENCIES or several:
        raise IcsError(
            f"event {uid} repeats more often than daily ({rule_text}); "
            "meetings never do, so the file was refused"
        )


def _rrulestr(rule_text: str, dtstart: datetime, last_year: int) -> Iterable[datetime]:
    """dateutil's expansion of ``rule_text``, ending with the year ``last_year``.

    dateutil walks period by period until a match past UNTIL or year 9999 (its only stop),
    so a rule that never matches costs seconds per event. Its walk reads the year limit
    from the module global ``datetime.MAXYEAR``; the private copy from ``_rrule_module``
    sees a ``datetime`` whose MAXYEAR is ``last_year``, and nothing else changes.
    """
    module = _rrule_module(last_year)
    return cast(Iterable[datetime], module.rrulestr(rule_text, dtstart=dtstart))


@lru_cache(maxsize=4)
def _rrule_module(last_year: int) -> ModuleType:
    """A private copy of ``dateutil.rrule`` (not in ``sys.modules``) whose calendar ends
    with ``last_year``; the real module, used elsewhere, is untouched."""
    spec = importlib.util.find_spec("dateutil.rrule")
    if spec is None or spec.loader is None:  # pragma: no cover - dateutil is a dependency
        raise ImportError("dateutil.rrule")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    calendar_end = ModuleType("datetime")
    calendar_end.__dict__.update(vars(datetime_module))
    calendar_end.MAXYEAR = last_year  # type: ignore[attr-defined]
    module.datetime = calendar_end  # type: ignore[attr-defined]
    return module


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
