"""Calendar events -> touchpoints: the one reconciliation every calendar source shares.

Pure decisions over the Repository's reads: given an event and what the store holds, which
touchpoints to create, update or cancel. The caller writes them in one atomic batch, so a
re-run changes nothing (idempotent) and an interrupted run leaves no half state.

This is also the boundary where a source's times enter the domain: a meeting whose start
is outside the domain's range (``check_moment``) is skipped with a warning, so one absurd
event (year 9999 in a negative zone overflows in UTC) can neither crash a sync nor be
stored, whichever source, built in or third party, reported it.

A meeting is one touch per partner, whoever had it in their calendar: on a team store each
rep's calendar holds its own copy of the event (its own event id), and every copy carries
the meeting's iCalendar UID (and a recurring instance its original start). So a synced
meeting is keyed by that UID (``uid:<UID>|<original start>#<partner>``), and its ``reps``
say which reps have it, each under their own copy's id: rep B syncing a meeting rep A
already stored joins A's touch, and B's copy going away takes only B off it (the last rep
to go cancels it, as a cancelled meeting always did). A source that gives no UID keeps
the old key, its own event id (``<event id>#<partner>``); touches stored under that key
before UIDs were kept are found by it and re-keyed the next time their event is read.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from nurture_tui.domain.attendance import attendance, departure, is_mine
from nurture_tui.domain.errors import ValidationError
from nurture_tui.domain.kinds import TouchpointStatus, default_direction
from nurture_tui.domain.model import MeetingRep, Touchpoint
from nurture_tui.domain.privacy import mask_references
from nurture_tui.domain.repository import Repository
from nurture_tui.domain.text import clean_text
from nurture_tui.domain.validation import check_moment
from nurture_tui.sync.classify import meeting_kind
from nurture_tui.sync.matching import PeopleMatcher

#: Base32's alphabet, and the domain's id alphabet (digits and lowercase letters without
#: i, l, o, u) it is spelled in.
_BASE32 = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", "0123456789abcdefghjkmnpqrstvwxyz")


def synced_id(source: str, external_id: str) -> str:
    """The id of the touchpoint a sync makes of ``external_id``: 12 characters of the
    domain's id alphabet, derived from the source and the event (60 bits of a SHA-256).

    The same event and partner always get the same id, so a page stored twice (a crash
    between a commit and its acknowledgement, two syncs racing) can only write the same
    row again, never a second one; and deriving it costs a hash, not twelve draws from the
    system's random source (a tenth of a sync's time at 20,000 items).
    """
    digest = hashlib.sha256(f"{source}\x00{external_id}".encode()).digest()
    return base64.b32encode(digest[:10]).decode("ascii")[:12].translate(_BASE32)


class Known(Protocol):
    """What reconciling asks of the store: the whole Repository fits, and so does a
    ``PageView`` that answered a sync's page in two queries."""

    def touchpoint_by_external_id(self, source: str, external_id: str) -> Touchpoint | None: ...

    def was_deleted(self, source: str, external_id: str) -> bool: ...

    def participant_refs(self) -> frozenset[str]: ...


class PageView:
    """The store as it stands for one page of a sync: the touchpoints the page's events may
    have made, the ones the rep deleted, and the references to mask, read in bulk.

    Three queries per event (touchpoint, was-deleted, references) were most of a sync's
    time; this asks once per page, just before the page's transaction. ``events`` are
    event ids whose touchpoints are wanted whichever partner they went to (removals):
    those keyed by the event, and the meetings ``rep`` has under it (``reps``).
    """

    def __init__(
        self,
        repo: Repository,
        source: str,
        external_ids: Sequence[str],
        events: Sequence[str] = (),
        *,
        rep: str = "",
    ) -> None:
        self.source = source
        self.touchpoints = repo.touchpoints_by_external_ids(source, external_ids)
        if events:
            self.touchpoints += repo.touchpoints_of_events(source, events, rep=rep)
        self._by_id = {t.external_id: t for t in self.touchpoints if t.external_id}
        self._deleted = repo.deleted_external_ids(source, external_ids)
        self._refs = repo.participant_refs()

    def touchpoint_by_external_id(self, source: str, external_id: str) -> Touchpoint | None:
        return self._by_id.get(external_id) if source == self.source else None

    def was_deleted(self, source: str, external_id: str) -> bool:
        return source == self.source and external_id in self._deleted

    def participant_refs(self) -> frozenset[str]:
        return self._refs


