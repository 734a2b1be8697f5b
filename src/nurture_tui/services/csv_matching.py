"""Is this spreadsheet row a partner we already have? The rules, in order, and why.

A rep's sheet spells one hospital three ways ("Mercy General", "Mercy General Hospital",
"Mercy Genral") and lists its people by their work addresses. A row is the same partner as
one already known (in the store, or earlier in the sheet) when, first rule that holds:

1. **NPI**: the same NPI.
2. **name**: the same name once case, punctuation and legal words (Inc, LLC, The...) are
   set aside ("The Mercy Hospital, Inc." is "Mercy Hospital").
3. **domain**: a contact's email domain (or the row's website) is one the partner uses,
   on the partner or on one of its contacts' addresses. Free-mail domains (gmail.com,
   outlook.com...: ``PERSONAL_DOMAINS``, shared with sync) and the agency's own domain
   never count. Health systems share one domain across facilities, so the names must
   still be related (a shared word, or one is the other's initials: "MGH") and the kinds
   must agree; otherwise the row is kept apart and the report says why.
4. **suffix**: the same name once words that describe *what* an organisation is are also
   set aside ("Hospital", "Medical Center", "Clinic", "Hospice"...), provided those words
   do not say it is another kind: "Mercy General Hospital" is "Mercy General" (a
   hospital), "Mercy General Hospice" is not. A name that is only a common word once
   trimmed ("Community", "Memorial") is too vague to match this way.
5. **spelling**: the same words but one, which is misspelt by a single letter (added,
   dropped, changed, or two neighbours swapped: Damerau-Levenshtein distance 1, computed
   by rapidfuzz). The misspelt word must have five letters or more and no digits, and at
   least one other word must be spelt the same.

Why a per-word rule and not a whole-name similarity threshold: rapidfuzz's ``fuzz.ratio``
gives "Mercy Genral" / "Mercy General" 96, but also "Mercy General East" / "... West" 94.4,
"Sunset" / "Sunrise Senior Living" 92.7 and "Johnston" / "Johnson Clinic" 93.3, which are
different partners; no single threshold separates them. One misspelt word of five letters
or more, beside words that agree, does: "east"/"west" are too short to be a typo of each
other, "sunset"/"sunrise" are two edits apart, and a one-word name ("Johnson") has no
second word to agree. Numbers never count as misspelt ("Region 3" is not "Region 4").

Every rule is a dictionary lookup (rule 5 looks up the name with each word left out, and
compares only the words found there, in rapidfuzz's C loop), so a sheet of thousands of
partners costs a few lookups per row, never a comparison with every partner.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from nurture_tui.domain.kinds import PartnerKind
from nurture_tui.domain.model import Partner
from nurture_tui.sync.matching import PERSONAL_DOMAINS

#: Legal and filler words: never part of what a partner is called.
_LEGAL = frozenset(
    {"the", "inc", "incorporated", "llc", "ltd", "limited", "corp", "corporation", "co",
     "company", "pc", "pllc", "llp", "lp"}
)  # fmt: skip
_FILLER = frozenset({"of", "and", "at", "for", "a"})
#: Words that say what an organisation is, and the kind they imply (None: any kind).
_DESCRIPTORS: dict[str, PartnerKind | None] = {
    "hospital": PartnerKind.HOSPITAL,
    "hospitals": PartnerKind.HOSPITAL,
    "medical": None,
    "center": None,
    "centre": None,
    "ctr": None,
    "health": None,
    "healthcare": None,
    "system": None,
    "systems": None,
    "group": None,
    "associates": None,
    "services": None,
    "clinic": PartnerKind.PHYSICIAN_PRACTICE,
    "clinics": PartnerKind.PHYSICIAN_PRACTICE,
    "practice": PartnerKind.PHYSICIAN_PRACTICE,
    "physicians": PartnerKind.PHYSICIAN_PRACTICE,
    "hospice": PartnerKind.HOSPICE,
    "palliative": PartnerKind.HOSPICE,
    "nursing": PartnerKind.SKILLED_NURSING,
    "rehab": PartnerKind.SKILLED_NURSING,
    "rehabilitation": PartnerKind.SKILLED_NURSING,
    "snf": PartnerKind.SKILLED_NURSING,
    "hha": PartnerKind.HOME_HEALTH,
}
#: Two-word descriptors, read before the single words.
_PAIRS: dict[tuple[str, str], PartnerKind | None] = {
    ("home", "health"): PartnerKind.HOME_HEALTH,
    ("nursing", "home"): PartnerKind.SKILLED_NURSING,
}
#: A trimmed name of just one of these says too little to match on ("Community Hospital"
#: and "Community Health Center" are two partners), and sharing one relates no names.
_GENERIC = frozenset(
    {"st", "community", "memorial", "general", "regional", "county", "city", "university",
     "family", "senior", "home", "central", "united", "national", "american", "good",
     "new", "north", "south", "east", "west", "valley"}
)  # fmt: skip
#: The shortest word rule 5 treats as misspelt (see the module docstring).
MIN_MISSPELT_LETTERS = 5


def _words(name: str) -> list[str]:
    """The words of a name as written: apostrophes dropped ("Mary's" is "Marys")."""
    return re.findall(r"[^\W_]+", re.sub(r"['’`]", "", name.replace("&", " and ")))


def _lower(word: str) -> str:
    low = word.lower()
    return "st" if low in ("saint", "st") else low


def _stem(word: str) -> str:
    """'Lukes' and 'Luke', 'Marys' and 'Mary' are one word in a name."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def normalise_name(name: str) -> str:
    """'The Mercy Hospital, Inc.' and 'mercy hospital' are the same partner."""
    return " ".join(w for w in map(_lower, _words(name)) if w not in _LEGAL)


