"""The compliance guardrails through the real ``nurture`` command (issue 14): values on
``log`` and ``touch edit``, the Stark limit at, under and over its thresholds, splits,
year boundaries, cash equivalents, gifts after a referral, the override record, ``--check``,
``compliance limits`` and ``compliance report`` (text, JSON, CSV).

The CLI has no fixed clock, so every touch is logged ``--at`` a past day in the rep's zone
(America/Chicago, set by the runner) and every report names its ``--year``. The shipped
table's figures are used: $519 for 2025, $535 for 2026.
"""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from cli_runner import Nurture

REP = "Dana Reyes"


@pytest.fixture
def nurture(tmp_path: Path) -> Nurture:
    return Nurture(
        tmp_path / "home",
        tmp_path / "config",
        env={"NURTURE_REP_NAME": REP, "NURTURE_AGENCY_TYPE": "home-health"},
    )


def as_dict(value: object) -> dict[str, Any]:
    assert isinstance(value, dict)
    return value


def practice(nurture: Nurture, name: str = "Oak Family Medicine") -> str:
    return str(as_dict(nurture.json("partner", "add", name, "--kind", "physician-practice"))["id"])


def contact(nurture: Nurture, partner: str, name: str, *options: str) -> str:
    return nurture("contact", "add", "--partner", partner, name, *options).stdout.strip()


def log(nurture: Nurture, partner: str, *options: str) -> dict[str, Any]:
    return as_dict(nurture.json("log", "--partner", partner, "--kind", "gift", *options))


