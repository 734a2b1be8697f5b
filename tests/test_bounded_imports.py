"""Every import is bounded and correct: file size and kind, recurrence expansion (count and
time), our own invites, the unmatched-people queue, and spreadsheets as Excel saves them."""

from __future__ import annotations

import json
import os
import resource
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import dateutil.rrule
import pytest

from builders import alex_settings
from cli_runner import Nurture
from nurture_tui.domain.errors import ValidationError
from nurture_tui.invites import ics_reader
from nurture_tui.invites.ics_reader import parse_ics
from nurture_tui.services import invites, records
from nurture_tui.services import sync as sync_service
from nurture_tui.services.bounded_files import MAX_IMPORT_BYTES, read_bounded
from nurture_tui.services.csv_import import import_csv
from nurture_tui.services.ics_import import import_ics
from nurture_tui.services.session import Session
from nurture_tui.store.opening import open_store

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
WINDOW = (NOW - timedelta(days=365), NOW + timedelta(days=92))
CHICAGO = ZoneInfo("America/Chicago")
#: The CLI subprocesses get this much address space: reading /dev/zero whole (what an
#: unbounded read does) fails fast instead of eating the machine's memory.
CHILD_MEMORY = 768 * 1024 * 1024


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY, CHILD_MEMORY))


@pytest.fixture
def nurture(tmp_path: Path) -> Nurture:
    rep_env = {
        "NURTURE_REP_EMAIL": "alex@homecare.example",
        "NURTURE_REP_NAME": "Alex",
        "NURTURE_AGENCY": "Sunrise Home Care",
    }
    return Nurture(tmp_path / "home", tmp_path / "config", env=rep_env, preexec=_cap_memory)


@pytest.fixture
def rep(tmp_path: Path) -> Session:
    settings = alex_settings()
    session = Session(open_store(tmp_path / "store"), settings, lambda: NOW)
    mercy = records.add_partner(session, "Mercy General", "hospital", domains=["mercy.org"])
    records.add_contact(session, mercy.id, "Sam Ortiz", emails=["sam@mercy.org"])
    return session


def calendar(*events: str) -> bytes:
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n" + "".join(events)).encode() + (
        b"END:VCALENDAR\r\n"
    )


def event(uid: str, rule: str = "", start: str = "20260105T150000Z", *people: str) -> str:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTART:{start}",
        f"DTEND:{start[:-5]}3000Z",
        "SUMMARY:Visit",
        "ATTENDEE:mailto:sam@mercy.org",
        *(f"ATTENDEE:mailto:{p}" for p in people),
        *([f"RRULE:{rule}"] if rule else []),
        "END:VEVENT",
    ]
    return "\r\n".join(lines) + "\r\n"


def parse(data: bytes, budget: float | None = None) -> list[ics_reader.CalendarEvent]:
    return parse_ics(data, "t.ics", window=WINDOW, local_zone=CHICAGO, budget=budget).events


def mercy_touches(session: Session) -> int:
    mercy = next(p.id for p in session.repo.partners() if p.name == "Mercy General")
    return len(session.repo.touchpoints(mercy))


# --- 1. files: size and kind -------------------------------------------------------------


def test_a_file_over_20_mb_is_refused_from_its_size(rep: Session, tmp_path: Path) -> None:
    path = tmp_path / "huge.ics"
    with open(path, "wb") as handle:  # sparse: no disk, no memory
        handle.truncate(MAX_IMPORT_BYTES + 1)
    with pytest.raises(ValidationError, match=r"huge\.ics is larger than 20 MB"):
        import_ics(rep, path)


def test_read_bounded_reads_at_most_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(b"x" * 10)
    assert read_bounded(path, limit=10) == b"x" * 10
    with pytest.raises(ValidationError, match="larger than"):
        read_bounded(path, limit=9)


