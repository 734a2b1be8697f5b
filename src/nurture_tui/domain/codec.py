"""Records <-> plain JSON documents. Short, stable keys: 250k touchpoints are stored."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from itertools import repeat
from typing import Any

from nurture_tui.domain.dates import MonthDay, day_from_text
from nurture_tui.domain.kinds import (
    Credential,
    Direction,
    PartnerKind,
    ReferralStatus,
    Stage,
    Tier,
    TouchpointKind,
    TouchpointStatus,
)
from nurture_tui.domain.model import (
    Contact,
    MeetingRep,
    Milestone,
    Override,
    Partner,
    Referral,
    Touchpoint,
)

Doc = dict[str, Any]
_intern = sys.intern


def _d(value: date | MonthDay | None) -> str | None:
    """ISO 8601, or RFC 6350's ``--0314`` for a day without a year."""
    return value.isoformat() if value else None


def _pd(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _pdt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _by(value: str | None) -> str:
    """A rep's email as attribution: interned (a few reps sign 250,000 records)."""
    return _intern(value) if value else ""


def attribution_doc(record: Partner | Contact | Referral) -> Doc:
    """Who created and last changed a record, as its document carries them: null before
    attribution, as in the CLI's JSON (one name and one value for a field everywhere)."""
    return {"created_by": record.created_by or None, "changed_by": record.changed_by or None}


def partner_to_doc(p: Partner) -> Doc:
    return {
        "name": p.name,
        "kind": p.kind.value,
        "tier": p.tier.value,
        "stage": p.stage.value,
        "domains": list(p.domains),
        "npi": p.npi,
        "owner": p.owner,
        "tags": list(p.tags),
        # Named as in the model, the store's column and `nurture partner --json`.
        "social_pages": list(p.social_pages),
        "notes": p.notes,
        "stage_since": _d(p.stage_since),
        "created": p.created_at.isoformat() if p.created_at else None,
        "archived": p.archived,
        **attribution_doc(p),
    }


def partner_from_doc(pid: str, d: Doc) -> Partner:
    return Partner(
        id=pid,
        name=d["name"],
        kind=PartnerKind(d["kind"]),
        tier=Tier(d.get("tier", "B")),
        stage=Stage(d.get("stage", "prospect")),
        domains=tuple(d.get("domains") or ()),
        npi=d.get("npi"),
        owner=d.get("owner"),
        tags=tuple(d.get("tags") or ()),
        # Documents written before (old journals, undo images in the store, exports) say
        # "social".
        social_pages=tuple(d.get("social_pages", d.get("social")) or ()),
        notes=d.get("notes") or "",
        stage_since=_pd(d.get("stage_since")),
        created_at=_pdt(d.get("created")),
        archived=bool(d.get("archived", False)),
        created_by=_by(d.get("created_by")),
        changed_by=_by(d.get("changed_by")),
    )


def contact_to_doc(c: Contact) -> Doc:
    return {
        "partner": c.partner_id,
        "name": c.name,
        "role": c.role,
        "emails": list(c.emails),
        "phone": c.phone,
        "birthday": _d(c.birthday),
        "started": _d(c.started),
        "milestones": [{"on": m.on.isoformat(), "note": m.note} for m in c.milestones],
        "met": c.met_in_person,
        "linkedin": c.linkedin_connected,
        "archived": c.archived,
        "credential": c.credential.value if c.credential else None,
        "npi": c.npi,
        **attribution_doc(c),
    }


def contact_from_doc(cid: str, d: Doc) -> Contact:
    return Contact(
        id=cid,
        partner_id=_intern(d["partner"]),
        name=d["name"],
        role=d.get("role") or "",
        emails=tuple(d.get("emails") or ()),
        phone=d.get("phone") or "",
        birthday=day_from_text(d["birthday"]) if d.get("birthday") else None,
        started=_pd(d.get("started")),
        milestones=tuple(
            Milestone(day_from_text(m["on"]), m.get("note", "")) for m in d.get("milestones") or ()
        ),
        met_in_person=bool(d.get("met", False)),
        linkedin_connected=bool(d.get("linkedin", False)),
        archived=bool(d.get("archived", False)),
        credential=Credential(d["credential"]) if d.get("credential") else None,
        npi=d.get("npi") or None,
        created_by=_by(d.get("created_by")),
        changed_by=_by(d.get("changed_by")),
    )


def overrides_to_docs(overrides: Iterable[Override]) -> list[Doc]:
    """Overridden compliance warnings as documents (the store's JSON column, exports)."""
    return [
        {"rule": o.rule, "message": o.message, "by": o.by, "at": o.at.isoformat()}
        | ({"to": o.recipient} if o.recipient else {})
        for o in overrides
    ]


def overrides_from_docs(docs: Iterable[Doc]) -> tuple[Override, ...]:
    return tuple(
        Override(
            rule=str(d["rule"]),
            message=str(d["message"]),
            by=str(d.get("by") or ""),
            at=datetime.fromisoformat(d["at"]),
            recipient=d.get("to") or None,
        )
        for d in docs
    )


def reps_to_docs(reps: Iterable[MeetingRep]) -> list[list[str]]:
    """A meeting's reps as ``[rep, event]`` pairs (the store's JSON column, exports)."""
    return [[r.rep, r.event] for r in reps]


def reps_from_docs(docs: Iterable[list[str]]) -> tuple[MeetingRep, ...]:
    return tuple(MeetingRep(_by(rep), str(event)) for rep, event in docs)


def touchpoint_to_doc(t: Touchpoint) -> Doc:
    """One touchpoint as a journal document; defaults are left out to keep it small."""
    doc: Doc = {"p": t.partner_id, "k": t.kind.value, "at": _epoch(t.at)}
    for key, value in zip(_OPTIONAL, _optional_values(t), strict=True):
        if value is not None:
            doc[key] = value
    return doc


def touchpoint_from_doc(tid: str, d: Doc) -> Touchpoint:
    return _touchpoint(tid, d["p"], d["k"], d["at"], *(d.get(key) for key in _OPTIONAL))


# Optional touchpoint fields, stored only when they differ from the default.
#: "rp": a synced meeting's reps, each ``[rep, their event id]`` (0009).
#: "by" and "ch": who logged the touch and who last changed it (attribution, 0007).
_OPTIONAL = ("c", "dir", "st", "pu", "n", "src", "x", "rq", "v", "it", "ov", "rp", "by", "ch")
#: The document keys of a record's attribution (``attribution_doc``), by record kind.
ATTRIBUTION_KEYS = ("created_by", "changed_by")
TOUCH_ATTRIBUTION_KEYS = ("by", "ch")
_KINDS = {k.value: k for k in TouchpointKind}
_STATUSES = {s.value: s for s in TouchpointStatus}
_DIRECTIONS = {d.value: d for d in Direction}
_from_epoch = datetime.fromtimestamp
_new_touchpoint = tuple.__new__


def _epoch(moment: datetime) -> int | float:
    stamp = moment.timestamp()
    return int(stamp) if stamp == int(stamp) else round(stamp, 6)


def _optional_values(t: Touchpoint) -> tuple[object, ...]:
    return (
        ",".join(t.contact_ids) or None,
        None if t.direction is Direction.GIVE else t.direction.value,
        None if t.status is TouchpointStatus.DONE else t.status.value,
        t.purpose or None,
        t.note or None,
        None if t.source == "manual" else t.source,
        t.external_id,
        True if t.requested else None,
        t.value_cents or None,
        t.item or None,
        overrides_to_docs(t.overrides) if t.overrides else None,
        reps_to_docs(t.reps) if t.reps else None,
        t.created_by or None,
        t.changed_by or None,
    )


def _touchpoint(
    tid: str,
    partner_id: str,
    kind: str,
    at: float,
    contacts: str | None,
    direction: str | None,
    status: str | None,
    purpose: str | None,
    note: str | None,
    source: str | None,
    external_id: str | None,
    requested: bool | None,
    value_cents: int | None = None,
    item: str | None = None,
    overrides: list[Doc] | None = None,
    reps: list[list[str]] | None = None,
    created_by: str | None = None,
    changed_by: str | None = None,
) -> Touchpoint:
    # tuple.__new__ skips NamedTuple's Python-level __new__: this runs 250k times on open.
    return _new_touchpoint(
        Touchpoint,
        (
            tid,
            _intern(partner_id),
            _KINDS[kind],
            _from_epoch(at, UTC),
            tuple(contacts.split(",")) if contacts else (),
            _DIRECTIONS[direction] if direction else Direction.GIVE,
            _STATUSES[status] if status else TouchpointStatus.DONE,
            purpose or "",
            note or "",
            _intern(source) if source else "manual",
            external_id,
            bool(requested),
            int(value_cents or 0),
            item or "",
            overrides_from_docs(overrides) if overrides else (),
            reps_from_docs(reps) if reps else (),
            _by(created_by),
            _by(changed_by),
        ),
    )


def touchpoints_to_columns(records: dict[str, Touchpoint]) -> Doc:
    """The touchpoint snapshot as flat columns: parses ~4x faster than one dict per record."""
    values = list(records.values())
    columns: Doc = {
        "id": list(records),
        "p": [t.partner_id for t in values],
        "k": [t.kind.value for t in values],
        "at": [_epoch(t.at) for t in values],
    }
    optional = [_optional_values(t) for t in values]
    for index, key in enumerate(_OPTIONAL):
        column = [row[index] for row in optional]
        if any(value is not None for value in column):
            columns[key] = column
    return columns


def touchpoints_from_columns(columns: Doc) -> dict[str, Touchpoint]:
    """Decode column by column (list comprehensions), then zip rows: ~5x a per-row call."""
    ids: list[str] = columns["id"]

    def column(key: str, convert: Callable[[Any], Any], default: Any) -> Iterable[Any]:
        values = columns.get(key)
        if values is None:
            return repeat(default, len(ids))
        return [convert(v) if v is not None else default for v in values]

    rows = zip(
        ids,
        [_intern(p) for p in columns["p"]],
        [_KINDS[k] for k in columns["k"]],
        [_from_epoch(at, UTC) for at in columns["at"]],
        column("c", lambda c: tuple(c.split(",")), ()),
        column("dir", _DIRECTIONS.__getitem__, Direction.GIVE),
        column("st", _STATUSES.__getitem__, TouchpointStatus.DONE),
        column("pu", str, ""),
        column("n", str, ""),
        column("src", _intern, "manual"),
        columns.get("x") or repeat(None, len(ids)),
        column("rq", bool, False),
        column("v", int, 0),
        column("it", str, ""),
        column("ov", overrides_from_docs, ()),
        column("rp", reps_from_docs, ()),
        column("by", _by, ""),
        column("ch", _by, ""),
        strict=True,
    )
    return dict(zip(ids, [_new_touchpoint(Touchpoint, row) for row in rows], strict=True))


def referral_to_doc(r: Referral) -> Doc:
    return {
        "partner": r.partner_id,
        "received": r.received.isoformat(),
        "ref": r.participant_ref,
        "contact": r.contact_id,
        "service": r.service,
        "service_detail": r.service_detail,
        "status": r.status.value,
        "complex": r.complex_needs,
        "no_longer_serving": r.partner_no_longer_serving,
        **attribution_doc(r),
    }


def referral_from_doc(rid: str, d: Doc) -> Referral:
    return Referral(
        id=rid,
        partner_id=_intern(d["partner"]),
        received=date.fromisoformat(d["received"]),
        participant_ref=d["ref"],
        contact_id=d.get("contact"),
        service=d.get("service") or "",
        service_detail=d.get("service_detail") or "",
        status=ReferralStatus(d.get("status", "received")),
        complex_needs=bool(d.get("complex", False)),
        partner_no_longer_serving=bool(d.get("no_longer_serving", False)),
        created_by=_by(d.get("created_by")),
        changed_by=_by(d.get("changed_by")),
    )
