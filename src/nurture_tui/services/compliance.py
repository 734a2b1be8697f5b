"""Compliance as a use case: the limits table in force, the checks on a touch of value
before it is saved, the record of what was saved through, and the compliance report.

The checks themselves are pure (``domain.compliance``); this module gathers what they
read — the partner's history, the rep's settings and playbook, the shipped limits table or
the rep's copy in the config directory — and writes the report's CSV.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

from nurture_tui.domain.compliance import (
    ComplianceReport,
    ComplianceRules,
    Finding,
    GiftDraft,
    LimitTable,
    build_report,
    check_value,
    overrides_of,
    parse_limit_table,
)
from nurture_tui.domain.errors import ValidationError
from nurture_tui.domain.model import Override, PartnerHistory, Touchpoint
from nurture_tui.domain.money import dollars, format_amount
from nurture_tui.domain.playbook.config import Playbook
from nurture_tui.domain.text import spreadsheet_safe
from nurture_tui.locations import config_directory
from nurture_tui.services.records import TouchpointDraft
from nurture_tui.services.reports import write_csv_file
from nurture_tui.services.session import Session

LIMITS_FILE = "compliance_limits.toml"


def shipped_limits_text() -> str:
    return resources.files("nurture_tui").joinpath(LIMITS_FILE).read_text(encoding="utf-8")


def limit_table(directory: Path | None = None) -> LimitTable:
    """The shipped table, with the rep's copy in the config directory laid over it (when
    CMS publishes next year's figure before Nurture ships it). A copy that cannot be used
    is named in ``problem`` and the shipped table is used: a broken file never stops a
    check, and never hides one."""
    shipped = parse_limit_table(shipped_limits_text(), "the shipped limits table")
    try:
        folder = directory or config_directory()
    except OSError:
        return shipped
    path = folder / LIMITS_FILE
    if not path.exists():
        return shipped
    try:
        text = _read_small_text(path)
        table = parse_limit_table(text, str(path), base=shipped)
    except (OSError, UnicodeDecodeError) as exc:
        problem = f"{path} cannot be read ({getattr(exc, 'strerror', None) or exc})"
        return LimitTable(shipped.years, shipped.origin, f"{problem}; using the shipped table")
    except ValidationError as exc:
        return LimitTable(shipped.years, shipped.origin, f"{exc}; using the shipped table")
    return LimitTable(table.years, f"{path} over the shipped table")


#: A limits table is a few hundred bytes; anything past this is not one.
_MAX_TABLE_BYTES = 64 * 1024


def _read_small_text(path: Path) -> str:
    """A regular file's text, read no further than a table could be: a link to
    /dev/zero or a FIFO is refused, never read forever."""
    if not path.resolve().is_file():
        raise ValidationError(f"{path} is not a regular file")
    with path.open("rb") as handle:
        data = handle.read(_MAX_TABLE_BYTES + 1)
    if len(data) > _MAX_TABLE_BYTES:
        raise ValidationError(f"{path} is larger than a limits table can be")
    return data.decode("utf-8")


def compliance_rules(session: Session, playbook: Playbook) -> ComplianceRules:
    """The checks' settings: the playbook's [compliance] section and the rep's agency."""
    settings = session.settings

    def cents(key: str) -> int:
        return round(playbook.compliance(key) * 100)

    return ComplianceRules(
        zone=settings.zone,
        agency_types=settings.agency_types,
        gift_after_referral_days=int(playbook.compliance("gift_after_referral_days")),
        policy_cap_cents=cents("policy_cap_per_recipient"),
        meal_limit_cents=cents("meal_limit_per_head"),
        notice_percent=playbook.compliance("limit_notice_percent"),
        currency=settings.currency,
        today=session.today(),
    )


@dataclass(frozen=True)
class Checked:
    """What the checks said about a touch, and the overrides saving it would record."""

    findings: list[Finding]
    overrides: tuple[Override, ...]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]


