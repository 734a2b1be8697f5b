"""``nurture report [--out PATH] [--force]``: the reports screen's numbers as a CSV, written
where the rep will find it (the current folder, or ``--out``) and named in full. An
existing file is never overwritten without ``--force``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from nurture_tui.commands.output import emit, session_for
from nurture_tui.services.reports import build_report, write_report_csv

HELP = "write the reports CSV (referrals, conversion, quiet partners) to this folder or --out"


def add_parsers(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    command: Any,
) -> None:
    """Register ``report`` (called from ``cli.build_parser``)."""
    p = command(sub, "report", report, HELP)
    p.add_argument(
        "--out",
        metavar="PATH",
        help="a file, or a folder for nurture-report-DATE.csv (default: the current folder)",
    )
    p.add_argument("--force", action="store_true", help="overwrite the file if it exists")


def report(args: argparse.Namespace) -> int:
    session = session_for(args)
    built = build_report(session)
    path = write_report_csv(built, Path(args.out) if args.out else None, overwrite=args.force)
    referrals = sum(count for _, count in built.months)
    gives, asks = built.give_ask
    emit(
        args,
        {
            "path": str(path),
            "partners": len(built.rows),
            "referrals_12m": referrals,
            "gives_12m": gives,
            "asks_12m": asks,
            "going_quiet": len(built.going_quiet),
        },
        f"wrote the report ({len(built.rows)} partners, {referrals} referrals in 12 months) "
        f"to {path}",
    )
    return 0
