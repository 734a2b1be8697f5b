"""CalDAV against a real Radicale and IMAP against a real pymap, both on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from nurture_caldav.source import CalDavSource
from nurture_imap.source import ImapSource

from nurture_tui.services import invites
from nurture_tui.sync.contract import SourceError
from nurture_tui.sync.runner import run_sync
from servers import imap_server, radicale
from sync_contract import NOW, SyncSourceContract, World
from test_google_sync import make_session

ZONE = ZoneInfo("America/Chicago")
WINDOW = (NOW - timedelta(days=365), NOW + timedelta(days=92))


def vevent(uid: str, attendees: list[str], title: str, start: object) -> str:
    stamp = start.astimezone(ZoneInfo("UTC")).strftime("%Y%m%dT%H%M%SZ")  # type: ignore[attr-defined]
    people = "".join(f"ATTENDEE;PARTSTAT=ACCEPTED:mailto:{a}\r\n" for a in attendees)
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nDTSTAMP:{stamp}\r\nDTSTART:{stamp}\r\nDURATION:PT30M\r\n"
        f"SUMMARY:{title}\r\nORGANIZER:mailto:alex@homecare.example\r\n{people}"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


class CalDavWorld:
    def __init__(self, url: str) -> None:
        import caldav

        self.url = url
        self.client = caldav.DAVClient(url=url, username="alex", password="x")
        self.calendar = self.client.principal().make_calendar(name="Work")
        self.failing = 0

    def source(self) -> CalDavSource:
        url = self.url if not self.failing else "http://127.0.0.1:9/"
        self.failing = max(self.failing - 1, 0)
        return CalDavSource(url, "alex", "x", window=WINDOW, zone=ZONE)

    def add(self, uid: str, people: list[str], title: str, start: object) -> None:
        self.calendar.save_event(vevent(uid, people, title, start))

    def remove(self, uid: str) -> None:
        self.calendar.event_by_uid(uid).delete()


@pytest.fixture
def caldav_world(tmp_path: Path) -> Iterator[CalDavWorld]:
    with radicale(tmp_path / "radicale") as url:
        yield CalDavWorld(url)


class TestCalDavContract(SyncSourceContract):
    @pytest.fixture
    def world(self, caldav_world: CalDavWorld, tmp_path: Path) -> World:
        session, mercy, hope = make_session(tmp_path)
        mail: list[tuple[str, str, str, object]] = []

        class WithMail:
            """CalDAV has no mail: the contract's mail goes through a real IMAP server."""

        def source() -> object:
            calendar = caldav_world.source()
            return _Combined(calendar, mail)

        return World(
            session=session,
            source=source,  # type: ignore[arg-type]
            add_meeting=caldav_world.add,
            remove_meeting=caldav_world.remove,
            send_mail=lambda i, to, subject, when: mail.append((i, to, subject, when)),
            fail_next=lambda status: setattr(caldav_world, "failing", 1),
            mercy_id=mercy,
            hope_id=hope,
        )


class _Combined:
    """CalDAV calendar + a list of sent messages, so the shared contract runs unchanged."""

    name = "caldav"

    def __init__(self, calendar: CalDavSource, mail: list[tuple[str, str, str, object]]) -> None:
        self._calendar = calendar
        self._mail = mail

    def fetch_calendar(self, cursor):  # type: ignore[no-untyped-def]
        return self._calendar.fetch_calendar(cursor)

    def fetch_sent_mail(self, cursor):  # type: ignore[no-untyped-def]
        from nurture_tui.sync.contract import MailPage, SentMessage

        seen = int((cursor or {}).get("n", 0))
        new = [
            SentMessage(f"msg:{i}", when, subject, (to.split("<")[-1].strip(">"),))  # type: ignore[arg-type]
            for i, to, subject, when in self._mail[seen:]
        ]
        return MailPage(new, {"n": len(self._mail)})


def test_caldav_push_update_and_cancel_an_invite(caldav_world: CalDavWorld, tmp_path: Path) -> None:
    session, _, hope = make_session(tmp_path)
    invite = invites.create_invite(session, hope, "in-service", NOW + timedelta(days=7))
    source = caldav_world.source()
    href = source.push_invite(invite)
    stored = caldav_world.calendar.event_by_uid(invite.uid)
    assert "teaches" in str(stored.icalendar_component["summary"])
    with pytest.raises(SourceError, match="cannot create an online meeting"):
        source.push_invite(invite, online_meeting=True)
    cancelled = invites.cancel_invite(session, invite.uid)
    source.cancel_invite(cancelled, href)
    assert (
        str(caldav_world.calendar.event_by_uid(invite.uid).icalendar_component["status"])
        == "CANCELLED"
    )


