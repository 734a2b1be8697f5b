"""What a hostile tester found in the team store (issue 15), each kept fixed.

A password given as libpq's ``?password=`` parameter, ``team login`` with no terminal or a
password that is not text, a damaged laptop store pushed into the agency's, and a server
that stops answering mid-command (no TCP keepalives: the CLI waited forever).
"""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

import pytest

from fakes.memory_keyring import MemoryKeyring
from nurture_tui.config import settings_path
from nurture_tui.domain.errors import ValidationError
from nurture_tui.domain.kinds import PartnerKind
from nurture_tui.domain.model import Partner
from nurture_tui.store.opening import open_store
from nurture_tui.store.team_url import KEEPALIVES, connection_url, split_password
from team_helpers import ANN, Result, TeamDatabase, one_line_error, seed_team, set_up

pytest_plugins = ["team_helpers"]


def test_a_password_as_a_url_parameter_goes_to_the_keyring_too(
    team_db: TeamDatabase, memory_keyring: MemoryKeyring, nurture: object
) -> None:
    run = nurture  # type: ignore[assignment]
    secret = team_db.password
    with_parameter = f"{team_db.url()}?password={secret}"
    assert split_password(with_parameter) == (team_db.url(), secret)
    saved = run("config", "set", "store_url", with_parameter)  # type: ignore[operator]
    assert secret.encode() not in settings_path().read_bytes()
    assert secret not in saved.both
    for argv in (["config", "show"], ["config", "show", "--json"]):
        assert secret not in run(*argv).both  # type: ignore[operator]
    run("config", "set", "rep_email", "boss@agency.org")  # type: ignore[operator]
    run("team", "init")  # type: ignore[operator]  # it logs in with the kept password


