"""Who did what: every record says who created and last changed it, and undo is per rep.

Two reps' roles on one real PostgreSQL database (two repositories, two actors, as two
laptops would be); the owner (the first admin) sets the team up through the CLI. The
laptop's SQLite store keeps its single-rep undo and gains only the columns.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from builders import contact, partner, referral, touch
from nurture_tui.domain.changes import NothingToUndoError
from nurture_tui.domain.errors import EditConflict
from nurture_tui.domain.kinds import Tier
from nurture_tui.services import exchange
from nurture_tui.services.session import Session
from nurture_tui.store.migrate import HEAD
from nurture_tui.store.opening import open_store
from nurture_tui.store.sql import SqlRepository
from pg_server import postgres_url
from team_helpers import TeamDatabase, add_rep, memory_keyring, nurture, set_up, team_db

__all__ = ["memory_keyring", "nurture", "postgres_url", "team_db"]

ANN, BOB = "ann@agency.org", "bob@agency.org"


@dataclass(frozen=True)
class Team:
    db: TeamDatabase
    ann: SqlRepository
    bob: SqlRepository
    logins: dict[str, tuple[str, str]]  # email -> (role, password)


@pytest.fixture
def team(
    team_db: TeamDatabase,
    memory_keyring: object,
    nurture: object,
    tmp_path: Path,
) -> Iterator[Team]:
    set_up(nurture, team_db)
    logins = {}
    for email in (ANN, BOB):
        added = add_rep(nurture, email)
        logins[email] = (str(added["role"]), str(added["password"]))
    ann = open_store(tmp_path / "ann", url=team_db.url(*logins[ANN]))
    bob = open_store(tmp_path / "bob", url=team_db.url(*logins[BOB]))
    yield Team(team_db, ann, bob, logins)
    ann.close()
    bob.close()


def test_each_rep_s_save_is_attributed_to_them(team: Team) -> None:
    assert (team.ann.actor, team.bob.actor) == (ANN, BOB)
    p = partner()
    t = touch(p, "call", 2)
    team.ann.save(p, t, contact(p), referral(p, 3))
    stored = team.bob.partner(p.id)
    assert (stored.created_by, stored.changed_by) == (ANN, ANN)
    assert (team.bob.touchpoint(t.id).created_by, team.bob.touchpoint(t.id).changed_by) == (
        ANN,
        ANN,
    )
    assert {(c.created_by, c.changed_by) for c in team.bob.contacts(p.id)} == {(ANN, ANN)}
    assert {(r.created_by, r.changed_by) for r in team.bob.referrals(p.id)} == {(ANN, ANN)}

    team.bob.save(replace(stored, notes="met the new director"))
    edited = team.ann.partner(p.id)
    assert (edited.created_by, edited.changed_by) == (ANN, BOB)
    # Logging a touch moves the partner's history, not the partner: still Bob's change.
    team.ann.save(touch(p, "meeting", 1))
    assert team.bob.partner(p.id).changed_by == BOB
    # Saving it again unchanged is no change: nobody new is named.
    team.ann.save(team.ann.partner(p.id))
    assert team.bob.partner(p.id).changed_by == BOB
    # The board's bulk read carries it too.
    [history] = team.bob.histories([p.id])
    assert [x.created_by for x in history.touchpoints] == [ANN, ANN]


def test_a_colleague_s_undo_never_takes_back_your_change(team: Team) -> None:
    p = partner()
    t = touch(p, "call", 2)
    team.ann.save(p, t, summary="Logged a call with Mercy")

    with pytest.raises(NothingToUndoError, match="nothing of yours to undo") as refused:
        team.bob.undo()
    assert ANN in str(refused.value) and "Logged a call with Mercy" in str(refused.value)
    assert team.ann.touchpoint(t.id) == t

    # Bob's own change is his to undo; Ann's later change to other records is untouched.
    mine = touch(p, "email", 1)
    team.bob.save(mine, summary="Emailed Mercy")
    later = touch(p, "meeting", 0)
    team.ann.save(later, summary="Visited Mercy")
    undone, change = team.bob.undo()
    assert undone.summary == "Emailed Mercy" and undone.actor == BOB and change.actor == BOB
    assert {x.id for x in team.ann.touchpoints(p.id)} == {t.id, later.id}
    # Again: redo his own undo, still leaving Ann's work alone.
    _, redone = team.bob.undo()
    assert redone.summary == "Redid: Emailed Mercy"
    assert {x.id for x in team.ann.touchpoints(p.id)} == {t.id, mine.id, later.id}

    # A change a colleague wrote over since is refused, naming who and what.
    team.bob.save(team.bob.touchpoint(t.id)._replace(note="Bob's note"), summary="Bob's note")
    team.ann.save(team.ann.touchpoint(t.id)._replace(note="Ann's note"), summary="Ann's note")
    with pytest.raises(NothingToUndoError, match=f"{ANN} has changed the same records since"):
        team.bob.undo()
    assert team.ann.touchpoint(t.id).note == "Ann's note"
    # Ann's undo takes back her own change, exactly.
    assert team.ann.undo()[0].summary == "Ann's note"
    assert team.bob.touchpoint(t.id).note == "Bob's note"

    assert [c.actor for c in team.ann.changes(actor=ANN)] == [ANN] * len(
        team.ann.changes(actor=ANN)
    )
    assert {c.actor for c in team.ann.changes()} == {ANN, BOB}


def test_attribution_cannot_be_forged_through_the_api(team: Team) -> None:
    p = replace(partner(), created_by=BOB, changed_by=BOB)
    t = touch(p, "call", 2)._replace(created_by=BOB, changed_by=BOB)
    team.ann.save(p, t)
    assert (team.bob.partner(p.id).created_by, team.bob.partner(p.id).changed_by) == (ANN, ANN)
    assert team.bob.touchpoint(t.id).created_by == ANN
    # Bob edits Ann's partner claiming to have created it: the creator stays Ann.
    team.bob.save(replace(team.bob.partner(p.id), notes="x", created_by=BOB, changed_by=ANN))
    assert (team.ann.partner(p.id).created_by, team.ann.partner(p.id).changed_by) == (ANN, BOB)


def test_attribution_cannot_be_forged_by_hand_written_sql(team: Team) -> None:
    role, password = team.logins[BOB]
    with team.db.connect(role, password) as c:
        c.execute(
            "INSERT INTO partners (id, name, kind, tier, stage, domains, tags, social_pages, "
            "notes, archived, created_by, changed_by) VALUES ('psql1', 'By hand', 'hospital', "
            "'B', 'prospect', '[]', '[]', '[]', '', false, %s, %s)",
            (ANN, ANN),
        )
        # A temporary table named like the reps' list does not stand in for it.
        c.execute("CREATE TEMP TABLE reps (email text, role text, removed_at text)")
        c.execute("INSERT INTO reps VALUES (%s, current_user, NULL)", (ANN,))
        c.execute(
            "UPDATE partners SET notes = 'edited', created_by = %s WHERE id = 'psql1'", (ANN,)
        )
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            c.execute("ALTER TABLE partners DISABLE TRIGGER partners_attribute_rep")
    by_hand = team.ann.partner("psql1")
    assert (by_hand.created_by, by_hand.changed_by) == (BOB, BOB)


def test_a_hand_written_update_moves_the_version_a_form_checks(team: Team) -> None:
    """A rep's SQL client cannot slip a change past an open form: the trigger of 0008
    moves the version on any change to what a partner says, and never back."""
    p = partner()
    team.ann.save(p)
    opened = team.ann.partner(p.id)
    role, password = team.logins[BOB]
    with team.db.connect(role, password) as c:
        c.execute("UPDATE partners SET history_rev = history_rev + 1 WHERE id = %s", (p.id,))
        c.execute("UPDATE partners SET notes = 'by hand', version = 0 WHERE id = %s", (p.id,))
    after = team.ann.partner(p.id)
    assert (opened.version, after.version, after.notes) == (1, 2, "by hand")
    with pytest.raises(EditConflict):
        team.ann.save(replace(opened, tier=Tier.A), expected_versions={p.id: opened.version})
    assert team.ann.partner(p.id).tier is opened.tier


def test_the_cli_names_who_and_history_mine(
    team: Team, nurture: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = nurture  # type: ignore[assignment]
    team.bob.save(partner(), summary="Bob's partner")
    run("partner", "add", "Mercy Hospital", "--kind", "hospital")  # type: ignore[operator]
    everyone = json.loads(run("history", "--json").out)  # type: ignore[operator]
    assert {c["actor"] for c in everyone} == {"boss@agency.org", BOB}
    mine = json.loads(run("history", "--mine", "--json").out)  # type: ignore[operator]
    assert {c["actor"] for c in mine} == {"boss@agency.org"}
    listed = json.loads(run("partner", "list", "--json").out)  # type: ignore[operator]
    assert {(p["name"], p["created_by"]) for p in listed} >= {("Mercy Hospital", "boss@agency.org")}
    # The owner's undo takes back the owner's partner, never Bob's; again: redoes it.
    said = run("undo").out  # type: ignore[operator]
    assert said.startswith("Undid: ") and "Mercy Hospital" in said, said
    assert {p.name for p in team.ann.partners()} == {"Mercy General"}
    again = run("undo").out  # type: ignore[operator]
    assert again.startswith("Redid: ") and "Mercy Hospital" in again, again
    assert {p.name for p in team.ann.partners()} == {"Mercy General", "Mercy Hospital"}


def test_0006_to_0007_on_a_team_store_with_data(
    team_db: TeamDatabase, memory_keyring: object, nurture: object, tmp_path: Path
) -> None:
    run = nurture  # type: ignore[assignment]
    set_up(nurture, team_db)
    run("partner", "add", "Mercy Hospital", "--kind", "hospital")  # type: ignore[operator]
    engine = create_engine(
        make_url(team_db.url(password=team_db.password)).set(drivername="postgresql+psycopg")
    )
    with engine.begin() as c:  # the store as 0006 left it, with its partner
        c.execute(text("DROP FUNCTION nurture_move_version() CASCADE"))  # (0008)
        c.execute(text("ALTER TABLE partners DROP COLUMN version"))
        c.execute(text("ALTER TABLE contacts DROP COLUMN version"))
        c.execute(text("ALTER TABLE touchpoints DROP COLUMN reps"))  # (0009)
        c.execute(text("DROP FUNCTION nurture_attribute_rep() CASCADE"))
        for table in ("partners", "contacts", "touchpoints", "referrals"):
            c.execute(text(f"ALTER TABLE {table} DROP COLUMN created_by, DROP COLUMN changed_by"))
        c.execute(text("UPDATE alembic_version SET version_num = '0006'"))
    run("team", "init")  # type: ignore[operator]  # (an admin upgrades a team's schema)
    with engine.connect() as c:
        assert c.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD
    engine.dispose()
    shown = json.loads(run("partner", "list", "--json").out)  # type: ignore[operator]
    assert [(p["name"], p["created_by"]) for p in shown] == [("Mercy Hospital", None)]
    added = add_rep(nurture, ANN)
    ann = open_store(tmp_path / "ann", url=team_db.url(str(added["role"]), str(added["password"])))
    [old] = ann.partners()
    ann.save(replace(old, notes="hello"))
    assert (ann.partner(old.id).created_by, ann.partner(old.id).changed_by) == ("", ANN)
    ann.close()


# ----------------------------------------------------------------- the laptop's own store


def test_sqlite_stamps_the_local_rep_and_keeps_its_single_rep_undo(tmp_path: Path) -> None:
    mine = open_store(tmp_path, actor="pat@laptop")
    assert not mine.shared
    p = partner()
    mine.save(p, summary="Added Mercy")
    assert (mine.partner(p.id).created_by, mine.partner(p.id).changed_by) == (
        "pat@laptop",
        "pat@laptop",
    )
    # The same rep after the laptop was renamed: the store's latest change is still theirs.
    renamed = open_store(tmp_path, actor="pat@new-laptop")
    renamed.save(touch(p, "call", 1), summary="Called Mercy")
    assert mine.undo()[0].summary == "Called Mercy"
    assert mine.undo()[0].summary == "Undid: Called Mercy"
    renamed.close()
    mine.close()


def test_0006_to_0007_on_a_laptop_store_with_data(tmp_path: Path) -> None:
    repo = open_store(tmp_path)
    p = partner()
    t = touch(p, "call", 3)
    repo.save(p, t, contact(p), referral(p, 2))
    repo.close()
    db = sqlite3.connect(tmp_path / "nurture.db")
    for table in ("partners", "contacts", "touchpoints", "referrals"):
        for column in ("created_by", "changed_by"):
            db.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    for table in ("partners", "contacts"):  # (0008)
        db.execute(f"ALTER TABLE {table} DROP COLUMN version")
    db.execute("ALTER TABLE touchpoints DROP COLUMN reps")  # (0009)
    db.execute("UPDATE alembic_version SET version_num = '0006'")
    db.commit()
    db.close()
    reopened = open_store(tmp_path, actor="pat@laptop")
    assert reopened.touchpoint(t.id) == t
    assert reopened.touchpoint(t.id).created_by == "" == reopened.partner(p.id).changed_by
    reopened.save(replace(reopened.partner(p.id), notes="now"))
    assert (reopened.partner(p.id).created_by, reopened.partner(p.id).changed_by) == (
        "",
        "pat@laptop",
    )
    reopened.close()


def test_export_and_import_keep_who_did_what(tmp_path: Path) -> None:
    source = Session(open_store(tmp_path / "a", actor="ann@agency.org"))
    p = partner()
    t = touch(p, "call", 3)
    source.repo.save(p, t, contact(p), referral(p, 2))
    other = open_store(tmp_path / "a", actor="bob@agency.org")
    other.save(replace(other.partner(p.id), notes="Bob was here"))
    other.close()
    out = tmp_path / "export.json"
    exchange.export_tinydb(source, out, with_participant_refs=True)
    target = Session(open_store(tmp_path / "b", actor="carol@agency.org"))
    exchange.import_tinydb(target, out)
    before, after = exchange.read_store(source.repo), exchange.read_store(target.repo)
    assert after == before
    attribution = [
        (x.created_by, x.changed_by)
        for x in (*after.partners, *after.contacts, *after.touchpoints, *after.referrals)
    ]
    assert attribution == [
        (x.created_by, x.changed_by)
        for x in (*before.partners, *before.contacts, *before.touchpoints, *before.referrals)
    ]
    assert (after.partners[0].created_by, after.partners[0].changed_by) == (ANN, BOB)
    assert after.touchpoints[0].created_by == ANN
    source.repo.close()
    target.repo.close()
