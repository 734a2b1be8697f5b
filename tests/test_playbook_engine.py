"""The engine's fast paths keep the ordinary contracts: an action built by ``new_action``
is a real, frozen SuggestedAction; cached setting readers agree with the file; the
garbage collector is left as the pass found it."""

from __future__ import annotations

import copy
import gc
import pickle
from dataclasses import FrozenInstanceError, asdict, fields, replace
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from builders import TODAY, history, partner, referral
from nurture_tui.domain.kinds import Tier
from nurture_tui.domain.playbook.config import load_playbook
from nurture_tui.domain.playbook.engine import partner_actions, suggest, top_referrers
from nurture_tui.domain.playbook.facts import PriorityTerms, SuggestedAction, new_action
from nurture_tui.services.playbook import default_playbook_text

PLAYBOOK = load_playbook(default_playbook_text())
UTC_ZONE = ZoneInfo("UTC")

VALUES = (
    "p1",
    "Mercy \u202eHospital\x1b[31m",  # bidi override and an escape code pass through as text
    "thank-you",
    date(9999, 12, 31),
    True,
    54.5,
    "thank-you",
    "Referral from Sam; no thank-you logged",
    ("r1", "r2"),
    "r1",
    None,
    "c1",
    PriorityTerms(10.0, 3.0, "A", 1.5, "referring", 1.2, 0.5, 1),
    "urgent",
)


def test_new_action_is_the_same_as_the_constructor() -> None:
    fast, slow = new_action(*VALUES), SuggestedAction(*VALUES)
    assert type(fast) is SuggestedAction
    assert fast == slow and hash(fast) == hash(slow) and repr(fast) == repr(slow)
    assert asdict(fast) == asdict(slow)
    assert [getattr(fast, f.name) for f in fields(SuggestedAction)] == list(VALUES)
    assert pickle.loads(pickle.dumps(fast)) == slow
    assert copy.deepcopy(fast) == slow
    assert replace(fast, label="due") == replace(slow, label="due")
    assert fast.as_json() == slow.as_json()


def test_an_action_built_fast_is_still_frozen() -> None:
    action = new_action(*VALUES)
    with pytest.raises(FrozenInstanceError):
        action.priority = 0.0  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        del action.reason
    assert action.priority == 54.5


def test_every_action_of_a_pass_is_a_plain_suggested_action() -> None:
    p = partner(tier="A")
    h = history(p, referrals=[referral(p, days=1), referral(p, days=3)])
    found = suggest([h], TODAY, UTC_ZONE, PLAYBOOK)
    assert found and all(type(a) is SuggestedAction for a in found)
    assert len(set(found)) == len(found)  # hashable, and no two alike


def test_the_collector_is_left_as_the_pass_found_it() -> None:
    h = history(partner())
    assert gc.isenabled()
    suggest([h], TODAY, UTC_ZONE, PLAYBOOK)
    assert gc.isenabled()
    gc.disable()
    try:
        suggest([h], TODAY, UTC_ZONE, PLAYBOOK)
        assert not gc.isenabled(), "a caller that paused the collector keeps it paused"
    finally:
        gc.enable()


def test_cached_setting_readers_agree_with_the_file() -> None:
    rep = load_playbook(
        default_playbook_text(),
        "[rules.check-in.every_days]\nA = 12\n[rules.thank-you]\nlookback_days = 9\n",
        "mine.toml",
    )
    check_in, thanks = rep.rule("check-in"), rep.rule("thank-you")
    for _ in range(2):  # the second read comes from the cache
        assert check_in.per_tier("every_days", Tier.A) == 12
        assert check_in.tier_period("every_days", Tier.A) == timedelta(days=12)
        assert check_in.per_tier("every_days", Tier.B) == 91
        assert thanks.days("lookback_days") == 9
        assert thanks.period("lookback_days") == timedelta(days=9)
    assert PLAYBOOK.rule("thank-you").days("lookback_days") == 60  # one playbook's cache


def test_counts_and_lengths_of_time_have_their_own_readers() -> None:
    """``top_referrers`` is a number of partners, not of days: it is read as a count (the
    file's key is unchanged)."""
    rep = load_playbook(
        default_playbook_text(),
        "[rules.appreciation-event]\ntop_referrers = 2\nevery_days = 200\n",
        "mine.toml",
    )
    event = rep.rule("appreciation-event")
    assert event.count("top_referrers") == 2 and event.days("every_days") == 200
    network = top_referrers({"a": 9, "b": 8, "c": 7}, rep)
    assert network.top_referrers == frozenset({"a", "b"})


def test_partner_actions_of_an_archived_partner_are_none() -> None:
    p = replace(partner(), archived=True)
    net = top_referrers({}, PLAYBOOK)
    assert partner_actions(history(p), TODAY, UTC_ZONE, PLAYBOOK, net) == []
