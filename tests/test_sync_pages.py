"""A sync commits page by page and never blocks the app.

Every page is one transaction with the cursor that resumes after it: a kill -9 or a cancel
keeps the pages stored, a re-run resumes from the next page and ends in the same state as
an uninterrupted sync. A sync waiting on the network holds no lock: a TUI write (another
thread, or another process) lands while it waits. The fake Google blocks a chosen request
on an event until the test releases it, so every "while it waits" here is a fact, not a
timing guess: no sleeps.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from fakes import google_api
from fakes.google_api import GoogleState, event, fake_google
from nurture_tui.domain.model import Touchpoint
from nurture_tui.services import records
from nurture_tui.services import sync as sync_service
from nurture_tui.services.entries import TouchEntry
from nurture_tui.services.session import Session
from nurture_tui.store.opening import open_store
from nurture_tui.sync.runner import run_sync, state_key
from store_helpers import integrity, stored_touchpoints
from sync_contract import NOW
from test_google_sync import google_source, make_session

CHILD = str(Path(__file__).with_name("sync_child.py"))
WRITER = str(Path(__file__).with_name("writer_child.py"))
WAIT = 60  # seconds: a bound on waiting for an event that must happen, never a timing


class Wire:
    """The calendar listing requests the fake Google sees (their page tokens, "" for the
    first page), and a gate: the request for page token ``hold`` waits until ``release``
    is set (``arrived`` says it came in)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, hold: str | None = None) -> None:
        self.hold = hold
        self.tokens: list[str] = []
        self.arrived, self.release = threading.Event(), threading.Event()
        route = google_api.route

        def wired(state: GoogleState, method: str, target: str, *rest: Any) -> Any:
            url = urlparse(target)
            if url.path.endswith("/calendars/primary/events") and method == "GET":
                token = parse_qs(url.query).get("pageToken", [""])[-1]
                self.tokens.append(token)
                if token == self.hold:
                    self.arrived.set()
                    assert self.release.wait(WAIT), "the test never released the gate"
            return route(state, method, target, *rest)

        monkeypatch.setattr(google_api, "route", wired)

    def pages_since(self, start: int) -> set[str]:
        """The pages asked for since request ``start`` (a page asked twice, e.g. again
        after the token refresh on a first request, counts once)."""
        return set(self.tokens[start:])


def calendar(state: GoogleState, count: int, page_size: int) -> None:
    state.page_size = page_size
    for day in range(count):
        state.put_event(
            "primary",
            event(
                ["sam@mercy.org"],
                f"Check-in {day}",
                NOW - timedelta(days=day + 1),
                event_id=f"e{day:03d}",
            ),
        )


def synced(directory: Path) -> list[Touchpoint]:
    return [t for t in stored_touchpoints(directory).values() if t.source == "google"]


def events_of(touches: list[Touchpoint]) -> Counter[str]:
    return Counter((t.external_id or "").split("#")[0] for t in touches)


def tokens(first: int, last: int, size: int) -> set[str]:
    """The page tokens of pages ``first`` to ``last`` (0-based; page 0 has none)."""
    return {str(page * size) if page else "" for page in range(first, last + 1)}


@pytest.fixture
def google(tmp_path: Path) -> Iterator[tuple[str, GoogleState, Session, str]]:
    with fake_google() as (base, state):
        session, mercy, _ = make_session(tmp_path)
        yield base, state, session, mercy


# --- pages, cursors and resuming ---------------------------------------------------------------


