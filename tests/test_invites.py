"""Invites: the .ics we write, its interoperability, privacy, updates and cancellations."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from nurture_tui.config import Settings
from nurture_tui.domain.errors import ValidationError
from nurture_tui.domain.kinds import TouchpointStatus
from nurture_tui.invites.ics_writer import invite_to_ics
from nurture_tui.invites.model import Invite, InviteKind, Person
from nurture_tui.services import invites, records
from nurture_tui.services.session import Session
from nurture_tui.store.opening import open_store

CHICAGO = ZoneInfo("America/Chicago")
START = datetime(2026, 12, 3, 14, 0, tzinfo=CHICAGO)
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
INTEROP = Path(__file__).parent / "interop"


@pytest.fixture
def rep(tmp_path: Path) -> Session:
    settings = Settings(
        rep_name="Alex Rivera",
        rep_email="alex@homecare.example",
        agency="Sunrise Home Care",
        timezone="America/Chicago",
        zoom_url="https://zoom.us/j/5550001",
    )
    return Session(open_store(tmp_path / "store"), settings, lambda: NOW)


@pytest.fixture
def hospice(rep: Session) -> str:
    partner = records.add_partner(rep, "Hope Hospice", "hospice", domains=["hopehospice.org"])
    records.add_contact(rep, partner.id, "Sam Ortiz", emails=["sam@hopehospice.org"])
    records.add_contact(rep, partner.id, "Nora Baker", emails=["nora@hopehospice.org"])
    records.add_contact(rep, partner.id, "No Email")
    return partner.id


def lines(ics: bytes) -> list[bytes]:
    assert ics.endswith(b"\r\n") and b"\n" not in ics.replace(b"\r\n", b"")
    return ics.split(b"\r\n")[:-1]


def test_an_in_service_invite_is_a_complete_request(rep: Session, hospice: str) -> None:
    invite = invites.create_invite(rep, hospice, "in-service", START)
    ics = invites.invite_ics(invite)
    for line in lines(ics):
        assert len(line) <= 75, line  # folded at 75 octets
    calendar = Calendar.from_ical(ics)
    assert calendar["method"] == "REQUEST" and calendar["version"] == "2.0"
    assert [tz["tzid"] for tz in calendar.walk("VTIMEZONE")] == ["America/Chicago"]
    [event] = calendar.walk("VEVENT")
    assert event["uid"] == invite.uid and event["sequence"] == 0
    assert event["dtstart"].params["TZID"] == "America/Chicago"
    assert event["dtend"].dt - event["dtstart"].dt == timedelta(minutes=45)
    assert "teaches the Sunrise Home Care team" in event["summary"]
    assert "when hospice is the right referral" in event["description"]
    assert "Join the video call: https://zoom.us/j/5550001" in event["description"]
    assert event["location"] == event["url"] == "https://zoom.us/j/5550001"
    assert str(event["organizer"]) == "mailto:alex@homecare.example"
    attendees = event["attendee"]
    assert sorted(str(a) for a in attendees) == [
        "mailto:nora@hopehospice.org",
        "mailto:sam@hopehospice.org",
    ]
    for attendee in attendees:
        assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
        assert attendee.params["RSVP"] == "TRUE"
        assert attendee.params["ROLE"] == "REQ-PARTICIPANT"
    assert event.walk("VALARM")


def test_creating_an_invite_logs_a_planned_touchpoint(rep: Session, hospice: str) -> None:
    invite = invites.create_invite(rep, hospice, "check-in", START)
    touch = rep.repo.touchpoint_by_external_id("invite", invite.uid)
    assert touch is not None and touch.status is TouchpointStatus.PLANNED
    assert touch.kind.value == "check-in" and touch.at == START


def test_no_video_link_says_where_to_meet_instead(rep: Session, hospice: str) -> None:
    invite = invites.create_invite(
        rep,
        hospice,
        "check-in",
        START,
        video_url="",
        location="Hope Hospice, 2nd floor conference room",
    )
    event = Calendar.from_ical(invites.invite_ics(invite)).walk("VEVENT")[0]
    assert "Join" not in event["description"] and "url" not in event
    assert "Where: Hope Hospice, 2nd floor" in event["description"]
    bare = invites.create_invite(rep, hospice, "check-in", START, video_url="")
    text = Calendar.from_ical(invites.invite_ics(bare)).walk("VEVENT")[0]["description"]
    assert "Where: to be agreed" in text and "Join" not in text


def test_update_and_cancel_reissue_the_same_uid_with_a_higher_sequence(
    rep: Session, hospice: str
) -> None:
    invite = invites.create_invite(rep, hospice, "in-service", START)
    moved = invites.update_invite(rep, invite.uid, start=START + timedelta(days=1))
    assert (moved.uid, moved.sequence) == (invite.uid, 1)
    touch = rep.repo.touchpoint_by_external_id("invite", invite.uid)
    assert touch is not None and touch.at == START + timedelta(days=1)
    cancelled = invites.cancel_invite(rep, invite.uid)
    calendar = Calendar.from_ical(invites.invite_ics(cancelled))
    assert calendar["method"] == "CANCEL"
    event = calendar.walk("VEVENT")[0]
    assert event["sequence"] == 2 and event["status"] == "CANCELLED"
    touch = rep.repo.touchpoint_by_external_id("invite", invite.uid)
    assert touch is not None and touch.status is TouchpointStatus.CANCELLED


def test_a_personal_copy_is_published_without_rsvp(rep: Session, hospice: str) -> None:
    invite = invites.create_invite(rep, hospice, "webinar", START)
    calendar = Calendar.from_ical(invites.invite_ics(invite, personal_copy=True))
    assert calendar["method"] == "PUBLISH" and "attendee" not in calendar.walk("VEVENT")[0]


def test_an_invite_can_never_carry_a_participant_reference(rep: Session, hospice: str) -> None:
    referral = records.add_referral(rep, hospice, NOW.date(), participant_ref="WV-7731")
    with pytest.raises(ValidationError, match="participant reference") as caught:
        invites.create_invite(
            rep,
            hospice,
            "care-coordination",
            START,
            title=f"Care plan for {referral.participant_ref}",
        )
    assert "WV-7731" not in str(caught.value)
    assert rep.repo.touchpoints(hospice) == [], "nothing was logged"


def test_invites_need_the_rep_as_organizer(tmp_path: Path, hospice: str, rep: Session) -> None:
    anonymous = Session(rep.repo, Settings(timezone="America/Chicago"), lambda: NOW)
    with pytest.raises(ValidationError, match="rep_email"):
        invites.create_invite(anonymous, hospice, "check-in", START)


FRAGMENTS = [
    *'ab ;,\\:"\r\n\x00',
    "END:VEVENT",
    "BEGIN:VEVENT",
    "\r\nEND:VEVENT\r\n",
    "ATTENDEE:mailto:x@evil.org",
    "\nUID:other",
    "é",
    "🙂",
]
NASTY = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=5), max_size=20).map("".join)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=NASTY, description=NASTY, location=NASTY, name=NASTY)
def test_user_text_cannot_inject_properties_attendees_or_events(
    title: str, description: str, location: str, name: str
) -> None:
    invite = Invite(
        uid="fixed@nurture",
        kind=InviteKind.CHECK_IN,
        partner_id="p",
        title=title,
        description=description,
        start=START,
        duration=timedelta(minutes=30),
        organizer=Person(name, "alex@homecare.example"),
        attendees=(Person(name, "sam@hopehospice.org"),),
        location=location,
    )
    ics = invite_to_ics(invite, now=NOW)
    lines(ics)
    calendar = Calendar.from_ical(ics)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    event = events[0]
    attendees = event["attendee"]
    attendees = attendees if isinstance(attendees, list) else [attendees]
    assert [str(a) for a in attendees] == ["mailto:sam@hopehospice.org"]
    assert str(event["uid"]) == "fixed@nurture"
    assert "\r" not in str(event["summary"]) and "\n" not in str(event["summary"])
    assert "\x00" not in ics.decode()


@pytest.fixture
def written_invites(rep: Session, hospice: str, tmp_path: Path) -> list[Path]:
    paths = []
    for kind in InviteKind:
        invite = invites.create_invite(rep, hospice, kind.value, START)
        path = tmp_path / f"{kind.value}.ics"
        path.write_bytes(invites.invite_ics(invite))
        paths.append(path)
    return paths


def test_every_kind_reads_back_with_vobject(written_invites: list[Path]) -> None:
    import vobject

    for path in written_invites:
        calendar = vobject.readOne(path.read_text(encoding="utf-8"))
        event = calendar.vevent
        assert event.uid.value.endswith("@nurture")
        assert event.dtstart.value.tzinfo is not None
        assert len(event.contents["attendee"]) == 2


def test_every_kind_reads_back_with_ical_js(written_invites: list[Path]) -> None:
    node = shutil.which("node")
    if node is None or not (INTEROP / "node_modules" / "ical.js").exists():
        pytest.skip("node and ical.js are installed by `make test` (npm ci in tests/interop)")
    for path in written_invites:
        out = subprocess.run(
            [node, str(INTEROP / "read_ics.mjs"), str(path)],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        parsed = json.loads(out.stdout)
        assert parsed["method"] == "REQUEST" and parsed["timezones"] == ["America/Chicago"]
        [event] = parsed["events"]
        assert event["tzid"] == "America/Chicago" and event["start"].startswith("2026-12-03T14:00")
        assert len(event["attendees"]) == 2 and event["alarms"] == 1


def test_every_kind_round_trips_through_a_real_caldav_server(
    written_invites: list[Path], tmp_path: Path
) -> None:
    import caldav

    from servers import radicale

    with radicale(tmp_path / "radicale") as url:
        client = caldav.DAVClient(url=url, username="alex", password="x")
        principal = client.principal()
        calendar = principal.make_calendar(name="Work")
        for path in written_invites:
            # A server stores an event, not an iTIP message: drop METHOD, as clients do.
            text = path.read_text(encoding="utf-8").replace("METHOD:REQUEST\r\n", "")
            calendar.save_event(text)
        stored = calendar.events()
        assert len(stored) == len(written_invites)
        for event in stored:
            component = event.icalendar_component
            assert str(component["uid"]).endswith("@nurture")
            assert component["dtstart"].dt.tzinfo is not None
            assert len(component["attendee"]) == 2


def test_a_zoom_meeting_is_created_through_the_api(
    rep: Session, hospice: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import keyring

    from fakes.memory_keyring import MemoryKeyring
    from fakes.zoom_api import fake_zoom
    from nurture_tui.invites import zoom

    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    try:
        with fake_zoom() as (base, state):
            monkeypatch.setenv("NURTURE_ZOOM_OAUTH", f"{base}/oauth/token")
            monkeypatch.setenv("NURTURE_ZOOM_API", f"{base}/v2")
            with pytest.raises(zoom.ZoomError, match="nurture auth zoom"):
                invites.create_invite(rep, hospice, "in-service", START, zoom_meeting=True)
            zoom.save_credentials(zoom.ZoomCredentials("acct", "cid", "wrong"))
            with pytest.raises(zoom.ZoomError, match="refused the app's credentials"):
                invites.create_invite(rep, hospice, "in-service", START, zoom_meeting=True)
            zoom.save_credentials(zoom.ZoomCredentials("acct", "cid", "secret"))
            invite = invites.create_invite(rep, hospice, "in-service", START, zoom_meeting=True)
            assert invite.video_url == "https://zoom.us/j/123?pwd=abc"
            [meeting] = state["meetings"]
            assert meeting["duration"] == 45 and meeting["timezone"] == "America/Chicago"
            assert meeting["start_time"] == "2026-12-03T20:00:00Z"
            event = Calendar.from_ical(invites.invite_ics(invite)).walk("VEVENT")[0]
            assert "Join the video call: https://zoom.us/j/123" in event["description"]
            assert invites.load_invite(rep, invite.uid).video_url == invite.video_url
    finally:
        keyring.set_keyring(previous)
