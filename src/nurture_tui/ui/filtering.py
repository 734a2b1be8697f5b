"""The board's filter language: ``kind:hospice tier:A tag:north owner:alex mercy``.

Field tokens narrow by value (prefix match); the remaining words fuzzy-match the name
(their letters in order, as in most pickers). ``owner:me`` is the rep's own partners and
``owner:unassigned`` (or ``owner:none``) those nobody owns (``domain.ownership``); on a
team store any ``owner:`` picks whose partners to show, whichever view is on. Pure, so it
is tested without a terminal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nurture_tui.domain.ownership import Ownership
from nurture_tui.services.board import PartnerCard

FIELDS = ("kind", "tier", "tag", "owner", "health")
#: Without the board's ownership (a filter checked on its own): ``owner:`` by prefix.
_NO_TEAM = Ownership()


@dataclass(frozen=True)
class CardFilter:
    fields: dict[str, str] = field(default_factory=dict)
    text: str = ""

    @classmethod
    def parse(cls, query: str) -> CardFilter:
        fields: dict[str, str] = {}
        words: list[str] = []
        for token in query.split():
            name, sep, value = token.partition(":")
            if sep and name.lower() in FIELDS and value:
                fields[name.lower()] = value.lower()
            else:
                words.append(token.lower())
        return cls(fields, " ".join(words))

    @property
    def active(self) -> bool:
        return bool(self.fields or self.text)

    @property
    def picks_owner(self) -> bool:
        """An ``owner:`` token: it, not the mine/everyone view, says whose partners."""
        return "owner" in self.fields

    def matches(self, card: PartnerCard, owners: Ownership | None = None) -> bool:
        f = self.fields
        if "kind" in f and not card.kind.value.startswith(f["kind"]):
            return False
        if "tier" in f and card.tier.value.lower() != f["tier"]:
            return False
        if "tag" in f and not any(t.startswith(f["tag"]) for t in card.tags):
            return False
        if "owner" in f and not (owners or _NO_TEAM).owned_by(card.owner, f["owner"]):
            return False
        if "health" in f and not card.health.value.startswith(f["health"]):
            return False
        return not self.text or fuzzy_match(self.text, card.name)


def fuzzy_match(needle: str, haystack: str) -> bool:
    """True when every character of ``needle`` appears in ``haystack`` in order."""
    position = 0
    lowered = haystack.lower()
    for char in needle:
        if char == " ":
            continue
        position = lowered.find(char, position)
        if position < 0:
            return False
        position += 1
    return True
