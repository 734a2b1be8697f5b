"""Finding participant references in text at agency scale, pinned to the plain definition.

The fast index (one dictionary lookup per position of the text) must find exactly what
trying every reference on every text finds: Hypothesis compares the two on texts made of
references' pieces, separators, full-width and zero-width characters and case changes.
"""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from nurture_tui.domain.privacy import contains_reference, mask_references

_LOOSE_MIN = 5


def _skeleton(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKC", text).casefold() if c.isalnum())


def _loose(ref: str) -> re.Pattern[str] | None:
    chars = [c for c in unicodedata.normalize("NFKC", ref) if c.isalnum()]
    if len(chars) < _LOOSE_MIN:
        return None
    body = r"[\W_]{0,2}".join(re.escape(c) for c in chars)
    return re.compile(rf"(?<![^\W_]){body}(?![^\W_])", re.IGNORECASE)


def plain_mask(text: str, references: frozenset[str]) -> str:
    """The definition: every reference tried on the text, as written and written otherwise
    (longest first; a mask is never looked into: HELD stands for it until the end)."""
    if not references or not text:
        return text
    original = text
    for ref in sorted(references, key=len, reverse=True):
        if ref and ref.lower() in text.lower():
            text = re.sub(re.escape(ref), HELD, text, flags=re.IGNORECASE)
    flat = _skeleton(text)
    suspects = sorted(
        ref for ref in references if len(_skeleton(ref)) >= _LOOSE_MIN and _skeleton(ref) in flat
    )
    normal = unicodedata.normalize("NFKC", text)
    for ref in suspects:
        pattern = _loose(ref)
        if pattern is not None:
            normal = pattern.sub(HELD, normal)
    if suspects and HELD in normal:
        return normal.replace(HELD, "[participant]")
    return text.replace(HELD, "[participant]") if text != original else text


HELD = "\ue000"


_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
references_st = st.frozensets(
    st.builds(
        lambda prefix, body: prefix + body,
        st.sampled_from(["P-", "R", "ref_", "A1-", ""]),
        st.text(_ALPHABET, min_size=2, max_size=7),
    ),
    min_size=1,
    max_size=30,
)
_PIECES = [" ", "-", "‑", "_", "\u200b", "Ｐ", "－", "５", "a", "é", "\u0301", "P", "p", "1", "İ"]


@st.composite
def text_and_references(draw: st.DrawFn) -> tuple[str, frozenset[str]]:
    references = draw(references_st)
    pool = sorted(references)
    parts = draw(
        st.lists(
            st.one_of(
                st.sampled_from(_PIECES),
                st.sampled_from(pool),
                st.sampled_from(pool).map(str.lower),
                st.sampled_from(pool).map(lambda r: r.replace("-", "")),
                st.sampled_from(pool).map(lambda r: r.replace("-", " ")),
                st.sampled_from(pool).map(
                    lambda r: unicodedata.normalize("NFKC", r).translate(
                        {c: c + 0xFEE0 for c in range(0x21, 0x7F)}
                    )
                ),
                st.text(max_size=4),
            ),
            max_size=12,
        )
    )
    return "".join(parts), references


@settings(max_examples=400, deadline=None)
@given(text_and_references())
def test_the_index_finds_what_trying_every_reference_finds(
    case: tuple[str, frozenset[str]],
) -> None:
    text, references = case
    expected = plain_mask(text, references)
    assert mask_references(text, references) == expected
    assert contains_reference(text, references) == (expected != text)


def test_a_mask_is_never_masked_again() -> None:
    """Found by Hypothesis: a short reference ("AN") is letters of the mask itself."""
    refs = frozenset({"A1-00", "AN"})
    assert mask_references("A1-00", refs) == "[participant]"
    assert mask_references("A1-00 / AN", refs) == "[participant] / [participant]"


def test_a_reference_inside_a_longer_one_is_masked_with_it() -> None:
    refs = frozenset({"P-7K2Q9", "P-7K2Q9X1"})
    assert mask_references("see P-7K2Q9X1 today", refs) == "see [participant] today"


def test_thousands_of_references_cost_the_text_not_the_set() -> None:
    """8,000 references: the answer for one text is found by its positions alone (the
    figure is in the README; here, only that the right ones are found among so many)."""
    refs = frozenset(f"P-{i:05d}" for i in range(8_000)) | {"P-SA6G4"}
    text = "Call about psa6g4 and P-00017; ticket 12345 is not one"
    assert (
        mask_references(text, refs)
        == "Call about [participant] and [participant]; ticket 12345 is not one"
    )
