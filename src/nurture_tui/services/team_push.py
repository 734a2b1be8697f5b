"""``nurture team push``: a rep's laptop store moves into the team store, merged, once.

A rep who used Nurture alone has years of partners, contacts, touches and referrals in a
local ``nurture.db``; the agency's team store may already hold some of the same partners
(a colleague added Mercy General last spring). Pushing must neither duplicate them nor
lose a touch, and must say what it merged so the rep can check it.

- **Partners** are matched as a spreadsheet row is (``csv_matching.PartnerIndex``: NPI,
  name once case and legal words are set aside, a shared email domain with a related
  name, the name without words like "Hospital", one misspelt word). A matched partner
  keeps the team's record; the push adds what the team's lacks (an NPI, domains, tags,
  pages, an owner) and never overwrites a colleague's stage, tier or notes.
- **Contacts** are matched by a shared email address, then NPI, then the same
  normalised name at the same partner; a match gains the local addresses and fills only
  the fields the team's record leaves empty.
- **Touchpoints, referrals and dismissals** are appended, pointed at the merged partners
  and contacts. A touch already there (the same id, or the same synced event) is not
  added twice; a synced meeting the team has that the rep had too gains the rep among
  its reps (counted as merged).
- **Once per store**: the local store gets an id; the team store remembers it in the
  same transaction as the records, so a second push (from this laptop, or from a copy of
  its store) is refused in one line.

New partners are owned by the rep who pushes (the store was theirs), unless the local
record names nobody and the rep's email is unknown. The plan is pure (``plan_push``);
``push`` reads both stores and writes the team's in one transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from nurture_tui.domain.attendance import attendance
from nurture_tui.domain.errors import EditConflict, StoreError, ValidationError
from nurture_tui.domain.model import (
    Contact,
    Dismissal,
    MeetingRep,
    Partner,
    Referral,
    Touchpoint,
    new_id,
)
from nurture_tui.domain.repository import Repository, own_rep
from nurture_tui.services.csv_matching import OrgName, PartnerIndex, normalise_name
from nurture_tui.services.exchange import Contents, read_store
from nurture_tui.services.session import Session
from nurture_tui.store import backups
from nurture_tui.store.database import DATABASE_NAME
from nurture_tui.store.legacy import legacy_files
from nurture_tui.store.opening import open_store
from nurture_tui.store.team_url import parse_store_url, shown

#: The local store's own id (state key), made on its first push.
STORE_ID_KEY = "store-id"
#: The local store's record of its push (state key): where, when, by whom.
PUSHED_KEY = "pushed-to-team"
#: The team store's record of each store pushed into it: this prefix and the store's id.
TEAM_PUSHED_PREFIX = "pushed-store:"


@dataclass(frozen=True)
class Merge:
    """A local record found in the team store: which, by what rule, in words."""

    record: str  # "partner" or "contact"
    local_id: str
    team_id: str
    local_name: str
    team_name: str
    by: str
    reason: str

    def line(self) -> str:
        same = "" if self.local_name == self.team_name else f" as {self.team_name}"
        return f"{self.record} {self.local_name} merged{same} ({self.reason})"

    def document(self) -> dict[str, str]:
        return {
            "record": self.record,
            "local_id": self.local_id,
            "team_id": self.team_id,
            "local_name": self.local_name,
            "team_name": self.team_name,
            "by": self.by,
            "reason": self.reason,
        }


@dataclass
class PushPlan:
    """What a push writes, and what it found."""

    records: list[Partner | Contact | Touchpoint | Referral | Dismissal] = field(
        default_factory=list
    )
    merges: list[Merge] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def count(self, table: str, what: str) -> None:
        tally = self.counts.setdefault(table, {"added": 0, "merged": 0, "already there": 0})
        tally[what] += 1


@dataclass(frozen=True)
class PushReport:
    """What ``push`` did (or, with ``dry_run``, would do)."""

    source: Path
    store_id: str
    plan: PushPlan
    dry_run: bool

    def document(self) -> dict[str, Any]:
        return {
            "from": str(self.source),
            "store_id": self.store_id,
            "dry_run": self.dry_run,
            "counts": self.plan.counts,
            "merges": [m.document() for m in self.plan.merges],
        }


def plan_push(
    local: Contents,
    team: Contents,
    *,
    rep: str,
    own_domains: frozenset[str] = frozenset(),
    meeting_rep: str | None = None,
) -> PushPlan:
    """The records to write into ``team`` so it also holds ``local`` (see module doc).

    ``own_domains``: the agency's own email domains, which say nothing about which partner
    a person works for (every rep's address has one). ``meeting_rep``: who the pushed
    meetings name among their reps (the team store's ``own_rep``; default ``rep``)."""
    plan = PushPlan()
    for table in ("partners", "contacts", "touchpoints", "referrals", "dismissals"):
        plan.counts[table] = {"added": 0, "merged": 0, "already there": 0}
    partner_of = _plan_partners(local, team, rep, own_domains, plan)
    contact_of = _plan_contacts(local, team, partner_of, plan)
    _plan_history(
        local, team, partner_of, contact_of, plan, rep if meeting_rep is None else meeting_rep
    )
    return plan


def _plan_partners(
    local: Contents, team: Contents, rep: str, own_domains: frozenset[str], plan: PushPlan
) -> dict[str, str]:
    index = PartnerIndex(own_domains)
    emails: dict[str, list[str]] = {}
    for contact in team.contacts:
        emails.setdefault(contact.partner_id, []).extend(contact.emails)
    for partner in team.partners:
        index.add(partner, emails.get(partner.id, ()))
    team_ids = {p.id for p in team.partners}
    local_emails: dict[str, list[str]] = {}
    for contact in local.contacts:
        local_emails.setdefault(contact.partner_id, []).extend(contact.emails)
    partner_of: dict[str, str] = {}
    for partner in sorted(local.partners, key=lambda p: (p.archived, p.name.lower(), p.id)):
        domains = [*partner.domains, *(_domain(e) for e in local_emails.get(partner.id, ()))]
        found = index.find(
            OrgName.of(partner.name), kind=partner.kind, npi=partner.npi, domains=domains
        )
        if found.match is not None:
            ours = index.partners[found.match.partner_id]
            partner_of[partner.id] = ours.id
            merged = _merge_partner(ours, partner, rep)
            if merged != ours:
                plan.records.append(merged)
                index.update(merged)
            plan.merges.append(
                Merge(
                    "partner",
                    partner.id,
                    ours.id,
                    partner.name,
                    ours.name,
                    found.match.by,
                    found.match.reason,
                )
            )
            plan.count("partners", "merged")
            continue
        new = replace(
            partner,
            id=partner.id if partner.id not in team_ids else new_id(),
            owner=rep or partner.owner or None,
        )
        team_ids.add(new.id)
        partner_of[partner.id] = new.id
        # Not indexed: two of the laptop's own partners stay two (the rep kept them apart),
        # whatever their names; only the team's records are merged into.
        plan.records.append(new)
        plan.count("partners", "added")
    return partner_of


def _merge_partner(ours: Partner, theirs: Partner, rep: str) -> Partner:
    """The team's partner, with what only the local record knew added."""
    return replace(
        ours,
        npi=ours.npi or theirs.npi,
        domains=_union(ours.domains, theirs.domains),
        tags=_union(ours.tags, theirs.tags),
        social_pages=_union(ours.social_pages, theirs.social_pages),
        owner=ours.owner or rep or theirs.owner or None,
    )


def _plan_contacts(
    local: Contents, team: Contents, partner_of: dict[str, str], plan: PushPlan
) -> dict[str, str]:
    by_email: dict[str, Contact] = {}
    by_npi: dict[str, Contact] = {}
    by_name: dict[tuple[str, str], Contact] = {}
    team_ids = {c.id for c in team.contacts}

    def index(contact: Contact) -> None:
        for email in contact.emails:
            by_email.setdefault(email.lower(), contact)
        if contact.npi:
            by_npi.setdefault(contact.npi, contact)
        by_name.setdefault((contact.partner_id, normalise_name(contact.name)), contact)

    for contact in team.contacts:
        index(contact)
    contact_of: dict[str, str] = {}
    for contact in sorted(local.contacts, key=lambda c: (c.archived, c.name.lower(), c.id)):
        partner_id = partner_of[contact.partner_id]
        match, by, reason = _find_contact(contact, partner_id, by_email, by_npi, by_name)
        if match is not None:
            contact_of[contact.id] = match.id
            merged = _merge_contact(match, contact)
            if merged != match:
                plan.records.append(merged)
                index(merged)
            plan.merges.append(
                Merge("contact", contact.id, match.id, contact.name, match.name, by, reason)
            )
            plan.count("contacts", "merged")
            continue
        new = replace(
            contact,
            id=contact.id if contact.id not in team_ids else new_id(),
            partner_id=partner_id,
        )
        team_ids.add(new.id)
        contact_of[contact.id] = new.id
        index(new)
        plan.records.append(new)
        plan.count("contacts", "added")
    return contact_of


def _find_contact(
    contact: Contact,
    partner_id: str,
    by_email: dict[str, Contact],
    by_npi: dict[str, Contact],
    by_name: dict[tuple[str, str], Contact],
) -> tuple[Contact | None, str, str]:
    for email in contact.emails:
        found = by_email.get(email.lower())
        if found is not None:
            return found, "email", f"same email {email.lower()}"
    if contact.npi and contact.npi in by_npi:
        return by_npi[contact.npi], "npi", f"same NPI {contact.npi}"
    found = by_name.get((partner_id, normalise_name(contact.name)))
    if found is not None:
        return found, "name", "same name at the same partner"
    return None, "", ""


def _merge_contact(ours: Contact, theirs: Contact) -> Contact:
    """The team's contact, with the local addresses and the fields it leaves empty."""
    return replace(
        ours,
        emails=_union(ours.emails, theirs.emails, key=str.lower),
        role=ours.role or theirs.role,
        phone=ours.phone or theirs.phone,
        birthday=ours.birthday or theirs.birthday,
        started=ours.started or theirs.started,
        milestones=_union(ours.milestones, theirs.milestones),
        met_in_person=ours.met_in_person or theirs.met_in_person,
        linkedin_connected=ours.linkedin_connected or theirs.linkedin_connected,
        credential=ours.credential or theirs.credential,
        npi=ours.npi or theirs.npi,
    )


def _plan_history(
    local: Contents,
    team: Contents,
    partner_of: dict[str, str],
    contact_of: dict[str, str],
    plan: PushPlan,
    rep: str,
) -> None:
    touch_ids = {t.id for t in team.touchpoints}
    events = {(t.source, t.external_id or ""): t for t in team.touchpoints if t.external_id}
    for touch in local.touchpoints:
        # A laptop's meetings name its one rep as "": in the team store, the rep pushing.
        reps = tuple(sorted({MeetingRep(rep, e.event) for e in touch.reps})) if rep else touch.reps
        # A synced touch's external id ends with its partner's id: the team's, once merged.
        external_id = touch.external_id
        if external_id and external_id.endswith(f"#{touch.partner_id}"):
            external_id = external_id[: -len(touch.partner_id)] + partner_of[touch.partner_id]
        event = (touch.source, external_id or "")
        there = events.get(event) if external_id else None
        if touch.id in touch_ids or there is not None:
            had = attendance(there, rep) if there is not None and rep else ()
            if there is not None and not set(reps) <= set(had):
                # A meeting a colleague synced and this rep had too: one touch, both on it.
                joined = there._replace(reps=tuple(sorted({*had, *reps})))
                plan.records.append(joined)
                events[event] = joined
                plan.count("touchpoints", "merged")
            else:
                plan.count("touchpoints", "already there")
            continue
        added = touch._replace(
            partner_id=partner_of[touch.partner_id],
            contact_ids=tuple(dict.fromkeys(contact_of.get(c, c) for c in touch.contact_ids)),
            external_id=external_id,
            reps=reps,
        )
        plan.records.append(added)
        touch_ids.add(touch.id)
        if touch.external_id:
            events[event] = added
        plan.count("touchpoints", "added")
    referral_ids = {r.id for r in team.referrals}
    for referral in local.referrals:
        if referral.id in referral_ids:
            plan.count("referrals", "already there")
            continue
        plan.records.append(
            replace(
                referral,
                partner_id=partner_of[referral.partner_id],
                contact_id=contact_of.get(referral.contact_id, referral.contact_id)
                if referral.contact_id
                else None,
            )
        )
        referral_ids.add(referral.id)
        plan.count("referrals", "added")
    quiet = {(d.partner_id, d.rule, d.key) for d in team.dismissals}
    for dismissal in local.dismissals:
        moved = replace(dismissal, partner_id=partner_of[dismissal.partner_id])
        if (moved.partner_id, moved.rule, moved.key) in quiet:
            plan.count("dismissals", "already there")
            continue
        quiet.add((moved.partner_id, moved.rule, moved.key))
        plan.records.append(moved)
        plan.count("dismissals", "added")


def push(team: Session, source: Path, *, dry_run: bool = False) -> PushReport:
    """Move the local store at ``source`` into ``team``'s store, once (module doc)."""
    if not team.settings.store_url:
        raise ValidationError(
            "team push moves a local store into a team store, and no store_url is set: run "
            "`nurture config set store_url postgresql://USER@HOST/DATABASE` first"
        )
    source = source.expanduser()
    if not (source / DATABASE_NAME).is_file() and not legacy_files(source):
        raise ValidationError(f"there is no Nurture store at {source}; nothing was pushed")
    if (source / DATABASE_NAME).is_file():
        backups.check(source)  # a damaged store is refused, never merged into the agency's
    local_repo = open_store(source)
    try:
        already = local_repo.state(PUSHED_KEY)
        if already:
            raise ValidationError(
                f"the store at {source} was already pushed to {already.get('to', 'a team')} "
                f"on {str(already.get('at', ''))[:10]}; nothing was pushed again"
            )
        store_id = str((local_repo.state(STORE_ID_KEY) or {}).get("id") or "")
        if not store_id and not dry_run:
            store_id = uuid.uuid4().hex
            local_repo.put_state(STORE_ID_KEY, {"id": store_id})
        marker = TEAM_PUSHED_PREFIX + store_id
        before = team.repo.state(marker) if store_id else None
        if before:
            raise ValidationError(
                f"the store at {source} was already pushed into this team store by "
                f"{before.get('by', 'a rep')} on {str(before.get('at', ''))[:10]}; "
                "nothing was pushed again"
            )
        local = read_store(local_repo)
        settings = team.settings
        rep = settings.rep_email.strip().lower()
        own = frozenset({settings.agency_domain.strip().lower(), _domain(rep) if rep else ""})
        for _ in range(_PLAN_ATTEMPTS):
            # The versions first: a colleague's save after this is seen by the write's
            # check, and the push is planned again on top of it (never over it).
            versions = _versions(team.repo)
            plan = plan_push(
                local,
                read_store(team.repo),
                rep=rep,
                own_domains=own - {""},
                meeting_rep=own_rep(team.repo),
            )
            report = PushReport(source, store_id, plan, dry_run)
            if dry_run:
                return report
            now = team.now().isoformat()
            where = shown(parse_store_url(settings.store_url))
            try:
                team.repo.save(
                    *plan.records,
                    action="team push",
                    summary=f"team push from {source} ({_added(plan)})",
                    state={marker: {"by": rep or "a rep", "at": now, "counts": plan.counts}},
                    expected_versions={
                        r.id: versions[r.id]
                        for r in plan.records
                        if isinstance(r, Partner | Contact) and r.id in versions
                    },
                    undoable=False,  # thousands of merged records; the server's backup can
                )
            except EditConflict:
                continue
            local_repo.put_state(PUSHED_KEY, {"to": where, "at": now, "by": rep})
            return report
        raise StoreError(
            "the team's partners kept changing while the push was planned; nothing was "
            "pushed: try again"
        )
    finally:
        local_repo.close()


#: How often a push is planned again when a colleague saved a record it merges into.
_PLAN_ATTEMPTS = 5


def _versions(repo: Repository) -> dict[str, int]:
    """Every partner's and contact's version in the team store, by id."""
    versions = {p.id: p.version for p in repo.partners(include_archived=True)}
    versions.update({c.id: c.version for c in repo.contacts()})
    return versions


def _added(plan: PushPlan) -> str:
    return ", ".join(
        f"{tally['added']} {table} added" for table, tally in plan.counts.items() if tally["added"]
    )


def _union(first: tuple[Any, ...], second: tuple[Any, ...], key: Any = None) -> tuple[Any, ...]:
    """``first`` then what ``second`` adds, in order, no repeats (``key``: how to compare)."""
    seen = {key(x) if key else x for x in first}
    extra = []
    for item in second:
        marker = key(item) if key else item
        if marker not in seen:
            seen.add(marker)
            extra.append(item)
    return (*first, *extra)


def _domain(email: str) -> str:
    return email.rpartition("@")[2].lower()
