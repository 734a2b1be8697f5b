"""``nurture sync``, ``nurture sources``, ``nurture auth`` and ``nurture people``."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from nurture_tui.commands.output import emit, say, session_for, table
from nurture_tui.domain.errors import NurtureError, ValidationError
from nurture_tui.services import naming, schedule
from nurture_tui.services import sync as service
from nurture_tui.services.session import Session
from nurture_tui.sync.ports import SignInRequired


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
        }
        for s in installed
    ]
    emit(args, data, table(rows, ["SOURCE", "ENTRY POINT", "CONNECTED", "LAST RUN"]))
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
    if not names:
        raise ValidationError(
            "no source is connected yet: run `nurture auth google` or `nurture auth outlook` first"
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
    from nurture_tui.secrets import require_keyring

    session = session_for(args)
    name = args.provider
    require_keyring()  # every provider, every action: the same answer when there is none
    if name in ("caldav", "imap"):
        return _password_auth(args, session, name)
    if name == "zoom":
        return _zoom_auth(args)
    if name == "google":
        from nurture_google import auth as google_auth

        if args.logout:
            google_auth.logout()
            session.repo.put_state(f"source:{name}", None)
            emit(args, {"source": name, "connected": False}, "signed out of Google")
            return 0
        if args.status:
            try:
                google_auth.stored_credentials()
                connected = True
            except SignInRequired:
                connected = False
            emit(
                args,
                {"source": name, "connected": connected},
                "connected" if connected else "not connected: run `nurture auth google`",
            )
            return 0
        secrets_file = Path(args.client_secrets) if args.client_secrets else None
        google_auth.login(secrets_file, session.settings.google_client_id)
    else:
        from nurture_outlook.auth import MsalTokens, logout

        if args.logout:
            logout()
            session.repo.put_state(f"source:{name}", None)
            emit(args, {"source": name, "connected": False}, "signed out of Outlook")
            return 0
        tokens = MsalTokens(session.settings.outlook_client_id, session.settings.outlook_tenant)
        if args.status:
            who = tokens.signed_in_as()
            emit(
                args,
                {"source": name, "connected": bool(who), "account": who},
                f"connected as {who}" if who else "not connected: run `nurture auth outlook`",
            )
            return 0
        who = (
            tokens.sign_in_with_browser() if args.browser else tokens.sign_in_with_device_code(say)
        )
        say(f"connected as {who}")
    session.repo.put_state(f"source:{name}", {"enabled": True})
    emit(args, {"source": name, "connected": True}, f"{name} connected")
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


def _password_auth(args: argparse.Namespace, session: Session, name: str) -> int:
    """CalDAV and IMAP: an (app-specific) password, kept in the keyring."""
    import getpass

    from nurture_tui.secrets import delete_secret, get_secret, set_secret

    if args.logout:
        delete_secret(name)
        session.repo.put_state(f"source:{name}", None)
        emit(args, {"source": name, "connected": False}, f"forgot the {name} password")
        return 0
    if args.status:
        connected = get_secret(name) is not None
        emit(
            args,
            {"source": name, "connected": connected},
            "password stored" if connected else f"no password: run `nurture auth {name}`",
        )
        return 0
    user = session.settings.caldav_user if name == "caldav" else session.settings.imap_user
    if not sys.stdin.isatty():
        raise ValidationError(f"`nurture auth {name}` asks for the password: run it in a terminal")
    password = getpass.getpass(
        f"{name} password for {user or 'your account'} "
        "(an app-specific one for iCloud or Fastmail): "
    )
    if not password:
        raise ValidationError("no password given; nothing was stored")
    set_secret(name, password)
    session.repo.put_state(f"source:{name}", {"enabled": True})
    emit(args, {"source": name, "connected": True}, f"{name} password stored in the keyring")
    return 0


def _zoom_auth(args: argparse.Namespace) -> int:
    """Zoom's server-to-server OAuth app: account id, client id and secret, in the keyring."""
    import getpass

    from nurture_tui.invites import zoom
    from nurture_tui.secrets import delete_secret, get_secret

    if args.logout:
        delete_secret(zoom.KEYRING_USER)
        emit(args, {"source": "zoom", "connected": False}, "forgot the Zoom app")
        return 0
    if args.status:
        connected = get_secret(zoom.KEYRING_USER) is not None
        emit(
            args,
            {"source": "zoom", "connected": connected},
            "Zoom app stored" if connected else "not connected: run `nurture auth zoom`",
        )
        return 0
    if not sys.stdin.isatty():
        raise ValidationError(
            "`nurture auth zoom` asks for the app's secrets: run it in a terminal"
        )
    credentials = zoom.ZoomCredentials(
        input("Zoom account id: ").strip(),
        input("Zoom client id: ").strip(),
        getpass.getpass("Zoom client secret: ").strip(),
    )
    zoom.save_credentials(credentials)
    emit(args, {"source": "zoom", "connected": True}, "Zoom app stored in the keyring")
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
