"""Issue 14: the playbook thanks with words. After a referral or an in-service the
suggestion is a note or an email, never a gift; the gift guardrail no longer treats a
referral as a reason for a gift; the appreciation event names the physicians' yearly limit.

Why: the Anti-Kickback Statute (42 U.S.C. § 1320a-7b(b)) makes it a crime to give anything
of value to reward referrals of federal health care program business — a gift sent because
a referral arrived is the textbook risk — and Stark (42 CFR 411.357(k)) caps non-monetary
compensation to a physician each year. Where the seed articles suggest a gift, the law wins.
"""

from __future__ import annotations

import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from builders import TODAY, at_days_ago, contact, history, partner, referral, touch
from nurture_tui.domain.kinds import TouchpointKind
from nurture_tui.domain.model import PartnerHistory
from nurture_tui.domain.playbook import rules
from nurture_tui.domain.playbook.config import Playbook, PlaybookError, load_playbook
from nurture_tui.domain.playbook.engine import suggest
from nurture_tui.domain.playbook.facts import SuggestedAction
from nurture_tui.domain.playbook.guardrails import Caution, PlannedTouch, check
from nurture_tui.services.playbook import default_playbook_text

UTC_ZONE = ZoneInfo("UTC")
RULES_SOURCE = Path(rules.__file__).read_text(encoding="utf-8")

#: Words that would propose a gift, in any rule's reason.
GIFT_ADVICE = re.compile(r"gift is fitting|send a (small )?gift|a gift card|gift\)", re.IGNORECASE)


@pytest.fixture(scope="module")
def playbook() -> Playbook:
    return load_playbook(default_playbook_text())


def suggested(h: PartnerHistory, playbook: Playbook, rule: str) -> list[SuggestedAction]:
    return [a for a in suggest([h], TODAY, UTC_ZONE, playbook, []) if a.rule == rule]


def cautions(h: PartnerHistory, playbook: Playbook, days_ago: int = 0) -> list[Caution]:
    gift = PlannedTouch(kind=TouchpointKind.GIFT, at=at_days_ago(days_ago))
    return [c for c in check(gift, h, playbook) if c.rule == "gift-without-reason"]


def assert_words_not_a_gift(action: SuggestedAction) -> None:
    assert action.kind is TouchpointKind.THANK_YOU  # never TouchpointKind.GIFT
    assert "note" in action.reason and "email" in action.reason
    assert not GIFT_ADVICE.search(action.reason), action.reason


# --- After a referral -------------------------------------------------------------------


def test_a_referral_is_followed_by_a_note_or_email_never_a_gift(playbook: Playbook) -> None:
    p = partner()
    sam = contact(p)
    r = referral(p, 1, contact_id=sam.id)
    [action] = suggested(history(p, contacts=[sam], referrals=[r]), playbook, "thank-you")
    assert_words_not_a_gift(action)
    assert "not a gift" in action.reason and "reward" in action.reason
    assert action.contact_id == sam.id and action.evidence == (r.id,)
    everything = suggest([history(p, contacts=[sam], referrals=[r])], TODAY, UTC_ZONE, playbook)
    assert all(a.kind is not TouchpointKind.GIFT for a in everything)


def test_a_gift_after_a_referral_is_not_the_thank_you(playbook: Playbook) -> None:
    """Our choice: a gift logged after the referral does not stop the suggestion of words;
    a thank-you logged after it does."""
    p = partner()
    r = referral(p, 4)
    gifted = history(p, referrals=[r], touches=[touch(p, "gift", 2)])
    [still] = suggested(gifted, playbook, "thank-you")
    assert_words_not_a_gift(still)
    thanked = history(p, referrals=[r], touches=[touch(p, "gift", 2), touch(p, "thank-you", 1)])
    assert not suggested(thanked, playbook, "thank-you")


# --- After an in-service ----------------------------------------------------------------


def test_an_in_service_is_followed_by_a_note_without_gift_wording(playbook: Playbook) -> None:
    p = partner()
    taught = touch(p, "in-service", 3)
    [action] = suggested(history(p, touches=[taught]), playbook, "in-service-thanks")
    assert_words_not_a_gift(action)
    assert (
        action.reason
        == "They taught your team an in-service on 20 Nov; send a thank-you note or email"
    )
    assert "gift" not in action.reason