def check_draft(
    session: Session,
    playbook: Playbook,
    draft: TouchpointDraft,
    *,
    replaces: str | None = None,
    limits: LimitTable | None = None,
) -> Checked:
    """Check a touch before it is saved. Nothing is written; ``overrides`` is what the
    touch should carry if the rep saves it anyway (who: the rep's name, else the store's
    actor; when: now)."""
    history = session.repo.histories_of([draft.partner_id])[0]
    return check_with_history(session, playbook, draft, history, replaces=replaces, limits=limits)


def check_touchpoint(session: Session, playbook: Playbook, touch: Touchpoint) -> Checked:
    """Check an edited touch as it would be saved (its own old value not counted twice);
    only warnings it does not already carry become new overrides."""
    draft = TouchpointDraft(
        partner_id=touch.partner_id,
        kind=touch.kind,
        at=touch.at,
        contact_ids=touch.contact_ids,
        purpose=touch.purpose,
        value_cents=touch.value_cents,
        item=touch.item,
    )
    checked = check_draft(session, playbook, draft, replaces=touch.id)
    kept = {(o.rule, o.message) for o in touch.overrides}
    fresh = tuple(o for o in checked.overrides if (o.rule, o.message) not in kept)
    return Checked(checked.findings, fresh)


def check_with_history(
    session: Session,
    playbook: Playbook,
    draft: TouchpointDraft,
    history: PartnerHistory,
    *,
    replaces: str | None = None,
    limits: LimitTable | None = None,
) -> Checked:
    """``check_draft`` against a history the caller already holds (the log form's)."""
    table = limits or limit_table()
    gift = GiftDraft(
        kind=draft.kind,
        at=draft.at,
        value_cents=draft.value_cents,
        item=draft.item,
        purpose=draft.purpose,
        contact_ids=draft.contact_ids,
        replaces=replaces,
    )
    findings = check_value(gift, history, table, compliance_rules(session, playbook))
    if table.problem and findings:
        findings.append(Finding("limits-table-unreadable", "notice", table.problem))
    return Checked(findings, overrides_of(findings, actor(session), session.now()))


def actor(session: Session) -> str:
    """Who an override is recorded against: on a team store the connected rep (their
    email, from their database role: a name in one's own config.toml could be anyone's);
    on the rep's own store their name, or the store's actor."""
    connected = str(getattr(session.repo, "actor", "") or "")
    if session.settings.store_url and "@" in connected:
        return connected
    return session.settings.rep_name or connected or "nurture"


# ---------------------------------------------------------------------- the report


def compliance_report(
    session: Session,
    playbook: Playbook,
    year: int,
    partner_id: str | None = None,
    limits: LimitTable | None = None,
) -> ComplianceReport:
    """Every recipient's items of value in ``year`` (archived partners too: a gift given
    is a gift given), or one partner's."""
    repo = session.repo
    ids = [partner_id] if partner_id else [p.id for p in repo.partners(include_archived=True)]
    histories = repo.histories_of(ids)
    table = limits or limit_table()
    report = build_report(histories, year, table, compliance_rules(session, playbook))
    return replace(report, table_problem=table.problem)


def report_json(report: ComplianceReport) -> dict[str, Any]:
    """The report as JSON (amounts in dollars, two decimals)."""
    limit = report.limit
    return {
        "year": report.year,
        "currency": report.rules.currency,
        "stark_applies": report.rules.stark_applies,
        "limit": {
            "amount": dollars(limit.cents),
            "source": limit.source,
            "from_year": limit.from_year,
            "needs_update": not limit.known,
            "table_problem": report.table_problem or None,
        },
        "recipients": [
            {
                "partner_id": r.partner_id,
                "partner": r.partner_name,
                "contact_id": r.contact_id,
                "recipient": r.name,
                "credential": r.credential or None,
                "physician": r.physician,
                "physician_inferred": r.inferred or None,
                "limit_kind": r.limit_kind or None,
                "limit": None if r.limit_cents is None else dollars(r.limit_cents),
                "total": dollars(r.total_cents),
                "remaining": None if r.remaining_cents is None else dollars(r.remaining_cents),
                "over_by": dollars(r.over_by_cents),
                "items": [
                    {
                        "touchpoint_id": item.touch_id,
                        "date": item.day.isoformat(),
                        "kind": item.kind.value,
                        "item": item.item,
                        "value": dollars(item.cents),
                        "touch_value": dollars(item.touch_cents),
                        "recipients": item.recipients,
                        "status": item.status.value,
                    }
                    for item in r.items
                ],
                "overrides": [
                    {
                        "rule": o.rule,
                        "by": o.by,
                        "at": o.at.isoformat(timespec="seconds"),
                        "warning": o.message,
                    }
                    for o in r.overrides
                ],
            }
            for r in report.recipients
        ],
    }


