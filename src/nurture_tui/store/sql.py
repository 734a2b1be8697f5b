"""The Repository on SQL (SQLAlchemy Core): SQLite by default, PostgreSQL for a team.

Single-record questions (a partner, its history, a contact by email) are indexed queries,
so ``nurture log`` costs the same on 5 partners as on 5,000. The board and the playbook ask
for every partner's history at once: that is one query per table, kept as a snapshot
stamped with the store's revision and patched in place after this process's own writes,
so a save in the TUI does not reload 250,000 touchpoints.
"""

from __future__ import annotations

import functools
import operator
import threading
from collections import namedtuple
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

import orjson
from sqlalchemy import (
    Engine,
    String,
    Table,
    Text,
    and_,
    bindparam,
    cast,
    delete,
    func,
    insert,
    or_,
    select,
    true,
    tuple_,
    update,
)
from sqlalchemy import exc as sa_exc
from sqlalchemy import text as sql_text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from nurture_tui.domain.changes import (
    Change,
    NothingToUndoError,
    default_summary,
    describe_undo,
)
from nurture_tui.domain.collector import collector_paused
from nurture_tui.domain.errors import AmbiguousIdError, EditConflict, NotFoundError, StoreError
from nurture_tui.domain.model import (
    Contact,
    Dismissal,
    Partner,
    PartnerHistory,
    Referral,
    Touchpoint,
)
from nurture_tui.domain.repository import Record
from nurture_tui.store import images
from nurture_tui.store import rows as r
from nurture_tui.store import schema as s
from nurture_tui.store.database import WritesCrossed, plain_errors
from nurture_tui.store.listen import CHANNEL, ChangeListener

#: Past this many partners touched by one write, the board's snapshot is reloaded whole
#: rather than patched (a sync's first page, an import).
_PATCH_LIMIT = 200
#: SQLite allows 32,766 bound parameters; IN lists stay well below.
_CHUNK = 500

_KIND_TABLES: dict[str, Table] = {
    "partner": s.partners,
    "contact": s.contacts,
    "touchpoint": s.touchpoints,
    "referral": s.referrals,
}
_TOUCHPOINT_SELECT = select(*(s.touchpoints.c[name] for name in r.TOUCHPOINT_COLUMNS))
#: The change log keeps this many changes (history and undo need only the newest few).
_KEEP_CHANGES = 1_000
_LIVE_REFERRAL = s.referrals.c.deleted.is_(False)


@dataclass
class _OpenChange:
    """A change several writes join (``SqlRepository.change``): a sync run is one change."""

    action: str
    summary: str
    seq: int | None = None
    positions: int = 0


@dataclass
class _Snapshot:
    """Every partner's history, as of ``revision`` (lists are replaced, never mutated)."""

    revision: int
    partners: dict[str, Partner]
    contacts: dict[str, list[Contact]] = field(default_factory=dict)
    touchpoints: dict[str, list[Touchpoint]] = field(default_factory=dict)
    referrals: dict[str, list[Referral]] = field(default_factory=dict)


