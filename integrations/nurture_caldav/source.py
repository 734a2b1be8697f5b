"""CalDAV through the ``caldav`` client: discover the rep's calendars, read events
incrementally (RFC 6578 sync-collection where the server has it, etags otherwise), and
push invites (save, update, cancel) — the CalendarWriter port.

Events are parsed by Nurture's own .ics reader, so recurrences, zones and cancellations
behave exactly as in ``nurture import ics``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from nurture_tui.invites.ics_reader import IcsError, parse_ics
from nurture_tui.invites.ics_writer import invite_to_ics
from nurture_tui.invites.model import Invite
from nurture_tui.sync.contract import (
    CalendarPage,
    MailPage,
    SignInRequired,
    SourceError,
    SourceOffline,
)
from nurture_tui.sync.meetings import Meeting

NAME = "caldav"


class CalDavSource:
    name = NAME

    def __init__(
        self,
        url: str,
        user: str,
        password: str,
        *,
        window: tuple[datetime, datetime],
        zone: Any,
    ) -> None:
        self._url, self._user, self._password = url, user, password
        self._window = window
        self._zone = zone
        self._client: Any = None
        self.meeting_url = ""  # CalDAV servers create no online meetings

    # ------------------------------------------------------------------ plumbing
    def _calendars(self) -> list[Any]:
        import caldav
        from caldav.lib import error

        try:
            if self._client is None:
                self._client = caldav.DAVClient(  # type: ignore[operator]
                    url=self._url, username=self._user, password=self._password
                )
            return list(self._client.principal().calendars())
        except error.AuthorizationError:
            raise SignInRequired(
                f"CalDAV refused user {self._user!r}: check the password "
                "(an app-specific one for iCloud or Fastmail) with `nurture auth caldav`"
            ) from None
        except error.DAVError as exc:
            raise SourceError(f"CalDAV answered with an error: {exc}") from None
        except (ConnectionError, OSError) as exc:
            raise SourceOffline(
                f"CalDAV server cannot be reached ({exc}); offline, will retry"
            ) from None

    def _guard(self, call: Callable[[], Any]) -> Any:
        """Run a server call; network trouble becomes SourceOffline, nothing half-done."""
        from caldav.lib import error

        try:
            return call()
        except error.AuthorizationError:
            raise SignInRequired("CalDAV refused the password: run `nurture auth caldav`") from None
        except error.DAVError as exc:
            raise SourceError(f"CalDAV answered with an error: {exc}") from None
        except (ConnectionError, OSError) as exc:
            raise SourceOffline(
                f"CalDAV server cannot be reached ({exc}); offline, will retry"
            ) from None

    # ------------------------------------------------------------------ calendar
    def fetch_calendar(self, cursor: dict[str, Any] | None) -> CalendarPage:
        """Per calendar: changed objects since the sync token, else compare etags."""
        state: dict[str, Any] = dict((cursor or {}).get("calendars", {}))
        meetings: list[Meeting] = []
        removed: list[str] = []
        new_state: dict[str, Any] = {}
        full = not state
        for calendar in self._calendars():
            url = str(calendar.url)
            previous = state.get(url) or {}
            page = self._sync_one(calendar, previous)
            if page is None:  # no usable token: a full listing of this calendar
                full = True
                page = self._list_one(calendar, previous)
            objects, gone_hrefs, token, etags, keys = page
            for href in gone_hrefs:
                removed.extend(previous.get("keys", {}).get(href, []))
            for href, data in objects:
                found = self._meetings(url, href, data)
                keys[href] = [m.external_id for m in found]
                meetings.extend(found)
                old = set(previous.get("keys", {}).get(href, []))
                removed.extend(old - set(keys[href]))
            new_state[url] = {"token": token, "etags": etags, "keys": keys}
        return CalendarPage(meetings, removed, {"calendars": new_state}, full=full)

    def _sync_one(self, calendar: Any, previous: dict[str, Any]) -> Any:
        token = previous.get("token")
        if not token:
            return None
        from caldav.lib import error

        try:
            changes = self._guard(
                lambda: calendar.objects_by_sync_token(
                    sync_token=token, load_objects=True, disable_fallback=True
                )
            )
        except SourceError:
            return None  # an expired or unsupported token: list in full instead
        except error.DAVError:
            return None
        keys = dict(previous.get("keys", {}))
        etags = dict(previous.get("etags", {}))
        objects, gone = [], []
        deleted = {str(url) for url in getattr(changes, "deleted_urls", ())}
        for item in changes:
            href = str(item.url)
            if href in deleted or item.data is None:
                gone.append(href)
                keys.pop(href, None)
                etags.pop(href, None)
            else:
                objects.append((href, item.data))
                etags[href] = _etag(item)
        return objects, gone, changes.sync_token, etags, keys

    def _list_one(self, calendar: Any, previous: dict[str, Any]) -> Any:
        """The etag comparison for servers without sync-collection (and the first run)."""
        collection = self._guard(lambda: calendar.objects_by_sync_token(load_objects=False))
        items = list(collection)
        etags = {str(item.url): _etag(item) for item in items}
        old_etags = previous.get("etags", {})
        changed = [
            item
            for item in items
            if not etags[str(item.url)] or etags[str(item.url)] != old_etags.get(str(item.url))
        ]
        objects = []
        for item in changed:
            self._guard(item.load)
            objects.append((str(item.url), item.data))
        gone = [href for href in previous.get("keys", {}) if href not in etags]
        keys = {href: k for href, k in previous.get("keys", {}).items() if href in etags}
        return objects, gone, collection.sync_token, etags, keys

    def _meetings(self, calendar_url: str, href: str, data: str) -> list[Meeting]:
        try:
            parsed = parse_ics(data.encode(), href, window=self._window, local_zone=self._zone)
        except IcsError:
            return []  # one broken event on the server must not stop the sync
        return [
            Meeting(
                external_id=f"cal:{calendar_url}:{event.key}",
                start=event.start,
                title=event.summary,
                organizer=event.organizer,
                attendees=tuple((a.email, a.partstat) for a in event.attendees),
                cancelled=event.cancelled,
                # Each rep's calendar (its own URL) holds a copy under the same UID; an
                # instance of a recurring one is told apart by RECURRENCE-ID (an
                # override's) or the start the rule gave it: both read as ``instance``.
                uid=event.uid,
                original_start=datetime.fromisoformat(event.instance) if event.instance else None,
            )
            for event in parsed.events
        ]

    def fetch_sent_mail(self, cursor: dict[str, Any] | None) -> MailPage:
        return MailPage([], dict(cursor or {}))  # CalDAV carries no mail

    # ------------------------------------------------------------------- writer
    def _writable(self) -> Any:
        calendars = self._calendars()
        if not calendars:
            raise SourceError("the CalDAV account has no calendar to write the invite to")
        return calendars[0]

    def push_invite(self, invite: Invite, *, online_meeting: bool = False) -> str:
        if online_meeting:
            raise SourceError(
                "CalDAV cannot create an online meeting: use --zoom-url or "
                "--zoom-meeting for the link"
            )
        ics = _event_only(invite_to_ics(invite))
        calendar = self._writable()
        saved = self._guard(lambda: calendar.save_event(ics))
        return str(saved.url)

    def update_invite(self, invite: Invite, event_id: str) -> None:
        self.push_invite(invite)  # same UID: the server replaces the event

    def cancel_invite(self, invite: Invite, event_id: str | None = None) -> None:
        self.push_invite(invite)  # STATUS:CANCELLED with a higher SEQUENCE


def _event_only(ics: bytes) -> str:
    """A stored calendar object carries no iTIP METHOD (RFC 4791 section 4.1)."""
    text = ics.decode()
    return "\r\n".join(line for line in text.split("\r\n") if not line.startswith("METHOD:"))


def _etag(item: Any) -> str:
    from caldav.elements import dav

    props = getattr(item, "props", {}) or {}
    return str(props.get(dav.GetEtag.tag, "") or "")
