"""Issue 13: the board kept per partner. Whatever was written — by us, by another process,
undone, archived, a referral that makes a new top referrer — the live board's agenda is
exactly what the whole playbook pass over every history says, and a write is answered by
reading only the partners it touched. The action cache survives a process and refuses a
damaged row or another playbook."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

import nurture_tui
from builders import TODAY, touch
from conftest import FROZEN_NOW
from nurture_tui.config import Settings
from nurture_tui.domain.model import Dismissal, PartnerHistory, Referral
from nurture_tui.domain.playbook import rules
from nurture_tui.domain.playbook.config import Playbook, load_playbook
from nurture_tui.domain.playbook.engine import suggest
from nurture_tui.domain.playbook.facts import SuggestedAction
from nurture_tui.services.action_book import (
    ActionBook,
    context_key,
    decode_actions,
    encode_actions,
)
from nurture_tui.services.board import LiveBoard
from nurture_tui.services.demo import DemoSize, load_demo
from nurture_tui.services.fill_actions import fill_in_child
from nurture_tui.services.playbook import default_playbook_text, todays_plan
from nurture_tui.services.session import Session
from nurture_tui.store.opening import open_store

PLAYBOOK = load_playbook(default_playbook_text())


def _session(directory: Path, *, demo: bool = True) -> Session:
    session = Session(
        repo=open_store(directory),
        settings=Settings(timezone="America/Chicago"),
        clock=lambda: FROZEN_NOW,
    )
    if demo:
        load_demo(session, DemoSize(30, 900, 11))
    return session


def _whole_pass(session: Session, playbook: Playbook = PLAYBOOK) -> list[SuggestedAction]:
    repo = session.repo
    return suggest(repo.histories(), TODAY, session.settings.zone, playbook, repo.dismissals())


def _filled(session: Session, playbook: Playbook = PLAYBOOK) -> LiveBoard:
    live = LiveBoard(session, playbook, TODAY)
    live.quick()
    live.fill()
    assert live.complete
    return live


def test_the_filled_board_is_the_whole_pass(tmp_path: Path) -> None:
    session = _session(tmp_path / "store")
    live = _filled(session)
    data = live.data()
    assert data.agenda == _whole_pass(session) and data.agenda
    assert data.complete and len(data.cards) == len(session.repo.partners())


def test_every_kind_of_write_is_followed_reading_only_the_partners_it_touched(
    tmp_path: Path,
) -> None:
    session = _session(tmp_path / "store")
    repo = session.repo
    live = _filled(session)
    read: list[list[str]] = []
    histories_of = repo.histories_of

    def spy(ids):  # type: ignore[no-untyped-def]
        read.append(list(ids))
        return histories_of(ids)

    repo.histories_of = spy  # type: ignore[method-assign]
    partners = repo.partners()
    first, second, third = partners[0], partners[1], partners[2]

    repo.save(touch(first, "meeting", 0), summary="Met them")
    data, changed = live.update()  # type: ignore[misc]
    assert changed == {first.id} and read == [[first.id]]
    assert data.agenda == _whole_pass(session)

    action = next(a for a in data.agenda if a.partner_id == second.id)
    repo.save(Dismissal(second.id, action.rule, action.key, TODAY + timedelta(days=3), "x"))
    data, changed = live.update()  # type: ignore[misc]
    assert changed == {second.id} and action not in data.agenda
    assert data.agenda == _whole_pass(session)

    repo.undo()  # the snooze taken back
    data, _ = live.update()  # type: ignore[misc]
    assert action in data.agenda and data.agenda == _whole_pass(session)

    repo.save(replace(third, archived=True))
    data, _ = live.update()  # type: ignore[misc]
    assert third.id not in {c.id for c in data.cards}
    assert data.agenda == _whole_pass(session)

    assert live.update() is None  # nothing moved: nothing read
    assert len(read) == 4


def test_a_new_top_referrer_recomputes_whoever_lost_the_place(tmp_path: Path) -> None:
    """The appreciation event goes to the top referrers: a burst of referrals from a quiet
    partner pushes one out, and both partners' actions change though only one was written."""
    session = _session(tmp_path / "store")
    repo = session.repo
    playbook = load_playbook(
        default_playbook_text(), "[rules.appreciation-event]\ntop_referrers = 1\n"
    )
    live = _filled(session, playbook)
    before = live.book.network.top_referrers
    quiet = next(p for p in repo.partners() if p.id not in before)
    burst = [
        Referral(f"r-burst-{n}", quiet.id, TODAY - timedelta(days=n), f"P-{n}") for n in range(40)
    ]
    repo.save(*burst)
    data, changed = live.update()  # type: ignore[misc]
    assert changed == {quiet.id}
    assert live.book.network.top_referrers == {quiet.id} != before
    assert data.agenda == _whole_pass(session, playbook)


def test_another_process_reads_the_cache_and_computes_nothing(tmp_path: Path) -> None:
    directory = tmp_path / "store"
    _filled(_session(directory))
    later = _session(directory, demo=False)  # another process: a new repository object
    calls: list[int] = []
    histories = later.repo.histories

    def counted(partner_ids: Sequence[str] | None = None) -> list[PartnerHistory]:
        calls.append(1)
        return histories(partner_ids)

    later.repo.histories = counted  # type: ignore[method-assign]
    later.repo.histories_of = counted  # type: ignore[method-assign]
    live = LiveBoard(later, PLAYBOOK, TODAY)
    live.quick()
    live.fill(compute=False)
    assert live.complete and calls == []
    later.repo.histories = histories  # type: ignore[method-assign]
    assert live.data().agenda == _whole_pass(later)
    # ``nurture today`` is served from the same cache.
    assert todays_plan(later, PLAYBOOK, today=TODAY, size=1000).actions
    assert calls == []


