"""Records <-> SQL rows. One function pair per table; touchpoints built the fast way.

250,000 touchpoints load when the board opens, so their rows become ``Touchpoint`` tuples
through ``tuple.__new__`` with enum lookups from dicts, the same trick ``domain.codec``
uses for documents.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime
from functools import partial
from itertools import repeat
from typing import Any

import orjson

from nurture_tui.domain.codec import overrides_from_docs, overrides_to_docs, reps_to_docs
from nurture_tui.domain.dates import MonthDay, day_from_text
from nurture_tui.domain.errors import ValidationError
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
    Dismissal,
    MeetingRep,
    Milestone,
    Override,
    Partner,
    Referral,
    Touchpoint,
)

Row = dict[str, Any]
_intern = sys.intern
_KINDS = {k.value: k for k in TouchpointKind}
_STATUSES = {s.value: s for s in TouchpointStatus}
_DIRECTIONS = {d.value: d for d in Direction}
_from_epoch = datetime.fromtimestamp
_new_touchpoint = tuple.__new__
_new_rep = partial(tuple.__new__, MeetingRep)


def _json_list(values: Sequence[str]) -> str:
    return orjson.dumps(list(values)).decode()


def json_tuple(text: str | None) -> tuple[str, ...]:
    """A JSON list column (emails, domains, tags) as a tuple; NULL or "" is empty."""
    return tuple(orjson.loads(text)) if text else ()


_tuple = json_tuple


def _day(value: date | str | None) -> date | None:
    """SQLite hands back ISO text from a raw query, PostgreSQL a date: accept both."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


#: The year a year-less birthday is kept in while ``contacts.birthday`` is a DATE column:
#: a leap year (29 February fits) outside the accepted 1900-2199, so no real birthday can
#: be mistaken for it (Apple's vCards use the same year, ``X-APPLE-OMIT-YEAR=1604``).
#: Documents and JSON carry RFC 6350's ``--0314`` instead; a TEXT column could too.
YEARLESS_YEAR = 1604


def _birthday_cell(value: date | MonthDay | None) -> date | None:
    return value.in_year(YEARLESS_YEAR) if isinstance(value, MonthDay) else value


def _birthday(value: date | str | None) -> date | MonthDay | None:
    """The stored birthday: a DATE in ``YEARLESS_YEAR`` or ``--0314`` text has no year."""
    if isinstance(value, str) and value.startswith("--"):
        return MonthDay.fromisoformat(value)
    day = _day(value)
    if day is not None and day.year == YEARLESS_YEAR:
        return MonthDay(day.month, day.day)
    return day


def partner_row(p: Partner) -> Row:
    return {
        "id": p.id,
        "name": p.name,
        "kind": p.kind.value,
        "tier": p.tier.value,
        "stage": p.stage.value,
        "domains": _json_list(p.domains),
        "npi": p.npi,
        "owner": p.owner,
        "tags": _json_list(p.tags),
        "social_pages": _json_list(p.social_pages),
        "notes": p.notes,
        "stage_since": p.stage_since,
        "created_at": p.created_at.timestamp() if p.created_at else None,
        "archived": p.archived,
        "created_by": p.created_by,
        "changed_by": p.changed_by,
        "version": p.version,
    }


def partner_from_row(r: Any) -> Partner:
    return Partner(
        id=r.id,
        name=r.name,
        kind=PartnerKind(r.kind),
        tier=Tier(r.tier),
        stage=Stage(r.stage),
        domains=_tuple(r.domains),
        npi=r.npi,
        owner=r.owner,
        tags=_tuple(r.tags),
        social_pages=_tuple(r.social_pages),
        notes=r.notes or "",
        stage_since=_day(r.stage_since),
        created_at=_from_epoch(r.created_at, UTC) if r.created_at is not None else None,
        archived=bool(r.archived),
        created_by=_intern(r.created_by),
        changed_by=_intern(r.changed_by),
        version=int(r.version),
    )


