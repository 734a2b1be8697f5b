"""``nurture demo``, ``import csv``, ``backup`` and ``restore``."""

from __future__ import annotations

import argparse
from pathlib import Path

from nurture_tui.commands.output import emit, say, session_for
from nurture_tui.config import load_settings
from nurture_tui.domain.errors import StoreError
from nurture_tui.locations import data_directory
from nurture_tui.services.csv_columns import FIELD_LABELS, headers_help
from nurture_tui.services.csv_import import import_csv
from nurture_tui.services.csv_report import ImportReport, count
from nurture_tui.services.demo import DemoSize, load_demo
from nurture_tui.store import backups


def demo(args: argparse.Namespace) -> int:
    session = session_for(args)
    repo = session.repo
    if args.if_empty and (repo.partners(include_archived=True) or repo.touchpoint_count()):
        emit(args, {"loaded": False}, "the store already has data; demo not loaded")
        return 0
    data = load_demo(
        session, DemoSize(args.partners, args.touchpoints, args.seed), force=args.force
    )
    summary = {
        "loaded": True,
        "partners": len(data.partners),
        "contacts": len(data.contacts),
        "touchpoints": len(data.touchpoints),
        "referrals": len(data.referrals),
    }
    emit(
        args,
        summary,
        f"demo agency loaded: {len(data.partners)} partners, "
        f"{len(data.contacts)} contacts, {len(data.touchpoints)} touchpoints, "
        f"{len(data.referrals)} referrals",
    )
    return 0


CSV_EPILOG = f"""One row is a partner, optionally with one contact.

{headers_help()}

Dates: 11/23/2026, 11/23/26 (00-29 is 20xx, as in Excel) or 2026-11-23,
optionally with a time (15:30, 3:30 PM). Notes and Contact Notes go to the
partner's notes, and Address, City, State and ZIP to one line of them. Last
Visit becomes a check-in touchpoint, once: importing the sheet again adds
nothing.

A row joins a partner already known (in the store or earlier in the sheet)
with the same NPI; the same name (case, punctuation, Inc, LLC aside); a contact
email domain the partner uses (never gmail.com, outlook.com or other free
mail, nor your agency's); the same name but for words like Hospital, Clinic or
Medical Center that do not make it another kind; or one misspelt word. Each
such merge is reported: run --dry-run first.

UTF-8 (with or without a BOM), Windows-1252 or Latin-1; comma, semicolon or
tab; up to 20 MB. All or nothing: one bad row imports nothing and names its
line. See docs/importing.md."""


def csv_import(args: argparse.Namespace) -> int:
    """Import a sheet; say what each column became, every merge and every ignored column
    (a dry run shows the column mapping first and writes nothing)."""
    session = session_for(args)
    report = import_csv(session, Path(args.file), dry_run=args.dry_run)
    if not args.json:
        for warning in report.warnings:
            say(f"warning: {warning.message}")
    emit(args, report.as_json(), csv_report_lines(report))
    return 0


def csv_report_lines(report: ImportReport) -> list[str]:
    """The import in words: mapping (dry run), merges, ignored columns, then the counts."""
    lines: list[str] = []
    if report.dry_run:
        lines.append("dry run: nothing was written")
        lines.append("columns:")
        width = max((len(c.header) for c in report.mapped), default=0)
        lines += [f"  {c.header:<{width}}  -> {FIELD_LABELS[c.field or '']}" for c in report.mapped]
    if report.merges:
        lines.append("merges:")
        lines += [f"  {merge.message}" for merge in report.merges]
    if report.ignored:
        # a sheet of hundreds of columns gets a readable line; --json lists them all
        shown = ", ".join(f"{c.header} (column {c.number})" for c in report.ignored[:12])
        more = len(report.ignored) - 12
        lines.append(f"ignored columns: {shown}" + (f" and {more} more" if more > 0 else ""))
    verb = "would import" if report.dry_run else "imported"
    visits = count(report.touchpoints_added, "last visit")
    if report.touchpoints_known:
        visits += f" ({report.touchpoints_known} already imported)"
    lines.append(
        f"{verb} {count(report.rows, 'row')}: {count(report.partners_added, 'new partner')} "
        f"({report.partners_merged} merged), {count(report.contacts_added, 'new contact')} "
        f"({report.contacts_merged} merged), {visits}"
    )
    return lines


def _refuse_a_team_store(what: str) -> None:
    """``restore`` and ``check`` never open the store (it may be what is damaged), so they
    read the settings alone to tell a team store apart."""
    if load_settings().store_url:
        raise StoreError(
            f"this store is a PostgreSQL database: {what} by its server (pg_dump and "
            "pg_restore, or the host's backups), not by Nurture (docs/team.md)"
        )


def _local_directory(args: argparse.Namespace) -> Path:
    """The data directory of a local store; a team store is backed up by its server."""
    session = session_for(args)
    if session.settings.store_url:
        raise StoreError(
            "this store is a PostgreSQL database: it is backed up by its server "
            "(pg_dump or the host's backups), not by `nurture backup`"
        )
    return session.repo.directory


def backup(args: argparse.Namespace) -> int:
    path = backups.backup(_local_directory(args))
    emit(args, {"backup": path.name, "path": str(path)}, f"backed up to {path}")
    return 0


def restore(args: argparse.Namespace) -> int:
    """Restore without opening the live store: it may be the thing that is damaged."""
    _refuse_a_team_store("it is restored")
    directory = data_directory(args.data_dir)
    found = backups.list_backups(directory)
    if args.list or not found:
        names = [b.name for b in found]
        emit(args, names, names or ["no backups yet"])
        return 0
    restored = backups.restore(directory, backups.choose(directory, args.name))
    name = restored.backup.name
    if restored.replaced is not None:
        say(f"the database it replaced is kept as {restored.replaced}")
    emit(
        args,
        {"restored": name, "replaced": str(restored.replaced) if restored.replaced else None},
        f"restored {name}",
    )
    return 0


def check(args: argparse.Namespace) -> int:
    """SQLite's full integrity check, without opening the store for writing."""
    _refuse_a_team_store("it is checked")
    directory = data_directory(args.data_dir)
    verdict = backups.check(directory)
    emit(args, {"ok": True, "database": verdict}, f"{verdict}: no damage found")
    return 0
