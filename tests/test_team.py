"""A team store on a real PostgreSQL server: connecting, setting up, adding and revoking reps.

Each test gets a database of its own, owned by a role of its own that logs in with a
password (as an agency's admin would on a managed server); the suite's cluster trusts only
its superuser, so every other password is really checked. The keyring is the suite's
in-memory one. The CLI runs in-process, as ``nurture`` would.
"""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from fakes.memory_keyring import MemoryKeyring
from nurture_tui.config import settings_path
from nurture_tui.store.opening import open_store
from team_helpers import TeamDatabase, add_rep, one_line_error, set_up

# team_db, memory_keyring and nurture: fixtures shared with the other team-store tests.
pytest_plugins = ["team_helpers"]

# ----------------------------------------------------------------------------- connect


def test_a_password_in_the_url_goes_to_the_keyring_and_never_to_config(
    team_db: TeamDatabase, memory_keyring: MemoryKeyring, nurture: object
) -> None:
    run = nurture  # type: ignore[assignment]
    secret = team_db.password
    saved = run("config", "set", "store_url", team_db.url(password=secret))  # type: ignore[operator]
    assert secret not in saved.both and "moved to your keyring" in saved.err
    assert secret.encode() not in settings_path().read_bytes()
    assert team_db.url().encode() in settings_path().read_bytes()
    entry = f"store:{team_db.owner}@{team_db.host}:{team_db.port}/{team_db.name}"
    assert memory_keyring.secrets[("nurture", entry)] == secret
    for argv in (["config", "show"], ["config", "get", "store_url"], ["config", "show", "--json"]):
        assert secret not in run(*argv).both  # type: ignore[operator]
    run("config", "set", "rep_email", "boss@agency.org")  # type: ignore[operator]
    done = run("team", "init")  # type: ignore[operator]
    assert "boss@agency.org is its first admin" in done.out
    listed = json.loads(run("team", "reps", "--json").out)  # type: ignore[operator]
    assert listed["reps"] == [
        {
            "email": "boss@agency.org",
            "name": "",
            "role": team_db.owner,
            "admin": True,
            "added": listed["reps"][0]["added"],
        }
    ]
    assert secret not in done.both


