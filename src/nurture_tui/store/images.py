"""Records as the JSON images the change log keeps (what a change replaced and wrote).

The images reuse the codec's documents (the export format) so a record reads back exactly.
A referral's image leaves out the participant reference: the reference lives only on the
referral row (HIPAA minimum necessary), and an undo takes it from there.

Images leave out who created and changed a record (attribution) too: an image is what a
record *says*, so a save that says nothing new is no change, and an undo writes back the
content while the store stamps the attribution afresh (the rep who undid changed it).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import orjson

from nurture_tui.domain import codec
from nurture_tui.domain.model import Dismissal, Referral
from nurture_tui.domain.repository import Record


def _dismissal_to_doc(d: Dismissal) -> dict[str, Any]:
    return {
        "partner": d.partner_id,
        "rule": d.rule,
        "key": d.key,
        "until": d.until.isoformat() if d.until else None,
        "reason": d.reason,
    }


def _dismissal_from_doc(_rid: str, d: dict[str, Any]) -> Dismissal:
    return Dismissal(
        partner_id=d["partner"],
        rule=d["rule"],
        key=d["key"],
        until=date.fromisoformat(d["until"]) if d.get("until") else None,
        reason=d.get("reason") or "",
    )


def _referral_to_doc(r: Referral) -> dict[str, Any]:
    doc = codec.referral_to_doc(r)
    del doc["ref"]
    return doc


def encode(table: str, record: Record) -> str:
    """The image of ``record`` (of SQL table ``table``) as JSON text, without attribution."""
    to_doc: Callable[[Any], dict[str, Any]] = _TO_DOC[table]
    doc = to_doc(record)
    for key in _ATTRIBUTION.get(table, ()):
        doc.pop(key, None)
    return orjson.dumps(doc).decode()


def decode(table: str, record_id: str, image: str, participant_ref: str = "") -> Record:
    """The record an image holds; a referral gets ``participant_ref`` back from its row."""
    doc = orjson.loads(image)
    if table == "referrals":
        doc["ref"] = participant_ref
    from_doc: Callable[[str, dict[str, Any]], Record] = _FROM_DOC[table]
    return from_doc(record_id, doc)


_ATTRIBUTION: dict[str, tuple[str, ...]] = {
    "partners": codec.ATTRIBUTION_KEYS,
    "contacts": codec.ATTRIBUTION_KEYS,
    "touchpoints": codec.TOUCH_ATTRIBUTION_KEYS,
    "referrals": codec.ATTRIBUTION_KEYS,
}
_TO_DOC: dict[str, Callable[[Any], dict[str, Any]]] = {
    "partners": codec.partner_to_doc,
    "contacts": codec.contact_to_doc,
    "touchpoints": codec.touchpoint_to_doc,
    "referrals": _referral_to_doc,
    "dismissals": _dismissal_to_doc,
}
_FROM_DOC: dict[str, Callable[[str, dict[str, Any]], Record]] = {
    "partners": codec.partner_from_doc,
    "contacts": codec.contact_from_doc,
    "touchpoints": codec.touchpoint_from_doc,
    "referrals": codec.referral_from_doc,
    "dismissals": _dismissal_from_doc,
}
