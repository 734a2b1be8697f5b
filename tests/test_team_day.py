"""Each rep's day on a real PostgreSQL team store: owners are reps, a rep's `today` and
`next` are their own partners (`--everyone`: all), `partner list --owner` filters, only an
admin reassigns a colleague's partner, and an owner must be a rep. SQLite is unchanged.

Three reps: the boss (admin, who set the team up), Ann and Ben; partners owned by Ann, by
Ben and by nobody. The CLI runs in-process as each rep in turn (``NURTURE_STORE_URL`` names
their role; their password is in the suite's in-memory keyring).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest

from team_helpers import ANN, BEN, BOSS, Result, TeamDatabase, one_line_error, seed_team

pytest_plugins = ["team_helpers"]

Run = Callable[..., Result]


class Agency:
    """The team: who is connected (``as_rep``), and the three partners' ids."""

    def __init__(self, run: Run, db: TeamDatabase, monkeypatch: pytest.MonkeyPatch) -> None:
        self.run, self.db, self.monkeypatch = run, db, monkeypatch
        self.urls = seed_team(run, db, monkeypatch)
        self.ids = {
            name: self.add(name, owner)
            for name, owner in (("Ann Hospice", ANN), ("Ben Clinic", BEN), ("Nobody SNF", ""))
        }

    def add(self, name: str, owner: str | None) -> str:
        extra = ["--owner", owner] if owner is not None else []
        out = self.run("partner", "add", name, "--kind", "hospice", *extra, "--json").out
        return str(json.loads(out)["id"])

    def as_rep(self, email: str) -> AbstractContextManager[None]:
        @contextmanager
        def connected() -> Any:
            with self.monkeypatch.context() as patch:
                patch.setenv("NURTURE_STORE_URL", self.urls[email])
                yield

        return connected()

    def json(self, *argv: str, ok: bool = True) -> Any:
        return json.loads(self.run(*argv, "--json", ok=ok).out)

    def names(self, partner_ids: list[str]) -> set[str]:
        by_id = {v: k for k, v in self.ids.items()}
        return {by_id.get(pid, pid) for pid in partner_ids}


@pytest.fixture
def agency(
    team_db: TeamDatabase,
    memory_keyring: object,
    nurture: Run,
    monkeypatch: pytest.MonkeyPatch,
) -> Agency:
    return Agency(nurture, team_db, monkeypatch)


def test_a_reps_today_and_next_are_their_own_partners_and_everyone_shows_all(
    agency: Agency,
) -> None:
    with agency.as_rep(ANN):
        plan = agency.json("today")
        assert plan["view"] == "mine" and plan["owner"] == ANN
        assert agency.names([a["partner_id"] for a in plan["actions"]]) == {"Ann Hospice"}
        assert {a["owner"] for a in plan["actions"]} == {ANN}
        actions = agency.json("next")
        assert actions and agency.names([a["partner_id"] for a in actions]) == {"Ann Hospice"}
        everyone = agency.json("next", "--everyone")
        assert agency.names([a["partner_id"] for a in everyone]) == set(agency.ids)
        owners = {agency.names([a["partner_id"]]).pop(): a["owner"] for a in everyone}
        assert owners == {"Ann Hospice": ANN, "Ben Clinic": BEN, "Nobody SNF": None}
        all_plan = agency.json("today", "--everyone")
        assert all_plan["view"] == "everyone" and all_plan["owner"] is None
        assert agency.names([a["partner_id"] for a in all_plan["actions"]]) == set(agency.ids)
        text = agency.run("today").out
        assert f"Today's plan for {ANN}'s partners" in text and "Ben Clinic" not in text
    with agency.as_rep(BEN):
        assert agency.names([a["partner_id"] for a in agency.json("next")]) == {"Ben Clinic"}
        # Another partner's actions are one --partner away, whoever owns it.
        ann = agency.json("next", "--partner", agency.ids["Ann Hospice"])
        assert ann and {a["owner"] for a in ann} == {ANN}


def test_partner_list_is_everyones_and_owner_filters(agency: Agency) -> None:
    with agency.as_rep(ANN):
        every = agency.json("partner", "list")
        assert {p["name"] for p in every} == set(agency.ids)
        assert [p["name"] for p in agency.json("partner", "list", "--owner", "me")] == [
            "Ann Hospice"
        ]
        assert [p["name"] for p in agency.json("partner", "list", "--owner", "BEN@agency.org")] == [
            "Ben Clinic"
        ]
        assert [p["name"] for p in agency.json("partner", "list", "--owner", "unassigned")] == [
            "Nobody SNF"
        ]
        text = agency.run("partner", "list").out
        assert "OWNER" in text and "unassigned" in text and BEN in text


