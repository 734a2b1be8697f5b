"""A child process that syncs the fake Google into a store (killed at random by a test)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from nurture_tui.config import Settings
from nurture_tui.services.session import Session
from nurture_tui.store import engine
from nurture_tui.store.repository import StoreRepository
from nurture_tui.sync.runner import run_sync
from sync_contract import NOW
from test_google_sync import google_source

if __name__ == "__main__":
    directory, base = Path(sys.argv[1]), sys.argv[2]
    engine.COMPACT_AFTER_BATCHES = 5  # crash through compactions too
    settings = Settings(rep_email="alex@homecare.example", timezone="America/Chicago")
    session = Session(StoreRepository(directory / "store"), settings, lambda: NOW)
    report = run_sync(session, google_source(base))
    sys.exit(0 if report.status == "ok" else 1)
