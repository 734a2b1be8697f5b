"""A child process that syncs one source into a store (killed mid-sync by a test).

Usage: sync_child.py STORE_DIR google BASE_URL | imap PORT | caldav URL [PAUSE_AT]

With ``PAUSE_AT`` = N, the child says ``page N`` on stdout once it has fetched its N-th
page (calendar and mail pages counted together) and then waits on stdin: the test kills it
there, at a known point of the sync, without guessing with sleeps.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).parent))

from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from nurture_tui.config import Settings
from nurture_tui.services.session import Session
from nurture_tui.store.opening import open_store
from nurture_tui.sync.contract import CalendarPage, MailPage, SyncSource
from nurture_tui.sync.runner import run_sync
from sync_contract import NOW


def source(kind: str, where: str) -> SyncSource:
    if kind == "google":
        from test_google_sync import google_source

        return google_source(where)
    if kind == "imap":
        from nurture_imap.source import ImapSource

        return ImapSource(
            "127.0.0.1", int(where), "alex", "secret", since=NOW - timedelta(days=365)
        )
    from nurture_caldav.source import CalDavSource

    return CalDavSource(
        where,
        "alex",
        "x",
        zone=ZoneInfo("America/Chicago"),
        window=(NOW - timedelta(days=365), NOW + timedelta(days=92)),
    )


P = TypeVar("P")


class Pausing:
    """``source`` whose ``pause_at``-th page is announced, then held until stdin closes."""

    def __init__(self, source: SyncSource, pause_at: int) -> None:
        self.name = source.name
        self._source, self._pause_at, self._fetched = source, pause_at, 0

    def _pages(self, result: P | Iterable[P], kind: type[P]) -> Iterator[P]:
        for page in [result] if isinstance(result, kind) else result:  # type: ignore[union-attr]
            self._fetched += 1
            if self._fetched == self._pause_at:
                print(f"page {self._fetched}", flush=True)
                sys.stdin.read()  # the test kills us here
            yield page

    def fetch_calendar(self, cursor: dict[str, Any] | None) -> Iterator[CalendarPage]:
        return self._pages(self._source.fetch_calendar(cursor), CalendarPage)

    def fetch_sent_mail(self, cursor: dict[str, Any] | None) -> Iterator[MailPage]:
        return self._pages(self._source.fetch_sent_mail(cursor), MailPage)


if __name__ == "__main__":
    directory, kind, where = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    settings = Settings(rep_email="alex@homecare.example", timezone="America/Chicago")
    session = Session(open_store(directory / "store"), settings, lambda: NOW)
    syncing = source(kind, where)
    if len(sys.argv) > 4:
        syncing = Pausing(syncing, int(sys.argv[4]))
    report = run_sync(session, syncing)
    sys.exit(0 if report.status == "ok" else 1)
