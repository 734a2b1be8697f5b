"""``nurture team push``: a rep's local store moves into a real PostgreSQL team store.

The team store already holds part of the same agency (a colleague's partners): the push
must merge those by NPI, name and email domain, add the rest, append every touch and
referral pointed at the merged records, never add a synced event twice, and refuse to run
a second time for the same store. Expectations are built by hand from how the two stores
were made, not read back from the code under test.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from builders import touch
from nurture_tui import cli
from nurture_tui.domain.kinds import PartnerKind, TouchpointKind
from nurture_tui.domain.model import Contact, MeetingRep, Partner, Referral, Touchpoint
from nurture_tui.services.exchange import read_store
from nurture_tui.services.session import default_actor
from nurture_tui.store.opening import open_store
from nurture_tui.store.sql import SqlRepository
from pg_server import postgres_db_url, postgres_store_url, postgres_url  # noqa: F401

REP = "dana@sunrisecare.org"


@pytest.fixture
def team_env(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    postgres_store_url: str,  # noqa: F811
) -> Iterator[str]:
    config = tmp_path / "config"
    config.mkdir()
    (config / "config.toml").write_text(
        f'rep_name = "Dana"\nrep_email = "{REP}"\ntimezone = "America/Chicago"\n'
        "sync_every_minutes = 0\n"
    )
    monkeypatch.setenv("NURTURE_CONFIG_DIR", str(config))
    monkeypatch.setenv("NURTURE_STORE_URL", postgres_store_url)
    monkeypatch.setenv("NURTURE_HOME", str(tmp_path / "home"))
    yield postgres_store_url


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "inside Nurture" not in out + err
    return code, out, err


def _at(n: int) -> datetime:
    return datetime(2026, 1, 1, 15, tzinfo=UTC) + timedelta(hours=n)


def _team(url: str, tmp_path: Path) -> SqlRepository:
    return open_store(tmp_path / "team-cache", url=url, actor="colleague@sunrisecare.org")


# ----------------------------------------------------------------------------- small cases


def test_a_push_merges_by_npi_name_and_domain_and_appends_the_history(
    team_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    team = _team(team_env, tmp_path)
    team.save(
        Partner(id="tmercy", name="Mercy General", kind=PartnerKind.HOSPITAL, npi="1234567893"),
        Partner(
            id="thope",
            name="Hope Hospice",
            kind=PartnerKind.HOSPICE,
            domains=("hopehospice.org",),
            owner="colleague@sunrisecare.org",
        ),
        Partner(id="tcity", name="City Clinic", kind=PartnerKind.PHYSICIAN_PRACTICE),
        Contact(id="tann", partner_id="thope", name="Ann Lee", emails=("ann@hopehospice.org",)),
    )
    team.close()

    local = open_store(tmp_path / "laptop")
    local.save(
        # the same NPI, another spelling
        Partner(
            id="lmercy", name="Mercy General Hospital", kind=PartnerKind.HOSPITAL, npi="1234567893"
        ),
        # the same domain, a related name; a tag the team's lacks
        Partner(
            id="lhope",
            name="Hope Hospice of the Valley",
            kind=PartnerKind.HOSPICE,
            domains=("hopehospice.org",),
            tags=("north",),
        ),
        # the same name once case and legal words are set aside
        Partner(id="lcity", name="The City Clinic, Inc.", kind=PartnerKind.PHYSICIAN_PRACTICE),
        # new
        Partner(id="lnew", name="Oak Senior Living", kind=PartnerKind.COMMUNITY_ORG),
        # the same email as the team's Ann: one person, with a phone the team lacks
        Contact(
            id="lann",
            partner_id="lhope",
            name="Ann Lee RN",
            emails=("Ann@HopeHospice.org",),
            phone="555-0100",
        ),
        Contact(id="lbob", partner_id="lnew", name="Bob Stone", emails=("bob@oak.org",)),
        Touchpoint(
            id="t1",
            partner_id="lhope",
            kind=TouchpointKind.CALL,
            at=_at(1),
            contact_ids=("lann",),
        ),
        Touchpoint(id="t2", partner_id="lmercy", kind=TouchpointKind.CHECK_IN, at=_at(2)),
        Touchpoint(id="t3", partner_id="lnew", kind=TouchpointKind.EMAIL, at=_at(3)),
        Referral(
            id="r1",
            partner_id="lhope",
            received=date(2026, 2, 1),
            participant_ref="P-7K2Q9",
            contact_id="lann",
        ),
    )
    local.close()

    code, out, _ = run(capsys, "--json", "team", "push", "--from", str(tmp_path / "laptop"))
    assert code == 0
    report = json.loads(out)
    assert report["counts"]["partners"] == {"added": 1, "merged": 3, "already there": 0}
    assert report["counts"]["contacts"] == {"added": 1, "merged": 1, "already there": 0}
    assert report["counts"]["touchpoints"]["added"] == 3
    assert report["counts"]["referrals"]["added"] == 1
    by = {m["local_id"]: (m["team_id"], m["by"]) for m in report["merges"]}
    assert by == {
        "lmercy": ("tmercy", "npi"),
        "lhope": ("thope", "domain"),
        "lcity": ("tcity", "name"),
        "lann": ("tann", "email"),
    }

    team = _team(team_env, tmp_path)
    after = read_store(team)
    partners = {p.id: p for p in after.partners}
    assert set(partners) == {"tmercy", "thope", "tcity", "lnew"}
    assert partners["thope"].tags == ("north",)  # what only the laptop knew is added
    assert partners["thope"].owner == "colleague@sunrisecare.org"  # a colleague's stays
    assert partners["lnew"].owner == REP  # new partners belong to the rep who pushed
    ann = next(c for c in after.contacts if c.id == "tann")
    assert ann.name == "Ann Lee" and ann.phone == "555-0100"
    touches = {t.id: t for t in after.touchpoints}
    assert touches["t1"].partner_id == "thope" and touches["t1"].contact_ids == ("tann",)
    assert touches["t2"].partner_id == "tmercy"
    referral = next(r for r in after.referrals if r.id == "r1")
    assert (referral.partner_id, referral.contact_id) == ("thope", "tann")
    team.close()


def test_a_meeting_the_team_has_and_the_rep_had_too_names_both_after_a_push(
    team_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The colleague synced the lunch at Mercy (the team's partner); the laptop synced its
    own copy, keyed by the laptop's Mercy. Pushed, Mercy is merged, and so is the meeting:
    one touch, both reps on it. A meeting only the laptop had arrives naming the rep."""
    colleague = MeetingRep("colleague@sunrisecare.org", "cal:primary:c1")
    team = _team(team_env, tmp_path)
    mercy = Partner(id="tmercy", name="Mercy General", kind=PartnerKind.HOSPITAL, npi="1234567893")
    lunch = Touchpoint(
        id="tlunch",
        partner_id="tmercy",
        kind=TouchpointKind.MEETING,
        at=_at(1),
        source="google",
        external_id="uid:lunch@x#tmercy",
        reps=(colleague,),
    )
    team.save(mercy, lunch)
    team.close()
    local = open_store(tmp_path / "laptop")
    laptop_lunch = lunch._replace(
        id="llunch",
        partner_id="lmercy",
        external_id="uid:lunch@x#lmercy",
        reps=(MeetingRep("", "cal:primary:d9"),),
    )
    coffee = laptop_lunch._replace(
        id="lcoffee",
        at=_at(2),
        external_id="uid:coffee@x#lmercy",
        reps=(MeetingRep("", "cal:primary:d4"),),
    )
    local.save(replace(mercy, id="lmercy"), laptop_lunch, coffee)
    local.close()

    code, out, _ = run(capsys, "--json", "team", "push", "--from", str(tmp_path / "laptop"))
    assert code == 0
    assert json.loads(out)["counts"]["touchpoints"] == {"added": 1, "merged": 1, "already there": 0}
    team = _team(team_env, tmp_path)
    me = default_actor().casefold()  # who the push's CLI was, as the store records it
    shared, pushed = team.touchpoints("tmercy")
    assert shared.id == "tlunch"
    assert shared.reps == tuple(sorted([colleague, MeetingRep(me, "cal:primary:d9")]))
    assert (pushed.external_id, pushed.reps) == (
        "uid:coffee@x#tmercy",
        (MeetingRep(me, "cal:primary:d4"),),
    )
    team.close()


