"""``nurture team report``: the manager's view per rep, on a real PostgreSQL team store.

The boss (admin), Ann and Ben. Ann works Ann Hospice, Ben works Ben Clinic, nobody owns
Nobody SNF. Each rep does things as their own database role; the expected figures are
counted by hand from what each did, and the overdue actions are checked against what
`nurture next --everyone` says of each rep's partners (the report and `next` must agree).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from team_helpers import ANN, BEN, BOSS, Result, TeamDatabase, one_line_error, seed_team

pytest_plugins = ["team_helpers"]

Run = Callable[..., Result]


@pytest.fixture
def team(
    team_db: TeamDatabase,
    memory_keyring: object,
    nurture: Run,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[tuple[Run, Callable[[str], Any]]]:
    urls = seed_team(nurture, team_db, monkeypatch)

    @contextmanager
    def as_rep(email: str) -> Iterator[None]:
        with monkeypatch.context() as patch:
            patch.setenv("NURTURE_STORE_URL", urls[email])
            yield

    yield nurture, as_rep


def _id(result: Result) -> str:
    return str(json.loads(result.out)["id"])


def test_the_report_counts_each_rep_s_own_work(team: tuple[Run, Any]) -> None:
    run, as_rep = team
    with as_rep(ANN):
        hospice = _id(
            run(
                "partner", "add", "Ann Hospice", "--kind", "hospice", "--stage", "engaged", "--json"
            )
        )
        quiet_ann = _id(
            run(
                "partner",
                "add",
                "Ann Quiet SNF",
                "--kind",
                "skilled-nursing",
                "--stage",
                "referring",
                "--json",
            )
        )
        run("log", "--partner", quiet_ann, "--kind", "call", "--at", "2026-01-05 10:00")
        for kind in ("call", "call", "email"):
            run("log", "--partner", hospice, "--kind", kind)
        run(
            "log",
            "--partner",
            hospice,
            "--kind",
            "gift",
            "--value",
            "25",
            "--item",
            "coffee gift card",
        )  # a cash equivalent: saved through, recorded against Ann
        run("referral", "add", "--partner", hospice, "--received", "today")
    with as_rep(BEN):
        clinic = _id(
            run(
                "partner",
                "add",
                "Ben Clinic",
                "--kind",
                "physician-practice",
                "--stage",
                "engaged",
                "--json",
            )
        )
        run("log", "--partner", hospice, "--kind", "meeting")  # Ben's touch on Ann's partner
    with as_rep(BOSS):
        run("partner", "add", "Nobody SNF", "--kind", "skilled-nursing", "--owner", "")
        report = json.loads(run("team", "report", "--json").out)
        everyone = json.loads(run("next", "--everyone", "--json").out)

    reps = {r["rep"]: r for r in report["reps"]}
    assert set(reps) == {ANN, BEN, BOSS}
    ann, ben = reps[ANN], reps[BEN]
    assert ann["partners"] == 2 and ben["partners"] == 1 and reps[BOSS]["partners"] == 0
    assert ann["touches_by_kind"] == {"call": 2, "email": 1, "gift": 1}  # Jan's call: before
    assert ann["touches"] == 4
    assert ben["touches_by_kind"] == {"meeting": 1}  # who logged it, not whose partner
    assert ann["referrals"] == 1 and ben["referrals"] == 0
    assert ann["going_quiet"] == ["Ann Quiet SNF"]  # referring, no touch since January
    assert ben["going_quiet"] == ["Ben Clinic"]  # engaged, never touched
    assert ann["overrides"] >= 1 and ben["overrides"] == 0
    assert report["unassigned_partners"] == 1
    actions = everyone if isinstance(everyone, list) else everyone["actions"]
    owned = {hospice: ANN, quiet_ann: ANN, clinic: BEN}
    for rep in (ANN, BEN):
        expected = sum(1 for a in actions if a["overdue"] and owned.get(a["partner_id"]) == rep)
        assert reps[rep]["overdue_actions"] == expected
    assert reps[ANN]["overdue_actions"] >= 1  # the quiet SNF's check-in is long overdue


def test_since_a_date_and_bad_input_each_in_one_line(team: tuple[Run, Any]) -> None:
    run, as_rep = team
    with as_rep(BOSS):
        text = run("team", "report", "--since", "2026-01-01").out
        assert "since Thu 01 Jan 2026" in text and "REP" in text
        one_line_error(run("team", "report", "--since", "soon-ish", ok=False), "--since")
        one_line_error(run("team", "report", "--since", "9999-12-31", ok=False), "after today")


def test_on_a_laptop_store_the_report_says_what_it_needs(
    nurture: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.delenv("NURTURE_STORE_URL", raising=False)
    monkeypatch.setenv("NURTURE_HOME", str(tmp_path))
    one_line_error(nurture("team", "report", ok=False), "team store")
