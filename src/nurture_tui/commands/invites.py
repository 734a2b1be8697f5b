"""``nurture invite ...`` and ``nurture import ics ...``."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from nurture_tui.commands.output import emit, say, session_for, table
from nurture_tui.domain.dates import Tense, describe_moment
from nurture_tui.domain.errors import ValidationError
from nurture_tui.domain.validation import parse_datetime
from nurture_tui.invites.model import Invite, InviteStatus
from nurture_tui.services import invites as service
from nurture_tui.services import naming
from nurture_tui.services.ics_import import import_ics
from nurture_tui.services.session import Session


def invite(args: argparse.Namespace) -> int:
    session = session_for(args)
    if args.list:
        return _list(args, session)
    if args.out and args.out != "-" and not getattr(args, "force", False):
        # Before anything is created or logged: an --out file that is another file is refused.
        service.check_invite_target(Path(args.out), args.update or args.cancel)
    if args.cancel:
        result = service.cancel_invite(session, args.cancel)
    elif args.update:
        # Without --tz an update keeps the invite's own zone (and so its VTIMEZONE).
        zone = (
            service.zone_for(args.tz, session)
            if args.tz
            else service.load_invite(session, args.update).start.tzinfo or session.settings.zone
        )
        start = _start(args, session, zone) if args.start else None
        result = service.update_invite(
            session, args.update, start=start, duration_minutes=args.duration, title=args.title
        )
    else:
        if not (args.partner and args.kind and args.start):
            raise ValidationError("a new invite needs --partner, --kind and --start")
        zone = service.zone_for(args.tz, session)
        partner_id = naming.partner_id(session, args.partner)
        result = service.create_invite(
            session,
            partner_id,
            args.kind,
            _start(args, session, zone),
            duration_minutes=args.duration,
            contact_ids=naming.contact_ids(session, args.contact, partner_id),
            title=args.title,
            video_url=args.zoom_url,
            location=args.location or "",
            zoom_meeting=args.zoom_meeting,
        )
    if args.start and not args.json:
        _say_start(session, result.start)
    if args.push:
        pushed, link = service.push_invite(
            session, result, args.push, online_meeting=args.online_meeting
        )
        if link:
            say(f"{args.push} created the online meeting: {link}")
        say(f"sent through {args.push} (event {pushed})")
    ics = service.invite_ics(result, personal_copy=args.personal_copy)
    written = _write_ics(args, session, result, ics)
    if args.json:
        emit(args, _invite_json(result, written), "")
    elif written is None:
        sys.stdout.buffer.write(ics)
    else:
        print(result.uid)
    return 0


def _write_ics(
    args: argparse.Namespace, session: Session, invite: Invite, ics: bytes
) -> str | None:
    """Where the .ics goes: ``--out FILE`` (never over another file without ``--force``),
    ``--out DIR`` or, at a terminal, the current folder (a name chosen, a taken one gets
    -2); ``--out -``, a pipe, or --json without --out: nowhere on disk (stdout / None).
    The full path is always said."""
    out = args.out
    if out == "-" or (out is None and (args.json or not sys.stdout.isatty())):
        return None
    saved = service.save_invite_file(
        session,
        invite,
        ics,
        target=Path(out) if out else None,
        force=getattr(args, "force", False),
    )
    say(f"wrote {saved.path}")
    if saved.note:
        say(f"nurture: note: {saved.note}")
    return str(saved.path)


def _start(args: argparse.Namespace, session: Session, zone: tzinfo) -> datetime:
    """``--start`` as people type it: "tue 10:00" is the coming Tuesday."""
    return parse_datetime(args.start, zone, "start", now=session.now(), tense=Tense.FUTURE)


def _say_start(session: Session, start: datetime) -> None:
    """The start as understood ("invite for Tue 1 Dec 10:00"), with its zone if not the rep's."""
    own = str(start.tzinfo) == str(session.settings.zone)
    when = describe_moment(start, session.now())
    say(f"invite for {when}" + ("" if own else f" ({start.tzinfo})"))


def _list(args: argparse.Namespace, session: Session) -> int:
    found = service.invites(session)
    rows = [
        [i.uid[:12], f"{i.start:%Y-%m-%d %H:%M}", i.kind.value, i.status.value, i.title]
        for i in found
    ]
    emit(
        args,
        [_invite_json(i, None) for i in found],
        table(rows, ["UID", "START", "KIND", "STATUS", "TITLE"]),
    )
    return 0


def _invite_json(invite: Invite, path: str | None) -> dict[str, Any]:
    return {
        "uid": invite.uid,
        "kind": invite.kind.value,
        "partner_id": invite.partner_id,
        "title": invite.title,
        "start": invite.start.isoformat(),
        "end": invite.end.isoformat(),
        "attendees": [{"name": p.name, "email": p.email} for p in invite.attendees],
        "organizer": {"name": invite.organizer.name, "email": invite.organizer.email},
        "video_url": invite.video_url or None,
        "sequence": invite.sequence,
        "status": invite.status.value,
        "method": "CANCEL" if invite.status is InviteStatus.CANCELLED else "REQUEST",
        "ics": path,
    }


def ics_import(args: argparse.Namespace) -> int:
    session = session_for(args)
    report = import_ics(session, Path(args.target))
    for error in report.errors:
        say(f"nurture: skipped: {error}")
    emit(
        args,
        report.as_json(),
        f"{report.files} files, {report.events} events: {report.created} new touchpoints, "
        f"{report.updated} updated, {report.cancelled} cancelled, {report.unchanged} unchanged, "
        f"{report.unmatched} unmatched people",
    )
    return 1 if report.errors and not report.files else 0
