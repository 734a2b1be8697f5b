"""Sync: a row per installed source (its last run, counts and problems in plain words, with
the fix), and the people found in meetings and mail who match no contact, to assign or
ignore. A source installed by a third party's entry point gets its row like the four that
ship: nothing here names one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Header, Label, Static
from textual.worker import get_current_worker

from nurture_tui.services import sync as service
from nurture_tui.ui.base import nurture
from nurture_tui.ui.widgets.footer import SteadyFooter
from nurture_tui.ui.widgets.tables import fill_table

FIXES = {
    "SignInRequired": "press A to sign in again",
    "SourceOffline": "offline — will retry on the next sync",
    "SourceUnavailable": "the service kept failing — press S to try again later",
    "KeyringUnavailable": "no keyring for the token — see `nurture auth` in a terminal",
}


SOURCE_COLUMNS = (
    "Source",
    "Connected",
    "Last run",
    "New",
    "Updated",
    "Removed",
    "Unmatched",
    "Status",
)
PEOPLE_COLUMNS = ("Email", "Seen", "Last seen", "Source")


@dataclass(frozen=True)
class SyncView:
    sources: list[dict[str, Any]]
    people: list[service.UnmatchedPerson]


def _idle(row: dict[str, Any]) -> str:
    """The status of a source that has not run: what stands in its way, if anything."""
    if row["broken"]:
        return "cannot be used"
    if row["needs"]:
        return "needs " + ", ".join(row["needs"])
    return "not run yet"


class SyncScreen(Screen[None]):
    @dataclass
    class StatusLoaded(Message):
        """The sources' status and the people to triage, read in a worker."""

        view: SyncView

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("S", "sync_now", "Sync now", id="sync.now"),
        Binding("A", "sign_in", "Sign in", id="sync.sign_in"),
        Binding("a", "assign", "Assign person", id="sync.assign"),
        Binding("x", "ignore", "Ignore person", id="sync.ignore"),
        Binding("escape", "app.pop_screen", "Back", id="sync.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.view: SyncView | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="sync"):
            yield Label("Sources", classes="section-title")
            yield DataTable(id="sources", cursor_type="row")
            yield Static("", id="sync-problem")
            yield Label(
                "People to triage (met or mailed with a partner, no contact yet)",
                classes="section-title",
            )
            yield DataTable(id="people", cursor_type="row")
        yield SteadyFooter()

    def on_mount(self) -> None:
        fill_table(self.query_one("#sources", DataTable), SOURCE_COLUMNS, [])
        fill_table(self.query_one("#people", DataTable), PEOPLE_COLUMNS, [])
        # One load now; later ones when the board changes (a sync or a write landed).
        self.watch(self.app, "board", self._board_changed, init=False)
        self.load()

    def _board_changed(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="sync-view", exit_on_error=False)
    def load(self) -> None:
        app = nurture(self)
        status = service.read_status(app.session)
        connected = set(service.configured_sources(app.session))
        rows = [
            {
                "name": s.name,
                "connected": s.name in connected,
                "broken": s.problem,
                "needs": service.unset_options(app.session, s.plugin) if s.plugin else [],
                **status.get(s.name, {}),
            }
            for s in service.installed_sources()
        ]
        people = service.unmatched_people(app.session)
        # A superseded load (exclusive group) keeps running as a thread: it must not paint
        # over the newer one's result.
        if not get_current_worker().is_cancelled:
            self.post_message(self.StatusLoaded(SyncView(rows, people)))

    @on(StatusLoaded)
    def _show(self, message: StatusLoaded) -> None:
        view = message.view
        self.view = view
        rows: list[list[str]] = []
        problems = []
        for row in view.sources:
            status = row.get("status", "")
            state = "ok" if status == "ok" else (FIXES.get(status, status) or _idle(row))
            rows.append(
                [
                    row["name"],
                    "yes" if row["connected"] else "no",
                    str(row.get("at", "never"))[:16].replace("T", " "),
                    str(row.get("new", "")),
                    str(row.get("updated", "")),
                    str(row.get("removed", "")),
                    str(row.get("unmatched", "")),
                    state,
                ]
            )
            if status and status != "ok":
                problems.append(f"[b]{row['name']}[/]: {escape(str(row.get('message', '')))}")
            elif row["broken"]:
                problems.append(f"[b]{row['name']}[/]: cannot be used: {escape(row['broken'])}")
            problems += [
                f"[b]{row['name']}[/]: ⚠ {escape(str(w))}" for w in row.get("warnings", [])
            ]
        fill_table(self.query_one("#sources", DataTable), SOURCE_COLUMNS, rows)
        self.query_one("#sync-problem", Static).update("\n".join(problems))
        fill_table(
            self.query_one("#people", DataTable),
            PEOPLE_COLUMNS,
            [[p.email, str(p.count), p.last_seen[:10], p.source] for p in view.people],
        )

    def _selected_source(self) -> str | None:
        table = self.query_one("#sources", DataTable)
        if self.view is None or not self.view.sources:
            return None
        return str(self.view.sources[min(table.cursor_row, len(self.view.sources) - 1)]["name"])

    def _selected_person(self) -> str | None:
        table = self.query_one("#people", DataTable)
        if self.view is None or not self.view.people:
            return None
        return self.view.people[min(table.cursor_row, len(self.view.people) - 1)].email

    def action_sync_now(self) -> None:
        nurture(self).sync_now()

    def action_sign_in(self) -> None:
        name = self._selected_source()
        if name is None or self.view is None:
            return
        row = next(r for r in self.view.sources if r["name"] == name)
        if row["broken"]:
            self.notify(f"{name} cannot be used: {row['broken']}", severity="error", markup=False)
        elif row["needs"]:  # said here, before the screen gives way to the terminal
            keys = " and ".join(row["needs"])
            self.notify(
                f"{name} needs {keys} set first: nurture config set {row['needs'][0]} …",
                severity="warning",
                markup=False,
            )
        else:
            nurture(self).sign_in(name)  # the terminal's, while the app is suspended
            self.load()  # connected now (or not): the row says so

    def action_ignore(self) -> None:
        email = self._selected_person()
        if email is None:
            return
        nurture(self).ignore_person(email)

    def action_assign(self) -> None:
        email = self._selected_person()
        if email is None:
            return
        from nurture_tui.ui.screens.assign_person import AssignPersonForm

        self.app.push_screen(AssignPersonForm(email))
