"""Create, update and cancel invites; each logs (or changes) a planned touchpoint.

Privacy by construction: the builder is given a partner and its contacts, never referral
records, and a last check refuses any invite whose text holds a known participant reference.
Times are range-checked (``check_moment``) on the way in, start and end alike, so no
invite can carry a time that overflows when written as .ics, pushed or stored.

Nothing goes out with a placeholder: an invite is refused until the rep's name, address and
agency are set (``MissingDetailsError`` names the setting and where it lives), and its text
is the one written for the partner's kind (a hospital never gets the hospice text).
"""

from __future__ import annotations

import contextlib
import os
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from nurture_tui.config import require_invite_details
from nurture_tui.domain.errors import NotFoundError, ValidationError
from nurture_tui.domain.kinds import TouchpointKind, TouchpointStatus, default_direction, parse_enum
from nurture_tui.domain.model import Contact, Partner, Touchpoint, new_id
from nurture_tui.domain.phi import phi_findings
from nurture_tui.domain.privacy import contains_reference
from nurture_tui.domain.text import checked_link
from nurture_tui.domain.validation import check_moment
from nurture_tui.invites.ics_writer import invite_to_ics
from nurture_tui.invites.model import Invite, InviteKind, InviteStatus, Person
from nurture_tui.invites.sanitize import one_line
from nurture_tui.invites.templates import Templates, load_templates, render, video_line
from nurture_tui.locations import config_directory
from nurture_tui.services.session import Session
from nurture_tui.store.files import atomic_write

SOURCE = "invite"


def zone_for(name: str | None, session: Session) -> tzinfo:
    if not name:
        return session.settings.zone
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            f"unknown timezone {name!r}; use an IANA name like America/Chicago"
        ) from None


def templates() -> Templates:
    """The invite texts in force: the seeds' defaults and the rep's invite_templates.toml."""
    path = config_directory() / "invite_templates.toml"
    text = path.read_text(encoding="utf-8") if path.exists() else None
    return load_templates(text, str(path))


def create_invite(
    session: Session,
    partner_id: str,
    kind: str,
    start: datetime,
    *,
    duration_minutes: int | None = None,
    contact_ids: Sequence[str] = (),
    title: str | None = None,
    video_url: str | None = None,
    location: str = "",
    zoom_meeting: bool = False,
) -> Invite:
    """Build the invite, check it carries no participant data, log the planned touch.

    ``zoom_meeting`` creates a Zoom meeting through Zoom's API for the link.
    """
    organizer = _organizer(session)  # first: without the rep's details nothing else matters
    repo = session.repo
    partner = repo.partner(repo.resolve("partner", partner_id))
    invite_kind = parse_enum(InviteKind, kind, "invite kind")
    template = templates().for_partner(invite_kind, partner.kind)
    contacts = _attendee_contacts(session, partner, contact_ids)
    values = {
        "partner": partner.name,
        "agency": session.settings.agency,
        "rep": session.settings.rep_name,
        "contact": contacts[0].name if contacts else partner.name,
    }
    minutes = duration_minutes or template.minutes
    if not 5 <= minutes <= 24 * 60:
        raise ValidationError("the duration must be between 5 minutes and 24 hours")
    _check_times(start, timedelta(minutes=minutes))
    link = checked_link(
        video_url if video_url is not None else session.settings.zoom_url, "video link"
    )
    description = render(template.description, **values)
    invite = Invite(
        uid=f"{new_id()}@nurture",
        kind=invite_kind,
        partner_id=partner.id,
        title=one_line(title) if title else render(template.title, **values),
        description=_with_video_line(description, link),
        start=start,
        duration=timedelta(minutes=minutes),
        organizer=organizer,
        attendees=tuple(Person(c.name, c.emails[0]) for c in contacts),
        video_url=link,
        location=one_line(location),
        contact_ids=tuple(c.id for c in contacts),
    )
    _refuse_participant_data(session, invite)
    if zoom_meeting:  # only after the privacy check: nothing unchecked leaves for Zoom
        from nurture_tui.invites import zoom

        link = zoom.create_meeting(zoom.stored_credentials(), invite.title, start, minutes)
        invite = replace(invite, video_url=link, description=_with_video_line(description, link))
    touch = _planned_touch(invite, None)
    repo.save(
        touch,
        action="invite",
        state={_key(invite.uid): invite_to_doc(invite)},
        summary=f"Planned {invite.title} ({start:%a %d %b})",
    )
    return invite


