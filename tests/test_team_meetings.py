"""A meeting two reps attended, synced by both, is one touch with both reps on it.

A real PostgreSQL team store (the boss, Ann and Ben, each logged in as their own database
role) and each rep's own calendar: a fake Google or a fake Microsoft Graph per rep (the
real client libraries against them), or one real Radicale holding a calendar per rep. The
two copies of a meeting have different event ids and the same iCalendar UID, as every
attendee's copy does. The expected touches are written out by hand.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from nurture_caldav.source import CalDavSource
from nurture_google.source import GoogleSource
from nurture_outlook.source import OutlookSource

from fakes.google_api import GoogleState, event, fake_google
from fakes.graph_api import GraphState, fake_graph
from nurture_tui.config import Settings
from nurture_tui.domain.kinds import TouchpointKind, TouchpointStatus
from nurture_tui.domain.model import MeetingRep, Touchpoint
from nurture_tui.domain.playbook.config import load_playbook
from nurture_tui.domain.repository import own_rep
from nurture_tui.services import records
from nurture_tui.services.playbook import default_playbook_text
from nurture_tui.services.session import Session
from nurture_tui.services.team_report import team_report
from nurture_tui.store.opening import open_store
from nurture_tui.sync.meetings import Meeting, Outcome, PageView, reconcile_meeting
from nurture_tui.sync.retry import RetryPolicy
from nurture_tui.sync.runner import SyncReport, _matcher, run_sync
from servers import radicale
from sync_contract import NOW
from team_helpers import ANN, BEN, Result, TeamDatabase, seed_team
from test_caldav_imap_sync import vevent
from test_google_sync import credentials, google_source

pytest_plugins = ["team_helpers"]

Run = Callable[..., Result]
FAST = RetryPolicy(attempts=3, base_delay=0.0, max_delay=0.0, budget=5.0)
WINDOW = (NOW - timedelta(days=365), NOW + timedelta(days=92))
LUNCH = NOW - timedelta(days=2)
#: Who attends: both reps and Sam at Mercy General (the partner).
PEOPLE = [ANN, BEN, "sam@mercy.org"]


@dataclass
class Agency:
    """Ann's and Ben's sessions on the team store (each their own role) and Mercy."""

    ann: Session
    ben: Session
    mercy: str
    run: Run
    urls: dict[str, str]
    monkeypatch: pytest.MonkeyPatch

    def touches(self) -> list[Touchpoint]:
        return list(self.ann.repo.touchpoints(self.mercy))

    def latest_change(self) -> int:
        return self.ann.repo.changes(1)[0].seq

    def cli_json(self, email: str, *argv: str) -> Any:
        with self.monkeypatch.context() as patch:
            patch.setenv("NURTURE_STORE_URL", self.urls[email])
            return json.loads(self.run(*argv, "--json").out)


def _rep_session(directory: Path, url: str, email: str) -> Session:
    settings = Settings(
        rep_name=email.split("@")[0].title(),
        rep_email=email,
        agency="Sunrise Home Care",
        agency_domain="agency.org",
        timezone="America/Chicago",
    )
    return Session(open_store(directory, url=url), settings, lambda: NOW)


@pytest.fixture
def agency(
    team_db: TeamDatabase,
    memory_keyring: object,
    nurture: Run,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> Iterator[Agency]:
    urls = seed_team(nurture, team_db, monkeypatch)
    ann = _rep_session(tmp_path / "ann", urls[ANN], ANN)
    ben = _rep_session(tmp_path / "ben", urls[BEN], BEN)
    assert (own_rep(ann.repo), own_rep(ben.repo)) == (ANN, BEN)
    mercy = records.add_partner(ann, "Mercy General", "hospital", domains=["mercy.org"])
    records.add_contact(ann, mercy.id, "Sam Ortiz", emails=["sam@mercy.org"])
    yield Agency(ann, ben, mercy.id, nurture, urls, monkeypatch)
    ann.repo.close()
    ben.repo.close()


def _quiet(report: SyncReport) -> bool:
    return report.status == "ok" and report.created == report.updated == report.removed == 0


# ------------------------------------------------------------------------------- Google


@pytest.fixture
def googles() -> Iterator[tuple[tuple[str, GoogleState], tuple[str, GoogleState]]]:
    """Ann's Google and Ben's: two accounts, two calendars."""
    with ExitStack() as stack:
        yield stack.enter_context(fake_google()), stack.enter_context(fake_google())


def test_google_one_meeting_two_reps_is_one_touch_with_both(agency: Agency, googles) -> None:  # type: ignore[no-untyped-def]
    (ann_api, ann_cal), (ben_api, ben_cal) = googles
    uid = "4q2lunchmercy@google.com"
    for cal, copy in ((ann_cal, "annlunch01"), (ben_cal, "benlunch77")):
        cal.put_event(
            "primary",
            event(PEOPLE, "Lunch with Mercy", LUNCH, organizer=ANN, event_id=copy, ical_uid=uid),
        )

    first = run_sync(agency.ann, google_source(ann_api))
    assert (first.status, first.created) == ("ok", 1)
    second = run_sync(agency.ben, google_source(ben_api))
    assert (second.status, second.created, second.updated) == ("ok", 0, 1)
    [touch] = agency.touches()
    assert touch.reps == (
        MeetingRep(ANN, "cal:primary:annlunch01"),
        MeetingRep(BEN, "cal:primary:benlunch77"),
    )
    assert touch.status is TouchpointStatus.DONE and touch.purpose == "Lunch with Mercy"
    assert (touch.created_by, touch.changed_by) == (ANN, BEN)  # the store's own stamps
    assert agency.ann.repo.touchpoint_count() == 1

    # Idempotent: either rep syncing again changes nothing, and writes nothing.
    seq = agency.latest_change()
    assert _quiet(run_sync(agency.ben, google_source(ben_api)))
    assert _quiet(run_sync(agency.ann, google_source(ann_api)))
    assert agency.touches() == [touch] and agency.touches()[0].reps == touch.reps
    assert agency.latest_change() == seq

    # What a rep sees: the touch's JSON names both; the team report counts it for each.
    shown = agency.cli_json(BEN, "touch", "show", touch.id)
    assert shown["reps"] == [ANN, BEN] and shown["created_by"] == ANN
    listed = agency.cli_json(ANN, "partner", "show", agency.mercy)
    assert [t["reps"] for t in listed["touchpoints"]] == [[ANN, BEN]]
    playbook = load_playbook(default_playbook_text())
    report = team_report(agency.ann, playbook, since=date(2026, 11, 16))
    counted = {r.email: dict(r.touches) for r in report.reps}
    assert counted == {"boss@agency.org": {}, ANN: {"meeting": 1}, BEN: {"meeting": 1}}


def test_google_a_recurring_series_is_a_touch_per_instance_with_both_reps(
    agency: Agency,
    googles,  # type: ignore[no-untyped-def]
) -> None:
    (ann_api, ann_cal), (ben_api, ben_cal) = googles
    uid = "weeklyhuddle@google.com"
    first, second = NOW - timedelta(days=14), NOW - timedelta(days=7)
    moved = second + timedelta(hours=2)  # the second was moved: its original start stays
    for cal, series in ((ann_cal, "annweekly"), (ben_cal, "benweekly")):
        for original, start in ((first, first), (second, moved)):
            cal.put_event(
                "primary",
                event(
                    PEOPLE,
                    "Huddle at Mercy",
                    start,
                    organizer=BEN,
                    ical_uid=uid,
                    recurring=(series, original),
                ),
            )
    assert run_sync(agency.ann, google_source(ann_api)).created == 2
    joined = run_sync(agency.ben, google_source(ben_api))
    assert (joined.created, joined.updated) == (0, 2)
    touches = agency.touches()
    assert [t.at for t in touches] == [first, moved]
    assert [[r.rep for r in t.reps] for t in touches] == [[ANN, BEN], [ANN, BEN]]
    assert [t.reps[1].event for t in touches] == [
        "cal:primary:benweekly:2026-11-09T15:00:00Z",
        "cal:primary:benweekly:2026-11-16T15:00:00Z",
    ]
    assert len({t.id for t in touches}) == 2
    assert _quiet(run_sync(agency.ann, google_source(ann_api)))
    assert _quiet(run_sync(agency.ben, google_source(ben_api)))
    assert agency.touches() == touches


def test_google_a_rep_cancelling_leaves_the_colleague_s_touch(agency: Agency, googles) -> None:  # type: ignore[no-untyped-def]
    (ann_api, ann_cal), (ben_api, ben_cal) = googles
    uid = "lunch2@google.com"
    for cal, copy in ((ann_cal, "annlunch02"), (ben_cal, "benlunch02")):
        cal.put_event(
            "primary",
            event(PEOPLE, "Lunch with Mercy", LUNCH, organizer=ANN, event_id=copy, ical_uid=uid),
        )
    # Ann also met Sam alone: in her calendar only.
    ann_cal.put_event("primary", event([ANN, "sam@mercy.org"], "Coffee", LUNCH - timedelta(days=3)))
    run_sync(agency.ann, google_source(ann_api))
    run_sync(agency.ben, google_source(ben_api))
    assert [len(t.reps) for t in agency.touches()] == [1, 2]

    # Ben's full re-listing: Ann's coffee is not in his calendar, and is not his to remove.
    relisted = run_sync(agency.ben, google_source(ben_api), full=True)
    assert _quiet(relisted) and not relisted.warnings
    assert all(t.status is TouchpointStatus.DONE for t in agency.touches())

    ben_cal.cancel_event("primary", "benlunch02")  # Ben deletes his copy
    left = run_sync(agency.ben, google_source(ben_api))
    assert (left.status, left.removed, left.updated) == ("ok", 0, 1)
    coffee, lunch = agency.touches()
    assert lunch.status is TouchpointStatus.DONE, "Ann's touch stays"
    assert lunch.reps == (MeetingRep(ANN, "cal:primary:annlunch02"),)
    assert _quiet(run_sync(agency.ben, google_source(ben_api)))
    assert _quiet(run_sync(agency.ann, google_source(ann_api)))

    ann_cal.cancel_event("primary", "annlunch02")  # the last rep's copy goes: cancelled
    gone = run_sync(agency.ann, google_source(ann_api))
    assert (gone.removed, gone.updated) == (1, 0)
    assert agency.touches() == [coffee, lunch._replace(status=TouchpointStatus.CANCELLED)]
    assert agency.touches()[1].reps == lunch.reps


def test_two_reps_storing_the_same_meeting_at_once_both_land(agency: Agency) -> None:
    """Each rep's sync decides from the store as it read it, before the other's write: the
    later write keeps the earlier rep's place (the store re-reads it inside its
    transaction), so neither is lost."""
    decided = []
    for session, copy in ((agency.ann, "cal:primary:annrace"), (agency.ben, "cal:primary:benrace")):
        meeting = Meeting(
            copy, LUNCH, "Lunch", ANN, tuple((p, "ACCEPTED") for p in PEOPLE), uid="race@x"
        )
        matcher = _matcher(session)
        view = PageView(session.repo, "google", [f"uid:race@x#{agency.mercy}"])
        outcome = Outcome(save=[], unmatched=set())
        reconcile_meeting(
            meeting,
            matcher,
            view,
            source="google",
            now=NOW,
            outcome=outcome,
            rep=own_rep(session.repo),
        )
        decided.append((session, outcome))
    for session, outcome in decided:
        assert outcome.created == 1  # both saw no touch
        session.repo.save(*outcome.save, action="sync-google")
    [touch] = agency.touches()
    assert [r.rep for r in touch.reps] == [ANN, BEN]


# ------------------------------------------------------------------------------ Outlook


@pytest.fixture
def graphs() -> Iterator[tuple[tuple[str, GraphState], tuple[str, GraphState]]]:
    """Ann's mailbox and Ben's (Graph gives each copy its own id)."""
    with ExitStack() as stack:
        yield stack.enter_context(fake_graph()), stack.enter_context(fake_graph())


def outlook(base: str) -> OutlookSource:
    return OutlookSource(
        lambda: "gat-1", window=WINDOW, graph=f"{base}v1.0", retry=FAST, sleep=lambda _: None
    )


def test_outlook_one_meeting_a_series_and_a_rep_removing_their_copy(
    agency: Agency,
    graphs,  # type: ignore[no-untyped-def]
) -> None:
    (ann_api, ann_box), (ben_api, ben_box) = graphs
    first, second = NOW - timedelta(days=14), NOW - timedelta(days=7)
    for box, prefix in ((ann_box, "AAMkAnn"), (ben_box, "AAMkBen")):
        box.put_event(f"{prefix}Lunch=", "Lunch with Mercy", LUNCH, PEOPLE, ical_uid="0400LUNCH")
        for n, original in enumerate((first, second)):
            # Graph: each occurrence has its own iCalUId, the same in every mailbox.
            box.put_event(
                f"{prefix}Huddle{n}=",
                "Huddle",
                original,
                PEOPLE,
                ical_uid=f"0400HUDDLE{n}",
                series=(f"{prefix}Series=", original),
            )
    assert run_sync(agency.ann, outlook(ann_api)).created == 3
    joined = run_sync(agency.ben, outlook(ben_api))
    assert (joined.status, joined.created, joined.updated) == ("ok", 0, 3)
    touches = agency.touches()
    assert [t.at for t in touches] == [first, second, LUNCH]
    assert all([r.rep for r in t.reps] == [ANN, BEN] for t in touches)
    assert touches[2].reps[1] == MeetingRep(BEN, "cal:outlook:AAMkBenLunch=")
    assert _quiet(run_sync(agency.ann, outlook(ann_api)))
    assert _quiet(run_sync(agency.ben, outlook(ben_api)))

    ben_box.remove_event("AAMkBenLunch=")  # Ben deletes his copy: Graph says @removed
    left = run_sync(agency.ben, outlook(ben_api))
    assert (left.removed, left.updated) == (0, 1)
    lunch = agency.touches()[2]
    assert lunch.status is TouchpointStatus.DONE
    assert lunch.reps == (MeetingRep(ANN, "cal:outlook:AAMkAnnLunch="),)
    assert agency.touches()[:2] == touches[:2]


# ------------------------------------------------------------------------------- CalDAV


def test_caldav_each_rep_s_calendar_on_one_server_one_touch_each_instance(
    agency: Agency, tmp_path: Path
) -> None:
    import caldav

    zone = ZoneInfo("America/Chicago")
    weekly = vevent("weekly-mercy@agency.org", PEOPLE, "Huddle", NOW - timedelta(days=14))
    weekly = weekly.replace("DURATION:PT30M\r\n", "DURATION:PT30M\r\nRRULE:FREQ=WEEKLY;COUNT=2\r\n")
    with radicale(tmp_path / "radicale") as url:
        sources = {}
        for email in (ANN, BEN):
            user = email.split("@")[0]
            client = caldav.DAVClient(url=url, username=user, password="x")
            calendar = client.principal().make_calendar(name="Work")
            calendar.save_event(weekly)
            sources[email] = (
                calendar,
                lambda u=user: CalDavSource(url, u, "x", window=WINDOW, zone=zone),
            )
        assert run_sync(agency.ann, sources[ANN][1]()).created == 2
        joined = run_sync(agency.ben, sources[BEN][1]())
        assert (joined.status, joined.created, joined.updated) == ("ok", 0, 2)
        touches = agency.touches()
        assert [t.at for t in touches] == [NOW - timedelta(days=14), NOW - timedelta(days=7)]
        assert all([r.rep for r in t.reps] == [ANN, BEN] for t in touches)
        assert _quiet(run_sync(agency.ben, sources[BEN][1]()))

        sources[BEN][0].event_by_uid("weekly-mercy@agency.org").delete()
        left = run_sync(agency.ben, sources[BEN][1]())
        assert (left.removed, left.updated) == (0, 2)
        assert [[r.rep for r in t.reps] for t in agency.touches()] == [[ANN], [ANN]]
        assert all(t.status is TouchpointStatus.DONE for t in agency.touches())


# ----------------------------------------------------------------- a rep's own store


@contextmanager
def _laptop(tmp_path: Path) -> Iterator[tuple[Session, str]]:
    settings = Settings(rep_email="alex@homecare.example", agency_domain="homecare.example")
    session = Session(open_store(tmp_path / "laptop"), settings, lambda: NOW)
    mercy = records.add_partner(session, "Mercy General", "hospital", domains=["mercy.org"])
    records.add_contact(session, mercy.id, "Sam Ortiz", emails=["sam@mercy.org"])
    yield session, mercy.id
    session.repo.close()


def test_a_laptop_store_one_meeting_in_two_of_the_rep_s_calendars_is_one_touch(
    tmp_path: Path,
) -> None:
    with fake_google() as (api, cal), _laptop(tmp_path) as (session, mercy):
        for calendar in ("primary", "team"):
            cal.put_event(
                calendar,
                event(["sam@mercy.org"], "Check-in", LUNCH, event_id="chk1", ical_uid="chk1@x"),
            )
        source = GoogleSource(
            credentials(api),
            calendars=["primary", "team"],
            window=WINDOW,
            api_root=api,
            retry=FAST,
            sleep=lambda _: None,
        )
        assert run_sync(session, source).created == 1
        [touch] = session.repo.touchpoints(mercy)
        assert touch.reps == (MeetingRep("", "cal:primary:chk1"), MeetingRep("", "cal:team:chk1"))
        cal.cancel_event("team", "chk1")
        left = run_sync(session, source)
        assert (left.removed, left.updated) == (0, 1)
        cal.cancel_event("primary", "chk1")
        assert run_sync(session, source).removed == 1
        assert [t.status for t in session.repo.touchpoints(mercy)] == [TouchpointStatus.CANCELLED]


def test_a_meeting_s_reps_go_through_an_export_and_back(tmp_path: Path) -> None:
    from nurture_tui.services import exchange

    with _laptop(tmp_path) as (session, mercy):
        reps = (MeetingRep("", "cal:primary:chk1"), MeetingRep("ann@agency.org", "cal:x:9"))
        meeting = Touchpoint(
            id="tmeet0000001",
            partner_id=mercy,
            kind=TouchpointKind.MEETING,
            at=LUNCH,
            source="google",
            external_id=f"uid:chk1@x#{mercy}",
            reps=reps,
        )
        session.repo.save(meeting)
        exchange.export_tinydb(session, tmp_path / "out.json", with_participant_refs=True)
        target = Session(open_store(tmp_path / "other"), session.settings, lambda: NOW)
        exchange.import_tinydb(target, tmp_path / "out.json")
        assert target.repo.touchpoint(meeting.id).reps == reps
        target.repo.close()