def test_a_fifo_is_refused_without_blocking(rep: Session, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.ics"
    os.mkfifo(fifo)
    with pytest.raises(ValidationError, match=r"pipe\.ics is not an ordinary file"):
        read_bounded(fifo)


def test_a_link_to_dev_zero_is_refused_in_one_line(nurture: Nurture, tmp_path: Path) -> None:
    zero = tmp_path / "zero.ics"
    zero.symlink_to("/dev/zero")
    result = nurture("import", "ics", str(zero), ok=False)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "zero.ics is not an ordinary file" in result.stderr


def test_in_a_folder_a_link_to_dev_zero_is_reported_and_the_rest_imports(
    nurture: Nurture, tmp_path: Path
) -> None:
    pid = nurture("partner", "add", "Mercy", "--kind", "hospital", "--domain", "mercy.org")
    assert pid.stdout.strip()
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "zero.ics").symlink_to("/dev/zero")
    (folder / "good.ics").write_bytes(calendar(event("good@x")))
    result = nurture("import", "ics", str(folder), "--json")
    report = json.loads(result.stdout)
    assert report["files"] == 1 and report["created"] == 1
    assert len(report["errors"]) == 1 and "zero.ics is not an ordinary file" in report["errors"][0]


def test_a_csv_link_to_dev_zero_is_refused(nurture: Nurture, tmp_path: Path) -> None:
    zero = tmp_path / "zero.csv"
    zero.symlink_to("/dev/zero")
    result = nurture("import", "csv", str(zero), ok=False)
    assert result.returncode == 1 and "zero.csv is not an ordinary file" in result.stderr


def test_a_csv_over_20_mb_is_refused(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with open(path, "wb") as handle:
        handle.truncate(MAX_IMPORT_BYTES + 1)
    with pytest.raises(ValidationError, match=r"huge\.csv is larger than 20 MB"):
        import_csv(session, path)


# --- 2. recurrence expansion ---------------------------------------------------------------


def test_a_rule_that_never_matches_yields_nothing_within_a_small_budget() -> None:
    never = [event(f"never-{i}@x", "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30") for i in range(5)]
    assert parse(calendar(*never), budget=2.0) == []  # dateutil alone: ~4 s per event


def test_the_rule_walk_stops_the_year_after_the_window() -> None:
    """White box: the private dateutil copy ends its calendar at ``last_year``."""
    leap_days = ics_reader._rrulestr(
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", datetime(2029, 1, 1, tzinfo=UTC), 2030
    )
    assert list(leap_days) == []  # the real dateutil would go on to 2032-02-29 and beyond
    assert vars(dateutil.rrule)["datetime"].MAXYEAR == 9999  # the real module is untouched


def test_a_daily_rule_from_1900_still_reaches_the_window() -> None:
    events = parse(calendar(event("old@x", "FREQ=DAILY", "19000101T150000Z")))
    assert 450 <= len(events) <= 460 and all(WINDOW[0] <= e.start <= WINDOW[1] for e in events)


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=HOURLY",
        "FREQ=DAILY;BYHOUR=" + ",".join(str(h) for h in range(24)),
        "FREQ=DAILY;BYHOUR=9;BYMINUTE=" + ",".join(str(m) for m in range(60)),
        "FREQ=WEEKLY;BYSECOND=0,30",
    ],
)
def test_sub_daily_repetition_is_refused_however_spelled(rule: str) -> None:
    with pytest.raises(ValidationError, match=r"event spam@x repeats more often than daily"):
        parse(calendar(event("spam@x", rule)))


def test_one_event_over_its_occurrence_cap_refuses_the_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ics_reader, "MAX_INSTANCES", 10)
    with pytest.raises(ValidationError, match=r"t\.ics: event daily@x repeats more than 10"):
        parse(calendar(event("daily@x", "FREQ=DAILY")))