def update_invite(
    session: Session,
    uid: str,
    *,
    start: datetime | None = None,
    duration_minutes: int | None = None,
    title: str | None = None,
) -> Invite:
    """Re-issue with the same UID and a higher SEQUENCE; the planned touch follows."""
    invite = load_invite(session, uid)
    if invite.status is InviteStatus.CANCELLED:
        raise ValidationError("this invite was cancelled; create a new one")
    changed = replace(
        invite,
        start=start or invite.start,
        duration=timedelta(minutes=duration_minutes) if duration_minutes else invite.duration,
        title=one_line(title) if title else invite.title,
        sequence=invite.sequence + 1,
    )
    _check_times(changed.start, changed.duration)
    _refuse_participant_data(session, changed)
    existing = session.repo.touchpoint_by_external_id(SOURCE, invite.uid)
    session.repo.save(
        _planned_touch(changed, existing),
        action="invite-update",
        state={_key(changed.uid): _merged(session, changed)},
    )
    return changed


def cancel_invite(session: Session, uid: str) -> Invite:
    """Re-issue as METHOD:CANCEL with a higher SEQUENCE; the planned touch is cancelled."""
    invite = load_invite(session, uid)
    cancelled = replace(invite, status=InviteStatus.CANCELLED, sequence=invite.sequence + 1)
    existing = session.repo.touchpoint_by_external_id(SOURCE, invite.uid)
    records = [existing._replace(status=TouchpointStatus.CANCELLED)] if existing else []
    session.repo.save(
        *records, action="invite-cancel", state={_key(cancelled.uid): _merged(session, cancelled)}
    )
    return cancelled


def invite_ics(invite: Invite, *, personal_copy: bool = False) -> bytes:
    return invite_to_ics(invite, method="PUBLISH" if personal_copy else None)


def push_invite(
    session: Session, invite: Invite, source_name: str, *, online_meeting: bool = False
) -> tuple[str, str]:
    """Create, update or cancel the event at a calendar source, and remember its id with
    the invite; returns (event id, online-meeting link or "")."""
    from nurture_tui.services.sync import load_source
    from nurture_tui.sync.contract import CalendarWriter

    writer = load_source(session, source_name)
    if not isinstance(writer, CalendarWriter):
        raise ValidationError(f"{source_name} cannot take invites; write an .ics with --out")
    key = _key(invite.uid)
    doc = session.repo.state(key) or invite_to_doc(invite)
    event_id = (doc.get("pushed") or {}).get(source_name)
    link = ""
    if invite.status is InviteStatus.CANCELLED:
        writer.cancel_invite(invite, event_id)
    elif event_id:
        writer.update_invite(invite, event_id)
    else:
        event_id = writer.push_invite(invite, online_meeting=online_meeting)
        link = writer.meeting_url
        if link:
            doc = {**doc, "meeting_url": link}
    pushed = {**(doc.get("pushed") or {}), source_name: event_id}
    session.repo.put_state(key, {**doc, "pushed": pushed})
    return str(event_id), link


def load_invite(session: Session, uid: str) -> Invite:
    doc = session.repo.state(_key(uid))
    if doc is None:
        raise NotFoundError(f"no invite with UID {uid!r}; see `nurture invite list`")
    return invite_from_doc(doc)


def _merged(session: Session, invite: Invite) -> dict[str, Any]:
    """The new invite document, keeping what was recorded beside it (pushed event ids)."""
    return {**(session.repo.state(_key(invite.uid)) or {}), **invite_to_doc(invite)}


def _key(uid: str) -> str:
    return f"invite:{uid}"


def _organizer(session: Session) -> Person:
    """The rep, as the invite's organizer; refused (naming the setting and where it lives)
    while their name, address or agency is blank or an old placeholder."""
    settings = session.settings
    require_invite_details(settings)
    return Person(settings.rep_name, settings.rep_email)


def _with_video_line(description: str, link: str) -> str:
    """The description with the sentence naming the video service (Zoom, Teams, Meet…),
    before the signature; unchanged when there is no link (then nothing says "Zoom")."""
    line = video_line(link)
    if not line:
        return description
    body, sep, signature = description.rpartition("\n\n")
    if sep and signature.startswith("—"):
        return f"{body}\n\n{line}\n\n{signature}"
    return f"{description}\n\n{line}"


