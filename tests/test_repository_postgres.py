"""The Repository contract on PostgreSQL: a fresh database on the suite's throw-away server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from nurture_tui.store.opening import open_store
from pg_server import postgres_db_url, postgres_store_url, postgres_url
from repository_contract import OpenRepo, RepositoryContract, opened_repos

__all__ = ["TestPostgresRepository", "postgres_db_url", "postgres_store_url", "postgres_url"]


class TestPostgresRepository(RepositoryContract):
    @pytest.fixture
    def open_repo(self, tmp_path: Path, postgres_store_url: str) -> Iterator[OpenRepo]:
        with opened_repos(lambda: open_store(tmp_path, url=postgres_store_url)) as open_repo:
            yield open_repo