def test_only_an_admin_reassigns_a_colleagues_partner(agency: Agency) -> None:
    ann_partner, nobody = agency.ids["Ann Hospice"], agency.ids["Nobody SNF"]
    with agency.as_rep(BEN):
        refused = agency.run("partner", "edit", ann_partner, "--owner", BEN, ok=False)
        one_line_error(refused, "Ann Hospice belongs to ann@agency.org", "only an admin")
        as_json = agency.json("partner", "edit", ann_partner, "--owner", "", ok=False)
        assert as_json["error"]["code"] == "not-allowed"
        # A rep may take an unassigned partner, and hand their own back, but not give it on.
        assert agency.json("partner", "edit", nobody, "--owner", "me")["owner"] == BEN
        given = agency.run("partner", "edit", nobody, "--owner", ANN, ok=False)
        one_line_error(given, "giving Nobody SNF to ann@agency.org is a reassignment")
        assert agency.json("partner", "edit", nobody, "--owner", "")["owner"] is None
        # Editing anything else of a colleague's partner is not a reassignment.
        assert agency.json("partner", "edit", ann_partner, "--tier", "A")["owner"] == ANN
    with agency.as_rep(ANN):
        assert agency.json("partner", "show", ann_partner)["owner"] == ANN
    with agency.as_rep(BOSS):
        moved = agency.json("partner", "edit", ann_partner, "--owner", "Ben@Agency.org")
        assert moved["owner"] == BEN
    with agency.as_rep(ANN):
        assert agency.json("partner", "list", "--owner", "me") == []
        assert "Nothing to do for your partners" in agency.run("today").out


def test_an_owner_must_be_a_rep(agency: Agency) -> None:
    with agency.as_rep(BOSS):
        for owner in ("eve@agency.org", "alex"):
            refused = agency.run(
                "partner", "edit", agency.ids["Ben Clinic"], "--owner", owner, ok=False
            )
            one_line_error(refused, "is not a rep of this team", "`nurture team reps`")
            added = agency.run(
                "partner", "add", "X", "--kind", "hospital", "--owner", owner, ok=False
            )
            one_line_error(added, "is not a rep of this team")
    with agency.as_rep(ANN):
        # A partner a rep adds is theirs unless they say otherwise.
        mine = agency.add("Ann's New Clinic", None)
        assert agency.json("partner", "show", mine)["owner"] == ANN


def test_a_removed_reps_partners_are_unassigned(agency: Agency) -> None:
    with agency.as_rep(BOSS):
        agency.run("team", "remove-rep", BEN)
        unassigned = agency.json("partner", "list", "--owner", "unassigned")
        assert {p["name"] for p in unassigned} == {"Ben Clinic", "Nobody SNF"}
    with agency.as_rep(ANN):
        taken = agency.json("partner", "edit", agency.ids["Ben Clinic"], "--owner", "me")
        assert taken["owner"] == ANN


def test_sqlite_keeps_free_text_owners_and_every_partner(nurture: Run) -> None:
    run = nurture
    run("config", "set", "rep_email", "alex@agency.org")
    for name, owner in (("Mercy", "alex"), ("Hope", "jordan"), ("Grace", "")):
        run("partner", "add", name, "--kind", "hospice", "--owner", owner)
    everyone = json.loads(run("next", "--json").out)
    assert {a["partner"] for a in everyone} == {"Mercy", "Hope", "Grace"}
    plan = json.loads(run("today", "--json").out)
    assert "view" not in plan and plan["owner"] == "alex"
    assert {a["partner"] for a in plan["actions"]} == {"Mercy"}
    listed = json.loads(run("partner", "list", "--owner", "jordan", "--json").out)
    assert [p["name"] for p in listed] == ["Hope"]
    mine = json.loads(run("partner", "list", "--owner", "me", "--json").out)
    assert [p["name"] for p in mine] == ["Mercy"]
    text = run("partner", "list").out
    assert "OWNER" not in text
    edited = json.loads(run("partner", "list", "--json").out)
    hope = next(p for p in edited if p["name"] == "Hope")
    changed = json.loads(run("partner", "edit", hope["id"], "--owner", "casey", "--json").out)
    assert changed["owner"] == "casey"


def test_a_csv_import_gives_partners_to_reps_and_leaves_a_stranger_s_unassigned(
    agency: Agency, tmp_path: Path
) -> None:
    sheet = tmp_path / "partners.csv"
    sheet.write_text(
        "Partner,Kind,Owner\n"
        f"Mercy General,hospital,{ANN.upper()}\n"
        "Hope Home Health,home-health,Jordan Smith\n"
        "Grace SNF,snf,\n"
    )
    with agency.as_rep(BEN):
        done = agency.run("import", "csv", str(sheet))
        assert "owner 'Jordan Smith' is no rep of this team" in done.out + done.err
        listed = {p["name"]: p["owner"] for p in agency.json("partner", "list")}
    assert listed["Mercy General"] == ANN
    assert listed["Hope Home Health"] is None and listed["Grace SNF"] is None
