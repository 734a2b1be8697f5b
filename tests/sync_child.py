"""A child process that syncs one source into a store (killed at random by a test).

Usage: sync_child.py STORE_DIR google BASE_URL | imap PORT | caldav URL
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).parent))

from nurture_tui.config import Settings
from nurture_tui.services.session import Session
from nurture_tui.store.opening import open_store
from nurture_tui.sync.ports import SyncSource
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


if __name__ == "__main__":
    directory, kind, where = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    settings = Settings(rep_email="alex@homecare.example", timezone="America/Chicago")
    session = Session(open_store(directory / "store"), settings, lambda: NOW)
    report = run_sync(session, source(kind, where))
    sys.exit(0 if report.status == "ok" else 1)
