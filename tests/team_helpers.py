"""What the team-store tests share: a database of its own on the suite's PostgreSQL server
(owned by a role with a password, as an agency's admin on a managed server), the in-memory
keyring, the CLI run in-process, and setting up a team and adding reps through it.

Use it from a test module with::

    from team_helpers import memory_keyring, nurture, team_db  # noqa: F401
    from pg_server import postgres_url  # noqa: F401
"""

from __future__ import annotations

import io
import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass

import keyring
import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

from fakes.memory_keyring import MemoryKeyring
from nurture_tui import cli
from pg_server import postgres_url  # noqa: F401


@dataclass(frozen=True)
class TeamDatabase:
    """A database owned by ``owner`` (CREATEROLE, a password), on the test server."""

    host: str
    port: int
    name: str
    owner: str
    password: str

    def url(self, user: str | None = None, password: str | None = None) -> str:
        who = user or self.owner
        secret = f":{password}" if password else ""
        return f"postgresql://{who}{secret}@{self.host}:{self.port}/{self.name}"

    def connect(self, user: str, password: str) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(
            host=self.host,
            port=self.port,
            dbname=self.name,
            user=user,
            password=password,
            autocommit=True,
            connect_timeout=5,
        )


def _superuser(postgres_url: str) -> psycopg.Connection[tuple[object, ...]]:  # noqa: F811
    conninfo = make_url(postgres_url).set(drivername="postgresql").render_as_string(False)
    return psycopg.connect(conninfo, autocommit=True, connect_timeout=10)


@pytest.fixture
def team_db(postgres_url: str) -> Iterator[TeamDatabase]:  # noqa: F811
    token = secrets.token_hex(4)
    owner, name, password = f"owner_{token}", f"agency_{token}", secrets.token_urlsafe(12)
    with _superuser(postgres_url) as admin:
        admin.execute(
            sql.SQL("CREATE ROLE {} LOGIN CREATEROLE PASSWORD {}").format(
                sql.Identifier(owner), sql.Literal(password)
            )
        )
        admin.execute(
            sql.SQL("CREATE DATABASE {} OWNER {}").format(
                sql.Identifier(name), sql.Identifier(owner)
            )
        )
    url = make_url(postgres_url)
    yield TeamDatabase(str(url.host), int(url.port or 5432), name, owner, password)
    with _superuser(postgres_url) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def both(self) -> str:
        return self.out + self.err


@pytest.fixture
def nurture(capsys: pytest.CaptureFixture[str]) -> object:
    def run(*argv: str, ok: bool = True, stdin: str | None = None) -> Result:
        if stdin is not None:
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr("sys.stdin", io.StringIO(stdin))
                code = cli.main(list(argv))
        else:
            code = cli.main(list(argv))
        captured = capsys.readouterr()
        result = Result(code, captured.out, captured.err)
        assert "Traceback" not in result.both and "inside Nurture" not in result.both, result
        if ok:
            assert code == 0, result.both
        return result

    return run


def one_line_error(result: Result, *fragments: str) -> None:
    assert result.code == 1, result.both
    assert result.out == "" and result.err.count("\n") == 1, result.both
    for fragment in fragments:
        assert fragment in result.err, result.err


def set_up(nurture: object, db: TeamDatabase, *, email: str = "boss@agency.org") -> None:
    """The owner's store_url (password into the keyring), rep_email, and team init."""
    run = nurture  # type: ignore[assignment]
    run("config", "set", "store_url", db.url(password=db.password))  # type: ignore[operator]
    run("config", "set", "rep_email", email)  # type: ignore[operator]
    run("config", "set", "rep_name", "Pat Boss")  # type: ignore[operator]
    run("team", "init")  # type: ignore[operator]


def add_rep(run: object, email: str, *extra: str) -> dict[str, object]:
    result = run("team", "add-rep", email, "--name", "A Rep", "--json", *extra)  # type: ignore[operator]
    document: dict[str, object] = json.loads(result.out)
    return document
