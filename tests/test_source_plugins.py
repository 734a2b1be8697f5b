"""Sources are plugins: a third party's source, installed by an entry point, gets everything.

The in-memory example (``fakes/memory_source.py``) ships in no distribution of ours: each
test installs it the way pip would — a ``*.dist-info`` with an ``entry_points.txt`` in a
directory on ``sys.path`` — and it then gets ``nurture auth memory``, ``nurture sync
memory``, its settings checked by ``nurture config``, and runs the same contract as the
four that ship (``sync_contract.py``).
"""

from __future__ import annotations

import ast
import json
import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import keyring
import pytest

from cli_runner import Nurture
from fakes import memory_source
from fakes.memory_keyring import MemoryKeyring
from nurture_tui import cli
from nurture_tui.config import Settings, check_setting, setting_keys
from nurture_tui.domain.errors import NotFoundError, ValidationError
from nurture_tui.services import records
from nurture_tui.services import sync as service
from nurture_tui.services.session import Session
from nurture_tui.store.opening import open_store
from nurture_tui.sync.contract import SignInRequired, SourceError
from nurture_tui.sync.runner import run_sync
from nurture_tui.sync.sources import load_plugin
from sync_contract import NOW, SourcePluginContract, SyncSourceContract, World

TESTS = Path(__file__).parent
ROOT = TESTS.parent


