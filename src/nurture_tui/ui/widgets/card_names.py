"""Card titles that still tell partners apart once their names are cut to fit a column.

"Northside Hospice & Palliative Care" and "Northside Hospice & Palliative Care 11" both
end-truncate to "Northside Hospice & Pa…" in a board column, and a rep cannot tell which
card is which. Names that collide keep their head and the words where they part:
"Northside Hospic… Care" and "Northside Hos… Care 11". Names that are the same letter
for letter (two records of one agency, or two branches named alike) get the first thing
that differs between them (kind, owner, a tag, else a short id) in brackets.

Pure text work measured in terminal cells (a CJK letter takes two), so it is tested
without a terminal and costs one pass over a column's names when its width changes.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Sequence

from rich.cells import cell_len, get_character_cell_size

from nurture_tui.services.board import PartnerCard

ELLIPSIS = "…"
#: Fewer cells than this and a title has no room for a head, an ellipsis and a telling
#: tail: plain end-truncation is all that fits.
MIN_WIDTH = 8
#: Head cells kept in front of the telling part, so the title still starts like the name.
MIN_HEAD = 3


def head_cells(text: str, cells: int) -> str:
    """The longest start of ``text`` that fits in ``cells`` terminal cells."""
    used = 0
    for index, char in enumerate(text):
        used += get_character_cell_size(char)
        if used > cells:
            return text[:index]
    return text


def tail_cells(text: str, cells: int) -> str:
    """The longest end of ``text`` that fits in ``cells`` terminal cells."""
    used = 0
    for index in range(len(text) - 1, -1, -1):
        used += get_character_cell_size(text[index])
        if used > cells:
            return text[index + 1 :]
    return text


def _shared_start(a: str, b: str) -> int:
    """How many letters ``a`` and ``b`` share from the start."""
    for index, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return index
    return min(len(a), len(b))


def fit(text: str, width: int) -> str:
    """``text`` cut to ``width`` cells, an ellipsis marking the cut."""
    if cell_len(text) <= width:
        return text
    if width <= 0:
        return ""
    return head_cells(text, width - 1).rstrip() + ELLIPSIS


def telling_title(name: str, parted: int, width: int) -> str:
    """``name`` in ``width`` cells, keeping the words from letter ``parted`` on, where it
    parts from the names it would be confused with.

    The telling part starts at the word holding that letter and runs to the end when it
    fits. When ``name`` is the start of another name (``parted`` is its length), that it
    ends there is what tells it apart: its last word is kept.
    """
    if cell_len(name) <= width or width < MIN_WIDTH:
        return fit(name, width)
    ends_first = parted >= len(name)
    if ends_first:
        parted = len(name.rstrip()) - 1
    space = name.rfind(" ", 0, parted + 1)
    # From the start of the word where they part, with its leading space so the title
    # reads "Northside Hos… Care 11"; with no space before it (one long word, or a
    # script written without spaces) from the first letter that differs.
    start = space if space > 0 else parted
    if start <= 0:
        return fit(name, width)  # they differ from the first letter: the head tells
    telling = name[start:]
    room = width - 1 - cell_len(telling)
    if room >= MIN_HEAD:
        return head_cells(name, room).rstrip() + ELLIPSIS + telling
    # The telling words do not fit whole: a short head, then as much of them as fits,
    # keeping their end when the end is what differs.
    head = head_cells(name, MIN_HEAD).rstrip()
    left = width - 1 - cell_len(head)
    if ends_first:
        return head + ELLIPSIS + tail_cells(telling, left)
    return head + ELLIPSIS + fit(telling, left)


def distinct_titles(names: Sequence[str], width: int) -> list[str]:
    """Each name fitted to ``width`` cells; names whose cut would collide keep their
    telling words instead. Identical names stay identical (see ``card_titles``)."""
    titles = [fit(name, width) for name in names]
    groups: defaultdict[str, list[int]] = defaultdict(list)
    for index, title in enumerate(titles):
        groups[title].append(index)
    for members in groups.values():
        if len(members) < 2:
            continue
        parted = _parting_points({names[i] for i in members})
        for index in members:
            if names[index] in parted:
                titles[index] = telling_title(names[index], parted[names[index]], width)
    return titles


def _parting_points(names: set[str]) -> dict[str, int]:
    """For each of two or more different names, where it parts from the closest other.

    In sorted order the name sharing the longest start with a name is its neighbour, so
    this is one sort, not every pair: a thousand partners cut to "Mercy…" stay cheap.
    """
    ordered = sorted(names)
    shared = [_shared_start(a, b) for a, b in itertools.pairwise(ordered)]
    return {
        name: max(shared[i - 1] if i > 0 else 0, shared[i] if i < len(shared) else 0)
        for i, name in enumerate(ordered)
        if len(ordered) > 1
    }


#: What can tell apart two partners with one name, in the order a rep would look.
_QUALIFIERS: tuple[Callable[[PartnerCard], str], ...] = (
    lambda card: card.kind.value,
    lambda card: card.owner or "",
    lambda card: " ".join(f"#{tag}" for tag in card.tags),
    lambda card: card.id[:6],
)


def card_titles(cards: Sequence[PartnerCard], width: int) -> dict[str, str]:
    """Title per card id for a column ``width`` cells wide, no two alike where it can help."""
    titles = distinct_titles([card.name for card in cards], width)
    groups: defaultdict[str, list[int]] = defaultdict(list)
    for index, title in enumerate(titles):
        groups[title].append(index)
    for members in groups.values():
        if len(members) < 2:
            continue
        group = [cards[i] for i in members]
        for qualifier in _QUALIFIERS:
            if len({qualifier(card) for card in group}) > 1:
                break
        named = [
            f"{card.name} ({qualifier(card)})" if qualifier(card) else card.name for card in group
        ]
        for index, title in zip(members, distinct_titles(named, width), strict=True):
            titles[index] = title
    return {card.id: title for card, title in zip(cards, titles, strict=True)}
