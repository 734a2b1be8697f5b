"""Reports: referrals by partner and month, conversion, top referrers, quiet partners,
give/ask balance. Aggregates only: no participant reference ever reaches a report or CSV.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from nurture_tui.domain.kinds import Direction, Stage
from nurture_tui.domain.model import PartnerHistory
from nurture_tui.domain.text import spreadsheet_safe
from nurture_tui.services.session import Session


@dataclass(frozen=True, slots=True)
class PartnerRow:
    partner_id: str
    name: str
    stage: str
    referrals_12m: int
    touches_12m: int
    gives_12m: int
    asks_12m: int
    days_since_touch: int | None

    @property
    def conversion(self) -> float:
        """Referrals per 10 touches: how much the effort turns into business."""
        return 10 * self.referrals_12m / self.touches_12m if self.touches_12m else 0.0


@dataclass(frozen=True)
class Report:
    today: date
    months: list[tuple[str, int]]
    rows: list[PartnerRow]

    @property
    def top_referrers(self) -> list[PartnerRow]:
        return sorted((r for r in self.rows if r.referrals_12m), key=lambda r: -r.referrals_12m)

    @property
    def going_quiet(self) -> list[PartnerRow]:
        """Referring partners and champions with no touch for 45 days or more."""
        return sorted(
            (
                r
                for r in self.rows
                if r.stage in (Stage.REFERRING, Stage.CHAMPION)
                and (r.days_since_touch is None or r.days_since_touch >= 45)
            ),
            key=lambda r: -(r.days_since_touch or 10_000),
        )

    @property
    def give_ask(self) -> tuple[int, int]:
        return sum(r.gives_12m for r in self.rows), sum(r.asks_12m for r in self.rows)


def build_report(session: Session, today: date | None = None) -> Report:
    today = today or session.today()
    repo = session.repo
    start = today - timedelta(days=365)
    month_keys = _last_months(today, 12)
    per_month: Counter[str] = Counter()
    rows = [
        _partner_row(history, start, today, per_month, session)
        for history in repo.histories()  # one bulk read, not three queries per partner
    ]
    return Report(today, [(m, per_month[m]) for m in month_keys], rows)


def _partner_row(
    history: PartnerHistory,
    start: date,
    today: date,
    per_month: Counter[str],
    session: Session,
) -> PartnerRow:
    partner = history.partner
    pid = partner.id
    referrals = [r for r in history.referrals if r.received >= start]
    for referral in referrals:
        per_month[referral.received.strftime("%Y-%m")] += 1
    zone = session.settings.zone
    touches = [t for t in history.touchpoints if t.is_done]
    recent = [t for t in touches if t.at.astimezone(zone).date() >= start]
    last = touches[-1].at.astimezone(zone).date() if touches else None
    asks = sum(1 for t in recent if t.direction is Direction.ASK)
    return PartnerRow(
        partner_id=pid,
        name=partner.name,
        stage=partner.stage.value,
        referrals_12m=len(referrals),
        touches_12m=len(recent),
        gives_12m=len(recent) - asks,
        asks_12m=asks,
        days_since_touch=(today - last).days if last else None,
    )


def _last_months(today: date, count: int) -> list[str]:
    year, month = today.year, today.month
    keys = []
    for _ in range(count):
        keys.append(f"{year:04d}-{month:02d}")
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return list(reversed(keys))


def report_csv(report: Report) -> str:
    """One row per partner; aggregates only (no participant references)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "partner_id",
            "partner",
            "stage",
            "referrals_12m",
            "touches_12m",
            "referrals_per_10_touches",
            "gives_12m",
            "asks_12m",
            "days_since_touch",
        ]
    )
    for r in sorted(report.rows, key=lambda r: (-r.referrals_12m, r.name.lower())):
        writer.writerow(
            spreadsheet_safe(cell)
            for cell in [
                r.partner_id,
                r.name,
                r.stage,
                r.referrals_12m,
                r.touches_12m,
                f"{r.conversion:.2f}",
                r.gives_12m,
                r.asks_12m,
                "" if r.days_since_touch is None else r.days_since_touch,
            ]
        )
    return out.getvalue()