def test_a_file_over_its_total_occurrence_cap_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ics_reader, "MAX_FILE_INSTANCES", 600)
    weekly = [event(f"w{i}@x", "FREQ=WEEKLY") for i in range(20)]  # ~65 each
    with pytest.raises(ValidationError, match=r"repeat more than 600 times"):
        parse(calendar(*weekly))


def test_expansion_has_a_time_budget() -> None:
    with pytest.raises(ValidationError, match=r"t\.ics: expanding .* took more than"):
        parse(calendar(event("daily@x", "FREQ=DAILY")), budget=0.0)


# --- 4. our own invite, imported back --------------------------------------------------------


def test_our_own_invite_imported_back_is_known_not_logged_twice(
    rep: Session, tmp_path: Path
) -> None:
    mercy = next(p.id for p in rep.repo.partners())
    start = datetime(2026, 12, 3, 14, 0, tzinfo=CHICAGO)
    invite = invites.create_invite(rep, mercy, "check-in", start, video_url="")
    path = tmp_path / "invite.ics"
    path.write_bytes(invites.invite_ics(invite))
    report = import_ics(rep, path)
    assert report.known_invites == 1 and report.created == 0
    assert report.as_json()["known_invites"] == 1
    assert mercy_touches(rep) == 1  # the invite's planned touch only


def test_an_invite_written_by_the_cli_imports_back_as_known(
    nurture: Nurture, tmp_path: Path
) -> None:
    added = nurture(
        "partner", "add", "Mercy", "--kind", "hospital", "--domain", "mercy.org", "--json"
    )
    pid = json.loads(added.stdout)["id"]
    nurture("contact", "add", "--partner", pid, "Sam Ortiz", "--email", "sam@mercy.org")
    out = tmp_path / "x.ics"
    nurture(
        "invite",
        "--partner",
        pid,
        "--kind",
        "check-in",
        "--start",
        "2030-02-15 14:00",
        "--out",
        str(out),
    )
    report = nurture.json("import", "ics", str(out))
    assert isinstance(report, dict) and report["created"] == 0 and report["known_invites"] == 1


# --- 5. unmatched people reach the triage queue ------------------------------------------------


def test_unmatched_people_from_an_import_are_queued_for_triage(
    rep: Session, tmp_path: Path
) -> None:
    path = tmp_path / "met.ics"
    path.write_bytes(calendar(event("met@x", "", "20261105T150000Z", "nora@newclinic.org")))
    report = import_ics(rep, path)
    assert report.unmatched == 1
    [person] = sync_service.unmatched_people(rep)
    assert person.email == "nora@newclinic.org" and person.source == "ics" and person.count == 1
    revision = rep.repo.revision
    again = import_ics(rep, path)
    assert again.unmatched == 1 and rep.repo.revision == revision  # re-import changes nothing
    sync_service.ignore_person(rep, "nora@newclinic.org")
    assert import_ics(rep, path).unmatched == 0  # the report never claims the ignored


def test_the_cli_people_list_agrees_with_import(nurture: Nurture, tmp_path: Path) -> None:
    nurture("partner", "add", "Mercy", "--kind", "hospital", "--domain", "mercy.org")
    path = tmp_path / "met.ics"
    path.write_bytes(calendar(event("met@x", "", "20261105T150000Z", "nora@newclinic.org")))
    report = nurture.json("import", "ics", str(path))
    assert isinstance(report, dict) and report["unmatched_people"] == 1
    people = nurture("people").stdout
    assert "nora@newclinic.org" in people and "nobody to triage" not in people


# --- 6-10. CSV -------------------------------------------------------------------------------


HEADER = "Organization,Type,Contact Name,Email,Phone"


