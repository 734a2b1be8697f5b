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
