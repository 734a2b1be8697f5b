"""Hearing a colleague's write to a team store the moment it commits: LISTEN/NOTIFY.

Every write to a PostgreSQL store bumps the store's revision and, in the same
transaction, sends ``NOTIFY nurture_changes`` with it (PostgreSQL delivers a notification
only when its transaction commits, and never one from a transaction that rolled back). A
TUI keeps one connection listening in a worker thread, so it learns of another rep's write
without asking the server every few seconds and without a query on its UI thread; what
changed is then read as before, partner by partner (``history_rev``).

A dropped connection (the server restarted, the network went away) ends the listening
with a StoreError; the app then falls back to its slow poll and listens again later.
"""

from __future__ import annotations

import contextlib
from typing import Any, cast

from psycopg import Connection
from psycopg import Error as PsycopgError
from sqlalchemy.engine import Engine

from nurture_tui.domain.errors import StoreError

#: The channel every Nurture write announces itself on (one database, one channel).
CHANNEL = "nurture_changes"


class ChangeListener:
    """One dedicated connection that LISTENs on ``CHANNEL`` (PostgreSQL only)."""

    def __init__(self, engine: Engine) -> None:
        self._pooled = engine.raw_connection()  # kept out of the pool while listening
        try:
            self._connection: Connection[Any] = cast(
                "Connection[Any]", self._pooled.driver_connection
            )
            self._connection.autocommit = True
            self._connection.execute(f"LISTEN {CHANNEL}")
        except PsycopgError as exc:
            self._pooled.invalidate()
            raise StoreError(f"could not listen for colleagues' changes ({exc})") from None

    def wait(self, timeout: float) -> bool:
        """Block up to ``timeout`` seconds; True when a write was announced meanwhile
        (notifications already arrived count once: the reader re-reads what changed, so
        a burst needs one wake-up, not one per write)."""
        try:
            heard = False
            for _ in self._connection.notifies(timeout=timeout, stop_after=1):
                heard = True
            if heard:  # drain the rest of a burst without waiting
                for _ in self._connection.notifies(timeout=0):
                    pass
            return heard
        except PsycopgError as exc:
            raise StoreError(f"stopped hearing colleagues' changes ({exc})") from None

    def close(self) -> None:
        """Drop the connection (it is never returned to the pool still listening)."""
        with contextlib.suppress(PsycopgError):
            self._pooled.invalidate()