def write_csv(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "partners.csv"
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("cp1252", b""), ("latin-1", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-8", b"")],
)
def test_csv_encodings_excel_writes_are_read(
    session: Session, tmp_path: Path, encoding: str, prefix: bytes
) -> None:
    text = f"{HEADER}\r\nCafé Señor Clinic,clinic,José Núñez,jose@cafe.org,\r\n"
    import_csv(session, write_csv(tmp_path, prefix + text.encode(encoding)))
    [partner] = session.repo.partners()
    assert partner.name == "Café Señor Clinic"
    assert [c.name for c in session.repo.contacts(partner.id)] == ["José Núñez"]


def test_cp1252_only_characters_are_read(session: Session, tmp_path: Path) -> None:
    text = "Organization,Contact Name\r\nSmith’s Clinic,Zoë – Lead\r\n"
    import_csv(session, write_csv(tmp_path, text.encode("cp1252")))
    assert [p.name for p in session.repo.partners()] == ["Smith’s Clinic"]


@pytest.mark.parametrize("delimiter", [";", "\t", ","])
def test_csv_delimiter_is_sniffed(session: Session, tmp_path: Path, delimiter: str) -> None:
    rows = [
        ["Organization", "Type", "Contact Name", "Email"],
        ["Mercy General", "hospital", "Sam Ortiz", "sam@mercy.org"],
        ['"Hope, Hospice"', "hospice", "Nora Baker", "nora@hope.org"],
    ]
    text = "\r\n".join(delimiter.join(row) for row in rows) + "\r\n"
    report = import_csv(session, write_csv(tmp_path, text.encode()))
    assert report.partners_added == 2 and report.contacts_added == 2
    assert sorted(p.name for p in session.repo.partners()) == ["Hope, Hospice", "Mercy General"]


@pytest.mark.parametrize(
    ("header", "named"),
    [
        ("Organization,Email,email", "'Email' and 'email'"),
        ("Organization,Email,Email Address", "'Email' and 'Email Address' both mean emails"),
    ],
)
def test_duplicate_columns_are_an_error_naming_them(
    session: Session, tmp_path: Path, header: str, named: str
) -> None:
    data = f"{header}\nMercy,a@mercy.org,b@mercy.org\n".encode()
    with pytest.raises(ValidationError, match=named):
        import_csv(session, write_csv(tmp_path, data))
    assert session.repo.partners() == []


def test_blank_trailing_headers_are_not_duplicates(session: Session, tmp_path: Path) -> None:
    import_csv(session, write_csv(tmp_path, b"Organization,,\nMercy,,\n"))
    assert [p.name for p in session.repo.partners()] == ["Mercy"]


def test_a_line_break_inside_a_name_is_refused_with_its_line(
    session: Session, tmp_path: Path
) -> None:
    data = f'{HEADER}\nMercy,hospital,Sam,sam@mercy.org,\nHope,hospice,"Nora\nBaker",,\n'
    with pytest.raises(ValidationError, match=r"partners\.csv line 3: the contact cell holds"):
        import_csv(session, write_csv(tmp_path, data.encode()))
    assert session.repo.partners() == []


def test_lines_are_counted_across_a_multi_line_cell(session: Session, tmp_path: Path) -> None:
    data = (
        "Organization,Notes,Email\n"
        'Mercy,"two\nlines of notes (not imported)",sam@mercy.org\n'
        "Hope,,not-an-email\n"
    )
    with pytest.raises(ValidationError, match=r"partners\.csv line 4: .*not an email"):
        import_csv(session, write_csv(tmp_path, data.encode()))


@pytest.mark.parametrize(
    ("cells", "refused"),
    [
        ("Mercy,hospital,Sam,sam@mercy.org,=cmd|' /C calc'!A0", "phone"),
        ("Mercy,hospital,Sam,+x@mercy.org,", "emails"),
        ("Mercy,hospital,Sam,sam@mercy.org;-x@mercy.org,", "emails"),
        ("Mercy,=1+1,Sam,sam@mercy.org,", "kind"),
    ],
)
def test_formula_cells_in_checked_fields_are_refused_with_the_line(
    session: Session, tmp_path: Path, cells: str, refused: str
) -> None:
    with pytest.raises(ValidationError, match=rf"line 2: the {refused} .* formula"):
        import_csv(session, write_csv(tmp_path, f"{HEADER}\n{cells}\n".encode()))
    assert session.repo.partners() == []


def test_formula_characters_are_stripped_from_names(session: Session, tmp_path: Path) -> None:
    data = (
        "Organization,Contact Name,Title,Phone,Website,Tags\n"
        '"=HYPERLINK(""http://x.example"")",@Sam Ortiz,-Planner,+1 (555) 010-2000,'
        "@mercy.org,ok;=evil\n"
    )
    import_csv(session, write_csv(tmp_path, data.encode()))
    [partner] = session.repo.partners()
    assert partner.name == 'HYPERLINK("http://x.example")'
    assert partner.domains == ("mercy.org",) and partner.tags == ("ok", "evil")
    [contact] = session.repo.contacts(partner.id)
    assert (contact.name, contact.role, contact.phone) == (
        "Sam Ortiz",
        "Planner",
        "+1 (555) 010-2000",
    )


STREAMED = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nX-WR-TIMEZONE:America/Chicago\r\n"
    b"BEGIN:VTIMEZONE\r\nTZID:America/Chicago\r\nBEGIN:STANDARD\r\nDTSTART:19701101T020000\r\n"
    b"RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0600\r\n"
    b"END:STANDARD\r\nBEGIN:DAYLIGHT\r\nDTSTART:19700308T020000\r\n"
    b"RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r\nTZOFFSETFROM:-0600\r\nTZOFFSETTO:-0500\r\n"
    b"END:DAYLIGHT\r\nEND:VTIMEZONE\r\n"
    b"BEGIN:VEVENT\r\nUID:weekly@x\r\nDTSTAMP:20261101T000000Z\r\n"
    b"DTSTART;TZID=America/Chicago:20261102T100000\r\nDURATION:PT30M\r\n"
    b"RRULE:FREQ=WEEKLY;COUNT=4\r\nSUMMARY:Weekly check-in\r\nEND:VEVENT\r\n"
    b"BEGIN:VTODO\r\nUID:todo@x\r\nSUMMARY:not an event\r\nEND:VTODO\r\n"
    b"BEGIN:VEVENT\r\nUID:long-uid-that-is-\r\n folded@x\r\nDTSTAMP:20261101T000000Z\r\n"
    b"DTSTART:20261105T150000Z\r\nDTEND:20261105T160000Z\r\nSUMMARY:Lunch\r\n"
    b"BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15M\r\nEND:VALARM\r\nEND:VEVENT\r\n"
    b"BEGIN:VEVENT\r\nUID:weekly@x\r\nDTSTAMP:20261101T000000Z\r\n"
    b"RECURRENCE-ID;TZID=America/Chicago:20261109T100000\r\n"
    b"DTSTART;TZID=America/Chicago:20261109T130000\r\nDURATION:PT30M\r\n"
    b"SUMMARY:Moved check-in\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


def test_a_file_parsed_one_uid_at_a_time_reads_the_same_as_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Streaming by UID (master + its overrides together, VTIMEZONEs in every part, other
    components skipped, a folded UID) decides exactly what parsing the whole file does."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from nurture_tui.invites import ics_reader

    window = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    zone = ZoneInfo("America/Chicago")
    assert len(ics_reader._split_by_uid(STREAMED)) == 3  # the header + two UIDs
    streamed = ics_reader.parse_ics(STREAMED, "s.ics", window=window, local_zone=zone)
    monkeypatch.setattr(ics_reader, "_split_by_uid", lambda _data: [])
    whole = ics_reader.parse_ics(STREAMED, "s.ics", window=window, local_zone=zone)
    assert streamed == whole
    assert [e.summary for e in streamed.events] == [
        "Weekly check-in",
        "Lunch",
        "Moved check-in",
        "Weekly check-in",
        "Weekly check-in",
    ]
