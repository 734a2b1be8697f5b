"""Reports: referrals per month (a sparkline), top referrers, conversion, quiet partners."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Label, Sparkline, Static

from nurture_tui.services.reports import Report, build_report
from nurture_tui.ui.base import nurture
from nurture_tui.ui.widgets.tables import fill_table

TOP_COLUMNS = ("Partner", "Referrals", "Touches", "Ref/10 touches")
QUIET_COLUMNS = ("Partner", "Stage", "Days quiet")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class ReportsScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "export", "Export CSV", id="reports.export"),
        Binding("escape", "app.pop_screen", "Back", id="reports.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.report: Report | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="reports"):
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
                        "Going quiet (referring, no touch ≥ 45 days)", classes="section-title"
                    )
                    yield DataTable(id="quiet", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        fill_table(self.query_one("#top", DataTable), TOP_COLUMNS, [])
        fill_table(self.query_one("#quiet", DataTable), QUIET_COLUMNS, [])
        self.load()

    @dataclass
    class Loaded(Message):
        """The report, built in a worker."""

        report: Report

    def load(self) -> None:
        app = nurture(self)
        today = app.today
        app.load_into(
            self, lambda session: build_report(session, today), self.Loaded, purpose="reports"
        )

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

    def action_export(self) -> None:
        """Write the CSV in the folder Nurture was started from (where the rep looks)."""
        if self.report is not None:
            nurture(self).export_report(self.report)
