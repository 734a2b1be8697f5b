"""An in-memory sync source: the example a third party follows (vdirsyncer's MemoryStorage).

It ships in no distribution of ours: the tests register it through a real entry point (a
``*.dist-info`` with ``entry_points.txt`` on ``sys.path``), so everything Nurture gives it —
``nurture auth memory``, ``nurture sync memory``, a Sync screen row, its options checked by
``nurture config`` — comes from the source contract alone. It imports only that contract.

Its "server" is a ``MemoryAccount`` per ``memory_account`` option, in this process: events
and sent mail added by the test, a version counter for incremental reads, a password, and
a fault switch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from nurture_tui.sync.contract import (
    CalendarPage,
    MailPage,
    PasswordSignIn,
    SentMessage,
    SignInRequired,
    SourceContext,
    SourceOption,
    SourceUnavailable,
)
from nurture_tui.sync.meetings import Meeting


@dataclass
class MemoryAccount:
    """One account at the in-memory "server"."""

    password: str = "secret"
    version: int = 0
    events: dict[str, tuple[int, Meeting | None]] = field(default_factory=dict)  # None: gone
    mail: list[SentMessage] = field(default_factory=list)
    failing: int = 0  # the next this-many calendar reads fail

    def add_meeting(self, uid: str, attendees: list[str], title: str, start: datetime) -> None:
        self.version += 1
        people = tuple((a, "ACCEPTED") for a in attendees)
        meeting = Meeting(f"cal:memory:{uid}", start, title, "alex@homecare.example", people)
        self.events[uid] = (self.version, meeting)

    def remove_meeting(self, uid: str) -> None:
        self.version += 1
        self.events[uid] = (self.version, None)

    def send_mail(self, uid: str, to: str, subject: str, when: datetime) -> None:
        address = to.split("<")[-1].strip(">").strip()
        self.mail.append(SentMessage(f"msg:memory:{uid}", when, subject, (address,)))


ACCOUNTS: dict[str, MemoryAccount] = {}


def account(name: str) -> MemoryAccount:
    return ACCOUNTS.setdefault(name, MemoryAccount())


class MemorySource:
    """Fetches from one ``MemoryAccount``; the cursor is the version last read."""

    name = "memory"

    def __init__(self, server: MemoryAccount, page_size: int) -> None:
        self._server = server
        self._page_size = page_size

    def fetch_calendar(self, cursor: dict[str, Any] | None) -> CalendarPage:
        server = self._server
        if server.failing:
            server.failing -= 1
            raise SourceUnavailable("the memory server kept failing; nothing changed — sync again")
        since = (cursor or {}).get("version")
        changed = [
            (uid, meeting)
            for uid, (version, meeting) in server.events.items()
            if since is None or version > since
        ]
        return CalendarPage(
            meetings=[m for _, m in changed if m is not None],
            removed=[f"cal:memory:{uid}" for uid, m in changed if m is None and since is not None],
            cursor={"version": server.version},
            full=since is None,
        )

    def fetch_sent_mail(self, cursor: dict[str, Any] | None) -> MailPage:
        seen = int((cursor or {}).get("count", 0))
        return MailPage(self._server.mail[seen:], {"count": len(self._server.mail)})


class MemoryPlugin(PasswordSignIn):
    """The plugin the entry point names: options, sign-in (a password), and ``open``."""

    name = "memory"
    title = "Memory (example)"
    account_option = "account"
    options = (
        SourceOption("account", "The account at the in-memory server.", required=True),
        SourceOption(
            "page_size",
            "Events a page (an example whole-number option).",
            kind="int",
            default=50,
            between=(1, 1000),
        ),
        SourceOption("server", "Where the server is (an example https option).", kind="url"),
    )

    def open(self, context: SourceContext) -> MemorySource:
        server = account(context.option("account"))
        if self.password(context) != server.password:
            raise SignInRequired(
                "the memory server refused the password: run `nurture auth memory`"
            )
        return MemorySource(server, context.option("page_size"))


plugin = MemoryPlugin()


class MemoryClassPlugin(MemoryPlugin):
    """The same source under another name, for an entry point that names the class."""

    name = "memclass"
