"""The Repository contract on SQLite: a ``nurture.db`` file in a fresh folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from nurture_tui.store.opening import open_store
from repository_contract import OpenRepo, RepositoryContract, opened_repos


class TestSqliteRepository(RepositoryContract):
    @pytest.fixture
    def open_repo(self, tmp_path: Path) -> Iterator[OpenRepo]:
        with opened_repos(lambda: open_store(tmp_path / "store")) as open_repo:
            yield open_repo