def test_a_cancel_keeps_the_pages_stored_and_the_rerun_resumes_after_them(
    google, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    base, state, session, mercy = google
    calendar(state, 30, page_size=3)  # ten pages
    wire = Wire(monkeypatch)
    asked: list[int] = []

    def cancelled() -> bool:
        asked.append(1)
        return len(asked) > 4

    stopped = run_sync(session, google_source(base), cancelled=cancelled)
    assert stopped.status == "SyncCancelled" and "kept" in stopped.message
    kept = list(session.repo.touchpoints(mercy))
    assert len(kept) == stopped.created and 0 < len(kept) < 30 and len(kept) % 3 == 0
    cursor = session.repo.state(state_key("google", "calendar"))
    assert cursor is not None and "resume" in cursor["cursor"], "the cursor is mid-listing"
    before = len(wire.tokens)
    again = run_sync(session, google_source(base))
    assert again.status == "ok" and again.created == 30 - len(kept)
    assert wire.pages_since(before) == tokens(len(kept) // 3, 9, 3), "resumed, not relisted"
    assert sorted(events_of(list(session.repo.touchpoints(mercy))).values()) == [1] * 30
    # Idempotent: a third run changes nothing and writes nothing.
    revision = session.repo.revision
    third = run_sync(session, google_source(base))
    assert third.created == third.updated == third.removed == 0
    assert session.repo.revision == revision


def test_a_stale_page_token_in_the_cursor_lists_again_without_duplicates(google) -> None:  # type: ignore[no-untyped-def]
    base, state, session, mercy = google
    calendar(state, 12, page_size=3)
    run_sync(session, google_source(base), cancelled=iter([False, False, True]).__next__)
    key = state_key("google", "calendar")
    stored = session.repo.state(key)
    assert stored is not None and "resume" in stored["cursor"]
    stored["cursor"]["resume"]["page_token"] = "not-a-token"  # Google forgot it: 400
    state.fail.append(google_api.Fault("/events", 400, reason="invalid"))
    session.repo.put_state(key, stored)
    report = run_sync(session, google_source(base))
    assert report.status == "ok", report.message
    assert sorted(events_of(list(session.repo.touchpoints(mercy))).values()) == [1] * 12


def test_a_resumed_full_listing_still_removes_what_the_source_deleted(google) -> None:  # type: ignore[no-untyped-def]
    """Events gone while the sync token expired are removed at the end of the full
    re-listing, even when that listing was interrupted and resumed: what its first pages
    listed is kept with the cursor, so those events are not taken for gone."""
    base, state, session, mercy = google
    calendar(state, 12, page_size=3)
    run_sync(session, google_source(base))
    del state.events["primary"]["e005"]  # deleted while we could not see it...
    state.fail.append(google_api.Fault("/events", 410, reason="fullSyncRequired"))  # ...so: full
    stopped = run_sync(session, google_source(base), cancelled=iter([False, False, True]).__next__)
    assert stopped.status == "SyncCancelled"
    report = run_sync(session, google_source(base))
    assert report.status == "ok" and report.removed == 1 and not report.warnings
    # Each touch names the rep's copy of its event (its key is the meeting's UID).
    status = {t.reps[0].event: t.status.value for t in session.repo.touchpoints(mercy)}
    assert status.pop("cal:primary:e005") == "cancelled"
    assert set(status.values()) == {"done"} and len(status) == 11


def test_kill_9_while_a_page_is_on_the_wire_keeps_the_pages_before_and_resumes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with fake_google() as (base, state):
        calendar(state, 30, page_size=3)  # ten pages; the gate holds the sixth
        gate = Wire(monkeypatch, hold="15")
        make_session(tmp_path / "victim")
        child = subprocess.Popen(
            [sys.executable, CHILD, str(tmp_path / "victim"), "google", base],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            assert gate.arrived.wait(WAIT), "the child never asked for the sixth page"
            child.send_signal(signal.SIGKILL)
            child.wait(WAIT)
        finally:
            gate.release.set()
        store = tmp_path / "victim" / "store"
        kept = synced(store)
        # The sixth page is asked for once the fourth has arrived, after the third's commit.
        assert len(kept) >= 9, "the pages committed before the crash are kept"
        assert set(events_of(kept).values()) == {1}, "a crash never duplicates"
        assert integrity(store) == "ok"
        before = len(gate.tokens)
        finisher = subprocess.run(
            [sys.executable, CHILD, str(tmp_path / "victim"), "google", base],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert finisher.returncode == 0, finisher.stderr
        resumed = gate.pages_since(before)
        assert "" not in resumed and len(resumed) <= 10 - len(kept) // 3, "it resumed"
        final = synced(store)
        assert sorted(events_of(final).values()) == [1] * 30
        assert {t.id for t in kept} <= {t.id for t in final}, "kept pages are not rewritten"


# --- nothing waits for a sync ----------------------------------------------------------------


def run_in_thread(call: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    result: list[Any] = []
    thread = threading.Thread(target=lambda: result.append(call()), daemon=True)
    thread.start()
    return thread, result


def test_a_write_from_another_thread_lands_while_the_sync_waits_on_the_network(google) -> None:  # type: ignore[no-untyped-def]
    base, state, session, mercy = google
    calendar(state, 12, page_size=3)
    with pytest.MonkeyPatch.context() as patch:
        gate = Wire(patch, hold="9")
        thread, result = run_in_thread(lambda: sync_service.sync(session, google_source(base)))
        try:
            assert gate.arrived.wait(WAIT)
            draft = records.draft_touchpoint(session, mercy, "call", note="logged during sync")
            records.save_touchpoint(session, draft)  # returns: the sync holds nothing
            assert thread.is_alive() and not gate.release.is_set()
        finally:
            gate.release.set()
        thread.join(WAIT)
    [report] = result
    assert report.status == "ok" and report.created == 12
    notes = [t.note for t in session.repo.touchpoints(mercy) if t.note]
    assert notes == ["logged during sync"]


def test_another_process_writes_while_the_sync_waits_on_the_network(google, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    base, state, session, mercy = google
    calendar(state, 12, page_size=3)
    with pytest.MonkeyPatch.context() as patch:
        gate = Wire(patch, hold="9")
        thread, result = run_in_thread(lambda: run_sync(session, google_source(base)))
        try:
            assert gate.arrived.wait(WAIT)
            writer = subprocess.run(
                [sys.executable, WRITER, str(tmp_path / "store"), "bg", "20"],
                capture_output=True,
                text=True,
                timeout=WAIT,
            )
            assert writer.returncode == 0, writer.stderr
            assert thread.is_alive() and not gate.release.is_set()
        finally:
            gate.release.set()
        thread.join(WAIT)
    assert result[0].status == "ok"
    repo = open_store(tmp_path / "store")
    assert len(repo.touchpoints("partner-bg")) == 20
    assert len(repo.touchpoints(mercy)) == 12


def google_for_children(folder: Path, base: str) -> dict[str, str]:
    """The environment in which this process and its children (the TUI syncs in a child)
    are signed in to the fake Google at ``base``: a file keyring both can read."""
    secret = {
        "refresh_token": "rt-good",
        "client_id": "cid",
        "client_secret": "secret",
        "token_uri": f"{base}token",
        "token": "expired",
        "expiry": "2000-01-01T00:00:00Z",
    }
    (folder / "keyring.json").write_text(json.dumps({"nurture/google": json.dumps(secret)}))
    tests = str(Path(__file__).parent)
    return {
        "PYTHONPATH": os.pathsep.join([tests, os.environ.get("PYTHONPATH", "")]),
        "PYTHON_KEYRING_BACKEND": "fakes.file_keyring.TestFileKeyring",
        "NURTURE_TEST_KEYRING": str(folder / "keyring.json"),
        "NURTURE_GOOGLE_API_ENDPOINT": base,
    }


def connect_google(monkeypatch: pytest.MonkeyPatch, folder: Path, base: str, repo: Any) -> None:
    for name, value in google_for_children(folder, base).items():
        monkeypatch.setenv(name, value)
    repo.put_state("source:google", {"enabled": True})


async def test_the_tui_answers_and_saves_while_a_sync_waits_on_the_network(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app's own sync (in its child process), held mid-listing by the fake Google: a
    key opens help, the board reloads and a logged touch is saved, all before the sync can
    go on; released, the sync finishes and the board shows what it brought."""
    from textual.worker import WorkerState

    from nurture_tui.ui.screens.help import HelpScreen
    from ui.helpers import make_app, settle

    with fake_google() as (base, state):
        calendar(state, 12, page_size=3)
        gate = Wire(monkeypatch, hold="9")
        app = make_app(tmp_path / "store")
        mercy = records.add_partner(app.session, "Mercy General", "hospital", domains=["mercy.org"])
        records.add_contact(app.session, mercy.id, "Sam Ortiz", emails=["sam@mercy.org"])
        connect_google(monkeypatch, tmp_path, base, app.session.repo)
        try:
            async with app.run_test(size=(100, 30)) as pilot:
                await settle(pilot)
                syncing = app.sync_now()
                assert await asyncio.to_thread(gate.arrived.wait, WAIT)
                await pilot.press("question_mark")
                assert isinstance(app.screen, HelpScreen)
                await pilot.press("escape")
                app.action_reload()
                app.log_touchpoint(mercy.id, TouchEntry("call", note="mid-sync"))
                others = [w for w in app.workers if w.group in ("write", "board")]
                for worker in others:
                    await worker.wait()
                assert all(w.state is WorkerState.SUCCESS for w in others)
                assert syncing.state is WorkerState.RUNNING and not gate.release.is_set()
                gate.release.set()
                await settle(pilot)
                assert syncing.state is WorkerState.SUCCESS
        finally:
            gate.release.set()
    touches = list(open_store(tmp_path / "store").touchpoints(mercy.id))
    assert [t.note for t in touches if t.note] == ["mid-sync"]
    assert len([t for t in touches if t.source == "google"]) == 12


def test_stopping_the_tui_sync_stops_its_child_and_keeps_the_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The TUI's sync runs in a child (``sync_in_child``, what ``sync_now`` calls with the
    worker's cancel flag): stopped while a page is on the wire, the child is gone when the
    call returns, the pages it stored stay, and the next sync resumes after them."""
    from nurture_tui.services.sync_child import sync_in_child
    from nurture_tui.sync.runner import SyncCancelled

    with fake_google() as (base, state):
        calendar(state, 30, page_size=3)
        gate = Wire(monkeypatch, hold="15")  # the sixth page: three are stored by then
        session, mercy, _ = make_session(tmp_path)
        connect_google(monkeypatch, tmp_path, base, session.repo)
        stop = threading.Event()
        outcome: list[BaseException] = []

        def syncing() -> None:
            try:
                sync_in_child(session, ["google"], cancelled=stop.is_set)
            except SyncCancelled as exc:
                outcome.append(exc)

        thread = threading.Thread(target=syncing)
        thread.start()
        try:
            assert gate.arrived.wait(WAIT)
            stop.set()
            thread.join(WAIT)
            assert not thread.is_alive() and outcome, "stopped, and said so"
        finally:
            gate.release.set()
        kept = list(session.repo.touchpoints(mercy))
        assert len(kept) >= 9 and set(events_of(kept).values()) == {1}
        resumed = run_sync(session, google_source(base))
    assert resumed.status == "ok" and resumed.created == 30 - len(kept)
    assert sorted(events_of(list(session.repo.touchpoints(mercy))).values()) == [1] * 30


def test_two_syncs_racing_over_the_same_pages_store_each_event_once(
    google, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """The TUI's sync and a scheduled `nurture sync` at once: both are let through each
    calendar request together, so both decide "new" for the same events; a synced
    touchpoint's id comes from its event, so the second write is the same row again."""
    base, state, session, mercy = google
    calendar(state, 12, page_size=3)
    together = threading.Barrier(2, timeout=WAIT)
    route = google_api.route

    def paired(state: GoogleState, method: str, target: str, *rest: Any) -> Any:
        if urlparse(target).path.endswith("/calendars/primary/events"):
            together.wait()
        return route(state, method, target, *rest)

    monkeypatch.setattr(google_api, "route", paired)
    other = Session(open_store(session.repo.directory), session.settings, session.clock)
    thread, result = run_in_thread(lambda: run_sync(other, google_source(base)))
    mine = run_sync(session, google_source(base))
    thread.join(WAIT)
    assert mine.status == result[0].status == "ok"
    assert sorted(events_of(list(session.repo.touchpoints(mercy))).values()) == [1] * 12


def test_a_sync_child_that_cannot_open_the_store_is_one_line(tmp_path: Path) -> None:
    from dataclasses import replace

    from nurture_tui.services.sync_child import SyncStopped, sync_in_child

    session, _, _ = make_session(tmp_path)
    unreachable = replace(session.settings, store_url="postgresql://nurture@127.0.0.1:9/none")
    with pytest.raises(SyncStopped) as stopped:
        sync_in_child(Session(session.repo, unreachable, session.clock), ["google"])
    message = str(stopped.value)
    assert "sync stopped unexpectedly" in message and "\n" not in message
    assert "Traceback" not in message
