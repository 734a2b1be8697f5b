"""(Test-only, retired.) The Repository over the journaled store, with the indexes the playbook and board need.

Indexes are built once, on first use, and kept current by the store's change feed, so a
board of 5,000 partners never rescans 250,000 touchpoints per partner.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from legacy_store.engine import Doc, JournalStore, TableCodec
from nurture_tui.domain import codec
from nurture_tui.domain.errors import AmbiguousIdError, NotFoundError
from nurture_tui.domain.model import Contact, Dismissal, Partner, Referral, Touchpoint
from nurture_tui.domain.repository import Record

PARTNERS, CONTACTS, TOUCHPOINTS, REFERRALS = "partners", "contacts", "touchpoints", "referrals"
DISMISSALS, STATE = "dismissals", "state"


class _Codec(TableCodec):
    def __init__(self, decode: Callable[[str, Doc], Any], encode: Callable[[Any], Doc]) -> None:
        self._decode = decode
        self._encode = encode

    def decode(self, record_id: str, doc: Doc) -> Any:
        return self._decode(record_id, doc)

    def encode(self, record: Any) -> Doc:
        return self._encode(record)


class _TouchpointCodec(_Codec):
    """Touchpoints snapshot as columns: 250k of them must load in well under a second."""

    def __init__(self) -> None:
        super().__init__(codec.touchpoint_from_doc, codec.touchpoint_to_doc)

    def encode_table(self, records: dict[str, Any]) -> Any:
        return codec.touchpoints_to_columns(records)

    def decode_table(self, raw: Any) -> dict[str, Any]:
        return codec.touchpoints_from_columns(raw)


def _dismissal_from_doc(_rid: str, d: Doc) -> Dismissal:
    from datetime import date

    until = d.get("until")
    return Dismissal(
        partner_id=d["partner"],
        rule=d["rule"],
        key=d.get("key", ""),
        until=date.fromisoformat(until) if until else None,
        reason=d.get("reason", ""),
    )


def _dismissal_to_doc(x: Dismissal) -> Doc:
    return {
        "partner": x.partner_id,
        "rule": x.rule,
        "key": x.key,
        "until": x.until.isoformat() if x.until else None,
        "reason": x.reason,
    }


CODECS: dict[str, TableCodec] = {
    PARTNERS: _Codec(codec.partner_from_doc, codec.partner_to_doc),
    CONTACTS: _Codec(codec.contact_from_doc, codec.contact_to_doc),
    TOUCHPOINTS: _TouchpointCodec(),
    REFERRALS: _Codec(codec.referral_from_doc, codec.referral_to_doc),
    DISMISSALS: _Codec(_dismissal_from_doc, _dismissal_to_doc),
}

_TABLE_OF: dict[type, str] = {
    Partner: PARTNERS,
    Contact: CONTACTS,
    Touchpoint: TOUCHPOINTS,
    Referral: REFERRALS,
    Dismissal: DISMISSALS,
}

_KIND_TABLES = {
    "partner": PARTNERS,
    "contact": CONTACTS,
    "touchpoint": TOUCHPOINTS,
    "referral": REFERRALS,
}


def dismissal_id(d: Dismissal) -> str:
    return f"{d.partner_id}|{d.rule}|{d.key}"


def record_id(record: Record) -> str:
    if isinstance(record, Dismissal):
        return dismissal_id(record)
    return record.id


@dataclass
class _Indexes:
    touchpoints_by_partner: dict[str, dict[str, Touchpoint]] = field(default_factory=dict)
    touchpoint_by_external: dict[tuple[str, str], str] = field(default_factory=dict)
    sorted_cache: dict[str, list[Touchpoint]] = field(default_factory=dict)


class StoreRepository:
    """The embedded default Repository: a JournalStore in a data directory."""

    def __init__(self, directory: Path, *, actor: str = "nurture") -> None:
        self.store = JournalStore(directory, CODECS, actor=actor)
        self.store.open()
        self.store.subscribe(self._on_change)
        self._tp: _Indexes | None = None
        self._contacts_by_partner: dict[str, dict[str, Contact]] | None = None
        self._contact_by_email: dict[str, str] | None = None
        self._referrals_by_partner: dict[str, dict[str, Referral]] | None = None
        self._refs: frozenset[str] | None = None

    @property
    def directory(self) -> Path:
        return self.store.directory

    @property
    def revision(self) -> int:
        """Grows with every write seen, ours or another process's: cheap change detection."""
        return self.store.seq

    # ---------------------------------------------------------------- lookups
    def partners(self, *, include_archived: bool = False) -> list[Partner]:
        partners: Iterable[Partner] = self.store.table(PARTNERS).values()
        if not include_archived:
            partners = (p for p in partners if not p.archived)
        return sorted(partners, key=lambda p: p.name.lower())

    def partner(self, partner_id: str) -> Partner:
        return self._get(PARTNERS, "partner", partner_id)  # type: ignore[no-any-return]

    def contact(self, contact_id: str) -> Contact:
        return self._get(CONTACTS, "contact", contact_id)  # type: ignore[no-any-return]

    def touchpoint(self, touchpoint_id: str) -> Touchpoint:
        return self._get(TOUCHPOINTS, "touchpoint", touchpoint_id)  # type: ignore[no-any-return]

    def referral(self, referral_id: str) -> Referral:
        return self._get(REFERRALS, "referral", referral_id)  # type: ignore[no-any-return]

    def _get(self, table: str, what: str, rid: str) -> Any:
        try:
            return self.store.table(table)[rid]
        except KeyError:
            raise NotFoundError(f"no {what} with id {rid!r}") from None

    def resolve(self, kind: str, id_or_prefix: str) -> str:
        """A full id from a unique prefix, as in git."""
        table = self.store.table(_KIND_TABLES[kind])
        prefix = id_or_prefix.strip().lower()
        if prefix in table:
            return prefix
        if not prefix:
            raise NotFoundError(f"no {kind} id given")
        matches = [rid for rid in table if rid.startswith(prefix)]
        if not matches:
            raise NotFoundError(f"no {kind} has an id starting with {id_or_prefix!r}")
        if len(matches) > 1:
            shown = ", ".join(sorted(matches)[:5])
            raise AmbiguousIdError(
                f"{id_or_prefix!r} matches {len(matches)} {kind}s ({shown}); type more of the id"
            )
        return matches[0]

    def contacts(self, partner_id: str | None = None) -> list[Contact]:
        if partner_id is None:
            contacts: Iterable[Contact] = self.store.table(CONTACTS).values()
        else:
            contacts = self._contact_index().get(partner_id, {}).values()
        return sorted((c for c in contacts if not c.archived), key=lambda c: c.name.lower())

    def contact_addresses(self) -> list[tuple[str, str, str]]:
        return [(e, c.partner_id, c.id) for c in self.contacts() for e in c.emails]

    def partner_domains(self) -> list[tuple[str, tuple[str, ...]]]:
        return [(p.id, p.domains) for p in self.partners()]

    def contact_by_email(self, email: str) -> Contact | None:
        if self._contact_by_email is None:
            self._contact_by_email = {
                e: c.id for c in self.store.table(CONTACTS).values() for e in c.emails
            }
        cid = self._contact_by_email.get(email.lower())
        return self.store.table(CONTACTS).get(cid) if cid else None

    def touchpoints(self, partner_id: str) -> Sequence[Touchpoint]:
        """A partner's touchpoints, oldest first."""
        index = self._touchpoint_index()
        cached = index.sorted_cache.get(partner_id)
        if cached is None:
            cached = sorted(
                index.touchpoints_by_partner.get(partner_id, {}).values(), key=lambda t: t.at
            )
            index.sorted_cache[partner_id] = cached
        return cached

    def touchpoint_count(self) -> int:
        return len(self.store.table(TOUCHPOINTS))

    def touchpoints_from_source(self, source: str) -> list[Touchpoint]:
        """Every touchpoint a sync source created (for removals and mass-delete checks)."""
        index = self._touchpoint_index().touchpoint_by_external
        table = self.store.table(TOUCHPOINTS)
        return [table[tid] for (src, _), tid in index.items() if src == source]

    def touchpoint_by_external_id(self, source: str, external_id: str) -> Touchpoint | None:
        tid = self._touchpoint_index().touchpoint_by_external.get((source, external_id))
        return self.store.table(TOUCHPOINTS).get(tid) if tid else None

    def referrals(self, partner_id: str | None = None) -> list[Referral]:
        if partner_id is None:
            referrals: Iterable[Referral] = self.store.table(REFERRALS).values()
        else:
            referrals = self._referral_index().get(partner_id, {}).values()
        return sorted(referrals, key=lambda r: (r.received, r.id))

    def participant_refs(self) -> frozenset[str]:
        if self._refs is None:
            self._refs = frozenset(r.participant_ref for r in self.store.table(REFERRALS).values())
        return self._refs

    def dismissals(self) -> list[Dismissal]:
        return list(self.store.table(DISMISSALS).values())

    def state_keys(self, prefix: str = "") -> list[str]:
        return sorted(k for k in self.store.table(STATE) if k.startswith(prefix))

    def state(self, key: str) -> dict[str, Any] | None:
        value = self.store.table(STATE).get(key)
        return dict(value) if value is not None else None

    # ----------------------------------------------------------------- writes
    def save(
        self,
        *records: Record,
        action: str = "save",
        state: dict[str, dict[str, Any] | None] | None = None,
    ) -> None:
        """Write records (and state entries) as one atomic, durable batch."""
        ops: list[tuple[str, str, Any]] = [(_TABLE_OF[type(r)], record_id(r), r) for r in records]
        ops += [(STATE, key, value) for key, value in (state or {}).items()]
        self.store.write(ops, action=action)

    def put_state(self, key: str, value: dict[str, Any] | None) -> None:
        self.store.write([(STATE, key, value)], action="state")

    def refresh(self) -> bool:
        return self.store.refresh()

    def replace_all(
        self,
        partners: Iterable[Partner],
        contacts: Iterable[Contact],
        touchpoints: Iterable[Touchpoint],
        referrals: Iterable[Referral],
    ) -> None:
        self.store.replace_all(
            {
                PARTNERS: {p.id: p for p in partners},
                CONTACTS: {c.id: c for c in contacts},
                TOUCHPOINTS: {t.id: t for t in touchpoints},
                REFERRALS: {r.id: r for r in referrals},
                DISMISSALS: {},
            },
            action="replace-all",
        )

    # ----------------------------------------------------------- index upkeep
    def _touchpoint_index(self) -> _Indexes:
        if self._tp is None:
            table = self.store.table(TOUCHPOINTS)
            index = _Indexes()
            by_partner = index.touchpoints_by_partner
            external = index.touchpoint_by_external
            for tid, t in table.items():
                bucket = by_partner.get(t.partner_id)
                if bucket is None:
                    bucket = by_partner[t.partner_id] = {}
                bucket[tid] = t
                if t.external_id:
                    external[(t.source, t.external_id)] = tid
            self._tp = index
        return self._tp

    def _contact_index(self) -> dict[str, dict[str, Contact]]:
        if self._contacts_by_partner is None:
            index: dict[str, dict[str, Contact]] = {}
            for cid, c in self.store.table(CONTACTS).items():
                index.setdefault(c.partner_id, {})[cid] = c
            self._contacts_by_partner = index
        return self._contacts_by_partner

    def _referral_index(self) -> dict[str, dict[str, Referral]]:
        if self._referrals_by_partner is None:
            index: dict[str, dict[str, Referral]] = {}
            for rid, r in self.store.table(REFERRALS).items():
                index.setdefault(r.partner_id, {})[rid] = r
            self._referrals_by_partner = index
        return self._referrals_by_partner

    def _on_change(self, table: str, rid: str, old: Any, new: Any) -> None:
        if table == "*":
            self._tp = None
            self._contacts_by_partner = self._contact_by_email = None
            self._referrals_by_partner = None
            self._refs = None
        elif table == TOUCHPOINTS and self._tp is not None:
            self._reindex_touchpoint(self._tp, rid, old, new)
        elif table == CONTACTS:
            self._contact_by_email = None
            if self._contacts_by_partner is not None:
                _move(self._contacts_by_partner, rid, old, new)
        elif table == REFERRALS:
            self._refs = None
            if self._referrals_by_partner is not None:
                _move(self._referrals_by_partner, rid, old, new)

    @staticmethod
    def _reindex_touchpoint(
        index: _Indexes, rid: str, old: Touchpoint | None, new: Touchpoint | None
    ) -> None:
        if old is not None:
            index.touchpoints_by_partner.get(old.partner_id, {}).pop(rid, None)
            index.sorted_cache.pop(old.partner_id, None)
            if old.external_id:
                index.touchpoint_by_external.pop((old.source, old.external_id), None)
        if new is not None:
            index.touchpoints_by_partner.setdefault(new.partner_id, {})[rid] = new
            index.sorted_cache.pop(new.partner_id, None)
            if new.external_id:
                index.touchpoint_by_external[(new.source, new.external_id)] = rid


def _move(index: dict[str, dict[str, Any]], rid: str, old: Any, new: Any) -> None:
    """Keep a partner -> records index current when a record changes or moves."""
    if old is not None:
        index.get(old.partner_id, {}).pop(rid, None)
    if new is not None:
        index.setdefault(new.partner_id, {})[rid] = new
