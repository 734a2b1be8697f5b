"""Sync as a use case: find installed sources, run them, keep a status file, triage people.

The last-run status lives in ``sync-status.json`` beside the store, not in it: a sync that
finds nothing new must not write to the store at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Protocol

import orjson

from nurture_tui.domain.errors import NotFoundError, NurtureError, ValidationError
from nurture_tui.services import records
from nurture_tui.services.session import Session
from nurture_tui.store.files import atomic_write
from nurture_tui.sync.ports import SyncSource
from nurture_tui.sync.runner import SyncReport, run_sync

GROUP = "nurture_tui.sources"


class SourceFactory(Protocol):
    """What an entry point in ``nurture_tui.sources`` resolves to."""

    def __call__(self, session: Session) -> SyncSource: ...


@dataclass(frozen=True)
class InstalledSource:
    name: str
    target: str  # module:attribute
    distribution: str


def installed_sources() -> list[InstalledSource]:
    found = []
    for ep in entry_points(group=GROUP):
        dist = ep.dist.name if ep.dist else "?"
        found.append(InstalledSource(ep.name, ep.value, dist))
    return sorted(found, key=lambda s: s.name)


def load_source(session: Session, name: str) -> SyncSource:
    for ep in entry_points(group=GROUP):
        if ep.name == name:
            factory: SourceFactory = ep.load()
            return factory(session)
    names = ", ".join(s.name for s in installed_sources()) or "none"
    raise NotFoundError(f"no sync source named {name!r} is installed (installed: {names})")


def configured_sources(session: Session) -> list[str]:
    """Sources the rep has signed in to or configured (their state says so)."""
    return [s.name for s in installed_sources() if session.repo.state(f"source:{s.name}")]


def status_file(session: Session) -> Path:
    directory = session.repo.directory
    return directory / "sync-status.json"


def read_status(session: Session) -> dict[str, Any]:
    path = status_file(session)
    try:
        loaded: dict[str, Any] = orjson.loads(path.read_bytes())
        return loaded
    except (FileNotFoundError, orjson.JSONDecodeError):
        return {}


def record_status(session: Session, report: SyncReport, at: datetime) -> None:
    status = read_status(session)
    status[report.source] = {"at": at.isoformat(), **report.as_json()}
    atomic_write(status_file(session), orjson.dumps(status, option=orjson.OPT_INDENT_2))


def setup_failed(session: Session, name: str, error: NurtureError) -> SyncReport:
    """A source that could not even start (no password stored, not installed): recorded in
    the sync status like any run, so the Sync screen and `nurture sources` show it."""
    report = SyncReport(name, status="SetupFailed", message=str(error))
    record_status(session, report, session.now())
    return report


def sync(
    session: Session,
    source: SyncSource,
    *,
    full: bool = False,
    allow_deletions: bool = False,
    progress: Callable[[str], None] | None = None,
) -> SyncReport:
    # One change, however many pages and feeds: undo reverts the whole run, never one by one.
    with session.repo.change(f"sync-{source.name}", f"Synced {source.name}"):
        report = run_sync(
            session, source, full=full, allow_deletions=allow_deletions, progress=progress
        )
    record_status(session, report, session.now())
    return report


# --- the unmatched people queue ------------------------------------------------------------


@dataclass(frozen=True)
class UnmatchedPerson:
    email: str
    count: int
    last_seen: str
    source: str


def unmatched_people(session: Session) -> list[UnmatchedPerson]:
    people = []
    for key in session.repo.state_keys("unmatched:"):
        entry = session.repo.state(key) or {}
        if entry.get("ignored") or entry.get("assigned"):
            continue
        people.append(
            UnmatchedPerson(
                entry.get("email", key[10:]),
                int(entry.get("count", 0)),
                str(entry.get("last_seen", "")),
                str(entry.get("source", "")),
            )
        )
    return sorted(people, key=lambda p: (-p.count, p.email))


def ignore_person(session: Session, email: str) -> None:
    """Never queue this address again (remembered)."""
    key = f"unmatched:{email.lower()}"
    entry = session.repo.state(key) or {"email": email.lower()}
    session.repo.put_state(key, {**entry, "ignored": True})


def assign_person(
    session: Session,
    email: str,
    partner_id: str,
    contact_id: str | None = None,
    name: str | None = None,
) -> str:
    """Give the address to a contact (or a new contact at the partner); returns the contact."""
    email = email.lower()
    repo = session.repo
    pid = repo.resolve("partner", partner_id)
    if contact_id:
        contact = repo.contact(repo.resolve("contact", contact_id))
        if contact.partner_id != pid:
            raise ValidationError(f"{contact.name} works at another partner")
        if email not in contact.emails:
            contact = records.edit_contact(session, contact.id, emails=(*contact.emails, email))
    else:
        local = email.split("@")[0].replace(".", " ").replace("_", " ")
        contact = records.add_contact(session, pid, name or local.title() or email, emails=[email])
    key = f"unmatched:{email}"
    entry = repo.state(key) or {"email": email}
    repo.put_state(key, {**entry, "assigned": contact.id})
    return contact.id
