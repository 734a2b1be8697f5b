"""Sync in a team store: each rep's sign-in flags, cursors and queue of people met are their
own (rep B's calendar must never resume from rep A's cursor); a rep's own store is as it
always was."""

from __future__ import annotations

from pathlib import Path

from nurture_tui.domain.repository import own_state_key
from nurture_tui.services import sync
from nurture_tui.services.session import Session
from nurture_tui.store.opening import open_store
from nurture_tui.sync.runner import state_key
from pg_server import postgres_db_url, postgres_store_url, postgres_url  # noqa: F401


def test_each_rep_keeps_their_own_sync_state_on_a_team_store(
    postgres_store_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    ann = Session(repo=open_store(tmp_path / "a", url=postgres_store_url, actor="Ann@agency.org"))
    ben = Session(repo=open_store(tmp_path / "b", url=postgres_store_url, actor="ben@agency.org"))
    cursor = own_state_key(ann.repo, state_key("google", "calendar"))
    assert cursor == "rep:ann@agency.org:sync:google:calendar"
    ann.repo.put_state(cursor, {"cursor": "ann-token"})
    assert ben.repo.state(own_state_key(ben.repo, state_key("google", "calendar"))) is None

    # the people queue: Ann met someone; Ben's queue stays empty; Ann ignoring them is hers
    ann.repo.put_state(
        own_state_key(ann.repo, "unmatched:x@y.org"), {"email": "x@y.org", "count": 2}
    )
    assert [p.email for p in sync.unmatched_people(ann)] == ["x@y.org"]
    assert sync.unmatched_people(ben) == []
    ben.repo.put_state(own_state_key(ben.repo, "unmatched:x@y.org"), {"email": "x@y.org"})
    sync.ignore_person(ann, "x@y.org")
    assert sync.unmatched_people(ann) == []
    assert [p.email for p in sync.unmatched_people(ben)] == ["x@y.org"]
    ann.repo.close()
    ben.repo.close()


def test_a_laptop_store_keeps_its_keys(tmp_path: Path) -> None:
    repo = open_store(tmp_path)
    assert own_state_key(repo, "sync:google:calendar") == "sync:google:calendar"
    repo.close()