def external_ids(item_id: str, emails: Iterable[str], matcher: PeopleMatcher) -> list[str]:
    """The external ids reconciling an event or message (``item_id``) with these people
    may look up: one per partner matched (``<item id>#<partner id>``)."""
    partners = {found.partner_id for email in emails if email and (found := matcher.match(email))}
    return [f"{item_id}#{partner_id}" for partner_id in sorted(partners)]


@dataclass(frozen=True, slots=True)
class Meeting:
    """A calendar event as any source reports it.

    ``external_id`` is this calendar's copy (``cal:<calendar>:<event id>``); ``uid`` the
    meeting's iCalendar UID, the same in every attendee's calendar (Google ``iCalUID``,
    Microsoft Graph ``iCalUId``, CalDAV ``UID``), "" when the source has none; and for one
    instance of a recurring meeting ``original_start``, when it was due before any move
    (Google ``originalStartTime``, Graph ``originalStart``, CalDAV ``RECURRENCE-ID``): the
    instances of a series share the UID and differ by it.
    """

    external_id: str
    start: datetime
    title: str
    organizer: str
    attendees: tuple[tuple[str, str], ...]  # (email, partstat)
    cancelled: bool = False
    uid: str = ""
    original_start: datetime | None = None


def meeting_key(meeting: Meeting) -> str | None:
    """The meeting itself, the same in every rep's calendar: ``uid:<UID>`` and, for a
    recurring instance, ``|`` and its original start in UTC; None without a UID (or with
    an original start no calendar can mean), when the event's own id is the key."""
    if not meeting.uid:
        return None
    if meeting.original_start is None:
        return f"uid:{meeting.uid}"
    try:
        original = check_moment(meeting.original_start, "original start").astimezone(UTC)
    except (ValidationError, OverflowError):
        return None
    return f"uid:{meeting.uid}|{original.isoformat()}"


def meeting_external_ids(meeting: Meeting, matcher: PeopleMatcher) -> list[str]:
    """The external ids reconciling ``meeting`` may look up: per partner matched, the
    meeting's own (by UID) and the one its event had before UIDs were kept."""
    emails = [meeting.organizer, *(email for email, _ in meeting.attendees)]
    keys = external_ids(meeting.external_id, emails, matcher)
    key = meeting_key(meeting)
    if key is None:
        return keys
    return keys + [f"{key}#{k.rpartition('#')[2]}" for k in keys]


@dataclass
class Outcome:
    """What reconciling one or more meetings decided."""

    save: list[Touchpoint]
    created: int = 0
    updated: int = 0
    cancelled: int = 0
    unchanged: int = 0
    unmatched: set[str] | None = None
    #: One line per event or message skipped because its time was unusable; the runner
    #: passes them on to the sync report.
    warnings: list[str] = field(default_factory=list)
    #: What this batch decided, by external id: a meeting met twice in one batch (in two
    #: of a rep's calendars) is decided on top of the first decision, not the store's.
    decided: dict[str, Touchpoint] = field(default_factory=dict)


def usable_time(moment: datetime, item: str, what: str, outcome: Outcome) -> bool:
    """Whether ``moment`` may enter the domain; if not, a warning in ``outcome`` says so.

    ``item`` names the event or message by its external id only: titles and subjects may
    carry participant references, and warnings end up in status files and on screen.
    ``what`` names the time ("start", "date").
    """
    try:
        check_moment(moment, what)
    except ValidationError as exc:
        outcome.warnings.append(f"skipped {item}: {exc}")
        return False
    return True


