"""The Sync screen lists every installed source — a third party's too — and A signs in through
the source's own ``authenticate`` (the TUI suspended around it), never through the CLI."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import keyring
import pytest
from textual.widgets import DataTable

from fakes import memory_source
from fakes.memory_keyring import MemoryKeyring
from nurture_tui.services import sync as sync_service
from nurture_tui.ui.app import NurtureApp
from test_source_plugins import install

from .helpers import make_app, settle


@pytest.fixture
def vault(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    """The memory example installed by its entry point, and an in-memory keyring."""
    site = install(tmp_path / "site", "nurture-memory", {"memory": "fakes.memory_source:plugin"})
    monkeypatch.syspath_prepend(str(site))
    memory_source.ACCOUNTS.clear()
    backend = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


class Terminal:
    """The suspended app's terminal, as the test plays it: answers, and what was shown."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, app: NurtureApp, *answers: str) -> None:
        self.answers = list(answers)
        self.asked: list[str] = []
        self.suspended = 0
        terminal = self

        @contextlib.contextmanager
        def suspend() -> Iterator[None]:
            terminal.suspended += 1
            yield

        class Prompts:
            def __init__(self, name: str) -> None:
                self.name = name

            def say(self, text: str) -> None:
                terminal.asked.append(text)

            def ask(self, question: str, *, secret: bool = False) -> str:
                terminal.asked.append(question)
                return terminal.answers.pop(0)

        monkeypatch.setattr(app, "suspend", suspend)
        monkeypatch.setattr(sync_service, "TerminalPrompts", Prompts)
        monkeypatch.setattr("builtins.input", lambda prompt="": "")


def source_rows(app: NurtureApp) -> dict[str, list[str]]:
    table = app.screen.query_one("#sources", DataTable)
    rows = [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]
    return {row[0]: row for row in rows}


async def select_source(app: NurtureApp, name: str) -> None:
    table = app.screen.query_one("#sources", DataTable)
    table.focus()
    table.move_cursor(row=list(source_rows(app)).index(name))


async def test_an_installed_source_gets_a_row_that_says_what_it_needs(
    tmp_path: Path, vault: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(tmp_path)
    terminal = Terminal(monkeypatch, app)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        rows = source_rows(app)
        assert list(rows) == ["caldav", "google", "imap", "memory", "outlook"]
        assert rows["memory"][1] == "no" and rows["memory"][-1] == "needs memory_account"
        assert rows["google"][-1] == "not run yet"
        await select_source(app, "memory")
        await pilot.press("A")
        await settle(pilot)
        assert terminal.suspended == 0, "nothing to sign in with yet: the screen stays"
        [note] = app._notifications
        assert "memory needs memory_account set first" in note.message
        assert vault.secrets == {}


async def test_sign_in_runs_the_sources_authenticate_and_the_row_says_connected(
    tmp_path: Path, vault: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(tmp_path)
    settings = app.session.settings
    app.session.settings = replace(settings, sources={"memory_account": "alex"})
    terminal = Terminal(monkeypatch, app, "secret")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert source_rows(app)["memory"][-1] == "not run yet"
        await select_source(app, "memory")
        await pilot.press("A")
        await settle(pilot)
        assert terminal.suspended == 1
        assert terminal.asked == [
            "memory password for alex (an app-specific one for iCloud or Fastmail): "
        ]
        assert vault.secrets == {("nurture", "memory"): "secret"}
        assert source_rows(app)["memory"][1] == "yes"
        assert app.screen.__class__.__name__ == "SyncScreen", "back where the rep was"


async def test_a_failed_sign_in_comes_back_unchanged(
    tmp_path: Path,
    vault: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    app = make_app(tmp_path)
    app.session.settings = replace(app.session.settings, sources={"memory_account": "alex"})
    terminal = Terminal(monkeypatch, app, "")  # Enter without a password
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        await select_source(app, "memory")
        await pilot.press("A")
        await settle(pilot)
        assert terminal.suspended == 1
        assert vault.secrets == {} and source_rows(app)["memory"][1] == "no"
    # Said in the terminal (printed while suspended), in the source's words.
    assert "nurture: no password given; nothing was stored" in capfd.readouterr().out
