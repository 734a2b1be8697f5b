"""Opening the SQL database: SQLite by default, PostgreSQL by URL; errors in plain words.

SQLite is set up for a desktop app that several processes write at once (the TUI, a
background sync, a CLI command): WAL so readers never wait for a writer,
``synchronous=FULL`` so a commit is on disk before we say "saved", foreign keys on, a busy
timeout, and ``BEGIN IMMEDIATE`` for writes so two writers queue instead of deadlocking.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection

from nurture_tui.domain.errors import StoreError, ValidationError

DATABASE_NAME = "nurture.db"


def _busy_timeout() -> float:
    """How long a writer waits for another process's transaction before giving up
    (``NURTURE_BUSY_TIMEOUT_SECONDS`` overrides it, for tests and slow network disks)."""
    try:
        return float(os.environ.get("NURTURE_BUSY_TIMEOUT_SECONDS", "15"))
    except ValueError:
        return 15.0


BUSY_TIMEOUT_SECONDS = _busy_timeout()


class StoreDamagedError(StoreError):
    """The database file is not a healthy SQLite database; nothing will write to it."""


#: Files whose presence makes a folder Nurture's own (so tightening its mode is ours to do).
_OURS = ("nurture.db", "manifest.json")


def private_directory(path: Path) -> Path:
    """Create ``path`` and any missing parents readable only by their owner, whatever the
    umask. An existing folder is tightened only when it is ours (holds a Nurture store and
    belongs to this user): `--data-dir /` or a shared folder must never be chmod-ed."""
    if path.exists() and not path.is_dir():
        raise StoreError(f"{path} is not a folder; give --data-dir a folder for the store")
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=0o700)
        except FileExistsError:
            pass  # another process made it
        except OSError as exc:
            raise _os_error(str(folder), exc) from None
        with contextlib.suppress(OSError):
            folder.chmod(0o700)  # mkdir's mode is masked by the umask
    if path not in missing:
        with contextlib.suppress(OSError):
            st = path.stat()
            ours = st.st_uid == os.geteuid() and any((path / n).exists() for n in _OURS)
            if ours and st.st_mode & 0o077:
                path.chmod(0o700)
    return path


def file_problem(path: Path) -> str | None:
    """Why ``path`` cannot be a database file (a link, a folder, a pipe, a device), or None
    when it is a regular file or absent. Links are not followed: Nurture never writes, or
    changes the mode of, a file it does not own."""
    try:
        st = path.lstat()
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(st.st_mode):
        return "it is a link, not the database file itself"
    if stat.S_ISDIR(st.st_mode):
        return "it is a folder, not a database file"
    if not stat.S_ISREG(st.st_mode):
        return "it is a device, pipe or socket, not a database file"
    return None


def sqlite_uri(path: Path, *, read_only: bool = False) -> str:
    """A ``file:`` URI for the standard library's sqlite3, with the path escaped (a folder
    named "a?b#c" must not become a query string)."""
    from urllib.parse import quote

    return f"file:{quote(str(path))}" + ("?mode=ro" if read_only else "")


def private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 if missing (SQLite's WAL and SHM files copy the
    database file's mode, so this covers them too), and tighten it if it exists."""
    problem = file_problem(path)
    if problem:
        raise StoreDamagedError(damaged_message(str(path), problem))
    if not path.exists():
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            pass  # another process made it first
        except OSError as exc:
            raise _os_error(str(path), exc) from None
    with contextlib.suppress(OSError):  # not ours, or a read-only disk: reading still works
        st = path.lstat()
        if st.st_uid == os.geteuid() and st.st_mode & 0o077:
            path.chmod(0o600)


def sqlite_engine(path: Path) -> Engine:
    """An engine for the SQLite file at ``path``, configured for durability and sharing."""
    engine = create_engine(
        # URL.create, not a string: "?" or "#" in a folder name must stay part of the path.
        URL.create("sqlite+pysqlite", database=str(path)),
        # Our own BEGIN (below) instead of the driver's implicit transactions.
        connect_args={"timeout": BUSY_TIMEOUT_SECONDS, "isolation_level": None},
        # SQLAlchemy's default pool for a file: a connection is reused (opening one and
        # setting it up costs ~2 ms) but never used by two threads at once.
    )

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        # A write transaction takes the write lock up front (IMMEDIATE): upgrading a read
        # lock later can fail with SQLITE_BUSY without waiting for the busy timeout.
        mode = "IMMEDIATE" if connection.get_execution_options().get("write") else "DEFERRED"
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