def rules(logged: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The logged touch's warnings by rule (compliance findings and guardrails alike)."""
    return {w["rule"]: w for w in logged["warnings"]}


def report(nurture: Nurture, year: int, *options: str) -> dict[str, Any]:
    return as_dict(nurture.json("compliance", "report", "--year", str(year), *options))


def recipients(built: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["recipient"]: r for r in built["recipients"]}


# ------------------------------------------------------------------ the Stark limit


def test_the_yearly_limit_at_under_and_over_each_threshold(nurture: Nurture) -> None:
    """2025's limit is $519.00: the notice starts at 80 % ($415.20), the limit itself is
    still within it, a cent over warns with the repayment date, and more than 50 % over
    ($778.50) cannot be cured."""
    oak = practice(nurture)
    cases = {
        "Under Notice": ("415.19", set()),
        "At Notice": ("415.20", {"stark-limit-near"}),
        "At Limit": ("519", {"stark-limit-near"}),
        "Cent Over": ("519.01", {"stark-yearly-limit"}),
        "Half Over": ("778.50", {"stark-yearly-limit"}),
        "Past Half": ("778.51", {"stark-yearly-limit"}),
    }
    found: dict[str, dict[str, dict[str, Any]]] = {}
    for name, (value, expected) in cases.items():
        cid = contact(nurture, oak, f"Dr {name}", "--credential", "md")
        logged = log(nurture, oak, "--contact", cid, "--value", value, "--at", "2025-03-01")
        found[name] = rules(logged)
        stark = {r for r in found[name] if r.startswith("stark-")}
        assert stark == expected, (name, found[name])
    near = found["At Notice"]["stark-limit-near"]
    assert near["severity"] == "notice"
    assert near["figures"] == {
        "recipient": "Dr At Notice",
        "year": 2025,
        "spent": 0.0,
        "this": 415.2,
        "total": 415.2,
        "limit": 519.0,
        "remaining": 103.8,
    }
    over = found["Cent Over"]["stark-yearly-limit"]
    assert over["severity"] == "warning" and over["figures"]["over_by"] == 0.01
    # given 1 March: 180 days on (28 August) is earlier than the end of the year
    assert over["figures"]["repay_by"] == "2025-08-28"
    # Logged today for 2025: the window to repay closed on that date, and the rep is told.
    assert "could have been repaid by 2025-08-28, but that window has closed" in over["message"]
    half = found["Half Over"]["stark-yearly-limit"]["message"]
    assert "over by $259.50" in half and "2025-08-28" in half
    past = found["Past Half"]["stark-yearly-limit"]
    assert "cannot cure it" in past["message"] and "repay_by" not in past["figures"]


def test_the_limit_counts_what_was_already_given_and_says_so_in_text(nurture: Nurture) -> None:
    oak = practice(nurture)
    ann = contact(nurture, oak, "Ann Lee", "--credential", "M.D.")
    log(nurture, oak, "--contact", ann, "--value", "400", "--item", "dinner", "--at", "2025-05-02")
    result = nurture(
        "log", "--partner", oak, "--kind", "gift", "--contact", ann, "--value", "$119.01",
        "--item", "wine", "--at", "2025-06-01",
    )  # fmt: skip
    err = result.stderr
    assert "logged gift ($119.01) with Oak Family Medicine" in err
    assert (
        "warning [stark-yearly-limit]: Ann Lee (a physician) has had $400.00 in 2025; with "
        "this $119.01 that is $519.01 against the $519.00 yearly limit"
    ) in err
    assert f"recorded as overridden by {REP}" in err
    assert "`nurture compliance report` lists it" in err


def test_a_value_is_split_evenly_and_value_each_multiplies(nurture: Nurture) -> None:
    oak = practice(nurture)
    ids = [contact(nurture, oak, f"Dr {n}", "--credential", "do") for n in ("A", "B", "C")]
    picks = [arg for cid in ids for arg in ("--contact", cid)]
    split = log(nurture, oak, *picks, "--value", "100", "--item", "lunch", "--at", "2026-02-03")
    assert split["value"] == 100.0 and split["item"] == "lunch"
    each = log(nurture, oak, *picks, "--value-each", "20", "--at", "2026-02-04")
    assert each["value"] == 60.0, "three contacts at $20 each"
    built = recipients(report(nurture, 2026))
    shares = [built[f"Dr {n}"]["items"][0]["value"] for n in ("A", "B", "C")]
    assert shares == [33.34, 33.33, 33.33], "the odd cent to the first contact"
    assert [built[f"Dr {n}"]["items"][1]["value"] for n in ("A", "B", "C")] == [20.0] * 3
    assert built["Dr A"]["items"][0]["touch_value"] == 100.0
    assert built["Dr A"]["items"][0]["recipients"] == 3
    assert built["Dr A"]["total"] == 53.34 and built["Dr B"]["total"] == 53.33
    both = nurture("log", "--partner", oak, "--kind", "gift", "--value", "1", "--value-each", "1",
                   ok=False)  # fmt: skip
    assert both.returncode == 2 and "not allowed with argument" in both.stderr


def test_a_december_and_a_january_gift_count_in_different_years(nurture: Nurture) -> None:
    oak = practice(nurture)
    ann = contact(nurture, oak, "Ann Lee", "--credential", "md")
    december = log(nurture, oak, "--contact", ann, "--value", "500", "--at", "2025-12-31 23:30")
    january = log(nurture, oak, "--contact", ann, "--value", "500", "--at", "2026-01-01 00:15")
    assert "stark-yearly-limit" not in rules(december)
    assert "stark-yearly-limit" not in rules(january), "December's $500 is 2025's, not 2026's"
    assert rules(january)["stark-limit-near"]["figures"]["spent"] == 0.0
    third = log(nurture, oak, "--contact", ann, "--value", "40", "--at", "2026-01-02")
    assert rules(third)["stark-yearly-limit"]["figures"] == {
        "recipient": "Ann Lee",
        "year": 2026,
        "spent": 500.0,
        "this": 40.0,
        "total": 540.0,
        "limit": 535.0,
        "over_by": 5.0,
        "repay_by": "2026-07-01",  # 2 January + 180 days
    }
    assert recipients(report(nurture, 2025))["Ann Lee"]["total"] == 500.0
    assert recipients(report(nurture, 2026))["Ann Lee"]["total"] == 540.0


# ------------------------------------------------------------------ cash, timing


def test_a_gift_card_is_never_allowed_whoever_receives_it(nurture: Nurture) -> None:
    mercy = str(
        as_dict(nurture.json("partner", "add", "Mercy General", "--kind", "hospital"))["id"]
    )
    sam = contact(nurture, mercy, "Sam Ortiz", "--credential", "rn")
    logged = log(
        nurture, mercy, "--contact", sam, "--value", "25", "--item", "Amazon gift card",
        "--at", "2026-03-02",
    )  # fmt: skip
    cash = rules(logged)["cash-equivalent"]
    assert cash["severity"] == "warning" and cash["figures"] == {"matched": "gift card"}
    assert [o["rule"] for o in logged["overrides"]] == ["cash-equivalent"]


def test_a_gift_after_a_referral_names_its_date_never_the_participant(nurture: Nurture) -> None:
    oak = practice(nurture)
    ann = contact(nurture, oak, "Ann Lee", "--credential", "md")
    referral = as_dict(
        nurture.json("referral", "add", "--partner", oak, "--contact", ann, "--received",
                     "2026-09-01")
    )  # fmt: skip
    reference = referral["participant"]
    options = ("--contact", ann, "--value", "30", "--item", "cookies", "--at", "2026-10-31")
    text = nurture("log", "--partner", oak, "--kind", "gift", *options)
    assert "warning [gift-after-referral]: this comes 60 days after a referral" in text.stderr
    assert "(received 2026-09-01)" in text.stderr
    logged = log(nurture, oak, *options)
    after = rules(logged)["gift-after-referral"]
    assert after["figures"] == {"referral_received": "2026-09-01", "window_days": 60}
    outside = log(nurture, oak, "--contact", ann, "--value", "5", "--at", "2026-11-01")
    assert "gift-after-referral" not in rules(outside), "day 61 is outside the window"
    seen = [
        text.stdout,
        text.stderr,
        json.dumps(logged),
        nurture("compliance", "report", "--year", "2026").stdout,
        json.dumps(report(nurture, 2026)),
    ]
    assert all(reference not in output for output in seen)


# ------------------------------------------------------------------ the record


def test_the_override_record_shows_in_the_report(nurture: Nurture) -> None:
    oak = practice(nurture)
    ann = contact(nurture, oak, "Ann Lee", "--credential", "md")
    logged = log(nurture, oak, "--contact", ann, "--value", "600", "--item", "tickets",
                 "--at", "2026-04-10")  # fmt: skip
    warning = rules(logged)["stark-yearly-limit"]
    [kept] = logged["overrides"]
    assert (kept["rule"], kept["by"], kept["warning"]) == (
        "stark-yearly-limit",
        REP,
        warning["message"],
    )
    assert datetime.fromisoformat(kept["at"]).tzinfo is not None
    ann_year = recipients(report(nurture, 2026))["Ann Lee"]
    assert ann_year["overrides"] == [kept]
    assert (ann_year["total"], ann_year["limit"], ann_year["remaining"]) == (600.0, 535.0, 0.0)
    assert ann_year["over_by"] == 65.0
    text = nurture("compliance", "report", "--year", "2026").stdout
    assert f"overridden by {REP} on " in text and "OVER BY $65.00" in text
    shown = as_dict(nurture.json("touch", "show", logged["id"]))
    assert shown["overrides"] == [kept] and shown["value"] == 600.0


def test_touch_edit_rechecks_a_new_value_and_adds_only_fresh_overrides(nurture: Nurture) -> None:
    oak = practice(nurture)
    ann = contact(nurture, oak, "Ann Lee", "--credential", "md")
    logged = log(nurture, oak, "--contact", ann, "--value", "100", "--at", "2026-05-01")
    assert logged["overrides"] == []
    edited = nurture("touch", "edit", logged["id"], "--value", "560", "--item", "golf")
    assert "warning [stark-yearly-limit]" in edited.stderr
    assert "with this $560.00 that is $560.00" in edited.stderr, "its old $100 not counted"
    assert f"overridden by {REP}" in edited.stderr
    again = as_dict(nurture.json("touch", "edit", logged["id"], "--note", "thanks"))
    assert [o["rule"] for o in again["overrides"]] == ["stark-yearly-limit"]
    assert again["value"] == 560.0 and again["item"] == "golf"


def test_check_runs_every_check_and_saves_nothing(nurture: Nurture) -> None:
    oak = practice(nurture)
    ann = contact(nurture, oak, "Ann Lee", "--credential", "md")
    before = nurture("history", "--json").stdout
    result = nurture("log", "--partner", oak, "--kind", "gift", "--contact", ann,
                     "--value", "600", "--item", "gift card", "--check")  # fmt: skip
    assert "warning [stark-yearly-limit]" in result.stderr
    assert "warning [cash-equivalent]" in result.stderr
    assert "nothing was saved" in result.stderr and result.stdout == ""
    checked = as_dict(nurture.json("log", "--partner", oak, "--kind", "gift", "--contact", ann,
                                   "--value", "600", "--check"))  # fmt: skip
    assert checked["saved"] is False and "stark-yearly-limit" in rules(checked)
    assert nurture("history", "--json").stdout == before
    assert as_dict(nurture.json("partner", "show", oak))["touchpoints"] == []


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("-5", "cannot be negative"),
        ("1e9", "is not an amount"),
        ("abc", "is not an amount"),
        ("2000000", "is more than $100,000.00"),
    ],
)
def test_a_bad_amount_is_one_line_and_exit_1(nurture: Nurture, value: str, said: str) -> None:
    oak = practice(nurture)
    result = nurture("log", "--partner", oak, "--kind", "gift", "--value", value, ok=False)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and said in result.stderr
    assert as_dict(nurture.json("partner", "show", oak))["touchpoints"] == []


