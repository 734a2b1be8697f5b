"""Shared fixtures: every test gets its own store and config directory, never the user's."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from nurture_tui.config import Settings
from nurture_tui.services.session import Session
from nurture_tui.store.opening import open_store

# The Repository contract is a shared class: show values in its failed asserts too.
pytest.register_assert_rewrite("repository_contract", "team_helpers")

FROZEN_NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
TODAY = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("NURTURE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("NURTURE_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("NURTURE_TIMEZONE", "America/Chicago")
    yield


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def session(store_dir: Path) -> Session:
    return Session(
        repo=open_store(store_dir),
        settings=Settings(
            timezone="America/Chicago",
            rep_email="rep@agency.org",
            rep_name="Alex Rivera",
            agency="Sunrise Home Care",
        ),
        clock=lambda: FROZEN_NOW,
    )