def test_the_env_url_with_a_password_is_used_but_never_shown(
    team_db: TeamDatabase,
    memory_keyring: MemoryKeyring,
    nurture: object,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run = nurture  # type: ignore[assignment]
    set_up(nurture, team_db)
    monkeypatch.setenv("NURTURE_STORE_URL", team_db.url(password=team_db.password))
    memory_keyring.secrets.clear()
    assert run("partner", "list").code == 0  # type: ignore[operator]
    shown = run("config", "show").out  # type: ignore[operator]
    assert team_db.password not in shown and team_db.url() in shown


def test_pgpassword_works_when_the_keyring_has_none(
    team_db: TeamDatabase,
    memory_keyring: MemoryKeyring,
    nurture: object,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run = nurture  # type: ignore[assignment]
    set_up(nurture, team_db)
    memory_keyring.secrets.clear()
    monkeypatch.setenv("PGPASSWORD", team_db.password)
    run("partner", "add", "Mercy Hospital", "--kind", "hospital")  # type: ignore[operator]
    monkeypatch.delenv("PGPASSWORD")
    pgpass = Path(str(settings_path().parent)) / "pgpass"
    pgpass.write_text(
        f"{team_db.host}:{team_db.port}:{team_db.name}:{team_db.owner}:{team_db.password}\n"
    )
    pgpass.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    assert "Mercy Hospital" in run("partner", "list").out  # type: ignore[operator]


def test_login_checks_the_password_and_keeps_it_logout_forgets_it(
    team_db: TeamDatabase, memory_keyring: MemoryKeyring, nurture: object
) -> None:
    run = nurture  # type: ignore[assignment]
    run("config", "set", "store_url", team_db.url())  # type: ignore[operator]
    wrong = run("team", "login", "--password-stdin", ok=False, stdin="not-it\n")  # type: ignore[operator]
    one_line_error(wrong, f"wrong password for {team_db.owner} on {team_db.host}:{team_db.port}")
    assert "not-it" not in wrong.both and not memory_keyring.secrets
    done = run("team", "login", "--password-stdin", stdin=team_db.password + "\n")  # type: ignore[operator]
    assert f"logged in as {team_db.owner}" in done.out and team_db.password not in done.both
    assert list(memory_keyring.secrets.values()) == [team_db.password]
    run("config", "set", "rep_email", "boss@agency.org")  # type: ignore[operator]
    run("team", "init")  # type: ignore[operator]
    assert "forgot the password" in run("team", "logout").out  # type: ignore[operator]
    assert not memory_keyring.secrets


def test_a_wrong_password_in_the_url_is_one_line(
    team_db: TeamDatabase,
    memory_keyring: MemoryKeyring,
    nurture: object,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run = nurture  # type: ignore[assignment]
    monkeypatch.setenv("NURTURE_STORE_URL", team_db.url(password="Wr0ng-Pa55"))
    for argv in (["partner", "list"], ["team", "reps"]):
        result = run(*argv, ok=False)  # type: ignore[operator]
        one_line_error(result, f"wrong password for {team_db.owner}")
        assert "Wr0ng-Pa55" not in result.both
    as_json = run("partner", "list", "--json", ok=False)  # type: ignore[operator]
    document = json.loads(as_json.out)
    assert set(document) == {"error"} and "wrong password" in document["error"]["message"]
    assert "Wr0ng-Pa55" not in as_json.both


def test_an_unreachable_server_is_one_line(
    memory_keyring: MemoryKeyring, nurture: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pg_server import free_port

    run = nurture  # type: ignore[assignment]
    port = free_port()  # nobody listens there
    monkeypatch.setenv("NURTURE_STORE_URL", f"postgresql://alex:Secr3t@127.0.0.1:{port}/agency")
    result = run("partner", "list", ok=False)  # type: ignore[operator]
    one_line_error(result, f"cannot reach the team database at 127.0.0.1:{port}", "refused")
    assert "Secr3t" not in result.both


def test_a_database_without_the_schema_is_not_set_up_silently(
    team_db: TeamDatabase, memory_keyring: MemoryKeyring, nurture: object
) -> None:
    run = nurture  # type: ignore[assignment]
    run("config", "set", "store_url", team_db.url(password=team_db.password))  # type: ignore[operator]
    for argv in (
        ["partner", "list"],
        ["team", "reps"],
        ["team", "add-rep", "a@x.org", "--name", "A"],
    ):
        result = run(*argv, ok=False)  # type: ignore[operator]
        one_line_error(result, "is not set up as a team store: run `nurture team init`")
        assert team_db.password not in result.both
    with team_db.connect(team_db.owner, team_db.password) as c:
        tables = c.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()
    assert tables == (0,), "nothing was created"


def test_an_older_schema_still_migrates_on_open(
    team_db: TeamDatabase, memory_keyring: MemoryKeyring, nurture: object
) -> None:
    from sqlalchemy import create_engine, text

    from nurture_tui.store.migrate import HEAD

    run = nurture  # type: ignore[assignment]
    set_up(nurture, team_db)
    engine = create_engine(
        make_url(team_db.url(password=team_db.password)).set(drivername="postgresql+psycopg")
    )
    with engine.begin() as c:  # as a store from before 0006 (and 0007) would be
        c.execute(text("DROP FUNCTION nurture_move_version() CASCADE"))  # (0008)
        c.execute(text("ALTER TABLE partners DROP COLUMN version"))
        c.execute(text("ALTER TABLE contacts DROP COLUMN version"))
        c.execute(text("ALTER TABLE touchpoints DROP COLUMN reps"))  # (0009)
        c.execute(text("DROP FUNCTION nurture_attribute_rep() CASCADE"))
        for table in ("partners", "contacts", "touchpoints", "referrals"):
            c.execute(text(f"ALTER TABLE {table} DROP COLUMN created_by, DROP COLUMN changed_by"))
        c.execute(text("DROP TABLE reps, team"))
        c.execute(text("UPDATE alembic_version SET version_num = '0005'"))
    run("partner", "list")  # type: ignore[operator]
    with engine.connect() as c:
        assert c.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD
    engine.dispose()


def test_too_old_a_server_is_refused_saying_the_version(
    team_db: TeamDatabase,
    memory_keyring: MemoryKeyring,
    nurture: object,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run = nurture  # type: ignore[assignment]
    set_up(nurture, team_db)
    monkeypatch.setattr("nurture_tui.store.server.MIN_SERVER_VERSION", 990000)
    result = run("partner", "list", ok=False)  # type: ignore[operator]
    one_line_error(result, "runs PostgreSQL 1", "needs PostgreSQL 99 or newer")


# -------------------------------------------------------------------------- team init


def test_team_init_twice_says_it_was_set_up_and_changes_nothing(
    team_db: TeamDatabase, memory_keyring: MemoryKeyring, nurture: object
) -> None:
    run = nurture  # type: ignore[assignment]
    set_up(nurture, team_db)
    run("partner", "add", "Mercy Hospital", "--kind", "hospital")  # type: ignore[operator]
    run("config", "set", "rep_email", "someone.else@agency.org")  # type: ignore[operator]
    again = run("team", "init", "--json")  # type: ignore[operator]
    document = json.loads(again.out)
    assert document["created"] is False and document["admin"] == "boss@agency.org"
    assert "Mercy Hospital" in run("partner", "list").out  # type: ignore[operator]
    reps = json.loads(run("team", "reps", "--json").out)["reps"]  # type: ignore[operator]
    assert [r["email"] for r in reps] == ["boss@agency.org"], "no second admin slipped in"


def test_team_init_without_rep_email_is_one_line(
    team_db: TeamDatabase, memory_keyring: MemoryKeyring, nurture: object
) -> None:
    run = nurture  # type: ignore[assignment]
    run("config", "set", "store_url", team_db.url(password=team_db.password))  # type: ignore[operator]
    one_line_error(run("team", "init", ok=False), "rep_email", "nurture config set rep_email")  # type: ignore[operator]


def test_team_init_refuses_a_database_holding_something_else(
    team_db: TeamDatabase, memory_keyring: MemoryKeyring, nurture: object
) -> None:
    run = nurture  # type: ignore[assignment]
    with team_db.connect(team_db.owner, team_db.password) as c:
        c.execute("CREATE TABLE invoices (id int)")
    run("config", "set", "store_url", team_db.url(password=team_db.password))  # type: ignore[operator]
    run("config", "set", "rep_email", "boss@agency.org")  # type: ignore[operator]
    one_line_error(run("team", "init", ok=False), "already holds other tables (invoices)")  # type: ignore[operator]


def test_team_commands_on_the_local_store_say_a_team_store_is_needed(nurture: object) -> None:
    run = nurture  # type: ignore[assignment]
    for argv in (
        ["team", "init"],
        ["team", "reps"],
        ["team", "login"],
        ["team", "add-rep", "a@x.org", "--name", "A"],
    ):
        one_line_error(run(*argv, ok=False), "nurture config set store_url")  # type: ignore[operator]


# ---------------------------------------------------------------------------- the reps


HOSTILE_EMAILS = [
    "o'brien@x.org",
    '"bob"@x.org',
    'a";DROP/**/TABLE/**/partners;--@x.org',
    "josé.núñez@exámple.org",
    "r" * 200 + "@x.org",
]


def test_hostile_emails_get_safe_roles_that_log_in_and_cannot_drop_a_table(
    team_db: TeamDatabase, memory_keyring: MemoryKeyring, nurture: object
) -> None:
    run = nurture  # type: ignore[assignment]
    set_up(nurture, team_db)
    run("partner", "add", "Mercy Hospital", "--kind", "hospital")  # type: ignore[operator]
    for email in HOSTILE_EMAILS:
        added = add_rep(run, email)
        assert added["rep"] == email.lower()
        role, password = str(added["role"]), str(added["password"])
        assert len(role.encode()) <= 63 and len(password) >= 24
        with team_db.connect(role, password) as c:
            assert c.execute("SELECT name FROM partners").fetchall() == [("Mercy Hospital",)]
            assert c.execute("SELECT current_user").fetchone() == (role,)
            for statement in (
                "DROP TABLE partners",
                "UPDATE reps SET is_admin = TRUE",
                "CREATE TABLE mine (id int)",
                "ALTER TABLE partners ADD COLUMN x int",
            ):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    c.execute(statement)
    with team_db.connect(team_db.owner, team_db.password) as c:
        assert c.execute("SELECT count(*) FROM partners").fetchone() == (1,)
    reps = json.loads(run("team", "reps", "--json").out)["reps"]  # type: ignore[operator]
    assert sorted(r["email"] for r in reps) == sorted(
        ["boss@agency.org", *(e.lower() for e in HOSTILE_EMAILS)]
    )


def test_a_duplicate_rep_is_one_line_whatever_its_case(
    team_db: TeamDatabase, memory_keyring: MemoryKeyring, nurture: object
) -> None:
    run = nurture  # type: ignore[assignment]
    set_up(nurture, team_db)
    first = add_rep(run, "o'brien@x.org")
    again = run("team", "add-rep", "O'Brien@X.ORG", "--name", "Again", ok=False)  # type: ignore[operator]
    one_line_error(again, "o'brien@x.org is already a rep", str(first["role"]))


def test_a_rep_writes_as_themselves_and_cannot_add_reps(
    team_db: TeamDatabase,
    memory_keyring: MemoryKeyring,
    nurture: object,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    run = nurture  # type: ignore[assignment]
    set_up(nurture, team_db)
    owner_repo = open_store(tmp_path / "owner", url=team_db.url())
    assert owner_repo.actor == "boss@agency.org"
    owner_repo.close()
    added = add_rep(run, "ann@agency.org")
    monkeypatch.setenv("NURTURE_STORE_URL", str(added["store_url"]))
    run("team", "login", "--password-stdin", stdin=f"{added['password']}\n")  # type: ignore[operator]
    repo = open_store(tmp_path / "ann", url=str(added["store_url"]))
    assert repo.actor == "ann@agency.org"
    repo.close()
    run("partner", "add", "Mercy Hospital", "--kind", "hospital")  # type: ignore[operator]
    refused = run("team", "add-rep", "eve@agency.org", "--name", "Eve", ok=False)  # type: ignore[operator]
    one_line_error(refused, "only an admin rep may add or remove reps", "ann@agency.org")
    with team_db.connect(team_db.owner, team_db.password) as c:
        assert c.execute("SELECT count(*) FROM reps WHERE email = 'eve@agency.org'").fetchone() == (
            0,
        )


def test_no_rep_s_role_can_create_roles_so_none_reaches_the_server_s_shell(
    team_db: TeamDatabase,
    memory_keyring: MemoryKeyring,
    nurture: object,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An admin rep's role has no CREATEROLE: before PostgreSQL 16 it could grant itself
    pg_execute_server_program and run a shell on the server (a hostile tester did). Reps
    are added and removed with the owner's login; the admin's own is told so in one line."""
    run = nurture  # type: ignore[assignment]
    set_up(nurture, team_db)
    manager = add_rep(run, "mia@agency.org", "--admin")
    assert manager["admin"] is True
    with team_db.connect(str(manager["role"]), str(manager["password"])) as c:
        row = c.execute(
            "SELECT rolcreaterole, rolsuper FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
        assert row == (False, False)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            c.execute(f'GRANT pg_execute_server_program TO "{manager["role"]}"')
    with monkeypatch.context() as as_mia:
        as_mia.setenv("NURTURE_STORE_URL", str(manager["store_url"]))
        run("team", "login", "--password-stdin", stdin=f"{manager['password']}\n")  # type: ignore[operator]
        refused = run("team", "add-rep", "ann@agency.org", "--name", "Ann", ok=False)  # type: ignore[operator]
        one_line_error(refused, "the login that set the team up")
    rep = add_rep(run, "ann@agency.org")  # the owner's login
    with team_db.connect(str(rep["role"]), str(rep["password"])) as c:
        assert c.execute("SELECT count(*) FROM partners").fetchone() == (0,)
    run("team", "remove-rep", "ann@agency.org")  # type: ignore[operator]
    with pytest.raises(psycopg.OperationalError):
        team_db.connect(str(rep["role"]), str(rep["password"]))


def test_a_revoked_rep_is_told_in_one_line(
    team_db: TeamDatabase,
    memory_keyring: MemoryKeyring,
    nurture: object,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run = nurture  # type: ignore[assignment]
    set_up(nurture, team_db)
    added = add_rep(run, "ann@agency.org")
    role = str(added["role"])
    with monkeypatch.context() as as_ann:
        as_ann.setenv("NURTURE_STORE_URL", str(added["store_url"]))
        run("team", "login", "--password-stdin", stdin=f"{added['password']}\n")  # type: ignore[operator]
        run("partner", "list")  # type: ignore[operator]
    removed = run("team", "remove-rep", "ann@agency.org")  # type: ignore[operator]
    assert f"role {role} dropped" in removed.out
    monkeypatch.setenv("NURTURE_STORE_URL", str(added["store_url"]))
    for argv in (["partner", "list"], ["log", "--partner", "x", "--kind", "call"]):
        result = run(*argv, ok=False)  # type: ignore[operator]
        one_line_error(
            result, f"access revoked for {role} on {team_db.host}:{team_db.port}", "ask your admin"
        )
        assert str(added["password"]) not in result.both
    listed = json.loads(run("team", "reps", "--all", "--json", ok=False).out)  # type: ignore[operator]
    assert "access revoked" in listed["error"]["message"]


def test_removing_a_rep_keeps_their_row_and_they_can_come_back(
    team_db: TeamDatabase, memory_keyring: MemoryKeyring, nurture: object
) -> None:
    run = nurture  # type: ignore[assignment]
    set_up(nurture, team_db)
    first = add_rep(run, "ann@agency.org")
    run("team", "remove-rep", "ann@agency.org")  # type: ignore[operator]
    everyone = json.loads(run("team", "reps", "--all", "--json").out)["reps"]  # type: ignore[operator]
    assert [r["email"] for r in everyone if "removed" in r] == ["ann@agency.org"]
    active = json.loads(run("team", "reps", "--json").out)["reps"]  # type: ignore[operator]
    assert [r["email"] for r in active] == ["boss@agency.org"]
    back = add_rep(run, "ann@agency.org")
    with team_db.connect(str(back["role"]), str(back["password"])) as c:
        assert c.execute("SELECT current_user").fetchone() == (back["role"],)
    assert back["role"] != first["role"] or back["password"] != first["password"]
    one_line_error(run("team", "remove-rep", "boss@agency.org", ok=False), "cannot remove yourself")  # type: ignore[operator]
