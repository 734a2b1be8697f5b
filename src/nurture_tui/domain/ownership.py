"""Who owns a partner, whose partners are "mine", and who may hand a partner to whom.

Pure rules (no I/O): the services read the team's reps and build an ``Ownership``; the
board, the agenda, ``nurture next``/``today``, ``partner list`` and ``partner edit`` ask it.

- **On a team store** an owner is a rep: the rep's email, case aside. "My partners" are
  those whose owner is the connected rep; a partner is *unassigned* when nobody owns it —
  no owner, or an owner who is not a current rep (a removed rep, or text written before
  owners were reps), so a departed rep's partners surface for the manager to hand on.
- **On a rep's own store** (SQLite) the owner stays free text, as it always was: the rep is
  the only rep, and "mine" is an owner naming them (``rep``, ``rep_name``, ``rep_email`` or
  its local part). Nothing is refused there.

Who may change an owner on a team store (checked by the service that writes, not only by
the screens): an admin may set any owner; any other rep may take an unassigned partner for
themselves, and hand their own partner back (unassigned). Handing a partner to a colleague,
or taking one a colleague owns, is a manager's job.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from nurture_tui.domain.errors import NurtureError, ValidationError

#: What ``--owner``, the filter language and the owner form accept for "the connected rep".
ME = "me"
#: ... and for "nobody" (``owner:unassigned``; ``none`` and ``-`` too).
UNASSIGNED_WORDS = frozenset({"unassigned", "none", "nobody", "-"})


class NotARepError(ValidationError):
    """An owner on a team store that is not one of its reps."""


class NotAllowedError(NurtureError):
    """A change of owner this rep may not make (only an admin may)."""


@dataclass(frozen=True)
class TeamRep:
    """A current rep of the team, as the owner form lists them."""

    email: str
    name: str
    is_admin: bool = False

    @property
    def label(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email


@dataclass(frozen=True)
class Ownership:
    """What "mine" and "unassigned" mean for the rep at the keyboard.

    ``reps`` is None on a rep's own store (no team); on a team store it lists the current
    reps, ``me`` is the connected rep's email ("" for a role that is no rep, such as the
    database's owner before ``team init`` named them) and ``is_admin`` whether they are one.
    """

    my_names: frozenset[str] = frozenset()
    reps: tuple[TeamRep, ...] | None = None
    me: str = ""
    is_admin: bool = False
    _emails: frozenset[str] = field(default=frozenset(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        emails = frozenset(r.email.casefold() for r in self.reps or ())
        object.__setattr__(self, "_emails", emails)

    @classmethod
    def team_of(cls, reps: tuple[TeamRep, ...], me: str) -> Ownership:
        me = me.strip().casefold()
        admin = any(r.email.casefold() == me and r.is_admin for r in reps)
        return cls(frozenset({me}) if me else frozenset(), reps, me, admin)

    @property
    def team(self) -> bool:
        """A team store: views default to the rep's own partners."""
        return self.reps is not None

    def is_mine(self, owner: str | None) -> bool:
        return bool(owner) and _key(owner or "") in self.my_names

    def is_unassigned(self, owner: str | None) -> bool:
        """Nobody owns it: no owner, or (on a team store) an owner who is no current rep."""
        if not owner or not owner.strip():
            return True
        return self.team and _key(owner) not in self._emails

    def owned_by(self, owner: str | None, who: str) -> bool:
        """The filter language's ``owner:WHO``: ``me``, ``unassigned`` (from ``una``; or
        ``none``), or a prefix of the owner as written (an email on a team store:
        ``owner:ann`` finds ann@agency.org)."""
        who = who.strip().casefold()
        if who == ME:
            return self.is_mine(owner)
        # "una" on is "unassigned": the search filters as it is typed.
        if who in UNASSIGNED_WORDS or (len(who) >= 3 and "unassigned".startswith(who)):
            return self.is_unassigned(owner)
        return _key(owner or "").startswith(who)

    def rep(self, email: str) -> TeamRep | None:
        key = _key(email)
        return next((r for r in self.reps or () if r.email.casefold() == key), None)

    def resolve(self, text: str) -> str | None:
        """The owner to store for what was typed on a team store: a rep's email (``me``
        is the connected rep), or None for unassigned ("" too). Anything else is refused
        in one line."""
        typed = text.strip()
        if not typed or typed.casefold() in UNASSIGNED_WORDS:
            return None
        if typed.casefold() == ME:
            if not self.me or self.rep(self.me) is None:
                raise NotARepError(
                    "you are not a rep of this team, so `me` owns nothing: give a rep's email "
                    "(`nurture team reps` lists them)"
                )
            return self.me
        found = self.rep(typed)
        if found is None:
            shown = typed if len(typed) <= 60 else typed[:60] + "…"
            raise NotARepError(
                f"{shown!r} is not a rep of this team: an owner is a rep's email, `me` or "
                "`unassigned` (`nurture team reps` lists the reps)"
            )
        return found.email

    def check_change(self, partner: str, current: str | None, new: str | None) -> None:
        """Refuse a change of owner this rep may not make (see the module doc)."""
        if (current or None) == new or _key(current or "") == _key(new or ""):
            return
        if self.is_admin:
            return
        theirs = current if not self.is_unassigned(current) else None
        if theirs is None and new is not None and _key(new) == self.me:
            return  # taking an unassigned partner
        if theirs is not None and self.is_mine(theirs) and new is None:
            return  # handing one's own partner back
        if theirs is not None and not self.is_mine(theirs):
            what = f"{partner} belongs to {theirs}"
        elif new is not None and _key(new) != self.me:
            what = f"giving {partner} to {new} is a reassignment"
        else:
            what = f"changing {partner}'s owner is a reassignment"
        raise NotAllowedError(
            f"{what}: only an admin may reassign partners (you may take unassigned ones "
            "and hand back your own); ask your manager"
        )


def _key(text: str) -> str:
    return text.strip().casefold()
