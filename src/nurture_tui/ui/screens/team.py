"""Team (``T``): the manager's view of a team store — per rep, this week or this month, the
touches they logged by kind, the overdue actions on their partners, the referrals their
partners sent, their partners going quiet, and the compliance warnings they saved through.

The figures are ``nurture team report``'s (one service, ``services/team_report.py``), read
by the app's ``load_team_report`` worker: the screen says "Loading…" until it posts
``TeamReportLoaded``, and says why in place of the table when it posts
``TeamReportUnavailable`` (a rep's own store has no team; the team database is away). It
reads again when the board moves (a write of the rep's, a colleague's heard through the
store's listener), when the database answers again, and on ``ctrl+r``.

A row per rep, name and email both (two reps may share a name), and a total row; the
line under the table tells the highlighted rep's whole story: every kind of touch, and
the partners going quiet by name.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import ClassVar, Literal

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from nurture_tui.domain.errors import NurtureError
from nurture_tui.services.team_report import NotATeamStore, RepSummary, TeamReport, monday_of
from nurture_tui.store.database import ServerUnreachableError
from nurture_tui.ui.base import nurture
from nurture_tui.ui.messages import TeamReportLoaded, TeamReportUnavailable
from nurture_tui.ui.widgets.footer import SteadyFooter
from nurture_tui.ui.widgets.tables import Cell, fill_table

Period = Literal["week", "month"]

COLUMNS = ("Rep", "Email", "Touches", "Overdue", "Referrals", "Quiet", "Overrides", "By kind")
#: The total row's key (a rep's row is keyed by their email, which has an @).
TOTAL = "total"
#: How many kinds the table's "By kind" shows; the line under the table shows them all.
KINDS_IN_TABLE = 3

NEEDS_TEAM_STORE = (
    "The Team screen needs a team store (`nurture config set store_url …`, then "
    "`nurture team init`; docs/team.md): on your own store, R (reports) covers you."
)


def period_start(period: Period, today: date) -> date:
    """The first day a period counts: this week's Monday, or the 1st of this month."""
    return monday_of(today) if period == "week" else today.replace(day=1)


def by_kind(touches: Counter[str], most: int | None = None) -> str:
    """ "3 call, 2 email, 1 gift": the kinds, most logged first (``most``: only that
    many, then "…" if there are more)."""
    ranked = sorted(touches.items(), key=lambda item: (-item[1], item[0]))
    shown = ranked if most is None else ranked[:most]
    words = ", ".join(f"{count} {kind}" for kind, count in shown)
    if len(ranked) > len(shown):
        words += ", …"
    return words or "—"


