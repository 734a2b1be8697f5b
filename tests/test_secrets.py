"""Tokens only in a real keyring: chunked when large, and never a plain-text fallback."""

from __future__ import annotations

from collections.abc import Iterator

import keyring
import pytest
from keyring.backends import fail

from fakes.memory_keyring import MemoryKeyring
from nurture_tui import secrets


@pytest.fixture
def use_backend() -> Iterator[object]:
    previous = keyring.get_keyring()

    def use(backend: keyring.backend.KeyringBackend) -> None:
        keyring.set_keyring(backend)

    yield use
    keyring.set_keyring(previous)


def test_large_secrets_are_split_and_joined(use_backend) -> None:  # type: ignore[no-untyped-def]
    backend = MemoryKeyring()
    use_backend(backend)
    value = "x" * 5000 + "end"
    secrets.set_secret("outlook", value)
    assert all(len(v) <= 2000 for v in backend.secrets.values())
    assert secrets.get_secret("outlook") == value
    secrets.set_secret("outlook", "small")
    assert secrets.get_secret("outlook") == "small"
    assert len(backend.secrets) == 1, "old chunks are removed"
    secrets.delete_secret("outlook")
    assert secrets.get_secret("outlook") is None and not backend.secrets


def test_no_keyring_says_what_to_do(use_backend) -> None:  # type: ignore[no-untyped-def]
    use_backend(fail.Keyring())
    with pytest.raises(secrets.KeyringUnavailable, match="Secret Service"):
        secrets.get_secret("google")


def test_a_plaintext_keyring_is_refused(use_backend) -> None:  # type: ignore[no-untyped-def]
    from keyrings.alt.file import PlaintextKeyring

    use_backend(PlaintextKeyring())
    with pytest.raises(secrets.KeyringUnavailable, match="plain-text"):
        secrets.set_secret("google", "token")
