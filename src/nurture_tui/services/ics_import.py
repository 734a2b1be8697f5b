"""``nurture import ics FILE|DIR``: calendar files become touchpoints, idempotently.

Each file is parsed whole first and written in one atomic batch, so a malformed file
imports nothing; in a directory, one bad file is reported and the others go on. An event
whose time is out of range (year 9999 in Pago Pago is year 10000 in UTC) makes its file
malformed: the reader refuses it naming the event, never an OverflowError later.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from nurture_tui.domain.errors import NurtureError, ValidationError
from nurture_tui.invites.ics_reader import CalendarEvent, parse_ics
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
            "errors": self.errors,
        }


def import_ics(session: Session, target: Path) -> IcsReport:
    if not target.exists():
        raise ValidationError(f"{target}: no such file or folder")
    files = sorted(target.rglob("*.ics")) if target.is_dir() else [target]
    report = IcsReport()
    for path in files:
        try:
            _import_file(session, path, report)
        except NurtureError as exc:
            if not target.is_dir():
                raise
            report.errors.append(str(exc))
    return report


def _import_file(session: Session, path: Path, report: IcsReport) -> None:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValidationError(f"{path} cannot be read: {exc.strerror}") from None
    now = session.now()
    parsed = parse_ics(
        data, str(path), window=(now - PAST, now + FUTURE), local_zone=session.settings.zone
    )
    settings = session.settings
    own = frozenset({settings.rep_email.lower()} - {""})
    matcher = PeopleMatcher.from_repo(session.repo, own, frozenset({settings.agency_domain} - {""}))
    outcome = Outcome(save=[], unmatched=set())
    sequences: dict[str, int] = {}
    for event in parsed.events:
        if _is_stale(session, event):
            outcome.unchanged += 1
            continue
        reconcile_meeting(
            _meeting(event, parsed.method),
            matcher,
            session.repo,
            source=SOURCE,
            now=now,
            keep_subject=settings.keep_subjects,
            outcome=outcome,
        )
        sequences[event.uid] = max(sequences.get(event.uid, 0), event.sequence)
    state: dict[str, dict[str, object] | None] = {
        f"ics-sequence:{uid}": {"sequence": sequence}
        for uid, sequence in sequences.items()
        if (session.repo.state(f"ics-sequence:{uid}") or {}).get("sequence", -1) < sequence
    }
    if outcome.save or state:
        session.repo.save(*outcome.save, action="import-ics", state=state)  # one batch
    report.files += 1
    report.events += len(parsed.events)
    report.created += outcome.created
    report.updated += outcome.updated
    report.cancelled += outcome.cancelled
    report.unchanged += outcome.unchanged
    report.unmatched += len(outcome.unmatched or ())
    report.errors.extend(f"{path}: {warning}" for warning in outcome.warnings)


def _is_stale(session: Session, event: CalendarEvent) -> bool:
    """An older SEQUENCE than one already imported: the latest version wins."""
    seen = (session.repo.state(f"ics-sequence:{event.uid}") or {}).get("sequence", -1)
    return bool(event.sequence < seen)


def _meeting(event: CalendarEvent, method: str) -> Meeting:
    return Meeting(
        external_id=event.key,
        start=event.start,
        title=event.summary,
        organizer=event.organizer,
        attendees=tuple((a.email, a.partstat) for a in event.attendees),
        cancelled=event.cancelled or method == "CANCEL",
    )