def test_value_each_times_the_contacts_past_the_ceiling_is_one_line(nurture: Nurture) -> None:
    oak = practice(nurture)
    a, b = (contact(nurture, oak, name) for name in ("Al", "Bea"))
    result = nurture("log", "--partner", oak, "--kind", "gift", "--contact", a, "--contact", b,
                     "--value-each", "60000", ok=False)  # fmt: skip
    assert result.returncode == 1 and result.stderr.count("\n") == 1
    assert "$60,000.00 each for 2 contacts is $120,000.00" in result.stderr


# ------------------------------------------------------------------ contacts


def test_contact_credential_and_an_inferred_physician_are_said(nurture: Nurture) -> None:
    oak = practice(nurture)
    added = nurture("contact", "add", "--partner", oak, "Bo Chan", "--npi", "1245319599")
    assert "note: Bo Chan is treated as a physician: an individual NPI at a physician" in (
        added.stderr
    )
    bo = added.stdout.strip()
    shown = as_dict(nurture.json("contact", "show", bo))
    assert (shown["physician"], shown["credential"], shown["npi"]) == (True, None, "1245319599")
    edited = as_dict(nurture.json("contact", "edit", bo, "--credential", "N.P."))
    assert (edited["credential"], edited["physician"], edited["physician_inferred"]) == (
        "np",
        False,
        None,
    )
    wrong = nurture("contact", "edit", bo, "--credential", "wizard", ok=False)
    assert wrong.returncode == 1 and wrong.stderr.count("\n") == 1
    assert "unknown credential 'wizard'" in wrong.stderr