def contact_row(c: Contact) -> Row:
    return {
        "id": c.id,
        "partner_id": c.partner_id,
        "name": c.name,
        "role": c.role,
        "emails": _json_list(c.emails),
        "phone": c.phone,
        "birthday": _birthday_cell(c.birthday),
        "started": c.started,
        "milestones": orjson.dumps(
            [{"on": m.on.isoformat(), "note": m.note} for m in c.milestones]
        ).decode(),
        "met_in_person": c.met_in_person,
        "linkedin_connected": c.linkedin_connected,
        "archived": c.archived,
        "credential": c.credential.value if c.credential else None,
        "npi": c.npi,
        "created_by": c.created_by,
        "changed_by": c.changed_by,
        "version": c.version,
    }


def contact_from_row(r: Any) -> Contact:
    return Contact(
        id=r.id,
        partner_id=_intern(r.partner_id),
        name=r.name,
        role=r.role or "",
        emails=_tuple(r.emails),
        phone=r.phone or "",
        birthday=_birthday(r.birthday),
        started=_day(r.started),
        milestones=tuple(
            Milestone(day_from_text(m["on"]), m.get("note", ""))
            for m in orjson.loads(r.milestones or "[]")
        ),
        met_in_person=bool(r.met_in_person),
        linkedin_connected=bool(r.linkedin_connected),
        archived=bool(r.archived),
        credential=Credential(r.credential) if r.credential else None,
        npi=r.npi,
        created_by=_intern(r.created_by),
        changed_by=_intern(r.changed_by),
        version=int(r.version),
    )


#: Column order of a touchpoint SELECT; ``touchpoint_from_values`` reads in this order.
TOUCHPOINT_COLUMNS = (
    "id",
    "partner_id",
    "kind",
    "at",
    "contact_ids",
    "direction",
    "status",
    "purpose",
    "note",
    "source",
    "external_id",
    "requested",
    "value_cents",
    "item",
    "overrides",
    "reps",
    "created_by",
    "changed_by",
)


def _epoch(moment: datetime) -> float:
    """Seconds since the epoch of an aware moment (never overflows: the CHECK constraint
    then judges the range). A naive one is refused: ``timestamp()`` would read it in this
    machine's zone, and near year 1 or 9999 raise ValueError instead of a message."""
    if moment.utcoffset() is None:
        raise ValidationError(
            f"the time {moment.isoformat()} has no timezone, so it cannot be stored; "
            "nothing was saved"
        )
    return moment.timestamp()


def touchpoint_row(t: Touchpoint) -> Row:
    return {
        "id": t.id,
        "partner_id": t.partner_id,
        "kind": t.kind.value,
        "at": _epoch(t.at),
        "contact_ids": ",".join(t.contact_ids),
        "direction": t.direction.value,
        "status": t.status.value,
        "purpose": t.purpose,
        "note": t.note,
        "source": t.source,
        "external_id": t.external_id,
        "requested": t.requested,
        "value_cents": t.value_cents,
        "item": t.item,
        "overrides": _overrides_cell(t.overrides),
        "reps": reps_cell(t.reps),
        "created_by": t.created_by,
        "changed_by": t.changed_by,
    }


def _overrides_cell(overrides: Sequence[Override]) -> str:
    return orjson.dumps(overrides_to_docs(overrides)).decode() if overrides else ""


def _overrides(text: str | None) -> tuple[Override, ...]:
    return overrides_from_docs(orjson.loads(text)) if text else ()


def reps_cell(reps: Sequence[MeetingRep]) -> str:
    """A meeting's reps as the ``reps`` column holds them: compact JSON pairs
    (``[["ann@agency.org","cal:primary:abc"]]``), "" when none."""
    return orjson.dumps(reps_to_docs(reps)).decode() if reps else ""


def reps_of_cell(text: str | None) -> tuple[MeetingRep, ...]:
    """The ``reps`` column read back: each pair straight into a ``MeetingRep`` (C calls
    only, ~1.7 us a synced meeting where the codec's per-pair Python took twice that)."""
    return tuple(map(_new_rep, orjson.loads(text))) if text else ()


