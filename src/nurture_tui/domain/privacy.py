"""Participant references: opaque codes, never a name, date, phone, email or record number.

HIPAA's minimum-necessary rule: the app needs to tell referrals apart, not to know who the
participant is. A referral is the only record that holds a reference; everything that leaves
the store (invites, .ics, logs, exports, error messages) is checked against them.
"""

from __future__ import annotations

import re
import secrets

from nurture_tui.domain.errors import ValidationError

# Crockford's base32 without the look-alikes I, L, O, U: readable over the phone.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_ALLOWED = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{2,31}$")
_DATE = re.compile(
    r"(\d{4}[-/.]\d{1,2}[-/.]\d{1,2})|(\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})"
    r"|((19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01]))"
)
_PHONE = re.compile(r"^\+?[\d().\s-]{7,}$")
_MRN = re.compile(r"^(mrn|mr|med|chart|ssn|dob)[\W_]*\d+", re.IGNORECASE)


def new_participant_ref() -> str:
    """A random code like ``P-7K2Q9`` (32**5 = 33 million values)."""
    while True:  # about one draw in six has no digit, which the rules below refuse
        ref = "P-" + "".join(secrets.choice(_ALPHABET) for _ in range(5))
        if _identifying_reason(ref) is None:
            return ref


def clean_participant_ref(value: str) -> str:
    """Accept the rep's own opaque id, refusing anything that could identify a person."""
    ref = value.strip()
    reason = _identifying_reason(ref)
    if reason:
        raise ValidationError(
            f"the participant reference was refused: {reason}. Use an opaque code "
            "(leave it out and Nurture generates one, e.g. P-7K2Q9)"
        )
    return ref


def _identifying_reason(ref: str) -> str | None:
    # The messages never repeat the value: it may be the very identifier we refuse.
    if "@" in ref:
        return "it looks like an email address"
    if _DATE.search(ref):
        return "it contains a date"
    if _MRN.match(ref) or (ref.isdigit() and len(ref) >= 5):
        return "it looks like a medical record or other personal number"
    if _PHONE.match(ref) and sum(c.isdigit() for c in ref) >= 7:
        return "it looks like a phone number"
    if not any(c.isdigit() for c in ref):
        return "it has no digit, so it could be a name or initials"
    if not _ALLOWED.match(ref):
        return "it must be 3 to 32 letters, digits, '-' or '_' with no spaces"
    return None


def mask_references(text: str, references: frozenset[str]) -> str:
    """Replace every known reference in free text (a synced subject, say) with a mask."""
    if not references or not text:
        return text
    for ref in references:
        if ref and ref.lower() in text.lower():
            text = re.sub(re.escape(ref), "[participant]", text, flags=re.IGNORECASE)
    return text


def contains_reference(text: str, references: frozenset[str]) -> bool:
    lowered = text.lower()
    return any(ref and ref.lower() in lowered for ref in references)
