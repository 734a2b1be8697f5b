"""Setting up a team on PostgreSQL: the schema, the group roles, the reps and their roles.

Each rep logs in as a PostgreSQL role of their own, so that revoking a rep is dropping
their role and the server's own logs show who did what. What a rep may do is granted to
two group roles (named per database: roles are shared by every database on a server) and
a rep's role is made a member:

- the *rep group* may read and write the data (not alter or drop a table), read ``reps``
  and ``team``, and connect to this database (``team init`` takes CONNECT away from
  PUBLIC, so a role of another database on the same server cannot come in);
- the *admin group* is a member of the rep group and may also write ``reps``; an admin's
  own role has CREATEROLE, which PostgreSQL requires to create and drop roles.

Default privileges cover tables a later migration creates (when the owner runs it, as
``team init`` does). Every identifier is quoted by ``psycopg.sql``, every value bound or
quoted as a literal; a new rep's password reaches the server only as a SCRAM verifier
(libpq hashes it), so it is never in a server log either.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from nurture_tui.domain.errors import StoreError, ValidationError
from nurture_tui.store.database import plain_errors, server_error
from nurture_tui.store.migrate import HEAD, current_revision, needs_upgrade, upgrade
from nurture_tui.store.server import (
    NotSetUpError,
    Server,
    check_version,
    connect,
    not_set_up_message,
)

if TYPE_CHECKING:
    from psycopg import sql

#: PostgreSQL's limit on an identifier, in bytes (NAMEDATALEN - 1).
MAX_IDENTIFIER_BYTES = 63
#: A generated password's randomness, in bytes (32 URL-safe characters).
PASSWORD_BYTES = 24
#: Advisory-lock keys: two `team init`s, or two `add-rep`s, run one after the other.
_INIT_LOCK = 0x6E75_7274_0001
_REPS_LOCK = 0x6E75_7274_0002


class TeamError(StoreError):
    """A team command that cannot be done as asked (not an admin, a duplicate rep...)."""


@dataclass(frozen=True)
class Rep:
    """One rep of a team store, as ``nurture team reps`` lists them."""

    email: str
    name: str
    role: str
    is_admin: bool
    created_at: str
    removed_at: str | None = None


@dataclass(frozen=True)
class InitResult:
    """What ``team init`` did: ``created`` False means the team was already set up."""

    created: bool
    admin: str
    rep_group: str
    admin_group: str
    upgraded_from: str | None


@dataclass(frozen=True)
class NewRep:
    """A rep just added: the password is shown once and kept nowhere."""

    email: str
    name: str
    role: str
    password: str
    is_admin: bool


# --------------------------------------------------------------------------- names


def clean_rep_email(value: str) -> str:
    """A rep's email as the key of ``reps``: trimmed, NFC, lower-case. Quotes, apostrophes
    and non-ASCII letters are allowed (they are data, never SQL); spaces and control
    characters are not."""
    email = unicodedata.normalize("NFC", value.strip()).lower()
    local, at, domain = email.rpartition("@")
    bad = any(ch.isspace() or unicodedata.category(ch).startswith("C") for ch in email)
    quoted = len(local) >= 2 and local.startswith('"') and local.endswith('"')
    if (
        bad
        or not at
        or not local
        or ("@" in local and not quoted)  # a@b@c.org: which is the address?
        or not _mail_domain(domain)
        or len(email) > 254
    ):
        raise ValidationError(
            f"{_shown(value)} is not an email address (expected name@example.org)"
        )
    return email


def _mail_domain(domain: str) -> bool:
    """A domain a mail can go to: dot-separated labels of letters (any script), digits
    and inner hyphens, the last one letters (``a@b.c$(id)`` is no address)."""
    labels = domain.split(".")
    if len(labels) < 2:
        return False
    for label in labels:
        if not label or label.startswith("-") or label.endswith("-") or len(label) > 63:
            return False
        if not all(ch.isalnum() or ch == "-" for ch in label):
            return False
    return labels[-1].isalpha() and len(labels[-1]) >= 2


def clean_rep_name(value: str) -> str:
    name = " ".join(value.split())
    if any(unicodedata.category(ch).startswith("C") for ch in name):
        raise ValidationError("a rep's name cannot hold control characters")
    if not name or len(name) > 200:
        raise ValidationError("give the rep's name (--name), up to 200 characters")
    return name


def _shown(value: str) -> str:
    cut = value if len(value) <= 60 else value[:60] + "…"
    return repr(cut)


def role_name_for(email: str, taken: Iterable[str]) -> str:
    """A role name for ``email``: ``rep_`` and its letters and digits in ASCII ("rep_o_brien_
    x_org"), a hash of the email where it is too long, a number where it is taken. Always a
    plain identifier (it appears in ``store_url`` and the server's logs) and never one of
    PostgreSQL's reserved ``pg_`` names."""
    used = set(taken)
    ascii_text = unicodedata.normalize("NFKD", email).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_") or "rep"
    base = f"rep_{slug}"
    if len(base) > MAX_IDENTIFIER_BYTES - 4:  # room for "_999"
        digest = hashlib.sha256(email.encode()).hexdigest()[:8]
        base = f"{base[: MAX_IDENTIFIER_BYTES - 4 - 9].rstrip('_')}_{digest}"
    name, number = base, 2
    while name in used:
        name = f"{base}_{number}"
        number += 1
    return name


def group_names_for(database: str, taken: Iterable[str]) -> tuple[str, str]:
    """The rep and admin group roles for ``database`` ("agency_reps", "agency_admins")."""
    used = set(taken)
    ascii_text = unicodedata.normalize("NFKD", database).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_") or "nurture"
    if slug.startswith("pg_") or slug[0].isdigit():
        slug = f"nurture_{slug}"
    if len(slug) > 40:
        slug = f"{slug[:31].rstrip('_')}_{hashlib.sha256(database.encode()).hexdigest()[:8]}"
    number = 1
    while True:
        suffix = "" if number == 1 else f"_{number}"
        reps, admins = f"{slug}{suffix}_reps", f"{slug}{suffix}_admins"
        if reps not in used and admins not in used:
            return reps, admins
        number += 1


def generate_password() -> str:
    return secrets.token_urlsafe(PASSWORD_BYTES)


# ------------------------------------------------------------------------ raw SQL


def _ddl(c: Connection, server: Server, statement: sql.Composable) -> None:
    """Run a statement composed with ``psycopg.sql`` (identifiers quoted by psycopg) on the
    connection's own transaction; a failure is the same one line as any other."""
    import psycopg

    raw: Any = c.connection.driver_connection
    try:
        with raw.cursor() as cursor:
            cursor.execute(statement)
    except psycopg.Error as exc:
        found = server_error(server.where, str(exc), server.login)
        raise found or StoreError(f"{server.where} refused: {str(exc).strip()}") from None


def _scram(c: Connection, role: str, password: str) -> str:
    """The SCRAM-SHA-256 verifier libpq makes for ``password``: what CREATE ROLE is sent."""
    raw: Any = c.connection.driver_connection
    verifier: bytes = raw.pgconn.encrypt_password(
        password.encode(), role.encode(), b"scram-sha-256"
    )
    return verifier.decode()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _current_user(c: Connection) -> tuple[str, bool]:
    """The role connected, and whether it may create roles (CREATEROLE or superuser)."""
    row = c.execute(
        text("SELECT rolname, rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user")
    ).one()
    return str(row[0]), bool(row[1])


def _role_names(c: Connection) -> set[str]:
    names = {str(r[0]) for r in c.execute(text("SELECT rolname FROM pg_roles"))}
    if inspect(c).has_table("reps"):
        names |= {str(r[0]) for r in c.execute(text("SELECT role FROM reps"))}
    return names


def _groups(c: Connection) -> tuple[str, str] | None:
    if not inspect(c).has_table("team"):
        return None
    row = c.execute(text("SELECT rep_group, admin_group FROM team WHERE id = 1")).first()
    return None if row is None else (str(row[0]), str(row[1]))


# ------------------------------------------------------------------------- team init


@contextmanager
def _writing(server: Server) -> Iterator[Connection]:
    """One write transaction on the team database, its failures in one line: every team
    command that changes roles or reps runs in one, all or nothing."""
    with (
        plain_errors(server.where, server.login),
        server.engine.connect().execution_options(write=True) as c,
        c.begin(),
    ):
        yield c


def init_team(url_text: str, rep_email: str, rep_name: str = "") -> InitResult:
    """Create the schema, the group roles and their grants, and make the rep running it
    (as the database's owner, with CREATEROLE) the first admin. Run again, it migrates an
    older schema and re-applies the grants, and says the team was already set up; it never
    adds an admin or drops anything."""
    email = clean_rep_email(rep_email)
    server = connect(url_text)
    with _writing(server) as c:
        check_version(c, server)
        c.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _INIT_LOCK})
        user, can_create_roles = _current_user(c)
        revision = current_revision(c)
        if revision is None:
            _refuse_foreign_tables(c, server)
        groups = _groups(c)
        if groups is not None and revision == HEAD:
            admin = c.execute(
                text("SELECT email FROM reps WHERE is_admin AND removed_at IS NULL ORDER BY 1")
            ).scalar()
            return InitResult(False, str(admin or ""), *groups, upgraded_from=None)
        if not can_create_roles:
            raise TeamError(
                f"{user} may not create roles on {server.address.server}, so it cannot set "
                "up a team: run `nurture team init` as the database's owner, a role with "
                "CREATEROLE (docs/team.md)"
            )
        if needs_upgrade(c):
            upgrade(c)
        created = groups is None
        if groups is None:
            groups = _create_groups(c, server, user)
            c.execute(
                text(
                    "INSERT INTO reps (email, name, role, is_admin, created_at, created_by) "
                    "VALUES (:email, :name, :role, TRUE, :at, :by)"
                ),
                {"email": email, "name": rep_name.strip(), "role": user, "at": _now(), "by": user},
            )
        _grant(c, server, *groups)
        admin = c.execute(
            text("SELECT email FROM reps WHERE is_admin AND removed_at IS NULL ORDER BY 1")
        ).scalar()
    return InitResult(created, str(admin or email), *groups, upgraded_from=revision)