# ------------------------------------------------------------------ limits and report


def test_compliance_limits_shows_the_table_and_a_config_copy_adds_a_year(
    nurture: Nurture, tmp_path: Path
) -> None:
    shipped = as_dict(nurture.json("compliance", "limits"))
    assert shipped["origin"] == "shipped" and shipped["problem"] is None
    years = {y["year"]: y for y in shipped["years"]}
    assert years[2025]["amount"] == 519.0 and years[2026]["amount"] == 535.0
    assert years[2026]["source"].startswith("https://www.cms.gov/")
    this_year = datetime.now(ZoneInfo("America/Chicago")).year
    assert shipped["current"]["year"] == this_year
    assert shipped["current"]["needs_update"] is (this_year not in years)
    text = nurture("compliance", "limits").stdout
    assert "  2026    $535.00  https://www.cms.gov/" in text
    assert f"{tmp_path / 'config' / 'compliance_limits.toml'}" in text and "To add a year" in text

    copy = tmp_path / "config" / "compliance_limits.toml"
    copy.write_text(
        '[years.2027]\namount = 550\nsource = "https://example.test/cpi-u-2027"\n',
        encoding="utf-8",
    )
    laid = as_dict(nurture.json("compliance", "limits"))
    assert laid["origin"] == "config-dir copy"
    assert {y["year"]: y["from"] for y in laid["years"]}[2027] == "config-dir copy"
    assert {y["year"]: y["from"] for y in laid["years"]}[2026] == "shipped"
    assert "(your copy)" in nurture("compliance", "limits").stdout
    in_2027 = report(nurture, 2027)["limit"]
    assert (in_2027["amount"], in_2027["needs_update"]) == (550.0, False)


def test_a_broken_config_copy_is_one_line_and_the_shipped_table_is_used(
    nurture: Nurture, tmp_path: Path
) -> None:
    (tmp_path / "config").mkdir(exist_ok=True)
    (tmp_path / "config" / "compliance_limits.toml").write_text("[years.2027\namount = ")
    result = nurture("compliance", "limits")
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("nurture: warning: ") and "using the shipped table" in (
        result.stderr
    )
    data = as_dict(nurture.json("compliance", "limits"))
    assert data["origin"] == "shipped" and "not valid TOML" in data["problem"]
    assert 2027 not in {y["year"] for y in data["years"]}


def test_a_year_missing_from_the_table_uses_the_latest_and_says_so(nurture: Nurture) -> None:
    text = nurture("compliance", "report", "--year", "9999")
    assert "no figure for 9999" in text.stdout and "the table needs updating" in text.stdout
    limit = report(nurture, 9999)["limit"]
    assert limit["needs_update"] is True and limit["from_year"] >= 2026
    bad = nurture("compliance", "report", "--year", "99999", ok=False)
    assert bad.returncode == 2 and "is not a year" in bad.stderr


