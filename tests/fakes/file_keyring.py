"""A keyring backend in a JSON file named by ``NURTURE_TEST_KEYRING``: tests only.

The in-memory keyring lives in one process; a test whose child process signs in to a source
(the TUI's sync runs in a child) needs the same secrets on both sides. Selected with
``PYTHON_KEYRING_BACKEND=fakes.file_keyring.TestFileKeyring`` (tests/ on ``PYTHONPATH``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import keyring.backend
import keyring.errors


class TestFileKeyring(keyring.backend.KeyringBackend):
    priority = 1  # type: ignore[assignment]

    @property
    def _file(self) -> Path:
        return Path(os.environ["NURTURE_TEST_KEYRING"])

    def _read(self) -> dict[str, str]:
        try:
            loaded: dict[str, str] = json.loads(self._file.read_text(encoding="utf-8"))
            return loaded
        except FileNotFoundError:
            return {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._read().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        secrets = self._read()
        secrets[f"{service}/{username}"] = password
        self._file.write_text(json.dumps(secrets), encoding="utf-8")

    def delete_password(self, service: str, username: str) -> None:
        secrets = self._read()
        if secrets.pop(f"{service}/{username}", None) is None:
            raise keyring.errors.PasswordDeleteError("not found")
        self._file.write_text(json.dumps(secrets), encoding="utf-8")
