"""``nurture undo``, ``nurture history``, ``nurture touch show|edit|delete`` and
``nurture referral delete``: taking back and correcting what was recorded.

Nothing here asks "are you sure?": every change, a deletion included, is one
``nurture undo`` away, and the answer says so.
"""

from __future__ import annotations

import argparse
from typing import Any

from nurture_tui.commands.output import emit, session_for, table
from nurture_tui.commands.touches import rep_playbook, say_findings, say_overridden, value_cents
from nurture_tui.domain.dates import Tense, describe_moment
from nurture_tui.domain.validation import parse_datetime
from nurture_tui.services import compliance, naming, records
from nurture_tui.services.history import change_json, recent_changes, undo_latest
from nurture_tui.services.present import referral_json, touchpoint_json

UNDO_HINT = "(undo with `nurture undo`)"


def undo(args: argparse.Namespace) -> int:
    session = session_for(args)
    undone, change = undo_latest(session)
    zone = session.settings.zone
    emit(
        args,
        {"undone": change_json(undone, zone), "change": change_json(change, zone)},
        f"{change.summary} (change {undone.seq}; `nurture undo` again takes this back)",
    )
    return 0


def history(args: argparse.Namespace) -> int:
    session = session_for(args)
    zone = session.settings.zone
    changes = recent_changes(session, args.limit, mine=args.mine)
    rows = [
        [
            str(c.seq),
            c.at.astimezone(zone).strftime("%a %d %b %H:%M"),
            c.actor,
            c.summary + ("" if c.undoable else "  (can't be undone)"),
        ]
        for c in changes
    ]
    emit(
        args,
        [change_json(c, zone) for c in changes],
        table(rows, ["ID", "WHEN", "WHO", "CHANGE"])
        if rows
        else ["No changes of yours yet." if args.mine else "No changes yet."],
    )
    return 0


def touch_show(args: argparse.Namespace) -> int:
    session = session_for(args)
    repo = session.repo
    touchpoint = repo.touchpoint(repo.resolve("touchpoint", args.id))
    data = touchpoint_json(touchpoint, session.settings.zone)
    data["partner"] = repo.partner(touchpoint.partner_id).name
    data["contacts"] = [repo.contact(c).name for c in touchpoint.contact_ids]
    emit(args, data, _touch_lines(data))
    return 0


def _touch_lines(data: dict[str, object]) -> list[str]:
    """A touch for a terminal: lists as words, each override on its own lines."""
    lines: list[str] = []
    for key, value in data.items():
        if value in (None, "", []):
            continue
        if key == "overrides" and isinstance(value, list):
            lines.append("overrides:")
            lines += [f"  {o['at']} by {o['by']} [{o['rule']}]: {o['warning']}" for o in value]
        elif isinstance(value, list):
            lines.append(f"{key}: {', '.join(map(str, value))}")
        else:
            lines.append(f"{key}: {value}")
    return lines


def touch_edit(args: argparse.Namespace) -> int:
    session = session_for(args)
    zone = session.settings.zone
    repo = session.repo
    current = repo.touchpoint(repo.resolve("touchpoint", args.id))
    partner_id = naming.partner_id(session, args.partner) if args.partner else None
    contact_ids = (
        list(
            dict.fromkeys(
                naming.contact_ids(session, args.contact, partner_id or current.partner_id)
            )
        )
        if args.contact is not None
        else None
    )
    # "tue 10:00" is the latest past Tuesday for a touch that happened, the next for a plan.
    planned = args.planned if args.planned is not None else current.status.value == "planned"
    tense = Tense.FUTURE if planned else Tense.PAST
    at = parse_datetime(args.at, zone, now=session.now(), tense=tense) if args.at else None
    recipients = len(contact_ids if contact_ids is not None else current.contact_ids)
    changes: dict[str, Any] = {
        "partner_id": partner_id,
        "kind": args.kind,
        "at": at,
        "contact_ids": contact_ids,
        "purpose": args.purpose,
        "note": args.note,
        "requested": args.requested,
        "planned": args.planned,
        "value_cents": value_cents(args.value, args.value_each, recipients),
        "item": args.item,
    }
    # The corrected touch is checked as it will be saved (its old value not counted
    # twice); warnings it newly trips are saved through and recorded, as ``log`` does.
    updated = records.touchpoint_changes(session, current.id, **changes)
    checked = compliance.check_touchpoint(session, rep_playbook(), updated)
    touchpoint = records.save_touch_edit(
        session,
        updated._replace(overrides=(*updated.overrides, *checked.overrides)),
        opened=current,
    )
    if not args.json:
        say_findings(checked.findings)
        say_overridden(checked, compliance.actor(session))
    when = f" for {describe_moment(touchpoint.at.astimezone(zone))}" if at else ""
    emit(
        args,
        touchpoint_json(touchpoint, zone) | {"warnings": [f.as_json() for f in checked.findings]},
        f"updated {touchpoint.kind.value} {touchpoint.id[:8]}{when} {UNDO_HINT}",
    )
    return 0


def touch_delete(args: argparse.Namespace) -> int:
    session = session_for(args)
    touchpoint = records.delete_touchpoint(session, args.id)
    emit(
        args,
        {"deleted": touchpoint_json(touchpoint, session.settings.zone)},
        f"deleted {touchpoint.kind.value} {touchpoint.id[:8]} {UNDO_HINT}",
    )
    return 0


def referral_delete(args: argparse.Namespace) -> int:
    session = session_for(args)
    referral = records.delete_referral(session, args.id)
    emit(
        args,
        {"deleted": referral_json(referral)},
        f"deleted referral {referral.id[:8]} {UNDO_HINT}",
    )
    return 0
