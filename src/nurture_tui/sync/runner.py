"""One sync run of one source: fetch, reconcile, and store data and cursor together.

The cursor is written in the same atomic batch as the touchpoints it covers, so a crash at
any point leaves either the old cursor with the old data or the new cursor with the new
data; a re-run ends in the same state. A full listing that suddenly holds far fewer events
than the store never mass-deletes: it warns and asks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from nurture_tui.context import StoreContext
from nurture_tui.domain.kinds import TouchpointStatus
from nurture_tui.domain.model import Touchpoint
from nurture_tui.sync.mail import reconcile_message
from nurture_tui.sync.matching import PeopleMatcher
from nurture_tui.sync.meetings import Outcome, reconcile_meeting
from nurture_tui.sync.ports import CalendarPage, CursorExpired, SourceError, SyncSource

P = TypeVar("P")

#: A full listing with fewer than this share of the events we hold is suspicious...
MASS_DELETE_SHARE = 0.5
#: ...once we hold at least this many.
MASS_DELETE_FLOOR = 10


@dataclass
class SyncReport:
    source: str
    created: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    unmatched: int = 0
    status: str = "ok"
    message: str = ""
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "status": self.status,
            "message": self.message,
            "new": self.created,
            "updated": self.updated,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "unmatched": self.unmatched,
            "warnings": self.warnings,
        }


def state_key(source: str, feed: str) -> str:
    return f"sync:{source}:{feed}"


def run_sync(
    session: StoreContext,
    source: SyncSource,
    *,
    full: bool = False,
    allow_deletions: bool = False,
    progress: Callable[[str], None] | None = None,
) -> SyncReport:
    """Sync calendar and sent mail; expected failures end in the report, not a traceback.

    ``progress`` hears each step ("calendar", "sent mail", "done") for a progress display.
    """
    report = SyncReport(source.name)
    step = progress or (lambda _: None)
    try:
        step("calendar")
        _sync_calendar(session, source, report, full=full, allow_deletions=allow_deletions)
        step("sent mail")
        _sync_mail(session, source, report, full=full)
        step("done")
    except SourceError as exc:
        report.status = type(exc).__name__
        report.message = str(exc)
    return report


def _matcher(session: StoreContext) -> PeopleMatcher:
    settings = session.settings
    return PeopleMatcher.from_repo(
        session.repo,
        frozenset({settings.rep_email.lower()} - {""}),
        frozenset({settings.agency_domain.lower()} - {""}),
    )


def _sync_calendar(
    session: StoreContext,
    source: SyncSource,
    report: SyncReport,
    *,
    full: bool,
    allow_deletions: bool,
) -> None:
    key = state_key(source.name, "calendar")
    page = _fetch(session, key, source.fetch_calendar, full)
    now = session.now()
    matcher = _matcher(session)
    outcome = Outcome(save=[], unmatched=set())
    for meeting in page.meetings:
        reconcile_meeting(
            meeting,
            matcher,
            session.repo,
            source=source.name,
            now=now,
            keep_subject=session.settings.keep_subjects,
            outcome=outcome,
        )
    removals = _removals(session, source.name, page, report, allow_deletions)
    report.removed += len(removals)
    _store(session, source.name, key, page.cursor, outcome, removals, report, now)


def _sync_mail(session: StoreContext, source: SyncSource, report: SyncReport, *, full: bool) -> None:
    key = state_key(source.name, "mail")
    page = _fetch(session, key, source.fetch_sent_mail, full)
    matcher = _matcher(session)
    outcome = Outcome(save=[], unmatched=set())
    for message in page.messages:
        reconcile_message(
            message,
            matcher,
            session.repo,
            source=source.name,
            keep_subject=session.settings.keep_subjects,
            outcome=outcome,
        )
    _store(session, source.name, key, page.cursor, outcome, [], report, session.now())


def _fetch(
    session: StoreContext, key: str, fetch: Callable[[dict[str, Any] | None], P], full: bool
) -> P:
    """One feed from its stored cursor; a cursor the source forgot means a full read."""
    stored = session.repo.state(key)
    cursor = None if full or stored is None else stored.get("cursor")
    try:
        return fetch(cursor)
    except CursorExpired:
        return fetch(None)


def _removals(
    session: StoreContext, source: str, page: CalendarPage, report: SyncReport, allow: bool
) -> list[Touchpoint]:
    """Touchpoints whose events are gone at the source (or absent from a full listing)."""
    held = [
        t
        for t in session.repo.touchpoints_from_source(source)
        if t.external_id
        and t.external_id.startswith("cal:")
        and t.status is not TouchpointStatus.CANCELLED
    ]
    gone_ids = set(page.removed)
    if page.full:
        listed = {m.external_id for m in page.meetings}
        absent = {t.external_id.split("#")[0] for t in held if t.external_id} - listed
        kept = len({t.external_id.split("#")[0] for t in held if t.external_id}) - len(absent)
        if not allow and len(held) >= MASS_DELETE_FLOOR and kept < MASS_DELETE_SHARE * len(held):
            report.warnings.append(
                f"{source} listed {len(page.meetings)} events but Nurture holds {len(held)} "
                "from it; nothing was removed. If the calendar really was emptied, run "
                f"`nurture sync {source} --full --allow-deletions`"
            )
            absent = set()
        gone_ids |= absent
    return [
        t._replace(status=TouchpointStatus.CANCELLED)
        for t in held
        if t.external_id and t.external_id.split("#")[0] in gone_ids
    ]


def _store(
    session: StoreContext,
    source: str,
    key: str,
    cursor: dict[str, Any],
    outcome: Outcome,
    removals: list[Touchpoint],
    report: SyncReport,
    now: datetime,
) -> None:
    """Touchpoints, the unmatched queue and the cursor: one atomic batch."""
    state: dict[str, dict[str, Any] | None] = {key: {"cursor": cursor, "at": now.isoformat()}}
    for email in sorted(outcome.unmatched or ()):
        entry = session.repo.state(f"unmatched:{email}") or {"email": email, "count": 0}
        if entry.get("ignored") or entry.get("assigned"):
            continue
        entry["count"] = int(entry.get("count", 0)) + 1
        entry["last_seen"] = now.isoformat()
        entry.setdefault("source", source)
        state[f"unmatched:{email}"] = entry
    changed = [*outcome.save, *removals]
    stored = session.repo.state(key)
    if changed or (stored or {}).get("cursor", {}) != cursor or len(state) > 1:
        session.repo.save(*changed, action=f"sync-{source}", state=state)
    report.created += outcome.created
    report.updated += outcome.updated + outcome.cancelled
    report.unchanged += outcome.unchanged
    report.unmatched += len(outcome.unmatched or ())
    report.warnings.extend(outcome.warnings)
