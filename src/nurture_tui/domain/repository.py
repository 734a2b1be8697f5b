"""The Repository: what the core needs from the store, as a Protocol (``store.sql``'s
``SqlRepository`` is the one implementation; ``Record`` is any record it keeps)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

from nurture_tui.domain.changes import Change
from nurture_tui.domain.model import (
    Contact,
    Dismissal,
    Partner,
    PartnerHistory,
    Referral,
    Touchpoint,
)

Record = Partner | Contact | Touchpoint | Referral | Dismissal


class ChangeFeed(Protocol):
    """Another connection's writes, as they commit (see ``store.listen``)."""

    def wait(self, timeout: float) -> bool:
        """Block up to ``timeout`` seconds; True when a write was announced."""
        ...

    def close(self) -> None: ...


class Repository(Protocol):
    """Where partners, contacts, touchpoints and referrals live.

    Single-record reads are indexed queries; ``histories`` serves the board and the
    playbook in bulk. ``save`` is one transaction, durable when it returns. ``revision``
    grows with every write by anyone; ``refresh`` says whether it moved since last asked.
    """

    def partners(self, *, include_archived: bool = False) -> list[Partner]: ...

    def partner(self, partner_id: str) -> Partner: ...

    def contact(self, contact_id: str) -> Contact: ...

    def touchpoint(self, touchpoint_id: str) -> Touchpoint: ...

    def referral(self, referral_id: str) -> Referral: ...

    def resolve(self, kind: str, id_or_prefix: str) -> str: ...

    def contacts(self, partner_id: str | None = None) -> list[Contact]: ...

    def contact_by_email(self, email: str) -> Contact | None: ...

    def contact_addresses(self) -> list[tuple[str, str, str]]:
        """(email, partner id, contact id) of every active contact's every address, in
        ``contacts()`` order: what matching people needs, without reading whole contacts
        (20,000 of them cost a sync 0.3 s before it could start)."""
        ...

    def partner_domains(self) -> list[tuple[str, tuple[str, ...]]]:
        """(partner id, domains) of every active partner, in ``partners()`` order."""
        ...

    def touchpoints(self, partner_id: str) -> Sequence[Touchpoint]: ...

    def touchpoint_count(self) -> int: ...

    def touchpoint_by_external_id(self, source: str, external_id: str) -> Touchpoint | None: ...

    def touchpoints_from_source(self, source: str) -> list[Touchpoint]: ...

    def touchpoints_by_external_ids(
        self, source: str, external_ids: Sequence[str]
    ) -> list[Touchpoint]:
        """``touchpoint_by_external_id`` for many ids at once (a page of a sync)."""
        ...

    def deleted_external_ids(self, source: str, external_ids: Sequence[str]) -> set[str]:
        """The ids among these whose touchpoints the rep deleted (see ``was_deleted``)."""
        ...

    def touchpoints_of_events(
        self, source: str, event_ids: Sequence[str], *, rep: str | None = None
    ) -> list[Touchpoint]:
        """Every touchpoint a sync made of these events (``<event id>#<partner id>``);
        given ``rep``, also the meetings whose ``reps`` give one of them as that rep's own
        copy (or an unnamed rep's; ``rep`` "" takes every rep's)."""
        ...

    def planned_before(self, moment: datetime) -> list[Touchpoint]: ...

    def last_touch_times(self) -> dict[str, datetime]:
        """Each partner's latest done touchpoint time (partners never touched are absent)."""
        ...

    def referral_counts_since(self, day: date) -> dict[str, int]:
        """How many referrals each partner sent on or after ``day`` (absent: none)."""
        ...

    def histories(self, partner_ids: Sequence[str] | None = None) -> list[PartnerHistory]:
        """Each partner's history (default: every active partner, by name), read in bulk.

        The lists are shared with the store's snapshot: read them, never mutate them.
        """
        ...

    def referrals(self, partner_id: str | None = None) -> list[Referral]: ...

    def dismissals(self) -> list[Dismissal]: ...

    def participant_refs(self) -> frozenset[str]: ...

    def state(self, key: str) -> dict[str, Any] | None: ...

    def state_keys(self, prefix: str = "") -> list[str]: ...

    def save(
        self,
        *records: Record,
        action: str = "save",
        state: dict[str, dict[str, Any] | None] | None = None,
        summary: str = "",
        expected_versions: Mapping[str, int] | None = None,
        unchanged: Sequence[Record] = (),
        undoable: bool = True,
    ) -> None:
        """Write records in one transaction. Each record's ``created_by``/``changed_by``
        are stamped from ``actor`` (a new record: both; a changed one: ``changed_by``),
        never taken from the caller, so nobody writes in a colleague's name. A partner's
        or contact's ``version`` is moved by the store too; ``expected_versions`` (id ->
        version read) makes the write conditional: ``EditConflict`` and nothing written
        when someone saved one of those records since; ``unchanged`` the same for records
        without a version (touches, referrals), compared by what they say.
        ``undoable`` False: ``undo`` refuses this change at once (a team push, too large
        to take back)."""
        ...

    def delete(self, *records: Record, action: str = "delete", summary: str = "") -> None:
        """Delete records (each undoable); a synced touchpoint's event is remembered."""
        ...

    def was_deleted(self, source: str, external_id: str) -> bool:
        """True when the rep deleted the touchpoint a sync made of this event."""
        ...

    def change(self, action: str, summary: str) -> AbstractContextManager[None]:
        """Writes inside the block (this thread) are one change: undone together."""
        ...

    def changes(self, limit: int = 20, *, actor: str | None = None) -> list[Change]:
        """The newest changes first (only ``actor``'s when given)."""
        ...

    def undo(self) -> tuple[Change, Change]:
        """Revert the latest change (``shared``: this actor's latest), never one a
        later change wrote over: (the change reverted, the change that reverted it)."""
        ...

    @property
    def actor(self) -> str:
        """Who this store's writes are recorded against (a rep's email on a team store)."""
        ...

    @property
    def shared(self) -> bool:
        """True on a team store (several reps): undo and redo take back only the actor's
        own changes, and views show who created and changed each record."""
        ...

    def put_state(self, key: str, value: dict[str, Any] | None) -> None: ...

    def histories_of(self, partner_ids: Sequence[str]) -> list[PartnerHistory]:
        """These partners' histories (archived too), in this order, without keeping any
        every-partner snapshot in memory."""
        ...

    def history_revisions(self) -> dict[str, int]:
        """Each partner's history revision: the store revision at which anything in its
        history (the partner, contacts, touches, referrals, dismissals) last changed."""
        ...

    def cached_actions(self, context: str, day: date) -> dict[str, tuple[int, str]]:
        """Suggested actions kept for ``context`` on ``day``: partner id -> (the history
        revision they were computed at, their serialised form)."""
        ...

    def cache_actions(self, context: str, day: date, rows: Sequence[tuple[str, int, str]]) -> None:
        """Keep (partner id, history revision, serialised actions): derived data, not a
        change (no revision bump, nothing to undo)."""
        ...

    def refresh(self) -> bool: ...

    def change_listener(self) -> ChangeFeed | None:
        """Something that blocks until another connection writes (a team store's
        LISTEN/NOTIFY), or None where the app polls ``refresh`` instead (SQLite)."""
        ...

    @property
    def revision(self) -> int: ...

    @property
    def directory(self) -> Path:
        """Where this store keeps its files (exports, invites and sync status go beside)."""
        ...

    def replace_all(
        self,
        partners: Iterable[Partner],
        contacts: Iterable[Contact],
        touchpoints: Iterable[Touchpoint],
        referrals: Iterable[Referral],
        dismissals: Iterable[Dismissal] = (),
        *,
        action: str = "replace-all",
        summary: str = "Replaced the whole store",
    ) -> None:
        """Every record replaced by these, in one transaction (a demo, a whole import)."""
        ...


def own_state_key(repo: Repository, key: str) -> str:
    """``key`` as this rep's own: on a team store a rep's sync (its sign-in flags, its
    cursors, its queue of people met) is theirs, not the agency's: rep B's calendar must
    not resume from rep A's cursor. On a rep's own store the key is as it always was."""
    if not repo.shared:
        return key
    return f"rep:{repo.actor.casefold()}:{key}"


def own_rep(repo: Repository) -> str:
    """Who a sync records as having a meeting (``Touchpoint.reps``): on a team store the
    rep, by email; on a rep's own store "", its one rep (whose recorded name, the machine's
    user, may change, while every meeting in it stays theirs)."""
    return repo.actor.casefold() if repo.shared else ""
