"""Moving a journal-era store (manifest, table snapshots, journal) into ``nurture.db``.

The old files are only read here, never written: after a migration they move, untouched,
to ``backups/pre-sqlite-STAMP/`` (restorable with ``nurture restore``). A record the new
store cannot hold (a date out of range, a damaged document) is left out and reported by
its id; a damaged last journal line is reported, not silently dropped.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import func, insert, select

from nurture_tui.domain import codec
from nurture_tui.domain.errors import StoreError
from nurture_tui.domain.kinds import service_from_text
from nurture_tui.domain.model import Contact, Dismissal, Partner, Referral, Touchpoint
from nurture_tui.domain.phi import phi_findings
from nurture_tui.domain.validation import EARLIEST_MOMENT, LATEST_MOMENT
from nurture_tui.store import rows as r
from nurture_tui.store import schema as s
from nurture_tui.store.database import damaged_message, sqlite_engine
from nurture_tui.store.migrate import upgrade

MANIFEST = "manifest.json"
#: A state key in the new database saying which journal store it was built from.
MIGRATED_KEY = "migrated-from-journal"


@dataclass
class LegacyData:
    partners: dict[str, Partner] = field(default_factory=dict)
    contacts: dict[str, Contact] = field(default_factory=dict)
    touchpoints: dict[str, Touchpoint] = field(default_factory=dict)
    referrals: dict[str, Referral] = field(default_factory=dict)
    dismissals: dict[str, Dismissal] = field(default_factory=dict)
    state: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: What was left out, each naming the record or journal line (never its contents).
    problems: list[str] = field(default_factory=list)


def legacy_files(directory: Path) -> list[Path]:
    """The journal store's files in ``directory`` (empty when there is none)."""
    found = [p for p in (directory / MANIFEST, directory / "tables") if p.exists()]
    found += sorted(directory.glob("journal.*.log"))
    for name in ("audit.log", "writer.lock"):
        if found and (directory / name).exists():
            found.append(directory / name)
    return found


def _dismissal(_rid: str, d: dict[str, Any]) -> Dismissal:
    until = d.get("until")
    return Dismissal(
        partner_id=d["partner"],
        rule=d["rule"],
        key=d.get("key", ""),
        until=date.fromisoformat(until) if until else None,
        reason=d.get("reason", ""),
    )


_DECODERS: dict[str, Callable[[str, dict[str, Any]], Any]] = {
    "partners": codec.partner_from_doc,
    "contacts": codec.contact_from_doc,
    "touchpoints": codec.touchpoint_from_doc,
    "referrals": codec.referral_from_doc,
    "dismissals": _dismissal,
}
_EARLIEST, _LATEST = EARLIEST_MOMENT.timestamp(), LATEST_MOMENT.timestamp()


def read_legacy(directory: Path) -> LegacyData:
    """Everything a journal store holds, as records; raises when it cannot be read safely."""
    manifest_path = directory / MANIFEST
    try:
        manifest = orjson.loads(manifest_path.read_bytes())
        tables: dict[str, str] = dict(manifest["tables"])
        generation = int(manifest["generation"])
    except FileNotFoundError:
        raise StoreError(
            damaged_message(str(manifest_path), "the old store's manifest.json is missing")
        ) from None
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise StoreError(damaged_message(str(manifest_path), str(exc))) from None
    docs: dict[str, dict[str, Any]] = {}
    for name, relative in tables.items():
        path = directory / relative
        try:
            raw = orjson.loads(path.read_bytes())[name]
        except FileNotFoundError:
            raise StoreError(damaged_message(str(path), "the file is missing")) from None
        except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
            raise StoreError(damaged_message(str(path), str(exc))) from None
        docs[name] = _touchpoint_docs(raw) if name == "touchpoints" else dict(raw)
    data = LegacyData()
    _replay(directory / f"journal.{generation}.log", docs, data.problems)
    for name, table in docs.items():
        if name == "state":
            data.state = {k: v for k, v in table.items() if isinstance(v, dict)}
            continue
        decode = _DECODERS.get(name)
        if decode is None:
            data.problems.append(f"table {name!r} is unknown to this Nurture and was left out")
            continue
        target: dict[str, Any] = getattr(data, name)
        for rid, doc in table.items():
            try:
                record = decode(rid, doc)
            except (KeyError, ValueError, TypeError, OverflowError, OSError) as exc:
                data.problems.append(f"{name[:-1]} {rid}: unreadable ({type(exc).__name__})")
                continue
            if name == "touchpoints" and not _EARLIEST <= float(doc["at"]) < _LATEST:
                data.problems.append(f"touchpoint {rid}: its date is outside 1900–2199")
                continue
            if isinstance(record, Referral):
                record = _listed_service(record, data.problems)
            target[_key(record)] = record
    _drop_orphans(data)
    return data


