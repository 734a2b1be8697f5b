"""The Outlook source: MSAL against a fake authority, Graph over HTTP against a fake Graph."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import keyring
import pytest
from nurture_outlook.auth import MsalTokens
from nurture_outlook.source import OutlookSource

from fakes.graph_api import AUTHORITY_HOST, GraphState, RedirectingSession, fake_graph
from fakes.memory_keyring import MemoryKeyring
from nurture_tui.services import invites
from nurture_tui.sync.retry import RetryPolicy
from nurture_tui.sync.runner import run_sync
from sync_contract import NOW, SyncSourceContract, World
from test_google_sync import make_session

FAST = RetryPolicy(attempts=3, base_delay=0.0, max_delay=0.0, budget=5.0)


@pytest.fixture
def vault(monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    backend = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    monkeypatch.setenv("NURTURE_MS_AUTHORITY", f"{AUTHORITY_HOST}/tenant")
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def graph(vault: MemoryKeyring) -> Iterator[tuple[str, GraphState, MsalTokens]]:
    with fake_graph() as (base, state):
        tokens = MsalTokens("cid", "tenant", http_client=RedirectingSession(base))
        who = tokens.sign_in_with_device_code(lambda message: None)
        assert who == "alex@homecare.example"
        yield base, state, tokens


def outlook(
    base: str, tokens: MsalTokens, sleep: object = None, retry: RetryPolicy = FAST
) -> OutlookSource:
    return OutlookSource(
        tokens.access_token,
        window=(NOW - timedelta(days=365), NOW + timedelta(days=92)),
        graph=f"{base}v1.0",
        retry=retry,
        sleep=sleep or (lambda _: None),
    )


class TestOutlookContract(SyncSourceContract):
    @pytest.fixture
    def world(self, graph: tuple[str, GraphState, MsalTokens], tmp_path: Path) -> World:
        base, state, tokens = graph
        session, mercy, hope = make_session(tmp_path)
        return World(
            session=session,
            source=lambda: outlook(base, tokens),
            add_meeting=lambda i, people, title, start: state.put_event(i, title, start, people),
            remove_meeting=state.remove_event,
            send_mail=lambda i, to, subject, when: state.send(i, to, subject, when),
            fail_next=lambda status: state.fail.append(("calendarView", status, {}, FAST.attempts)),
            mercy_id=mercy,
            hope_id=hope,
        )


def test_the_token_cache_lives_in_the_keyring_split_when_large(
    graph: tuple[str, GraphState, MsalTokens], vault: MemoryKeyring
) -> None:
    stored = dict(vault.secrets)
    head = stored[("nurture", "outlook")]
    assert head.startswith("chunks:") or len(head) <= 2000
    assert all(len(value) <= 2000 for value in stored.values())
    again = MsalTokens("cid", "tenant", http_client=RedirectingSession(graph[0]))
    assert again.signed_in_as() == "alex@homecare.example"


def test_a_410_resyncs_in_full_without_duplicates(
    graph: tuple[str, GraphState, MsalTokens], tmp_path: Path
) -> None:
    base, state, tokens = graph
    session, mercy, _ = make_session(tmp_path)
    for day in range(4):
        state.put_event(f"e{day}", "Check-in", NOW - timedelta(days=day + 1), ["sam@mercy.org"])
    run_sync(session, outlook(base, tokens))
    state.expired_deltas = True
    report = run_sync(session, outlook(base, tokens))
    assert report.status == "ok" and report.created == 0
    assert len(session.repo.touchpoints(mercy)) == 4


def test_throttling_waits_retry_after(
    graph: tuple[str, GraphState, MsalTokens], tmp_path: Path
) -> None:
    base, state, tokens = graph
    session, mercy, _ = make_session(tmp_path)
    state.put_event("e1", "Check-in", NOW - timedelta(days=1), ["sam@mercy.org"])
    state.fail.append(("calendarView", 429, {"Retry-After": "3"}, 1))
    waits: list[float] = []
    report = run_sync(
        session, outlook(base, tokens, sleep=waits.append, retry=RetryPolicy(attempts=3, budget=60))
    )
    assert report.status == "ok" and waits == [3.0]


def test_an_expired_refresh_token_asks_to_sign_in_again(
    graph: tuple[str, GraphState, MsalTokens], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, state, _ = graph
    session, _, _ = make_session(tmp_path)
    state.revoked = True
    fresh = MsalTokens("cid", "tenant", http_client=RedirectingSession(base))
    # Force a refresh: forget the cached access token but keep the refresh token.
    cache = fresh._cache
    for item in list(cache.search(cache.CredentialType.ACCESS_TOKEN)):
        cache.remove_at(item)
    report = run_sync(session, outlook(base, fresh))
    assert report.status == "SignInRequired" and "nurture auth outlook" in report.message


def test_push_update_and_cancel_an_invite(
    graph: tuple[str, GraphState, MsalTokens], tmp_path: Path
) -> None:
    base, state, tokens = graph
    session, _, hope = make_session(tmp_path)
    invite = invites.create_invite(session, hope, "check-in", NOW + timedelta(days=3))
    source = outlook(base, tokens)
    event_id = source.push_invite(invite)
    created = state.created[0]
    assert created["transactionId"] == invite.uid
    assert created["attendees"][0]["emailAddress"]["address"] == "nora@hopehospice.org"
    source.update_invite(invite, event_id)
    source.cancel_invite(invite, event_id)
    assert [c.get("action") for c in state.created[1:]] == ["PATCH", "POST/cancel"]


def test_push_with_a_teams_meeting(
    graph: tuple[str, GraphState, MsalTokens], tmp_path: Path
) -> None:
    base, state, tokens = graph
    session, _, hope = make_session(tmp_path)
    invite = invites.create_invite(session, hope, "check-in", NOW + timedelta(days=3))
    source = outlook(base, tokens)
    source.push_invite(invite, online_meeting=True)
    assert state.created[0]["isOnlineMeeting"] is True
    assert state.created[0]["onlineMeetingProvider"] == "teamsForBusiness"
    assert source.meeting_url.startswith("https://teams.microsoft.com/")
