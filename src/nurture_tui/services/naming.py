"""Naming a partner or contact as a rep does: by id, by name, or by a near name.

``--partner "Mercy General"`` is how a person writes it; ``--partner 7k2q9x`` is how a
script does. Both work, in this order, first hit wins:

1. the exact name, ignoring case and spacing (a name someone typed out means that record);
2. the id or a unique id prefix, as ``Repository.resolve`` has always read it;
3. the words of a name, each typed as its beginning ("mercy gen" names Mercy General);
4. a near name, for typos ("Merci Genral"), through rapidfuzz: taken only when one name
   is clearly closer than every other.

Several records that fit equally are never guessed between: the refusal lists them with
their ids. Live records are searched first, archived ones only when no live one fits.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from rapidfuzz import fuzz, process, utils

from nurture_tui.domain.errors import AmbiguousIdError, NotFoundError, NurtureError
from nurture_tui.domain.model import Contact, Partner
from nurture_tui.domain.text import clean_text
from nurture_tui.services.session import Session

#: Longer text names nothing: refused before any matching (rapidfuzz is quadratic).
MAX_NAME_LENGTH = 200
#: A near name needs at least this WRatio score (0-100) ...
NEAR_SCORE = 80.0
#: ... and must beat the next one by this much, or the rep is asked to choose.
CLEAR_LEAD = 8.0
#: How many candidates a refusal lists.
LISTED = 5

_ID_LIKE = re.compile(r"[0-9a-z]{1,40}")

Named = TypeVar("Named", Partner, Contact)


@dataclass(frozen=True)
class _Pool(Generic[Named]):
    """The records a name is looked up among, and how a refusal shows one of them."""

    kind: str
    records: Sequence[Named]
    label: Callable[[Named], str]


def resolve_partner(session: Session, text: str) -> Partner:
    """The partner ``text`` names (id, id prefix, name or near name), or a refusal."""
    repo = session.repo
    every = repo.partners(include_archived=True)
    live = [p for p in every if not p.archived]
    archived = [p for p in every if p.archived]

    def label(p: Partner) -> str:
        return f"{p.name} ({p.id[:8]}{', archived' if p.archived else ''})"

    pools = [_Pool("partner", live, label), _Pool("partner", archived, label)]
    return _resolve(session, "partner", text, pools, repo.partner)


def partner_id(session: Session, text: str) -> str:
    """The id of the partner ``text`` names."""
    return resolve_partner(session, text).id


def resolve_contact(session: Session, text: str, partner_id: str | None = None) -> Contact:
    """The contact ``text`` names, among ``partner_id``'s contacts when one is given."""
    repo = session.repo
    contacts = repo.contacts(partner_id)
    names = {p.id: p.name for p in repo.partners(include_archived=True)}

    def label(c: Contact) -> str:
        where = "" if partner_id else f" at {names.get(c.partner_id, '?')}"
        return f"{c.name}{where} ({c.id[:8]})"

    live = [c for c in contacts if not c.archived]
    archived = [c for c in contacts if c.archived]
    pools = [_Pool("contact", live, label), _Pool("contact", archived, label)]
    return _resolve(session, "contact", text, pools, repo.contact)


def contact_ids(session: Session, texts: Sequence[str], partner_id: str | None = None) -> list[str]:
    """The ids of the contacts ``texts`` name (a repeated ``--contact``), in order."""
    return [resolve_contact(session, text, partner_id).id for text in texts]


def closest(text: str, choices: Sequence[str]) -> str | None:
    """The choice ``text`` most likely meant ("meting" -> "meeting"), or None if none is near.

    For fixed vocabularies (kinds, tiers, statuses): a suggestion, never a silent pick.
    """
    if not text or len(text) > MAX_NAME_LENGTH:
        return None
    found = process.extractOne(
        text, choices, scorer=fuzz.WRatio, processor=utils.default_process, score_cutoff=60
    )
    return None if found is None else str(found[0])


# --- the lookup ---------------------------------------------------------------------------


