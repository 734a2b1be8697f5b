"""Errors a user can cause, each with a message written for the user.

The CLI and UI print ``str(error)`` as one line; they never show a traceback for these.
"""

from __future__ import annotations


class NurtureError(Exception):
    """Base of every expected, user-facing error."""


class ValidationError(NurtureError):
    """Input that cannot be accepted as given (a bad email, NPI, date, kind...)."""


class NotFoundError(NurtureError):
    """An id or id prefix that matches nothing."""


class AmbiguousIdError(NurtureError):
    """An id prefix that matches more than one record."""


class StoreError(NurtureError):
    """The store cannot be opened or written (locked, corrupt, unreadable)."""


class EditConflict(NurtureError):
    """A save that expected a record at one version found another: someone (a colleague, a
    sync, another window) saved it in between. Nothing was written."""

    def __init__(self, record_id: str, expected: int, found: int | None) -> None:
        self.record_id = record_id
        self.expected = expected
        self.found = found
        gone = "is gone" if found is None else f"is at version {found}"
        super().__init__(
            f"record {record_id[:8]} changed since it was read (expected version {expected}, "
            f"it {gone}); nothing was saved"
        )
