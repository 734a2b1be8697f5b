"""``nurture compliance limits`` and ``nurture compliance report``: the yearly Stark limit
in force with its sources, and what each referral source was given in a year.

``limits`` reads no store: it is what a rep (or their compliance officer) runs to see
which figure the checks use, where it came from, and how to add next year's before
Nurture ships it. ``report`` is for the compliance officer: per recipient, physicians
first, every item of value, the totals against the limit, and every warning saved
through (who, when, the words). Participant references never appear in either.
"""

from __future__ import annotations

import argparse
from importlib import resources
from pathlib import Path
from typing import Any

from nurture_tui.commands.output import emit, say, session_for
from nurture_tui.commands.touches import rep_playbook
from nurture_tui.config import load_settings
from nurture_tui.context import Context
from nurture_tui.domain.compliance import LimitTable, parse_limit_table
from nurture_tui.domain.errors import ValidationError
from nurture_tui.domain.money import dollars, format_amount
from nurture_tui.locations import config_directory
from nurture_tui.services import compliance, naming

LIMITS_HELP = "the yearly Stark limit on gifts to a physician, by year, with its sources"
REPORT_HELP = "what each referral source was given in a year, against the limit (for audit)"


def add_parsers(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    command: Any,
) -> None:
    """Register ``compliance limits|report`` (called from ``cli.build_parser``)."""
    group = sub.add_parser(
        "compliance",
        parents=[common],
        help="gift limits and the compliance report",
        description="Gifts to referral sources: the yearly limit table and the report.",
    )
    csub = group.add_subparsers(title="compliance commands", metavar="ACTION", required=True)
    command(csub, "limits", limits, LIMITS_HELP)
    p = command(csub, "report", report, REPORT_HELP)
    p.add_argument(
        "--year", type=_year, metavar="YYYY", help="the calendar year (default: this year)"
    )
    p.add_argument("--partner", metavar="ID", help="one partner (its id, a prefix or its name)")
    p.add_argument(
        "--csv",
        metavar="FILE",
        help="write the report as CSV to FILE (or a folder); the full path is printed",
    )
    p.add_argument("--force", action="store_true", help="overwrite the --csv file if it exists")


def _year(text: str) -> int:
    """A four-digit calendar year (argparse turns the error into a usage error)."""
    if not (text.strip().isdigit() and 1000 <= int(text) <= 9999):
        raise argparse.ArgumentTypeError(f"{text!r} is not a year like 2026")
    return int(text)


# ---------------------------------------------------------------------- limits


def limits(args: argparse.Namespace) -> int:
    table = compliance.limit_table()
    if table.problem:
        say(f"nurture: warning: {table.problem}")
    this_year = Context(settings=load_settings()).today().year
    data = limits_json(table, this_year)
    emit(args, data, _limits_lines(data))
    return 0


def _copy_path() -> str:
    """Where the rep's copy of the table goes (named even when it does not exist yet)."""
    try:
        return str(config_directory() / compliance.LIMITS_FILE)
    except OSError:
        return f"<config dir>/{compliance.LIMITS_FILE}"


def limits_json(table: LimitTable, this_year: int) -> dict[str, Any]:
    """The table in force as JSON: each year's figure and source, whether it came from the
    shipped file or the rep's copy, and the figure the checks use this year."""
    shipped = {
        y.year: y for y in parse_limit_table(compliance.shipped_limits_text(), "shipped").years
    }
    now = table.in_force(this_year)
    shipped_file = resources.files("nurture_tui").joinpath(compliance.LIMITS_FILE)
    copy = _copy_path()
    # ``limit_table`` lays a readable copy over the shipped table, and falls back to the
    # shipped one (naming the problem) when the copy cannot be used.
    from_copy = Path(copy).exists() and not table.problem
    return {
        "origin": "config-dir copy" if from_copy else "shipped",
        "origin_detail": table.origin,
        "problem": table.problem or None,
        "copy_path": copy,
        "shipped_path": str(shipped_file),
        "years": [
            {
                "year": y.year,
                "amount": dollars(y.cents),
                "source": y.source,
                "from": "shipped" if shipped.get(y.year) == y else "config-dir copy",
            }
            for y in table.years
        ],
        "current": {
            "year": this_year,
            "amount": dollars(now.cents),
            "from_year": now.from_year,
            "needs_update": not now.known,
        },
    }


def _limits_lines(data: dict[str, Any]) -> list[str]:
    current = data["current"]
    lines = [
        "Stark's yearly limit on non-monetary compensation to one physician (42 CFR 411.357(k)):",
    ]
    for y in data["years"]:
        mark = "  (your copy)" if y["from"] != "shipped" else ""
        lines.append(
            f"  {y['year']}  {format_amount(round(y['amount'] * 100)):>9}  {y['source']}{mark}"
        )
    lines.append(f"table: {data['origin_detail']}")
    amount = format_amount(round(current["amount"] * 100))
    if current["needs_update"]:
        lines.append(
            f"{current['year']}: not in the table; the checks use {current['from_year']}'s "
            f"{amount} — the table needs updating"
        )
    else:
        lines.append(f"{current['year']}: {amount} (the figure the checks use this year)")
    lines.append(
        f"To add a year: copy {data['shipped_path']} to {data['copy_path']} and add a "
        '[years.YYYY] table (amount = 550, source = "https://…"); your years override '
        "the shipped ones."
    )
    return lines


# ---------------------------------------------------------------------- report


def report(args: argparse.Namespace) -> int:
    session = session_for(args)
    year = args.year or session.today().year
    partner_id = naming.partner_id(session, args.partner) if args.partner else None
    table = compliance.limit_table()
    if table.problem:
        say(f"nurture: warning: {table.problem}")
    built = compliance.compliance_report(session, rep_playbook(), year, partner_id, table)
    if args.csv is not None:
        if not args.csv.strip() or args.csv.strip() == "-":
            raise ValidationError("--csv takes a file name (or a folder), like compliance.csv")
        path = compliance.write_report_csv(built, Path(args.csv), overwrite=args.force)
        count = len(built.recipients)
        emit(
            args,
            {"path": str(path), "year": year, "recipients": count},
            f"wrote the compliance report for {year} ({count} recipient"
            f"{'' if count == 1 else 's'}) to {path}",
        )
        return 0
    emit(args, compliance.report_json(built), compliance.report_lines(built))
    return 0