def server_engine(url: str | URL) -> Engine:
    """An engine for a PostgreSQL server (a team store); ``url`` as ``team_url`` made it."""
    if isinstance(url, str) and url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True, pool_size=2, max_overflow=4)


@dataclass(frozen=True)
class ServerLogin:
    """Who is connecting to which server, for messages that name them (never a password);
    ``saved`` says the password came from the keyring, where only a password that once
    worked is kept: refused now, it was changed or the rep's role was dropped."""

    user: str
    server: str
    saved: bool = False


@contextlib.contextmanager
def plain_errors(where: str, login: ServerLogin | None = None) -> Iterator[None]:
    """Turn a database failure into one line that says what happened and what to do.

    Every such failure leaves the database as it was before the transaction: SQLite and
    PostgreSQL roll back, so nothing acknowledged is lost.
    """
    try:
        yield
    except sa_exc.IntegrityError as exc:
        raise _integrity(exc) from None
    except (sa_exc.OperationalError, sa_exc.DatabaseError) as exc:
        if getattr(exc.orig, "sqlstate", None) == _DEADLOCK_DETECTED:
            raise WritesCrossed(
                "a colleague's write crossed this one at the same instant; nothing was "
                "saved: try again"
            ) from None
        raise _database_error(where, exc, login) from None
    except OSError as exc:  # creating a file, the folder, a backup
        raise _os_error(where, exc) from None


#: PostgreSQL's SQLSTATE for two transactions each waiting for the other: it refuses one.
_DEADLOCK_DETECTED = "40P01"


class WritesCrossed(StoreError):
    """Two writes each waited for the other and the server refused this one (rolled back:
    nothing of it was written). A touch's append then tries again the ordinary way."""


def _integrity(exc: sa_exc.IntegrityError) -> NurtureIntegrityError:
    text = str(exc.orig)
    if "ck_touchpoint_at" in text:
        return NurtureIntegrityError("a date must be between 1900 and 2199; nothing was saved")
    if "FOREIGN KEY" in text.upper() or "foreign key" in text:
        return NurtureIntegrityError(
            "that record belongs to a partner or contact that does not exist (deleted by "
            "another window?); nothing was saved"
        )
    return NurtureIntegrityError(f"the store refused the change ({text}); nothing was saved")


class NurtureIntegrityError(ValidationError):
    """A write the database's own rules refuse (a date out of range, a missing partner)."""


def _database_error(
    where: str, exc: sa_exc.DBAPIError, login: ServerLogin | None = None
) -> StoreError:
    if login is not None or type(exc.orig).__module__.startswith("psycopg"):
        found = server_error(where, str(exc.orig), login)
        if found is not None:
            return found
    text = str(exc.orig).lower()
    if "database or disk is full" in text or "disk i/o error" in text:
        return StoreError(
            f"could not write to {where}: the disk is full (or failing); nothing was saved. "
            "Free some space and try again"
        )
    if "readonly" in text or "read-only" in text or "unable to open database" in text:
        return StoreError(
            f"cannot write to {where}: the file or its folder is read-only or missing; "
            "nothing was saved. Check the folder's permissions"
        )
    if "database is locked" in text or "database table is locked" in text:
        return StoreError(
            f"the store at {where} is busy: another Nurture process (a sync, another window) "
            f"held it for more than {BUSY_TIMEOUT_SECONDS:.0f} s; nothing was saved. "
            "Try again, or close the other process"
        )
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return StoreDamagedError(damaged_message(where, str(exc.orig)))
    if "connection" in text or "could not translate host" in text or "timeout" in text:
        return StoreError(f"cannot reach the database at {where}: {exc.orig}")
    return StoreError(f"the database at {where} failed: {exc.orig}")


class ServerRefusedError(StoreError):
    """The team database refused this rep: a wrong password, or access revoked."""


