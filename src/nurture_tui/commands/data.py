"""``nurture demo``, ``import csv``, ``backup`` and ``restore``."""

from __future__ import annotations

import argparse
from pathlib import Path

from nurture_tui.commands.output import emit, say, session_for
from nurture_tui.domain.errors import NotFoundError
from nurture_tui.services.csv_import import import_csv
from nurture_tui.services.demo import DemoSize, load_demo
from nurture_tui.store.repository import StoreRepository


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


def _store(args: argparse.Namespace) -> StoreRepository:
    repo = session_for(args).repo
    assert isinstance(repo, StoreRepository)
    return repo


def backup(args: argparse.Namespace) -> int:
    path = _store(args).store.backup()
    emit(args, {"backup": path.name, "path": str(path)}, f"backed up to {path}")
    return 0


def restore(args: argparse.Namespace) -> int:
    store = _store(args).store
    backups = store.backups()
    if args.list or not backups:
        emit(args, [b.name for b in backups], [b.name for b in backups] or ["no backups yet"])
        return 0
    chosen = backups[0]
    if args.name:
        matches = [b for b in backups if b.name.startswith(args.name)]
        if not matches:
            raise NotFoundError(f"no backup named {args.name!r}; see `nurture restore --list`")
        chosen = matches[0]
    store.restore(chosen)
    say(f"restored {chosen.name}; the state it replaced was backed up first")
    emit(args, {"restored": chosen.name}, f"restored {chosen.name}")
    return 0