@dataclass(frozen=True)
class OrgName:
    """A partner's name, read for matching."""

    text: str
    normal: str
    words: tuple[str, ...]
    core: tuple[str, ...]
    hints: frozenset[PartnerKind]

    @classmethod
    def of(cls, text: str) -> OrgName:
        words = _words(text)
        low = [_lower(w) for w in words]
        core: list[str] = []
        hints: set[PartnerKind] = set()
        i = 0
        while i < len(low):
            pair = tuple(low[i : i + 2])
            if len(pair) == 2 and pair in _PAIRS:
                hint = _PAIRS[pair]
                i += 2
            elif low[i] in _DESCRIPTORS:
                hint = _DESCRIPTORS[low[i]]
                i += 1
            else:
                if low[i] not in _LEGAL and low[i] not in _FILLER:
                    core.append(_stem(low[i]))
                i += 1
                continue
            if hint is not None:
                hints.add(hint)
        return cls(text, normalise_name(text), tuple(words), tuple(core), frozenset(hints))

    @property
    def initials(self) -> str:
        return "".join(w[0] for w in self.core)

    @property
    def vague(self) -> bool:
        """Too little left to match on by rule 4 (nothing, or one common word)."""
        return not self.core or (len(self.core) == 1 and self.core[0] in _GENERIC)

    def related(self, other: OrgName) -> bool:
        """A distinctive word in common, or one name is the other's initials ("MGH")."""
        mine = {w for w in self.core if len(w) > 2 and w not in _GENERIC}
        if mine & set(other.core):
            return True
        return _abbreviates(self, other) or _abbreviates(other, self)

    def differing_words(self, other: OrgName) -> list[str]:
        """The words one name has and the other has not, as written (for the report)."""
        mine = {_stem(_lower(w)) for w in self.words}
        theirs = {_stem(_lower(w)) for w in other.words}
        out = [w for w in self.words if _stem(_lower(w)) not in theirs]
        out += [w for w in other.words if _stem(_lower(w)) not in mine]
        return list(dict.fromkeys(out))


def _abbreviates(short: OrgName, full: OrgName) -> bool:
    """'MGH' abbreviates 'Mercy General' (+ H for Hospital): the core's initials, plus at
    most two letters for the descriptor words."""
    if len(short.core) != 1 or not short.core[0].isalpha() or len(full.core) < 2:
        return False
    letters = short.normal.replace(" ", "")
    return letters.startswith(full.initials) and len(letters) - len(full.initials) <= 2


