"""The Nurture TUI: wires screens to the services. All store work runs in thread workers."""

from __future__ import annotations

import contextlib
import gc
import threading
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import ClassVar, Literal

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.worker import Worker, WorkerState, get_current_worker

from nurture_tui.domain.errors import NurtureError
from nurture_tui.domain.playbook.config import Playbook
from nurture_tui.services.board import BoardData, LiveBoard
from nurture_tui.services.fill_actions import fill_in_child
from nurture_tui.services.invites import complete_past_planned
from nurture_tui.services.playbook import effective_playbook
from nurture_tui.services.session import Session, open_session
from nurture_tui.store.database import ServerUnreachableError
from nurture_tui.ui.commands import NurtureCommands
from nurture_tui.ui.messages import BoardLoaded, StoreChanged, SyncFinished
from nurture_tui.ui.use_cases import UseCases

#: How often the app looks for writes by another process (a cheap stat of two files).
WATCH_SECONDS = 2.0
#: How long the listener blocks between looks at whether the app is closing.
LISTEN_SECONDS = 1.0

#: Where the playbook's pass over uncached partners runs (see ``NurtureApp``).
ColdPass = Literal["process", "thread"]


def _settle_the_heap() -> None:
    """Move what the board holds (5,000 cards, 20,000 actions) out of the garbage
    collector's sight. Each full collection otherwise walked all of it again, now and then
    in the middle of a key's redraw (~150 ms spikes at 5,000 partners); they are acyclic
    and die only when a later board replaces them, which refcounting frees. The collection
    first means no garbage is ever frozen, and it is cheap after the first time: frozen
    objects are not walked again."""
    gc.collect()
    gc.freeze()


def _yield_to_ui() -> None:
    """Between steps of a long pass in a worker: give the UI thread the interpreter, so a
    key pressed meanwhile is answered now rather than after the pass."""
    time.sleep(0.004)


