"""Records as JSON-ready dicts: the field names are a public contract for scripts.

Participant references appear only in ``referral_json(..., with_participant=True)``, which
only ``referral list/show`` use.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from typing import Any

from nurture_tui.domain.attendance import attending_reps
from nurture_tui.domain.compliance import physician_status
from nurture_tui.domain.dates import MonthDay
from nurture_tui.domain.kinds import PHYSICIAN_CREDENTIALS
from nurture_tui.domain.model import Contact, Override, Partner, Referral, Touchpoint
from nurture_tui.domain.money import dollars

Json = dict[str, Any]


def _date(value: date | MonthDay | None) -> str | None:
    """ISO 8601; a birthday without a year is RFC 6350's ``--0314``."""
    return value.isoformat() if value else None


def attribution_json(record: Partner | Contact | Touchpoint | Referral) -> Json:
    """Who created and last changed a record (a rep's email on a team store); null for a
    record written before Nurture kept it, never a guess."""
    return {"created_by": record.created_by or None, "changed_by": record.changed_by or None}


def partner_json(p: Partner) -> Json:
    return {
        "id": p.id,
        "name": p.name,
        "kind": p.kind.value,
        "tier": p.tier.value,
        "stage": p.stage.value,
        "domains": list(p.domains),
        "npi": p.npi,
        "owner": p.owner,
        "tags": list(p.tags),
        "social_pages": list(p.social_pages),
        "notes": p.notes,
        "stage_since": _date(p.stage_since),
        "archived": p.archived,
        **attribution_json(p),
    }


def contact_json(c: Contact, partner: Partner | None = None) -> Json:
    """A contact; ``physician`` says whether gifts to them count toward Stark's yearly
    limit. Given the ``partner``, an individual NPI at a physician practice with no
    credential set counts (``physician_inferred`` says why, so the rep can correct it);
    without it only the credential decides."""
    if partner is not None:
        physician, inferred = physician_status(c, partner)
    else:
        physician, inferred = c.credential in PHYSICIAN_CREDENTIALS, ""
    return {
        "id": c.id,
        "partner_id": c.partner_id,
        "name": c.name,
        "role": c.role,
        "emails": list(c.emails),
        "phone": c.phone,
        "birthday": _date(c.birthday),
        "started": _date(c.started),
        "milestones": [{"on": m.on.isoformat(), "note": m.note} for m in c.milestones],
        "met_in_person": c.met_in_person,
        "linkedin_connected": c.linkedin_connected,
        "credential": c.credential.value if c.credential else None,
        "npi": c.npi,
        "physician": physician,
        "physician_inferred": inferred or None,
        **attribution_json(c),
    }


def touchpoint_json(t: Touchpoint, zone: tzinfo) -> Json:
    return {
        "id": t.id,
        "partner_id": t.partner_id,
        "kind": t.kind.value,
        "at": t.at.astimezone(zone).isoformat(),
        "contact_ids": list(t.contact_ids),
        "direction": t.direction.value,
        "status": t.status.value,
        "purpose": t.purpose,
        "note": t.note,
        "source": t.source,
        "external_id": t.external_id,
        "value": dollars(t.value_cents) if t.value_cents else None,
        "item": t.item,
        "overrides": [override_json(o) for o in t.overrides],
        # Who had it: a synced meeting's reps (one touch for every rep who attended),
        # else the rep who logged it; [] before attribution.
        "reps": list(attending_reps(t)),
        **attribution_json(t),
    }


def override_json(o: Override) -> Json:
    """A compliance warning saved through: the same shape as the compliance report's."""
    return {
        "rule": o.rule,
        "by": o.by,
        "at": o.at.isoformat(timespec="seconds"),
        "warning": o.message,
    }


def referral_json(r: Referral, *, with_participant: bool = False) -> Json:
    data: Json = {
        "id": r.id,
        "partner_id": r.partner_id,
        "contact_id": r.contact_id,
        "received": r.received.isoformat(),
        "service": r.service,
        "service_detail": r.service_detail,
        "status": r.status.value,
        "complex": r.complex_needs,
        "partner_no_longer_serving": r.partner_no_longer_serving,
        **attribution_json(r),
    }
    if with_participant:
        data["participant"] = r.participant_ref
    return data


def days_since(moment: datetime | None, today: date) -> int | None:
    return None if moment is None else (today - moment.date()).days
