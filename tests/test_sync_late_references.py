"""A colleague's reference stored while a sync's page is being written is masked too.

A page masks its meeting titles and mail subjects with the references it reads just
before its transaction. A referral another rep commits in between used to leave its
reference in the clear in that page's records, stored after it (found by a hostile
tester, on both engines, before issue 13's work). The page now checks the references
again once it has committed and masks what it stored if one came in between.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from builders import alex_settings, referral
from fakes.google_api import event, fake_google
from nurture_tui.domain.repository import Repository
from nurture_tui.services import records
from nurture_tui.services.session import Session
from nurture_tui.store.opening import open_store
from nurture_tui.sync import meetings
from nurture_tui.sync.runner import run_sync
from pg_server import postgres_db_url, postgres_store_url, postgres_url  # noqa: F401
from sync_contract import NOW
from test_google_sync import google_source

Opener = Callable[[], Repository]


@pytest.fixture(params=["sqlite", "postgresql"])
def opener(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opener]:
    if request.param == "sqlite":
        yield lambda: open_store(tmp_path / "store")
    else:
        url = request.getfixturevalue("postgres_store_url")
        yield lambda: open_store(tmp_path, url=url)


def rep_session(repo: Repository) -> tuple[Session, str]:
    settings = alex_settings()
    session = Session(repo, settings, lambda: NOW)
    mercy = records.add_partner(session, "Mercy General", "hospital", domains=["mercy.org"])
    records.add_contact(session, mercy.id, "Sam Ortiz", emails=["sam@mercy.org"])
    return session, mercy.id


def test_a_reference_stored_between_a_pages_read_and_its_commit_is_masked(
    opener: Opener, monkeypatch: pytest.MonkeyPatch
) -> None:
    session, mercy = rep_session(opener())
    colleague = opener()
    secret = referral(colleague.partner(mercy), 1)
    read_page = meetings.PageView.__init__
    pages: list[object] = []

    def and_then_a_colleague_refers(view: meetings.PageView, *args: Any, **kw: Any) -> None:
        read_page(view, *args, **kw)  # this page's references are read ...
        pages.append(view)
        if len(pages) == 1:
            colleague.save(secret)  # ... and a colleague's referral commits before its write

    monkeypatch.setattr(meetings.PageView, "__init__", and_then_a_colleague_refers)
    with fake_google() as (base, state):
        state.page_size = 2
        for day in range(1, 7):
            title = f"Discharge plan for {secret.participant_ref} #{day}"
            state.put_event("primary", event(["sam@mercy.org"], title, NOW - timedelta(days=day)))
        report = run_sync(session, google_source(base))
    assert report.status == "ok" and report.created == 6
    assert len(pages) >= 3  # the referral came while the first page was being written
    stored = opener().touchpoints(mercy)
    assert len(stored) == 6
    assert all(secret.participant_ref not in t.purpose for t in stored)
    assert sum("[participant]" in t.purpose for t in stored) == 6