def _listed_service(referral: Referral, problems: list[str]) -> Referral:
    """The journal store's free-text service, read as a listed service (see migration 0002)."""
    service, detail = service_from_text(referral.service)
    if phi_findings(detail):
        problems.append(
            f"referral {referral.id}: its service text looked like patient data and "
            "was not kept (the original files are kept in backups/)"
        )
        detail = ""
    return replace(referral, service=service, service_detail=detail[:80])


def _key(record: Any) -> str:
    if isinstance(record, Dismissal):
        return f"{record.partner_id}|{record.rule}|{record.key}"
    return str(record.id)


def _touchpoint_docs(raw: Any) -> dict[str, Any]:
    """The touchpoint snapshot was written as columns; give back one document per row."""
    if not isinstance(raw, dict) or "id" not in raw:
        return dict(raw)
    ids: list[str] = raw["id"]
    keys = [k for k in raw if k != "id"]
    return {tid: {k: raw[k][i] for k in keys if raw[k][i] is not None} for i, tid in enumerate(ids)}


def _replay(path: Path, docs: dict[str, dict[str, Any]], problems: list[str]) -> None:
    """Apply the journal's checksummed batches; report what cannot be applied."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return
    lines = data.split(b"\n")
    torn_tail = lines.pop()  # after the last newline: empty, or a write never acknowledged
    if torn_tail:
        problems.append(f"{path.name}: an unfinished last write (never acknowledged) was left out")
    for number, line in enumerate(lines, start=1):
        checksum, _, payload = line.partition(b" ")
        try:
            if len(checksum) != 8 or int(checksum, 16) != zlib.crc32(payload):
                raise ValueError("checksum")
            batch = orjson.loads(payload)
            ops = batch["ops"]
        except (ValueError, KeyError, TypeError, orjson.JSONDecodeError):
            problems.append(
                f"{path.name} line {number}: damaged, its changes were left out (the original "
                "files are kept in backups/)"
            )
            continue
        for table, rid, doc in ops:
            if doc is None:
                docs.setdefault(table, {}).pop(rid, None)
            else:
                docs.setdefault(table, {})[rid] = doc


def _drop_orphans(data: LegacyData) -> None:
    """Records whose partner is gone cannot satisfy the new foreign keys: report them."""
    for name in ("contacts", "touchpoints", "referrals", "dismissals"):
        table: dict[str, Any] = getattr(data, name)
        for key in [k for k, rec in table.items() if rec.partner_id not in data.partners]:
            del table[key]
            data.problems.append(f"{name[:-1]} {key}: its partner no longer exists")


def build_database(data: LegacyData, path: Path, *, origin: str = "") -> None:
    """Create the SQL schema at ``path`` and load ``data`` in one transaction; check counts."""
    engine = sqlite_engine(path)
    try:
        with engine.connect().execution_options(write=True) as c, c.begin():
            upgrade(c)
            groups: list[tuple[Any, list[Any], Callable[[Any], dict[str, Any]]]] = [
                (s.partners, list(data.partners.values()), r.partner_row),
                (s.contacts, list(data.contacts.values()), r.contact_row),
                (s.touchpoints, list(data.touchpoints.values()), r.touchpoint_row),
                (s.referrals, list(data.referrals.values()), r.referral_row),
                (s.dismissals, list(data.dismissals.values()), r.dismissal_row),
            ]
            for table, items, to_row in groups:
                for start in range(0, len(items), 5_000):
                    c.execute(insert(table), [to_row(x) for x in items[start : start + 5_000]])
            emails = [
                {"contact_id": x.id, "email": e.lower()}
                for x in data.contacts.values()
                for e in x.emails
            ]
            if emails:
                c.execute(insert(s.contact_emails), emails)
            state = dict(data.state)
            if origin:
                stamp = datetime.now(UTC).isoformat(timespec="seconds")
                state[MIGRATED_KEY] = {"from": origin, "at": stamp}
            if state:
                c.execute(
                    insert(s.state),
                    [{"key": k, "value": orjson.dumps(v).decode()} for k, v in state.items()],
                )
            for table, items, _ in groups:
                stored = c.execute(select(func.count()).select_from(table)).scalar_one()
                if stored != len(items):
                    raise StoreError(
                        f"migration check failed: {table.name} has {stored} rows, expected "
                        f"{len(items)}; nothing was changed"
                    )
        with engine.connect() as c:  # fold the WAL in: the file is renamed on its own later
            c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()