def touchpoint_from_values(values: Sequence[Any]) -> Touchpoint:
    """A touchpoint from a row in ``TOUCHPOINT_COLUMNS`` order (runs 250k times on open)."""
    (tid, partner_id, kind, at, contacts, direction, status, purpose, note, source, ext, rq) = (
        values[:12]
    )
    value, item, overrides, reps, created_by, changed_by = values[12:18]
    return _new_touchpoint(
        Touchpoint,
        (
            tid,
            _intern(partner_id),
            _KINDS[kind],
            _from_epoch(at, UTC),
            tuple(contacts.split(",")) if contacts else (),
            _DIRECTIONS[direction],
            _STATUSES[status],
            purpose or "",
            note or "",
            _intern(source),
            ext,
            bool(rq),
            value or 0,
            item or "",
            _overrides(overrides),
            reps_of_cell(reps),
            _intern(created_by),
            _intern(changed_by),
        ),
    )


def touchpoints_from_rows(fetched: Sequence[Any]) -> list[Touchpoint]:
    """Many touchpoints from rows in ``TOUCHPOINT_COLUMNS`` order, converted column by
    column with ``map`` over C callables (a transposed result): ~4x a call per row.

    Text columns are NOT NULL with "" defaults, so they are used as fetched.
    """
    if not fetched:
        return []
    (
        ids,
        partners,
        kinds,
        ats,
        contacts,
        directions,
        statuses,
        purposes,
        notes,
        sources,
        ext,
        rq,
        values,
        items,
        overrides,
        reps,
        created_by,
        changed_by,
    ) = zip(*fetched, strict=True)
    columns = zip(
        ids,
        map(_intern, partners),
        map(_KINDS.__getitem__, kinds),
        map(_from_epoch, ats, repeat(UTC)),
        [tuple(c.split(",")) if c else () for c in contacts],
        map(_DIRECTIONS.__getitem__, directions),
        map(_STATUSES.__getitem__, statuses),
        purposes,
        notes,
        map(_intern, sources),
        ext,
        map(bool, rq),
        values,
        items,
        [_overrides(o) if o else () for o in overrides],
        [reps_of_cell(r) if r else () for r in reps],
        map(_intern, created_by),
        map(_intern, changed_by),
        strict=True,
    )
    return list(map(_new_touchpoint, repeat(Touchpoint), columns))


def referral_row(r: Referral) -> Row:
    return {
        "id": r.id,
        "partner_id": r.partner_id,
        "received": r.received,
        "participant_ref": r.participant_ref,
        "contact_id": r.contact_id,
        "service": r.service,
        "service_detail": r.service_detail,
        "status": r.status.value,
        "complex_needs": r.complex_needs,
        "partner_no_longer_serving": r.partner_no_longer_serving,
        "created_by": r.created_by,
        "changed_by": r.changed_by,
    }


def referral_from_row(r: Any) -> Referral:
    received = _day(r.received)
    assert received is not None  # NOT NULL in the schema
    return Referral(
        id=r.id,
        partner_id=_intern(r.partner_id),
        received=received,
        participant_ref=r.participant_ref,
        contact_id=r.contact_id,
        service=r.service or "",
        service_detail=r.service_detail or "",
        status=ReferralStatus(r.status),
        complex_needs=bool(r.complex_needs),
        partner_no_longer_serving=bool(r.partner_no_longer_serving),
        created_by=_intern(r.created_by),
        changed_by=_intern(r.changed_by),
    )


def dismissal_row(d: Dismissal) -> Row:
    return {
        "partner_id": d.partner_id,
        "rule": d.rule,
        "key": d.key,
        "until": d.until,
        "reason": d.reason,
    }


def dismissal_from_row(r: Any) -> Dismissal:
    return Dismissal(
        partner_id=r.partner_id,
        rule=r.rule,
        key=r.key,
        until=_day(r.until),
        reason=r.reason or "",
    )