class SqlRepository:
    """The Repository port over a SQLAlchemy engine (see module docstring)."""

    def __init__(
        self, engine: Engine, *, directory: Path, location: str, actor: str = "nurture"
    ) -> None:
        self._engine = engine
        self._directory = directory
        self._where = location
        self.actor = actor
        self._lock = threading.RLock()
        self._snapshot: _Snapshot | None = None
        #: (the file's identity, the revision, the references): a restore swaps the file,
        #: and the restored file's revisions may reach the cached number again.
        self._refs: tuple[tuple[int, int] | None, int, frozenset[str]] | None = None
        self._open = threading.local()
        self._identity = self._file_identity()
        self._seen_revision = self.revision

    # ------------------------------------------------------------- plumbing
    @property
    def directory(self) -> Path:
        return self._directory

    def _file_identity(self) -> tuple[int, int] | None:
        """The SQLite file's (device, inode); None for a server database."""
        database = self._engine.url.database
        if self._engine.dialect.name != "sqlite" or not database:
            return None
        try:
            st = Path(database).stat()
        except OSError:
            return None
        return st.st_dev, st.st_ino

    @property
    def location(self) -> str:
        """The database, as shown to the rep: a file path or a URL without its password."""
        return self._where

    @property
    def engine(self) -> Engine:
        return self._engine

    def _follow_file(self) -> None:
        """If a restore swapped the database file, drop connections to the old one first:
        a write must never be acknowledged into the file the restore moved aside."""
        identity = self._file_identity()
        if identity != self._identity:
            self._engine.dispose()
            self._snapshot = None
            self._refs = None  # the restored file's revisions may repeat the old file's
            self._identity = identity

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        self._follow_file()
        with plain_errors(self._where), self._engine.connect() as connection:
            yield connection

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        self._follow_file()
        with (
            plain_errors(self._where),
            self._engine.connect().execution_options(write=True) as connection,
            connection.begin(),
        ):
            yield connection

    @property
    def revision(self) -> int:
        """Grows with every committed write, ours or another process's."""
        with self._read() as c:
            return int(c.execute(select(s.meta.c.value).where(s.meta.c.key == "revision")).one()[0])

    def refresh(self) -> bool:
        """True when someone wrote since the last call (reads are always current).

        A restore swaps the database file under an open app: pooled connections would go on
        using the old file, so they are dropped when the file is a different one.
        """
        revision = self.revision  # (reading follows a swapped file first)
        changed = revision != self._seen_revision
        self._seen_revision = revision
        return changed

    def close(self) -> None:
        self._engine.dispose()

    # -------------------------------------------------------------- lookups
    def partners(self, *, include_archived: bool = False) -> list[Partner]:
        query = select(s.partners)
        if not include_archived:
            query = query.where(s.partners.c.archived.is_(False))
        with self._read() as c:
            found = [r.partner_from_row(row) for row in c.execute(query)]
        return sorted(found, key=_by_name)

    def partner(self, partner_id: str) -> Partner:
        return r.partner_from_row(self._one(s.partners, "partner", partner_id))

    def contact(self, contact_id: str) -> Contact:
        return r.contact_from_row(self._one(s.contacts, "contact", contact_id))

    def touchpoint(self, touchpoint_id: str) -> Touchpoint:
        query = _TOUCHPOINT_SELECT.where(s.touchpoints.c.id == touchpoint_id)
        with self._read() as c:
            row = c.execute(query).first()
        if row is None:
            raise NotFoundError(f"no touchpoint with id {touchpoint_id!r}")
        return r.touchpoint_from_values(row)

    def referral(self, referral_id: str) -> Referral:
        with self._read() as c:
            row = c.execute(
                select(s.referrals).where(s.referrals.c.id == referral_id, _LIVE_REFERRAL)
            ).first()
        if row is None:
            raise NotFoundError(f"no referral with id {referral_id!r}")
        return r.referral_from_row(row)

    def _one(self, table: Table, what: str, rid: str) -> Any:
        with self._read() as c:
            row = c.execute(select(table).where(table.c.id == rid)).first()
        if row is None:
            raise NotFoundError(f"no {what} with id {rid!r}")
        return row

    def resolve(self, kind: str, id_or_prefix: str) -> str:
        """A full id from a unique prefix, as in git."""
        table = _KIND_TABLES[kind]
        prefix = id_or_prefix.strip().lower()
        if not prefix:
            raise NotFoundError(f"no {kind} id given")
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        live = _LIVE_REFERRAL if table is s.referrals else true()
        with self._read() as c:
            if c.execute(select(table.c.id).where(table.c.id == prefix, live)).first():
                return prefix
            matches = [
                row[0]
                for row in c.execute(
                    select(table.c.id)
                    .where(table.c.id.like(f"{escaped}%", escape="\\"), live)
                    .order_by(table.c.id)
                    .limit(6)
                )
            ]
        if not matches:
            raise NotFoundError(f"no {kind} has an id starting with {id_or_prefix!r}")
        if len(matches) > 1:
            with self._read() as c:
                count = c.execute(
                    select(func.count()).where(table.c.id.like(f"{escaped}%", escape="\\"), live)
                ).scalar_one()
            shown = ", ".join(matches[:5])
            raise AmbiguousIdError(
                f"{id_or_prefix!r} matches {count} {kind}s ({shown}); type more of the id"
            )
        return str(matches[0])

    def contacts(self, partner_id: str | None = None) -> list[Contact]:
        query = select(s.contacts).where(s.contacts.c.archived.is_(False))
        if partner_id is not None:
            query = query.where(s.contacts.c.partner_id == partner_id)
        with self._read() as c:
            found = [r.contact_from_row(row) for row in c.execute(query)]
        return sorted(found, key=_by_name)

    def contact_addresses(self) -> list[tuple[str, str, str]]:
        c_ = s.contacts.c
        query = select(c_.name, c_.id, c_.partner_id, c_.emails).where(c_.archived.is_(False))
        with self._read() as c:
            rows = [(name.lower(), cid, pid, emails) for name, cid, pid, emails in c.execute(query)]
        rows.sort(key=_NAME_AND_ID)  # ``contacts()`` order: name (case ignored), then id
        return [(email, pid, cid) for _, cid, pid, emails in rows for email in r.json_tuple(emails)]

    def partner_domains(self) -> list[tuple[str, tuple[str, ...]]]:
        p_ = s.partners.c
        query = select(p_.name, p_.id, p_.domains).where(p_.archived.is_(False))
        with self._read() as c:
            rows = [(name.lower(), pid, domains) for name, pid, domains in c.execute(query)]
        rows.sort(key=_NAME_AND_ID)  # ``partners()`` order
        return [(pid, r.json_tuple(domains)) for _, pid, domains in rows]

    def contact_by_email(self, email: str) -> Contact | None:
        query = (
            select(s.contacts)
            .join(s.contact_emails, s.contact_emails.c.contact_id == s.contacts.c.id)
            .where(s.contact_emails.c.email == email.lower())
            .order_by(s.contacts.c.archived, s.contacts.c.id)
            .limit(1)
        )
        with self._read() as c:
            row = c.execute(query).first()
        return r.contact_from_row(row) if row is not None else None

    def touchpoints(self, partner_id: str) -> Sequence[Touchpoint]:
        """A partner's touchpoints, oldest first."""
        query = _TOUCHPOINT_SELECT.where(s.touchpoints.c.partner_id == partner_id).order_by(
            s.touchpoints.c.at, s.touchpoints.c.id
        )
        with self._read() as c:
            return [r.touchpoint_from_values(row) for row in c.execute(query)]

    def touchpoint_count(self) -> int:
        with self._read() as c:
            return int(c.execute(select(func.count()).select_from(s.touchpoints)).scalar_one())

    def touchpoint_by_external_id(self, source: str, external_id: str) -> Touchpoint | None:
        query = _TOUCHPOINT_SELECT.where(
            s.touchpoints.c.source == source, s.touchpoints.c.external_id == external_id
        ).limit(1)
        with self._read() as c:
            row = c.execute(query).first()
        return r.touchpoint_from_values(row) if row is not None else None

    def touchpoints_from_source(self, source: str) -> list[Touchpoint]:
        """Every touchpoint a sync source created (for removals and mass-delete checks)."""
        query = _TOUCHPOINT_SELECT.where(
            s.touchpoints.c.source == source, s.touchpoints.c.external_id.is_not(None)
        )
        with self._read() as c:
            return [r.touchpoint_from_values(row) for row in c.execute(query)]

    def touchpoints_by_external_ids(
        self, source: str, external_ids: Sequence[str]
    ) -> list[Touchpoint]:
        """``touchpoint_by_external_id`` for a whole page of a sync, in one query a chunk."""
        column = s.touchpoints.c.external_id
        query = _TOUCHPOINT_SELECT.where(
            s.touchpoints.c.source == source, column.in_(bindparam("ids", expanding=True))
        )
        with self._read() as c:
            return [
                r.touchpoint_from_values(row)
                for chunk in _chunks(sorted(set(external_ids)))
                for row in c.execute(query, {"ids": chunk})
            ]

    def deleted_external_ids(self, source: str, external_ids: Sequence[str]) -> set[str]:
        """``was_deleted`` for a whole page of a sync: the ids among these the rep deleted."""
        table = s.deleted_events
        query = select(table.c.external_id).where(
            table.c.source == source, table.c.external_id.in_(bindparam("ids", expanding=True))
        )
        with self._read() as c:
            return {
                row[0]
                for chunk in _chunks(sorted(set(external_ids)))
                for row in c.execute(query, {"ids": chunk})
            }

    def touchpoints_of_events(
        self, source: str, event_ids: Sequence[str], *, rep: str | None = None
    ) -> list[Touchpoint]:
        """Every touchpoint a sync made of these events (external ids ``<event id>#...``),
        whichever partners they went to: for events gone at the source. Given ``rep``,
        also the meetings whose ``reps`` name one of these events as that rep's copy (or
        the unnamed rep's, ""; ``rep`` "" takes every rep's)."""
        column = s.touchpoints.c.external_id
        dialect = self._engine.dialect.name
        found: list[Touchpoint] = []
        with self._read() as c:
            for chunk in _chunks(sorted(set(event_ids)), 200):
                # SQLite compares text by code point, so a prefix is an index range ('#' <
                # '$'); a server's collation may not be code-point order: a LIKE there.
                if dialect == "sqlite":
                    clause = or_(*(and_(column >= f"{e}#", column < f"{e}$") for e in chunk))
                else:
                    clause = or_(*(column.startswith(f"{e}#", autoescape=True) for e in chunk))
                query = _TOUCHPOINT_SELECT.where(s.touchpoints.c.source == source, clause)
                found.extend(r.touchpoint_from_values(row) for row in c.execute(query))
            if rep is not None and event_ids:
                seen = {t.id for t in found}
                found += [t for t in self._attended(c, source, rep, event_ids) if t.id not in seen]
        return found

    @staticmethod
    def _attended(
        c: Connection, source: str, rep: str, event_ids: Sequence[str]
    ) -> list[Touchpoint]:
        """The meetings whose ``reps`` give one of ``event_ids`` as ``rep``'s (or "")'s copy.

        One pass over the ``reps`` cells of the source's meetings (narrowed in SQL to the
        rep's, on a team store), matched here: a LIKE per event would pass over every
        touch once per event (seconds for a series of 100 deleted at once).
        """
        cell = s.touchpoints.c.reps
        query = select(s.touchpoints.c.id, cell).where(s.touchpoints.c.source == source, cell != "")
        if rep:
            query = query.where(
                or_(
                    cell.contains(orjson.dumps([rep]).decode()[:-1] + ",", autoescape=True),
                    cell.contains('["",', autoescape=True),
                )
            )
        wanted = set(event_ids)
        ids = [
            tid
            for tid, text in c.execute(query)
            if any(
                e.event in wanted and (not rep or e.rep in (rep, "")) for e in r.reps_of_cell(text)
            )
        ]
        return [
            r.touchpoint_from_values(row)
            for chunk in _chunks(ids)
            for row in c.execute(_TOUCHPOINT_SELECT.where(s.touchpoints.c.id.in_(chunk)))
        ]

    def planned_before(self, moment: datetime) -> list[Touchpoint]:
        """Planned touchpoints whose time has passed (they become done)."""
        query = _TOUCHPOINT_SELECT.where(
            s.touchpoints.c.status == "planned", s.touchpoints.c.at <= moment.timestamp()
        )
        with self._read() as c:
            return [r.touchpoint_from_values(row) for row in c.execute(query)]

    def last_touch_times(self) -> dict[str, datetime]:
        """Each partner's latest done touch. Asked per partner, newest first on the
        (partner, time) index, stopping at the first done one: 5,000 short index walks
        (~40 ms at 250,000 touchpoints) where a GROUP BY over the status index visited every
        touchpoint's row (~1 s)."""
        t = s.touchpoints
        latest = (
            select(t.c.at)
            .where(t.c.partner_id == s.partners.c.id, t.c.status == "done")
            .order_by(t.c.at.desc())
            .limit(1)
            .scalar_subquery()
        )
        with self._read() as c:
            return {
                pid: datetime.fromtimestamp(at, UTC)
                for pid, at in c.execute(select(s.partners.c.id, latest))
                if at is not None
            }

    def referral_counts_since(self, day: date) -> dict[str, int]:
        query = (
            select(s.referrals.c.partner_id, func.count())
            .where(s.referrals.c.received >= day, _LIVE_REFERRAL)
            .group_by(s.referrals.c.partner_id)
        )
        with self._read() as c:
            return {pid: int(count) for pid, count in c.execute(query)}

    def referrals(self, partner_id: str | None = None) -> list[Referral]:
        query = (
            select(s.referrals)
            .where(_LIVE_REFERRAL)
            .order_by(s.referrals.c.received, s.referrals.c.id)
        )
        if partner_id is not None:
            query = query.where(s.referrals.c.partner_id == partner_id)
        with self._read() as c:
            return [r.referral_from_row(row) for row in c.execute(query)]

    def participant_refs(self) -> frozenset[str]:
        """Every reference, for masking free text; cached per revision (a sync or an import
        asks once per meeting, and reading 8,000 referrals each time dominated it)."""
        with self._read() as c:
            revision = int(
                c.execute(select(s.meta.c.value).where(s.meta.c.key == "revision")).one()[0]
            )
            identity, cached = self._identity, self._refs
            if cached is not None and cached[:2] == (identity, revision):
                return cached[2]
            # Through the driver's own cursor: SQLAlchemy's rows cost 25 ms for 8,000
            # references, and a sync asks again after each page it commits.
            cursor = c.connection.cursor()
            try:
                cursor.execute("SELECT participant_ref FROM referrals")  # the set dedups
                refs = frozenset(row[0] for row in cursor.fetchall())
            finally:
                cursor.close()
        self._refs = (identity, revision, refs)
        return refs

    def _carry_refs(
        self, written_to: tuple[int, int] | None, revision: int, *, wrote_referrals: bool
    ) -> None:
        """Keep the cached references current across this store's own write at
        ``revision`` to the file ``written_to`` (its identity) when it wrote no referral
        and the cache was of that file, current just before the write.

        Why it is safe: every write that commits takes the next revision, in the order of
        the commits, so a cache at ``revision - 1`` saw everything but this write, and this
        write changed no reference. Why it matters: a sync commits a page at a time, and
        re-reading 8,000 references after each of its own pages was a tenth of its time.
        """
        cached = self._refs
        if cached is not None and not wrote_referrals and cached[:2] == (written_to, revision - 1):
            self._refs = (written_to, revision, cached[2])

    def dismissals(self) -> list[Dismissal]:
        with self._read() as c:
            return [r.dismissal_from_row(row) for row in c.execute(select(s.dismissals))]

    def state(self, key: str) -> dict[str, Any] | None:
        with self._read() as c:
            value = c.execute(select(s.state.c.value).where(s.state.c.key == key)).scalar()
        return orjson.loads(value) if value is not None else None

    def state_keys(self, prefix: str = "") -> list[str]:
        # Neither LIKE (SQLite's ignores case, PostgreSQL's does not) nor ORDER BY (a
        # server's collation may not be code-point order): the same answer on both.
        query = select(s.state.c.key)
        if prefix:
            query = query.where(func.substr(s.state.c.key, 1, len(prefix)) == prefix)
        with self._read() as c:
            return sorted(row[0] for row in c.execute(query))

    # ----------------------------------------------------- bulk (the board)
    def histories(self, partner_ids: Sequence[str] | None = None) -> list[PartnerHistory]:
        """Histories of the given partners (default: every active partner, by name).

        Served from the snapshot when it is current; a handful of partners with no current
        snapshot are read directly, so ``nurture next --partner X`` stays cheap.
        """
        with self._lock:
            snapshot = self._snapshot
            if snapshot is None or snapshot.revision != self.revision:
                if partner_ids is not None and len(partner_ids) <= 20:
                    return [self._history(pid) for pid in partner_ids]
                snapshot = self._snapshot = self._load_snapshot()
            if partner_ids is None:
                chosen = sorted(
                    (p for p in snapshot.partners.values() if not p.archived),
                    key=_by_name,
                )
            else:
                chosen = []
                for pid in partner_ids:
                    if pid not in snapshot.partners:
                        raise NotFoundError(f"no partner with id {pid!r}")
                    chosen.append(snapshot.partners[pid])
            return [
                PartnerHistory(
                    p,
                    snapshot.contacts.get(p.id, []),
                    snapshot.touchpoints.get(p.id, []),
                    snapshot.referrals.get(p.id, []),
                )
                for p in chosen
            ]

    def histories_of(self, partner_ids: Sequence[str]) -> list[PartnerHistory]:
        """These partners' histories (archived ones too), in this order, read in one
        transaction without loading or keeping the every-partner snapshot: a view that
        recomputes a few hundred partners at a time stays small in memory."""
        ids = list(dict.fromkeys(partner_ids))
        partners: dict[str, Partner] = {}
        contacts: dict[str, list[Contact]] = {}
        touches: dict[str, list[Touchpoint]] = {}
        referrals: dict[str, list[Referral]] = {}
        with self._read() as c:
            for start in range(0, len(ids), _CHUNK):
                chunk = ids[start : start + _CHUNK]
                rows = c.execute(select(s.partners).where(s.partners.c.id.in_(chunk)))
                partners.update((p.id, p) for p in map(r.partner_from_row, rows))
                found = c.execute(
                    select(s.contacts).where(
                        s.contacts.c.partner_id.in_(chunk), s.contacts.c.archived.is_(False)
                    )
                )
                for contact in sorted(map(r.contact_from_row, found), key=_by_name):
                    contacts.setdefault(contact.partner_id, []).append(contact)
                found = c.execute(
                    _TOUCHPOINT_SELECT.where(s.touchpoints.c.partner_id.in_(chunk)).order_by(
                        s.touchpoints.c.at, s.touchpoints.c.id
                    )
                )
                for touch in map(r.touchpoint_from_values, found):
                    touches.setdefault(touch.partner_id, []).append(touch)
                found = c.execute(
                    select(s.referrals)
                    .where(s.referrals.c.partner_id.in_(chunk), _LIVE_REFERRAL)
                    .order_by(s.referrals.c.received, s.referrals.c.id)
                )
                for referral in map(r.referral_from_row, found):
                    referrals.setdefault(referral.partner_id, []).append(referral)
        missing = [pid for pid in ids if pid not in partners]
        if missing:
            raise NotFoundError(f"no partner with id {missing[0]!r}")
        return [
            PartnerHistory(
                partners[pid], contacts.get(pid, []), touches.get(pid, []), referrals.get(pid, [])
            )
            for pid in ids
        ]

    def _history(self, partner_id: str) -> PartnerHistory:
        return PartnerHistory(
            self.partner(partner_id),
            self.contacts(partner_id),
            list(self.touchpoints(partner_id)),
            self.referrals(partner_id),
        )

    def _load_snapshot(self) -> _Snapshot:
        """One query per table, in one read transaction (a consistent picture).

        The records are frozen out of the collector's sight once built: they live as long
        as the snapshot, and later collections (every few thousand allocations in the UI)
        would otherwise walk all 250,000 of them again.
        """
        with collector_paused(freeze_after=True), self._read() as c:
            revision = int(
                c.execute(select(s.meta.c.value).where(s.meta.c.key == "revision")).one()[0]
            )
            partners = {p.id: p for p in map(r.partner_from_row, _raw_rows(c, s.partners))}
            snapshot = _Snapshot(revision, partners)
            contacts = map(r.contact_from_row, _raw_rows(c, s.contacts))
            for contact in sorted(contacts, key=_by_name):
                if not contact.archived:
                    snapshot.contacts.setdefault(contact.partner_id, []).append(contact)
            snapshot.touchpoints = _all_touchpoints(c)
            live = (row for row in _raw_rows(c, s.referrals) if not row.deleted)
            referrals = map(r.referral_from_row, live)
            for referral in sorted(referrals, key=_by_received):
                snapshot.referrals.setdefault(referral.partner_id, []).append(referral)
        return snapshot

    # --------------------------------------------------------------- writes
    def save(
        self,
        *records: Record,
        action: str = "save",
        state: dict[str, dict[str, Any] | None] | None = None,
        summary: str = "",
        expected_versions: Mapping[str, int] | None = None,
        unchanged: Sequence[Record] = (),
        undoable: bool = True,
    ) -> None:
        """Write records (and state entries) in one transaction, durable on return.

        The records' previous images go to the change log with the new ones, so the write
        can be undone; ``summary`` is what ``nurture history`` shows for it.

        ``expected_versions`` (partner or contact id -> version) makes the write
        conditional: when a record's stored version is another (a colleague saved it
        since it was read), ``EditConflict`` is raised and nothing is written. The check
        runs after this write holds the revision row, which every writer takes first, so
        no other write can slip in between the check and the write.

        ``unchanged``: records (a touch, a referral: no version) that must still be
        stored as given, what they say compared; else ``EditConflict``, nothing written.

        ``undoable`` False: a write too large to take back record by record (a team
        push); ``u`` says so at once instead of trying.
        """
        grouped = _group(records)
        if self._only_new_touches(grouped, state, expected_versions, unchanged):
            try:
                self._append(grouped[s.touchpoints], action, summary, undoable=undoable)
                return
            except (_AlreadyStored, WritesCrossed):
                # One of them is stored after all (an edit), or a colleague's write that
                # removes their partner crossed this one: the full write below, in turn.
                pass
        touched: set[str] = set()
        with self._lock, self._write() as c:
            written_to = self._identity  # the file this write goes to (a restore swaps it)
            # The audit rows first: they depend on no stored row, so they are written
            # before the revision row is taken, and every other writer waits for one
            # statement less (nothing is visible to anyone until the commit anyway).
            self._audit(
                c, action, [(t.name, _record_id(i)) for t, xs in grouped.items() for i in xs]
            )
            self._audit(c, action, [("state", key) for key in state or {}])
            revision = self._bump(c)
            self._check_unchanged(c, unchanged)
            if self.shared and s.touchpoints in grouped:
                grouped[s.touchpoints] = self._own_reps_only(c, grouped[s.touchpoints])
            entries: list[_Entry] = []
            for table, given in grouped.items():
                rows = [_ROW_OF[table](item) for item in given]  # (checks each, too)
                current = self._current_records(c, table, given)
                if table in _OF_A_PARTNER:  # a record moved elsewhere: its old partner too
                    touched |= {old.partner_id for old in current.values() if old.partner_id}
                items = []
                for item, row in zip(given, rows, strict=True):
                    rid = _record_id(item)
                    old = current.get(rid)
                    before = images.encode(table.name, old) if old is not None else None
                    after = images.encode(table.name, item)
                    if expected_versions and rid in expected_versions:
                        _check_version(rid, expected_versions[rid], old)
                    stamped = self._stamped(table, item, old, changed=before != after)
                    if stamped is not item:
                        row["created_by"] = stamped.created_by
                        row["changed_by"] = stamped.changed_by
                    if table in _VERSIONED:
                        stamped = _versioned(stamped, old, changed=before != after)
                        row["version"] = stamped.version
                    items.append(stamped)
                    if before != after:
                        entries.append((table.name, rid, before, after))
                _upsert(c, table, rows)
                if table is s.contacts:
                    self._replace_emails(c, items)
                touched |= {getattr(item, "partner_id", None) or "" for item in items}
                touched |= {item.id for item in items if isinstance(item, Partner)}
            for key, value in (state or {}).items():
                self._put_state(c, key, value)
            self._log_change(c, action, summary, entries, undoable=undoable)
            self._mark_histories(c, touched - {""}, revision)
        self._patch_snapshot(revision, touched - {""})
        self._carry_refs(written_to, revision, wrote_referrals=s.referrals in grouped)

    def _only_new_touches(
        self,
        grouped: dict[Table, list[Any]],
        state: dict[str, dict[str, Any] | None] | None,
        expected_versions: Mapping[str, int] | None,
        unchanged: Sequence[Record],
    ) -> bool:
        """Whether this save may try the append path: touches logged by hand (no sync's
        event, no reps to merge), nothing conditional, no state, no change left open."""
        if list(grouped) != [s.touchpoints] or state or expected_versions or unchanged:
            return False
        if getattr(self._open, "change", None) is not None:
            return False
        return not any(t.reps or t.external_id for t in grouped[s.touchpoints])

    def _append(
        self, touches: list[Touchpoint], action: str, summary: str, *, undoable: bool
    ) -> None:
        """New touches, written with the revision row taken last (``_AlreadyStored`` when
        a touch with one of their ids is stored: nothing written, ``save`` does it all).

        Every other write takes the revision row first and holds it to its commit, so
        writes take turns; a touch logged by hand is the write twenty reps make at once,
        and it needs no turn for most of its work. Its rows are inserted only where no row
        with the id exists (``ON CONFLICT DO NOTHING``; a colleague inserting the same id
        meanwhile makes this wait for their commit, then insert nothing): so its change
        log's "before" is truly nothing, and no read is needed. The change log rows may
        take their numbers before a colleague's change that commits first; undo is not
        misled by it: no change can touch these touches before they commit, so any that
        does is numbered after them. The revision (its number, the history stamps, the
        announcement) is taken last: revisions still follow the commits' order, and on a
        server the whole append is two statements (``_APPEND_IN_ONE``, ``_BUMP_AND_STAMP``)
        of which only the second, and the commit, is a turn.
        """
        rows = []
        entries: list[_Entry] = []
        for touch in touches:
            row = r.touchpoint_row(touch)  # (checks it, too)
            row["created_by"] = row["changed_by"] = self.actor
            rows.append(row)
            entries.append(("touchpoints", touch.id, None, images.encode("touchpoints", touch)))
        partner_ids = {touch.partner_id for touch in touches}
        with self._lock, self._write() as c:
            written_to = self._identity  # the file this write goes to (a restore swaps it)
            if c.dialect.name == "postgresql":
                self._append_in_one(c, rows, entries, action, summary, undoable=undoable)
            else:
                inserted = c.execute(_INSERT_NEW_ON_SQLITE, rows).all()
                if len(inserted) != len(rows):
                    raise _AlreadyStored
                self._audit(c, action, [("touchpoints", touch.id) for touch in touches])
                self._log_change(c, action, summary, entries, undoable=undoable)
            revision = self._take_turn(c, partner_ids)
        self._patch_snapshot(revision, partner_ids)
        self._carry_refs(written_to, revision, wrote_referrals=False)

    def _append_in_one(
        self,
        c: Connection,
        rows: list[dict[str, Any]],
        entries: list[_Entry],
        action: str,
        summary: str,
        *,
        undoable: bool,
    ) -> None:
        """On a server: the touches, their audit rows, the change and its records, in one
        statement (each statement is a round trip and its share of CPU, and twenty reps
        append at once); ``_AlreadyStored`` when one of the ids is stored."""
        params: dict[str, Any] = {
            f"t_{name}": [row[name] for row in rows] for name in r.TOUCHPOINT_COLUMNS
        }
        params.update(
            at=datetime.now(UTC).isoformat(timespec="seconds"),
            actor=self.actor,
            action=action,
            summary=summary or default_summary(action, {"touchpoint": len(rows)}),
            undoable=undoable,
            afters=[after for _, _, _, after in entries],
        )
        inserted, seq = c.execute(_APPEND_IN_ONE, params).one()
        if inserted != len(rows):
            raise _AlreadyStored
        self._prune_changes(c, int(seq))

    def _take_turn(self, c: Connection, partner_ids: set[str]) -> int:
        """An append's revision, taken last: the bump, the partners' history stamps and
        the announcement (on a server one statement, so the turn is it and the commit)."""
        if c.dialect.name == "postgresql":
            return int(c.execute(_BUMP_AND_STAMP, {"ids": sorted(partner_ids)}).one()[0])
        revision = self._bump(c)
        self._mark_histories(c, partner_ids, revision)
        return revision

    def delete(self, *records: Record, action: str = "delete", summary: str = "") -> None:
        """Delete records in one transaction, each undoable.

        A touchpoint that came from a sync is remembered as deleted (``was_deleted``), so the
        next sync that sees the same event leaves it deleted. A referral keeps its row,
        marked deleted, because its participant reference lives nowhere else.
        """
        grouped = _group(records)
        touched: set[str] = set()
        with self._lock, self._write() as c:
            revision = self._bump(c)
            entries: list[_Entry] = []
            for table in reversed(list(grouped)):  # children first (foreign keys)
                items = grouped[table]
                current = self._current_records(c, table, items)
                for item in items:
                    rid = _record_id(item)
                    if rid not in current:
                        raise NotFoundError(f"no {table.name[:-1]} with id {rid!r}")
                    self._remove(c, table, item, remember=True)
                    entries.append((table.name, rid, images.encode(table.name, current[rid]), None))
                    touched.add(item.id if isinstance(item, Partner) else item.partner_id)
            self._audit(
                c,
                action,
                [(t.name, _record_id(i)) for t, xs in grouped.items() for i in xs],
                deleted=True,
            )
            self._log_change(c, action, summary, entries)
            self._mark_histories(c, touched, revision)
        self._patch_snapshot(revision, touched)

    def was_deleted(self, source: str, external_id: str) -> bool:
        """True when the rep deleted the touchpoint a sync made of this event."""
        query = select(s.deleted_events.c.at).where(
            s.deleted_events.c.source == source, s.deleted_events.c.external_id == external_id
        )
        with self._read() as c:
            return c.execute(query).first() is not None

    @contextmanager
    def change(self, action: str, summary: str) -> Iterator[None]:
        """Every write this thread makes inside the block joins one change (a sync run, an
        import): undo reverts them together, never one by one. Nested blocks join the
        outermost."""
        if getattr(self._open, "change", None) is not None:
            yield
            return
        self._open.change = _OpenChange(action, summary)
        try:
            yield
        finally:
            self._open.change = None

    def changes(self, limit: int = 20, *, actor: str | None = None) -> list[Change]:
        """The newest changes first (only ``actor``'s when given), each with the number of
        records it wrote."""
        counts = (
            select(s.change_records.c.change_seq, func.count().label("n"))
            .group_by(s.change_records.c.change_seq)
            .subquery()
        )
        query = (
            select(s.changes, func.coalesce(counts.c.n, 0))
            .outerjoin(counts, counts.c.change_seq == s.changes.c.seq)
            .order_by(s.changes.c.seq.desc())
            .limit(limit)
        )
        if actor is not None:
            query = query.where(s.changes.c.actor == actor)
        with self._read() as c:
            return [_change_from_row(row, int(row[-1])) for row in c.execute(query)]

    @property
    def shared(self) -> bool:
        """A team store (a server): several reps write. Undo then takes back only this
        actor's own changes (one's undo must never revert a colleague's change) and views
        say who wrote what. A laptop's store has one rep, whose undo stays the store's
        latest change (even after the machine's name, and so the recorded actor, changed)."""
        return self._engine.dialect.name != "sqlite"

    def undo(self) -> tuple[Change, Change]:
        """Revert the latest change (on a team store: this rep's latest); returns it and
        the new change that reverted it.

        An undo is itself a change, so undoing it redoes. A change is reverted only while
        its records are as it left them: if a later change (a colleague's, on a team
        store) wrote any of them, the undo is refused and names that change, so nobody's
        work is ever taken back by someone else's ``u``.
        """
        return _retry_crossed(self._undo_once)

    def _undo_once(self) -> tuple[Change, Change]:
        touched: set[str] = set()
        with self._lock, self._write() as c:
            # The revision row first: every write takes it before it commits (an append
            # last, the rest first), so from here until commit no other write commits,
            # and every change committed before is seen.
            revision = self._bump(c)
            latest = self._latest_change(c)
            if not latest.undoable:
                raise NothingToUndoError(_not_undoable(self._whose, latest))
            self._check_untouched_since(c, latest)
            recorded = c.execute(
                select(s.change_records)
                .where(s.change_records.c.change_seq == latest.seq)
                .order_by(s.change_records.c.position.desc())
            ).all()
            entries: list[_Entry] = []
            try:
                for entry in recorded:
                    table = _TABLE_NAMED[entry.table_name]
                    touched |= self._restore(c, table, entry.record_id, entry.before)
                    entries.append((entry.table_name, entry.record_id, entry.after, entry.before))
            except sa_exc.IntegrityError:
                # Taking back a partner or contact that a colleague has since logged a
                # touch (or a referral) for: the records point at it, so it must stay.
                raise NothingToUndoError(
                    f"your latest change ({latest.summary}) can't be undone: records have "
                    "been added for it since (a colleague's touch or referral); nothing was "
                    "undone — archive it instead"
                ) from None
            self._audit(c, "undo", [(e[0], e[1]) for e in entries])
            seq = self._insert_change(
                c, "undo", describe_undo(latest), undoes=latest.seq, undoable=True
            )
            self._insert_entries(c, seq, 0, entries)
            self._mark_histories(c, touched, revision)
            new_row = c.execute(select(s.changes).where(s.changes.c.seq == seq)).one()
        self._patch_snapshot(revision, touched)
        return latest, _change_from_row(new_row, len(entries))

    @property
    def _whose(self) -> str:
        return "your" if self.shared else "the"

    def _latest_change(self, c: Connection) -> Change:
        """The change an undo reverts: the store's latest, or on a team store this rep's."""
        query = select(s.changes).order_by(s.changes.c.seq.desc()).limit(1)
        mine = query.where(s.changes.c.actor == self.actor) if self.shared else query
        row = c.execute(mine).first()
        if row is None:
            if not self.shared:
                raise NothingToUndoError("nothing to undo: no change has been made yet")
            other = c.execute(query).first()
            if other is None:
                raise NothingToUndoError("nothing to undo: no change has been made yet")
            raise NothingToUndoError(
                f"nothing of yours to undo ({self.actor} has made no change that is still "
                f"in the history); the latest change, {other.summary!r} by {other.actor}, "
                "is theirs to undo"
            )
        count = c.execute(
            select(func.count()).where(s.change_records.c.change_seq == row.seq)
        ).scalar_one()
        return _change_from_row(row, int(count))

    @staticmethod
    def _check_untouched_since(c: Connection, latest: Change) -> None:
        """Refuse to revert ``latest`` if a later change wrote any of its records (on a
        laptop's store there is none: the latest change is the store's)."""
        cr = s.change_records
        its_records = select(cr.c.table_name, cr.c.record_id).where(cr.c.change_seq == latest.seq)
        later = c.execute(
            select(s.changes.c.seq, s.changes.c.actor, s.changes.c.summary)
            .join(cr, cr.c.change_seq == s.changes.c.seq)
            .where(
                s.changes.c.seq > latest.seq,
                tuple_(cr.c.table_name, cr.c.record_id).in_(its_records),
            )
            .order_by(s.changes.c.seq)
            .limit(1)
        ).first()
        if later is not None:
            raise NothingToUndoError(
                f"your latest change ({latest.summary}) can't be undone: {later.actor} has "
                f"changed the same records since (change {later.seq}: {later.summary}); "
                "nothing was undone"
            )

    def _restore(self, c: Connection, table: Table, rid: str, image: str | None) -> set[str]:
        """Put record ``rid`` back to ``image`` (None: it did not exist); the partners hit."""
        current = self._row_for(c, table, rid)
        if image is None:
            if current is None:
                return set()
            record = _FROM_ROW[table](current)
            self._remove(c, table, record, remember=False)
            return {record.id if isinstance(record, Partner) else record.partner_id}
        ref = current.participant_ref if table is s.referrals and current is not None else ""
        if table is s.referrals and current is None:
            raise StoreError(f"referral {rid} is gone from the store; it can't be brought back")
        record = images.decode(table.name, rid, image, ref)
        if table in _ATTRIBUTED:
            # Whoever undoes changed it; a record brought back is theirs to have created
            # (the image holds content only, and a rep may not claim a colleague made it).
            creator = current.created_by if current is not None else self.actor
            record = _attributed(record, creator, self.actor)
        if table in _VERSIONED:
            # An undo is a change like any other: a form opened before it must notice.
            old = _FROM_ROW[table](current) if current is not None else None
            record = _versioned(record, old, changed=True)
        _upsert(c, table, [_ROW_OF[table](record)])
        if isinstance(record, Contact):
            self._replace_emails(c, [record])
        if isinstance(record, Touchpoint) and record.external_id:
            c.execute(
                delete(s.deleted_events).where(
                    s.deleted_events.c.source == record.source,
                    s.deleted_events.c.external_id == record.external_id,
                )
            )
        return {record.id if isinstance(record, Partner) else record.partner_id}

    def _remove(self, c: Connection, table: Table, record: Record, *, remember: bool) -> None:
        if table is s.referrals:
            c.execute(
                update(table)
                .where(*_key_clause(table, record))
                .values(deleted=True, changed_by=self.actor)
            )
            return
        if isinstance(record, Touchpoint) and record.external_id and remember:
            _upsert(
                c,
                s.deleted_events,
                [
                    {
                        "source": record.source,
                        "external_id": record.external_id,
                        "at": datetime.now(UTC).isoformat(timespec="seconds"),
                    }
                ],
            )
        c.execute(delete(table).where(*_key_clause(table, record)))

    @staticmethod
    def _row_for(c: Connection, table: Table, rid: str) -> Any:
        """The live row of record ``rid`` (a deleted referral counts as absent)."""
        if table is s.dismissals:
            partner_id, rule, key = rid.split("|", 2)
            clause = [table.c.partner_id == partner_id, table.c.rule == rule, table.c.key == key]
        else:
            clause = [table.c.id == rid]
        if table is s.touchpoints:
            return c.execute(_TOUCHPOINT_SELECT.where(*clause)).first()
        return c.execute(select(table).where(*clause)).first()

    def _current_records(self, c: Connection, table: Table, items: list[Any]) -> dict[str, Any]:
        """The stored record of each item that exists now (live), by record id."""
        found: dict[str, Any] = {}
        if table is s.dismissals:
            for item in items:
                row = self._row_for(c, table, _record_id(item))
                if row is not None:
                    found[_record_id(item)] = _FROM_ROW[table](row)
            return found
        ids = [item.id for item in items]
        base = _TOUCHPOINT_SELECT if table is s.touchpoints else select(table)
        for start in range(0, len(ids), _CHUNK):
            query = base.where(table.c.id.in_(ids[start : start + _CHUNK]))
            if table is s.referrals:
                query = query.where(_LIVE_REFERRAL)
            for row in c.execute(query):
                record = _FROM_ROW[table](row)
                found[record.id] = record
        return found

    def _check_unchanged(self, c: Connection, records: Sequence[Record]) -> None:
        """``EditConflict`` unless each record is stored as it says (after the revision
        row is held: no write can come between this check and the save)."""
        for table, given in _group(records).items():
            current = self._current_records(c, table, given)
            for item in given:
                rid = _record_id(item)
                stored = current.get(rid)
                if stored is None or images.encode(table.name, stored) != images.encode(
                    table.name, item
                ):
                    raise EditConflict(rid)

    def _own_reps_only(self, c: Connection, touches: list[Any]) -> list[Any]:
        """On a team store a save changes only the saving rep's own place among a meeting's
        ``reps``: the colleagues on it are kept as stored (read here, after ``_bump``, so
        no other write can come between). Two reps' syncs adding themselves to the same
        meeting at the same instant both land; neither can take the other off. A touch
        that names no reps yet (new, or synced before reps were kept) takes the record's.
        Only synced touches are looked at: a touch logged by hand (``nurture log``) costs
        no read inside the write."""
        cell = s.touchpoints.c.reps
        stored: dict[str, str] = {}
        for chunk in _chunks([t.id for t in touches if t.reps or t.external_id]):
            query = select(s.touchpoints.c.id, cell).where(
                s.touchpoints.c.id.in_(chunk), cell != ""
            )
            stored.update((tid, text) for tid, text in c.execute(query))
        if not stored:
            return touches
        me = self.actor.casefold()
        kept = []
        for touch in touches:
            text = stored.get(touch.id)
            if text is not None:
                theirs = [e for e in r.reps_of_cell(text) if e.rep.casefold() != me]
                mine = [e for e in touch.reps if e.rep.casefold() == me]
                reps = tuple(sorted({*theirs, *mine}))
                if reps != touch.reps:
                    touch = touch._replace(reps=reps)
            kept.append(touch)
        return kept

    def _stamped(self, table: Table, item: Any, old: Any, *, changed: bool) -> Any:
        """``item`` attributed by this store's actor, whatever the caller put in it: a new
        record is created and changed by the actor; a changed one keeps its creator and
        is changed by the actor; one saved unchanged keeps both. (On PostgreSQL the
        trigger of migration 0007 does the same from the login role, for any client.)"""
        if table not in _ATTRIBUTED:
            return item
        if old is None:
            return _attributed(item, self.actor, self.actor)
        return _attributed(item, old.created_by, self.actor if changed else old.changed_by)

    def _log_change(
        self,
        c: Connection,
        action: str,
        summary: str,
        entries: list[_Entry],
        *,
        undoable: bool = True,
    ) -> None:
        """Record the write as a change (or as more of the open one); nothing if it wrote
        no record (a cursor, a status)."""
        if not entries:
            return
        opened: _OpenChange | None = getattr(self._open, "change", None)
        if opened is not None and opened.seq is not None and self._is_latest(c, opened.seq):
            self._insert_entries(c, opened.seq, opened.positions, entries)
            opened.positions += len(entries)
            return
        if opened is not None:
            action, summary = opened.action, opened.summary
        counts: dict[str, int] = {}
        for table_name, *_ in entries:
            counts[table_name[:-1]] = counts.get(table_name[:-1], 0) + 1
        seq = self._insert_change(
            c, action, summary or default_summary(action, counts), undoes=None, undoable=undoable
        )
        self._insert_entries(c, seq, 0, entries)
        if opened is not None:
            opened.seq, opened.positions = seq, len(entries)
        self._prune_changes(c, seq)

    @staticmethod
    def _prune_changes(c: Connection, seq: int) -> None:
        """Every 50th change, forget those older than the last ``_KEEP_CHANGES``."""
        if seq % 50 == 0:
            c.execute(delete(s.changes).where(s.changes.c.seq <= seq - _KEEP_CHANGES))
            c.execute(
                delete(s.change_records).where(s.change_records.c.change_seq <= seq - _KEEP_CHANGES)
            )

    @staticmethod
    def _is_latest(c: Connection, seq: int) -> bool:
        newest = c.execute(select(func.max(s.changes.c.seq))).scalar()
        return newest == seq

    def _insert_change(
        self, c: Connection, action: str, summary: str, *, undoes: int | None, undoable: bool
    ) -> int:
        result = c.execute(
            insert(s.changes).values(
                at=datetime.now(UTC).isoformat(timespec="seconds"),
                actor=self.actor,
                action=action,
                summary=summary,
                undoes=undoes,
                undoable=undoable,
            )
        )
        key = result.inserted_primary_key
        assert key is not None
        return int(key[0])

    @staticmethod
    def _insert_entries(c: Connection, seq: int, first: int, entries: list[_Entry]) -> None:
        rows = [
            {
                "change_seq": seq,
                "position": first + n,
                "table_name": table_name,
                "record_id": rid,
                "before": before,
                "after": after,
            }
            for n, (table_name, rid, before, after) in enumerate(entries)
        ]
        for start in range(0, len(rows), 2_000):
            c.execute(insert(s.change_records), rows[start : start + 2_000])

    def put_state(self, key: str, value: dict[str, Any] | None) -> None:
        with self._lock, self._write() as c:
            revision = self._bump(c)
            self._put_state(c, key, value)
            self._audit(c, "state", [("state", key)], deleted=value is None)
        self._patch_snapshot(revision, set())

    def replace_all(
        self,
        partners: Iterable[Partner],
        contacts: Iterable[Contact],
        touchpoints: Iterable[Touchpoint],
        referrals: Iterable[Referral],
        dismissals: Iterable[Dismissal] = (),
        *,
        action: str = "replace-all",
        summary: str = "Replaced the whole store",
    ) -> None:
        """Replace every record (the demo, an import of a whole store) in one transaction."""
        everything = (list(partners), list(contacts), list(touchpoints), list(referrals))
        _retry_crossed(lambda: self._replace_all(*everything, list(dismissals), action, summary))

    def _replace_all(
        self,
        partners: list[Partner],
        contacts: list[Contact],
        touchpoints: list[Touchpoint],
        referrals: list[Referral],
        dismissals: list[Dismissal],
        action: str,
        summary: str,
    ) -> None:
        with self._lock, self._write() as c:
            revision = self._bump(c)
            c.execute(delete(s.action_cache))
            for table in (
                s.dismissals,
                s.touchpoints,
                s.referrals,
                s.contact_emails,
                s.contacts,
                s.partners,
            ):
                c.execute(delete(table))
            contact_list = list(contacts)
            for table, items in (
                (s.partners, list(partners)),
                (s.contacts, contact_list),
                (s.touchpoints, list(touchpoints)),
                (s.referrals, list(referrals)),
                (s.dismissals, list(dismissals)),
            ):
                for start in range(0, len(items), 5_000):
                    c.execute(
                        insert(table), [_ROW_OF[table](x) for x in items[start : start + 5_000]]
                    )
            self._replace_emails(c, contact_list, existing=False)
            self._audit(c, "replace-all", [("*", "*")])
            # Earlier changes describe records that are gone: they can't be undone now.
            c.execute(delete(s.change_records))
            c.execute(delete(s.changes))
            c.execute(delete(s.deleted_events))
            self._insert_change(c, action, summary, undoes=None, undoable=False)
            c.execute(update(s.partners).values(history_rev=revision))
            # Past the version of any record a form may hold open (a record's version
            # never exceeds the revision of its last write), so that form sees a change.
            for table in _VERSIONED:
                c.execute(update(table).values(version=revision))
            self._snapshot = None

    @staticmethod
    def _mark_histories(c: Connection, partner_ids: set[str], revision: int) -> None:
        """Stamp the partners whose history this write changed with its revision."""
        ids = sorted(partner_ids)
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            c.execute(
                update(s.partners).where(s.partners.c.id.in_(chunk)).values(history_rev=revision)
            )

    # ------------------------------------------- per-partner revisions, the action cache
    def history_revisions(self) -> dict[str, int]:
        """Every partner's history revision (archived too): one indexed read of two columns,
        so a view finds which partners changed since it last looked without a reload."""
        with self._read() as c:
            rows = c.execute(select(s.partners.c.id, s.partners.c.history_rev))
            return {pid: int(rev) for pid, rev in rows}

    def cached_actions(self, context: str, day: date) -> dict[str, tuple[int, str]]:
        """The action cache for ``context`` on ``day``: partner id -> (the history revision
        the actions were computed at, their serialised form)."""
        cache = s.action_cache
        query = select(cache.c.partner_id, cache.c.history_rev, cache.c.actions).where(
            cache.c.context == context, cache.c.day == day
        )
        with self._read() as c:
            return {pid: (int(rev), actions) for pid, rev, actions in c.execute(query)}

    def cache_actions(self, context: str, day: date, rows: Sequence[tuple[str, int, str]]) -> None:
        """Keep (partner id, history revision, serialised actions) for ``context`` on
        ``day``, dropping the context's rows of other days. Not a change: no revision bump,
        nothing in the change log, so no other window reloads for it."""
        if not rows:
            return
        cache = s.action_cache
        with self._write() as c:
            c.execute(delete(cache).where(cache.c.context == context, cache.c.day != day))
            ids = [pid for pid, _rev, _actions in rows]
            for start in range(0, len(ids), _CHUNK):
                c.execute(
                    delete(cache).where(
                        cache.c.context == context,
                        cache.c.partner_id.in_(ids[start : start + _CHUNK]),
                    )
                )
            values = [
                {
                    "partner_id": pid,
                    "context": context,
                    "day": day,
                    "history_rev": rev,
                    "actions": actions,
                }
                for pid, rev, actions in rows
            ]
            for start in range(0, len(values), 5_000):
                c.execute(insert(cache), values[start : start + 5_000])

    def _bump(self, c: Connection) -> int:
        """The store's next revision, for this write; on a server, announced to every
        listening TUI when (and only if) the write commits (``store.listen``)."""
        # One statement: from here to the commit every other writer waits on this row,
        # so the bump, its number and (on a server) its announcement take one round trip.
        value = s.meta.c.value
        bump = update(s.meta).where(s.meta.c.key == "revision").values(value=value + 1)
        if c.dialect.name == "postgresql":
            announce = func.pg_notify(CHANNEL, cast(value, Text)).label("announced")
            return int(c.execute(bump.returning(value, announce)).one()[0])
        return int(c.execute(bump.returning(value)).one()[0])

    def change_listener(self) -> ChangeListener | None:
        """A listener for other connections' writes (PostgreSQL), or None (SQLite: one
        laptop's processes, which the app notices by the revision it polls)."""
        if self._engine.dialect.name != "postgresql":
            return None
        with plain_errors(self._where):
            return ChangeListener(self._engine)

    @staticmethod
    def _replace_emails(c: Connection, contacts: list[Contact], *, existing: bool = True) -> None:
        ids = [x.id for x in contacts]
        if existing:
            for start in range(0, len(ids), _CHUNK):
                c.execute(
                    delete(s.contact_emails).where(
                        s.contact_emails.c.contact_id.in_(ids[start : start + _CHUNK])
                    )
                )
        rows = [{"contact_id": x.id, "email": e.lower()} for x in contacts for e in x.emails]
        if rows:
            c.execute(insert(s.contact_emails), rows)

    @staticmethod
    def _put_state(c: Connection, key: str, value: dict[str, Any] | None) -> None:
        if value is None:
            c.execute(delete(s.state).where(s.state.c.key == key))
        else:
            _upsert(c, s.state, [{"key": key, "value": orjson.dumps(value).decode()}])

    def _audit(
        self, c: Connection, action: str, changes: list[tuple[str, str]], *, deleted: bool = False
    ) -> None:
        if not changes:
            return
        now = datetime.now(UTC).isoformat(timespec="seconds")
        c.execute(
            insert(s.audit),
            [
                {
                    "at": now,
                    "actor": self.actor,
                    "action": action,
                    "table_name": table,
                    "record_id": rid,
                    "deleted": deleted,
                }
                for table, rid in changes
            ],
        )

    def _patch_snapshot(self, revision: int, partner_ids: set[str]) -> None:
        """Bring the snapshot to ``revision`` by re-reading only the partners we changed.

        Only when the snapshot was current just before our write: if another process wrote
        in between, the next bulk read reloads it whole.
        """
        snapshot = self._snapshot
        if snapshot is None:
            return
        if snapshot.revision != revision - 1 or len(partner_ids) > _PATCH_LIMIT:
            self._snapshot = None
            return
        ids = sorted(partner_ids)
        with self._read() as c:
            for pid in ids:
                row = c.execute(select(s.partners).where(s.partners.c.id == pid)).first()
                if row is None:
                    continue
                snapshot.partners[pid] = r.partner_from_row(row)
            for start in range(0, len(ids), _CHUNK):
                chunk = ids[start : start + _CHUNK]
                for pid in chunk:
                    snapshot.contacts.pop(pid, None)
                    snapshot.touchpoints.pop(pid, None)
                    snapshot.referrals.pop(pid, None)
                contacts = c.execute(
                    select(s.contacts).where(
                        s.contacts.c.partner_id.in_(chunk), s.contacts.c.archived.is_(False)
                    )
                )
                for contact in sorted(map(r.contact_from_row, contacts), key=_by_name):
                    snapshot.contacts.setdefault(contact.partner_id, []).append(contact)
                touches = c.execute(
                    _TOUCHPOINT_SELECT.where(s.touchpoints.c.partner_id.in_(chunk)).order_by(
                        s.touchpoints.c.at, s.touchpoints.c.id
                    )
                )
                for touch in map(r.touchpoint_from_values, touches):
                    snapshot.touchpoints.setdefault(touch.partner_id, []).append(touch)
                referrals = c.execute(
                    select(s.referrals)
                    .where(s.referrals.c.partner_id.in_(chunk), _LIVE_REFERRAL)
                    .order_by(s.referrals.c.received, s.referrals.c.id)
                )
                for referral in map(r.referral_from_row, referrals):
                    snapshot.referrals.setdefault(referral.partner_id, []).append(referral)
        snapshot.revision = revision


