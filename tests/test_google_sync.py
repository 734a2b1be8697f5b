"""The Google source, through google-api-python-client, against a fake Google on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from nurture_google.auth import credentials_from_info
from nurture_google.source import GoogleSource

from builders import alex_settings
from fakes.google_api import Fault, GoogleState, event, fake_google
from nurture_tui.services import records
from nurture_tui.services.session import Session
from nurture_tui.store.opening import open_store
from nurture_tui.sync.retry import RetryPolicy
from nurture_tui.sync.runner import run_sync
from sync_contract import NOW, SyncSourceContract, World

FAST = RetryPolicy(attempts=4, base_delay=0.0, max_delay=0.0, budget=5.0)


def credentials(base: str, refresh_token: str = "rt-good") -> object:
    return credentials_from_info(
        {
            "refresh_token": refresh_token,
            "client_id": "cid",
            "client_secret": "secret",
            "token_uri": f"{base}token",
            "token": "expired",
            "expiry": "2000-01-01T00:00:00Z",
        }
    )


def make_session(tmp_path: Path) -> tuple[Session, str, str]:
    settings = alex_settings()
    session = Session(open_store(tmp_path / "store"), settings, lambda: NOW)
    mercy = records.add_partner(session, "Mercy General", "hospital", domains=["mercy.org"])
    records.add_contact(session, mercy.id, "Sam Ortiz", emails=["sam@mercy.org"])
    hope = records.add_partner(session, "Hope Hospice", "hospice", domains=["hopehospice.org"])
    records.add_contact(session, hope.id, "Nora Baker", emails=["nora@hopehospice.org"])
    return session, mercy.id, hope.id


def google_source(base: str, refresh_token: str = "rt-good") -> GoogleSource:
    return GoogleSource(
        credentials(base, refresh_token),
        calendars=["primary"],
        window=(NOW - timedelta(days=365), NOW + timedelta(days=92)),
        api_root=base,
        retry=FAST,
        sleep=lambda _: None,
    )


@pytest.fixture
def google(tmp_path: Path) -> Iterator[tuple[str, GoogleState, Session, str, str]]:
    with fake_google() as (base, state):
        state.page_size = 2  # exercise pagination everywhere
        session, mercy, hope = make_session(tmp_path)
        yield base, state, session, mercy, hope


class TestGoogleContract(SyncSourceContract):
    @pytest.fixture
    def world(self, google: tuple[str, GoogleState, Session, str, str]) -> World:
        base, state, session, mercy, hope = google
        return World(
            session=session,
            source=lambda: google_source(base),
            add_meeting=lambda i, people, title, start: state.put_event(
                "primary", event(people, title, start, event_id=i)
            ),
            remove_meeting=lambda i: state.cancel_event("primary", i),
            send_mail=lambda i, to, subject, when: state.send(i, to, subject, when),
            fail_next=lambda status: state.fail.append(
                Fault("/events", status, times=FAST.attempts)
            ),
            mercy_id=mercy,
            hope_id=hope,
        )


def test_an_expired_sync_token_resyncs_in_full_without_duplicates(google) -> None:  # type: ignore[no-untyped-def]
    base, state, session, mercy, _ = google
    for day in range(5):
        state.put_event(
            "primary", event(["sam@mercy.org"], "Check-in", NOW - timedelta(days=day + 1))
        )
    run_sync(session, google_source(base))
    state.fail.append(Fault("/events", 410, reason="fullSyncRequired"))
    report = run_sync(session, google_source(base))
    assert report.status == "ok" and report.created == 0
    assert len(session.repo.touchpoints(mercy)) == 5


def test_429_with_retry_after_is_waited_and_honoured(google) -> None:  # type: ignore[no-untyped-def]
    base, state, session, mercy, _ = google
    state.put_event("primary", event(["sam@mercy.org"], "Check-in", NOW - timedelta(days=1)))
    state.fail.append(
        Fault("/events", 429, headers={"Retry-After": "7"}, reason="rateLimitExceeded")
    )
    waits: list[float] = []
    source = GoogleSource(
        credentials(base),
        calendars=["primary"],
        window=(NOW - timedelta(days=30), NOW + timedelta(days=30)),
        api_root=base,
        retry=RetryPolicy(attempts=3, budget=60),
        sleep=waits.append,
    )
    report = run_sync(session, source)
    assert report.status == "ok" and waits == [7.0]
    assert len(session.repo.touchpoints(mercy)) == 1


def test_a_revoked_token_asks_to_sign_in_again(google) -> None:  # type: ignore[no-untyped-def]
    base, state, session, _, _ = google
    state.revoked.add("rt-bad")
    report = run_sync(session, google_source(base, "rt-bad"))
    assert report.status == "SignInRequired"
    assert "nurture auth google" in report.message and "Traceback" not in report.message


def test_no_network_is_offline_and_touches_nothing(tmp_path: Path) -> None:
    session, _, _ = make_session(tmp_path)
    revision = session.repo.revision
    report = run_sync(session, google_source("http://127.0.0.1:9/"))
    assert report.status in ("SourceOffline", "SignInRequired")
    assert "will retry" in report.message or "sign in" in report.message
    assert session.repo.revision == revision


def test_gmail_full_then_incremental_with_history_and_stale_history(google) -> None:  # type: ignore[no-untyped-def]
    base, state, session, mercy, hope = google
    for index in range(5):
        state.send(
            f"old{index}", "sam@mercy.org", f"Update {index}", NOW - timedelta(days=index + 1)
        )
    run_sync(session, google_source(base))
    assert len(session.repo.touchpoints(mercy)) == 5
    assert not any("q=" in r for r in state.requests)
    state.send("new1", "Nora <nora@hopehospice.org>", "Newsletter", NOW)
    requests_before = len(state.requests)
    run_sync(session, google_source(base))
    assert [t.kind.value for t in session.repo.touchpoints(hope)] == ["email"]
    assert any("/history" in r for r in state.requests[requests_before:])
    state.history_floor = 10_000  # Gmail forgot the history id: 404 -> full re-sync
    state.send("new2", "sam@mercy.org", "Another", NOW)
    report = run_sync(session, google_source(base))
    assert report.status == "ok"
    assert len(session.repo.touchpoints(mercy)) == 6


def test_a_short_full_listing_never_mass_deletes(google) -> None:  # type: ignore[no-untyped-def]
    base, state, session, mercy, _ = google
    for day in range(12):
        state.put_event(
            "primary",
            event(
                ["sam@mercy.org"], "Check-in", NOW - timedelta(days=day + 1), event_id=f"keep{day}"
            ),
        )
    run_sync(session, google_source(base))
    state.events["primary"] = {}  # the server suddenly lists nothing
    report = run_sync(session, google_source(base), full=True)
    assert report.removed == 0 and report.warnings and "--allow-deletions" in report.warnings[0]
    live = [t for t in session.repo.touchpoints(mercy) if t.status.value != "cancelled"]
    assert len(live) == 12


def test_declined_by_the_partner_is_dropped_and_moved_events_update(google) -> None:  # type: ignore[no-untyped-def]
    base, state, session, mercy, _ = google
    state.put_event(
        "primary", event(["sam@mercy.org"], "Care plan", NOW + timedelta(days=3), event_id="cp")
    )
    run_sync(session, google_source(base))
    state.put_event(
        "primary", event(["sam@mercy.org"], "Care plan", NOW + timedelta(days=4), event_id="cp")
    )
    run_sync(session, google_source(base))
    [touch] = session.repo.touchpoints(mercy)
    assert touch.at.date() == (NOW + timedelta(days=4)).date()
    state.put_event(
        "primary",
        event(
            ["sam@mercy.org"],
            "Care plan",
            NOW + timedelta(days=4),
            event_id="cp",
            declined=("sam@mercy.org",),
        ),
    )
    run_sync(session, google_source(base))
    [touch] = session.repo.touchpoints(mercy)
    assert touch.status.value == "cancelled"


def test_push_an_invite_with_attendees_and_send_updates(google, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from nurture_tui.services import invites

    base, state, session, _, hope = google
    invite = invites.create_invite(session, hope, "in-service", NOW + timedelta(days=10))
    event_id = google_source(base).push_invite(invite)
    [inserted] = state.inserted
    assert (
        inserted["iCalUID"] == invite.uid
        and inserted["attendees"][0]["email"] == "nora@hopehospice.org"
    )
    assert any("POST /calendars/primary/events" in r for r in state.requests)
    google_source(base).cancel_invite(invite, event_id)
    assert state.events["primary"][event_id]["status"] == "cancelled"


def test_cli_sync_and_invite_push_through_the_installed_google_source(
    google, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    """`nurture sync google` and `nurture invite --push google`, end to end in-process:
    the entry point, the keyring-held token, the endpoint override."""
    import json as jsonlib

    import keyring

    from fakes.memory_keyring import MemoryKeyring
    from nurture_tui.cli import main
    from nurture_tui.secrets import set_secret

    base, state, session, mercy, hope = google
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    try:
        set_secret(
            "google",
            jsonlib.dumps(
                {
                    "refresh_token": "rt-good",
                    "client_id": "cid",
                    "client_secret": "s",
                    "token_uri": f"{base}token",
                }
            ),
        )
        session.repo.put_state("source:google", {"enabled": True})
        monkeypatch.setenv("NURTURE_GOOGLE_API_ENDPOINT", base)
        monkeypatch.setenv("NURTURE_REP_EMAIL", "alex@homecare.example")
        monkeypatch.setenv("NURTURE_REP_NAME", "Alex Rivera")
        monkeypatch.setenv("NURTURE_AGENCY", "Sunrise Home Care")
        state.put_event("primary", event(["sam@mercy.org"], "Check-in", NOW - timedelta(days=1)))
        directory = str(tmp_path / "store")
        assert main(["sync", "google", "--json", "--data-dir", directory]) == 0
        [report] = jsonlib.loads(capsys.readouterr().out)
        assert report["status"] == "ok" and report["new"] == 1
        code = main(
            [
                "invite",
                "--partner",
                hope,
                "--kind",
                "check-in",
                "--start",
                "2030-01-10 10:00",
                "--push",
                "google",
                "--json",
                "--data-dir",
                directory,
            ]
        )
        assert code == 0
        created = jsonlib.loads(capsys.readouterr().out)
        assert state.inserted and state.inserted[0]["iCalUID"] == created["uid"]
        assert (
            main(
                [
                    "invite",
                    "--cancel",
                    created["uid"],
                    "--push",
                    "google",
                    "--json",
                    "--data-dir",
                    directory,
                ]
            )
            == 0
        )
        event_id = state.inserted[0]["id"]
        assert state.events["primary"][event_id]["status"] == "cancelled"
    finally:
        keyring.set_keyring(previous)
