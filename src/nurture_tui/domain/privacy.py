"""Participant references: opaque codes, never a name, date, phone, email or record number.

HIPAA's minimum-necessary rule: the app needs to tell referrals apart, not to know who the
participant is. A referral is the only record that holds a reference; everything that leaves
the store (invites, .ics, logs, exports, error messages) is checked against them.
"""

from __future__ import annotations

import functools
import re
import secrets
import unicodedata

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
    """Replace every known reference in free text (a synced subject, say) with a mask.

    A reference is also found written another way: without its separator or with another
    one ("PSA6G4", "P SA6G4", "P‑SA6G4" with a non-breaking hyphen), or in full-width
    letters (``ＰＳＡ６Ｇ４``). Such a text is normalised (NFKC) where one is found, so
    the mask lands on what the rep sees.
    """
    if not references or not text:
        return text
    lowered = text.lower()
    for ref, low in _lowered(references):
        if low in lowered:
            text = re.sub(re.escape(ref), "[participant]", text, flags=re.IGNORECASE)
    suspects = _written_otherwise(text, references)
    if not suspects:
        return text
    normal = unicodedata.normalize("NFKC", text)
    for ref in suspects:
        pattern = _loose(ref)
        if pattern is not None:
            normal = pattern.sub("[participant]", normal)
    return normal if "[participant]" in normal else text


def contains_reference(text: str, references: frozenset[str]) -> bool:
    lowered = text.lower()
    if any(low in lowered for _ref, low in _lowered(references)):
        return True
    normal = unicodedata.normalize("NFKC", text)
    return any(
        (pattern := _loose(ref)) is not None and pattern.search(normal)
        for ref in _written_otherwise(text, references)
    )


@functools.lru_cache(maxsize=8)
def _lowered(references: frozenset[str]) -> tuple[tuple[str, str], ...]:
    """Each reference with its lower-case form, made once per set of references."""
    return tuple((ref, ref.lower()) for ref in references if ref)


def _skeleton(text: str) -> str:
    """Letters and digits only, normalised and case-folded: "Ｐ－ＳＡ６" -> "psa6"."""
    return "".join(c for c in unicodedata.normalize("NFKC", text).casefold() if c.isalnum())


@functools.lru_cache(maxsize=8)
def _skeletons(
    references: frozenset[str],
) -> tuple[frozenset[str], tuple[int, ...], dict[str, str]]:
    """The references' skeletons (long enough to match loosely) and their lengths, made
    once per set of references: a store has thousands, and every typed note is checked."""
    by_skeleton = {
        skeleton: ref for ref in references if len(skeleton := _skeleton(ref)) >= _LOOSE_MIN
    }
    lengths = tuple(sorted({len(k) for k in by_skeleton}))
    return frozenset(by_skeleton), lengths, by_skeleton


def _written_otherwise(text: str, references: frozenset[str]) -> list[str]:
    """The references whose letters and digits appear in ``text`` in a row, whatever sits
    between them: a window over the text's skeleton per reference length, looked up in a
    set (cheap with thousands of references); the caller's pattern then checks word
    boundaries."""
    if not references:
        return []
    skeletons, lengths, by_skeleton = _skeletons(references)
    if not skeletons:
        return []
    flat = _skeleton(text)
    found = {
        by_skeleton[flat[start : start + size]]
        for size in lengths
        for start in range(len(flat) - size + 1)
        if flat[start : start + size] in skeletons
    }
    return sorted(found)


#: References shorter than this (letters and digits) are only matched exactly: a loose
#: "A1" would mask half of every note.
_LOOSE_MIN = 5


@functools.lru_cache(maxsize=4096)
def _loose(ref: str) -> re.Pattern[str] | None:
    """``ref``'s letters and digits with any separators (or none) between them, as a
    whole word, case-insensitively; None for a reference too short to match loosely."""
    chars = [c for c in unicodedata.normalize("NFKC", ref) if c.isalnum()]
    if len(chars) < _LOOSE_MIN:
        return None
    between = r"[\W_]{0,2}"
    body = between.join(re.escape(c) for c in chars)
    return re.compile(rf"(?<![^\W_]){body}(?![^\W_])", re.IGNORECASE)