def _chunks(items: list[str], size: int = _CHUNK) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _raw_rows(c: Connection, table: Table) -> list[Any]:
    """Every row of ``table`` through the driver's cursor, as named tuples (SQLAlchemy's
    row objects cost more than the fetch itself at 20,000 contacts)."""
    names = [column.name for column in table.columns]
    row_type: Any = namedtuple("Row", names)  # type: ignore[misc]  # built from the table
    make = row_type._make
    cursor = c.connection.cursor()
    try:
        cursor.execute(f"SELECT {', '.join(names)} FROM {table.name}")
        return list(map(make, cursor.fetchall()))
    finally:
        cursor.close()


def _by_received(referral: Referral) -> tuple[date, str]:
    return referral.received, referral.id


def _all_touchpoints(c: Connection) -> dict[str, list[Touchpoint]]:
    """Every touchpoint by partner, oldest first: the one hot read (250k rows on open).

    Straight through the driver's cursor (SQLAlchemy's row objects cost twice the fetch),
    in table order (a global ORDER BY would sort 250k rows in SQL), then one C-level sort
    per partner.
    """
    cursor = c.connection.cursor()
    try:
        cursor.execute(f"SELECT {', '.join(r.TOUCHPOINT_COLUMNS)} FROM touchpoints")
        fetched = cursor.fetchall()
    finally:
        cursor.close()
    by_partner: dict[str, list[Touchpoint]] = {}
    for touch in r.touchpoints_from_rows(fetched):
        bucket = by_partner.get(touch.partner_id)
        if bucket is None:
            by_partner[touch.partner_id] = [touch]
        else:
            bucket.append(touch)
    for bucket in by_partner.values():
        bucket.sort(key=_by_time)
    return by_partner


