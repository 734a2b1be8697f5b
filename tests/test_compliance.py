"""The compliance checks and report, pure: each guardrail at, just under and just over its
threshold, year boundaries, splits, the limits table, and the report's arithmetic."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builders import contact, history, partner, referral
from nurture_tui.domain.compliance import (
    ComplianceRules,
    GiftDraft,
    LimitTable,
    YearLimit,
    build_report,
    cash_equivalent,
    check_value,
    overrides_of,
    parse_limit_table,
    recipient_shares,
    repay_by,
)
from nurture_tui.domain.errors import ValidationError
from nurture_tui.domain.kinds import Credential, TouchpointKind, TouchpointStatus
from nurture_tui.domain.model import Contact, Override, Partner, PartnerHistory, Touchpoint
from nurture_tui.domain.money import format_amount, parse_amount, split_evenly

CHICAGO = ZoneInfo("America/Chicago")
LIMITS = LimitTable(
    (
        YearLimit(2024, 50700, "https://cms.example/cpi-u"),
        YearLimit(2025, 51900, "https://cms.example/cpi-u"),
        YearLimit(2026, 53500, "https://cms.example/cpi-u"),
    )
)
RULES = ComplianceRules(zone=CHICAGO, agency_types=frozenset({"home-health"}))
UNSET = ComplianceRules(zone=CHICAGO)  # no agency type: Stark checked, and said


def _moment(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=CHICAGO)


def _gift(
    p: Partner, day: date, cents: int, contacts: tuple[str, ...] = (), **kw: object
) -> Touchpoint:
    return Touchpoint(
        id=f"t-{day.isoformat()}-{cents}-{len(contacts)}",
        partner_id=p.id,
        kind=TouchpointKind.GIFT,
        at=_moment(day).astimezone(UTC),
        contact_ids=contacts,
        value_cents=cents,
        **kw,  # type: ignore[arg-type]
    )


def _practice() -> tuple[Partner, Contact, Contact]:
    p = partner(kind="physician-practice")
    doctor = contact(p, "Dr. Ana Reyes", credential=Credential.MD)
    nurse = contact(p, "Lee Park", credential=Credential.RN)
    return p, doctor, nurse


def _check(
    h: PartnerHistory,
    cents: int,
    contacts: tuple[str, ...],
    day: date = date(2026, 6, 1),
    rules: ComplianceRules = RULES,
    **kw: object,
) -> dict[str, str]:
    fields: dict[str, object] = {"kind": TouchpointKind.GIFT, **kw}
    draft = GiftDraft(
        at=_moment(day),
        value_cents=cents,
        contact_ids=contacts,
        **fields,  # type: ignore[arg-type]
    )
    return {f.rule: f.severity for f in check_value(draft, h, LIMITS, rules)}


# ------------------------------------------------------------------ money


def test_amounts_read_as_typed_and_refuse_the_rest() -> None:
    assert parse_amount("25") == 2500
    assert parse_amount("$19.99") == 1999
    assert parse_amount("1,200.5") == 120050
    assert parse_amount(" .5 ") == 50
    for bad in ("-5", "abc", "1e9", "12.345", "1,2,3", "", "$", "9" * 40, "100000000"):
        with pytest.raises(ValidationError):
            parse_amount(bad)
    assert format_amount(123456) == "$1,234.56"
    assert format_amount(5, "eur") == "EUR 0.05"


@given(st.integers(0, 10**9), st.integers(1, 50))
def test_a_split_adds_up_and_differs_by_at_most_a_cent(total: int, parts: int) -> None:
    shares = split_evenly(total, parts)
    assert sum(shares) == total and len(shares) == parts
    assert max(shares) - min(shares) <= 1


def test_a_value_is_split_evenly_with_the_odd_cents_first() -> None:
    p, doctor, nurse = _practice()
    third = contact(p, "Kim Ode")
    touch = _gift(p, date(2026, 3, 1), 10000, (doctor.id, nurse.id, third.id))
    assert recipient_shares(touch) == [(doctor.id, 3334), (nurse.id, 3333), (third.id, 3333)]
    assert recipient_shares(touch._replace(contact_ids=())) == [(None, 10000)]
    assert recipient_shares(touch._replace(value_cents=0)) == []


# ------------------------------------------------------------------ Stark's yearly limit


@pytest.mark.parametrize(
    ("spent", "this", "expected"),
    [
        (0, 42700, None),  # 79.8 %: under the notice line
        (0, 42800, "notice"),  # exactly 80 % of $535
        (40000, 13500, "notice"),  # exactly the limit: not over
        (40000, 13501, "warning"),  # one cent over
    ],
)
def test_the_yearly_limit_at_under_and_over(spent: int, this: int, expected: str | None) -> None:
    p, doctor, _ = _practice()
    touches = [_gift(p, date(2026, 2, 1), spent, (doctor.id,))] if spent else []
    found = _check(history(p, contacts=[doctor], touches=touches), this, (doctor.id,))
    assert found.get("stark-yearly-limit", found.get("stark-limit-near")) == expected


def test_over_by_at_most_half_explains_the_repayment_window() -> None:
    p, doctor, _ = _practice()
    h = history(p, contacts=[doctor], touches=[_gift(p, date(2026, 2, 1), 50000, (doctor.id,))])
    draft = GiftDraft(
        TouchpointKind.GIFT, _moment(date(2026, 3, 1)), 10000, contact_ids=(doctor.id,)
    )
    [stark] = [f for f in check_value(draft, h, LIMITS, RULES) if f.rule == "stark-yearly-limit"]
    assert stark.figures == {
        "recipient": "Dr. Ana Reyes",
        "year": 2026,
        "spent": 500.0,
        "this": 100.0,
        "total": 600.0,
        "limit": 535.0,
        "over_by": 65.0,
        "repay_by": "2026-08-28",  # 180 days before the year ends
    }
    assert "repaid" in stark.message and "2026-08-28" in stark.message


def test_repayment_is_by_the_end_of_the_year_or_in_180_days_whichever_is_earlier() -> None:
    assert repay_by(date(2026, 3, 1)) == date(2026, 8, 28)
    assert repay_by(date(2026, 11, 20)) == date(2026, 12, 31)
    assert repay_by(date(2026, 7, 4)) == date(2026, 12, 31)  # 180 days is 31 Dec exactly


def test_over_by_more_than_half_cannot_be_cured() -> None:
    p, doctor, _ = _practice()
    h = history(p, contacts=[doctor])
    # $535 x 1.5 = $802.50: one cent more is beyond the exception.
    over = check_value(
        GiftDraft(TouchpointKind.GIFT, _moment(date(2026, 5, 1)), 80251, contact_ids=(doctor.id,)),
        h,
        LIMITS,
        RULES,
    )
    assert "cannot cure" in over[0].message
    at_half = check_value(
        GiftDraft(TouchpointKind.GIFT, _moment(date(2026, 5, 1)), 80250, contact_ids=(doctor.id,)),
        h,
        LIMITS,
        RULES,
    )
    assert "repaid" in at_half[0].message


def test_the_repayment_exception_is_once_in_three_years() -> None:
    p, doctor, _ = _practice()
    last_year = _gift(p, date(2025, 6, 1), 60000, (doctor.id,))  # over 2025's $519
    h = history(p, contacts=[doctor], touches=[last_year])
    [stark] = [
        f
        for f in check_value(
            GiftDraft(
                TouchpointKind.GIFT, _moment(date(2026, 6, 1)), 60000, contact_ids=(doctor.id,)
            ),
            h,
            LIMITS,
            RULES,
        )
        if f.rule == "stark-yearly-limit"
    ]
    assert "already over in 2025" in stark.message


def test_a_december_and_a_january_gift_count_in_different_years() -> None:
    p, doctor, _ = _practice()
    # 31 Dec 23:30 in Chicago is already 1 January in UTC: still the old year for the rep.
    december = _gift(p, date(2025, 12, 31), 50000, (doctor.id,))._replace(
        at=datetime(2025, 12, 31, 23, 30, tzinfo=CHICAGO).astimezone(UTC)
    )
    h = history(p, contacts=[doctor], touches=[december])
    assert _check(h, 10000, (doctor.id,), day=date(2026, 1, 2)) == {}
    assert _check(h, 10000, (doctor.id,), day=date(2025, 12, 31))["stark-yearly-limit"] == "warning"


def test_an_edit_does_not_count_the_touch_twice() -> None:
    p, doctor, _ = _practice()
    logged = _gift(p, date(2026, 4, 1), 50000, (doctor.id,))
    h = history(p, contacts=[doctor], touches=[logged])
    assert "stark-yearly-limit" in _check(h, 50000, (doctor.id,))
    assert "stark-yearly-limit" not in _check(h, 50000, (doctor.id,), replaces=logged.id)


def test_cancelled_gifts_do_not_count_and_planned_ones_do() -> None:
    p, doctor, _ = _practice()
    cancelled = _gift(p, date(2026, 2, 1), 50000, (doctor.id,))._replace(
        status=TouchpointStatus.CANCELLED
    )
    planned = _gift(p, date(2026, 9, 1), 50000, (doctor.id,))._replace(
        id="planned", status=TouchpointStatus.PLANNED
    )
    assert _check(history(p, contacts=[doctor], touches=[cancelled]), 10000, (doctor.id,)) == {}
    found = _check(history(p, contacts=[doctor], touches=[planned]), 10000, (doctor.id,))
    assert found["stark-yearly-limit"] == "warning"


def test_only_physicians_and_only_for_home_health_or_unset_agencies() -> None:
    p, doctor, nurse = _practice()
    h = history(p, contacts=[doctor, nurse])
    assert "stark-yearly-limit" not in _check(h, 90000, (nurse.id,))
    waiver = ComplianceRules(zone=CHICAGO, agency_types=frozenset({"waiver-provider"}))
    assert "stark-yearly-limit" not in _check(h, 90000, (doctor.id,), rules=waiver)
    home = ComplianceRules(zone=CHICAGO, agency_types=frozenset({"hospice", "home-health"}))
    assert _check(h, 90000, (doctor.id,), rules=home)["stark-yearly-limit"] == "warning"


def test_an_individual_npi_at_a_physician_practice_means_a_physician_and_says_so() -> None:
    p, _, _ = _practice()
    unset = contact(p, "Dr. Noor", npi="1234567893")
    found = _check(history(p, contacts=[unset]), 90000, (unset.id,))
    assert found["stark-yearly-limit"] == "warning"
    assert found["physician-inferred"] == "notice"
    hospital = partner(kind="hospital")
    elsewhere = contact(hospital, "Dr. Noor", npi="1234567893")
    assert "stark-yearly-limit" not in _check(
        history(hospital, contacts=[elsewhere]), 90000, (elsewhere.id,)
    )


def test_a_split_gift_counts_each_physicians_share() -> None:
    p, doctor, nurse = _practice()
    second = contact(p, "Dr. Bo Li", credential=Credential.DO)
    h = history(p, contacts=[doctor, nurse, second])
    # $1,200 among three: $400 each, under $535 for both physicians.
    assert "stark-yearly-limit" not in _check(h, 120000, (doctor.id, nurse.id, second.id))
    # $1,800 among three: $600 each, over for both.
    draft = GiftDraft(
        TouchpointKind.GIFT,
        _moment(date(2026, 6, 1)),
        180000,
        contact_ids=(doctor.id, nurse.id, second.id),
    )
    over = [
        f.figures["recipient"]
        for f in check_value(draft, h, LIMITS, RULES)
        if f.rule == "stark-yearly-limit"
    ]
    assert over == ["Dr. Ana Reyes", "Dr. Bo Li"]


# ------------------------------------------------------------------ the limits table


def test_a_year_missing_from_the_table_uses_the_latest_and_says_so() -> None:
    limit = LIMITS.in_force(2031)
    assert (limit.cents, limit.from_year, limit.known) == (53500, 2026, False)
    assert "needs updating" in limit.outdated_note()
    p, doctor, _ = _practice()
    found = _check(history(p, contacts=[doctor]), 60000, (doctor.id,), day=date(2031, 3, 1))
    assert found["limits-table-outdated"] == "notice"
    assert found["stark-yearly-limit"] == "warning"


def test_a_year_before_the_table_uses_the_earliest() -> None:
    assert LIMITS.in_force(1999).cents == 50700


def test_the_shipped_table_parses_and_a_copy_overrides_it() -> None:
    from nurture_tui.services.compliance import shipped_limits_text

    shipped = parse_limit_table(shipped_limits_text(), "shipped")
    assert {y.year: y.cents for y in shipped.years}[2026] == 53500
    assert {y.year: y.cents for y in shipped.years}[2023] == 48900
    assert all(y.source.startswith("https://www.cms.gov/") for y in shipped.years)
    copy = parse_limit_table('[years.2027]\namount = 551\nsource = "https://x"\n', "copy", shipped)
    assert copy.in_force(2027).known and copy.in_force(2027).cents == 55100
    assert copy.in_force(2026).cents == 53500


@pytest.mark.parametrize(
    "text",
    [
        "not toml [",
        "[years]\n",
        "[years.abc]\namount = 1\n",
        "[years.2027]\namount = -5\n",
        '[years.2027]\namount = "535"\n',
        "[years.2027]\namount = true\n",
        "years = 5\n",
    ],
)
def test_a_bad_table_is_one_clear_error(text: str) -> None:
    with pytest.raises(ValidationError, match="copy"):
        parse_limit_table(text, "copy")


# ------------------------------------------------------------------ the kickback checks


@pytest.mark.parametrize(
    ("item", "found"),
    [
        ("Starbucks gift card", "gift card"),
        ("$25 Amazon card", "amazon card"),
        ("e-gift", "e-gift"),
        ("Visa prepaid card", "prepaid"),
        ("cash", "cash"),
        ("restaurant gift certificate", "gift certificate"),
        ("voucher for lunch", "voucher"),
        ("cashew cookies", None),
        ("a book on dementia care", None),
        ("catered lunch", None),
    ],
)
def test_cash_equivalents_are_recognised(item: str, found: str | None) -> None:
    result = cash_equivalent(item)
    assert (result is None) == (found is None)
    if found is not None:
        assert result is not None and found.split()[0] in result.lower()


def test_cash_is_never_allowed_whoever_receives_it() -> None:
    p = partner(kind="community-org")
    found = _check(history(p), 1000, (), item="Target gift card")
    assert found == {"cash-equivalent": "warning"}


def test_anything_of_value_within_the_window_after_a_referral_warns() -> None:
    p, doctor, _ = _practice()
    day = date(2026, 6, 1)
    for days_before, expected in ((0, True), (60, True), (61, False)):
        r = replace(referral(p, 0), received=day - timedelta(days=days_before))
        draft = GiftDraft(TouchpointKind.GIFT, _moment(day), 2500, contact_ids=(doctor.id,))
        findings = check_value(draft, history(p, contacts=[doctor], referrals=[r]), LIMITS, RULES)
        warned = [f for f in findings if f.rule == "gift-after-referral"]
        assert bool(warned) == expected, days_before
        if warned:
            assert r.received.isoformat() in warned[0].message
            assert r.participant_ref not in warned[0].message


def test_a_referral_after_the_gift_does_not_count() -> None:
    p, doctor, _ = _practice()
    later = replace(referral(p, 0), received=date(2026, 6, 2))
    draft = GiftDraft(
        TouchpointKind.GIFT, _moment(date(2026, 6, 1)), 2500, contact_ids=(doctor.id,)
    )
    assert not check_value(draft, history(p, contacts=[doctor], referrals=[later]), LIMITS, RULES)


def test_a_touch_of_no_value_is_not_checked() -> None:
    p, doctor, _ = _practice()
    recent = replace(referral(p, 0), received=date(2026, 5, 30))
    draft = GiftDraft(
        TouchpointKind.THANK_YOU, _moment(date(2026, 6, 1)), 0, contact_ids=(doctor.id,)
    )
    assert (
        check_value(draft, history(p, contacts=[doctor], referrals=[recent]), LIMITS, RULES) == []
    )


# ------------------------------------------------------------------ agency policy


def test_the_agency_cap_applies_to_non_physicians_at_under_and_over() -> None:
    p, doctor, nurse = _practice()
    capped = ComplianceRules(zone=CHICAGO, policy_cap_cents=7500)
    earlier = _gift(p, date(2026, 1, 5), 5000, (nurse.id,))
    h = history(p, contacts=[doctor, nurse], touches=[earlier])
    assert "policy-cap" not in _check(h, 2500, (nurse.id,), rules=capped)  # exactly $75
    assert _check(h, 2501, (nurse.id,), rules=capped)["policy-cap"] == "warning"
    assert "policy-cap" not in _check(h, 2501, (doctor.id,), rules=capped)  # Stark's instead


def test_a_meal_over_the_per_head_limit_warns() -> None:
    p, doctor, nurse = _practice()
    meals = ComplianceRules(zone=CHICAGO, meal_limit_cents=3000)
    h = history(p, contacts=[doctor, nurse])
    lunch = {"kind": TouchpointKind.IN_SERVICE, "item": "catered lunch"}
    assert "meal-per-head" not in _check(h, 6000, (doctor.id, nurse.id), rules=meals, **lunch)
    assert (
        _check(h, 6002, (doctor.id, nurse.id), rules=meals, **lunch)["meal-per-head"] == "warning"
    )
    book = {"kind": TouchpointKind.GIFT, "item": "a book"}
    assert "meal-per-head" not in _check(h, 9000, (doctor.id, nurse.id), rules=meals, **book)


def test_warnings_become_overrides_and_notices_do_not() -> None:
    p, doctor, _ = _practice()
    h = history(p, contacts=[doctor], referrals=[referral(p, 0)])
    draft = GiftDraft(
        TouchpointKind.GIFT,
        _moment(date(2026, 11, 23)),
        43000,
        item="gift card",
        contact_ids=(doctor.id,),
    )
    findings = check_value(draft, h, LIMITS, RULES)
    when = datetime(2026, 11, 23, 9, tzinfo=UTC)
    overrides = overrides_of(findings, "Pat Rep", when)
    assert {o.rule for o in overrides} == {"cash-equivalent", "gift-after-referral"}
    assert all(o.by == "Pat Rep" and o.at == when for o in overrides)
    assert "stark-limit-near" in {f.rule for f in findings}


# ------------------------------------------------------------------ the report


def test_the_report_against_a_hand_computed_scenario() -> None:
    p, doctor, nurse = _practice()
    other = partner(kind="hospital")
    planner = contact(other, "Jo Planner")
    flagged = Override(
        "stark-yearly-limit", "over the limit", "Pat Rep", datetime(2026, 9, 1, tzinfo=UTC)
    )
    touches = [
        _gift(p, date(2026, 2, 1), 30000, (doctor.id,)),  # doctor 300.00
        _gift(p, date(2026, 5, 1), 10001, (doctor.id, nurse.id)),  # 50.01 + 50.00
        _gift(p, date(2026, 9, 1), 30000, (doctor.id,), overrides=(flagged,)),  # doctor 300.00
        _gift(p, date(2025, 12, 31), 99900, (doctor.id,)),  # last year: not in 2026
    ]
    h1 = history(p, contacts=[doctor, nurse], touches=touches)
    h2 = history(other, contacts=[planner], touches=[_gift(other, date(2026, 3, 3), 2000)])
    report = build_report([h2, h1], 2026, LIMITS, RULES)
    rows = [
        (r.name, r.physician, r.total_cents, r.remaining_cents, r.over_by_cents)
        for r in report.recipients
    ]
    assert rows == [
        ("Dr. Ana Reyes", True, 65001, 0, 11501),
        ("Lee Park", False, 5000, None, 0),
        ("Mercy General", False, 2000, None, 0),
    ]
    assert report.recipients[0].overrides == [flagged]
    assert [i.day for i in report.recipients[0].items] == [
        date(2026, 2, 1),
        date(2026, 5, 1),
        date(2026, 9, 1),
    ]


def _touch_strategy(p: Partner, contact_ids: list[str]) -> st.SearchStrategy[Touchpoint]:
    return st.builds(
        lambda n, day, cents, who, status: Touchpoint(
            id=f"t{n}",
            partner_id=p.id,
            kind=TouchpointKind.GIFT,
            at=datetime(2025, 1, 1, 6, tzinfo=UTC) + timedelta(hours=day),
            contact_ids=tuple(who),
            value_cents=cents,
            status=status,
        ),
        st.integers(0, 10**9),
        st.integers(0, 3 * 365 * 24),
        st.integers(0, 200_000),
        st.lists(st.sampled_from(contact_ids), max_size=3, unique=True),
        st.sampled_from(list(TouchpointStatus)),
    )


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_a_physicians_year_total_is_the_sum_of_their_values_that_year(data: st.DataObject) -> None:
    p, doctor, nurse = _practice()
    touches = data.draw(
        st.lists(_touch_strategy(p, [doctor.id, nurse.id]), max_size=25, unique_by=lambda t: t.id)
    )
    year = data.draw(st.sampled_from([2025, 2026, 2027]))
    report = build_report(
        [history(p, contacts=[doctor, nurse], touches=touches)], year, LIMITS, RULES
    )
    expected = sum(
        cents
        for t in touches
        if t.status is not TouchpointStatus.CANCELLED and t.at.astimezone(CHICAGO).year == year
        for who, cents in recipient_shares(t)
        if who == doctor.id
    )
    found = [r for r in report.recipients if r.contact_id == doctor.id]
    assert (found[0].total_cents if found else 0) == expected
    if found:
        limit = LIMITS.in_force(year).cents
        assert found[0].remaining_cents == max(0, limit - expected)
        assert found[0].over_by_cents == max(0, expected - limit)


# ------------------------------------------------------------------ found by a reader


def test_a_cash_word_in_the_purpose_of_a_touch_that_gives_nothing_is_not_cash() -> None:
    p, doctor, _ = _practice()
    h = history(p, contacts=[doctor], referrals=[referral(p, 3)])
    email = GiftDraft(
        TouchpointKind.EMAIL,
        _moment(date(2026, 11, 23)),
        purpose="Money Follows the Person transition; cash assistance programs",
        contact_ids=(doctor.id,),
    )
    assert check_value(email, h, LIMITS, RULES) == []
    card = replace(email, item="gift card")
    assert [f.rule for f in check_value(card, h, LIMITS, RULES)][:1] == ["cash-equivalent"]


def test_a_physician_outside_starks_reach_is_held_to_the_agency_cap() -> None:
    p, doctor, _ = _practice()
    hospice = ComplianceRules(
        zone=CHICAGO, agency_types=frozenset({"hospice"}), policy_cap_cents=10000
    )
    found = _check(history(p, contacts=[doctor]), 15000, (doctor.id,), rules=hospice)
    assert found == {"policy-cap": "warning"}


def test_settings_that_shape_a_physicians_check_are_said() -> None:
    p, doctor, _ = _practice()
    h = history(p, contacts=[doctor])
    found_unset = _check(h, 50000, (doctor.id,), rules=UNSET)
    assert found_unset["agency-type-unset"] == "notice"
    assert found_unset["stark-limit-near"] == "notice"  # checked all the same
    set_up = ComplianceRules(zone=CHICAGO, agency_types=frozenset({"home-health"}), currency="EUR")
    found = _check(h, 10000, (doctor.id,), rules=set_up)
    assert "agency-type-unset" not in found and found["currency-not-usd"] == "notice"


def test_a_physicians_limit_warning_is_listed_under_that_physician_only() -> None:
    p, doctor, nurse = _practice()
    draft = GiftDraft(
        TouchpointKind.GIFT, _moment(date(2026, 6, 1)), 140000, contact_ids=(doctor.id, nurse.id)
    )
    h = history(
        p, contacts=[doctor, nurse], referrals=[replace(referral(p, 0), received=date(2026, 5, 20))]
    )
    overrides = overrides_of(
        check_value(draft, h, LIMITS, RULES), "Pat", datetime(2026, 6, 1, tzinfo=UTC)
    )
    saved = draft.as_touchpoint(p.id)._replace(id="t-split", overrides=overrides)
    report = build_report(
        [history(p, contacts=[doctor, nurse], touches=[saved])], 2026, LIMITS, RULES
    )
    rules_by_name = {r.name: sorted(o.rule for o in r.overrides) for r in report.recipients}
    assert rules_by_name == {
        "Dr. Ana Reyes": ["gift-after-referral", "stark-yearly-limit"],
        "Lee Park": ["gift-after-referral"],
    }


def test_a_touch_of_no_value_with_an_override_still_reaches_the_report() -> None:
    p, doctor, _ = _practice()
    flagged = Override("cash-equivalent", "'gift card'", "Pat", datetime(2026, 4, 1, tzinfo=UTC))
    touch = _gift(p, date(2026, 4, 1), 0, (doctor.id,), item="gift card", overrides=(flagged,))
    report = build_report([history(p, contacts=[doctor], touches=[touch])], 2026, LIMITS, RULES)
    [entry] = report.recipients
    assert (entry.total_cents, entry.overrides) == (0, [flagged])


def test_older_years_are_shipped_too() -> None:
    from nurture_tui.services.compliance import shipped_limits_text

    shipped = parse_limit_table(shipped_limits_text(), "shipped")
    assert shipped.in_force(2013).known and shipped.in_force(2013).cents == 38000
    assert shipped.in_force(2020).cents == 42300


# ------------------------------------------------------------------ found by a hostile tester


@pytest.mark.parametrize(
    "item",
    [
        "check for $50",
        "Visa gift",
        "gift cert",
        "Dunkin card",
        "DoorDash credit",
        "$50 bill",
        "ｇｉｆｔ ｃａｒｄ",
    ],
)
def test_more_ways_of_writing_cash_are_recognised(item: str) -> None:
    assert cash_equivalent(item) is not None


@pytest.mark.parametrize("item", ["check-in gift basket", "a checklist binder", "billing guide"])
def test_words_that_only_look_like_cash_are_not(item: str) -> None:
    assert cash_equivalent(item) is None


def test_the_matched_words_keep_the_reps_casing() -> None:
    assert cash_equivalent("Starbucks card") == "Starbucks card"


@pytest.mark.parametrize("typed", ["€5", "£5", "9" * 5000, "１２", "1" * 21])
def test_amounts_in_another_symbol_or_absurdly_long_are_one_short_line(typed: str) -> None:
    with pytest.raises(ValidationError) as refused:
        parse_amount(typed)
    assert len(str(refused.value)) < 120


def test_a_repayment_window_already_closed_is_said_to_be() -> None:
    p, doctor, _ = _practice()
    h = history(p, contacts=[doctor], touches=[_gift(p, date(2026, 2, 1), 50000, (doctor.id,))])
    late = replace(RULES, today=date(2026, 11, 24))
    draft = GiftDraft(
        TouchpointKind.GIFT, _moment(date(2026, 5, 1)), 10000, contact_ids=(doctor.id,)
    )
    [stark] = [f for f in check_value(draft, h, LIMITS, late) if f.rule == "stark-yearly-limit"]
    assert "window has closed" in stark.message and "2026-10-28" in stark.message
    timely = replace(RULES, today=date(2026, 5, 2))
    [open_] = [f for f in check_value(draft, h, LIMITS, timely) if f.rule == "stark-yearly-limit"]
    assert "may be repaid" in open_.message


def test_a_year_before_the_table_is_not_called_outdated() -> None:
    note = LIMITS.in_force(2012).outdated_note()
    assert "starts in 2024" in note and "needs updating" not in note


def test_the_referral_timing_reads_well_on_the_day() -> None:
    p, doctor, _ = _practice()
    day = date(2026, 6, 1)
    h = history(p, contacts=[doctor], referrals=[replace(referral(p, 0), received=day)])
    draft = GiftDraft(TouchpointKind.GIFT, _moment(day), 2500, contact_ids=(doctor.id,))
    [timing] = [f for f in check_value(draft, h, LIMITS, RULES) if f.rule == "gift-after-referral"]
    assert timing.message.startswith("this comes on the day of a referral from")