def _resolve(
    session: Session,
    kind: str,
    text: str,
    pools: list[_Pool[Named]],
    load: Callable[[str], Named],
) -> Named:
    shown = _shown(text)
    if len(text) > MAX_NAME_LENGTH:
        raise NotFoundError(f"no {kind} is named {shown}: that is {len(text):,} characters long")
    query = clean_text(text)
    if not query:
        raise NotFoundError(f"no {kind} given")
    id_refusal: NurtureError | None = None
    for number, pool in enumerate(pools):
        exact = [r for r in pool.records if _folded(r.name) == _folded(query)]
        if len(exact) == 1:
            return exact[0]
        if exact:
            raise _ambiguous(kind, shown, pool, exact, "use the id")
        if number == 0 and _ID_LIKE.fullmatch(query.lower()):
            try:
                return load(session.repo.resolve(kind, query))
            except AmbiguousIdError as refused:
                id_refusal = refused
            except NotFoundError:
                pass
        found = _by_words(query, pool) or _near(kind, shown, query, pool)
        if found is not None:
            return found
    if id_refusal is not None:
        raise id_refusal
    raise _not_found(kind, shown, query, pools)


def _by_words(query: str, pool: _Pool[Named]) -> Named | None:
    """The one record whose name has a word starting with each word typed, in order."""
    typed = utils.default_process(query).split()
    if not typed:
        return None
    fits = [r for r in pool.records if _words_fit(typed, utils.default_process(r.name).split())]
    if len(fits) > 1:
        raise _ambiguous(pool.kind, _shown(query), pool, fits, "give more of the name")
    return fits[0] if fits else None


def _words_fit(typed: list[str], words: list[str]) -> bool:
    position = 0
    for part in typed:
        while position < len(words) and not words[position].startswith(part):
            position += 1
        if position == len(words):
            return False
        position += 1
    return True


def _near(kind: str, shown: str, query: str, pool: _Pool[Named]) -> Named | None:
    """The record whose name is clearly the nearest to ``query``; several close: refused."""
    if not pool.records:
        return None
    scored = process.extract(
        query,
        [r.name for r in pool.records],
        scorer=fuzz.WRatio,
        processor=utils.default_process,
        score_cutoff=NEAR_SCORE,
        limit=None,
    )
    if not scored:
        return None
    best = scored[0][1]
    close = [pool.records[index] for _, score, index in scored if score > best - CLEAR_LEAD]
    if len(close) > 1:
        raise _ambiguous(kind, shown, pool, close, "give more of the name")
    return close[0]


def _ambiguous(
    kind: str, shown: str, pool: _Pool[Named], found: Sequence[Named], hint: str
) -> AmbiguousIdError:
    listed = ", ".join(pool.label(r) for r in found[:LISTED])
    more = f" and {len(found) - LISTED} more" if len(found) > LISTED else ""
    return AmbiguousIdError(f"{shown} could be {len(found)} {kind}s: {listed}{more}; {hint}")


def _not_found(kind: str, shown: str, query: str, pools: list[_Pool[Named]]) -> NotFoundError:
    """No fit: name the closest few, if any is even loosely close."""
    records = [r for pool in pools for r in pool.records]
    loose = process.extract(
        query,
        [r.name for r in records],
        scorer=fuzz.WRatio,
        processor=utils.default_process,
        score_cutoff=50,
        limit=LISTED,
    )
    if not loose:
        listing = "partner list" if kind == "partner" else "contact list"
        return NotFoundError(f"no {kind} is named {shown} (`nurture {listing}` shows them)")
    label = pools[0].label
    listed = ", ".join(label(records[index]) for _, _, index in loose)
    return NotFoundError(f"no {kind} is named {shown}; the closest: {listed}")


def _folded(name: str) -> str:
    return " ".join(name.casefold().split())


def _shown(text: str) -> str:
    """The typed text as a refusal quotes it: escaped, and cut short when long."""
    return repr(text if len(text) <= 60 else text[:60] + "…")
