"""Invites never go out with a placeholder, read right for the partner's kind, name the
video service only when there is a link, and land as a file the rep can find — never over
another file."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from cli_runner import Nurture
from nurture_tui.config import MissingDetailsError, Settings
from nurture_tui.domain.errors import ValidationError
from nurture_tui.invites.model import Invite, InviteKind
from nurture_tui.invites.templates import (
    PartnerGroup,
    load_templates,
    partner_group,
    video_platform,
)
from nurture_tui.services import invites, records
from nurture_tui.services.session import Session
from nurture_tui.store.opening import open_store

CHICAGO = ZoneInfo("America/Chicago")
START = datetime(2026, 12, 3, 14, 0, tzinfo=CHICAGO)
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
DETAILS = Settings(
    rep_name="Alex Rivera",
    rep_email="alex@sunrise.example",
    agency="Sunrise Home Care",
    timezone="America/Chicago",
)


@pytest.fixture
def rep(tmp_path: Path) -> Session:
    return Session(open_store(tmp_path / "store"), DETAILS, lambda: NOW)


def partner(session: Session, name: str, kind: str) -> str:
    added = records.add_partner(session, name, kind)
    records.add_contact(session, added.id, "Sam Ortiz", emails=[f"sam@{kind}.example"])
    return added.id


def event(invite: Invite) -> dict[str, str]:
    [vevent] = Calendar.from_ical(invites.invite_ics(invite)).walk("VEVENT")
    return {k: str(vevent[k]) for k in ("summary", "description", "organizer")}


# --- no placeholder ever leaves -------------------------------------------------------------


def test_only_an_email_set_is_refused_naming_the_settings_and_where(
    rep: Session, tmp_path: Path
) -> None:
    mercy = partner(rep, "Mercy General", "hospital")
    bare = Session(rep.repo, Settings(rep_email="alex@sunrise.example"), lambda: NOW)
    with pytest.raises(MissingDetailsError) as caught:
        invites.create_invite(bare, mercy, "in-service", START)
    message = str(caught.value)
    assert caught.value.missing == ("rep_name", "agency")
    assert 'nurture config set rep_name "…"' in message
    assert str(tmp_path / "config" / "config.toml") in message
    assert "Your Name" not in message and "\n" not in message
    assert rep.repo.touchpoints(mercy) == [], "nothing was logged"


def test_a_missing_name_alone_is_refused(rep: Session) -> None:
    mercy = partner(rep, "Mercy General", "hospital")
    nameless = Session(
        rep.repo, Settings(rep_email="a@sunrise.example", agency="Sunrise"), lambda: NOW
    )
    with pytest.raises(MissingDetailsError, match=r"rep_name \(your name\) is not set"):
        invites.create_invite(nameless, mercy, "check-in", START)


def test_the_old_placeholders_count_as_missing(rep: Session) -> None:
    mercy = partner(rep, "Mercy General", "hospital")
    old = Settings(rep_name="Your Name", rep_email="a@sunrise.example", agency="Your Agency")
    with pytest.raises(MissingDetailsError):
        invites.create_invite(Session(rep.repo, old, lambda: NOW), mercy, "check-in", START)


def test_the_rep_signs_and_organises(rep: Session) -> None:
    mercy = partner(rep, "Mercy General", "hospital")
    shown = event(invites.create_invite(rep, mercy, "in-service", START))
    assert shown["summary"] == "In-service: Mercy General teaches the Sunrise Home Care team"
    assert "— Alex Rivera, Sunrise Home Care" in shown["description"]
    assert shown["organizer"] == "mailto:alex@sunrise.example"
    for text in shown.values():
        assert "Your Name" not in text and "Your Agency" not in text


# --- the text fits the partner ---------------------------------------------------------------


def test_a_hospital_gets_the_hospital_text_and_a_hospice_the_hospice_text(rep: Session) -> None:
    hospital = event(
        invites.create_invite(rep, partner(rep, "Mercy General", "hospital"), "in-service", START)
    )
    hospice = event(
        invites.create_invite(rep, partner(rep, "Hope Hospice", "hospice"), "in-service", START)
    )
    assert "hospice" not in hospital["description"].lower()
    assert "discharge planning" in hospital["description"]
    assert "transition home" in hospital["description"]
    assert "when hospice is the right referral" in hospice["description"]


@pytest.mark.parametrize(
    ("kind", "group", "words"),
    [
        ("hospice", PartnerGroup.HOSPICE, "when hospice is the right referral"),
        ("hospital", PartnerGroup.HOSPITAL, "discharge planning"),
        ("skilled-nursing", PartnerGroup.HOSPITAL, "discharge planning"),
        ("physician-practice", PartnerGroup.PHYSICIAN, "complement the medical care"),
        ("waiver-case-manager", PartnerGroup.CASE_MANAGEMENT, "waiver care plans"),
        ("case-management", PartnerGroup.CASE_MANAGEMENT, "waiver care plans"),
        ("area-agency-on-aging", PartnerGroup.COMMUNITY, "older adults and people with"),
        ("center-for-independent-living", PartnerGroup.COMMUNITY, "resources you offer"),
        ("community-org", PartnerGroup.COMMUNITY, "resources you offer"),
        ("other", PartnerGroup.GENERAL, "when a referral to you is the right one"),
    ],
)
def test_each_partner_kind_gets_its_groups_in_service(
    rep: Session, kind: str, group: PartnerGroup, words: str
) -> None:
    assert partner_group(kind) is group
    shown = event(invites.create_invite(rep, partner(rep, "A Partner", kind), "in-service", START))
    assert words in " ".join(shown["description"].split())
    if group is not PartnerGroup.HOSPICE:
        assert "hospice" not in shown["description"].lower()


def test_care_coordination_with_a_physician_speaks_of_medical_care(rep: Session) -> None:
    clinic = partner(rep, "Lakeside Family Medicine", "physician-practice")
    shown = event(invites.create_invite(rep, clinic, "care-coordination", START))
    assert "complement the medical care you provide" in shown["description"]
    assert "within HIPAA guidelines" in shown["description"]


# --- the video link, and only with one -------------------------------------------------------


def test_no_link_no_platform_anywhere(rep: Session) -> None:
    mercy = partner(rep, "Mercy General", "hospital")
    invite = invites.create_invite(rep, mercy, "in-service", START, video_url="")
    shown = event(invite)
    for text in (shown["summary"], shown["description"]):
        assert "zoom" not in text.lower() and "video" not in text.lower()
    assert invite.video_url == ""


@pytest.mark.parametrize(
    ("link", "platform"),
    [
        ("https://us02web.zoom.us/j/5550001", "Zoom"),
        ("https://teams.microsoft.com/l/meetup-join/19%3a", "Microsoft Teams"),
        ("https://meet.google.com/abc-defg-hij", "Google Meet"),
        ("https://video.example.org/room/7", ""),
    ],
)
def test_a_link_names_its_service(rep: Session, link: str, platform: str) -> None:
    assert video_platform(link) == platform
    mercy = partner(rep, "Mercy General", "hospital")
    shown = event(invites.create_invite(rep, mercy, "in-service", START, video_url=link))
    description = " ".join(shown["description"].split())
    said = f"We will meet on {platform}." if platform else "We will meet by video call."
    assert said in description and link in shown["description"].replace("\r\n ", "")
    assert description.index(said) < description.index("— Alex Rivera"), "before the signature"
    assert "Zoom" not in shown["summary"]


def test_lookalike_hosts_are_not_a_platform() -> None:
    assert video_platform("https://zoom.us.evil.example/j/1") == ""
    assert video_platform("https://notzoom.us/j/1") == ""


# --- the rep's own texts ---------------------------------------------------------------------


def test_a_rep_overrides_a_kind_or_one_group() -> None:
    loaded = load_templates(
        '[in-service]\nminutes = 60\n[in-service.hospital]\ntitle = "Lunch and learn: {partner}"\n'
    )
    hospital = loaded.for_partner(InviteKind.IN_SERVICE, "hospital")
    assert hospital.title == "Lunch and learn: {partner}" and hospital.minutes == 60
    hospice = loaded.for_partner(InviteKind.IN_SERVICE, "hospice")
    assert hospice.minutes == 60 and "hospice" in hospice.description


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[in-service.hospitals]\ntitle = 'x'\n", "unknown partner group"),
        ("[zoom-call]\ntitle = 'x'\n", "unknown invite kind"),
        ("[check-in]\nminutes = 0\n", "minutes must be"),
        ("[check-in]\ntitel = 'x'\n", "unknown key 'titel'"),
    ],
)
def test_a_bad_templates_file_says_what_is_wrong(text: str, words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        load_templates(text, "invite_templates.toml")


# --- the command: refusal, and files that are found and never overwritten ---------------------


@pytest.fixture
def nurture(tmp_path: Path) -> Nurture:
    env = {"NURTURE_REP_EMAIL": "alex@sunrise.example"}
    return Nurture(tmp_path / "home", tmp_path / "config", env=env)


def add_mercy(nurture: Nurture) -> str:
    pid = nurture("partner", "add", "Mercy General", "--kind", "hospital").stdout.split()[-1]
    pid = pid.strip("()")
    nurture("contact", "add", "--partner", pid, "Sam Ortiz", "--email", "sam@mercy.example")
    return pid


def invite_args(pid: str, *more: str) -> list[str]:
    return [
        "invite",
        "--partner",
        pid,
        "--kind",
        "in-service",
        "--start",
        "2030-01-15 14:00",
        *more,
    ]


def test_the_cli_refuses_without_details_in_one_line(nurture: Nurture, tmp_path: Path) -> None:
    pid = add_mercy(nurture)
    out = tmp_path / "x.ics"
    result = nurture(*invite_args(pid, "--out", str(out)), ok=False)
    assert result.returncode == 1 and result.stdout == "" and not out.exists()
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith("nurture: error: ")
    assert 'nurture config set rep_name "…"' in line and "agency" in line
    assert str(tmp_path / "config" / "config.toml") in line
    nurture("config", "set", "rep_name", "Alex Rivera")
    nurture("config", "set", "agency", "Sunrise Home Care")
    nurture(*invite_args(pid, "--out", str(out)))
    ics = out.read_text()
    assert "SUMMARY:In-service: Mercy General teaches the Sunrise Home Care team" in ics
    assert 'ORGANIZER;CN="Alex Rivera"' in ics or "ORGANIZER;CN=Alex Rivera" in ics


@pytest.fixture
def ready(nurture: Nurture) -> Nurture:
    nurture.env |= {"NURTURE_REP_NAME": "Alex Rivera", "NURTURE_AGENCY": "Sunrise Home Care"}
    return nurture


def test_an_existing_file_is_never_overwritten(ready: Nurture, tmp_path: Path) -> None:
    pid = add_mercy(ready)
    mine = tmp_path / "notes.ics"
    mine.write_text("my own calendar file")
    result = ready(*invite_args(pid, "--out", str(mine)), ok=False)
    assert result.returncode == 1 and "already exists" in result.stderr
    assert "--force" in result.stderr and mine.read_text() == "my own calendar file"
    assert ready.json("invite", "--list") == [], "refused before anything was logged"
    forced = ready(*invite_args(pid, "--out", str(mine), "--force"))
    assert f"wrote {mine}" in forced.stderr and "BEGIN:VCALENDAR" in mine.read_text()


def test_an_update_replaces_its_own_earlier_file_and_says_so(
    ready: Nurture, tmp_path: Path
) -> None:
    pid = add_mercy(ready)
    out = tmp_path / "in-service.ics"
    created = ready.json(*invite_args(pid, "--out", str(out)))
    assert isinstance(created, dict) and created["ics"] == str(out)
    moved = ready(
        "invite", "--update", created["uid"], "--start", "2030-01-16 14:00", "--out", str(out)
    )
    assert "replaced the earlier version of this invite" in moved.stderr
    assert "SEQUENCE:1" in out.read_text()


def test_out_a_folder_picks_a_readable_name_and_a_new_one_when_taken(
    ready: Nurture, tmp_path: Path
) -> None:
    pid = add_mercy(ready)
    folder = tmp_path / "invites"
    folder.mkdir()
    first = ready(*invite_args(pid, "--out", str(folder)))
    expected = folder / "mercy-general-in-service-2030-01-15.ics"
    assert f"wrote {expected}\n" in first.stderr and expected.exists()
    second = ready(*invite_args(pid, "--out", str(folder)))
    again = folder / "mercy-general-in-service-2030-01-15-2.ics"
    assert f"wrote {again}" in second.stderr and "already exists, so this is" in second.stderr
    assert expected.read_bytes() != again.read_bytes()


def test_at_a_terminal_the_ics_lands_in_the_current_folder(ready: Nurture, tmp_path: Path) -> None:
    pid = add_mercy(ready)
    here = tmp_path / "desk"
    here.mkdir()
    primary, secondary = pty.openpty()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "nurture_tui.cli", *invite_args(pid)],
            env=ready.env,
            cwd=here,
            stdout=secondary,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(secondary)
        os.close(primary)
    assert result.returncode == 0, result.stderr
    written = here / "mercy-general-in-service-2030-01-15.ics"
    assert written.exists() and f"wrote {written}" in result.stderr


def test_in_a_pipe_or_with_out_dash_the_ics_goes_to_stdout(ready: Nurture) -> None:
    pid = add_mercy(ready)
    assert ready(*invite_args(pid)).stdout.startswith("BEGIN:VCALENDAR")
    assert ready(*invite_args(pid, "--out", "-")).stdout.startswith("BEGIN:VCALENDAR")


def test_an_unwritable_out_is_one_line(ready: Nurture, tmp_path: Path) -> None:
    pid = add_mercy(ready)
    result = ready(*invite_args(pid, "--out", str(tmp_path / "no" / "such" / "x.ics")), ok=False)
    assert result.returncode == 1 and "cannot write" in result.stderr.strip().splitlines()[-1]
    assert ready.json("invite", "--list") == [], "refused before anything was logged"