_NAME_AND_ID = operator.itemgetter(0, 1)


def _by_name(record: Partner | Contact) -> tuple[str, str]:
    """Name order, case ignored; the id breaks ties, so every read lists them alike (a
    table's own row order is no order: PostgreSQL moves a row when it is rewritten)."""
    return record.name.lower(), record.id


#: A touchpoint's (at, id), read in C: the sort key of 250k touchpoints on open.
_by_time = operator.itemgetter(3, 0)


_ORDER = (s.partners, s.contacts, s.touchpoints, s.referrals, s.dismissals)
_TABLE_OF: dict[type, Table] = {
    Partner: s.partners,
    Contact: s.contacts,
    Touchpoint: s.touchpoints,
    Referral: s.referrals,
    Dismissal: s.dismissals,
}
_FROM_ROW: dict[Table, Any] = {
    s.partners: r.partner_from_row,
    s.contacts: r.contact_from_row,
    s.touchpoints: r.touchpoint_from_values,
    s.referrals: r.referral_from_row,
    s.dismissals: r.dismissal_from_row,
}
_TABLE_NAMED: dict[str, Table] = {t.name: t for t in _ORDER}
#: A change-log entry: (table name, record id, image before, image after).
_Entry = tuple[str, str, str | None, str | None]
#: The tables whose records carry who created and last changed them (migration 0007).
_ATTRIBUTED = frozenset({s.partners, s.contacts, s.touchpoints, s.referrals})


