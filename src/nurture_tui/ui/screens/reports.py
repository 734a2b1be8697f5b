"""Reports: referrals per month (a sparkline), top referrers, conversion, quiet partners —
and, on the Compliance tab, what was given to whom in a year against the limits.

The compliance tab is what the compliance officer asks for: per recipient, physicians
first, every item of value with its date, the total, the limit (Stark's for a physician,
the agency's cap for others), what remains, any amount over it, and every warning the rep
saved through (who, when, the words). It is built in a worker the first time the tab is
shown (it reads every partner's history), and again when the year changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import (
    DataTable,
    Header,
    Label,
    Sparkline,
    Static,
    TabbedContent,
    TabPane,
)

from nurture_tui.domain.compliance import ComplianceReport, RecipientYear
from nurture_tui.services import compliance
from nurture_tui.services.reports import Report, build_report
from nurture_tui.ui.base import nurture
from nurture_tui.ui.widgets.footer import SteadyFooter
from nurture_tui.ui.widgets.tables import fill_table

TOP_COLUMNS = ("Partner", "Referrals", "Touches", "Ref/10 touches")
QUIET_COLUMNS = ("Partner", "Stage", "Days quiet")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
REFERRALS_TAB = "tab-referrals"
COMPLIANCE_TAB = "tab-compliance"


def _hanging(text: Text, indent: int = 4) -> Padding:
    """A long line wrapped under its own start, not back at the left edge."""
    return Padding(text, (0, 0, 0, indent), expand=False)


def recipient_blocks(r: RecipientYear, report: ComplianceReport) -> list[RenderableType]:
    """One recipient: who, each item with its date, the total against the limit, and
    every warning saved through (wrapped under itself). Names and items are text, never
    markup."""
    money = report.rules.money
    head = Text()
    head.append(r.name, style="bold")
    if r.credential:
        head.append(f", {r.credential.upper()}", style="bold")
    head.append(f" · {r.partner_name}")
    if r.physician:
        head.append(" · physician", style="bold")
    blocks: list[RenderableType] = [head]
    if r.inferred:
        blocks.append(_hanging(Text(r.inferred, style="italic"), 2))
    for item in r.items:
        what = item.item or item.kind.value
        split = (
            f" (1/{item.recipients} of {money(item.touch_cents)})" if item.recipients > 1 else ""
        )
        line = Text(f"{item.day.isoformat()}  {money(item.cents):>10}  ")
        line.append(f"{what}{split}")
        blocks.append(_hanging(line, 2))
    total = Text(f"total {money(r.total_cents)}")
    if r.limit_cents is not None:
        label = "limit" if r.limit_kind == "stark" else "agency cap"
        total.append(f" · {label} {money(r.limit_cents)}")
        total.append(f" · remaining {money(r.remaining_cents or 0)}")
        if r.over_by_cents:
            total.append(f" · OVER BY {money(r.over_by_cents)}", style="bold red")
    else:
        total.append(" · no yearly limit applies (no agency cap set)", style="dim")
    blocks.append(_hanging(total, 2))
    for o in r.overrides:
        line = Text(
            f"⚠ overridden by {o.by} on {o.at.astimezone(report.rules.zone):%Y-%m-%d %H:%M}: ",
            style="bold",
        )
        line.append(o.message)
        blocks.append(_hanging(line, 4))
    return blocks


def compliance_view(report: ComplianceReport) -> Group:
    """The whole report as the tab shows it (the CSV export has the same figures)."""
    limit, money = report.limit, report.rules.money
    recipients = report.recipients
    over = sum(1 for r in recipients if r.over_by_cents)
    overridden = sum(len(r.overrides) for r in recipients)
    head = Text()
    head.append(f"{report.year}", style="bold")
    if report.rules.stark_applies:
        head.append(f" · Stark yearly limit per physician {money(limit.cents)}")
    else:
        head.append(" · Stark's physician limit does not apply to your agency type")
    head.append(f" · {len(recipients)} recipients · {over} over a limit")
    head.append(f" · {overridden} warnings overridden")
    blocks: list[RenderableType] = [head]
    if report.rules.stark_applies:
        blocks.append(Text(f"Source: {limit.source}", style="dim"))
        if not limit.known:
            blocks.append(Text(limit.outdated_note(), style="bold"))
    else:
        blocks.append(
            Text("Home health is the designated health service; kickback checks still apply.")
        )
    if not recipients:
        blocks += [Text(""), Text(f"Nothing of value logged in {report.year}.")]
    for r in recipients:
        blocks.append(Text(""))
        blocks.extend(recipient_blocks(r, report))
    return Group(*blocks)


class ReportsScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "export", "Export CSV", id="reports.export"),
        Binding("left_square_bracket", "year(-1)", "Prev year", id="reports.prev_year"),
        Binding("right_square_bracket", "year(1)", "Next year", id="reports.next_year"),
        Binding("escape", "app.pop_screen", "Back", id="reports.back"),
        Binding("1", f"tab('{REFERRALS_TAB}')", "Referrals", show=False, id="reports.referrals"),
        Binding("2", f"tab('{COMPLIANCE_TAB}')", "Compliance", show=False, id="reports.compliance"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.report: Report | None = None
        self.compliance: ComplianceReport | None = None
        self.year = 0
        """The compliance tab's year (the current one until ``[``/``]`` change it)."""

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(id="reports-tabs"):
            with TabPane("Referrals (1)", id=REFERRALS_TAB), Vertical(id="reports"):
                yield Static("Loading…", id="reports-summary")
                yield Label("Referrals per month, last 12 months", classes="section-title")
                yield Sparkline([], id="referrals-spark")
                with Horizontal(id="months-axis"):
                    for index in range(12):
                        yield Label("", id=f"month-{index}", classes="month")
                with Horizontal(id="report-tables"):
                    with Vertical():
                        yield Label("Top referrers (12 months)", classes="section-title")
                        yield DataTable(id="top", cursor_type="row")
                    with Vertical():
                        yield Label(
                            "Going quiet (referring, no touch ≥ 45 days)",
                            classes="section-title",
                        )
                        yield DataTable(id="quiet", cursor_type="row")
            with TabPane("Compliance (2)", id=COMPLIANCE_TAB):
                yield Static(
                    "Items of value per recipient, physicians first ([ ] year · e export CSV)",
                    id="compliance-about",
                )
                with VerticalScroll(id="compliance-scroll"):
                    yield Static("Loading…", id="compliance-body")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.year = nurture(self).today.year
        fill_table(self.query_one("#top", DataTable), TOP_COLUMNS, [])
        fill_table(self.query_one("#quiet", DataTable), QUIET_COLUMNS, [])
        self.load()

    @dataclass
    class Loaded(Message):
        """The report, built in a worker."""

        report: Report

    @dataclass
    class ComplianceLoaded(Message):
        """The compliance report for a year, built in a worker."""

        report: ComplianceReport

    def load(self) -> None:
        app = nurture(self)
        today = app.today
        app.load_into(
            self, lambda session: build_report(session, today), self.Loaded, purpose="reports"
        )

    def load_compliance(self) -> None:
        app = nurture(self)
        year, playbook = self.year, app.playbook
        self.query_one("#compliance-body", Static).update(f"Loading {year}…")
        app.load_into(
            self,
            lambda session: compliance.compliance_report(session, playbook, year),
            self.ComplianceLoaded,
            purpose="compliance",
        )

    @property
    def on_compliance(self) -> bool:
        return self.query_one("#reports-tabs", TabbedContent).active == COMPLIANCE_TAB

    @on(TabbedContent.TabActivated)
    def _tab_shown(self, event: TabbedContent.TabActivated) -> None:
        self.refresh_bindings()  # [ and ] belong to the compliance tab
        if self.on_compliance:
            if self.compliance is None:
                self.load_compliance()
            self.query_one("#compliance-scroll").focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "year":
            return self.on_compliance
        return True

    def action_tab(self, tab_id: str) -> None:
        self.query_one("#reports-tabs", TabbedContent).active = tab_id

    def action_year(self, step: int) -> None:
        """Another year's report (a gift counts in the year it was given)."""
        self.year += step
        self.compliance = None
        self.load_compliance()

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        report = self.report = message.report
        total = sum(count for _, count in report.months)
        gives, asks = report.give_ask
        ratio = f"{gives / asks:.1f} gives per ask" if asks else "no asks logged"
        self.query_one("#reports-summary", Static).update(
            f"[b]{total}[/] referrals in 12 months · give/ask balance: {gives:,} gives, "
            f"{asks:,} asks ({ratio})"
        )
        self.query_one("#referrals-spark", Sparkline).data = [c for _, c in report.months]
        for index, (month, count) in enumerate(report.months[-12:]):
            label = _MONTHS[int(month[5:]) - 1]
            self.query_one(f"#month-{index}", Label).update(f"{label} {count}")
        fill_table(
            self.query_one("#top", DataTable),
            TOP_COLUMNS,
            [
                [row.name, row.referrals_12m, row.touches_12m, f"{row.conversion:.1f}"]
                for row in report.top_referrers[:50]
            ],
        )
        fill_table(
            self.query_one("#quiet", DataTable),
            QUIET_COLUMNS,
            [
                [
                    row.name,
                    row.stage,
                    "never" if row.days_since_touch is None else str(row.days_since_touch),
                ]
                for row in report.going_quiet[:50]
            ],
        )

    @on(ComplianceLoaded)
    def _show_compliance(self, message: ComplianceLoaded) -> None:
        if message.report.year != self.year:
            return  # a year the rep has already moved past
        self.compliance = message.report
        self.query_one("#compliance-body", Static).update(compliance_view(message.report))

    def action_export(self) -> None:
        """Write the shown tab's CSV in the folder Nurture was started from (where the rep
        looks), beside an earlier one and never over it."""
        if self.on_compliance:
            if self.compliance is not None:
                nurture(self).export_compliance_report(self.compliance)
        elif self.report is not None:
            nurture(self).export_report(self.report)
