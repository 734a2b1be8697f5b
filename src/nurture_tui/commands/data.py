"""``nurture demo``, ``import csv``, ``backup`` and ``restore``."""

from __future__ import annotations

import argparse
from pathlib import Path

from nurture_tui.commands.output import emit, say, session_for
from nurture_tui.domain.errors import StoreError
from nurture_tui.locations import data_directory
from nurture_tui.services.csv_import import import_csv
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


def csv_import(args: argparse.Namespace) -> int:
    session = session_for(args)
    report = import_csv(session, Path(args.file), dry_run=args.dry_run)
    verb = "would import" if args.dry_run else "imported"
    emit(
        args,
        report.as_json(),
        f"{verb} {report.rows} rows: {report.partners_added} new partners "
        f"({report.partners_merged} merged), {report.contacts_added} new contacts "
        f"({report.contacts_merged} merged)",
    )
    return 0


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
    directory = data_directory(args.data_dir)
    verdict = backups.check(directory)
    emit(args, {"ok": True, "database": verdict}, f"{verdict}: no damage found")
    return 0
