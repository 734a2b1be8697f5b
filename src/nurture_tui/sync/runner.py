"""One sync run of one source: fetch, reconcile, and store data and cursor together.

Page by page: each page's touchpoints are written in the same transaction as the cursor
that resumes after them, so a crash or a cancel at any point keeps every page already
stored and leaves the cursor matching them; a re-run resumes and ends in the same state.
No lock is held across the network: the store's transactions serialise the writers. A
full listing that suddenly holds far fewer events than the store never mass-deletes: it
warns and asks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from nurture_tui.context import StoreContext
from nurture_tui.domain.attendance import attendance, departure, is_mine
from nurture_tui.domain.kinds import TouchpointStatus
from nurture_tui.domain.model import Touchpoint
from nurture_tui.domain.privacy import mask_references
from nurture_tui.domain.repository import own_rep, own_state_key
from nurture_tui.sync.contract import (
    CalendarPage,
    CursorExpired,
    MailPage,
    SourceError,
    SyncSource,
)
from nurture_tui.sync.mail import reconcile_message
from nurture_tui.sync.matching import PeopleMatcher
from nurture_tui.sync.meetings import (
    Outcome,
    PageView,
    external_ids,
    meeting_external_ids,
    reconcile_meeting,
)

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
    cancelled: Callable[[], bool] | None = None,
) -> SyncReport:
    """Sync calendar and sent mail; expected failures end in the report, not a traceback.

    ``progress`` hears each step ("calendar", "sent mail", "done") for a progress display.
    ``cancelled`` is asked between pages: when it says yes the run stops, keeping every
    page already stored (status ``SyncCancelled``); the next run resumes.
    """
    report = SyncReport(source.name)
    step = progress or (lambda _: None)
    stop = cancelled or (lambda: False)
    try:
        step("calendar")
        matcher = _matcher(session)  # once a run: reading every contact twice cost 0.4 s
        _sync_calendar(
            session,
            source,
            report,
            matcher,
            full=full,
            allow_deletions=allow_deletions,
            cancelled=stop,
        )
        step("sent mail")
        _sync_mail(session, source, report, matcher, full=full, cancelled=stop)
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
    matcher: PeopleMatcher,
    *,
    full: bool,
    allow_deletions: bool,
    cancelled: Callable[[], bool],
) -> None:
    key = own_state_key(session.repo, state_key(source.name, "calendar"))
    feed = _Feed(
        session, source.name, key, report, matcher, cancelled, allow_deletions=allow_deletions
    )
    cursor = feed.cursor(full)
    try:
        feed.run(_prefetched(_pages(source.fetch_calendar(cursor), CalendarPage)))
    except CursorExpired:  # the source forgot our cursor, before or between pages
        feed.listing = None
        feed.run(_prefetched(_pages(source.fetch_calendar(None), CalendarPage)))


def _sync_mail(
    session: StoreContext,
    source: SyncSource,
    report: SyncReport,
    matcher: PeopleMatcher,
    *,
    full: bool,
    cancelled: Callable[[], bool],
) -> None:
    key = own_state_key(session.repo, state_key(source.name, "mail"))
    feed = _Feed(session, source.name, key, report, matcher, cancelled)
    cursor = feed.cursor(full)
    try:
        feed.run(_prefetched(_pages(source.fetch_sent_mail(cursor), MailPage)))
    except CursorExpired:
        feed.run(_prefetched(_pages(source.fetch_sent_mail(None), MailPage)))


def _pages(result: P | Iterable[P], kind: type[P]) -> Iterator[P]:
    """A source returns one page, or yields pages each carrying the cursor to resume after
    it (a long listing: each page commits on its own)."""
    if isinstance(result, kind):
        yield result
    else:
        yield from result  # type: ignore[misc]


def _prefetched(pages: Iterator[P]) -> Iterator[P]:
    """The same pages, each next one fetched in a helper thread while this one is stored:
    the wait for the network overlaps the work on the page before.

    The source is only ever advanced by that one thread, one page ahead at most; when the
    caller stops early (a failure, a cancel), the page in flight is awaited and dropped.
    """
    done = object()
    fetcher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-fetch")
    try:
        ahead = fetcher.submit(next, pages, done)
        while (page := ahead.result()) is not done:
            ahead = fetcher.submit(next, pages, done)
            yield page  # type: ignore[misc]  # not ``done``
    finally:
        fetcher.shutdown(wait=True, cancel_futures=True)
        _close(pages)


def _close(pages: Iterator[Any]) -> None:
    """Close a generator of pages (its ``finally`` blocks run now, in this thread)."""
    close = getattr(pages, "close", None)
    if close is not None:
        close()


class SyncCancelled(SourceError):
    """The rep stopped the sync: every page already stored stays, and the next run resumes."""


class _Feed:
    """One feed (calendar or sent mail) of one run, committed page by page.

    Each page is one transaction holding its touchpoints, its unmatched people and the
    cursor that resumes after it, so a crash or a cancel keeps every page already stored
    and a re-run picks up at the next one (reconciling is idempotent, so a page seen twice
    changes nothing). A page is committed once the next one has arrived (or the listing
    ended), so the last page of a full listing commits together with its removals. No lock
    is held while fetching: the store's own transactions serialise the writers.
    """

    def __init__(
        self,
        session: StoreContext,
        source: str,
        key: str,
        report: SyncReport,
        matcher: PeopleMatcher,
        cancelled: Callable[[], bool],
        *,
        allow_deletions: bool = False,
    ) -> None:
        self.session = session
        self.repo = session.repo
        self.source = source
        self.key = key
        self.report = report
        self.cancelled = cancelled
        self.allow_deletions = allow_deletions
        self.stored = self.repo.state(key) or {}
        #: A full listing under way: its held events not listed yet (see ``_listing``).
        self.listing: dict[str, Any] | None = None
        self.counted: set[str] = set()  # unmatched people counted once per run
        self.matcher = matcher
        self.rep = own_rep(self.repo)  # whose calendar: a meeting's reps name them

    def cursor(self, full: bool) -> dict[str, Any] | None:
        """The stored cursor (None: read in full); a full listing under way resumes."""
        cursor = None if full else self.stored.get("cursor")
        self.listing = self.stored.get("listing") if cursor is not None else None
        return cursor

    def run(self, pages: Iterator[CalendarPage] | Iterator[MailPage]) -> None:
        pending: CalendarPage | MailPage | None = None
        try:
            for page in pages:
                if pending is not None:
                    self._commit(pending, last=False)
                if self.cancelled():
                    raise SyncCancelled("sync stopped; what arrived so far is kept")
                pending = page
        finally:
            _close(pages)
        if pending is not None:
            self._commit(pending, last=True)

    def _commit(self, page: CalendarPage | MailPage, *, last: bool) -> None:
        session, repo = self.session, self.repo
        now = session.now()
        keep = session.settings.keep_subjects
        outcome = Outcome(save=[], unmatched=set())
        removals: list[Touchpoint] = []
        cancelled = 0
        if isinstance(page, CalendarPage):
            ids = [m.external_id for m in page.meetings]
            wanted = [key for m in page.meetings for key in meeting_external_ids(m, self.matcher)]
            view = PageView(repo, self.source, wanted, page.removed, rep=self.rep)
            for meeting in page.meetings:
                reconcile_meeting(
                    meeting,
                    self.matcher,
                    view,
                    source=self.source,
                    now=now,
                    keep_subject=keep,
                    outcome=outcome,
                    rep=self.rep,
                )
            gone = set(page.removed)
            held = view.touchpoints
            if page.full and (absent := self._listing(ids, last)):
                gone |= absent
                held = held + repo.touchpoints_of_events(self.source, sorted(absent), rep=self.rep)
            removals, cancelled = self._departures(held, gone, outcome)
        else:
            wanted = [
                key
                for m in page.messages
                for key in external_ids(m.external_id, m.recipients, self.matcher)
            ]
            view = PageView(repo, self.source, wanted)
            for message in page.messages:
                reconcile_message(
                    message,
                    self.matcher,
                    view,
                    source=self.source,
                    keep_subject=keep,
                    outcome=outcome,
                )
        changed = [*outcome.save, *removals]
        value: dict[str, Any] = {"cursor": page.cursor}
        if self.listing is not None and not last:
            value["listing"] = self.listing
        state: dict[str, dict[str, Any] | None] = {}
        before = {k: v for k, v in self.stored.items() if k != "at"} or {"cursor": {}}
        if value != before:  # an unchanged cursor is not written: a no-change sync writes nothing
            state[self.key] = {**value, "at": now.isoformat()}
        state.update(self._unmatched(outcome, now))
        if changed or state:
            repo.save(*changed, action=f"sync-{self.source}", state=state)
            self.stored = state.get(self.key) or self.stored
            self._mask_late_references(view.participant_refs(), changed)
        report = self.report
        report.created += outcome.created
        report.updated += outcome.updated + outcome.cancelled + len(removals) - cancelled
        report.removed += cancelled
        report.unchanged += outcome.unchanged
        report.unmatched += len(outcome.unmatched or ())
        report.warnings.extend(outcome.warnings)

    def _mask_late_references(self, used: frozenset[str], written: list[Touchpoint]) -> None:
        """Mask what this page stored again when a reference was stored by someone else
        between the page's read of the references and its own commit.

        Why: the page's titles were masked with the references read just before its
        transaction, so a colleague's referral committed in that instant would otherwise
        leave its reference in the clear, in a record stored after it. Almost always
        nothing came between: the store hands back the very set it handed the page
        (carried over the page's own write), and this costs nothing.
        """
        current = self.repo.participant_refs()
        if current is used or not (current - used):
            return
        masked = [
            touch._replace(purpose=purpose)
            for touch in written
            if (purpose := mask_references(touch.purpose, current)[:200]) != touch.purpose
        ]
        if masked:
            self.repo.save(*masked, action=f"sync-{self.source}")

    def _departures(
        self, held: list[Touchpoint], gone: set[str], outcome: Outcome
    ) -> tuple[list[Touchpoint], int]:
        """The touches this rep's copies of the ``gone`` events leave (see ``departure``):
        taken off a meeting colleagues still have, or cancelling it as its last rep; and
        how many of them were cancelled. A touch this page also decided is left on top of
        that decision."""
        if not gone:
            return [], 0
        left: dict[str, Touchpoint] = {}
        for touch in held:
            if touch.id in left:
                continue
            current = outcome.decided.get(touch.external_id or "", touch)
            changed = departure(current, gone, self.rep)
            if changed is None:
                continue
            if current is not touch:  # decided on this page: replace that decision
                outcome.save[:] = [t for t in outcome.save if t is not current]
            left[touch.id] = changed
        removals = list(left.values())
        return removals, sum(t.status is TouchpointStatus.CANCELLED for t in removals)

    def _listing(self, listed: list[str], last: bool) -> set[str]:
        """A full listing (no usable cursor) leaves out the events gone at the source.

        Which of this rep's held events it has not listed yet is kept with each page's
        cursor, so a listing resumed after a crash still knows what the earlier pages
        listed. At its last page, those never listed are gone (returned), unless that
        would empty most of what we hold (a source listing nothing by mistake): then a
        warning asks. Only the rep's own copies count: on a team store a colleague's
        meetings are not in this rep's calendar, and never taken for gone.
        """
        if self.listing is None:
            events: set[str] = set()
            held = 0
            for touch in self.repo.touchpoints_from_source(self.source):
                if not _live(touch):
                    continue
                mine = {
                    e.event
                    for e in attendance(touch, self.rep)
                    if is_mine(e, self.rep) and e.event.startswith("cal:")
                }
                events |= mine
                held += bool(mine)
            self.listing = {
                "absent": sorted(events),
                "events": len(events),
                "held": held,
                "listed": 0,
            }
        absent = set(self.listing["absent"]) - set(listed)
        self.listing["absent"] = sorted(absent)
        self.listing["listed"] = int(self.listing.get("listed", 0)) + len(listed)
        if not last:
            return set()
        listing, self.listing = self.listing, None
        events_held, count = int(listing["events"]), int(listing["held"])
        if not absent:
            return set()
        kept = events_held - len(absent)
        if (
            not self.allow_deletions
            and count >= MASS_DELETE_FLOOR
            and kept < MASS_DELETE_SHARE * count
        ):
            self.report.warnings.append(
                f"{self.source} listed {listing['listed']} events but Nurture holds "
                f"{count} from it; nothing was removed. If the calendar really was "
                f"emptied, run `nurture sync {self.source} --full --allow-deletions`"
            )
            return set()
        return absent

    def _unmatched(self, outcome: Outcome, now: datetime) -> dict[str, dict[str, Any] | None]:
        """The triage queue: each unknown address met alongside a partner, once a run."""
        state: dict[str, dict[str, Any] | None] = {}
        for email in sorted((outcome.unmatched or set()) - self.counted):
            self.counted.add(email)
            key = own_state_key(self.repo, f"unmatched:{email}")
            entry = self.repo.state(key) or {"email": email, "count": 0}
            if entry.get("ignored") or entry.get("assigned"):
                continue
            entry["count"] = int(entry.get("count", 0)) + 1
            entry["last_seen"] = now.isoformat()
            entry.setdefault("source", self.source)
            state[key] = entry
        return state


def _live(touchpoint: Touchpoint) -> bool:
    return touchpoint.status is not TouchpointStatus.CANCELLED