def _count(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _number(count: int, *, bold: bool = False) -> Text:
    return Text(f"{count:,}", justify="right", style="bold" if bold else "")


def _figures(
    touches: Counter[str], overdue: int, referrals: int, quiet: int, overrides: int, bold: bool
) -> list[Cell]:
    return [
        _number(sum(touches.values()), bold=bold),
        _number(overdue, bold=bold),
        _number(referrals, bold=bold),
        _number(quiet, bold=bold),
        _number(overrides, bold=bold),
        Text(by_kind(touches, KINDS_IN_TABLE), style="bold" if bold else ""),
    ]


def team_rows(report: TeamReport) -> tuple[list[list[Cell]], list[str]]:
    """The table's rows (each rep, then the total) and their keys."""
    rows: list[list[Cell]] = []
    total: Counter[str] = Counter()
    for rep in report.reps:
        total.update(rep.touches)
        rows.append(
            [
                rep.name or "—",
                rep.email,
                *_figures(
                    rep.touches, rep.overdue, rep.referrals, len(rep.quiet), rep.overrides, False
                ),
            ]
        )
    reps = report.reps
    rows.append(
        [
            Text("Total", style="bold"),
            Text(_count(len(reps), "rep")),
            *_figures(
                total,
                sum(r.overdue for r in reps),
                sum(r.referrals for r in reps),
                sum(len(r.quiet) for r in reps),
                sum(r.overrides for r in reps),
                True,
            ),
        ]
    )
    return rows, [*(r.email for r in reps), TOTAL]


def rep_story(rep: RepSummary) -> Text:
    """The highlighted rep in full: who, their partners, every kind of touch, and the
    partners going quiet by name (names are text, never markup)."""
    line = Text()
    line.append(rep.name or rep.email, style="bold")
    if rep.name:
        line.append(f" <{rep.email}>")
    line.append(f" · {_count(rep.partners, 'partner')} · touches: {by_kind(rep.touches)}")
    line.append(f" · {_count(rep.overdue, 'overdue action')}")
    quiet = sorted(rep.quiet, key=str.lower)
    line.append(" · going quiet: ")
    line.append(", ".join(quiet) if quiet else "none")
    return line


def team_story(report: TeamReport) -> Text:
    """The total row in full: the agency's partners (and those nobody owns) and touches."""
    total: Counter[str] = Counter()
    for rep in report.reps:
        total.update(rep.touches)
    partners = sum(r.partners for r in report.reps)
    line = Text()
    line.append(f"All {_count(len(report.reps), 'rep')}", style="bold")
    line.append(f" · {_count(partners, 'partner')}, {report.unassigned:,} with no owner")
    line.append(f" · touches: {by_kind(total)}")
    return line


class TeamScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "toggle_period", "Week/month", id="team.period"),
        Binding("ctrl+r", "reload", "Reload", show=False, id="team.reload"),
        Binding("escape", "app.pop_screen", "Back", id="team.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.period: Period = "week"
        #: The report shown (None: none yet for this period).
        self.report: TeamReport | None = None
        #: Why there is no report (None while loading or shown).
        self.problem: NurtureError | None = None
        #: The board moved while another screen was on top: read again when shown.
        self._stale = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="team-summary")
        yield Static("Loading…", id="team-message")
        table: DataTable[Cell] = DataTable(id="team-table", cursor_type="row", fixed_columns=1)
        table.display = False  # until there are figures to show
        yield table
        yield Static("", id="team-detail")
        yield SteadyFooter()

    def on_mount(self) -> None:
        fill_table(self.query_one("#team-table", DataTable), COLUMNS, [])
        self.watch(self.app, "board", self._board_moved, init=False)
        self.watch(self.app, "read_only", self._reachability, init=False)
        self.load()

    @property
    def since(self) -> date:
        return period_start(self.period, nurture(self).today)

    # --------------------------------------------------------------- loading
    def load(self) -> None:
        """Ask for the period's report (the figures shown stay until it arrives, unless
        they are another period's: then "Loading…")."""
        app = nurture(self)
        self._stale = False
        if isinstance(self.problem, NotATeamStore):
            return  # the store is the session's: it does not become a team store meanwhile
        if self.report is not None and self.report.since != self.since:
            self.report = None  # another period's figures are not this one's
        if app.read_only:  # no read can succeed: say so, and read when it answers again
            self._show()
            return
        if self.report is None:
            self.problem = None
            self._show()
        app.load_team_report(self, self.since)

    def _board_moved(self) -> None:
        if self.is_current:
            self.load()
        else:
            self._stale = True

    def _reachability(self, reason: str) -> None:
        if reason:
            self._show()  # the banner, over the figures last loaded
        else:
            self.load()

    def on_screen_resume(self) -> None:
        if self._stale:
            self.load()

    @on(TeamReportLoaded)
    def _loaded(self, message: TeamReportLoaded) -> None:
        if message.report.since != self.since:
            return  # the other period's, which the rep has moved past
        self.report, self.problem = message.report, None
        self._show()

    @on(TeamReportUnavailable)
    def _unavailable(self, message: TeamReportUnavailable) -> None:
        self.problem = message.error
        if not isinstance(message.error, ServerUnreachableError):
            self.report = None  # else: keep the figures last loaded, under the banner
        self.refresh_bindings()
        self._show()

    # --------------------------------------------------------------- showing
    def _show(self) -> None:
        """Paint the state: the summary line, then the figures, or why there are none."""
        summary = self.query_one("#team-summary", Static)
        note = self.query_one("#team-message", Static)
        table = self.query_one("#team-table", DataTable)
        detail = self.query_one("#team-detail", Static)
        away = nurture(self).read_only or (
            str(self.problem) if isinstance(self.problem, ServerUnreachableError) else ""
        )
        if isinstance(self.problem, NotATeamStore):
            words = Text(NEEDS_TEAM_STORE)
        elif self.report is None and away:
            words = Text(
                f"Team database unreachable — read-only ({away}): the figures show once it "
                "answers again."
            )
        elif self.report is None and self.problem is not None:
            words = Text(f"No team figures: {self.problem}.")
        elif self.report is None:
            words = Text(f"Loading this {self.period}…")
        else:
            words = None
        summary.update(self._summary(away))
        summary.display = not isinstance(self.problem, NotATeamStore)
        note.display = words is not None
        table.display = detail.display = words is None
        if words is not None:
            note.update(words)
            return
        assert self.report is not None
        rows, keys = team_rows(self.report)
        fill_table(table, COLUMNS, rows, keys=keys)
        if self.focused is None:  # hidden until now, so nothing had focus: the rows keys
            table.focus()
        self._show_detail()

    def _summary(self, away: str) -> Text:
        """ "This week · Mon 23 Nov – Mon 23 Nov 2026 · 3 reps" (the footer says `m`)."""
        today = nurture(self).today
        since = self.report.since if self.report is not None else self.since
        line = Text()
        if away:
            line.append(" team database unreachable — read-only ", style="bold reverse")
            line.append(" · ")
        line.append(f"This {self.period}", style="bold")
        line.append(f" · {since:%a %d %b} – {today:%a %d %b %Y}")
        if self.report is not None:
            line.append(f" · {_count(len(self.report.reps), 'rep')}")
            if self.report.unassigned:
                line.append(f" · {_count(self.report.unassigned, 'partner')} with no owner")
        return line

    @on(DataTable.RowHighlighted, "#team-table")
    def _highlighted(self) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        report = self.report
        table = self.query_one("#team-table", DataTable)
        if report is None or table.row_count == 0:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        rep = next((r for r in report.reps if r.email == key), None)
        story = rep_story(rep) if rep is not None else team_story(report)
        self.query_one("#team-detail", Static).update(story)

    # --------------------------------------------------------------- actions
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_period":  # a rep's own store has no period to switch
            return not isinstance(self.problem, NotATeamStore)
        return True

    def action_toggle_period(self) -> None:
        """This week ↔ this month."""
        self.period = "month" if self.period == "week" else "week"
        self.load()

    def action_reload(self) -> None:
        self.load()
