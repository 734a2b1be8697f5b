"""A journaled document store: per-table snapshots plus one append-only, checksummed journal.

Why not TinyDB's own storage: every TinyDB write re-reads and rewrites the whole file, which
costs ~0.45 s per insert at 100k touchpoints. Here a write appends one checksummed line to
the journal and fsyncs it, so its cost does not grow with the store. The journal is folded
into fresh snapshots (compaction) once it grows; each snapshot file is a valid TinyDB
database (``{table: {id: doc}}``), so ``TinyDB(path)`` can read one for ad-hoc queries.

Layout of a store directory::

    manifest.json           schema version, generation, last seq, snapshot file per table
    tables/NAME.G.json      snapshot of one table, written at generation G
    journal.G.log           writes since generation G's snapshot: "<crc32> <json>\\n" per batch
    audit.log               who changed what, when (ids only, never participant data)
    writer.lock             serialises writers across processes
    backups/STAMP/          rotating copies of manifest, tables and journal

Crash safety: a batch is acknowledged only after its line is fsynced. A torn last line (a
crash mid-append) has no newline or a bad checksum and is dropped by the next writer; a
bad checksum anywhere else is corruption and is reported, never overwritten. Snapshots and
the manifest are written to a temp file, fsynced and renamed.
"""

from __future__ import annotations

import contextlib
import gc
import os
import shutil
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from filelock import FileLock, Timeout

from nurture_tui.domain.errors import StoreError
from nurture_tui.store.files import atomic_write, fsync_directory

SCHEMA_VERSION = 1
FORMAT = "nurture-store"
#: Fold the journal into snapshots past this many batches or bytes.
COMPACT_AFTER_BATCHES = 20_000
COMPACT_AFTER_BYTES = 16 * 1024 * 1024
BACKUPS_KEPT = 7

Doc = dict[str, Any]
#: One change: (table, record id, encoded document or None for a delete).
Op = tuple[str, str, Doc | None]


class TableCodec:
    """Turns the stored JSON of a table into in-memory records and back.

    The default keeps plain documents; subclasses decode into domain records and may
    choose a faster snapshot layout for big tables (columns instead of one dict each).
    """

    def decode(self, record_id: str, doc: Doc) -> Any:
        return doc

    def encode(self, record: Any) -> Doc:
        return dict(record)

    def encode_table(self, records: dict[str, Any]) -> Any:
        """The snapshot form of a whole table; by default TinyDB's ``{id: document}``."""
        encode = self.encode
        return {rid: encode(rec) for rid, rec in records.items()}

    def decode_table(self, raw: Any) -> dict[str, Any]:
        decode = self.decode
        return {rid: decode(rid, doc) for rid, doc in raw.items()}


PLAIN = TableCodec()

#: Called after a record changes: (table, id, old record, new record), None for absent;
#: ``table == "*"`` means everything was reloaded.
ChangeListener = Callable[[str, str, Any, Any], None]

Migration = Callable[[dict[str, dict[str, Doc]]], None]
#: schema N -> N+1, applied in order on open. Empty while we are at version 1.
MIGRATIONS: dict[int, Migration] = {}


@dataclass
class _FileStamp:
    """Enough of a stat to tell that another process replaced a file."""

    inode: int = -1
    mtime_ns: int = -1
    size: int = -1

    @classmethod
    def of(cls, path: Path) -> _FileStamp:
        try:
            st = path.stat()
        except FileNotFoundError:
            return cls()
        return cls(st.st_ino, st.st_mtime_ns, st.st_size)


@dataclass
class _Manifest:
    generation: int = 0
    seq: int = 0
    schema: int = SCHEMA_VERSION
    tables: dict[str, str] = field(default_factory=dict)

    def to_bytes(self) -> bytes:
        return orjson.dumps(
            {
                "format": FORMAT,
                "schema": self.schema,
                "generation": self.generation,
                "seq": self.seq,
                "tables": self.tables,
            },
            option=orjson.OPT_INDENT_2,
        )