def install(site: Path, distribution: str, entry_points: dict[str, str]) -> Path:
    """A distribution's metadata as pip leaves it, with its ``nurture_tui.sources`` entry
    points (the code itself is importable from ``tests/``)."""
    info = site / f"{distribution.replace('-', '_')}-0.1.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {distribution}\nVersion: 0.1\n", encoding="utf-8"
    )
    lines = "".join(f"{name} = {target}\n" for name, target in entry_points.items())
    (info / "entry_points.txt").write_text(f"[nurture_tui.sources]\n{lines}", encoding="utf-8")
    return site


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The memory source installed for this test (and gone after it)."""
    directory = install(
        tmp_path / "site", "nurture-memory", {"memory": "fakes.memory_source:plugin"}
    )
    monkeypatch.syspath_prepend(str(directory))
    memory_source.ACCOUNTS.clear()
    return directory


@pytest.fixture
def vault() -> Iterator[MemoryKeyring]:
    backend = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def make_session(tmp_path: Path, **options: object) -> tuple[Session, str, str]:
    settings = Settings(
        rep_email="alex@homecare.example",
        agency_domain="homecare.example",
        timezone="America/Chicago",
        sources={f"memory_{k}": v for k, v in options.items()},
    )
    session = Session(open_store(tmp_path / "store"), settings, lambda: NOW)
    mercy = records.add_partner(session, "Mercy General", "hospital", domains=["mercy.org"])
    records.add_contact(session, mercy.id, "Sam Ortiz", emails=["sam@mercy.org"])
    hope = records.add_partner(session, "Hope Hospice", "hospice", domains=["hopehospice.org"])
    records.add_contact(session, hope.id, "Nora Baker", emails=["nora@hopehospice.org"])
    return session, mercy.id, hope.id


class Scripted:
    """Prompts answered by the test, remembering what was asked."""

    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)
        self.asked: list[str] = []
        self.said: list[str] = []

    def say(self, text: str) -> None:
        self.said.append(text)

    def ask(self, question: str, *, secret: bool = False) -> str:
        self.asked.append(question)
        return self.answers.pop(0)


# --- the contract, for the example and the four that ship ------------------------------------


class TestMemoryContract(SyncSourceContract):
    """The sync half, with the source reached only through its entry point."""

    @pytest.fixture
    def world(self, site: Path, vault: MemoryKeyring, tmp_path: Path) -> World:
        session, mercy, hope = make_session(tmp_path, account="alex")
        said = service.sign_in(session, "memory", Scripted("secret"))
        assert said == "memory password stored in the keyring"
        server = memory_source.account("alex")

        def fail_next(status: int) -> None:
            server.failing = 1

        return World(
            session=session,
            source=lambda: service.load_source(session, "memory"),
            add_meeting=server.add_meeting,
            remove_meeting=server.remove_meeting,
            send_mail=server.send_mail,
            fail_next=fail_next,
            mercy_id=mercy,
            hope_id=hope,
        )


class PluginFixtures:
    @pytest.fixture
    def keyring(self, vault: MemoryKeyring) -> MemoryKeyring:
        return vault

    @pytest.fixture
    def session(self, tmp_path: Path) -> Session:
        return make_session(tmp_path)[0]


class TestMemoryPlugin(PluginFixtures, SourcePluginContract):
    name = "memory"

    @pytest.fixture(autouse=True)
    def _installed(self, site: Path) -> None:
        """The example is installed for each of these tests."""


class TestGooglePlugin(PluginFixtures, SourcePluginContract):
    name = "google"


class TestOutlookPlugin(PluginFixtures, SourcePluginContract):
    name = "outlook"


class TestCalDavPlugin(PluginFixtures, SourcePluginContract):
    name = "caldav"


class TestImapPlugin(PluginFixtures, SourcePluginContract):
    name = "imap"


# --- the example, end to end -------------------------------------------------------------------


def test_its_options_are_settings_only_while_it_is_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "memory_account" not in setting_keys()
    monkeypatch.syspath_prepend(
        str(install(tmp_path / "site", "nurture-memory", {"memory": "fakes.memory_source:plugin"}))
    )
    assert {"memory_account", "memory_page_size", "memory_server"} <= set(setting_keys())
    assert check_setting("memory_page_size", "25") == 25
    with pytest.raises(ValidationError, match="between 1 and 1000"):
        check_setting("memory_page_size", "0")
    with pytest.raises(ValidationError, match="https"):
        check_setting("memory_server", "javascript:alert(1)")
    with pytest.raises(ValidationError, match="control characters"):
        check_setting("memory_account", "alex\u202eevil")


def test_signing_in_asks_once_stores_in_its_own_keyring_entry_and_connects(
    site: Path, vault: MemoryKeyring, tmp_path: Path
) -> None:
    session, _, _ = make_session(tmp_path, account="alex")
    prompts = Scripted("secret")
    service.sign_in(session, "memory", prompts)
    assert prompts.asked == [
        "memory password for alex (an app-specific one for iCloud or Fastmail): "
    ]
    assert vault.secrets == {("nurture", "memory"): "secret"}, "its own entry, nobody else's"
    assert service.configured_sources(session) == ["memory"]
    assert service.sign_in_status(session, "memory").connected


def test_an_empty_password_stores_nothing(site: Path, vault: MemoryKeyring, tmp_path: Path) -> None:
    session, _, _ = make_session(tmp_path, account="alex")
    with pytest.raises(SourceError, match="no password given"):
        service.sign_in(session, "memory", Scripted(""))
    assert vault.secrets == {} and service.configured_sources(session) == []


def test_a_wrong_password_ends_in_the_report_not_a_traceback(
    site: Path, vault: MemoryKeyring, tmp_path: Path
) -> None:
    session, _, _ = make_session(tmp_path, account="alex")
    service.sign_in(session, "memory", Scripted("wrong"))
    with pytest.raises(SignInRequired, match="nurture auth memory"):
        service.load_source(session, "memory")


def test_the_source_is_handed_its_own_options_and_never_the_store(
    site: Path, vault: MemoryKeyring, tmp_path: Path
) -> None:
    session, _, _ = make_session(tmp_path, account="alex", page_size=7)
    plugin = load_plugin("memory")
    context = service.source_context(session, plugin)
    assert dict(context.options) == {"account": "alex", "page_size": 7, "server": ""}
    assert context.now() == NOW and context.window == (
        NOW - timedelta(days=365),
        NOW + timedelta(days=92),
    )
    held = [getattr(context, f) for f in context.__dataclass_fields__]
    assert session.repo not in held and session not in held
    with pytest.raises(ValidationError, match="memory has no --browser option"):
        service.source_context(session, plugin, overrides={"browser": True})
    with pytest.raises(ValidationError, match="--page-size: must be between 1 and 1000"):
        service.source_context(session, plugin, overrides={"page_size": "5000"})


def test_the_cli_signs_in_checks_syncs_and_signs_out_of_the_example(
    site: Path,
    vault: MemoryKeyring,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("NURTURE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("NURTURE_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("NURTURE_TIMEZONE", "America/Chicago")
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "secret")

    def run(*argv: str) -> tuple[int, object]:
        code = cli.main([*argv, "--json"])
        out = capsys.readouterr().out
        return code, json.loads(out)

    assert cli.main(["config", "set", "memory_account", "alex"]) == 0
    capsys.readouterr()
    assert run("auth", "memory") == (0, {"source": "memory", "connected": True})
    assert run("auth", "memory", "--status") == (0, {"source": "memory", "connected": True})
    memory_source.account("alex").add_meeting(
        "m1", ["sam@example.org"], "Check-in", NOW.replace(year=2026)
    )
    code, reports = run("sync", "memory")
    assert code == 0 and isinstance(reports, list)
    assert reports[0]["source"] == "memory" and reports[0]["status"] == "ok"
    code, listed = run("sources")
    assert isinstance(listed, list)
    [memory] = [s for s in listed if s["name"] == "memory"]
    assert memory["entry_point"] == "fakes.memory_source:plugin" and memory["connected"]
    assert memory["distribution"] == "nurture-memory"
    assert {o["key"]: o["required"] for o in memory["options"]} == {
        "memory_account": True,
        "memory_page_size": False,
        "memory_server": False,
    }
    assert run("auth", "memory", "--logout") == (0, {"source": "memory", "connected": False})
    assert vault.secrets == {}
    assert run("auth", "memory", "--status") == (0, {"source": "memory", "connected": False})


# --- hostile: typos, broken plugins, no terminal ----------------------------------------------


@pytest.fixture
def nurture(site: Path, tmp_path: Path) -> Nurture:
    """The real command in a subprocess, with the example installed and a memory keyring."""
    path = os.pathsep.join([str(site), str(TESTS)])
    return Nurture(
        tmp_path / "home",
        tmp_path / "config",
        env={"PYTHONPATH": path, "PYTHON_KEYRING_BACKEND": "fakes.memory_keyring.MemoryKeyring"},
    )


def test_a_typo_in_a_source_name_gets_did_you_mean_in_one_line(nurture: Nurture) -> None:
    result = nurture("auth", "memroy", ok=False)
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert "did you mean `memory`?" in line and "google" in line and "zoom" in line
    result = nurture("sync", "memroy", ok=False)
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert "did you mean memory?" in line
    assert not (nurture.home / "sync-status.json").exists(), "a typo is not a failed run"


def test_sign_in_without_its_settings_says_which_and_how_in_one_line(nurture: Nurture) -> None:
    result = nurture("auth", "memory", ok=False)
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert "memory needs memory_account set first" in line
    assert 'nurture config set memory_account "…"' in line


def test_its_settings_are_checked_by_nurture_config(nurture: Nurture) -> None:
    for value, words in (("0", "between 1 and 1000"), ("many", "whole number")):
        result = nurture("config", "set", "memory_page_size", value, ok=False)
        assert result.returncode == 1
        [line] = result.stderr.strip().splitlines()
        assert line.startswith("nurture: error: memory_page_size: ") and words in line
    result = nurture("config", "set", "memory_account", "alex\x1b]0;pwned\x07", ok=False)
    assert result.returncode == 1 and "\x1b" not in result.stderr
    nurture("config", "set", "memory_account", "alex")
    shown = nurture.json("config", "show")
    assert isinstance(shown, dict)
    by_key = {s["key"]: s for s in shown["settings"]}
    assert by_key["memory_account"] == {"key": "memory_account", "value": "alex", "source": "file"}
    assert by_key["memory_page_size"]["value"] == 50
    result = nurture("config", "set", "memory_acount", "x", ok=False)
    assert "did you mean memory_account?" in result.stderr


def test_a_password_is_not_asked_for_without_a_terminal(nurture: Nurture) -> None:
    nurture("config", "set", "memory_account", "alex")
    result = nurture("auth", "memory", ok=False)
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert "run it in a terminal" in line


def test_a_broken_or_misnamed_plugin_is_listed_with_why_and_breaks_nothing(
    site: Path, nurture: Nurture
) -> None:
    install(
        site,
        "nurture-broken",
        {
            "broken": "fakes.memory_source:no_such_thing",
            "notaplugin": "fakes.memory_source:MemoryAccount",
            "impostor": "fakes.memory_source:plugin",  # says it is "memory"
            "needsargs": "fakes.memory_source:MemorySource",  # a class it cannot make
            "Evil\u202eName": "fakes.memory_source:plugin",
        },
    )
    listed = nurture.json("sources")
    assert isinstance(listed, list)
    problems = {s["name"]: s["problem"] for s in listed}
    assert problems["memory"] is None
    assert "failed to load (AttributeError" in problems["broken"]
    assert "not a source plugin" in problems["notaplugin"]
    assert "calls itself 'memory'" in problems["impostor"]
    assert "failed to load (TypeError" in problems["needsargs"]
    assert "lower-case letters" in problems["Evil?Name"], "shown, never raw"
    text = nurture("sources").stdout
    assert "broken: cannot be used" in text and "\u202e" not in text
    result = nurture("auth", "broken", ok=False)
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert "the broken source cannot be used" in line
    nurture("config", "set", "memory_account", "alex")  # the others still work


# --- the seams themselves -----------------------------------------------------------------------


def imports_of(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_sources_never_import_the_services_and_the_ui_never_imports_the_cli() -> None:
    sources = [*(ROOT / "integrations").rglob("*.py"), TESTS / "fakes" / "memory_source.py"]
    assert len(sources) >= 9
    for path in sources:
        assert not any(m.startswith("nurture_tui.services") for m in imports_of(path)), path
    for path in (ROOT / "src" / "nurture_tui" / "ui").rglob("*.py"):
        assert not any(m == "nurture_tui.cli" for m in imports_of(path)), path
    for path in (ROOT / "src" / "nurture_tui" / "sync").rglob("*.py"):
        assert not any(m.startswith("nurture_tui.services") for m in imports_of(path)), path


def test_a_plugin_class_is_made_once_like_a_harlequin_adapter(
    site: Path, vault: MemoryKeyring, tmp_path: Path
) -> None:
    install(site, "nurture-memory-class", {"memclass": "fakes.memory_source:MemoryClassPlugin"})
    assert isinstance(load_plugin("memclass"), memory_source.MemoryClassPlugin)
    session, _, _ = make_session(tmp_path)
    assert "nurture auth memclass" in service.sign_in_status(session, "memclass").detail


def test_sync_runs_a_source_it_was_handed_with_the_runner_holding_the_store(
    site: Path, vault: MemoryKeyring, tmp_path: Path
) -> None:
    session, mercy, _ = make_session(tmp_path, account="alex")
    service.sign_in(session, "memory", Scripted("secret"))
    memory_source.account("alex").add_meeting("m1", ["sam@mercy.org"], "Check-in", NOW)
    report = run_sync(session, service.load_source(session, "memory"))
    assert report.status == "ok" and report.created == 1
    assert [t.source for t in session.repo.touchpoints(mercy)] == ["memory"]


def test_an_unknown_source_names_the_installed_ones(site: Path, tmp_path: Path) -> None:
    session, _, _ = make_session(tmp_path)
    with pytest.raises(NotFoundError, match=r"did you mean memory\?.*installed: caldav, google"):
        service.load_source(session, "memori")
    assert "memory" in service.sign_in_names() and "zoom" in service.sign_in_names()