def test_a_second_push_of_the_same_store_is_refused_and_writes_nothing(
    team_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    local = open_store(tmp_path / "laptop")
    local.save(Partner(id="p1", name="Mercy", kind=PartnerKind.HOSPITAL))
    local.close()
    assert run(capsys, "team", "push", "--from", str(tmp_path / "laptop"))[0] == 0
    team = _team(team_env, tmp_path)
    revision = team.revision
    team.close()

    code, _, err = run(capsys, "team", "push", "--from", str(tmp_path / "laptop"))
    assert code == 1 and "already pushed" in err and len(err.strip().splitlines()) == 1

    # a copy of the store (its marker lost, say restored from a backup before the push)
    copy = open_store(tmp_path / "laptop")
    copy.put_state("pushed-to-team", None)
    copy.close()
    code, _, err = run(capsys, "team", "push", "--from", str(tmp_path / "laptop"))
    assert code == 1 and "already pushed into this team store" in err
    team = _team(team_env, tmp_path)
    assert team.revision == revision
    assert len(team.partners()) == 1
    team.close()


def test_undo_of_a_push_says_at_once_it_cannot_and_takes_nothing_back(
    team_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    local = open_store(tmp_path / "laptop")
    mercy = Partner(id="p1", name="Mercy", kind=PartnerKind.HOSPITAL)
    local.save(mercy, touch(mercy, "call", 3))
    local.close()
    assert run(capsys, "team", "push", "--from", str(tmp_path / "laptop"))[0] == 0
    team = _team(team_env, tmp_path)
    revision = team.revision
    team.close()
    code, _, err = run(capsys, "undo")
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert "moved a laptop store into the team store and can't be undone with u" in err
    team = _team(team_env, tmp_path)
    assert team.revision == revision and len(team.partners()) == 1
    assert team.touchpoint_count() == 1
    team.close()


def test_a_dry_run_reports_and_writes_nothing_anywhere(
    team_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    local = open_store(tmp_path / "laptop")
    local.save(Partner(id="p1", name="Mercy", kind=PartnerKind.HOSPITAL))
    local.close()
    before = (tmp_path / "laptop" / "nurture.db").read_bytes()
    code, out, _ = run(capsys, "team", "push", "--dry-run", "--from", str(tmp_path / "laptop"))
    assert code == 0 and "nothing was written" in out and "partners: 1 would add" in out
    team = _team(team_env, tmp_path)
    assert team.partners() == []
    team.close()
    assert (tmp_path / "laptop" / "nurture.db").read_bytes() == before
    assert run(capsys, "team", "push", "--from", str(tmp_path / "laptop"))[0] == 0


def test_no_store_at_the_folder_and_no_team_store_each_say_so_in_one_line(
    team_env: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, _, err = run(capsys, "team", "push", "--from", str(tmp_path / "nothing-here"))
    assert code == 1 and "there is no Nurture store" in err
    assert not (tmp_path / "nothing-here" / "nurture.db").exists()  # none made by asking
    monkeypatch.delenv("NURTURE_STORE_URL")
    code, out, _ = run(capsys, "--json", "team", "push", "--from", str(tmp_path))
    assert code == 1 and "store_url" in json.loads(out)["error"]["message"]


# ----------------------------------------------------------------------------- at scale


def test_a_store_of_1k_partners_and_50k_touches_merges_into_an_overlapping_agency(
    team_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """1,000 local partners with 50 touches each; the team holds 300 partners, of which
    100 share an NPI with local ones, 100 a name (spelt with "Inc."), and 100 are the
    team's own; 2,000 of the local touches are synced events the team already has."""
    team_partners = [
        Partner(id=f"tn{i:04d}", name=f"Team NPI {i}", kind=PartnerKind.HOSPITAL, npi=_npi(i))
        for i in range(100)
    ]
    team_partners += [
        Partner(id=f"tm{i:04d}", name=f"Shared Name {i}", kind=PartnerKind.HOSPICE)
        for i in range(100)
    ]
    team_partners += [
        Partner(id=f"to{i:04d}", name=f"Only Team {i}", kind=PartnerKind.OTHER) for i in range(100)
    ]
    synced = [
        Touchpoint(
            id=f"ts{i:05d}",
            partner_id=f"tn{i % 100:04d}",
            kind=TouchpointKind.MEETING,
            at=_at(i),
            source="google",
            external_id=f"evt-{i}",
        )
        for i in range(2_000)
    ]
    team = _team(team_env, tmp_path)
    team.save(*team_partners, *synced)
    team.close()

    local_partners = [
        Partner(id=f"ln{i:04d}", name=f"Laptop NPI {i}", kind=PartnerKind.HOSPITAL, npi=_npi(i))
        for i in range(100)
    ]
    local_partners += [
        Partner(id=f"lm{i:04d}", name=f"Shared Name {i}, Inc.", kind=PartnerKind.HOSPICE)
        for i in range(100)
    ]
    local_partners += [
        Partner(id=f"lo{i:04d}", name=f"Laptop Own {i}", kind=PartnerKind.HOSPITAL)
        for i in range(800)
    ]
    touches = []
    for n, partner in enumerate(local_partners):
        for k in range(50):
            i = n * 50 + k
            if partner.id.startswith("ln") and k < 20:  # 100 x 20 = the team's synced events
                j = int(partner.id[2:]) + 100 * k
                touches.append(
                    Touchpoint(
                        id=f"ls{j:05d}",
                        partner_id=partner.id,
                        kind=TouchpointKind.MEETING,
                        at=_at(j),
                        source="google",
                        external_id=f"evt-{j}",
                    )
                )
            else:
                touches.append(
                    Touchpoint(
                        id=f"lt{i:06d}", partner_id=partner.id, kind=TouchpointKind.CALL, at=_at(i)
                    )
                )
    local = open_store(tmp_path / "laptop")
    local.replace_all(local_partners, [], touches, [])
    local.close()

    code, out, _ = run(capsys, "--json", "team", "push", "--from", str(tmp_path / "laptop"))
    assert code == 0
    counts = json.loads(out)["counts"]
    assert counts["partners"] == {"added": 800, "merged": 200, "already there": 0}
    assert counts["touchpoints"] == {"added": 48_000, "merged": 0, "already there": 2_000}

    team = _team(team_env, tmp_path)
    assert len(team.partners()) == 300 + 800
    assert team.touchpoint_count() == 2_000 + 48_000
    merged = {t.partner_id for t in team.touchpoints("tn0007")}
    assert merged == {"tn0007"} and len(team.touchpoints("tn0007")) == 20 + 30
    assert len(team.touchpoints("tm0042")) == 50
    team.close()


def _npi(i: int) -> str:
    return f"1{i:09d}"


def test_the_laptop_s_own_partners_are_never_merged_into_each_other(
    team_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A hostile tester's find: two partners the rep kept apart on the laptop ("Mercy
    General" and "Mercy General Hospital") became one in an empty team store."""
    local = open_store(tmp_path / "laptop")
    local.save(
        Partner(id="a", name="Mercy General", kind=PartnerKind.HOSPITAL),
        Partner(id="b", name="Mercy General Hospital", kind=PartnerKind.HOSPITAL),
    )
    local.close()
    code, out, _ = run(capsys, "--json", "team", "push", "--from", str(tmp_path / "laptop"))
    assert code == 0
    assert json.loads(out)["counts"]["partners"] == {"added": 2, "merged": 0, "already there": 0}
