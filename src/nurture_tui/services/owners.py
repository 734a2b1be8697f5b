"""Owners as reps: whose partners a view shows, and changing a partner's owner.

The rules are ``domain.ownership``'s; this reads the team (``store.roster``) to apply them.
Every write of an owner goes through ``owner_to_store`` (``partner add/edit``, the board's
`o`), so a rep who may not reassign is refused by the service, whatever the screen did.
"""

from __future__ import annotations

from nurture_tui.domain.model import Partner
from nurture_tui.domain.ownership import Ownership
from nurture_tui.services.session import Session
from nurture_tui.store.roster import team_roster


def ownership(session: Session) -> Ownership:
    """The team's reps and who is connected (a team store), or the rep's own names (their
    own store, where an owner is free text as it always was)."""
    found = team_roster(session.repo)
    if found is None:
        from nurture_tui.services.playbook import rep_names  # playbook imports records

        return Ownership(my_names=rep_names(session.settings))
    return Ownership.team_of(*found)


def owner_to_store(
    session: Session, typed: str | None, partner: Partner | None, *, name: str = ""
) -> tuple[bool, str | None]:
    """(whether it is a team store, the owner to store) for what was typed, on a team
    store: a rep's email or None, checked against who may change it (``partner`` None: a
    new partner, which a rep adds for anyone and which is theirs when no owner is typed).
    On a rep's own store: (False, None), the caller keeps today's free text."""
    owners = ownership(session)
    if not owners.team:
        return False, None
    if partner is None:
        if typed is None:
            return True, owners.me if owners.rep(owners.me) else None
        return True, owners.resolve(typed)
    new = owners.resolve(typed or "")
    owners.check_change(partner.name, partner.owner, new)
    return True, new


def partner_view(owners: Ownership, partners: list[Partner], who: str | None) -> list[Partner]:
    """``partner list --owner WHO``: ``me``, ``unassigned``, or an owner (an email on a
    team store, matched whole, case aside); None: everyone (the agency's directory)."""
    if who is None:
        return partners
    key = who.strip().casefold()
    if key in ("me", "unassigned", "none", "nobody", "-"):
        return [p for p in partners if owners.owned_by(p.owner, key)]
    return [p for p in partners if (p.owner or "").strip().casefold() == key]