def _attributed(record: Any, created_by: str, changed_by: str) -> Any:
    """``record`` with this attribution (a Touchpoint is a NamedTuple, the rest dataclasses)."""
    if record.created_by == created_by and record.changed_by == changed_by:
        return record
    if isinstance(record, Touchpoint):
        return record._replace(created_by=created_by, changed_by=changed_by)
    return replace(record, created_by=created_by, changed_by=changed_by)


def _not_undoable(whose: str, latest: Change) -> str:
    """Why ``latest`` cannot be taken back, and what can."""
    if latest.action == "team push":
        return (
            f"{whose} latest change ({latest.summary}) moved a laptop store into the team "
            "store and can't be undone with u; the server's backup can take the team store "
            "back to before it (docs/team.md, Backups)"
        )
    return (
        f"{whose} latest change ({latest.summary}) replaced the whole store and can't be "
        "undone; `nurture restore` goes back to a backup"
    )


#: The tables whose records carry a version that a form's save checks (migration 0008).
_VERSIONED = frozenset({s.partners, s.contacts})

#: Tables whose records belong to a partner (rewriting one may move it to another).
_OF_A_PARTNER = frozenset({s.contacts, s.touchpoints, s.referrals})


def _check_version(rid: str, expected: int, stored: Partner | Contact | None) -> None:
    if stored is None or stored.version != expected:
        raise EditConflict(rid, expected, None if stored is None else stored.version)