def kind_word(kind: PartnerKind) -> str:
    """'a hospice', 'an area agency on aging': for the report."""
    text = kind.value.replace("-", " ")
    return ("an " if text[0] in "aeiou" else "a ") + text


@dataclass(frozen=True)
class PartnerMatch:
    """The partner a row joins, by which rule, and the reason in words."""

    partner_id: str
    by: str
    reason: str


@dataclass
class Found:
    """What ``PartnerIndex.find`` concluded: a match, or why near candidates were not."""

    match: PartnerMatch | None = None
    kept_apart: list[str] = field(default_factory=list)


class PartnerIndex:
    """Every known partner under each rule's key, kept current as the sheet adds to it."""

    def __init__(self, own_domains: frozenset[str]) -> None:
        self._skip_domains = PERSONAL_DOMAINS | own_domains
        self.partners: dict[str, Partner] = {}
        self._names: dict[str, OrgName] = {}
        self._by_npi: dict[str, str] = {}
        self._by_name: dict[str, str] = {}
        self._by_core: dict[tuple[str, ...], list[str]] = {}
        self._by_domain: dict[str, list[str]] = {}
        # rule 5: (position, the core without that word) -> the word there -> partners
        self._by_gap: dict[tuple[int, tuple[str, ...]], dict[str, list[str]]] = {}

    def counts(self, domain: str) -> bool:
        """Whether ``domain`` says anything about which partner a person works for."""
        return bool(domain) and domain not in self._skip_domains

    def add(self, partner: Partner, contact_emails: Iterable[str] = ()) -> None:
        """Index a partner (new, or known from the store) under every rule's key."""
        name = OrgName.of(partner.name)
        self.partners[partner.id] = partner
        self._names[partner.id] = name
        if partner.npi:
            self._by_npi.setdefault(partner.npi, partner.id)
        self._by_name.setdefault(name.normal, partner.id)
        if name.core:
            self._by_core.setdefault(name.core, []).append(partner.id)
        for position, word in enumerate(name.core):
            if len(name.core) > 1 and _misspellable(word):
                gap = (position, name.core[:position] + name.core[position + 1 :])
                self._by_gap.setdefault(gap, {}).setdefault(word, []).append(partner.id)
        self.add_domains(partner.id, partner.domains)
        self.add_domains(partner.id, (_domain_of(e) for e in contact_emails))

    def update(self, partner: Partner) -> None:
        """A partner changed (merged NPI or domains); its name never changes in an import."""
        self.partners[partner.id] = partner
        if partner.npi:
            self._by_npi.setdefault(partner.npi, partner.id)
        self.add_domains(partner.id, partner.domains)

    def add_domains(self, partner_id: str, domains: Iterable[str]) -> None:
        for domain in domains:
            if self.counts(domain):
                owners = self._by_domain.setdefault(domain, [])
                if partner_id not in owners:
                    owners.append(partner_id)

    def find(
        self,
        name: OrgName,
        *,
        kind: PartnerKind | None,
        npi: str | None,
        domains: Sequence[str],
    ) -> Found:
        """The partner this row is, by the first rule that holds (module docstring)."""
        found = Found()
        if npi and npi in self._by_npi:
            found.match = PartnerMatch(self._by_npi[npi], "npi", f"same NPI {npi}")
            return found
        kinds = frozenset({kind}) if kind and kind is not PartnerKind.OTHER else name.hints

        def fits(pid: str) -> bool:
            theirs = self.partners[pid]
            return not (npi and theirs.npi and theirs.npi != npi)

        def agrees(pid: str) -> bool:
            return fits(pid) and _kinds_agree(kinds, self._kinds_of(pid))

        same = self._by_name.get(name.normal)
        if same and fits(same):
            found.match = PartnerMatch(same, "name", self._same_name_reason(name, same))
            return found
        for domain in dict.fromkeys(d for d in domains if self.counts(d)):
            owners = self._by_domain.get(domain, [])
            related = [p for p in owners if agrees(p) and name.related(self._names[p])]
            if len(related) == 1:
                found.match = PartnerMatch(related[0], "domain", f"same domain {domain}")
                return found
            if owners and not related:
                found.kept_apart.append(self._apart_by_domain(name, kinds, domain, owners, agrees))
        if not name.vague:
            cores = [p for p in self._by_core.get(name.core, []) if fits(p)]
            agreeing = [p for p in cores if agrees(p)]
            if len(agreeing) == 1:
                words = ", ".join(f"'{w}'" for w in name.differing_words(self._names[agreeing[0]]))
                reason = f"same name but for {words}" if words else "same name"
                found.match = PartnerMatch(agreeing[0], "suffix", reason)
                return found
            if cores and not agreeing:
                other = self.partners[cores[0]]
                found.kept_apart.append(
                    f"is named like {other.name} but is {_kinds_word(kinds)}, not "
                    f"{kind_word(self._kind_shown(cores[0]))}"
                )
        match = self._misspelt(name, agrees)
        if match is not None:
            found.match = match
        return found

    def _misspelt(self, name: OrgName, agrees: Callable[[str], bool]) -> PartnerMatch | None:
        """Rule 5: the partner whose name differs from this one in one misspelt word."""
        if len(name.core) < 2:
            return None
        for position, word in enumerate(name.core):
            if not _misspellable(word):
                continue
            bucket = self._by_gap.get((position, name.core[:position] + name.core[position + 1 :]))
            if not bucket:
                continue
            near = process.extract(
                word, list(bucket), scorer=DamerauLevenshtein.distance, score_cutoff=1, limit=None
            )
            ids = [p for found, distance, _ in near if distance == 1 for p in bucket[found]]
            ids = [p for p in dict.fromkeys(ids) if agrees(p)]
            if len(ids) == 1:
                written = next(w for w in name.words if _stem(_lower(w)) == word)
                return PartnerMatch(
                    ids[0], "spelling", f"same name but one misspelt word: '{written}'"
                )
        return None

    def _same_name_reason(self, name: OrgName, partner_id: str) -> str:
        words = name.differing_words(self._names[partner_id])
        if not words:
            return "same name but for case and punctuation"
        return "same name but for " + ", ".join(f"'{w}'" for w in words)

    def _kinds_of(self, partner_id: str) -> frozenset[PartnerKind]:
        kind = self.partners[partner_id].kind
        return frozenset({kind}) if kind is not PartnerKind.OTHER else self._names[partner_id].hints

    def _kind_shown(self, partner_id: str) -> PartnerKind:
        return next(iter(sorted(self._kinds_of(partner_id))), PartnerKind.OTHER)

    def _apart_by_domain(
        self,
        name: OrgName,
        kinds: frozenset[PartnerKind],
        domain: str,
        owners: list[str],
        agrees: Callable[[str], bool],
    ) -> str:
        """Why a row on a partner's domain was not merged: its kind, or its name."""
        same_kind = [p for p in owners if agrees(p)]
        if same_kind:
            shown = " and ".join(self.partners[p].name for p in same_kind[:3])
            whose = "its name" if len(same_kind) == 1 else "their names"
            return f"shares {domain} with {shown} but not {whose}"
        shown = " and ".join(self.partners[p].name for p in owners[:3])
        return (
            f"shares {domain} with {shown} but is {_kinds_word(kinds)}, not "
            f"{kind_word(self._kind_shown(owners[0]))}"
        )


def _misspellable(word: str) -> bool:
    return len(word) >= MIN_MISSPELT_LETTERS and word.isalpha()


def _kinds_agree(a: frozenset[PartnerKind], b: frozenset[PartnerKind]) -> bool:
    return not a or not b or bool(a & b)


def _kinds_word(kinds: frozenset[PartnerKind]) -> str:
    return " or ".join(kind_word(k) for k in sorted(kinds)) or "another kind"


def _domain_of(email: str) -> str:
    return email.rpartition("@")[2].lower()
