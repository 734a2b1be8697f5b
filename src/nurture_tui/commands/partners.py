"""``nurture partner ...`` and ``nurture contact ...``."""

from __future__ import annotations

import argparse
from typing import Any

from nurture_tui.commands.output import emit, say, session_for, table
from nurture_tui.domain.dates import Tense, describe_day
from nurture_tui.domain.validation import parse_birthday, parse_date
from nurture_tui.services import naming, records
from nurture_tui.services.owners import ownership, partner_view
from nurture_tui.services.present import (
    contact_json,
    days_since,
    partner_json,
    referral_json,
    touchpoint_json,
)


def partner_add(args: argparse.Namespace) -> int:
    session = session_for(args)
    partner = records.add_partner(
        session,
        args.name,
        args.kind,
        tier=args.tier,
        stage=args.stage,
        domains=args.domain,
        npi=args.npi,
        owner=args.owner,
        tags=args.tag,
    )
    emit(args, partner_json(partner), f"added {partner.name} ({partner.id[:8]})")
    return 0


def partner_list(args: argparse.Namespace) -> int:
    session = session_for(args)
    repo = session.repo
    today = session.today()
    partners = repo.partners(include_archived=args.all)
    owners = ownership(session)
    if args.owner is not None:
        partners = partner_view(owners, partners, args.owner)
    if args.json:
        emit(args, [partner_json(p) for p in partners], "")
        return 0
    if not partners and args.owner is not None:
        emit(args, None, f"No partner matches --owner {args.owner}.")
        return 0
    if not partners:
        from nurture_tui.commands.touches import NO_PARTNERS_YET

        emit(args, None, NO_PARTNERS_YET)
        return 0
    rows = []
    last_touches = repo.last_touch_times()  # one grouped query, not one per partner
    for p in partners:
        since = days_since(last_touches.get(p.id), today)
        rows.append(
            [
                p.id[:8],
                p.name,
                p.kind.value,
                p.tier.value,
                p.stage.value,
                "never" if since is None else f"{since}d",
                *([p.owner or "unassigned"] if owners.team else []),
            ]
        )
    # A team store's directory says whose each partner is; a rep's own store is theirs.
    headers = ["ID", "NAME", "KIND", "TIER", "STAGE", "LAST TOUCH"]
    headers += ["OWNER"] if owners.team else []
    emit(args, None, table(rows, headers))
    return 0


def partner_show(args: argparse.Namespace) -> int:
    session = session_for(args)
    repo = session.repo
    partner = naming.resolve_partner(session, args.id)
    zone = session.settings.zone
    contacts = repo.contacts(partner.id)
    touches = repo.touchpoints(partner.id)
    referrals = repo.referrals(partner.id)
    data = partner_json(partner) | {
        "contacts": [contact_json(c, partner) for c in contacts],
        "touchpoints": [touchpoint_json(t, zone) for t in touches],
        "referrals": [referral_json(r) for r in referrals],
    }
    lines = [
        f"{partner.name}  ({partner.kind.value}, tier {partner.tier.value}, {partner.stage.value})",
        f"id {partner.id}" + (f"  NPI {partner.npi}" if partner.npi else ""),
    ]
    if partner.domains:
        lines.append("domains: " + ", ".join(partner.domains))
    lines.append(f"contacts ({len(contacts)}):")
    for c in contacts:
        credential = f", {c.credential.value.upper()}" if c.credential else ""
        lines.append(f"  {c.id[:8]}  {c.name}{credential}  {c.role}  {', '.join(c.emails)}")
        inferred = contact_json(c, partner)["physician_inferred"]
        if inferred:
            lines.append(f"            note: {inferred}")
    lines.append(f"referrals: {len(referrals)}")
    lines.append(f"touchpoints ({len(touches)}), latest first:")
    lines += [
        f"  {t.at.astimezone(zone):%Y-%m-%d %H:%M}  {t.kind.value:<18} {t.status.value:<9} "
        f"{t.purpose or t.note}".rstrip()
        for t in list(reversed(touches))[:15]
    ]
    emit(args, data, lines)
    return 0