class NurtureApp(UseCases, App[None]):
    """Partner board, agenda and partner pages for a referral-relationship rep."""

    TITLE = "Nurture"
    SUB_TITLE = "referral partners"
    CSS_PATH = "nurture.tcss"
    COMMANDS = App.COMMANDS | {NurtureCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("b", "show_board", "Board", id="app.board"),
        Binding("g", "show_agenda", "Agenda", id="app.agenda"),
        Binding("R", "show_reports", "Reports", id="app.reports"),
        Binding("y", "show_sync", "Sync", id="app.sync"),
        # Not in the footer (it would crowd every screen's): `?` and the palette name it.
        Binding("T", "show_team", "Team", show=False, id="app.team"),
        Binding("u", "undo", "Undo", id="app.undo"),
        Binding("ctrl+t", "toggle_dark", "Theme", id="app.theme"),
        Binding("ctrl+r", "reload", "Reload", show=False, id="app.reload"),
    ]

    board: reactive[BoardData | None] = reactive(None, always_update=True)
    #: A team store's view on the board and the agenda: every rep's partners (True) or the
    #: rep's own (False, the default). One setting for both screens: `e` on either.
    everyone: reactive[bool] = reactive(False)
    #: Why the team database cannot be reached ("" when it can): the app is read-only.
    read_only: reactive[str] = reactive("")

    def __init__(
        self,
        session: Session,
        *,
        playbook: Playbook | None = None,
        today: date | None = None,
        watch_seconds: float | None = WATCH_SECONDS,
        notices: list[str] | None = None,
        offer_details: bool = False,
        cold_pass: ColdPass = "thread",
    ) -> None:
        """``offer_details``: on a first run (no config.toml, details missing) ask for the
        rep's details once the board is up — ``run()`` turns it on; tests opt in.

        ``cold_pass``: where the playbook's pass over partners the action cache lacks runs
        (a new day, a first start): ``"process"`` (``run()``) computes it in a child
        process, so this process's interpreter stays free for keys; ``"thread"`` computes
        it here, a step at a time (tests, and the fallback if the child fails).
        """
        super().__init__()
        self.session = session
        self._notices = list(notices or [])
        if playbook is None:  # read the playbook file once, here
            loaded = effective_playbook()
            playbook, self._playbook_problem = loaded.playbook, loaded.problem
        else:
            self._playbook_problem = None
        self.playbook = playbook
        self.fixed_today = today
        self.live: LiveBoard | None = None
        self._cold_pass = cold_pass
        #: Held while the live board is filled or updated (in memory, never across I/O of
        #: the network): a fill and an update never interleave their writes to it.
        self._board_work = threading.Lock()
        self._planned_checked: datetime | None = None
        self._first_paint = threading.Event()
        self._watch_seconds = watch_seconds
        self._last_revision = -1
        self._offer_details = offer_details

    @property
    def today(self) -> date:
        return self.fixed_today or self.session.today()

    def on_mount(self) -> None:
        from nurture_tui.ui.screens.board import BoardScreen

        self.push_screen(BoardScreen())
        self.reload_board()
        if self._playbook_problem:
            self.notify(self._playbook_problem, title="Playbook", severity="warning", timeout=10)
        for notice in self._notices:  # a store migration, said once
            self.notify(notice, title="Store", timeout=15, markup=False)
        if self._watch_seconds:
            self.daily_backup()
            self.set_interval(self._watch_seconds, self.check_store)
            self.listen_for_colleagues()
            minutes = self.session.settings.sync_every_minutes
            if minutes > 0:  # mutt/khal habit: the open app keeps itself current
                self.set_interval(minutes * 60, self._background_sync)

    # ------------------------------------------------------------- data flow
    @work(thread=True, exclusive=True, group="board", exit_on_error=False)
    def reload_board(self) -> None:
        """Build the board afresh, off the UI thread: every card first (grouped queries),
        then every partner's actions from the action cache, the rest computed."""
        worker = get_current_worker()
        self._complete_past_planned()
        with self._board_work:
            live = LiveBoard(self.session, self.playbook, self.today)
            quick = live.quick()
            self.live = live
        self._first_paint.clear()
        self.post_message(BoardLoaded(quick))
        self._first_paint.wait(timeout=2.0)  # let the UI thread paint before the fill
        if worker.is_cancelled:
            return
        with self._board_work:
            if self._cold_pass == "process":
                data = live.fill(_yield_to_ui, compute=False)
                if not live.complete and fill_in_child(self.session, self.playbook, self.today):
                    data = live.fill(_yield_to_ui, compute=False)
            if not live.complete:
                data = live.fill(_yield_to_ui)
        if not worker.is_cancelled:
            self.post_message(BoardLoaded(data))

    def board_changed(self) -> None:
        """The store changed under the board (a write of ours landed, another process
        wrote): bring it up to date — only the partners whose history moved.

        Every use case's "it happened" message ends here."""
        self.update_board()

    @work(thread=True, group="board-update", exit_on_error=False)
    def update_board(self) -> None:
        live = self.live
        if live is None:
            return
        if live.today != self.today:  # a new day: every action moves, so start over
            self.call_from_thread(self.reload_board)
            return
        revision = self.session.repo.revision  # before reading: a later write looks again
        with self._board_work:
            if live is not self.live:
                return
            updated = live.update()
        if updated is None:  # nothing on the board moved (a sync cursor, a state entry)
            self._last_revision = revision
        else:
            self.post_message(BoardLoaded(updated[0]))

    def _complete_past_planned(self) -> None:
        """Planned meetings whose time has passed become done: at start, then at most once
        a minute from the store watcher (an indexed read; a write only when one is due)."""
        now = self.session.now()
        if self._planned_checked and now - self._planned_checked < timedelta(minutes=1):
            return
        self._planned_checked = now
        complete_past_planned(self.session)

    @work(thread=True, exclusive=True, group="backup", exit_on_error=False)
    def daily_backup(self) -> None:
        """A rotating backup once a day while the app is open (off the UI thread)."""
        from nurture_tui.services.maintenance import daily_backup

        daily_backup(self.session)

    def on_board_loaded(self, message: BoardLoaded) -> None:
        self._last_revision = message.data.revision
        self.board = message.data
        self.call_after_refresh(self._first_paint.set)
        if message.data.complete:
            self.call_after_refresh(_settle_the_heap)
        if self._offer_details and message.data.complete:
            self._offer_details = False  # once; an empty store's welcome screen asks itself
            if message.data.cards:
                from nurture_tui.ui.screens.details import offer_on_first_run

                offer_on_first_run(self)

    @work(thread=True, exclusive=True, group="watch", exit_on_error=False)
    def check_store(self) -> None:
        """Pick up another process's writes (a background sync) and a new day; the board
        then follows only the partners that changed."""
        try:
            self._complete_past_planned()
            changed = self.session.repo.refresh()
            revision = self.session.repo.revision
        except ServerUnreachableError as error:
            self.call_from_thread(self._server_away, str(error))
            return
        if self.read_only:
            self.call_from_thread(self._server_back)
        new_day = self.live is not None and self.live.today != self.today
        if changed or new_day or revision != self._last_revision:
            self.post_message(StoreChanged(revision))

    def _server_away(self, reason: str) -> None:
        """The team database stopped answering: keep the last loaded board, say so once,
        and refuse writes at once (``UseCases._change``) until it answers again."""
        if not self.read_only:
            self.notify(
                f"{reason}. The board is the last one loaded; changes are refused until the "
                "database answers again.",
                title="Team database unreachable — read-only",
                severity="warning",
                timeout=12,
                markup=False,
            )
        self.read_only = reason

    def _server_back(self) -> None:
        self.read_only = ""
        self.notify("The team database answers again: changes are saved as before.")
        self.listen_for_colleagues()  # the listener ended with the connection
        self.board_changed()

    @work(thread=True, exclusive=True, group="listen", exit_on_error=False)
    def listen_for_colleagues(self) -> None:
        """On a team store, hear a colleague's write as it commits (LISTEN/NOTIFY) and pick
        it up at once, rather than at the next poll. A lost connection ends this quietly:
        the poll goes on, and a StoreError from it says what is wrong."""
        try:
            listener = self.session.repo.change_listener()
        except NurtureError:
            return  # the server is away: the poll says so, and this starts again with the app
        if listener is None:
            return
        worker = get_current_worker()
        try:
            while not worker.is_cancelled:
                if listener.wait(LISTEN_SECONDS):
                    self.call_from_thread(self.check_store)
        except NurtureError:
            return
        finally:
            listener.close()

    def on_store_changed(self, message: StoreChanged) -> None:
        self.board_changed()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place worker failures become plain-words notifications."""
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        if isinstance(error, NurtureError):
            self.notify(
                str(error), title="Could not do that", severity="error", timeout=8, markup=False
            )
        else:
            self.log.error(repr(error))
            self.notify(
                f"Something went wrong ({type(error).__name__}); nothing was lost. "
                "Try again, and report it if it keeps happening.",
                severity="error",
                timeout=10,
            )

    # --------------------------------------------------------------- actions
    def action_reload(self) -> None:
        self.reload_board()

    def action_help(self) -> None:
        """Help, built the first time it is asked for and then kept: its Markdown page of
        every key takes a quarter of a second to build, and showing it again is instant."""
        from nurture_tui.ui.screens.help import HelpScreen

        if not self.is_screen_installed("help"):
            self.install_screen(HelpScreen(), "help")
        if not isinstance(self.screen, HelpScreen):
            self.push_screen("help")

    def action_show_board(self) -> None:
        from nurture_tui.ui.screens.board import BoardScreen

        while not isinstance(self.screen, BoardScreen) and len(self.screen_stack) > 2:
            self.pop_screen()

    def action_show_agenda(self) -> None:
        from nurture_tui.ui.screens.agenda import AgendaScreen

        if not isinstance(self.screen, AgendaScreen):
            self.push_screen(AgendaScreen())

    def action_show_reports(self) -> None:
        from nurture_tui.ui.screens.reports import ReportsScreen

        if not isinstance(self.screen, ReportsScreen):
            self.push_screen(ReportsScreen())

    def action_show_sync(self) -> None:
        from nurture_tui.ui.screens.sync import SyncScreen

        if not isinstance(self.screen, SyncScreen):
            self.push_screen(SyncScreen())

    def action_show_team(self) -> None:
        """The manager's view: each rep's week or month (a team store)."""
        from nurture_tui.ui.screens.team import TeamScreen

        if not isinstance(self.screen, TeamScreen):
            self.push_screen(TeamScreen())

    def action_show_details(self) -> None:
        """Your details (name, email, agency, zone, video link, daily plan): config.toml."""
        from nurture_tui.ui.screens.details import DetailsScreen

        if not isinstance(self.screen, DetailsScreen):
            self.push_screen(DetailsScreen())

    @work(thread=True, exclusive=True, group="sync", exit_on_error=False)
    def sync_now(self, announce: bool = True) -> None:
        """Sync every connected source in a child process; the board follows after.

        ``announce=False`` (the timer) stays quiet unless something arrived or failed.
        The child (``services.sync_child``) does the sync's Python work, so it never takes
        the interpreter lock from the UI thread; this worker only waits, holding no lock:
        the store's own transactions (one a page) serialise the child with the app's
        writes. Cancelling this worker stops the child; the pages it stored stay.
        """
        from nurture_tui.services import sync as sync_service
        from nurture_tui.services.sync_child import sync_in_child

        names = sync_service.configured_sources(self.session)
        if not names:
            if announce:
                self.post_message(
                    SyncFinished(toast="No source is connected yet: press A on a source.")
                )
            return
        worker = get_current_worker()
        reports = sync_in_child(self.session, names, cancelled=lambda: worker.is_cancelled)
        if reports is None:  # no child process here: sync in this worker instead
            reports = []
            for name in names:
                try:
                    source = sync_service.load_source(self.session, name)
                    reports.append(sync_service.sync(self.session, source).as_json())
                except NurtureError as exc:  # recorded, and the other sources still run
                    reports.append(sync_service.setup_failed(self.session, name, exc).as_json())
        summaries = [
            f"{r['source']}: {r['new']} new, {r['updated']} updated"
            if r["status"] == "ok"
            else f"{r['source']}: {r['message']}"
            for r in reports
        ]
        quiet = not announce and all(s.endswith(": 0 new, 0 updated") for s in summaries)
        self.post_message(SyncFinished(toast="" if quiet else "; ".join(summaries)))

    def _background_sync(self) -> None:
        if self.workers and any(w.group == "sync" and w.is_running for w in self.workers):
            return  # the last one is still going
        self.sync_now(announce=False)

    def sign_in(self, source: str) -> None:
        """Suspend the TUI, run the source's own ``authenticate`` in the terminal (browser,
        device code or a password typed there), then come back to the same screen."""
        from nurture_tui.services import sync as sync_service

        with self.suspend():
            print(f"Signing in to {source}… (Ctrl+C to go back)")
            with contextlib.suppress(KeyboardInterrupt):
                try:
                    said = sync_service.sign_in(
                        self.session, source, sync_service.TerminalPrompts(source)
                    )
                except NurtureError as exc:  # not signed in: say why, in its words
                    said = f"nurture: {exc}"
                print(said)
            with contextlib.suppress(KeyboardInterrupt, EOFError):
                input("Press Enter to return to Nurture. ")
        self.board_changed()

    def open_partner(self, partner_id: str) -> None:
        from nurture_tui.ui.screens.partner import PartnerScreen

        self.push_screen(PartnerScreen(partner_id))

    def toggle_everyone(self) -> None:
        """Switch a team store's board and agenda between my partners and everyone's."""
        self.everyone = not self.everyone

    def action_toggle_dark(self) -> None:
        self.theme = "textual-light" if self.theme == "textual-dark" else "textual-dark"


def run(data_dir: Path | str | None = None) -> int:
    """Start the TUI (``nurture`` / ``nurture tui``); store errors are raised before it starts."""
    notices: list[str] = []
    session = open_session(data_dir, notices=notices)
    NurtureApp(session, notices=notices, offer_details=True, cold_pass="process").run()
    return 0