def _versioned(record: Any, old: Partner | Contact | None, *, changed: bool) -> Any:
    """``record`` at the version its write makes: 1 when new, one more than the stored
    one when what it says changed, the stored one when it did not (whatever the caller
    put in it: the store alone moves versions)."""
    version = 1 if old is None else old.version + int(changed)
    return record if record.version == version else replace(record, version=version)


_ROW_OF: dict[Table, Any] = {
    s.partners: r.partner_row,
    s.contacts: r.contact_row,
    s.touchpoints: r.touchpoint_row,
    s.referrals: r.referral_row,
    s.dismissals: r.dismissal_row,
}


def _group(records: Sequence[Record]) -> dict[Table, list[Any]]:
    """Records by table, parents first (foreign keys), the last write of an id winning."""
    by_table: dict[Table, dict[str, Any]] = {}
    for record in records:
        by_table.setdefault(_TABLE_OF[type(record)], {})[_record_id(record)] = record
    return {t: list(by_table[t].values()) for t in _ORDER if t in by_table}


def _record_id(record: Record) -> str:
    if isinstance(record, Dismissal):
        return f"{record.partner_id}|{record.rule}|{record.key}"
    return record.id


def _key_clause(table: Table, record: Record) -> list[Any]:
    if isinstance(record, Dismissal):
        return [
            table.c.partner_id == record.partner_id,
            table.c.rule == record.rule,
            table.c.key == record.key,
        ]
    return [table.c.id == record.id]


