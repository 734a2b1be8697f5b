"""Every partner's suggested actions, kept per partner, so a write recomputes one partner.

The playbook's answer for a partner depends only on that partner's history, the day, the
playbook, the rep's time zone and whether the partner is one of the agency's top referrers
(the appreciation event). The store stamps each partner with the revision at which its
history last changed (``Repository.history_revisions``), so an entry computed at revision
*r* stays right while the partner's revision is still *r*. Entries are also kept in the
store's action cache, keyed by a digest of everything else (``context_key``), so the next
process — ``nurture today``, the TUI tomorrow morning — reads them instead of loading
250,000 touchpoints.

The agenda is then a merge: every entry's actions, minus the dismissed and snoozed ones,
ranked. Dismissals are applied at merge time rather than cached, because they change
without the history changing (a snooze ends at midnight).
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import hashlib
import json
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta, tzinfo
from typing import Any

import nurture_tui
from nurture_tui.domain.collector import collector_paused
from nurture_tui.domain.errors import NurtureError
from nurture_tui.domain.model import Dismissal, PartnerHistory
from nurture_tui.domain.playbook import rules as playbook_rules
from nurture_tui.domain.playbook.config import Playbook
from nurture_tui.domain.playbook.engine import enabled_rules, partner_actions, rank, top_referrers
from nurture_tui.domain.playbook.facts import (
    ActionKind,
    PriorityTerms,
    SuggestedAction,
    action_kind,
    new_action,
)
from nurture_tui.domain.playbook.rules import Network
from nurture_tui.domain.repository import Repository

#: Partners read and computed per step of a long pass: small enough that the pause between
#: steps comes often (a waiting key is answered), large enough that the reads stay few.
STEP = 100
#: At most this many partners' histories are read one by one; more, and in one bulk read.
_ONE_BY_ONE = 20


def context_key(playbook: Playbook, zone: tzinfo, top_referrer: bool) -> str:
    """A digest of what, besides the history and the day, an entry was computed under.

    The package version and the rules' revision are in it because a cached entry keeps the
    reasons' text: an upgrade that rewords a rule in code (the playbook data unchanged)
    must not show yesterday's cached words. Both are read at call time."""
    text = json.dumps(
        [
            playbook.data,
            str(zone),
            top_referrer,
            nurture_tui.__version__,
            playbook_rules.RULES_REVISION,
        ],
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(text.encode()).hexdigest()[:32]


# ---------------------------------------------------------------------- the codec


def encode_actions(actions: Sequence[SuggestedAction]) -> str:
    """One partner's actions as compact JSON (the partner's id and name are the row's)."""
    return json.dumps(
        [
            [
                a.kind,
                a.due.toordinal(),
                a.overdue,
                a.priority,
                a.rule,
                a.reason,
                a.evidence,
                a.key,
                a.suggested_stage,
                a.contact_id,
                None if a.terms is None else _terms_row(a.terms),
                a.label,
            ]
            for a in actions
        ],
        separators=(",", ":"),
        ensure_ascii=False,
    )


def _terms_row(t: PriorityTerms) -> list[Any]:
    return [
        t.weight,
        t.urgency,
        str(t.tier),
        t.tier_factor,
        str(t.stage),
        t.stage_factor,
        t.referral_bonus,
        t.recent_referrals,
    ]


def decode_actions(text: str, partner_id: str, partner: str) -> list[SuggestedAction]:
    """``encode_actions`` undone; raises ValueError on anything it did not write.

    Built with ``new_action`` (20,000 actions on a warm start: the frozen dataclass's own
    ``__init__`` was most of the cost), the kind typed again through ``action_kind``."""
    try:
        rows = json.loads(text)
        return [
            new_action(
                partner_id,
                partner,
                _kind(kind),
                date.fromordinal(due),
                bool(overdue),
                float(priority),
                str(rule),
                str(reason),
                tuple(map(str, evidence)),
                str(key),
                stage,
                contact_id,
                None if terms is None else PriorityTerms(*terms),
                str(label),
            )
            for (
                kind,
                due,
                overdue,
                priority,
                rule,
                reason,
                evidence,
                key,
                stage,
                contact_id,
                terms,
                label,
            ) in rows
        ]
    except (TypeError, ValueError, OverflowError) as exc:  # a damaged row: recompute it
        raise ValueError(f"unreadable cached actions: {exc}") from None


@functools.cache
def _kind(text: str) -> ActionKind:
    return action_kind(text)


# ---------------------------------------------------------------------- the book


@dataclass(frozen=True, slots=True)
class _Entry:
    revision: int
    top_referrer: bool
    actions: tuple[SuggestedAction, ...]


#: Called between steps of a long pass: the TUI passes a short sleep, so the UI thread
#: gets the interpreter; the CLI passes nothing.
Pause = Callable[[], None]


def _no_pause() -> None:
    return None


class ActionBook:
    """Each active partner's actions for one day, under one playbook and zone.

    Safe to share between threads: a lock guards the dictionaries for the instant they are
    read or replaced, never across a store read or a computation.
    """

    def __init__(self, playbook: Playbook, zone: tzinfo, day: date) -> None:
        self.playbook = playbook
        self.zone = zone
        self.day = day
        self._contexts = {flag: context_key(playbook, zone, flag) for flag in (False, True)}
        self._rules = enabled_rules(playbook)
        self._lock = threading.Lock()
        self._entries: dict[str, _Entry] = {}
        self._names: dict[str, str] = {}
        #: Every entry's actions in rank order (dismissed ones too: they are left out at
        #: merge time), kept sorted across updates; None: to be sorted afresh.
        self._ranked: list[SuggestedAction] | None = None
        #: Each partner's referrals in the 365 days to the day (for the top referrers).
        self._counts: dict[str, int] = {}
        self.network = Network(top_referrers=frozenset())

    # ------------------------------------------------------------------ reading
    def stale(self, revisions: dict[str, int], active: Iterable[str]) -> list[str]:
        """Active partners whose entry is missing, older than their history, or computed
        with the wrong top-referrer standing."""
        top = self.network.top_referrers
        with self._lock:
            entries = self._entries
            return [
                pid
                for pid in active
                if (entry := entries.get(pid)) is None
                or entry.revision != revisions.get(pid)
                or entry.top_referrer != (pid in top)
            ]

    def agenda(self, dismissals: Iterable[Dismissal]) -> list[SuggestedAction]:
        """Every entry's actions, minus what is dismissed or snoozed past the day, ranked."""
        quiet = {
            (d.partner_id, d.rule, d.key)
            for d in dismissals
            if d.until is None or d.until > self.day
        }
        with self._lock:
            ranked = self._ranked
            if ranked is None:
                everything = [a for entry in self._entries.values() for a in entry.actions]
                ranked = self._ranked = rank(everything, self._names)
        if not quiet:
            return list(ranked)
        return [a for a in ranked if (a.partner_id, a.rule, a.key) not in quiet]

    def _order(self, action: SuggestedAction) -> tuple[float, date, str, str, str]:
        """The engine's ranking order (``rank``) as a key, for keeping the list sorted."""
        return (
            -action.priority,
            action.due,
            self._names[action.partner_id],
            action.rule,
            action.key,
        )

    def _replace_ranked(self, partner_ids: set[str], fresh: Iterable[SuggestedAction]) -> None:
        """Swap these partners' actions in the sorted list (under the lock): a filter and a
        few binary insertions, instead of sorting 20,000 actions after every save."""
        if self._ranked is None:
            return
        ranked = [a for a in self._ranked if a.partner_id not in partner_ids]
        for action in fresh:
            bisect.insort(ranked, action, key=self._order)
        self._ranked = ranked

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    # ------------------------------------------------------------------ filling
    def set_network(self, counts: dict[str, int], active: set[str]) -> set[str]:
        """Top referrers from each partner's referrals in the year; returns the partners
        whose standing changed (their entries are stale now)."""
        self._counts = dict(counts)
        return self._renetwork(active)

    def recount(self, histories: Iterable[PartnerHistory], active: set[str]) -> set[str]:
        """The top referrers again after these partners' histories were re-read (their
        year's referrals counted from the history, nobody else's re-queried); returns the
        partners whose standing changed."""
        year_ago = self.day - timedelta(days=365)
        for history in histories:
            self._counts[history.partner.id] = sum(
                1 for r in history.referrals if year_ago <= r.received <= self.day
            )
        return self._renetwork(active)

    def _renetwork(self, active: set[str]) -> set[str]:
        network = top_referrers(self._counts, self.playbook, active.__contains__)
        flipped = set(network.top_referrers ^ self.network.top_referrers)
        self.network = network
        return flipped

    def read_cache(
        self, repo: Repository, revisions: dict[str, int], names: dict[str, str], pause: Pause
    ) -> int:
        """Take every still-valid entry from the store's cache; returns how many."""
        top = self.network.top_referrers
        rows = {flag: repo.cached_actions(key, self.day) for flag, key in self._contexts.items()}
        taken: list[tuple[str, _Entry]] = []
        for pid, name in names.items():
            flag = pid in top
            row = rows[flag].get(pid)
            if row is None or row[0] != revisions.get(pid):
                continue
            try:
                actions = decode_actions(row[1], pid, name)
            except ValueError:
                continue
            taken.append((pid, _Entry(row[0], flag, tuple(actions))))
            if len(taken) % STEP == 0:
                pause()
        with self._lock:
            self._entries.update(taken)
            self._names.update({pid: name.lower() for pid, name in names.items()})
            self._ranked = None
        return len(taken)

    def compute(
        self,
        repo: Repository,
        partner_ids: Sequence[str],
        revisions: dict[str, int],
        pause: Pause = _no_pause,
    ) -> list[PartnerHistory]:
        """Recompute these partners from their histories, keep them in the cache too, and
        return the histories read (the board draws their cards from them)."""
        read: list[PartnerHistory] = []
        for start in range(0, len(partner_ids), STEP):
            chunk = list(partner_ids[start : start + STEP])
            histories = _read_histories(repo, chunk)
            self.put(histories, revisions, repo)
            read.extend(histories)
            pause()
        return read

    def put(
        self,
        histories: Sequence[PartnerHistory],
        revisions: dict[str, int],
        repo: Repository | None = None,
    ) -> None:
        """Compute and keep these partners' entries (and write them to the cache)."""
        top = self.network.top_referrers
        fresh: dict[str, _Entry] = {}
        flags: dict[bool, list[tuple[str, int, str]]] = {False: [], True: []}
        with collector_paused():  # thousands of acyclic actions: see domain.collector
            for history in histories:
                partner = history.partner
                if partner.archived:
                    continue
                flag = partner.id in top
                actions = partner_actions(
                    history, self.day, self.zone, self.playbook, self.network, self._rules
                )
                revision = revisions.get(partner.id, -1)
                fresh[partner.id] = _Entry(revision, flag, tuple(actions))
                flags[flag].append((partner.id, revision, encode_actions(actions)))
        with self._lock:
            for history in histories:
                pid = history.partner.id
                if history.partner.archived:
                    self._entries.pop(pid, None)
                else:
                    self._names[pid] = history.partner.name.lower()
            self._entries.update(fresh)
            self._replace_ranked(
                {h.partner.id for h in histories},
                [a for entry in fresh.values() for a in entry.actions],
            )
        if repo is not None:
            for flag, flagged in flags.items():
                _keep(repo, self._contexts[flag], self.day, flagged)

    def forget(self, partner_ids: Iterable[str]) -> None:
        """Drop partners that were deleted or archived."""
        gone = set(partner_ids)
        if not gone:
            return
        with self._lock:
            for pid in gone:
                self._entries.pop(pid, None)
            self._replace_ranked(gone, ())


def _keep(repo: Repository, context: str, day: date, rows: list[tuple[str, int, str]]) -> None:
    """Write cache rows; a cache that can't be written (a read-only store, a full disk) is
    only slower next time, never an error for the rep."""
    with contextlib.suppress(NurtureError):
        repo.cache_actions(context, day, rows)


def _read_histories(repo: Repository, partner_ids: list[str]) -> list[PartnerHistory]:
    """These partners' histories, one by one for a few (no bulk snapshot kept in memory),
    in one read for many."""
    if len(partner_ids) <= _ONE_BY_ONE:
        return repo.histories(partner_ids)
    return repo.histories_of(partner_ids)


def year_counts(repo: Repository, day: date) -> dict[str, int]:
    """Each partner's referrals in the 365 days to ``day``, from two grouped counts."""
    since = repo.referral_counts_since(day - timedelta(days=365))
    later = repo.referral_counts_since(day + timedelta(days=1))
    return {pid: count - later.get(pid, 0) for pid, count in since.items()}


#: More stale partners than this, with no pause asked for (the CLI, the fill process), and
#: they are read in one bulk pass: fastest, at the cost of every history in memory at once.
_BULK = 500


def bring_current(
    book: ActionBook,
    repo: Repository,
    partners: dict[str, str],
    revisions: dict[str, int],
    *,
    pause: Pause | None = None,
    compute: bool = True,
) -> list[str]:
    """Make ``book`` right for every active partner (``partners``: id -> name): the top
    referrers first, then the store's cache, then the stale rest computed (unless
    ``compute`` is off). Returns the partners still stale.

    With ``pause`` (the TUI), histories are read a step at a time and ``pause`` runs between
    steps; without it, a large remainder is read in one bulk pass.
    """
    book.set_network(year_counts(repo, book.day), set(partners))
    book.read_cache(repo, revisions, partners, pause or _no_pause)
    stale = book.stale(revisions, partners)
    if not stale or not compute:
        return stale
    if pause is None and len(stale) > _BULK:
        book.put(repo.histories(stale), revisions, repo)
    else:
        book.compute(repo, stale, revisions, pause or _no_pause)
    return book.stale(revisions, partners)
