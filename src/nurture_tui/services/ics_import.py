"""``nurture import ics FILE|DIR``: calendar files become touchpoints, idempotently.

Each file is parsed whole first and written in one atomic batch, so a malformed file
imports nothing; in a directory, one bad file is reported and the others go on. An event
whose time is out of range (year 9999 in Pago Pago is year 10000 in UTC) makes its file
malformed: the reader refuses it naming the event, never an OverflowError later.

Bounded: a file is read through ``read_bounded`` (an ordinary file of at most 20 MB; a link
to ``/dev/zero``, a FIFO or a device is refused before reading), and the reader bounds
recurrence expansion (count and time). Our own invites (``nurture invite ... --out``) are
recognised by UID (state ``invite:UID``) and reported as already known, never logged a
second time. People met alongside a partner but unknown go to the same triage queue as
sync's (state ``unmatched:EMAIL``, shown by ``nurture people``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from nurture_tui.domain.errors import NurtureError, ValidationError
from nurture_tui.domain.repository import own_rep, own_state_key
from nurture_tui.domain.text import clean_text
from nurture_tui.invites.ics_reader import CalendarEvent, parse_ics
from nurture_tui.services.bounded_files import read_bounded
from nurture_tui.services.session import Session
from nurture_tui.sync.matching import PeopleMatcher
from nurture_tui.sync.meetings import Meeting, Outcome, reconcile_meeting

SOURCE = "ics"
#: Recurrences are expanded from a year back to three months ahead.
PAST, FUTURE = timedelta(days=365), timedelta(days=92)


@dataclass
class IcsReport:
    files: int = 0
    events: int = 0
    created: int = 0
    updated: int = 0
    cancelled: int = 0
    unchanged: int = 0
    unmatched: int = 0
    #: Events that are invites Nurture wrote (same UID): already logged, left alone.
    known_invites: int = 0
    errors: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "files": self.files,
            "events": self.events,
            "created": self.created,
            "updated": self.updated,
            "cancelled": self.cancelled,
            "unchanged": self.unchanged,
            "unmatched_people": self.unmatched,
            "known_invites": self.known_invites,
            "errors": self.errors,
        }


def import_ics(session: Session, target: Path) -> IcsReport:
    if not target.exists():
        raise ValidationError(f"{target}: no such file or folder")
    files = sorted(target.rglob("*.ics")) if target.is_dir() else [target]
    report = IcsReport()
    with session.repo.change("import-ics", f"Imported meetings from {clean_text(target.name)}"):
        _import_files(session, target, files, report)
    return report


def _import_files(session: Session, target: Path, files: list[Path], report: IcsReport) -> None:
    for path in files:
        try:
            _import_file(session, path, report)
        except NurtureError as exc:
            if not target.is_dir():
                raise
            report.errors.append(str(exc))


def _import_file(session: Session, path: Path, report: IcsReport) -> None:
    data = read_bounded(path)
    now = session.now()
    parsed = parse_ics(
        data, str(path), window=(now - PAST, now + FUTURE), local_zone=session.settings.zone
    )
    del data
    settings = session.settings
    own = frozenset({settings.rep_email.lower()} - {""})
    matcher = PeopleMatcher.from_repo(session.repo, own, frozenset({settings.agency_domain} - {""}))
    outcome = Outcome(save=[], unmatched=set())
    seen = _Sequences(session)
    met: dict[str, int] = {}  # unknown address -> new meetings seen at, for the queue
    known_invites: set[str] = set()
    for event in parsed.events:
        if seen.is_invite(event.uid):
            known_invites.add(event.uid)
            continue
        if event.sequence < seen.stored(event.uid):  # the latest version wins
            outcome.unchanged += 1
            continue
        single = Outcome(save=[], unmatched=set())
        reconcile_meeting(
            _meeting(event, parsed.method),
            matcher,
            session.repo,
            source=SOURCE,
            now=now,
            keep_subject=settings.keep_subjects,
            outcome=single,
            rep=own_rep(session.repo),
        )
        _merge(outcome, single)
        for email in single.unmatched or ():
            met[email] = met.get(email, 0) + (1 if single.created else 0)
        seen.saw(event.uid, event.sequence)
    state: dict[str, dict[str, Any] | None] = {
        **seen.changed(),
        **_queue(session, met, now),
    }
    if outcome.save or state:
        session.repo.save(*outcome.save, action="import-ics", state=state)  # one batch
    report.files += 1
    report.events += len(parsed.events)
    report.created += outcome.created
    report.updated += outcome.updated
    report.cancelled += outcome.cancelled
    report.unchanged += outcome.unchanged
    report.unmatched += sum(1 for email in met if not _triaged(session, email))
    report.known_invites += len(known_invites)
    report.errors.extend(f"{path}: {warning}" for warning in outcome.warnings)


class _Sequences:
    """The SEQUENCE imported per UID and which UIDs are our own invites, read from the
    store once per file: one key listing per prefix, then one read per UID seen before
    (not per event: a recurring event has hundreds of instances)."""

    def __init__(self, session: Session) -> None:
        self._repo = session.repo
        self._invites = {key[len("invite:") :] for key in self._repo.state_keys("invite:")}
        self._known = {
            key[len("ics-sequence:") :] for key in self._repo.state_keys("ics-sequence:")
        }
        self._stored: dict[str, int] = {}
        self._new: dict[str, int] = {}

    def is_invite(self, uid: str) -> bool:
        return uid in self._invites

    def stored(self, uid: str) -> int:
        if uid not in self._known:
            return -1
        if uid not in self._stored:
            entry = self._repo.state(f"ics-sequence:{uid}") or {}
            self._stored[uid] = int(entry.get("sequence", -1))
        return self._stored[uid]

    def saw(self, uid: str, sequence: int) -> None:
        self._new[uid] = max(self._new.get(uid, 0), sequence)

    def changed(self) -> dict[str, dict[str, Any] | None]:
        return {
            f"ics-sequence:{uid}": {"sequence": sequence}
            for uid, sequence in self._new.items()
            if self.stored(uid) < sequence
        }


def _merge(total: Outcome, single: Outcome) -> None:
    total.save.extend(single.save)
    total.created += single.created
    total.updated += single.updated
    total.cancelled += single.cancelled
    total.unchanged += single.unchanged
    total.warnings.extend(single.warnings)


def _triaged(session: Session, email: str) -> bool:
    entry = session.repo.state(own_state_key(session.repo, f"unmatched:{email}")) or {}
    return bool(entry.get("ignored") or entry.get("assigned"))


def _queue(
    session: Session, met: dict[str, int], now: datetime
) -> dict[str, dict[str, Any] | None]:
    """The unmatched-people queue entries this import adds or bumps (as sync writes them:
    ``unmatched:EMAIL`` with a count, last_seen and source), so ``nurture people`` lists
    whom ``import ics`` reported. The count grows by the new meetings an address was seen
    at, so re-importing the same file changes nothing; ignored or assigned addresses are
    left alone."""
    state: dict[str, dict[str, Any] | None] = {}
    for email, meetings in sorted(met.items()):
        key = own_state_key(session.repo, f"unmatched:{email}")
        stored = session.repo.state(key)
        if stored is not None and (stored.get("ignored") or stored.get("assigned")):
            continue
        if stored is not None and not meetings:
            continue
        entry = dict(stored or {"email": email, "count": 0})
        entry["count"] = int(entry.get("count", 0)) + max(meetings, 1)
        entry["last_seen"] = now.isoformat()
        entry.setdefault("source", SOURCE)
        state[key] = entry
    return state


def _meeting(event: CalendarEvent, method: str) -> Meeting:
    return Meeting(
        external_id=event.key,
        start=event.start,
        title=event.summary,
        organizer=event.organizer,
        attendees=tuple((a.email, a.partstat) for a in event.attendees),
        cancelled=event.cancelled or method == "CANCEL",
    )