def _refuse_foreign_tables(c: Connection, server: Server) -> None:
    """A database with tables but no Nurture schema belongs to something else."""
    found = sorted(inspect(c).get_table_names())
    if found:
        shown = ", ".join(found[:5]) + (", …" if len(found) > 5 else "")
        raise TeamError(
            f"{server.where} already holds other tables ({shown}) and no Nurture store: "
            "give Nurture a database of its own (CREATE DATABASE; docs/team.md)"
        )


def _create_groups(c: Connection, server: Server, user: str) -> tuple[str, str]:
    from psycopg import sql

    database = str(c.execute(text("SELECT current_database()")).scalar_one())
    rep_group, admin_group = group_names_for(database, _role_names(c))
    for group in (rep_group, admin_group):
        _ddl(c, server, sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(group)))
    c.execute(
        text(
            "INSERT INTO team (id, rep_group, admin_group, created_at, created_by) "
            "VALUES (1, :reps, :admins, :at, :by)"
        ),
        {"reps": rep_group, "admins": admin_group, "at": _now(), "by": user},
    )
    return rep_group, admin_group


def _grant(c: Connection, server: Server, rep_group: str, admin_group: str) -> None:
    """The privileges of the two groups; every statement is idempotent."""
    from psycopg import sql

    database = str(c.execute(text("SELECT current_database()")).scalar_one())
    schema = str(c.execute(text("SELECT current_schema()")).scalar_one())
    names = {
        "db": sql.Identifier(database),
        "schema": sql.Identifier(schema),
        "reps": sql.Identifier(rep_group),
        "admins": sql.Identifier(admin_group),
        "read_only": sql.SQL(", ").join(
            sql.Identifier(schema, table) for table in ("reps", "team", "alembic_version")
        ),
        "reps_table": sql.Identifier(schema, "reps"),
    }
    for statement in (
        "REVOKE CONNECT ON DATABASE {db} FROM PUBLIC",
        "GRANT CONNECT ON DATABASE {db} TO {reps}",
        "GRANT USAGE ON SCHEMA {schema} TO {reps}",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {reps}",
        "REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {read_only} FROM {reps}",
        "GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {reps}",
        "ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} "
        "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {reps}",
        "ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} "
        "GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {reps}",
        "GRANT {reps} TO {admins}",
        "GRANT INSERT, UPDATE, DELETE ON {reps_table} TO {admins}",
    ):
        _ddl(c, server, sql.SQL(statement).format(**names))


