"""The whole store as a TinyDB database, out (``nurture export``) and back in (``import tinydb``).

Why TinyDB: it is one plain JSON file that any Python script can open and query with
``TinyDB(path).table("partners").search(...)``, so a rep who leaves keeps every record in a
readable form, an auditor can check what the store holds without Nurture, and a script can
count or cross-check without touching the live database. The file is written *through*
TinyDB itself, so it is a TinyDB database by construction, not by imitation.

Shape: one TinyDB table per store table (partners, contacts, touchpoints, referrals,
dismissals); each document is ``domain.codec``'s document (the journal store's shapes,
touchpoints with their short keys) plus the record's ``"id"``; dismissals have no id of their
own (partner, rule and key are their identity). A ``_export`` table holds one document
describing the file: format and version, when, which Nurture, the counts, and whether
participant references are in it.

Left out on purpose: the ``state`` documents. They are this installation's machinery, not
the rep's records: which sync sources are signed in and their cursors (a cursor without its
sign-in, or pointed at another store, makes a sync skip or repeat work), the queue of
unmatched people (email addresses of people who are *not* contacts: minimum necessary says
they stay home), invite bookkeeping and .ics sequence numbers.

Privacy: a participant reference never leaves its referral unless the rep asks
(``with_participant_refs``): by default each is ``null``, and any reference found in free
text (notes, purposes, reasons) is masked as ``[participant]``, as synced subjects are.
The file is mode 0600 whatever the umask, and written to a temporary file beside the target
then renamed, so there is never half an export under the target's name.

Import reads such a file through TinyDB, read-only, from a bounded read of a regular file
(a device, pipe or 50 MB of garbage fails fast with one line), checks every document
(types, kinds, dates in the domain's range, ids, partners referred to) before writing
anything, and then writes in one transaction.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from types import NoneType
from typing import Any, TypeVar

import orjson
from sqlalchemy import select
from tinydb import TinyDB
from tinydb.middlewares import CachingMiddleware
from tinydb.storages import JSONStorage, Storage

from nurture_tui import __version__
from nurture_tui.domain.codec import (
    Doc,
    contact_from_doc,
    contact_to_doc,
    partner_from_doc,
    partner_to_doc,
    referral_from_doc,
    referral_to_doc,
    touchpoint_from_doc,
    touchpoint_to_doc,
)
from nurture_tui.domain.collector import collector_paused
from nurture_tui.domain.errors import NurtureError, StoreError, ValidationError
from nurture_tui.domain.kinds import (
    Credential,
    Direction,
    TouchpointKind,
    TouchpointStatus,
    service_from_text,
)
from nurture_tui.domain.model import Contact, Dismissal, Partner, Referral, Touchpoint
from nurture_tui.domain.money import MAX_CENTS
from nurture_tui.domain.phi import phi_findings
from nurture_tui.domain.privacy import mask_references, new_participant_ref
from nurture_tui.domain.repository import Repository
from nurture_tui.domain.text import clean_text
from nurture_tui.domain.validation import (
    EARLIEST_MOMENT,
    LATEST_MOMENT,
    check_day,
    check_moment,
    clean_name,
)
from nurture_tui.services.session import Session
from nurture_tui.store import backups
from nurture_tui.store import rows as store_rows
from nurture_tui.store import schema as store_schema
from nurture_tui.store.database import plain_errors
from nurture_tui.store.files import fsync_directory
from nurture_tui.store.sql import SqlRepository

#: The ``format`` value of the ``_export`` document: how import tells our files from others.
FORMAT = "nurture-tinydb-export"
#: Bumped when a document's shape changes incompatibly; import refuses newer versions.
#: 2: a partner's ``social`` is ``social_pages``, as in ``nurture partner --json`` (files of
#: version 1 are still read).
#: 4: partners, contacts and referrals carry ``created_by``/``changed_by``, touchpoints
#: ``by``/``ch`` (who created and last changed each; files without them still read, as
#: "before attribution").
#: 5: a synced meeting's touchpoint carries ``rp``, its reps (each ``[rep email, their own
#: event id]``; files without it still read, their meetings naming nobody).
FORMAT_VERSION = 5
#: The TinyDB table that describes the export (one document).
META_TABLE = "_export"
#: The store's tables, in the order they are written (parents first).
TABLES = ("partners", "contacts", "touchpoints", "referrals", "dismissals")
#: The largest file import will read: 250,000 touchpoints export to about 35 MB, so a
#: gigabyte is far beyond any real store, and a bound keeps a wrong path (a disk image, a
#: symlink to a device) from filling memory.
MAX_IMPORT_BYTES = 1 << 30


@dataclass(frozen=True)
class Contents:
    """Every record of a store (or of an export), table by table."""

    partners: list[Partner] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    touchpoints: list[Touchpoint] = field(default_factory=list)
    referrals: list[Referral] = field(default_factory=list)
    dismissals: list[Dismissal] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "partners": len(self.partners),
            "contacts": len(self.contacts),
            "touchpoints": len(self.touchpoints),
            "referrals": len(self.referrals),
            "dismissals": len(self.dismissals),
        }


@dataclass(frozen=True)
class ExportReport:
    """What ``export_tinydb`` wrote."""

    path: Path
    counts: dict[str, int]
    participant_refs: bool
    #: Free-text fields in which a participant reference was masked (refs omitted only).
    masked_in_text: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "counts": self.counts,
            "participant_refs": "included" if self.participant_refs else "omitted",
            "masked_in_text": self.masked_in_text,
        }


@dataclass(frozen=True)
class ImportReport:
    """What ``import_tinydb`` loaded, and what it did to get there."""

    path: Path
    counts: dict[str, int]
    replaced: bool
    backup: Path | None
    generated_refs: int

    def as_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "counts": self.counts,
            "replaced": self.replaced,
            "backup": str(self.backup) if self.backup else None,
            "participant_refs": "generated" if self.generated_refs else "imported",
            "generated_refs": self.generated_refs,
        }


# ------------------------------------------------------------------------------- export
def export_tinydb(
    session: Session, target: Path, *, with_participant_refs: bool = False, force: bool = False
) -> ExportReport:
    """Write every record of the store to ``target`` as a TinyDB database (module doc)."""
    _check_target(target, force=force)
    with collector_paused():
        contents = read_store(session.repo)
        refs = frozenset(r.participant_ref for r in contents.referrals)  # the same snapshot
        mask = _Masker(frozenset() if with_participant_refs else refs)
        tables = _documents(contents, mask, with_participant_refs=with_participant_refs)
        counts = contents.counts()
        meta = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "exported_at": session.now().isoformat(timespec="seconds"),
            "nurture_version": __version__,
            "participant_refs": "included" if with_participant_refs else "omitted",
            "counts": counts,
            "state": "not exported: sync sign-ins and cursors, the people queue and invite "
            "bookkeeping belong to one installation",
        }
        _write_tinydb(target, tables, meta)
    return ExportReport(target, counts, with_participant_refs, mask.masked)


def read_store(repo: Repository) -> Contents:
    """Every record, archived ones included, as of one moment.

    Straight from the SQL tables in one read transaction rather than through the
    Repository's queries: those leave archived contacts out (they serve the board), and
    separate reads while a background sync writes could pair a touchpoint with a partner
    list taken before it existed. Sorted by id, so two exports of one store are identical.
    """
    if not isinstance(repo, SqlRepository):
        raise TypeError(f"export reads the SQL store, not {type(repo).__name__}")
    s = store_schema
    with plain_errors(repo.location), repo.engine.connect() as connection:
        if connection.dialect.name == "postgresql":  # one snapshot for every SELECT below
            connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            partners = list(
                map(store_rows.partner_from_row, connection.execute(select(s.partners)))
            )
            contacts = list(
                map(store_rows.contact_from_row, connection.execute(select(s.contacts)))
            )
            columns = [s.touchpoints.c[name] for name in store_rows.TOUCHPOINT_COLUMNS]
            touchpoints = store_rows.touchpoints_from_rows(
                connection.execute(select(*columns)).all()
            )
            referrals = list(
                map(store_rows.referral_from_row, connection.execute(select(s.referrals)))
            )
            dismissals = list(
                map(store_rows.dismissal_from_row, connection.execute(select(s.dismissals)))
            )
    # Sorted here, not by ORDER BY: a server's collation need not be code-point order.
    partners.sort(key=_by_id)
    contacts.sort(key=_by_id)
    touchpoints.sort(key=_by_id)
    referrals.sort(key=_by_id)
    dismissals.sort(key=_dismissal_key)
    return Contents(partners, contacts, touchpoints, referrals, dismissals)


def _by_id(record: Partner | Contact | Touchpoint | Referral) -> str:
    return record.id


def _dismissal_key(d: Dismissal) -> tuple[str, str, str]:
    return d.partner_id, d.rule, d.key


def dismissal_to_doc(d: Dismissal) -> Doc:
    """A dismissal as a document (the codec has none: the journal store kept them apart)."""
    return {
        "partner": d.partner_id,
        "rule": d.rule,
        "key": d.key,
        "until": d.until.isoformat() if d.until else None,
        "reason": d.reason,
    }


def dismissal_from_doc(d: Doc) -> Dismissal:
    until = d.get("until")
    return Dismissal(
        partner_id=d["partner"],
        rule=d["rule"],
        key=d["key"],
        until=date.fromisoformat(until) if until else None,
        reason=d.get("reason") or "",
    )


class _Masker:
    """Masks participant references in an export's free text, counting the texts it
    changed (the export's report says how many). ``privacy.mask_references`` costs a
    text's length whatever the number of references, so 250,000 notes against 8,000
    references take seconds; and it finds references written another way too."""

    def __init__(self, references: frozenset[str]) -> None:
        self._references = references
        self.masked = 0

    def __call__(self, text: str) -> str:
        masked = mask_references(text, self._references)
        if masked != text:
            self.masked += 1
        return masked


def _documents(
    contents: Contents, mask: _Masker, *, with_participant_refs: bool
) -> dict[str, list[Doc]]:
    """Each table's TinyDB documents: the codec's document plus the record's id."""
    partners = []
    for p in contents.partners:
        doc = {"id": p.id, **partner_to_doc(p)}
        doc["notes"] = mask(doc["notes"])
        partners.append(doc)
    contacts = []
    for c in contents.contacts:
        doc = {"id": c.id, **contact_to_doc(c)}
        doc["milestones"] = [{**m, "note": mask(m["note"])} for m in doc["milestones"]]
        contacts.append(doc)
    touchpoints = []
    for t in contents.touchpoints:
        doc = {"id": t.id, **touchpoint_to_doc(t)}
        for key in ("pu", "n", "it"):
            if key in doc:
                doc[key] = mask(doc[key])
        touchpoints.append(doc)
    referrals = []
    for r in contents.referrals:
        doc = {"id": r.id, **referral_to_doc(r)}
        doc["service"] = mask(doc["service"])
        if not with_participant_refs:
            doc["ref"] = None
        referrals.append(doc)
    dismissals = []
    for d in contents.dismissals:
        doc = dismissal_to_doc(d)
        doc["reason"] = mask(doc["reason"])
        dismissals.append(doc)
    return {
        "partners": partners,
        "contacts": contacts,
        "touchpoints": touchpoints,
        "referrals": referrals,
        "dismissals": dismissals,
    }


def _check_target(target: Path, *, force: bool) -> None:
    """Refuse before any work: a folder, a missing folder, or a file we were not told to
    overwrite (a previous export may be the only copy of a store that is gone)."""
    if target.is_dir():
        raise ValidationError(f"{target} is a folder; give a file name such as nurture.json")
    if not target.parent.is_dir():
        raise ValidationError(f"the folder {target.parent} does not exist")
    if (target.exists() or target.is_symlink()) and not force:
        raise ValidationError(f"{target} already exists; use --force to overwrite it")
    if _is_database(target):  # --force or not: the live store or a backup is never a target
        raise ValidationError(f"{target} is a database (the store or a backup); not overwritten")


def _is_database(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False


def _write_tinydb(target: Path, tables: dict[str, list[Doc]], meta: Doc) -> None:
    """Write through TinyDB into a 0600 temporary file beside ``target``, then rename.

    TinyDB rewrites its whole file on every write; the caching middleware holds the tables
    in memory and writes once, on close, so 250,000 touchpoints take about a second.
    ``mkstemp`` creates the file 0600 and exclusively, and TinyDB opens that existing file
    (it never creates one with the umask's mode); ``fchmod`` covers an umask such as 0277.
    """
    with plain_errors(str(target)):
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        temp = Path(name)
        try:
            os.fchmod(fd, 0o600)
            os.close(fd)
            storage = CachingMiddleware(JSONStorage)  # type: ignore[no-untyped-call]
            db = TinyDB(str(temp), storage=storage, encoding="utf-8")
            try:
                for table in TABLES:
                    db.table(table).insert_multiple(tables[table])
                db.table(META_TABLE).insert(meta)
            finally:
                db.close()  # the one write, fsynced by JSONStorage
            os.replace(temp, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
            raise
        fsync_directory(target.parent)


# ------------------------------------------------------------------------------- import
@dataclass(frozen=True)
class Loaded:
    """An export read and checked: its records and what its ``_export`` document says."""

    contents: Contents
    meta: Doc
    missing_refs: int


def import_tinydb(
    session: Session,
    source: Path,
    *,
    replace: bool = False,
    allow_missing_refs: bool = False,
) -> ImportReport:
    """Load an export into the store, in one transaction.

    Into an empty store everything is loaded. A store with data is refused unless
    ``replace``: then a local SQLite store is backed up first (``nurture restore`` undoes
    the import) and its records are replaced. An export without participant references is
    refused unless ``allow_missing_refs``: each referral then gets a new random reference,
    which will not match the rep's own paperwork, so that is a choice, not a default.
    Nothing is written (and no backup made) until the whole file has been checked.
    """
    with collector_paused():
        loaded = read_export(source)
    contents = loaded.contents
    generated = 0
    if loaded.missing_refs:
        if not allow_missing_refs:
            raise ValidationError(
                f"{source} has no participant references ({loaded.missing_refs} referrals "
                "without one), so its referrals cannot be told apart by the rep's own codes; "
                "export again with --with-participant-refs, or import with "
                "--allow-missing-refs to give each a new random reference; nothing was imported"
            )
        contents, generated = _fill_refs(contents)
    repo = session.repo
    existing = repo.partners(include_archived=True)
    if existing and repo.shared:  # a replace would wipe every rep's records, with no backup
        raise ValidationError(
            "this is the team's shared database, and it holds the agency's records: an import "
            "never replaces them (a server has no `nurture backup` to go back to; use "
            "PostgreSQL's pg_dump and restore, docs/team.md); import into an empty team store, "
            "or move a laptop store in with `nurture team push`; nothing was imported"
        )
    if existing and not replace:
        raise ValidationError(
            f"the store at {repo.directory} already has data ({len(existing)} partners, "
            f"{repo.touchpoint_count()} touchpoints); import into an empty store, or use "
            "--replace to replace everything in it (a backup is made first); "
            "nothing was imported"
        )
    backup = None
    if existing and _is_local_sqlite(repo):
        backup = backups.backup(repo.directory)
    with collector_paused():
        write_contents(repo, contents)
    return ImportReport(source, contents.counts(), bool(existing), backup, generated)


def write_contents(repo: Repository, contents: Contents) -> None:
    """Write ``contents`` as the store's records, replacing them, in one transaction."""
    repo.replace_all(
        contents.partners,
        contents.contacts,
        contents.touchpoints,
        contents.referrals,
        contents.dismissals,
    )


def _is_local_sqlite(repo: Repository) -> bool:
    return isinstance(repo, SqlRepository) and repo.engine.dialect.name == "sqlite"


def _fill_refs(contents: Contents) -> tuple[Contents, int]:
    """Give each referral without a reference a new random one, unique in the file."""
    taken = {r.participant_ref for r in contents.referrals if r.participant_ref}
    referrals = []
    generated = 0
    for referral in contents.referrals:
        if not referral.participant_ref:
            while (ref := new_participant_ref()) in taken:
                pass
            taken.add(ref)
            referral = replace(referral, participant_ref=ref)
            generated += 1
        referrals.append(referral)
    return (
        Contents(
            contents.partners,
            contents.contacts,
            contents.touchpoints,
            referrals,
            contents.dismissals,
        ),
        generated,
    )


class _CheckedReadStorage(Storage):
    """TinyDB's storage for import: read-only, one bounded read of a regular file.

    TinyDB's ``JSONStorage`` calls ``json.load`` on whatever the path opens: a symlink to
    /dev/zero or a FIFO would hang or grow without end. This one opens without blocking,
    refuses anything but a regular file under ``MAX_IMPORT_BYTES``, reads at most that
    much, parses once (orjson: a 250k-touchpoint export in a fraction of a second) and
    checks the shape TinyDB itself expects, so TinyDB's table API never sees a surprise.
    """

    def __init__(self, path: str, access_mode: str = "r") -> None:
        super().__init__()
        if access_mode != "r":
            raise ValueError("the import storage is read-only")
        self._data = _shape(Path(path), _parse(Path(path), _read_bounded(Path(path))))

    def read(self) -> dict[str, dict[str, Any]]:
        return self._data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        raise StoreError("the export being imported is opened read-only")

    def close(self) -> None:
        pass


def _read_bounded(path: Path) -> bytes:
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise ValidationError(f"there is no file {path}") from None
    except IsADirectoryError:
        raise ValidationError(f"{path} is a folder, not an export file") from None
    except OSError as exc:
        raise ValidationError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise ValidationError(f"{path} is a folder, not an export file")
        if not stat.S_ISREG(info.st_mode):
            raise ValidationError(
                f"{path} is not a regular file (a device, pipe or socket); "
                "give the .json file that `nurture export` wrote"
            )
        if info.st_size > MAX_IMPORT_BYTES:
            raise ValidationError(
                f"{path} is {info.st_size / (1 << 30):.1f} GiB, larger than any Nurture export "
                f"({MAX_IMPORT_BYTES >> 30} GiB at most); nothing was imported"
            )
        handle = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with handle:
        try:
            data = handle.read(MAX_IMPORT_BYTES + 1)
        except OSError as exc:
            raise ValidationError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_IMPORT_BYTES:  # it grew while we read it
        raise ValidationError(f"{path} is larger than any Nurture export; nothing was imported")
    return data


def _parse(path: Path, data: bytes) -> Any:
    if not data.strip():
        raise ValidationError(f"{path} is empty, not a Nurture export")
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise ValidationError(
            f"{path} is not a JSON file ({exc.msg} at byte {exc.pos}), so not a Nurture "
            "export; nothing was imported"
        ) from None


def _shape(path: Path, data: Any) -> dict[str, dict[str, Any]]:
    """TinyDB's layout, ``{table: {"1": {...}, ...}}``, or one line saying what is not."""
    not_ours = f"{path} is not a Nurture export (`nurture export` writes one)"
    if not isinstance(data, dict):
        raise ValidationError(f"{not_ours}: it is JSON, but not a TinyDB database")
    for name, table in data.items():
        if not isinstance(table, dict):
            raise ValidationError(f"{not_ours}: its {name!r} is not a TinyDB table")
        for doc_id, doc in table.items():
            if not (doc_id.isascii() and doc_id.isdigit()) or not isinstance(doc, dict):
                raise ValidationError(
                    f"{not_ours}: table {name!r} has an entry {doc_id[:20]!r} that is not a "
                    "TinyDB document"
                )
    return data


def read_export(path: Path) -> Loaded:
    """Open ``path`` through TinyDB (read-only) and check every document; raise on the first
    bad one, naming its table and document, so a rep can find it with any JSON viewer."""
    db = TinyDB(str(path), storage=_CheckedReadStorage, access_mode="r")
    try:
        names = db.tables()
        not_ours = f"{path} is not a Nurture export (`nurture export` writes one)"
        if META_TABLE not in names:
            raise ValidationError(f"{not_ours}: it has no {META_TABLE!r} table")
        meta_docs = db.table(META_TABLE).all()
        meta = dict(meta_docs[0]) if len(meta_docs) == 1 else {}
        if meta.get("format") != FORMAT:
            raise ValidationError(f"{not_ours}: its {META_TABLE!r} table does not describe one")
        version = meta.get("format_version")
        if type(version) is not int or version < 1:
            raise ValidationError(f"{not_ours}: its export format {version!r} is not one")
        if version > FORMAT_VERSION:
            raise ValidationError(
                f"{path} was written by a newer Nurture (export format {version}; this one "
                f"reads {FORMAT_VERSION}); update Nurture to import it"
            )
        unknown = sorted(n for n in names - {*TABLES, META_TABLE} if len(db.table(n)))
        if unknown:
            raise ValidationError(f"{path} has tables Nurture does not know: {unknown}")
        missing = [n for n in TABLES if n not in names]
        if missing:
            raise ValidationError(
                f"{path} lacks the table(s) {missing}: it is not a whole Nurture export"
            )
        checker = _Checker(path)
        contents = Contents(
            partners=checker.table("partners", db.table("partners"), _partner),
            contacts=checker.table("contacts", db.table("contacts"), _contact),
            touchpoints=checker.table("touchpoints", db.table("touchpoints"), _touchpoint),
            referrals=checker.table("referrals", db.table("referrals"), _referral),
            dismissals=checker.table("dismissals", db.table("dismissals"), _dismissal),
        )
    finally:
        db.close()
    checker.references(contents)
    missing_refs = sum(1 for r in contents.referrals if not r.participant_ref)
    return Loaded(contents, meta, missing_refs)


# Field types per table (exact types: JSON true is not a number). Absent optional fields
# take the codec's defaults.
_S: tuple[type, ...] = (str,)
_SN: tuple[type, ...] = (str, NoneType)
_B: tuple[type, ...] = (bool,)
_BN: tuple[type, ...] = (bool, NoneType)
_L: tuple[type, ...] = (list,)
_NUM: tuple[type, ...] = (int, float)
_FIELDS: dict[str, dict[str, tuple[type, ...]]] = {
    "partners": {
        "id": _S,
        "name": _S,
        "kind": _S,
        "tier": _S,
        "stage": _S,
        "domains": _L,
        "npi": _SN,
        "owner": _SN,
        "tags": _L,
        "social_pages": _L,
        "social": _L,  # what exports made before named social_pages
        "notes": _SN,
        "stage_since": _SN,
        "created": _SN,
        "archived": _B,
        "created_by": _SN,
        "changed_by": _SN,
    },
    "contacts": {
        "id": _S,
        "partner": _S,
        "name": _S,
        "role": _SN,
        "emails": _L,
        "phone": _SN,
        "birthday": _SN,
        "started": _SN,
        "milestones": _L,
        "met": _B,
        "linkedin": _B,
        "archived": _B,
        "credential": _SN,
        "npi": _SN,
        "created_by": _SN,
        "changed_by": _SN,
    },
    "touchpoints": {
        "id": _S,
        "p": _S,
        "k": _S,
        "at": _NUM,
        "c": _SN,
        "dir": _SN,
        "st": _SN,
        "pu": _SN,
        "n": _SN,
        "src": _SN,
        "x": _SN,
        "rq": _BN,
        "v": (int, NoneType),
        "it": _SN,
        "ov": (list, NoneType),
        "rp": (list, NoneType),
        "by": _SN,
        "ch": _SN,
    },
    "referrals": {
        "id": _S,
        "partner": _S,
        "received": _S,
        "ref": _SN,
        "contact": _SN,
        "service": _SN,
        "service_detail": _SN,
        "status": _S,
        "complex": _B,
        "no_longer_serving": _B,
        "created_by": _SN,
        "changed_by": _SN,
    },
    "dismissals": {
        "id": _SN,  # tolerated (a script may add one); identity is partner, rule and key
        "partner": _S,
        "rule": _S,
        "key": _S,
        "until": _SN,
        "reason": _S,
    },
}
_REQUIRED: dict[str, frozenset[str]] = {
    "partners": frozenset({"id", "name", "kind"}),
    "contacts": frozenset({"id", "partner", "name"}),
    "touchpoints": frozenset({"id", "p", "k", "at"}),
    "referrals": frozenset({"id", "partner", "received", "ref"}),
    "dismissals": frozenset({"partner", "rule", "key"}),
}
_STRING_LISTS = {"domains", "tags", "social_pages", "social", "emails"}
_EARLIEST_EPOCH = EARLIEST_MOMENT.timestamp()
_LATEST_EPOCH = LATEST_MOMENT.timestamp()
#: Ids as Nurture makes them (12 of [0-9a-z]) and anything similar; never empty, never a
#: comma (a touchpoint keeps its contact ids comma-joined), at most the column's 40.
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,39}")
_T = TypeVar("_T")
_NAMES = {
    "partners": "partner",
    "contacts": "contact",
    "touchpoints": "touchpoint",
    "referrals": "referral",
    "dismissals": "dismissal",
}


class _Problem(Exception):
    """One thing wrong with one document; ``_Checker`` adds where it is."""


_CREDENTIALS = frozenset(c.value for c in Credential)
#: The touchpoint fields the codec looks up in a dict (a bad value would be a KeyError).
_TOUCH_ENUMS: tuple[tuple[str, frozenset[str], str], ...] = (
    ("k", frozenset(k.value for k in TouchpointKind), "kind"),
    ("dir", frozenset(d.value for d in Direction), "direction"),
    ("st", frozenset(s.value for s in TouchpointStatus), "status"),
)


def _partner(rid: str, doc: Doc) -> Partner:
    partner = partner_from_doc(rid, doc)
    if not partner.name.strip():
        raise _Problem("the name is empty")
    # Text from a file is data: the same cleaning as typed text (escape codes, bidi, length).
    partner = replace(
        partner,
        name=clean_name(partner.name, "partner name"),
        notes=clean_text(partner.notes, multiline=True),
        owner=clean_text(partner.owner) or None if partner.owner else None,
        tags=tuple(clean_text(t) for t in partner.tags if clean_text(t)),
    )
    if partner.npi is not None and len(partner.npi) > 10:
        raise _Problem("the NPI is longer than 10 characters")
    if partner.stage_since:
        check_day(partner.stage_since, "stage_since date")
    if partner.created_at:
        check_moment(partner.created_at, "created time")
    return partner


def _contact(rid: str, doc: Doc) -> Contact:
    for milestone in doc.get("milestones") or ():
        if not isinstance(milestone, dict) or not isinstance(milestone.get("on"), str):
            raise _Problem("each milestone needs an 'on' date")
        if not set(milestone) <= {"on", "note"} or not isinstance(milestone.get("note", ""), str):
            raise _Problem("a milestone has only 'on' and a text 'note'")
    credential = doc.get("credential")
    if credential is not None and credential not in _CREDENTIALS:
        raise _Problem(f"{credential[:20]!r} is not a credential")
    if doc.get("npi") is not None and not re.fullmatch(r"\d{10}", doc["npi"]):
        raise _Problem("the NPI is not 10 digits")
    contact = contact_from_doc(rid, doc)
    if not contact.name.strip():
        raise _Problem("the name is empty")
    contact = replace(
        contact,
        name=clean_name(contact.name, "contact name"),
        role=clean_text(contact.role),
        phone=clean_text(contact.phone),
        milestones=tuple(replace(m, note=clean_text(m.note)) for m in contact.milestones),
    )
    _check_id(contact.partner_id, "partner")
    for day, what in ((contact.birthday, "birthday"), (contact.started, "started date")):
        if isinstance(day, date):  # a year-less day (--0314) has no year to range-check
            check_day(day, what)
    for milestone_day in contact.milestones:
        if isinstance(milestone_day.on, date):
            check_day(milestone_day.on, "milestone date")
    return contact


def _touchpoint(rid: str, doc: Doc) -> Touchpoint:
    for key, allowed, what in _TOUCH_ENUMS:
        value = doc.get(key)
        if value is not None and value not in allowed:
            raise _Problem(f"{value[:40]!r} is not a touchpoint {what}")
    if len(doc.get("src") or "") > 40:
        raise _Problem("the source name is longer than 40 characters")
    at = doc["at"]
    if not _EARLIEST_EPOCH <= at < _LATEST_EPOCH:  # a number compare: 250,000 of these
        check_moment(datetime.fromtimestamp(at, UTC), "touchpoint's time")  # says why
        raise _Problem("the touchpoint's time is out of range")
    value = doc.get("v")
    if value is not None and not 0 <= value <= MAX_CENTS:
        raise _Problem("the value given is negative or more than the most a touch may record")
    for override in doc.get("ov") or ():
        if not isinstance(override, dict) or not all(
            isinstance(override.get(key), str) for key in ("rule", "message", "by", "at")
        ):
            raise _Problem("each override has text 'rule', 'message', 'by' and 'at'")
        if not isinstance(override.get("to", ""), str | None):
            raise _Problem("an override's 'to' is a contact id")
        check_moment(datetime.fromisoformat(override["at"]), "override time")
    for pair in doc.get("rp") or ():
        if not (isinstance(pair, list) and len(pair) == 2 and all(type(x) is str for x in pair)):
            raise _Problem("each of a meeting's reps is [rep email, their event id]")
    touch = touchpoint_from_doc(rid, doc)
    if touch.item:
        touch = touch._replace(item=clean_text(touch.item))
    if touch.purpose or touch.note:
        touch = touch._replace(
            purpose=clean_text(touch.purpose), note=clean_text(touch.note, multiline=True)
        )
    for contact_id in touch.contact_ids:
        if not _ID.fullmatch(contact_id):
            raise _Problem(f"{contact_id[:50]!r} is not a contact id")
    return touch


def _referral(rid: str, doc: Doc) -> Referral:
    if doc.get("ref") is None:
        doc = {**doc, "ref": ""}  # an export without references: filled in, or refused
    referral = referral_from_doc(rid, doc)
    check_day(referral.received, "received date")
    service, detail = service_from_text(referral.service)
    if referral.service and service != referral.service:
        # An older export's free text: read as the list's service, detail screened.
        referral = replace(
            referral, service=service, service_detail=referral.service_detail or detail
        )
    if phi_findings(referral.service_detail) or len(referral.service_detail) > 80:
        raise _Problem("the service detail looks like patient data or is too long")
    if referral.participant_ref and (
        not referral.participant_ref.strip() or len(referral.participant_ref) > 64
    ):
        raise _Problem("the participant reference is blank or too long")  # never echoed
    return referral


def _dismissal(_rid: str, doc: Doc) -> Dismissal:
    dismissal = dismissal_from_doc(doc)
    if not dismissal.rule or len(dismissal.rule) > 60:
        raise _Problem("the rule name is empty or longer than 60 characters")
    if dismissal.until:
        check_day(dismissal.until, "snoozed-until date")
    return dismissal


def _check_id(value: str, what: str) -> str:
    if not _ID.fullmatch(value):
        raise _Problem(f"{value[:50]!r} is not a {what} id")
    return value


class _Checker:
    """Checks documents table by table; the first problem ends the import, with its place."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._doc_ids: dict[str, list[int]] = {}  # TinyDB's ids, in record order

    def fail(self, table: str, doc_id: object, rid: object, problem: str) -> NurtureError:
        which = f"document {doc_id}" + (f" (id {rid!r})" if isinstance(rid, str) else "")
        return ValidationError(f"{self._path}: {table} {which}: {problem}; nothing was imported")

    def table(self, name: str, table: Any, decode: Callable[[str, Doc], _T]) -> list[_T]:
        fields, required = _FIELDS[name], _REQUIRED[name]
        found: list[_T] = []
        seen: set[object] = set()
        lists = _STRING_LISTS & fields.keys()
        doc_ids = self._doc_ids[name] = []
        for document in table:
            doc: Doc = document  # a dict; decoders copy before changing one
            rid = doc.get("id")
            try:
                self._fields(doc, fields, required, lists)
                rid_text = _check_id(str(rid), _NAMES[name]) if name != "dismissals" else ""
                record = decode(rid_text, doc)
            except _Problem as exc:
                raise self.fail(name, document.doc_id, rid, str(exc)) from None
            except ValidationError as exc:  # check_day / check_moment: already plain words
                raise self.fail(name, document.doc_id, rid, str(exc)) from None
            except (KeyError, ValueError, TypeError, OverflowError, OSError) as exc:
                raise self.fail(name, document.doc_id, rid, _plain(exc)) from None
            key = (
                (record.partner_id, record.rule, record.key)
                if isinstance(record, Dismissal)
                else rid
            )
            if key in seen:
                raise self.fail(name, document.doc_id, rid, "the same record appears twice")
            seen.add(key)
            found.append(record)
            doc_ids.append(document.doc_id)
        return found

    @staticmethod
    def _fields(
        doc: Doc, fields: dict[str, tuple[type, ...]], required: frozenset[str], lists: set[str]
    ) -> None:
        absent = required - doc.keys()
        if absent:
            raise _Problem(f"missing field(s) {sorted(absent)}")
        for key, value in doc.items():
            allowed = fields.get(key)
            if allowed is None:
                raise _Problem(f"unknown field {key[:40]!r}")
            if type(value) not in allowed:
                names = " or ".join("null" if t is NoneType else t.__name__ for t in allowed)
                raise _Problem(f"field {key!r} must be {names}, not {type(value).__name__}")
            if lists and key in lists and not all(type(v) is str for v in value):
                raise _Problem(f"field {key!r} must be a list of strings")

    def references(self, contents: Contents) -> None:
        """Every record's partner is in the file (the store's foreign keys would refuse
        the whole write otherwise, in less helpful words)."""
        partners = {p.id for p in contents.partners}
        tables: list[tuple[str, Sequence[Contact | Touchpoint | Referral | Dismissal]]] = [
            ("contacts", contents.contacts),
            ("touchpoints", contents.touchpoints),
            ("referrals", contents.referrals),
            ("dismissals", contents.dismissals),
        ]
        for table, records in tables:
            for doc_id, record in zip(self._doc_ids[table], records, strict=True):
                if record.partner_id not in partners:
                    rid = getattr(record, "id", None)
                    raise self.fail(
                        table,
                        doc_id,
                        rid,
                        f"its partner {record.partner_id[:50]!r} is not in the file",
                    )


def _plain(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"missing field {exc.args[0]!r}"
    if isinstance(exc, OverflowError | OSError):
        return "a date or time is out of range"
    return str(exc) or type(exc).__name__
