"""``nurture team …``: a team store on PostgreSQL (login, logout, init, add-rep, reps,
remove-rep, report, push).

Every one of them works on ``store_url`` (config.toml or ``NURTURE_STORE_URL``); without
one they say, in one line, how to set it. Passwords: typed at ``login`` (or read from
stdin for a script) and kept in the keyring; a new rep's is printed once by ``add-rep``.
docs/team.md walks through them.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from nurture_tui.commands.output import emit, say, table
from nurture_tui.config import load_settings
from nurture_tui.domain.errors import ValidationError

HELP = "a team store on PostgreSQL: log in, set it up, add and list reps"

NEEDS_STORE_URL = (
    "this needs a team store on PostgreSQL: run `nurture config set store_url "
    "postgresql://USER@HOST/DATABASE` first (docs/team.md)"
)


def add_parsers(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    command: Any,
) -> None:
    """Register ``team`` and its actions (called from ``cli.build_parser``)."""
    group = sub.add_parser("team", parents=[common], help=HELP, description=HELP)
    tsub = group.add_subparsers(title="team commands", metavar="ACTION", required=True)
    p = command(tsub, "login", login, "type your team-store password; kept in the keyring")
    p.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of stdin (for scripts)",
    )
    command(tsub, "logout", logout, "forget the team-store password kept in the keyring")
    command(
        tsub,
        "init",
        init,
        "set up the team store (schema, roles); you (rep_email) become its first admin",
    )
    p = command(tsub, "add-rep", add_rep, "add a rep: a role of their own, a password shown once")
    p.add_argument("email", metavar="EMAIL")
    p.add_argument("--name", required=True, help="the rep's name")
    p.add_argument("--admin", action="store_true", help="may add and remove reps too")
    p = command(tsub, "reps", reps, "the team's reps: email, name, role, admin")
    p.add_argument("--all", action="store_true", help="include removed reps")
    p = command(tsub, "remove-rep", remove_rep, "revoke a rep: their role is dropped")
    p.add_argument("email", metavar="EMAIL")
    p = command(
        tsub,
        "report",
        report,
        "per rep since a day: touches by kind, overdue actions, referrals, partners going quiet",
    )
    p.add_argument(
        "--since",
        metavar="DATE",
        help="the first day counted (default: this week's Monday); 'monday', '11/1', '2026-11-01'",
    )
    p = command(
        tsub,
        "push",
        push,
        "move your local store into the team store, merging partners and contacts (once)",
    )
    p.add_argument(
        "--from",
        dest="source",
        metavar="DATA_DIR",
        help="the local store's folder (default: the data dir, --data-dir or NURTURE_HOME)",
    )
    p.add_argument(
        "--dry-run", action="store_true", help="say what would be merged and added; write nothing"
    )


def _store_url() -> str:
    url = load_settings().store_url
    if not url:
        raise ValidationError(NEEDS_STORE_URL)
    return url


def login(args: argparse.Namespace) -> int:
    from nurture_tui.secrets import require_keyring, set_secret
    from nurture_tui.store.team import check_login
    from nurture_tui.store.team_url import address, parse_store_url

    url = _store_url()
    where = address(parse_store_url(url))
    require_keyring()  # before asking: what is typed must have a safe home
    if args.password_stdin:
        try:
            password = sys.stdin.readline().rstrip("\r\n")
        except UnicodeDecodeError:
            password = "\udcff"  # refused just below, in the same words
    elif not sys.stdin.isatty():
        raise ValidationError(
            "there is no terminal to ask for the password in: pipe it to "
            "`nurture team login --password-stdin`; nothing was saved"
        )
    else:
        password = getpass.getpass(
            f"Password for {where.user} on {where.server}/{where.database}: "
        )
    try:
        password.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError(
            "the password is not valid UTF-8 text (was the file saved in another encoding?); "
            "nothing was saved"
        ) from None
    if "\x00" in password:
        raise ValidationError("a password cannot contain a NUL character; nothing was saved")
    if not password:
        raise ValidationError("no password given; nothing was saved")
    check_login(url, password)
    set_secret(where.keyring_name, password)
    emit(
        args,
        {"user": where.user, "server": where.server, "database": where.database},
        f"logged in as {where.user} on {where.server}/{where.database}; "
        "the password is kept in your keyring",
    )
    return 0


def logout(args: argparse.Namespace) -> int:
    from nurture_tui.secrets import delete_secret, get_secret
    from nurture_tui.store.team_url import address, parse_store_url

    where = address(parse_store_url(_store_url()))
    had = get_secret(where.keyring_name) is not None
    delete_secret(where.keyring_name)
    emit(
        args,
        {"user": where.user, "server": where.server, "forgotten": had},
        f"forgot the password for {where.user} on {where.server}"
        if had
        else f"no password was kept for {where.user} on {where.server}",
    )
    return 0


def init(args: argparse.Namespace) -> int:
    from nurture_tui.store.team import init_team

    settings = load_settings()
    if not settings.store_url:
        raise ValidationError(NEEDS_STORE_URL)
    if not settings.rep_email:
        raise ValidationError(
            "team init makes you the team's first admin, and rep_email (your email "
            'address) is not set: run `nurture config set rep_email "…"` first'
        )
    done = init_team(settings.store_url, settings.rep_email, settings.rep_name)
    document = {
        "created": done.created,
        "admin": done.admin,
        "rep_group": done.rep_group,
        "admin_group": done.admin_group,
        "upgraded_from": done.upgraded_from,
    }
    upgraded = f"; the schema was upgraded from {done.upgraded_from}" if done.upgraded_from else ""
    if done.created:
        line = (
            f"the team store is set up; {done.admin} is its first admin (reps get the "
            f"{done.rep_group} role){upgraded}. Next: `nurture team add-rep EMAIL --name NAME`"
        )
    else:
        line = (
            f"the team store was already set up (admin: {done.admin}); nothing was "
            f"created{upgraded}"
        )
    emit(args, document, line)
    return 0


def add_rep(args: argparse.Namespace) -> int:
    from nurture_tui.store.team import add_rep as add
    from nurture_tui.store.team_url import address, parse_store_url

    url = _store_url()
    rep = add(url, args.email, args.name, admin=args.admin)
    where = address(parse_store_url(url))
    their_url = f"postgresql://{rep.role}@{where.server}/{where.database}"
    emit(
        args,
        {
            "rep": rep.email,
            "role": rep.role,
            "password": rep.password,
            "name": rep.name,
            "admin": rep.is_admin,
            "store_url": their_url,
        },
        [
            f"added {rep.email} ({rep.name}) as role {rep.role}"
            + (", an admin" if rep.is_admin else ""),
            f"password (shown once, give it to them privately): {rep.password}",
            f"they run: nurture config set store_url {their_url}",
            "           nurture team login",
        ],
    )
    return 0


def reps(args: argparse.Namespace) -> int:
    from nurture_tui.store.team import list_reps

    found = list_reps(_store_url(), include_removed=args.all)
    documents = [
        {
            "email": r.email,
            "name": r.name,
            "role": r.role,
            "admin": r.is_admin,
            "added": r.created_at,
            **({"removed": r.removed_at} if r.removed_at else {}),
        }
        for r in found
    ]
    rows = [
        [
            r.email,
            r.name,
            r.role,
            "admin" if r.is_admin else "",
            f"removed {r.removed_at[:10]}" if r.removed_at else "",
        ]
        for r in found
    ]
    emit(args, {"reps": documents}, table(rows, ["EMAIL", "NAME", "ROLE", "ADMIN", ""]))
    return 0


def remove_rep(args: argparse.Namespace) -> int:
    from nurture_tui.store.team import remove_rep as remove

    rep = remove(_store_url(), args.email)
    emit(
        args,
        {"rep": rep.email, "role": rep.role, "removed": rep.removed_at},
        f"removed {rep.email}: role {rep.role} dropped, they can no longer log in",
    )
    if not args.json:
        say("their past changes still name them; `nurture team reps --all` lists them")
    return 0


def push(args: argparse.Namespace) -> int:
    from nurture_tui.commands.output import session_for
    from nurture_tui.locations import data_directory
    from nurture_tui.services.team_push import push as push_store

    _store_url()
    source = data_directory(args.source or args.data_dir)
    report = push_store(session_for(args), source, dry_run=args.dry_run)
    counts = report.plan.counts
    verb = "would add" if report.dry_run else "added"
    lines = [
        f"a dry run of pushing {source}: nothing was written"
        if report.dry_run
        else f"pushed {source} into the team store"
    ]
    for table_name, tally in counts.items():
        parts = [f"{tally['added']} {verb}"]
        if tally["merged"]:
            parts.append(f"{tally['merged']} merged")
        if tally["already there"]:
            parts.append(f"{tally['already there']} already there")
        lines.append(f"  {table_name}: " + ", ".join(parts))
    lines += [f"  {merge.line()}" for merge in report.plan.merges]
    emit(args, report.document(), lines)
    return 0


def report(args: argparse.Namespace) -> int:
    from nurture_tui.commands.output import session_for
    from nurture_tui.domain.dates import Tense, read_day
    from nurture_tui.services.playbook import effective_playbook
    from nurture_tui.services.team_report import team_report

    _store_url()
    session = session_for(args)
    since = (
        read_day(args.since, today=session.today(), tense=Tense.PAST, what="--since")
        if args.since is not None
        else None
    )
    found = team_report(session, effective_playbook().playbook, since)
    rows = [
        [
            f"{r.name} <{r.email}>" if r.name else r.email,
            str(r.partners),
            str(sum(r.touches.values())),
            ", ".join(f"{n} {kind}" for kind, n in r.touches.most_common(3)),
            str(r.overdue),
            str(r.referrals),
            str(len(r.quiet)),
            str(r.overrides),
        ]
        for r in found.reps
    ]
    lines = [f"since {found.since:%a %d %b %Y} (today {found.today:%a %d %b})"]
    lines += table(
        rows,
        ["REP", "PARTNERS", "TOUCHES", "MOST", "OVERDUE", "REFERRALS", "QUIET", "OVERRIDDEN"],
    )
    if found.unassigned:
        lines.append(
            f"{found.unassigned} partners have no owner (`partner list --owner unassigned`)"
        )
    emit(args, found.document(), lines)
    return 0
