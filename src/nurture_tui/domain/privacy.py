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
from collections.abc import Iterable

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

    The cost follows the text's length, not the number of references: a store holds
    thousands, and a sync masks 20,000 subjects (trying each reference on each text made
    a 20,000-item sync at agency scale take a minute instead of seconds).
    """
    if not references or not text:
        return text
    index = _index(references)
    # Longest first, so a reference that contains another is masked whole. Each mask is
    # a placeholder until the end: "[participant]" holds letters a short reference
    # ("AN") could match, and a mask must never be masked again.
    found = index.exact.found_in(text.lower())
    for low in sorted(found, key=len, reverse=True):
        text = re.sub(re.escape(low), _HELD, text, flags=re.IGNORECASE)
    suspects = index.written_otherwise(text)
    if not suspects:
        return text.replace(_HELD, _MASK) if found else text
    normal = unicodedata.normalize("NFKC", text)
    for ref in suspects:
        pattern = _loose(ref)
        if pattern is not None:
            normal = pattern.sub(_HELD, normal)
    if _HELD in normal:
        return normal.replace(_HELD, _MASK)
    return text.replace(_HELD, _MASK) if found else text


def contains_reference(text: str, references: frozenset[str]) -> bool:
    if not references or not text:
        return False
    index = _index(references)
    if index.exact.found_in(text.lower()):
        return True
    normal = unicodedata.normalize("NFKC", text)
    return any(
        (pattern := _loose(ref)) is not None and pattern.search(normal)
        for ref in index.written_otherwise(text)
    )


_MASK = "[participant]"
#: Where a mask goes while references are still being looked for: one private-use
#: character, which no reference holds (``clean_participant_ref`` keeps letters, digits
#: and separators) and NFKC leaves as it is.
_HELD = "\ue000"


class _Windows:
    """A set of short strings, found in a text by one dictionary lookup per position.

    Each key is filed under its first two characters with the lengths that start so; a
    position whose two characters start no key costs one lookup, and the rest a slice and
    a set lookup per length. That is what makes a check cheap with thousands of keys.
    """

    def __init__(self, keys: Iterable[str]) -> None:
        every = frozenset(keys)
        self.keys = frozenset(key for key in every if len(key) >= 2)
        self._single = frozenset(key for key in every if len(key) == 1)  # a legacy code
        lengths: dict[str, set[int]] = {}
        for key in self.keys:
            lengths.setdefault(key[:2], set()).add(len(key))
        self._lengths = {start: tuple(sorted(sizes)) for start, sizes in lengths.items()}

    def found_in(self, text: str) -> set[str]:
        """The keys that occur in ``text`` (anywhere, overlapping or not)."""
        found = {key for key in self._single if key in text}
        lengths, keys = self._lengths.get, self.keys
        for start in range(len(text) - 1):
            sizes = lengths(text[start : start + 2])
            if sizes:
                for size in sizes:
                    piece = text[start : start + size]
                    if piece in keys:
                        found.add(piece)
        return found


class _ReferenceIndex:
    """A set of references, made ready to be found in text: as written (case ignored), and
    by their letters and digits alone (the skeleton) for the other ways to write them."""

    def __init__(self, references: frozenset[str]) -> None:
        self.exact = _Windows(ref.lower() for ref in references if ref)
        self._by_skeleton = {
            skeleton: ref for ref in references if len(skeleton := _skeleton(ref)) >= _LOOSE_MIN
        }
        self._skeletons = _Windows(self._by_skeleton)

    def written_otherwise(self, text: str) -> list[str]:
        """The references whose letters and digits appear in ``text`` in a row, whatever
        sits between them; the caller's pattern then checks word boundaries."""
        if not self._by_skeleton:
            return []
        found = self._skeletons.found_in(_skeleton(text))
        return sorted(self._by_skeleton[skeleton] for skeleton in found)


def _index(references: frozenset[str]) -> _ReferenceIndex:
    """The index of these references: the last one again when asked with the very same
    set (a sync masks a page of subjects with one set; comparing 8,000 references for
    equality on every subject cost more than finding them), else one made once per set."""
    global _last_index
    last = _last_index
    if last is not None and last[0] is references:
        return last[1]
    index = _index_of(references)
    _last_index = (references, index)  # one assignment: safe between threads
    return index


_last_index: tuple[frozenset[str], _ReferenceIndex] | None = None


@functools.lru_cache(maxsize=8)
def _index_of(references: frozenset[str]) -> _ReferenceIndex:
    """Made once per set of references (a store's set changes only with its referrals)."""
    return _ReferenceIndex(references)


def _skeleton(text: str) -> str:
    """Letters and digits only, normalised and case-folded: "Ｐ－ＳＡ６" -> "psa6"."""
    return "".join(c for c in unicodedata.normalize("NFKC", text).casefold() if c.isalnum())


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