def partner_edit(args: argparse.Namespace) -> int:
    session = session_for(args)
    partner = records.edit_partner(
        session,
        naming.partner_id(session, args.id),
        name=args.name,
        kind=args.kind,
        tier=args.tier,
        stage=args.stage,
        domains=args.domain,
        npi=args.npi,
        owner=args.owner,
        tags=args.tag,
        notes=args.notes,
    )
    emit(args, partner_json(partner), f"updated {partner.name} ({partner.id[:8]})")
    return 0


def partner_archive(args: argparse.Namespace) -> int:
    session = session_for(args)
    partner = records.archive_partner(session, naming.partner_id(session, args.id))
    emit(args, partner_json(partner), f"archived {partner.name} ({partner.id[:8]})")
    return 0


def contact_add(args: argparse.Namespace) -> int:
    session = session_for(args)
    today = session.today()
    birthday = parse_birthday(args.birthday) if args.birthday else None
    started = (
        parse_date(args.started, "start date", today=today, tense=Tense.PAST)
        if args.started
        else None
    )
    partner = naming.resolve_partner(session, args.partner)
    contact = records.add_contact(
        session,
        partner.id,
        args.name,
        emails=args.email,
        role=args.role or "",
        phone=args.phone or "",
        birthday=birthday,
        started=started,
        met_in_person=args.met_in_person,
        credential=args.credential,
        npi=args.npi,
    )
    understood = [f"birthday {describe_day(birthday)}"] if birthday else []
    understood += [f"started {describe_day(started, today)}"] if started else []
    if understood and not args.json:
        say("; ".join(understood))  # the dates as read, so a misread shows at once
    data = contact_json(contact, partner)
    if not args.json:
        _say_physician(data)
    emit(args, data, contact.id)
    return 0


def _say_physician(data: dict[str, object]) -> None:
    """A physician status the rep did not set is said, so a wrong guess is corrected
    before it decides which gifts count toward Stark's yearly limit."""
    if data["physician_inferred"]:
        say(f"note: {data['physician_inferred']}")


def contact_edit(args: argparse.Namespace) -> int:
    session = session_for(args)
    today = session.today()
    changes: dict[str, Any] = {}
    for name in ("name", "role", "phone", "credential", "npi"):
        value = getattr(args, name)
        if value is not None:
            changes[name] = value
    if args.email is not None:
        changes["emails"] = args.email
    if args.birthday is not None:
        changes["birthday"] = parse_birthday(args.birthday) if args.birthday else None
    if args.started is not None:
        changes["started"] = (
            parse_date(args.started, "start date", today=today, tense=Tense.PAST)
            if args.started
            else None
        )
    if args.met_in_person is not None:
        changes["met_in_person"] = args.met_in_person
    contact = records.edit_contact(session, naming.resolve_contact(session, args.id).id, **changes)
    data = contact_json(contact, session.repo.partner(contact.partner_id))
    if not args.json:
        _say_physician(data)
    emit(args, data, f"updated {contact.name} ({contact.id[:8]})")
    return 0


def contact_show(args: argparse.Namespace) -> int:
    session = session_for(args)
    contact = naming.resolve_contact(session, args.id)
    partner = session.repo.partner(contact.partner_id)
    data = contact_json(contact, partner) | {"partner": partner.name}
    lines = [f"{k}: {v}" for k, v in data.items() if v not in (None, "", [], ())]
    emit(args, data, lines)
    return 0


def contact_list(args: argparse.Namespace) -> int:
    session = session_for(args)
    repo = session.repo
    partner_id = naming.partner_id(session, args.partner) if args.partner else None
    contacts = repo.contacts(partner_id)
    partners = {p.id: p for p in repo.partners(include_archived=True)}
    rows = [
        [
            c.id[:8],
            c.name,
            c.credential.value.upper() if c.credential else "",
            c.role,
            ", ".join(c.emails),
            partners[c.partner_id].name,
        ]
        for c in contacts
    ]
    emit(
        args,
        [contact_json(c, partners[c.partner_id]) for c in contacts],
        table(rows, ["ID", "NAME", "CREDENTIAL", "ROLE", "EMAILS", "PARTNER"]),
    )
    return 0
