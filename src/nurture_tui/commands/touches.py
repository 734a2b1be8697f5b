"""``nurture log``, ``nurture referral ...``, ``nurture next`` and ``nurture playbook ...``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import orjson

from nurture_tui.commands.output import emit, say, session_for, table
from nurture_tui.domain.compliance import Finding
from nurture_tui.domain.dates import Tense, describe_day, describe_moment
from nurture_tui.domain.errors import ValidationError
from nurture_tui.domain.money import MAX_CENTS, dollars, format_amount, parse_amount
from nurture_tui.domain.playbook.config import Playbook
from nurture_tui.domain.validation import parse_date, parse_datetime
from nurture_tui.services import compliance, naming, records
from nurture_tui.services.invites import complete_past_planned
from nurture_tui.services.owners import ownership
from nurture_tui.services.playbook import (
    check_playbook_file,
    effective_playbook,
    guardrail_warnings,
    rep_next_actions,
)
from nurture_tui.services.present import referral_json, touchpoint_json


def rep_playbook() -> Playbook:
    """The rep's playbook, or the defaults with a warning if the file is broken."""
    loaded = effective_playbook()
    if loaded.problem:
        say(f"nurture: warning: {loaded.problem}")
    return loaded.playbook


def value_cents(value: str | None, value_each: str | None, recipients: int) -> int | None:
    """What ``--value`` / ``--value-each`` mean in cents, for all recipients together (None:
    neither given). ``--value-each`` is per named contact (the partner as a whole when
    none is named); the product is held to the same ceiling a typed value is."""
    if value is not None:
        return parse_amount(value)
    if value_each is None:
        return None
    each = parse_amount(value_each, "value each")
    total = each * max(1, recipients)
    if total > MAX_CENTS:
        raise ValidationError(
            f"{format_amount(each)} each for {recipients} contacts is {format_amount(total)}, "
            f"more than {format_amount(MAX_CENTS)}; check the number"
        )
    return total


def say_findings(findings: Sequence[Finding]) -> None:
    """Each compliance finding on one line, as the guardrails' warnings are shown."""
    for finding in findings:
        say(f"{finding.severity} [{finding.rule}]: {finding.message}")


def say_overridden(checked: compliance.Checked, who: str) -> None:
    """The line that tells the rep a warning was not a block: it was saved through, and
    the record says so (the compliance officer reads it in the report)."""
    count = len(checked.warnings)
    if count:
        said = "compliance warning" if count == 1 else f"{count} compliance warnings"
        them = "it" if count == 1 else "them"
        say(
            f"saved through the {said} above: recorded as overridden by {who} "
            f"(`nurture compliance report` lists {them})"
        )


def log(args: argparse.Namespace) -> int:
    session = session_for(args)
    zone, now = session.settings.zone, session.now()
    tense = Tense.FUTURE if args.planned else Tense.PAST  # "tue": the coming one if planned
    at = parse_datetime(args.at, zone, now=now, tense=tense) if args.at else None
    partner = naming.resolve_partner(session, args.partner)
    contact_ids = list(dict.fromkeys(naming.contact_ids(session, args.contact, partner.id)))
    cents = value_cents(args.value, args.value_each, len(contact_ids))
    draft = records.draft_touchpoint(
        session,
        partner.id,
        args.kind,
        at=at,
        contact_ids=contact_ids,
        purpose=args.purpose or "",
        note=args.note or "",
        requested=args.requested,
        planned=args.planned,
        value_cents=cents or 0,
        item=args.item or "",
    )
    playbook = rep_playbook()
    warnings = guardrail_warnings(session, playbook, draft, linkedin_connect=args.linkedin_connect)
    checked = compliance.check_draft(session, playbook, draft)
    said: list[dict[str, Any]] = [w.as_json() | {"severity": "warning"} for w in warnings]
    said += [f.as_json() for f in checked.findings]
    if args.check:
        if not args.json:
            for warning in warnings:
                say(f"warning [{warning.rule}]: {warning.message}")
            say_findings(checked.findings)
            say(
                "checked only: nothing was saved"
                if said
                else "checked only: nothing to warn about; nothing was saved"
            )
        emit(
            args,
            {"saved": False, "value": dollars(draft.value_cents) or None, "warnings": said},
            [],
        )
        return 0
    touchpoint = records.save_touchpoint(session, replace(draft, overrides=checked.overrides))
    if not args.json:
        when = describe_moment(touchpoint.at.astimezone(zone), now)
        verb = "planned" if args.planned else "logged"
        cents_given = touchpoint.value_cents
        given = f" ({format_amount(cents_given, session.settings.currency)})" if cents_given else ""
        say(f"{verb} {touchpoint.kind.value}{given} with {partner.name} for {when}")
        for warning in warnings:
            say(f"warning [{warning.rule}]: {warning.message}")
        say_findings(checked.findings)
        say_overridden(checked, compliance.actor(session))
    data = touchpoint_json(touchpoint, zone) | {"warnings": said}
    emit(args, data, touchpoint.id)
    return 0