# ------------------------------------------------------------------------ the reps


def _require_team(c: Connection, server: Server) -> tuple[str, str]:
    groups = _groups(c) if current_revision(c) is not None else None
    if groups is None:
        raise NotSetUpError(not_set_up_message(server))
    return groups


def _require_admin(c: Connection, server: Server) -> str:
    """The email of the admin rep connected, who may also create roles, or one line
    saying who may.

    Why the second condition: adding or removing a rep creates or drops a database role,
    and before PostgreSQL 16 a role with CREATEROLE may grant itself any non-superuser
    role, among them ``pg_execute_server_program`` (a shell on the database server). So
    no rep's role is ever given CREATEROLE; reps are added with the login that set the
    team up (the database's owner), which an admin rep uses for that and nothing else.
    """
    found = c.execute(
        text("SELECT email, is_admin FROM reps WHERE role = current_user AND removed_at IS NULL")
    ).first()
    if found is None or not found[1]:
        who = f"{found[0]} ({server.login.user})" if found else server.login.user
        raise TeamError(
            f"only an admin rep may add or remove reps, and {who} is not one: ask your admin"
        )
    if not _current_user(c)[1]:
        raise TeamError(
            f"adding or removing a rep creates or drops a database role, and {found[0]}'s "
            f"own login ({server.login.user}) may not (no rep's role may: docs/team.md): "
            "run it with the login that set the team up (the database's owner)"
        )
    return str(found[0])