def test_caldav_sync_is_incremental_with_sync_tokens(
    caldav_world: CalDavWorld, tmp_path: Path
) -> None:
    session, mercy, _ = make_session(tmp_path)
    for index in range(6):
        caldav_world.add(
            f"u{index}", ["sam@mercy.org"], "Check-in", NOW - timedelta(days=index + 1)
        )
    first = run_sync(session, caldav_world.source())
    assert first.created == 6
    caldav_world.add("u9", ["sam@mercy.org"], "Webinar", NOW - timedelta(hours=2))
    second = run_sync(session, caldav_world.source())
    assert second.created == 1 and second.unchanged == 0, "only the new event was read"
    assert len(session.repo.touchpoints(mercy)) == 7


# --- IMAP ------------------------------------------------------------------------------------


@pytest.fixture
def imap_port() -> Iterator[int]:
    with imap_server() as port:
        yield port


def append(port: int, message_id: str, to: str, subject: str, when: object) -> None:
    from imapclient import IMAPClient

    client = IMAPClient("127.0.0.1", port=port, ssl=False)
    client.login("alex", "secret")
    if not client.folder_exists("Sent"):
        client.create_folder("Sent")
    date = when.strftime("%a, %d %b %Y %H:%M:%S +0000")  # type: ignore[attr-defined]
    client.append(
        "Sent",
        (
            f"From: Alex <alex@homecare.example>\r\nTo: {to}\r\nSubject: {subject}\r\n"
            f"Date: {date}\r\nMessage-ID: <{message_id}@homecare.example>\r\n\r\nbody text"
        ).encode(),
        flags=[b"\\Seen"],
    )
    client.logout()


def imap(port: int, password: str = "secret") -> ImapSource:
    return ImapSource("127.0.0.1", port, "alex", password, since=WINDOW[0])


def test_imap_sent_mail_full_then_incremental(imap_port: int, tmp_path: Path) -> None:
    session, mercy, hope = make_session(tmp_path)
    for index in range(3):
        append(
            imap_port,
            f"m{index}",
            "Sam Ortiz <sam@mercy.org>",
            f"Update {index}",
            NOW - timedelta(days=index + 1),
        )
    report = run_sync(session, imap(imap_port))
    assert report.status == "ok" and report.created == 3
    append(imap_port, "m9", "nora@hopehospice.org", "Newsletter", NOW)
    again = run_sync(session, imap(imap_port))
    assert again.created == 1 and again.unchanged == 0
    assert [t.kind.value for t in session.repo.touchpoints(hope)] == ["email"]
    assert "body text" not in " ".join(t.purpose + t.note for t in session.repo.touchpoints(mercy))


def test_imap_changed_uidvalidity_resyncs_without_duplicates(tmp_path: Path) -> None:
    session, mercy, _ = make_session(tmp_path)
    with imap_server() as port:
        append(port, "m1", "sam@mercy.org", "Hello", NOW - timedelta(days=1))
        run_sync(session, imap(port))
    with imap_server() as port:  # a new server: a new UIDVALIDITY, the same messages
        append(port, "m1", "sam@mercy.org", "Hello", NOW - timedelta(days=1))
        append(port, "m2", "sam@mercy.org", "Again", NOW)
        report = run_sync(session, imap(port))
    assert report.status == "ok" and report.created == 1
    assert len(session.repo.touchpoints(mercy)) == 2


def test_imap_wrong_password_names_the_source(imap_port: int, tmp_path: Path) -> None:
    session, _, _ = make_session(tmp_path)
    report = run_sync(session, imap(imap_port, password="wrong"))
    assert report.status == "SignInRequired" and "IMAP" in report.message
    assert "nurture auth imap" in report.message


def test_imap_server_down_is_offline_and_keeps_the_cursor(tmp_path: Path) -> None:
    from servers import free_port

    session, _, _ = make_session(tmp_path)
    revision = session.repo.revision
    report = run_sync(session, imap(free_port()))
    assert report.status == "SourceOffline" and "will retry" in report.message
    assert session.repo.revision == revision