def _change_from_row(row: Any, records: int) -> Change:
    return Change(
        seq=int(row.seq),
        at=datetime.fromisoformat(row.at),
        actor=row.actor,
        action=row.action,
        summary=row.summary,
        records=records,
        undoes=row.undoes,
        undoable=bool(row.undoable),
    )


def _upsert(c: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert or replace by primary key, in the dialect's own words."""
    if not rows:
        return
    statement = _upsert_statement(c.dialect.name, table)
    for start in range(0, len(rows), 2_000):
        c.execute(statement, rows[start : start + 2_000])


#: An append's whole turn on PostgreSQL, one statement: the revision bumped, the
#: partners' history stamped with it, the write announced (``_bump``, ``_mark_histories``).
_BUMP_AND_STAMP = sql_text(
    f"""
    WITH bump AS (
        UPDATE meta SET value = value + 1 WHERE key = 'revision' RETURNING value
    ), stamp AS (
        UPDATE partners SET history_rev = (SELECT value FROM bump) WHERE id = ANY(:ids)
    )
    SELECT value, pg_notify('{CHANNEL}', value::text) FROM bump
    """
)


def _append_in_one_statement() -> Any:
    """``_append_in_one``'s statement, built from the touchpoints table: its columns come
    as one array each, unnested side by side (with each one's change-log image)."""
    pg = postgresql.dialect()  # type: ignore[no-untyped-call]  # (untyped in SQLAlchemy)
    names = r.TOUCHPOINT_COLUMNS
    # Strings as text[]: an explicit cast to VARCHAR(40) would cut a longer id short
    # (PostgreSQL truncates on a cast), where the insert into the column refuses it.
    arrays = ", ".join(
        f"CAST(:t_{name} AS {_array_type(s.touchpoints.c[name].type, pg)}[])" for name in names
    )
    listed = ", ".join(names)
    return sql_text(
        f"""
        WITH given AS (
            SELECT * FROM unnest({arrays}, CAST(:afters AS text[]))
                WITH ORDINALITY AS given({listed}, after_image, n)
        ), inserted AS (
            INSERT INTO touchpoints ({listed}) SELECT {listed} FROM given
            ON CONFLICT (id) DO NOTHING
            RETURNING id
        ), audited AS (
            INSERT INTO audit (at, actor, action, table_name, record_id, deleted)
            SELECT :at, :actor, :action, 'touchpoints', given.id, false FROM given
        ), change AS (
            INSERT INTO changes (at, actor, action, summary, undoes, undoable)
            VALUES (:at, :actor, :action, :summary, NULL, :undoable)
            RETURNING seq
        ), recorded AS (
            INSERT INTO change_records
                (change_seq, position, table_name, record_id, before, after)
            SELECT change.seq, given.n - 1, 'touchpoints', given.id, NULL, given.after_image
            FROM change, given
        )
        SELECT (SELECT count(*) FROM inserted), change.seq FROM change
        """
    )


def _array_type(column_type: Any, dialect: Any) -> str:
    if isinstance(column_type, String):
        return "text"
    return str(column_type.compile(dialect=dialect))


_APPEND_IN_ONE = _append_in_one_statement()


#: Times a write crossed by a colleague's (``WritesCrossed``) is tried in all.
_CROSSING_ATTEMPTS = 3

_T = TypeVar("_T")


def _retry_crossed(write: Callable[[], _T]) -> _T:
    """``write()``, tried again when the server refused it for crossing a colleague's
    write (each waited for the other; the server rolls one back): the colleague's write
    has committed by then, so the next try sees it and goes through, or says what it
    found in one line."""
    for _ in range(_CROSSING_ATTEMPTS - 1):
        try:
            return write()
        except WritesCrossed:
            continue
    return write()


class _AlreadyStored(Exception):
    """A touch meant as new is stored already: the append path gives way to a full save."""


#: SQLite's append: touches inserted only where their ids are not stored, the ids
#: inserted returned (PostgreSQL's append says the same inside ``_APPEND_IN_ONE``).
_INSERT_NEW_ON_SQLITE = (
    sqlite.insert(s.touchpoints)
    .on_conflict_do_nothing(index_elements=["id"])
    .returning(s.touchpoints.c.id)
)


@functools.cache
def _upsert_statement(dialect: str, table: Table) -> Any:
    """One statement per table, built once: building it anew for every write cost more
    Python than the rest of a touch's save, and a write runs it holding the revision row."""
    keys = [col.name for col in table.primary_key.columns]
    statement = (sqlite.insert if dialect == "sqlite" else postgresql.insert)(table)
    return statement.on_conflict_do_update(
        index_elements=keys,
        set_={
            col.name: statement.excluded[col.name] for col in table.columns if col.name not in keys
        },
    )