def test_report_totals_match_a_hand_computed_scenario(nurture: Nurture, tmp_path: Path) -> None:
    """Ann (MD), Bo (RN), Cy (NP) at one practice; a $120 lunch for the three, a $200 gift
    to Ann, $55.50 each to Ann and Bo, a 2025 gift and a deleted one that do not count:
    Ann $40 + $200 + $55.50 = $295.50 of $535 (remaining $239.50), Bo $95.50, Cy $40."""
    oak = practice(nurture)
    ann = contact(nurture, oak, "Ann Lee", "--credential", "md")
    bo = contact(nurture, oak, "Bo Chan", "--credential", "rn")
    cy = contact(nurture, oak, "Cy Diaz", "--credential", "np")
    log(nurture, oak, "--contact", ann, "--contact", bo, "--contact", cy, "--value", "120",
        "--item", "lunch", "--at", "2026-02-10")  # fmt: skip
    log(nurture, oak, "--contact", ann, "--value", "200", "--item", "book", "--at", "2026-03-05")
    log(nurture, oak, "--contact", ann, "--contact", bo, "--value-each", "55.50",
        "--at", "2026-04-01")  # fmt: skip
    log(nurture, oak, "--contact", ann, "--value", "300", "--at", "2025-06-01")
    deleted = log(nurture, oak, "--contact", ann, "--value", "999", "--at", "2026-05-01")
    nurture("touch", "delete", deleted["id"])
    built = report(nurture, 2026, "--partner", "Oak Family")
    assert [r["recipient"] for r in built["recipients"]] == ["Ann Lee", "Bo Chan", "Cy Diaz"]
    ann_year, bo_year, cy_year = built["recipients"]
    assert [i["value"] for i in ann_year["items"]] == [40.0, 200.0, 55.5]
    assert (ann_year["total"], ann_year["limit"], ann_year["remaining"]) == (295.5, 535.0, 239.5)
    assert ann_year["over_by"] == 0.0 and ann_year["physician"] is True
    assert (bo_year["total"], bo_year["limit"], bo_year["remaining"]) == (95.5, None, None)
    assert (cy_year["total"], cy_year["physician"]) == (40.0, False)
    text = nurture("compliance", "report", "--year", "2026", "--partner", oak).stdout
    assert "Ann Lee, MD (Oak Family Medicine) — physician" in text
    assert "total $295.50 of $535.00 limit; remaining $239.50" in text
    assert "(1/3 of $120.00)" in text
    other = practice(nurture, "Elm Pediatrics")
    assert report(nurture, 2026, "--partner", other)["recipients"] == []


def test_the_report_csv_guards_formulas_and_is_never_overwritten_silently(
    nurture: Nurture, tmp_path: Path
) -> None:
    oak = practice(nurture)
    evil = contact(nurture, oak, '=HYPERLINK("http://x")', "--credential", "md")
    log(nurture, oak, "--contact", evil, "--value", "20", "--at", "2026-03-03")
    out = tmp_path / "compliance.csv"
    written = nurture("compliance", "report", "--year", "2026", "--csv", str(out))
    assert written.stdout.strip().endswith(f"to {out}")
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert rows and all(r["recipient"] == '\'=HYPERLINK("http://x")' for r in rows)
    assert rows[0]["value"] == "20.00" and rows[0]["limit"] == "535.00"
    again = nurture("compliance", "report", "--year", "2026", "--csv", str(out), ok=False)
    assert again.returncode == 1 and "already exists; use --force" in again.stderr
    forced = as_dict(nurture.json("compliance", "report", "--year", "2026", "--csv", str(out),
                                  "--force"))  # fmt: skip
    assert forced == {"path": str(out), "year": 2026, "recipients": 1}


@pytest.mark.parametrize("target", ["", "-"])
def test_csv_needs_a_file_name(nurture: Nurture, target: str) -> None:
    result = nurture("compliance", "report", "--year", "2026", "--csv", target, ok=False)
    assert result.returncode == 1 and "--csv takes a file name" in result.stderr
    assert result.stderr.count("\n") == 1


def test_touch_show_reads_as_text_with_each_override_on_its_line(nurture: Nurture) -> None:
    oak = practice(nurture)
    ann = contact(nurture, oak, "Ann Lee", "--credential", "md")
    touch = log(nurture, oak, "--contact", ann, "--value", "20", "--item", "Amazon gift card")
    shown = nurture("touch", "show", touch["id"]).stdout
    assert "contacts: Ann Lee\n" in shown and "['" not in shown and "{'" not in shown
    assert f"by {REP} [cash-equivalent]: " in shown
