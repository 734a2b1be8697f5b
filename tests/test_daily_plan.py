"""A day's plan (issue 12): at most ``daily_capacity`` actions, one per partner, overdue
thank-yous and participant updates first, then by priority; the rep's own partners when
config names the rep; and every view (board, partner page, ``next --partner``, ``today``)
giving the same actions for a partner, because the top referrers are computed once."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from builders import TODAY, days_ago, history, partner, referral, touch
from cli_runner import Nurture
from nurture_tui.config import Settings
from nurture_tui.domain.model import PartnerHistory
from nurture_tui.domain.playbook.config import Playbook, load_playbook
from nurture_tui.domain.playbook.engine import network_of, suggest
from nurture_tui.domain.playbook.facts import DUE, URGENT, WHEN_YOU_CAN, SuggestedAction
from nurture_tui.domain.playbook.plan import daily_plan, in_plan_order, pick_per_partner
from nurture_tui.services import records
from nurture_tui.services.board import load_board
from nurture_tui.services.demo import DemoSize, load_demo
from nurture_tui.services.partner_view import load_partner_view
from nurture_tui.services.playbook import (
    DEFAULT_DAILY_CAPACITY,
    daily_capacity,
    default_playbook_text,
    next_actions,
    plan_of,
    referral_network,
    rep_partners,
    todays_plan,
)
from nurture_tui.services.session import Session
from nurture_tui.store.opening import open_store

UTC_ZONE = ZoneInfo("UTC")
PLAYBOOK = load_playbook(default_playbook_text())


@pytest.fixture
def nurture(tmp_path: Path) -> Nurture:
    return Nurture(tmp_path / "home", tmp_path / "config")


def ranked(*histories: PartnerHistory, playbook: Playbook = PLAYBOOK) -> list[SuggestedAction]:
    return suggest(list(histories), TODAY, UTC_ZONE, playbook)


def busy_agency(count: int) -> list[PartnerHistory]:
    """``count`` partners, each with a referral and a quiet spell: several actions apiece."""
    agency = []
    for index in range(count):
        p = replace(partner(tier="A"), name=f"Partner {index:02d}")
        agency.append(
            history(p, referrals=[referral(p, 20)], touches=[touch(p, "check-in", 60 + index)])
        )
    return agency


# --- The plan itself (pure) ---------------------------------------------------------------


def test_a_day_holds_at_most_its_size_and_one_action_per_partner() -> None:
    everything = ranked(*busy_agency(20))
    assert len(everything) > 40, "several actions per partner to choose from"
    plan = daily_plan(everything, 12)
    assert len(plan) == 12
    assert len({a.partner_id for a in plan}) == 12
    assert daily_plan(everything, 1) == plan[:1]
    assert daily_plan(everything, 0) == []
    assert len(daily_plan(everything, 500)) == 20, "never more than one per partner"


def test_overdue_thank_yous_and_participant_updates_come_first() -> None:
    """A key partner's overdue feedback call outranks a small partner's thank-you in the
    engine; the plan still puts the late thank-you and the late update first."""
    key = partner(tier="A", stage="champion")
    small = partner(tier="C", stage="prospect")
    other = partner(tier="C", stage="prospect")
    agency = [
        history(key, touches=[touch(key, "feedback-request", 300)], referrals=[referral(key, 400)]),
        history(small, referrals=[referral(small, 5)]),
        history(other, referrals=[referral(other, 40)], touches=[touch(other, "thank-you", 39)]),
    ]
    everything = ranked(*agency)
    assert everything[0].partner_id == key.id, "the engine ranks the key partner first"
    plan = daily_plan(everything, 3)
    owed = {(small.id, "thank-you"), (other.id, "participant-update")}
    assert {(a.partner_id, a.kind) for a in plan[:2]} == owed
    assert all(a.overdue for a in plan[:2])
    assert plan[0].priority >= plan[1].priority, "then by priority, among themselves too"
    assert plan[2].partner_id == key.id


def test_a_partners_one_action_is_its_first_in_plan_order() -> None:
    """The board's card, the plan and the partner page agree on the partner's action."""
    agency = busy_agency(5)
    everything = ranked(*agency)
    picks = pick_per_partner(everything)
    for h in agency:
        own = [a for a in everything if a.partner_id == h.partner.id]
        assert picks[h.partner.id] == in_plan_order(own)[0]
    assert daily_plan(everything, 5) == [
        a for a in in_plan_order(everything) if picks[a.partner_id] is a
    ]


def test_the_plan_can_be_narrowed_to_some_partners() -> None:
    agency = busy_agency(6)
    chosen = {agency[1].partner.id, agency[4].partner.id}
    plan = daily_plan(ranked(*agency), 12, chosen)
    assert {a.partner_id for a in plan} == chosen


def test_priority_words_urgent_due_when_you_can() -> None:
    """Priorities read as words; the number stays for ``--explain``."""
    p = partner()
    late = referral(p, 5)  # thank-you late after two days
    fresh = referral(p, 0)  # thank-you owed today
    found = {a.key: a for a in ranked(history(p, referrals=[late, fresh]))}
    assert found[late.id].label == URGENT
    assert found[fresh.id].label == DUE
    soon = partner(tier="A")
    upcoming = ranked(history(soon, touches=[touch(soon, "check-in", 26)]))
    [check_in] = [a for a in upcoming if a.rule == "check-in"]
    assert check_in.due == TODAY + timedelta(days=4) and check_in.label == WHEN_YOU_CAN
    assert check_in.as_json()["priority_label"] == WHEN_YOU_CAN
    quiet = partner(tier="A")
    late = {a.rule: a for a in ranked(history(quiet, touches=[touch(quiet, "webinar", 200)]))}
    assert late["webinar"].overdue and late["webinar"].label == DUE, "a late webinar: not urgent"
    assert late["check-in"].overdue and late["check-in"].label == URGENT


def test_how_weighty_urgent_is_lives_in_the_playbook() -> None:
    p = partner(tier="A")
    h = history(p, touches=[touch(p, "webinar", 200)])
    lenient = load_playbook(default_playbook_text(), "[ranking]\nurgent_weight = 1\n")
    assert {a.rule: a.label for a in ranked(h, playbook=lenient)}["webinar"] == URGENT


# --- Whose plan ----------------------------------------------------------------------------


def test_only_the_reps_own_partners_when_config_names_the_rep() -> None:
    mine = replace(partner(), owner="Alex")
    theirs = replace(partner(), owner="jordan")
    nobody = partner()
    agency = [history(p, referrals=[referral(p, 3)]) for p in (mine, theirs, nobody)]
    everything = ranked(*agency)
    partners = [h.partner for h in agency]
    alex = Settings(rep_email="alex@homecare.example")
    plan = plan_of(everything, partners, TODAY, alex)
    assert {a.partner_id for a in plan.actions} == {mine.id}
    assert plan.owner == "Alex"
    assert plan.suggested == sum(a.partner_id == mine.id for a in everything)
    by_name = Settings(rep_name="jordan")
    assert rep_partners(by_name, partners) == ("jordan", {theirs.id})
    solo = Settings(rep_name="Sam Ortiz", rep_email="sam@homecare.example")
    assert rep_partners(solo, partners) == (None, None), "nobody's partners: plan from all"
    everyone = plan_of(everything, partners, TODAY, Settings())
    assert {a.partner_id for a in everyone.actions} == {mine.id, theirs.id, nobody.id}
    assert everyone.owner is None and everyone.suggested == len(everything)


def test_the_placeholder_name_is_nobodys_name() -> None:
    placeholder = replace(partner(), owner=Settings().rep_name)
    assert rep_partners(Settings(), [placeholder]) == (None, None)


def test_daily_capacity_defaults_to_twelve() -> None:
    assert DEFAULT_DAILY_CAPACITY == 12 == daily_capacity(Settings())
    assert daily_capacity(Settings(daily_capacity=5)) == 5
    assert daily_capacity(Settings(daily_capacity=0)) == 12, "never an empty day by accident"


# --- Every view agrees -----------------------------------------------------------------------


def _demo_session(directory: Path) -> Session:
    from conftest import FROZEN_NOW

    session = Session(
        repo=open_store(directory),
        settings=Settings(timezone="America/Chicago"),
        clock=lambda: FROZEN_NOW,
    )
    load_demo(session, DemoSize(24, 600, 7))
    return session


def test_board_partner_page_next_and_today_agree_for_every_partner(tmp_path: Path) -> None:
    """Issue 12: the partner page and ``next --partner`` suggested an appreciation event the
    board did not. One network, computed from every partner, for every view."""
    session = _demo_session(tmp_path / "store")
    # The case: a new partner with one referral is nobody's top referrer.
    new = records.add_partner(session, "Fresh Start Clinic", "physician-practice")
    records.add_referral(session, new.id, TODAY)
    # Only two top referrers, so some partners with three or more referrals are left out:
    # alone, each of them would be its own top referrer (the old partner page's answer).
    playbook = load_playbook(
        default_playbook_text(), "[rules.appreciation-event]\ntop_referrers = 2\n"
    )
    year = TODAY - timedelta(days=365)
    busy = [
        h.partner.id
        for h in session.repo.histories()
        if sum(r.received >= year for r in h.referrals) >= 3
    ]
    assert len(busy) > 2, "the demo has more frequent referrers than the network keeps"
    board = load_board(session, playbook, TODAY)
    everyone = todays_plan(session, playbook, today=TODAY, size=1_000)
    planned = {a.partner_id: a for a in everyone.actions}
    cards = {c.id: c for c in board.cards}
    appreciation = 0
    for card in board.cards:
        on_board = [a for a in board.agenda if a.partner_id == card.id]
        page = load_partner_view(session, playbook, card.id, TODAY).actions
        by_next = next_actions(session, playbook, today=TODAY, partner_id=card.id)
        assert page == on_board == by_next, card.name
        if on_board:
            assert planned[card.id] == cards[card.id].top_action == in_plan_order(page)[0]
        appreciation += sum(a.rule == "appreciation-event" for a in page)
    assert appreciation == 2, "exactly the two top referrers, in every view"
    fresh = load_partner_view(session, playbook, new.id, TODAY).actions
    assert "appreciation-event" not in {a.rule for a in fresh}
    assert board.plan is not None and len(board.plan.actions) == DEFAULT_DAILY_CAPACITY


def test_the_stores_network_is_the_one_the_board_computes(tmp_path: Path) -> None:
    """The partner page asks the store (two grouped counts), the board its histories: the
    same top referrers, with archived partners left out and referrals after the day (a
    ``--today`` in the past) not counted."""
    session = _demo_session(tmp_path / "store")
    playbook = load_playbook(
        default_playbook_text(), "[rules.appreciation-event]\ntop_referrers = 3\n"
    )
    for day in (TODAY, TODAY - timedelta(days=200), TODAY + timedelta(days=300)):
        expected = network_of(session.repo.histories(), day, playbook)
        assert referral_network(session, day, playbook) == expected, day
    top = sorted(network_of(session.repo.histories(), TODAY, playbook).top_referrers)
    records.archive_partner(session, top[0])
    after = referral_network(session, TODAY, playbook)
    assert top[0] not in after.top_referrers and len(after.top_referrers) == 3
    assert after == network_of(session.repo.histories(), TODAY, playbook)


# --- `nurture today` -------------------------------------------------------------------------


def test_today_prints_the_plan_with_words_and_explains_on_request(
    nurture: Nurture, tmp_path: Path
) -> None:
    session = _demo_session(tmp_path / "home")
    session.repo.close()  # type: ignore[attr-defined]
    shown = nurture("today", "--today", TODAY.isoformat(), "--size", "5")
    lines = shown.stdout.splitlines()
    assert lines[0].startswith("Today's plan, Mon 23 Nov 2026: 5 of ")
    assert lines[0].endswith("suggested (one per partner, at most 5)")
    for number, line in enumerate(lines[1::2], 1):  # "  1. urgent  22 Oct  thank-you ..."
        assert line.split()[:2] in (
            [f"{number}.", URGENT],
            [f"{number}.", DUE],
            [f"{number}.", "when"],
        )
    assert len(lines) == 1 + 2 * 5
    assert "priority" not in shown.stdout, "the number only with --explain"
    explained = nurture("today", "--today", TODAY.isoformat(), "--size", "5", "--explain")
    assert explained.stdout.count("priority ") == 5
    document = json.loads(
        nurture("today", "--today", TODAY.isoformat(), "--size", "5", "--json").stdout
    )
    session = Session(open_store(tmp_path / "home"), Settings(timezone="America/Chicago"))
    expected = todays_plan(session, PLAYBOOK, today=TODAY, size=5)
    assert document == json.loads(json.dumps(expected.as_json()))
    assert set(document) == {"today", "size", "owner", "suggested", "actions"}
    assert {a["priority_label"] for a in document["actions"]} <= {URGENT, DUE, WHEN_YOU_CAN}
    assert len({a["partner_id"] for a in document["actions"]}) == 5


def test_today_uses_twelve_by_default_and_next_shows_words(
    nurture: Nurture, tmp_path: Path
) -> None:
    _demo_session(tmp_path / "home").repo.close()  # type: ignore[attr-defined]
    document = json.loads(nurture("today", "--today", TODAY.isoformat(), "--json").stdout)
    assert document["size"] == 12 and len(document["actions"]) == 12
    nurture("config", "set", "daily_capacity", "4")
    document = json.loads(nurture("today", "--today", TODAY.isoformat(), "--json").stdout)
    assert document["size"] == 4 and len(document["actions"]) == 4
    document = json.loads(
        nurture("today", "--today", TODAY.isoformat(), "--size", "2", "--json").stdout
    )
    assert document["size"] == 2 and len(document["actions"]) == 2
    listed = nurture("next", "--today", TODAY.isoformat(), "--limit", "3").stdout.splitlines()
    assert listed[0].split()[0] in (URGENT, DUE, "when") and "priority" not in listed[0]
    explained = nurture("next", "--today", TODAY.isoformat(), "--limit", "1", "--explain")
    assert "priority " in explained.stdout


@pytest.mark.parametrize(
    ("argv", "code", "status"),
    [
        (["today", "--size", "0"], "usage", 2),
        (["today", "--size", "ten"], "usage", 2),
        (["today", "--today", "9999-12-31"], "invalid", 1),
        (["today", "--today", "not a day"], "invalid", 1),
    ],
)
def test_today_refuses_bad_input_in_one_line(
    nurture: Nurture, argv: list[str], code: str, status: int
) -> None:
    plain = nurture(*argv, ok=False)
    assert plain.returncode == status and plain.stdout == ""
    assert plain.stderr.strip().splitlines()[-1].startswith("nurture")
    as_json = nurture(*argv, "--json", ok=False)
    assert as_json.returncode == status
    assert json.loads(as_json.stdout)["error"]["code"] == code


def test_today_on_an_empty_store_says_how_to_start(nurture: Nurture) -> None:
    said = nurture("today")
    assert said.stdout.startswith("No partners yet")
    assert json.loads(nurture("today", "--json").stdout)["actions"] == []


def test_names_with_escape_codes_reach_the_plan_as_plain_text(
    nurture: Nurture, tmp_path: Path
) -> None:
    """Text from outside is cleaned at the boundary: no escape code or bidi override reaches
    the terminal through the plan."""
    session = Session(open_store(tmp_path / "home"), Settings(timezone="America/Chicago"))
    added = records.add_partner(session, "Evil\x1b[31m \u202eClinic", "hospital")
    records.add_referral(session, added.id, days_ago(1))
    session.repo.close()  # type: ignore[attr-defined]
    shown = nurture("today", "--today", TODAY.isoformat()).stdout
    assert "\x1b" not in shown and "\u202e" not in shown
    assert "Clinic" in shown and "thank-you" in shown