def add_rep(url_text: str, email: str, name: str, *, admin: bool = False) -> NewRep:
    """Create a LOGIN role for a new rep, with a generated password, in the rep group (and
    the admin group with ``admin``), and their row in ``reps``. Only an admin may."""
    from psycopg import sql

    email = clean_rep_email(email)
    name = clean_rep_name(name)
    server = connect(url_text)
    with _writing(server) as c:
        check_version(c, server)
        rep_group, admin_group = _require_team(c, server)
        by = _require_admin(c, server)
        c.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _REPS_LOCK})
        existing = c.execute(
            text("SELECT role, removed_at FROM reps WHERE email = :email"), {"email": email}
        ).first()
        if existing is not None and existing[1] is None:
            raise TeamError(f"{email} is already a rep (role {existing[0]}); nothing changed")
        role = role_name_for(email, _role_names(c))
        password = generate_password()
        options = sql.SQL("LOGIN")  # never CREATEROLE: see _require_admin
        _ddl(
            c,
            server,
            sql.SQL("CREATE ROLE {} {} PASSWORD {}").format(
                sql.Identifier(role), options, sql.Literal(_scram(c, role, password))
            ),
        )
        for group in (rep_group, admin_group) if admin else (rep_group,):
            _ddl(
                c,
                server,
                sql.SQL("GRANT {} TO {}").format(sql.Identifier(group), sql.Identifier(role)),
            )
        values = {
            "email": email,
            "name": name,
            "role": role,
            "admin": admin,
            "at": _now(),
            "by": by,
        }
        if existing is None:
            c.execute(
                text(
                    "INSERT INTO reps (email, name, role, is_admin, created_at, created_by) "
                    "VALUES (:email, :name, :role, :admin, :at, :by)"
                ),
                values,
            )
        else:  # a rep removed before, back: a new role, the same row (history names them)
            c.execute(
                text(
                    "UPDATE reps SET name = :name, role = :role, is_admin = :admin, "
                    "created_at = :at, created_by = :by, removed_at = NULL "
                    "WHERE email = :email"
                ),
                values,
            )
    return NewRep(email, name, role, password, admin)


def remove_rep(url_text: str, email: str) -> Rep:
    """Revoke a rep: drop their role (they can no longer log in) and mark their row
    removed (it stays, so the history still names them). Only an admin may; not oneself."""
    from psycopg import sql

    email = clean_rep_email(email)
    server = connect(url_text)
    with _writing(server) as c:
        _require_team(c, server)
        me = _require_admin(c, server)
        c.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _REPS_LOCK})
        row = c.execute(
            text(
                "SELECT email, name, role, is_admin, created_at, removed_at FROM reps "
                "WHERE email = :email"
            ),
            {"email": email},
        ).first()
        if row is None or row[5] is not None:
            raise TeamError(f"{email} is not a rep of this team; nothing changed")
        if email == me:
            raise TeamError("you cannot remove yourself: ask another admin")
        owns = c.execute(
            text(
                "SELECT count(*) FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba "
                "WHERE r.rolname = :role"
            ),
            {"role": row[2]},
        ).scalar_one()
        if owns:  # DROP ROLE would fail, listing every database it owns on the server
            raise TeamError(
                f"{email} logs in as {row[2]}, which owns this database: it cannot be removed "
                "as a rep (the server's administrator can hand the database to another role "
                "first); nothing changed"
            )
        _ddl(c, server, sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(row[2])))
        removed_at = _now()
        c.execute(
            text("UPDATE reps SET removed_at = :at, is_admin = FALSE WHERE email = :email"),
            {"at": removed_at, "email": email},
        )
    return Rep(str(row[0]), str(row[1]), str(row[2]), bool(row[3]), str(row[4]), removed_at)


def list_reps(url_text: str, *, include_removed: bool = False) -> list[Rep]:
    server = connect(url_text)
    with plain_errors(server.where, server.login), server.engine.connect() as c:
        check_version(c, server)
        _require_team(c, server)
        rows = c.execute(
            text(
                "SELECT email, name, role, is_admin, created_at, removed_at FROM reps "
                "ORDER BY removed_at IS NOT NULL, email"
            )
        )
        reps = [Rep(str(r[0]), str(r[1]), str(r[2]), bool(r[3]), str(r[4]), r[5]) for r in rows]
    return [r for r in reps if include_removed or r.removed_at is None]


def check_login(url_text: str, password: str) -> Server:
    """Connect with ``password`` (typed at ``team login``): it works, or one line says why
    not. The schema need not be there yet (the owner logs in before ``team init``)."""
    server = connect(url_text, password=password)
    with plain_errors(server.where, server.login), server.engine.connect() as c:
        check_version(c, server)
    server.engine.dispose()
    return server
