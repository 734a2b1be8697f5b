"""Connecting to a team store on PostgreSQL: the password, the server, the schema.

The password comes from, in order: the URL itself (``NURTURE_STORE_URL`` in a script), the
keyring entry ``nurture team login`` wrote, or libpq's own ``PGPASSWORD`` / ``~/.pgpass``
(no password is passed, so libpq looks). An ordinary command never creates the schema on
a server — an empty database, or the wrong one, is said to be so — while a schema from an
older Nurture is migrated forward as on SQLite. ``nurture team init`` creates it.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from sqlalchemy import Engine, text
from sqlalchemy.engine import Connection

from nurture_tui.domain.errors import StoreError
from nurture_tui.store.database import ServerLogin, plain_errors, server_engine
from nurture_tui.store.migrate import current_revision, needs_upgrade, upgrade
from nurture_tui.store.team_url import (
    TeamAddress,
    address,
    connection_url,
    parse_store_url,
    shown,
)

#: The oldest PostgreSQL a team store runs on (``server_version_num``): 12 is the oldest
#: release any provider still hosts, and has every feature the schema uses.
MIN_SERVER_VERSION = 120000


class NotSetUpError(StoreError):
    """The database holds no Nurture schema: ``nurture team init`` has not been run."""


@dataclass(frozen=True)
class Server:
    """An engine on the team database, with who connects where for messages."""

    engine: Engine
    login: ServerLogin
    where: str
    """The URL without a password: what messages and ``repo.location`` show."""
    address: TeamAddress


def saved_password(where: TeamAddress) -> str | None:
    """The password ``nurture team login`` kept for this rep and database, if any. With no
    working keyring (a cron job on a headless box) libpq's own ways still work: no error."""
    from nurture_tui.secrets import KeyringUnavailable, get_secret

    with contextlib.suppress(KeyringUnavailable):
        return get_secret(where.keyring_name)
    return None


def connect(url_text: str, password: str | None = None) -> Server:
    """An engine for the store at ``url_text`` (nothing is sent to the server yet).

    ``password`` (typed at ``team login``) wins; else the URL's own, the keyring's, or
    libpq's."""
    url = parse_store_url(url_text)
    where = address(url)
    saved = False
    if password is None and url.password is None:
        password = saved_password(where)
        saved = password is not None
    engine = server_engine(connection_url(url_text, password))
    return Server(engine, ServerLogin(where.user, where.server, saved), shown(url), where)


def check_version(c: Connection, server: Server) -> None:
    """Refuse a server older than ``MIN_SERVER_VERSION``, saying the version found."""
    number = int(c.exec_driver_sql("SHOW server_version_num").scalar_one())
    if number < MIN_SERVER_VERSION:
        found = str(c.exec_driver_sql("SHOW server_version").scalar_one()).split()[0]
        raise StoreError(too_old_message(server.address.server, found))


def too_old_message(server: str, found: str) -> str:
    floor = MIN_SERVER_VERSION // 10000
    return (
        f"the team database at {server} runs PostgreSQL {found}; Nurture needs "
        f"PostgreSQL {floor} or newer: ask your admin to upgrade it"
    )


def not_set_up_message(server: Server) -> str:
    return (
        f"{server.where} is not set up as a team store: run `nurture team init` (as the "
        "database's owner; docs/team.md)"
    )


def open_server(url_text: str, fallback_actor: str) -> tuple[Server, str]:
    """The team database, checked and its schema current, and the actor to record: the
    connected rep's email from ``reps``, or ``fallback_actor`` for a role that is no rep
    (the owner before ``team init`` named them)."""
    server = connect(url_text)
    with plain_errors(server.where, server.login), server.engine.connect() as c:
        check_version(c, server)
        if current_revision(c) is None:
            raise NotSetUpError(not_set_up_message(server))
        stale = needs_upgrade(c)
    if stale:
        _upgrade(server)
    with plain_errors(server.where, server.login), server.engine.connect() as c:
        actor = rep_email_of_current_user(c) or fallback_actor
    return server, actor


def _upgrade(server: Server) -> None:
    """Migrate an older schema forward; a rep's role may not alter tables: say who can."""
    try:
        with (
            plain_errors(server.where, server.login),
            server.engine.connect().execution_options(write=True) as c,
            c.begin(),
        ):
            if needs_upgrade(c):  # another rep may have just done it
                upgrade(c)
    except StoreError as exc:
        if "refused" not in str(exc) and "permission" not in str(exc):
            raise
        raise StoreError(
            f"the team store at {server.where} has an older schema than this Nurture, and "
            f"{server.login.user} may not upgrade it: ask your admin to run `nurture team "
            "init` (it upgrades the schema)"
        ) from None


def rep_email_of_current_user(c: Connection) -> str | None:
    """The email of the rep logged in as this role (None before 0006 or for a non-rep)."""
    from sqlalchemy import inspect

    if not inspect(c).has_table("reps"):
        return None
    found = c.execute(
        text("SELECT email FROM reps WHERE role = current_user AND removed_at IS NULL")
    ).scalar()
    return None if found is None else str(found)