def _attendee_contacts(
    session: Session, partner: Partner, contact_ids: Sequence[str]
) -> list[Contact]:
    repo = session.repo
    if contact_ids:
        chosen = [repo.contact(repo.resolve("contact", c)) for c in contact_ids]
        for contact in chosen:
            if contact.partner_id != partner.id:
                raise ValidationError(f"{contact.name} does not work at {partner.name}")
            if not contact.emails:
                raise ValidationError(f"{contact.name} has no email address to invite")
        return chosen
    return [c for c in repo.contacts(partner.id) if c.emails]


def _check_times(start: datetime, duration: timedelta) -> None:
    """Start and end both in the domain's range; the end is checked too because a start
    late on 2199-12-31 plus the duration would leave it (and the .ics would carry it)."""
    check_moment(start, "invite start")
    check_moment(start + duration, "invite end")


def _refuse_participant_data(session: Session, invite: Invite) -> None:
    text = " ".join((invite.title, invite.description, invite.location, invite.video_url))
    if contains_reference(text, session.repo.participant_refs()):
        # The message must not repeat the reference it refuses.
        raise ValidationError(
            "the invite's text contains a participant reference; invites go outside the "
            "agency and must never carry participant data — reword it"
        )
    known = [e for c in session.repo.contacts(invite.partner_id) for e in c.emails]
    known.append(invite.organizer.email)
    findings = phi_findings(" ".join((invite.title, invite.description, invite.location)), known)
    if findings:
        raise ValidationError(
            f"the invite's text looks like it holds a patient identifier ({'; '.join(findings)}); "
            "invites go outside the agency — reword it"
        )


def _planned_touch(invite: Invite, existing: Touchpoint | None) -> Touchpoint:
    kind = TouchpointKind(invite.kind.value)
    fields: dict[str, Any] = {
        "partner_id": invite.partner_id,
        "kind": kind,
        "at": invite.start,
        "contact_ids": invite.contact_ids,
        "direction": default_direction(kind),
        "status": TouchpointStatus.PLANNED,
        "purpose": invite.title,
    }
    if existing is not None:
        return existing._replace(**fields)
    return Touchpoint(id=new_id(), source=SOURCE, external_id=invite.uid, **fields)