class JournalStore:
    """In-memory tables backed by snapshots and a journal; safe for concurrent processes."""

    def __init__(
        self,
        directory: Path,
        codecs: dict[str, TableCodec] | None = None,
        *,
        actor: str = "nurture",
        lock_timeout: float = 15.0,
    ) -> None:
        self.directory = directory
        self.actor = actor
        self._codecs = dict(codecs or {})
        self._lock = FileLock(str(directory / "writer.lock"), timeout=lock_timeout)
        self._manifest = _Manifest()
        self._manifest_stamp = _FileStamp()
        self._tables: dict[str, dict[str, Any]] = {}
        self._pending: dict[str, list[tuple[str, Doc | None]]] = {}
        self._dirty: set[str] = set()
        self._journal_offset = 0
        self._journal_batches = 0
        self._listeners: list[ChangeListener] = []

    # ----------------------------------------------------------------- paths
    @property
    def manifest_path(self) -> Path:
        return self.directory / "manifest.json"

    @property
    def journal_path(self) -> Path:
        return self.directory / f"journal.{self._manifest.generation}.log"

    @property
    def seq(self) -> int:
        """The number of the last batch this process has seen; grows with every write."""
        return self._manifest.seq

    # ------------------------------------------------------------- lifecycle
    def open(self) -> None:
        """Open the store, creating it if the directory is new; run pending migrations."""
        self.directory.mkdir(parents=True, exist_ok=True)
        if not self.manifest_path.exists():
            with self._writer():
                if not self.manifest_path.exists():
                    self._create()
        self._load_all()
        if self._manifest.schema < SCHEMA_VERSION:
            self._migrate()

    def subscribe(self, listener: ChangeListener) -> None:
        self._listeners.append(listener)

    def table(self, name: str) -> dict[str, Any]:
        """The live records of a table (read-only by convention; write through ``write``)."""
        if name not in self._tables:
            self._load_table(name)
        return self._tables[name]

    def table_names(self) -> set[str]:
        return set(self._manifest.tables) | set(self._pending) | set(self._tables)

    # ----------------------------------------------------------------- reads
    def refresh(self) -> bool:
        """Pick up writes made by other processes; True when anything changed."""
        if _FileStamp.of(self.manifest_path) != self._manifest_stamp:
            self._load_all()
            self._notify("*", "", None, None)
            return True
        return self._replay_journal(repair_tail=False) > 0

    # ---------------------------------------------------------------- writes
    def write(self, ops: Sequence[tuple[str, str, Any]], *, action: str = "write") -> int:
        """Apply a batch atomically and durably: all of it is on disk, or none of it.

        ``ops`` are ``(table, id, record or None)``. Returns the batch's sequence number.
        """
        if not ops:
            return self.seq
        encoded: list[Op] = [
            (table, rid, None if rec is None else self._codec(table).encode(rec))
            for table, rid, rec in ops
        ]
        with self._writer():
            self._catch_up()
            seq = self._manifest.seq + 1
            payload = orjson.dumps({"s": seq, "ops": encoded})
            line = b"%08x " % zlib.crc32(payload) + payload + b"\n"
            self._append(line)
            self._manifest.seq = seq
            self._journal_batches += 1
            self._audit(action, encoded)
            for (table, rid, rec), (_, _, doc) in zip(ops, encoded, strict=True):
                self._apply(table, rid, doc, record=rec)
            if self._journal_too_big():
                self._compact_locked()
        return seq

    def compact(self) -> None:
        """Fold the journal into fresh snapshots (cheap to call when idle)."""
        with self._writer():
            self._catch_up()
            if self._journal_batches:
                self._compact_locked()

    def replace_all(self, tables: dict[str, dict[str, Any]], *, action: str) -> None:
        """Swap in whole tables at once (demo data, restore): one new generation."""
        with self._writer():
            self._catch_up()
            for name in tables:
                self.table(name)
            for name, records in tables.items():
                self._tables[name] = dict(records)
                self._dirty.add(name)
            self._audit(action, [(name, "*", None) for name in tables])
            self._compact_locked()
        self._notify("*", "", None, None)

    # --------------------------------------------------------------- backups
    def backup(self) -> Path:
        """Copy the current snapshot and journal to ``backups/STAMP``; keep the last few."""
        with self._writer():
            self._catch_up()
            return self._backup_locked()

    def backups(self) -> list[Path]:
        root = self.directory / "backups"
        if not root.exists():
            return []
        return sorted((p for p in root.iterdir() if (p / "manifest.json").exists()), reverse=True)

    def restore(self, backup: Path) -> None:
        """Make ``backup`` the current state; the state it replaces is backed up first."""
        other = JournalStore(backup, self._codecs, actor=self.actor)
        other._load_all()
        tables = {name: other.table(name) for name in other.table_names()}
        with self._writer():
            with contextlib.suppress(StoreError):
                self._catch_up()
                self._backup_locked()
            self._tables = {}
            self._pending = {}
            self._manifest.tables = {}
            self._dirty = set(tables)
            self._tables.update({name: dict(records) for name, records in tables.items()})
            self._audit("restore", [("*", backup.name, None)])
            self._compact_locked(force_backup=False)
        self._notify("*", "", None, None)

    # ============================================================ internals
    def _codec(self, table: str) -> TableCodec:
        return self._codecs.get(table, PLAIN)

    @contextlib.contextmanager
    def _writer(self) -> Iterator[None]:
        try:
            with self._lock:
                yield
        except Timeout:
            raise StoreError(
                f"the store at {self.directory} is locked by another Nurture process "
                "(a sync or another window) that has not let go for "
                f"{self._lock.timeout:.0f} s; try again, or close the other process"
            ) from None

    def _create(self) -> None:
        (self.directory / "tables").mkdir(exist_ok=True)
        (self.directory / "journal.0.log").touch()
        atomic_write(self.manifest_path, _Manifest().to_bytes())

    def _read_manifest(self) -> _Manifest:
        path = self.manifest_path
        try:
            raw = orjson.loads(path.read_bytes())
            if raw.get("format") != FORMAT:
                raise ValueError("it is not a Nurture store manifest")
            manifest = _Manifest(
                generation=int(raw["generation"]),
                seq=int(raw["seq"]),
                schema=int(raw["schema"]),
                tables={str(k): str(v) for k, v in raw["tables"].items()},
            )
        except FileNotFoundError:
            raise StoreError(f"no Nurture store at {self.directory}") from None
        except (orjson.JSONDecodeError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise _corrupt(path, exc) from None
        if manifest.schema > SCHEMA_VERSION:
            raise StoreError(
                f"the store at {self.directory} was written by a newer Nurture "
                f"(schema {manifest.schema}, this one reads {SCHEMA_VERSION}); upgrade Nurture"
            )
        return manifest

    def _load_all(self) -> None:
        # A concurrent compaction may delete the files an old manifest names: retry.
        for attempt in range(5):
            stamp = _FileStamp.of(self.manifest_path)
            self._manifest = self._read_manifest()
            self._manifest_stamp = stamp
            self._tables = {}
            self._pending = {}
            self._dirty = set()
            self._journal_offset = 0
            self._journal_batches = 0
            try:
                self._replay_journal(repair_tail=False)
                return
            except FileNotFoundError:
                if attempt == 4:
                    raise

    def _load_table(self, name: str) -> None:
        records: dict[str, Any] = {}
        relative = self._manifest.tables.get(name)
        if relative:
            path = self.directory / relative
            try:
                with _no_gc():
                    docs = orjson.loads(path.read_bytes())[name]
            except FileNotFoundError:
                # Compacted away under us: reload everything from the new manifest.
                self._load_all()
                self._notify("*", "", None, None)
                if name not in self._tables:
                    self._load_table(name)
                return
            except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
                raise _corrupt(path, exc) from None
            try:
                with _no_gc():
                    records = self._codec(name).decode_table(docs)
            except (KeyError, ValueError, TypeError, AttributeError) as exc:
                raise _corrupt(path, exc) from None
        self._tables[name] = records
        for rid, doc in self._pending.pop(name, []):
            self._apply_loaded(name, rid, doc)

    def _replay_journal(self, *, repair_tail: bool) -> int:
        """Apply journal batches past our offset; returns how many were new."""
        path = self.journal_path
        try:
            with open(path, "rb") as handle:
                handle.seek(self._journal_offset)
                data = handle.read()
        except FileNotFoundError:
            return 0  # a crash between compaction steps leaves no journal: nothing to replay
        applied = 0
        position = 0
        while (end := data.find(b"\n", position)) >= 0:
            try:
                batch = _decode_line(data[position:end])
            except ValueError as exc:
                if end + 1 == len(data):
                    break  # the last line is torn: its write was never acknowledged
                raise _corrupt(path, exc) from None
            self._manifest.seq = max(self._manifest.seq, int(batch["s"]))
            self._journal_batches += 1
            for table, rid, doc in batch["ops"]:
                self._apply(table, rid, doc)
            applied += 1
            position = end + 1
        self._journal_offset += position
        if repair_tail and position < len(data):
            with open(path, "r+b") as handle:
                handle.truncate(self._journal_offset)
                os.fsync(handle.fileno())
        return applied

    def _catch_up(self) -> None:
        """Under the lock: see every write of other processes before ours (no lost update)."""
        if _FileStamp.of(self.manifest_path) != self._manifest_stamp:
            self._load_all()
            self._notify("*", "", None, None)
        self._replay_journal(repair_tail=True)

    def _apply(self, table: str, rid: str, doc: Doc | None, record: Any = None) -> None:
        self._dirty.add(table)
        if table not in self._tables:
            if table in self._manifest.tables or table in self._pending:
                self._pending.setdefault(table, []).append((rid, doc))
                return
            self._tables[table] = {}
        if record is not None or doc is None:
            self._store(table, rid, record)
        else:
            self._apply_loaded(table, rid, doc)

    def _apply_loaded(self, table: str, rid: str, doc: Doc | None) -> None:
        record = None if doc is None else self._codec(table).decode(rid, doc)
        self._store(table, rid, record)

    def _store(self, table: str, rid: str, record: Any) -> None:
        records = self._tables[table]
        old = records.pop(rid, None) if record is None else records.get(rid)
        if record is not None:
            records[rid] = record
        self._notify(table, rid, old, record)

    def _notify(self, table: str, rid: str, old: Any, new: Any) -> None:
        for listener in self._listeners:
            listener(table, rid, old, new)

    def _append(self, line: bytes) -> None:
        fd = os.open(self.journal_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)
        self._journal_offset += len(line)

    def _journal_too_big(self) -> bool:
        return (
            self._journal_batches >= COMPACT_AFTER_BATCHES
            or self._journal_offset >= COMPACT_AFTER_BYTES
        )

    def _compact_locked(self, *, force_backup: bool = True) -> None:
        generation = self._manifest.generation + 1
        tables_dir = self.directory / "tables"
        tables_dir.mkdir(exist_ok=True)
        paths = dict(self._manifest.tables)
        for name in sorted(self._dirty | set(self._pending)):
            docs = self._codec(name).encode_table(self.table(name))
            relative = f"tables/{name}.{generation}.json"
            atomic_write(self.directory / relative, orjson.dumps({name: docs}))
            paths[name] = relative
        new_journal = self.directory / f"journal.{generation}.log"
        with open(new_journal, "wb") as handle:
            os.fsync(handle.fileno())
        manifest = _Manifest(generation, self._manifest.seq, SCHEMA_VERSION, paths)
        atomic_write(self.manifest_path, manifest.to_bytes())
        old_journal = self.journal_path
        self._manifest = manifest
        self._manifest_stamp = _FileStamp.of(self.manifest_path)
        self._journal_offset = 0
        self._journal_batches = 0
        self._dirty = set()
        self._remove_unreferenced(old_journal)
        if force_backup and self._latest_backup_age_hours() >= 24:
            self._backup_locked()

    def _remove_unreferenced(self, old_journal: Path) -> None:
        keep = {self.directory / rel for rel in self._manifest.tables.values()}
        with contextlib.suppress(FileNotFoundError):
            old_journal.unlink()
        for path in (self.directory / "tables").glob("*.json"):
            if path not in keep:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
        for path in self.directory.glob("journal.*.log"):
            if path != self.journal_path:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
        fsync_directory(self.directory)

    def _migrate(self) -> None:
        with self._writer():
            self._catch_up()
            self._backup_locked()
            raw = {name: self._raw_docs(name) for name in self._manifest.tables}
            for version in range(self._manifest.schema, SCHEMA_VERSION):
                MIGRATIONS[version](raw)
            self._tables = {
                name: {rid: self._codec(name).decode(rid, doc) for rid, doc in docs.items()}
                for name, docs in raw.items()
            }
            self._pending = {}
            self._dirty = set(raw)
            self._compact_locked(force_backup=False)

    def _raw_docs(self, name: str) -> dict[str, Doc]:
        encode = self._codec(name).encode
        return {rid: encode(rec) for rid, rec in self.table(name).items()}

    def _backup_locked(self) -> Path:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        target = self.directory / "backups" / stamp
        (target / "tables").mkdir(parents=True)
        for relative in self._manifest.tables.values():
            shutil.copy2(self.directory / relative, target / relative)
        if self.journal_path.exists():
            shutil.copy2(self.journal_path, target / self.journal_path.name)
        # The manifest goes last: a backup without one is ignored (and cleaned up later).
        shutil.copy2(self.manifest_path, target / "manifest.json")
        for old in self.backups()[BACKUPS_KEPT:]:
            shutil.rmtree(old, ignore_errors=True)
        return target

    def _latest_backup_age_hours(self) -> float:
        backups = self.backups()
        if not backups:
            return float("inf")
        age = datetime.now().timestamp() - (backups[0] / "manifest.json").stat().st_mtime
        return age / 3600

    def _audit(self, action: str, ops: Sequence[Op]) -> None:
        """Append who changed what; record ids and tables only, never document contents."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        lines = b"".join(
            orjson.dumps(
                {
                    "at": now,
                    "actor": self.actor,
                    "action": action,
                    "table": t,
                    "id": rid,
                    "deleted": doc is None,
                }
            )
            + b"\n"
            for t, rid, doc in ops
        )
        fd = os.open(self.directory / "audit.log", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, lines)
        finally:
            os.close(fd)


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cyclic GC while building hundreds of thousands of acyclic objects.

    Left on, it rescans the growing heap over and over and doubles the load time.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # What was loaded lives as long as the store: freezing it keeps later collections
        # (every few thousand allocations in the UI) from rescanning 250k records.
        gc.freeze()
        if enabled:
            gc.enable()


def _decode_line(line: bytes) -> dict[str, Any]:
    """Parse one journal line; ValueError if it is torn or damaged."""
    checksum, _, payload = line.partition(b" ")
    if len(checksum) != 8 or int(checksum, 16) != zlib.crc32(payload):
        raise ValueError("a journal record fails its checksum")
    batch = orjson.loads(payload)
    if not isinstance(batch, dict) or "s" not in batch or "ops" not in batch:
        raise ValueError("a journal record has no sequence number or changes")
    return batch


def _corrupt(path: Path, exc: BaseException) -> StoreError:
    return StoreError(
        f"the store file {path} is damaged ({exc}); nothing was changed or overwritten. "
        "Run `nurture restore` to go back to the latest backup, or move the folder aside "
        "and start afresh"
    )
