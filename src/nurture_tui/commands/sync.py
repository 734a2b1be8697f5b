"""``nurture sync``, ``nurture sources``, ``nurture auth`` and ``nurture people``."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable, Iterator

from nurture_tui.commands.output import emit, say, session_for, table
from nurture_tui.domain.errors import NotFoundError, NurtureError, ValidationError
from nurture_tui.services import naming, schedule
from nurture_tui.services import sync as service


def sources(args: argparse.Namespace) -> int:
    session = session_for(args)
    installed = service.installed_sources()
    configured = set(service.configured_sources(session))
    status = service.read_status(session)
    rows = [
        [
            s.name,
            s.target,
            "yes" if s.name in configured else "no",
            status.get(s.name, {}).get("at", "never")[:16],
        ]
        for s in installed
    ]
    data = [
        {
            "name": s.name,
            "entry_point": s.target,
            "distribution": s.distribution,
            "connected": s.name in configured,
            "last_run": status.get(s.name),
            "title": s.plugin.title if s.plugin else None,
            "options": [
                {
                    "key": o.key(s.name),
                    "type": o.kind,
                    "help": o.help,
                    "default": o.default,
                    "required": o.required,
                }
                for o in (s.plugin.options if s.plugin else ())
            ],
            "problem": s.problem or None,
        }
        for s in installed
    ]
    lines = table(rows, ["SOURCE", "ENTRY POINT", "CONNECTED", "LAST RUN"])
    problems = [f"{s.name}: cannot be used: {s.problem}" for s in installed if s.problem]
    emit(args, data, [*lines, *problems])
    return 0


def sync(args: argparse.Namespace) -> int:
    if args.watch:
        return _watch(args)
    return _sync_once(args)


def _watch(args: argparse.Namespace) -> int:
    """Sync every interval until interrupted; each round is a normal, idempotent sync."""
    every = schedule.parse_every(args.every)
    say(f"syncing {args.source} every {args.every} (Ctrl+C to stop)")

    def once() -> bool:
        try:
            return _sync_once(args) == 0
        except NurtureError as exc:  # offline, signed out...: say it and try next round
            say(f"nurture: {exc}")
            return False

    with contextlib.suppress(KeyboardInterrupt):
        schedule.watch(once, every, rounds=args.rounds)
    return 0


def schedule_command(args: argparse.Namespace) -> int:
    action = args.action
    if action == "install":
        message = schedule.install(args.every, args.data_dir)
    elif action == "remove":
        message = schedule.remove()
    else:
        message = schedule.status()
    emit(args, {"action": action, "result": message}, message)
    return 0


def _sync_once(args: argparse.Namespace) -> int:
    session = session_for(args)
    names = service.configured_sources(session) if args.source == "all" else [args.source]
    installed = {s.name for s in service.installed_sources()}
    for name in names:
        if name not in installed:  # a typo: said now, not recorded as a failed run
            raise NotFoundError(service.unknown_source_message(name, sorted(installed)))
    if not names:
        listed = ", ".join(sorted(installed)) or "none installed"
        raise ValidationError(
            f"no source is connected yet: run `nurture auth NAME` first (sources: {listed})"
        )
    interactive = sys.stderr.isatty() and not args.json
    reports = []
    with _progress(interactive, len(names) * 2) as advance:
        for name in names:
            # Each source is set up, run and recorded on its own: one that cannot start
            # (no password stored, signed out) must not keep the others from syncing.
            try:
                source = service.load_source(session, name)
            except NurtureError as exc:
                reports.append(service.setup_failed(session, name, exc))
                advance(f"{name}: could not start")
                advance(f"{name}: skipped")
                continue

            def step(stage: str, name: str = name) -> None:
                advance(f"{name}: {stage}")

            report = service.sync(
                session,
                source,
                full=args.full,
                allow_deletions=args.allow_deletions,
                progress=step,
            )
            reports.append(report)
    for report in reports:
        for warning in report.warnings:
            say(f"warning [{report.source}]: {warning}")
        if report.status != "ok":
            say(f"nurture: {report.source}: {report.message}")
    lines = [
        f"{r.source}: {r.created} new, {r.updated} updated, {r.removed} removed, "
        f"{r.unmatched} unmatched" + ("" if r.status == "ok" else f" ({r.status})")
        for r in reports
    ]
    emit(args, [r.as_json() for r in reports], lines)
    return 0 if all(r.status == "ok" for r in reports) else 1


def auth(args: argparse.Namespace) -> int:
    """Sign in to, check or sign out of any installed source (or Zoom): the source's own
    ``authenticate`` / ``status`` / ``logout``, asked through this terminal."""
    session = session_for(args)
    name = args.provider
    if args.logout:
        said = service.sign_out(session, name)
        emit(args, {"source": name, "connected": False}, said)
        return 0
    if args.status:
        status = service.sign_in_status(session, name)
        data: dict[str, object] = {"source": name, "connected": status.connected}
        if status.account is not None:
            data["account"] = status.account
        emit(args, data, status.detail)
        return 0
    overrides: dict[str, object] = {}
    if args.client_secrets:
        overrides["client_secrets"] = args.client_secrets
    if args.browser:
        overrides["browser"] = True
    said = service.sign_in(session, name, service.TerminalPrompts(name), overrides)
    emit(args, {"source": name, "connected": True}, said)
    return 0


def people(args: argparse.Namespace) -> int:
    session = session_for(args)
    if args.ignore:
        service.ignore_person(session, args.ignore)
        emit(args, {"ignored": args.ignore}, f"ignoring {args.ignore} from now on")
        return 0
    if args.assign:
        if not args.partner:
            raise ValidationError("--assign needs --partner (and optionally --contact)")
        partner_id = naming.partner_id(session, args.partner)
        contact = (
            naming.resolve_contact(session, args.contact, partner_id).id if args.contact else None
        )
        contact_id = service.assign_person(session, args.assign, partner_id, contact)
        emit(
            args,
            {"assigned": args.assign, "contact_id": contact_id},
            f"{args.assign} now belongs to contact {contact_id[:8]}",
        )
        return 0
    found = service.unmatched_people(session)
    rows = [[p.email, str(p.count), p.last_seen[:10], p.source] for p in found]
    emit(
        args,
        [p.__dict__ for p in found],
        table(rows, ["EMAIL", "SEEN", "LAST SEEN", "SOURCE"]) if found else ["nobody to triage"],
    )
    return 0


@contextlib.contextmanager
def _progress(show: bool, steps: int) -> Iterator[Callable[[str], None]]:
    """A progress bar on stderr when it is a terminal; nothing otherwise (cron, pipes)."""
    if not show:
        yield lambda _: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn

    with Progress(
        TextColumn("{task.description}"), BarColumn(), console=Console(stderr=True), transient=True
    ) as bar:
        task = bar.add_task("syncing", total=steps + 1)

        def advance(text: str) -> None:
            bar.update(task, description=text, advance=0 if text.endswith("calendar") else 1)

        yield advance