def test_a_damaged_cache_row_or_another_playbook_is_recomputed(tmp_path: Path) -> None:
    session = _session(tmp_path / "store")
    repo = session.repo
    _filled(session)
    victim = repo.partners()[0]
    revisions = repo.history_revisions()
    key = context_key(PLAYBOOK, session.settings.zone, False)
    for damage in ('{"not": "a list"}', "[[1,2]]", "\x1b[31m", '[["x", 99999999999]]'):
        repo.cache_actions(key, TODAY, [(victim.id, revisions[victim.id], damage)])
        live = LiveBoard(session, PLAYBOOK, TODAY)
        live.quick()
        assert not live.fill(compute=False).complete or victim.id in live.book.network.top_referrers
        assert live.fill().agenda == _whole_pass(session)
    other = load_playbook(default_playbook_text(), "[rules.check-in]\nweight = 9\n")
    live = LiveBoard(session, other, TODAY)
    live.quick()
    live.fill(compute=False)
    assert not live.complete  # nothing cached under that playbook yet
    assert live.fill().agenda == _whole_pass(session, other)


def test_a_cache_written_by_other_rules_or_another_version_is_recomputed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 14: a cached entry keeps its reasons' text, and an upgrade can reword a rule in
    code with the playbook data unchanged. Entries written under another RULES_REVISION (or
    package version) are not read: the board recomputes them, in today's words."""
    session = _session(tmp_path / "store")
    zone = session.settings.zone
    current = context_key(PLAYBOOK, zone, False)
    monkeypatch.setattr(rules, "RULES_REVISION", rules.RULES_REVISION - 1)
    older = context_key(PLAYBOOK, zone, False)
    _filled(session)  # yesterday's process, under the older rules, fills the cache
    monkeypatch.undo()
    assert older != current == context_key(PLAYBOOK, zone, False)
    revisions = session.repo.history_revisions()
    assert session.repo.cached_actions(older, TODAY) and not session.repo.cached_actions(
        current, TODAY
    )
    live = LiveBoard(session, PLAYBOOK, TODAY)
    live.quick()
    live.fill(compute=False)
    assert not live.complete  # nothing cached under these rules yet
    assert live.fill().agenda == _whole_pass(session)
    top = context_key(PLAYBOOK, zone, True)  # the top referrers' entries: their own key
    kept = {
        **session.repo.cached_actions(current, TODAY),
        **session.repo.cached_actions(top, TODAY),
    }
    assert set(kept) == set(revisions)  # recomputed, and kept under the new key

    monkeypatch.setattr(nurture_tui, "__version__", "0.0.0-older")
    assert context_key(PLAYBOOK, zone, False) not in {current, older}


def test_the_codec_round_trips_hostile_text() -> None:
    session_free = ActionBook(PLAYBOOK, Settings(timezone="UTC").zone, TODAY)
    assert len(session_free) == 0
    from builders import history, partner

    p = replace(partner(), name="\u202eevil\x1b[2J Clinic")
    h = history(p, touches=[touch(p, "meeting", 400)])
    from nurture_tui.domain.playbook.engine import partner_actions
    from nurture_tui.domain.playbook.rules import Network

    actions = partner_actions(h, TODAY, Settings().zone, PLAYBOOK, Network(frozenset()))
    assert actions
    decoded = decode_actions(encode_actions(actions), p.id, p.name)
    assert decoded == actions
    assert [type(a.kind) for a in decoded] == [type(a.kind) for a in actions]
    assert [type(a.terms) for a in decoded] == [type(a.terms) for a in actions]


def test_the_first_pass_in_a_child_process_fills_the_cache(tmp_path: Path) -> None:
    session = _session(tmp_path / "store")
    assert fill_in_child(session, PLAYBOOK, TODAY)
    live = LiveBoard(session, PLAYBOOK, TODAY)
    live.quick()
    data = live.fill(compute=False)
    assert live.complete and data.agenda == _whole_pass(session)


def test_a_child_that_cannot_open_the_store_says_no(tmp_path: Path) -> None:
    session = _session(tmp_path / "store")
    (tmp_path / "store" / "nurture.db").rename(tmp_path / "moved.db")
    assert not fill_in_child(session, PLAYBOOK, TODAY)


@pytest.mark.parametrize("size", [0, 1])
def test_an_empty_or_tiny_store(tmp_path: Path, size: int) -> None:
    session = _session(tmp_path / "store", demo=False)
    if size:
        load_demo(session, DemoSize(1, 5, 3))
    live = _filled(session)
    assert live.data().agenda == _whole_pass(session)


def test_no_participant_reference_reaches_the_action_cache(tmp_path: Path) -> None:
    """The cache is derived text kept in the store beside the records: a participant
    reference must stay on its referral row, never in a cached reason."""
    session = _session(tmp_path / "store")
    repo = session.repo
    canary = "CANARY-PT-77813"
    partner = repo.partners()[0]
    repo.save(Referral("r-canary", partner.id, TODAY - timedelta(days=3), canary))
    _filled(session)
    with repo.engine.connect() as c:  # type: ignore[attr-defined]
        rows = c.exec_driver_sql("SELECT actions FROM action_cache").all()
    assert rows and not any(canary in row[0] for row in rows)