def reconcile_meeting(
    meeting: Meeting,
    matcher: PeopleMatcher,
    repo: Known,
    *,
    source: str,
    now: datetime,
    keep_subject: bool = True,
    outcome: Outcome | None = None,
    rep: str = "",
) -> Outcome:
    """Decide the touchpoints for one meeting; add them to ``outcome``.

    ``rep`` is whose calendar it came from (``own_rep``: "" on a rep's own store). A
    meeting whose start is out of range changes nothing and adds a warning instead.
    """
    outcome = outcome or Outcome(save=[], unmatched=set())
    if not usable_time(meeting.start, f"event {meeting.external_id}", "start", outcome):
        return outcome
    people = [(meeting.organizer, "ACCEPTED"), *meeting.attendees]
    by_partner: dict[str, list[tuple[str | None, str]]] = {}
    strangers: set[str] = set()
    for email, partstat in people:
        if not email or matcher.is_own(email):
            continue
        match = matcher.match(email)
        if match is None:
            strangers.add(email)
            continue
        by_partner.setdefault(match.partner_id, []).append((match.contact_id, partstat.upper()))
    if by_partner and outcome.unmatched is not None:
        outcome.unmatched |= strangers  # unknown people met alongside a partner: triage
    for partner_id, people_there in sorted(by_partner.items()):
        declined = all(partstat == "DECLINED" for _, partstat in people_there)
        contact_ids = tuple(sorted({cid for cid, _ in people_there if cid}))
        _decide(
            meeting,
            partner_id,
            contact_ids,
            meeting.cancelled or declined,
            repo,
            source=source,
            now=now,
            keep_subject=keep_subject,
            outcome=outcome,
            rep=rep,
        )
    return outcome


def _decide(
    meeting: Meeting,
    partner_id: str,
    contact_ids: tuple[str, ...],
    cancelled: bool,
    repo: Known,
    *,
    source: str,
    now: datetime,
    keep_subject: bool,
    outcome: Outcome,
    rep: str,
) -> None:
    by_event = f"{meeting.external_id}#{partner_id}"
    key = meeting_key(meeting)
    external_id = f"{key}#{partner_id}" if key else by_event
    # The meeting as this page already decided it (a rep's two calendars may both hold
    # it), else as stored: by its UID, else under this event's id from before UIDs.
    existing = outcome.decided.get(external_id)
    if existing is None:
        existing = repo.touchpoint_by_external_id(source, external_id)
    if existing is None and key:
        existing = repo.touchpoint_by_external_id(source, by_event)
    if existing is None and (
        repo.was_deleted(source, external_id) or repo.was_deleted(source, by_event)
    ):
        outcome.unchanged += 1  # a rep deleted it: it stays deleted
        return
    mine = MeetingRep(rep, meeting.external_id)
    if cancelled:
        left = departure(existing, {meeting.external_id}, rep) if existing else None
        if left is None:
            outcome.unchanged += existing is not None
            return
        _keep(left, existing, outcome)
        if left.status is TouchpointStatus.CANCELLED:
            outcome.cancelled += 1
        else:
            outcome.updated += 1
        return
    kind = meeting_kind(meeting.title)
    title = mask_references(meeting.title, repo.participant_refs()) if keep_subject else ""
    status = TouchpointStatus.PLANNED if meeting.start > now else TouchpointStatus.DONE
    fields = {
        "partner_id": partner_id,
        "kind": kind,
        "at": meeting.start,
        "contact_ids": contact_ids,
        "direction": default_direction(kind),
        "status": status,
        "purpose": clean_text(title)[:200],
    }
    if existing is not None and not keep_subject:
        colleagues = any(not is_mine(e, rep) for e in attendance(existing, rep))
        if colleagues:  # a colleague keeps subjects: not blanking theirs keeps it stable
            fields["purpose"] = existing.purpose
    # An update keeps what the rep added (a note); the source owns the rest.
    wanted = (
        existing._replace(
            external_id=external_id,
            reps=tuple(sorted({*attendance(existing, rep), mine})),
            **fields,  # type: ignore[arg-type]
        )
        if existing
        else Touchpoint(
            id=synced_id(source, external_id),
            source=source,
            external_id=external_id,
            reps=(mine,),
            **fields,  # type: ignore[arg-type]
        )
    )
    if existing is not None and _same(existing, wanted):
        outcome.unchanged += 1
        return
    _keep(wanted, existing, outcome)
    if existing is None:
        outcome.created += 1
    else:
        outcome.updated += 1


def _keep(touch: Touchpoint, existing: Touchpoint | None, outcome: Outcome) -> None:
    """Add ``touch`` to what the page saves, in place of an earlier decision about it."""
    if existing is not None and outcome.decided.get(touch.external_id or "") is existing:
        outcome.save[:] = [t for t in outcome.save if t is not existing]
    outcome.save.append(touch)
    outcome.decided[touch.external_id or ""] = touch


def _same(old: Touchpoint, new: Touchpoint) -> bool:
    # Rep-typed notes on a synced touch are kept: compare only what the source owns.
    owned = ("partner_id", "kind", "at", "contact_ids", "status", "purpose", "external_id", "reps")
    return all(getattr(old, name) == getattr(new, name) for name in owned)
