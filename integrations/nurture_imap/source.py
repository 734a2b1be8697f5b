"""IMAP sent mail with IMAPClient: find the Sent folder by its RFC 6154 ``\\Sent`` flag (or
the configured or usual name), fetch header fields only, and go incrementally by
UIDVALIDITY + last UID. A changed UIDVALIDITY re-reads the folder; Message-IDs keep that
from doubling anything. TLS is required except on the loopback interface.
"""

from __future__ import annotations

import contextlib
import email.parser
import email.policy
import ipaddress
from datetime import UTC, datetime
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

from nurture_tui.sync.contract import (
    CalendarPage,
    MailPage,
    SentMessage,
    SignInRequired,
    SourceError,
    SourceOffline,
)

NAME = "imap"
HEADERS = b"BODY.PEEK[HEADER.FIELDS (FROM TO CC DATE SUBJECT MESSAGE-ID)]"
#: Servers may list the fields in another order in the reply, so match on the prefix.
FETCHED = b"BODY[HEADER.FIELDS"
USUAL_NAMES = (
    "Sent",
    "Sent Items",
    "Sent Messages",
    "Sent Mail",
    "[Gmail]/Sent Mail",
    "INBOX.Sent",
    "INBOX/Sent",
)
CHUNK = 500


class ImapSource:
    name = NAME

    def __init__(
        self,
        host: str,
        port: int,
        user: str,
        password: str,
        *,
        since: datetime,
        folder: str = "",
    ) -> None:
        self._host, self._port, self._user, self._password = host, port, user, password
        self._since = since
        self._folder = folder

    def fetch_calendar(self, cursor: dict[str, Any] | None) -> CalendarPage:
        return CalendarPage([], (), dict(cursor or {}))  # IMAP carries no calendar

    def _connect(self) -> Any:
        from imapclient import IMAPClient
        from imapclient.exceptions import LoginError

        loopback = _is_loopback(self._host)
        try:
            client = IMAPClient(
                self._host, port=self._port, ssl=not loopback and self._port == 993, timeout=30
            )
            if not loopback and self._port != 993:
                client.starttls()  # plain port: upgrade, or refuse
            client.login(self._user, self._password)
        except LoginError:
            raise SignInRequired(
                f"IMAP refused the password for {self._user!r} on "
                f"{self._host}: run `nurture auth imap`"
            ) from None
        except (TimeoutError, OSError) as exc:
            raise SourceOffline(
                f"IMAP server {self._host} cannot be reached ({exc}); offline, will retry"
            ) from None
        return client

    def _sent_folder(self, client: Any) -> str:
        folders = client.list_folders()
        if self._folder:
            return self._folder
        for flags, _, name in folders:
            if b"\\Sent" in flags:
                return str(name)
        names = {str(name) for _, _, name in folders}
        for usual in USUAL_NAMES:
            if usual in names:
                return usual
        raise SourceError("no Sent folder found: set imap_sent_folder in config.toml")

    def fetch_sent_mail(self, cursor: dict[str, Any] | None) -> MailPage:
        from imapclient.exceptions import IMAPClientError

        client = self._connect()
        try:
            folder = self._sent_folder(client)
            selected = client.select_folder(folder, readonly=True)
            validity = int(selected[b"UIDVALIDITY"])
            last = int((cursor or {}).get("last_uid", 0))
            full = not cursor or int(cursor.get("uidvalidity", -1)) != validity
            if full:
                last = 0
            uids = [u for u in client.search(["UID", f"{last + 1}:*"]) if u > last]
            messages = []
            for start in range(0, len(uids), CHUNK):
                chunk = uids[start : start + CHUNK]
                for uid, data in client.fetch(chunk, [HEADERS]).items():
                    raw = next((v for k, v in data.items() if k.startswith(FETCHED)), b"")
                    message = _parse(uid, raw)
                    if message is not None and message.sent_at >= self._since:
                        messages.append(message)
            new_last = max(uids, default=last)
            return MailPage(messages, {"uidvalidity": validity, "last_uid": new_last}, full=full)
        except (IMAPClientError, OSError) as exc:
            raise SourceOffline(
                f"IMAP failed mid-sync ({exc}); nothing was kept, will retry"
            ) from None
        finally:
            with contextlib.suppress(Exception):  # a broken connection has no session
                client.logout()


def _parse(uid: int, raw: bytes) -> SentMessage | None:
    headers = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(raw)
    recipients = tuple(
        address.lower()
        for _, address in getaddresses([str(headers.get("To", "")), str(headers.get("Cc", ""))])
        if "@" in address
    )
    try:
        sent = parsedate_to_datetime(str(headers["Date"]))
        if sent.tzinfo is None:
            sent = sent.replace(tzinfo=UTC)
    except (TypeError, ValueError, KeyError, OverflowError):
        return None  # unreadable; a readable but absurd date is the core's to refuse
    message_id = str(headers.get("Message-ID", "")).strip().strip("<>") or f"uid-{uid}"
    return SentMessage(f"msg:{message_id}", sent, str(headers.get("Subject", "")), recipients)


def _is_loopback(host: str) -> bool:
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