def referral_add(args: argparse.Namespace) -> int:
    session = session_for(args)
    today = session.today()
    received = parse_date(args.received, "received date", today=today, tense=Tense.PAST)
    partner = naming.resolve_partner(session, args.partner)
    contact = naming.resolve_contact(session, args.contact, partner.id) if args.contact else None
    referral = records.add_referral(
        session,
        partner.id,
        received,
        contact_id=contact.id if contact else None,
        participant_ref=args.participant,
        service=args.service or "",
        service_detail=args.service_detail or "",
        status=args.status,
        complex_needs=args.complex,
    )
    if not args.json:
        say(f"referral from {partner.name} received {describe_day(referral.received, today)}")
        say(f"participant reference {referral.participant_ref} (an opaque code: never a name)")
    emit(args, referral_json(referral, with_participant=True), referral.id)
    return 0


def referral_list(args: argparse.Namespace) -> int:
    session = session_for(args)
    repo = session.repo
    partner_id = naming.partner_id(session, args.partner) if args.partner else None
    referrals = repo.referrals(partner_id)
    rows = [
        [
            r.id[:8],
            r.received.isoformat(),
            repo.partner(r.partner_id).name,
            r.participant_ref,
            r.service,
            r.status.value,
        ]
        for r in referrals
    ]
    emit(
        args,
        [referral_json(r, with_participant=True) for r in referrals],
        table(rows, ["ID", "RECEIVED", "PARTNER", "PARTICIPANT", "SERVICE", "STATUS"]),
    )
    return 0


def referral_show(args: argparse.Namespace) -> int:
    session = session_for(args)
    repo = session.repo
    referral = repo.referral(repo.resolve("referral", args.id))
    data = referral_json(referral, with_participant=True)
    emit(args, data, [f"{k}: {v}" for k, v in data.items()])
    return 0


def referral_edit(args: argparse.Namespace) -> int:
    session = session_for(args)
    changes: dict[str, object] = {}
    if args.status:
        changes["status"] = args.status
    if args.no_longer_serving:
        changes["partner_no_longer_serving"] = True
    if args.complex is not None:
        changes["complex_needs"] = args.complex
    if args.service is not None:
        changes["service"] = args.service
    if args.service_detail is not None:
        changes["service_detail"] = args.service_detail
    referral = records.update_referral(session, args.id, **changes)
    emit(args, referral_json(referral, with_participant=True), f"updated {referral.id[:8]}")
    return 0


#: What an empty store says instead of an empty answer: how to get partners in.
NO_PARTNERS_YET = (
    "No partners yet: add one with `nurture partner add NAME --kind KIND`, import a "
    "spreadsheet with `nurture import csv FILE`, or try the demo with `nurture demo`."
)


def next_(args: argparse.Namespace) -> int:
    session = session_for(args)
    complete_past_planned(session)
    # "--today mon" plans ahead: the coming Monday.
    today = (
        parse_date(args.today, "date", today=session.today(), tense=Tense.FUTURE)
        if args.today
        else None
    )
    if today is not None and not args.json:
        say(f"as of {describe_day(today, session.today())}")
    partner_id = naming.partner_id(session, args.partner) if args.partner else None
    actions, owner_of = rep_next_actions(
        session, rep_playbook(), today=today, partner_id=partner_id, everyone=args.everyone
    )
    if args.limit:
        actions = actions[: args.limit]
    if args.json:
        data = [
            a.as_json()
            | {"owner": owner_of.get(a.partner_id)}
            | ({"explanation": a.explanation} if args.explain else {})
            for a in actions
        ]
        emit(args, data, "")
        return 0
    from nurture_tui.commands.plan import action_lines  # priority in words, number on --explain

    lines = [line for a in actions for line in action_lines(a, explain=args.explain)]
    if not lines and not session.repo.partners():
        lines = [NO_PARTNERS_YET]
    if not lines and not args.everyone and not partner_id and ownership(session).team:
        lines = ["Nothing to do for your partners (--everyone: every rep's)."]
    emit(args, None, lines or ["Nothing to do: every partner is on cadence."])
    return 0


def playbook_show(args: argparse.Namespace) -> int:
    loaded = effective_playbook()
    if loaded.problem:
        say(f"nurture: warning: {loaded.problem}")
    if args.json:
        emit(args, {"source": loaded.source, "playbook": loaded.playbook.data}, "")
        return 0
    say(f"# effective playbook (from {loaded.source})")
    sys.stdout.write(_as_toml(loaded.playbook.data))
    return 0


def playbook_check(args: argparse.Namespace) -> int:
    check_playbook_file(Path(args.file))
    emit(args, {"file": args.file, "ok": True}, f"{args.file}: OK")
    return 0


def _as_toml(data: dict[str, object], prefix: str = "") -> str:
    """A small TOML writer for the effective playbook (tomllib reads but does not write).

    A table whose values are all tables becomes sections (``[rules.thank-you]``); any other
    table is written as a section of scalars, with nested tables inline.
    """
    out = ""
    for key, value in data.items():
        name = f"{prefix}.{key}" if prefix else key
        if not isinstance(value, dict):
            continue
        if value and all(isinstance(v, dict) for v in value.values()):
            out += _as_toml(value, name)
        else:
            lines = "\n".join(f"{k} = {_toml_value(v)}" for k, v in value.items())
            out += f"[{name}]\n{lines}\n\n"
    return out


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    return orjson.dumps(value).decode()
