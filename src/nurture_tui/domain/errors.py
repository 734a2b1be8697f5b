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
    """A save that expected a record as it was read found it changed: someone (a
    colleague, a sync, another window) saved it in between. Nothing was written.

    ``expected``/``found``: the versions, for a partner or contact (``found`` None: the
    record is gone); both None for a record compared by what it says (a touch, a
    referral)."""

    def __init__(
        self, record_id: str, expected: int | None = None, found: int | None = None
    ) -> None:
        self.record_id = record_id
        self.expected = expected
        self.found = found
        if expected is None:
            what = "it was changed or removed"
        else:
            gone = "is gone" if found is None else f"is at version {found}"
            what = f"expected version {expected}, it {gone}"
        super().__init__(
            f"record {record_id[:8]} changed since it was read ({what}); nothing was saved"
        )
