"""OAuth tokens in the OS keyring, and only there (never the store, config or a log).

Windows Credential Manager caps one secret at 2,560 bytes, so a larger value (an MSAL token
cache) is split across numbered entries. Where no keyring backend works (headless Linux,
cron), saying so clearly beats any silent fallback to a plaintext file.
"""

from __future__ import annotations

import contextlib

import keyring
import keyring.errors
from keyring.backends import fail

from nurture_tui.domain.errors import NurtureError

SERVICE = "nurture"
CHUNK = 2000


class KeyringUnavailable(NurtureError):
    def __init__(self, detail: str = "") -> None:
        super().__init__(
            "no working keyring to keep your sign-in token safely"
            + (f" ({detail})" if detail else "")
            + ". Run Nurture inside a desktop session (GNOME Keyring, KWallet, macOS "
            "Keychain, Windows Credential Manager), install a Secret Service such as "
            "gnome-keyring, or opt in to an encrypted file keyring: pip install keyrings.alt "
            "and set PYTHON_KEYRING_BACKEND=keyrings.alt.file.EncryptedKeyring (it asks for a "
            "passphrase). Nurture never stores tokens in plain text."
        )


def require_keyring() -> None:
    """Raise KeyringUnavailable unless a safe keyring works: checked before asking the rep
    for a password or a sign-in, so nothing typed is lost for want of a place to keep it."""
    _backend()


def _backend() -> keyring.backend.KeyringBackend:
    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring):
        raise KeyringUnavailable()
    if _is_plaintext(backend):
        # keyrings.alt's plain-text file wins when nothing else is installed: refuse it.
        raise KeyringUnavailable("only a plain-text file keyring is available")
    return backend


def _is_plaintext(backend: keyring.backend.KeyringBackend) -> bool:
    kinds = getattr(backend, "backends", [backend])  # a ChainerBackend holds several
    return any("plaintext" in type(kind).__name__.lower() for kind in kinds)


def get_secret(user: str) -> str | None:
    backend = _backend()
    try:
        head = backend.get_password(SERVICE, user)
        if head is None or not head.startswith("chunks:"):
            return head
        count = int(head.split(":", 1)[1])
        parts = [backend.get_password(SERVICE, f"{user}#{index}") for index in range(count)]
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailable(str(exc)) from None
    if any(part is None for part in parts):
        return None  # a half-written secret is no secret: sign in again
    return "".join(p for p in parts if p is not None)


def set_secret(user: str, value: str) -> None:
    backend = _backend()
    try:
        delete_secret(user)
        if len(value) <= CHUNK:
            backend.set_password(SERVICE, user, value)
            return
        parts = [value[i : i + CHUNK] for i in range(0, len(value), CHUNK)]
        for index, part in enumerate(parts):
            backend.set_password(SERVICE, f"{user}#{index}", part)
        backend.set_password(SERVICE, user, f"chunks:{len(parts)}")  # last: marks it whole
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailable(str(exc)) from None


def delete_secret(user: str) -> None:
    backend = _backend()
    try:
        head = backend.get_password(SERVICE, user)
        if head is None:
            return
        if head.startswith("chunks:"):
            for index in range(int(head.split(":", 1)[1])):
                with contextlib.suppress(keyring.errors.PasswordDeleteError):
                    backend.delete_password(SERVICE, f"{user}#{index}")
        backend.delete_password(SERVICE, user)
    except keyring.errors.PasswordDeleteError:
        return
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailable(str(exc)) from None