def invite_to_doc(invite: Invite) -> dict[str, Any]:
    return {
        "uid": invite.uid,
        "kind": invite.kind.value,
        "partner": invite.partner_id,
        "title": invite.title,
        "description": invite.description,
        "start": invite.start.isoformat(),
        "zone": getattr(invite.start.tzinfo, "key", None),
        "minutes": int(invite.duration.total_seconds() // 60),
        "organizer": [invite.organizer.name, invite.organizer.email],
        "attendees": [[p.name, p.email] for p in invite.attendees],
        "video_url": invite.video_url,
        "location": invite.location,
        "sequence": invite.sequence,
        "status": invite.status.value,
        "contacts": list(invite.contact_ids),
    }


def invite_from_doc(doc: dict[str, Any]) -> Invite:
    """The invite a state document describes; a start out of range (written before the
    range was enforced) is refused with a ValidationError rather than an OverflowError."""
    start = check_moment(datetime.fromisoformat(doc["start"]), f"start of invite {doc['uid']}")
    if doc.get("zone"):
        start = start.astimezone(ZoneInfo(doc["zone"]))
    return Invite(
        uid=doc["uid"],
        kind=InviteKind(doc["kind"]),
        partner_id=doc["partner"],
        title=doc["title"],
        description=doc["description"],
        start=start,
        duration=timedelta(minutes=int(doc["minutes"])),
        organizer=Person(*doc["organizer"]),
        attendees=tuple(Person(*a) for a in doc["attendees"]),
        video_url=doc.get("video_url", ""),
        location=doc.get("location", ""),
        sequence=int(doc["sequence"]),
        status=InviteStatus(doc["status"]),
        contact_ids=tuple(doc.get("contacts", ())),
    )


def invites(session: Session) -> list[Invite]:
    """Every invite Nurture created, newest first (state keys ``invite:UID``)."""
    repo = session.repo
    docs = [repo.state(key) for key in repo.state_keys("invite:")]
    found = [invite_from_doc(d) for d in docs if d]
    return sorted(found, key=lambda i: i.start, reverse=True)


def complete_past_planned(session: Session) -> int:
    """Planned touches whose time has passed become done (the playbook sees them)."""
    now = session.now()
    due = [t._replace(status=TouchpointStatus.DONE) for t in session.repo.planned_before(now)]
    if due:
        session.repo.save(*due, action="planned-done")
    return len(due)


# ------------------------------------------------------------------- .ics files on disk


@dataclass(frozen=True)
class SavedInvite:
    """Where an invite's .ics was written (absolute), and what the rep should be told
    besides ("… existed, so this one is …-2.ics")."""

    path: Path
    note: str = ""


def ics_filename(invite: Invite, partner_name: str) -> str:
    """``mercy-general-in-service-2026-12-03.ics``: who, what and when, readable in a
    folder listing (ASCII, so every mail client and file system takes it)."""
    ascii_name = unicodedata.normalize("NFKD", partner_name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40].strip("-")
    cancelled = "-cancelled" if invite.status is InviteStatus.CANCELLED else ""
    return f"{slug or 'partner'}-{invite.kind.value}-{invite.start:%Y-%m-%d}{cancelled}.ics"


def save_invite_file(
    session: Session,
    invite: Invite,
    ics: bytes,
    *,
    target: Path | None = None,
    directory: Path | None = None,
    force: bool = False,
) -> SavedInvite:
    """Write the .ics where the rep will find it, and never over another file unasked.

    ``target`` a file: written there; if something else is already there it is refused
    (``force`` replaces it). ``target`` a folder, or none (``directory``, default the
    current one): a readable name is chosen there, and a taken name gets ``-2``, ``-3``…
    In every case a file holding this same invite (an earlier SEQUENCE) is replaced, and
    the rep is told so.
    """
    partner = session.repo.partner(invite.partner_id)
    name = ics_filename(invite, partner.name)
    chosen_by_us = target is None or target.expanduser().is_dir()
    if chosen_by_us:
        folder = (target or directory or Path.cwd()).expanduser()
        path = Path(os.path.abspath(folder / name))
    else:
        assert target is not None
        folder = target.expanduser().parent
        path = Path(os.path.abspath(target.expanduser()))
    if _holds_invite(path, invite.uid):
        _write_replacing(path, ics)
        return SavedInvite(path, f"replaced the earlier version of this invite in {path}")
    if force and not chosen_by_us:
        _write_replacing(path, ics)
        return SavedInvite(path)
    if not chosen_by_us:
        if not _write_new(path, ics):
            raise ValidationError(
                f"{path} already exists; give another --out, or add --force to replace it"
            )
        return SavedInvite(path)
    for number in range(1, 1000):
        candidate = path if number == 1 else path.with_name(f"{path.stem}-{number}.ics")
        if _write_new(candidate, ics):
            note = "" if number == 1 else f"{path.name} already exists, so this is {candidate.name}"
            return SavedInvite(candidate, note)
    raise ValidationError(f"{folder} holds too many invites named {path.stem}-N.ics")


def check_invite_target(target: Path, uid: str | None = None) -> None:
    """Refuse an explicit output file that exists and is not the invite ``uid``'s own .ics
    (checked before the invite is created, so a refusal leaves nothing half done)."""
    path = target.expanduser()
    if path.is_dir():
        return
    if not path.parent.is_dir():
        raise ValidationError(
            f"cannot write {os.path.abspath(path)}: there is no folder "
            f"{os.path.abspath(path.parent)}"
        )
    if not (path.exists() or path.is_symlink()):
        return
    if uid is not None and _holds_invite(path, uid):
        return
    raise ValidationError(
        f"{os.path.abspath(path)} already exists; give another --out, or add --force to replace it"
    )


def _holds_invite(path: Path, uid: str) -> bool:
    """Whether ``path`` is an .ics of the invite ``uid`` (a small regular file naming it)."""
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > 1_000_000:
            return False
        unfolded = path.read_bytes().replace(b"\r\n ", b"").replace(b"\n ", b"")
    except OSError:
        return False
    return f"\nUID:{uid}\r".encode() in unfolded or f"\nUID:{uid}\n".encode() in unfolded


def _write_replacing(path: Path, data: bytes) -> None:
    try:
        atomic_write(path, data)
    except OSError as exc:
        raise ValidationError(f"cannot write {path}: {exc.strerror or exc}") from None


def _write_new(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` only if nothing is there: False if the name is taken.

    Written beside it first and linked into place, so the file appears whole or not at
    all, and a file that appeared meanwhile is never replaced (``link`` refuses)."""
    if path.exists() or path.is_symlink():
        return False
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        atomic_write(temp, data)
        try:
            os.link(temp, path)
        except FileExistsError:
            return False
        except OSError:  # a file system without hard links (FAT, some shares)
            if path.exists():
                return False
            os.replace(temp, path)
    except OSError as exc:
        raise ValidationError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
    return True