def test_a_gift_after_an_in_service_still_counts_as_thanks(playbook: Playbook) -> None:
    """The rep did thank them; the suggestion itself never proposes the gift."""
    p = partner()
    thanked = history(p, touches=[touch(p, "in-service", 5), touch(p, "gift", 1)])
    assert not suggested(thanked, playbook, "in-service-thanks")


# --- The appreciation event -------------------------------------------------------------


def test_the_appreciation_event_names_the_physicians_yearly_limit(playbook: Playbook) -> None:
    star = partner(stage="champion", kind="physician-practice")
    [action] = suggested(
        history(star, referrals=[referral(star, d) for d in (10, 40, 90)]),
        playbook,
        "appreciation-event",
    )
    assert "yearly non-monetary limit" in action.reason and "physician" in action.reason
    assert "nurture compliance limits" in action.reason
    # The figure changes every year: it lives in the limits table, not in the rule's text.
    assert "$" not in action.reason and not re.search(r"\b5\d\d\b", action.reason)


def test_no_rule_proposes_a_gift_and_no_figure_is_hard_coded() -> None:
    assert "gift is fitting" not in RULES_SOURCE
    assert "gift is fitting" not in default_playbook_text()
    assert not re.search(r"\$\s?\d", RULES_SOURCE), "a dollar figure in the rules' code"


# --- The gift guardrail -----------------------------------------------------------------


def test_a_gift_five_days_after_a_referral_with_no_in_service_warns(playbook: Playbook) -> None:
    p = partner()
    h = history(p, referrals=[referral(p, 5)])
    [warning] = cautions(h, playbook)
    assert "thank with words" in warning.message
    assert "never follow or reward a referral" in warning.message


def test_a_gift_after_an_in_service_they_taught_does_not_warn(playbook: Playbook) -> None:
    p = partner()
    assert not cautions(history(p, touches=[touch(p, "in-service", 6)]), playbook)
    # A referral in between does not make the in-service any less of a reason.
    both = history(p, referrals=[referral(p, 3)], touches=[touch(p, "in-service", 6)])
    assert not cautions(both, playbook)


def test_the_in_service_counts_only_within_the_window(playbook: Playbook) -> None:
    """``gift_window_days`` (30): an in-service on the window's edge counts; one a day
    older, or one only planned, does not."""
    p = partner()
    assert not cautions(history(p, touches=[touch(p, "in-service", 30)]), playbook)
    assert cautions(history(p, touches=[touch(p, "in-service", 31)]), playbook)
    planned = touch(p, "in-service", 3, status="planned")
    assert cautions(history(p, touches=[planned]), playbook)


# --- The [compliance] settings ----------------------------------------------------------


def test_the_compliance_settings_default_and_accept_cents(playbook: Playbook) -> None:
    assert playbook.compliance("gift_after_referral_days") == 60
    assert playbook.compliance("policy_cap_per_recipient") == 0  # 0: no cap
    assert playbook.compliance("meal_limit_per_head") == 0
    assert playbook.compliance("limit_notice_percent") == 80
    mine = load_playbook(
        default_playbook_text(),
        "[compliance]\npolicy_cap_per_recipient = 75.5\nmeal_limit_per_head = 30\n",
        "user.toml",
    )
    assert mine.compliance("policy_cap_per_recipient") == 75.5
    assert mine.compliance("meal_limit_per_head") == 30.0
    with pytest.raises(PlaybookError, match="must be a number"):
        load_playbook(default_playbook_text(), '[compliance]\nmeal_limit_per_head = "50"\n', "u")
    with pytest.raises(PlaybookError, match="cannot be negative"):
        load_playbook(default_playbook_text(), "[compliance]\npolicy_cap_per_recipient = -1\n", "u")


def test_every_changed_rule_cites_its_seed_and_the_law() -> None:
    text = default_playbook_text()
    for table in ("rules.thank-you", "rules.in-service-thanks", "rules.appreciation-event"):
        section = text.split(f"[{table}]\n", 1)[1].split("\n[", 1)[0]
        comments = [line for line in section.splitlines() if line.startswith("#")]
        assert comments[0].startswith('# "'), f"{table}: the seed sentence comes first"
        assert any(line.startswith("# Law:") for line in comments), table
        assert "1320a-7b(b)" in section or "411.357(k)" in section, table
