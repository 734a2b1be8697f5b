"""The engine's fast paths keep the ordinary contracts: an action built by ``new_action``
is a real, frozen SuggestedAction; cached setting readers agree with the file; an
action's kind is typed, and prints as it always did."""

from __future__ import annotations

import copy
import json
import pickle
from dataclasses import FrozenInstanceError, asdict, fields, replace
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from builders import TODAY, history, partner, referral, touch
from nurture_tui.domain.kinds import Tier, TouchpointKind
from nurture_tui.domain.playbook.config import load_playbook
from nurture_tui.domain.playbook.engine import partner_actions, suggest, top_referrers
from nurture_tui.domain.playbook.facts import (
    NotATouch,
    PriorityTerms,
    SuggestedAction,
    action_kind,
    new_action,
)
from nurture_tui.services.playbook import default_playbook_text

PLAYBOOK = load_playbook(default_playbook_text())
UTC_ZONE = ZoneInfo("UTC")

VALUES = (
    "p1",
    "Mercy \u202eHospital\x1b[31m",  # bidi override and an escape code pass through as text
    TouchpointKind.THANK_YOU,
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


def test_a_stage_move_is_typed_and_prints_as_before() -> None:
    """``kind`` is a TouchpointKind or a NotATouch; the JSON spells it as it always did."""
    p = partner(stage="engaged")
    found = suggest([history(p, referrals=[referral(p, days=3)])], TODAY, UTC_ZONE, PLAYBOOK)
    move = next(a for a in found if a.rule == "stage-change")
    assert move.kind is NotATouch.STAGE_CHANGE and move.is_stage_move
    assert json.loads(json.dumps(move.as_json()))["kind"] == "stage-change"
    touches = [a for a in found if a.rule != "stage-change"]
    assert touches and all(isinstance(a.kind, TouchpointKind) for a in touches)
    assert not any(a.is_stage_move for a in touches)


def test_ask_why_is_not_a_touch_and_not_a_stage_move() -> None:
    """It suggests dormant, but the step is a frank talk first, not a one-key move."""
    p = partner(stage="engaged", kind="physician-practice")
    weekly = [touch(p, "check-in", days) for days in range(7, 200, 7)]
    found = suggest([history(p, touches=weekly)], TODAY, UTC_ZONE, PLAYBOOK)
    ask = next(a for a in found if a.rule == "ask-why-no-referrals")
    assert ask.kind is NotATouch.ASK_WHY and ask.suggested_stage == "dormant"
    assert not ask.is_stage_move
    assert ask.as_json()["kind"] == "ask-why-no-referrals"


def test_every_kind_reads_back_from_its_text() -> None:
    for kind in (*TouchpointKind, *NotATouch):
        assert action_kind(str(kind)) is kind
    for bad in ("", "Stage-Change", "stage_change", "\u202estage-change", "x" * 10_000):
        with pytest.raises(ValueError):
            action_kind(bad)


def test_an_action_read_back_as_plain_text_is_still_a_stage_move() -> None:
    """A cache that stores actions as text gets the kind back as a plain str."""
    text_kind = replace(new_action(*VALUES), kind="stage-change", suggested_stage="dormant")  # type: ignore[arg-type]
    assert text_kind.is_stage_move
    assert not replace(text_kind, suggested_stage=None).is_stage_move


def test_a_zero_touch_ask_limit_with_nothing_since_the_last_ask_is_quiet() -> None:
    """``touches_without_ask = 0`` (a valid setting) used to fail the whole pass with an
    IndexError for a partner whose latest touch is the ask itself."""
    eager = load_playbook(
        default_playbook_text(), "[rules.referral-ask]\ntouches_without_ask = 0\n", "mine.toml"
    )
    p = partner()
    asked = history(p, touches=[touch(p, "check-in", 9), touch(p, "referral-ask", 2)])
    assert not [a for a in suggest([asked], TODAY, UTC_ZONE, eager) if a.rule == "referral-ask"]
    after = history(p, touches=[touch(p, "referral-ask", 9), touch(p, "check-in", 2)])
    found = [a for a in suggest([after], TODAY, UTC_ZONE, eager) if a.rule == "referral-ask"]
    assert [a.reason.split(" (")[0] for a in found] == [
        "1 touch in a row without asking for referrals"
    ]