def test_team_login_without_a_terminal_or_with_a_password_that_is_not_text(
    team_db: TeamDatabase,
    memory_keyring: MemoryKeyring,
    nurture: object,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run = nurture  # type: ignore[assignment]
    run("config", "set", "store_url", team_db.url())  # type: ignore[operator]
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # cron, CI: no terminal
    result: Result = run("team", "login", ok=False)  # type: ignore[operator]
    one_line_error(result, "no terminal", "--password-stdin")
    for typed, words in (("ab\x00cd\n", "NUL"), ("p@ss\udce9\n", "not valid UTF-8")):
        result = run("team", "login", "--password-stdin", ok=False, stdin=typed)  # type: ignore[operator]
        one_line_error(result, words)
    assert memory_keyring.secrets == {}


def test_a_damaged_laptop_store_is_never_pushed(
    team_db: TeamDatabase,
    memory_keyring: MemoryKeyring,
    nurture: object,
    tmp_path: Path,
) -> None:
    run = nurture  # type: ignore[assignment]
    set_up(nurture, team_db)
    laptop = tmp_path / "laptop"
    local = open_store(laptop)
    local.save(
        *(
            Partner(id=f"p{i:04d}", name=f"Partner {i}", kind=PartnerKind.HOSPITAL)
            for i in range(300)
        )
    )
    local.close()
    database = laptop / "nurture.db"
    # An index's page scribbled over: reading the tables still works (a push would have
    # gone through), SQLite's own check finds it.
    with sqlite3.connect(database) as db:
        page_size = db.execute("PRAGMA page_size").fetchone()[0]
        root = db.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'ix_partners_history_rev'"
        ).fetchone()[0]
    data = bytearray(database.read_bytes())
    start = (root - 1) * page_size
    data[start + 8 : start + page_size] = b"\xde\xad" * ((page_size - 8) // 2)
    database.write_bytes(bytes(data))
    result: Result = run("team", "push", "--from", str(laptop), ok=False)  # type: ignore[operator]
    one_line_error(result, "damaged")
    listed = json.loads(run("team", "reps", "--json").out)  # type: ignore[operator]
    assert listed["reps"]  # the team store is as it was, and answers
    repo = open_store(tmp_path / "check", url=team_db.url(password=team_db.password))
    assert repo.partners() == []
    repo.close()


def test_a_server_that_stops_answering_is_noticed_not_waited_for_forever() -> None:
    url = connection_url("postgresql://ann@db.agency.org/agency")
    for key, value in KEEPALIVES.items():
        assert url.query[key] == value
    assert int(url.query["tcp_user_timeout"]) <= 60_000
    assert url.query["sslmode"] == "require"


@pytest.mark.parametrize(
    "address",
    [
        "postgresql://ann@localhost/agency?host=db.example.org",
        "postgresql://ann@localhost/agency?hostaddr=203.0.113.7",
        "postgresql://ann@localhost/agency?host=localhost,db.example.org",
    ],
)
def test_a_remote_host_hidden_in_the_query_still_gets_tls(address: str) -> None:
    """libpq lets ?host= and ?hostaddr= override the address's host: a hostile tester's
    fake server got a password in clear that way."""
    assert connection_url(address).query["sslmode"] == "require"
    with pytest.raises(ValidationError, match=r"unencrypted to (db\.example\.org|203\.0\.113\.7)"):
        split_password(f"{address}&sslmode=disable")


def test_the_demo_and_an_import_never_replace_a_team_store_s_records(
    team_db: TeamDatabase,
    memory_keyring: MemoryKeyring,
    nurture: object,
    tmp_path: Path,
) -> None:
    """Any rep once wiped the agency's records with `demo --force` or `import tinydb
    --replace` (no undo: the history went too; no backup: a server has none)."""
    run = nurture  # type: ignore[assignment]
    set_up(nurture, team_db)
    run("partner", "add", "Mercy General", "--kind", "hospital")  # type: ignore[operator]
    laptop = tmp_path / "laptop"
    local = open_store(laptop)
    local.save(Partner(id="p1", name="Elsewhere", kind=PartnerKind.HOSPITAL))
    local.close()
    export = tmp_path / "other.json"
    run("--data-dir", str(laptop), "export", str(export))  # type: ignore[operator]
    for argv in (
        ["demo", "--force", "--partners", "5", "--touchpoints", "10"],
        ["import", "tinydb", "--replace", str(export)],
    ):
        result: Result = run(*argv, ok=False)  # type: ignore[operator]
        one_line_error(result, "team's shared database", "nothing was")
    repo = open_store(tmp_path / "check", url=team_db.url(password=team_db.password))
    assert [p.name for p in repo.partners()] == ["Mercy General"]
    repo.close()


@pytest.mark.parametrize(
    "address",
    [
        "postgresql://ann:hunter@2@db.example.org/agency",  # an unencoded @ in the password
        "postgresql://ann:pw@db.example.org/agen\x00cy",
    ],
)
def test_an_address_that_cannot_be_read_one_way_is_refused(address: str) -> None:
    with pytest.raises(ValidationError) as refused:
        split_password(address)
    assert "hunter" not in str(refused.value) and "2@" not in str(refused.value)


def test_check_and_restore_say_a_team_store_is_its_server_s_to_check_and_restore(
    nurture: object, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    run = nurture  # type: ignore[assignment]
    monkeypatch.setenv("NURTURE_HOME", str(tmp_path))
    monkeypatch.setenv("NURTURE_STORE_URL", "postgresql://ann@localhost:1/agency")
    for argv, words in ((["check"], "it is checked by its server"), (["restore"], "restored")):
        result: Result = run(*argv, ok=False)  # type: ignore[operator]
        one_line_error(result, "PostgreSQL database", words)


def test_a_rep_with_no_partners_of_their_own_is_not_told_everyone_is_on_cadence(
    team_db: TeamDatabase,
    memory_keyring: MemoryKeyring,
    nurture: object,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run = nurture  # type: ignore[assignment]
    urls = seed_team(run, team_db, monkeypatch)
    run("partner", "add", "Boss Hospital", "--kind", "hospital")  # type: ignore[operator]
    monkeypatch.setenv("NURTURE_STORE_URL", urls[ANN])
    said = run("next").out  # type: ignore[operator]
    assert said.strip() == "Nothing to do for your partners (--everyone: every rep's)."
    assert "Boss Hospital" in run("next", "--everyone").out  # type: ignore[operator]