CSV_COLUMNS = (
    "year",
    "partner",
    "recipient",
    "credential",
    "physician",
    "date",
    "kind",
    "item",
    "value",
    "recipient_total",
    "limit",
    "remaining",
    "over_by",
    "overridden_by",
    "overridden_at",
    "warning",
)


def report_csv(report: ComplianceReport) -> str:
    """One row per item of value a recipient received, each followed by a row per warning
    saved through on it (value empty, so a column sum is the total); every text cell
    passes the spreadsheet formula rule."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)

    def money(cents: int | None) -> str:
        return "" if cents is None else f"{cents / 100:.2f}"

    for r in report.recipients:
        head = [report.year, r.partner_name, r.name, r.credential, "yes" if r.physician else "no"]
        tail = [
            money(r.total_cents),
            money(r.limit_cents),
            money(r.remaining_cents),
            money(r.over_by_cents),
        ]
        for item in r.items:
            what = [item.day.isoformat(), item.kind.value, item.item]
            rows = [[*head, *what, money(item.cents), *tail, "", "", ""]]
            rows += [
                [*head, *what, "", *tail, o.by, o.at.isoformat(timespec="seconds"), o.message]
                for o in item.overrides
            ]
            writer.writerows([spreadsheet_safe(cell) for cell in row] for row in rows)
    return out.getvalue()


def write_report_csv(
    report: ComplianceReport,
    out: Path | None = None,
    *,
    cwd: Path | None = None,
    overwrite: bool = False,
    keep_both: bool = False,
) -> Path:
    """The CSV where the rep asked (never over a file silently; 0600)."""
    return write_csv_file(
        report_csv(report).encode("utf-8"),
        f"nurture-compliance-{report.year}.csv",
        out,
        option="--csv",
        cwd=cwd,
        overwrite=overwrite,
        keep_both=keep_both,
    )


def report_lines(report: ComplianceReport) -> list[str]:
    """The report as text for a terminal: a block per recipient, physicians first."""
    money = report.rules.money
    limit = report.limit
    if report.rules.stark_applies:
        lines = [
            f"Compliance report {report.year}: Stark non-monetary limit per physician "
            f"{format_amount(limit.cents)}" + ("" if limit.known else f" ({limit.outdated_note()})")
        ]
    else:
        types = ", ".join(sorted(report.rules.agency_types))
        lines = [
            f"Compliance report {report.year}: Stark's physician limit does not apply "
            f"(agency type: {types}; home health is the designated health service)"
        ]
    if not report.recipients:
        lines.append(f"Nothing of value logged in {report.year}.")
        return lines
    for r in report.recipients:
        who = f"{r.name}" + (f", {r.credential.upper()}" if r.credential else "")
        kind = " — physician" if r.physician else ""
        lines.append("")
        lines.append(f"{who} ({r.partner_name}){kind}")
        if r.inferred:
            lines.append(f"  note: {r.inferred}")
        for item in r.items:
            what = item.item or item.kind.value
            split = (
                f" (1/{item.recipients} of {money(item.touch_cents)})"
                if item.recipients > 1
                else ""
            )
            lines.append(f"  {item.day.isoformat()}  {money(item.cents):>10}  {what}{split}")
        summary = f"  total {money(r.total_cents)}"
        if r.limit_cents is not None:
            label = "limit" if r.limit_kind == "stark" else "agency cap"
            summary += (
                f" of {money(r.limit_cents)} {label}; remaining {money(r.remaining_cents or 0)}"
            )
            if r.over_by_cents:
                summary += f"; OVER BY {money(r.over_by_cents)}"
        lines.append(summary)
        for o in r.overrides:
            lines.append(
                f"  overridden by {o.by} on {o.at.isoformat(timespec='minutes')}: {o.message}"
            )
    return lines
