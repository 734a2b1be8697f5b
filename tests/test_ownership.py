"""The pure rules of owners as reps (``domain.ownership``): whose partners are mine, which
are unassigned, what ``owner:`` picks, and who may change an owner to whom."""

from __future__ import annotations

import pytest

from nurture_tui.domain.ownership import NotAllowedError, NotARepError, Ownership, TeamRep

REPS = (
    TeamRep("ann@agency.org", "Ann"),
    TeamRep("ben@agency.org", "Ben"),
    TeamRep("boss@agency.org", "Boss", True),
)
ANN = Ownership.team_of(REPS, "Ann@Agency.org")
BOSS = Ownership.team_of(REPS, "boss@agency.org")


def test_mine_and_unassigned_on_a_team_store() -> None:
    assert ANN.team and not ANN.is_admin and BOSS.is_admin
    assert ANN.is_mine("ANN@agency.org ") and not ANN.is_mine("ben@agency.org")
    for nobody in (None, "", "  ", "gone@agency.org", "alex"):
        assert ANN.is_unassigned(nobody), nobody
    assert not ANN.is_unassigned("ben@agency.org")


@pytest.mark.parametrize(
    ("who", "owner", "picked"),
    [
        ("me", "ann@agency.org", True),
        ("me", "ben@agency.org", False),
        ("unassigned", None, True),
        ("una", "alex", True),
        ("none", "ben@agency.org", False),
        ("ben", "ben@agency.org", True),
        ("ben", "ann@agency.org", False),
    ],
)
def test_the_filter_languages_owner(who: str, owner: str | None, picked: bool) -> None:
    assert ANN.owned_by(owner, who) is picked


def test_on_a_reps_own_store_owners_stay_free_text() -> None:
    alone = Ownership(my_names=frozenset({"alex", "alex@agency.org"}))
    assert not alone.team and alone.is_mine("Alex") and not alone.is_unassigned("jordan")
    assert alone.owned_by("jordan", "jor") and alone.owned_by(None, "unassigned")


def test_an_owner_must_be_a_rep() -> None:
    assert ANN.resolve("me") == "ann@agency.org"
    assert ANN.resolve("BEN@agency.org") == "ben@agency.org"
    assert ANN.resolve("") is None and ANN.resolve("unassigned") is None
    with pytest.raises(NotARepError, match="`nurture team reps`"):
        ANN.resolve("eve@agency.org")
    with pytest.raises(NotARepError, match="not a rep of this team"):
        Ownership.team_of(REPS, "").resolve("me")


@pytest.mark.parametrize(
    ("who", "current", "new", "allowed"),
    [
        (ANN, None, "ann@agency.org", True),  # take an unassigned partner
        (ANN, "alex", "ann@agency.org", True),  # an owner who is no rep: unassigned
        (ANN, "ann@agency.org", None, True),  # hand one's own back
        (ANN, "ann@agency.org", "ann@agency.org", True),  # no change
        (ANN, "ben@agency.org", "ann@agency.org", False),  # take a colleague's
        (ANN, "ben@agency.org", None, False),  # unassign a colleague's
        (ANN, None, "ben@agency.org", False),  # give an unassigned one away
        (ANN, "ann@agency.org", "ben@agency.org", False),  # give one's own away
        (BOSS, "ben@agency.org", "ann@agency.org", True),
        (BOSS, "ann@agency.org", None, True),
    ],
)
def test_who_may_change_an_owner(
    who: Ownership, current: str | None, new: str | None, allowed: bool
) -> None:
    if allowed:
        who.check_change("Mercy", current, new)
    else:
        with pytest.raises(NotAllowedError, match="only an admin may reassign"):
            who.check_change("Mercy", current, new)