class ServerUnreachableError(StoreError):
    """The team database did not answer (down, wrong address, no network)."""


def server_error(where: str, detail: str, login: ServerLogin | None) -> StoreError | None:
    """One line for a PostgreSQL failure the rep can act on, or None for any other.

    libpq's connection errors carry no SQLSTATE, so they are told apart by their (English)
    text; none of them contains the password."""
    text = detail.lower()
    user = login.user if login else "you"
    server = login.server if login else where
    revoked = StoreError if login is None else ServerRefusedError
    if "password authentication failed" in text:
        if login is not None and login.saved:
            # The keyring's password: one that once worked, or one `config set` moved
            # there from the address unchecked. Which, the server does not say.
            return ServerRefusedError(
                f"access revoked for {user} on {server}, or the password kept in your "
                "keyring is wrong: ask your admin (a mistyped or new password: run "
                "`nurture team login` to type it again)"
            )
        return ServerRefusedError(
            f"wrong password for {user} on {server}: run `nurture team login` to type it again"
        )
    if "no password supplied" in text:
        return ServerRefusedError(
            f"no password for {user} on {server}: run `nurture team login` (or set "
            "PGPASSWORD, or add it to ~/.pgpass)"
        )
    if re.search(r'role ".*" does not exist', text) or "not permitted to log in" in text:
        return revoked(f"access revoked for {user} on {server}: ask your admin")
    if "permission denied for database" in text:
        return revoked(f"access revoked for {user} on {server}: ask your admin")
    if re.search(r'database ".*" does not exist', text):
        return StoreError(
            f"there is no such database on {server} ({where}): check store_url "
            "(`nurture config get store_url`)"
        )
    if "no pg_hba.conf entry" in text:
        return ServerRefusedError(
            f"{server} does not accept {user} from this machine (its pg_hba.conf has no "
            "line for it): ask your admin"
        )
    if "does not support ssl" in text or ("ssl" in text and "required" in text):
        return StoreError(
            f"{server} does not offer TLS, and Nurture sends a password only over TLS to "
            "another machine: ask your admin to turn TLS on (docs/team.md)"
        )
    if "permission denied" in text or "must be owner" in text:
        return ServerRefusedError(
            f"the team database does not let the login {user!r} do this "
            f"({_first_line(detail)}): ask your admin"
        )
    if any(
        sign in text
        for sign in (
            "connection refused",
            "timeout expired",
            "timed out",
            "could not translate host",
            "failed to resolve host",
            "name or service not known",
            "no route to host",
            "network is unreachable",
            "is the server running",
            "server closed the connection",
            "connection is closed",
            "terminating connection",
        )
    ):
        return ServerUnreachableError(
            f"cannot reach the team database at {server}: {_reason(text)}; check the "
            "address (`nurture config get store_url`) and your network"
        )
    return None


def _reason(text: str) -> str:
    if "refused" in text:
        return "the connection was refused (is PostgreSQL running there, on that port?)"
    if "timeout" in text or "timed out" in text:
        return "no answer within the connect timeout"
    if "translate host" in text or "resolve host" in text or "not known" in text:
        return "the host name is not known"
    if "closed" in text or "terminating" in text:
        return "the server closed the connection"
    return "the network cannot get there"


def _first_line(detail: str) -> str:
    line = detail.strip().splitlines()[0] if detail.strip() else detail
    return re.sub(r"^.*?(fatal|error):\s*", "", line, flags=re.IGNORECASE).strip()


def _os_error(where: str, exc: OSError) -> StoreError:
    import errno

    if exc.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
        return StoreError(
            f"could not write to {where}: the disk is full; nothing was saved. "
            "Free some space and try again"
        )
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return StoreError(
            f"cannot write to {where}: the disk or folder is read-only (or not yours); "
            "nothing was saved. Check the folder's permissions"
        )
    return StoreError(f"cannot use {where}: {exc.strerror or exc}")


def damaged_message(where: str, detail: str) -> str:
    return (
        f"the store file {where} is damaged ({detail}); nothing was changed or overwritten. "
        "Run `nurture restore` to bring back the latest backup"
    )
