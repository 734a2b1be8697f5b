"""Every path that writes a partner, contact, touch or referral it read earlier keeps a
colleague's save made in between (found by a hostile tester of issue 15's "nobody
overwrites anybody"). Each race is made certain: the colleague's write runs between the
code's read and its write (``race_before_save``), on real SQLite and PostgreSQL stores."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from nurture_tui.config import Settings
from nurture_tui.domain.kinds import PartnerKind, ReferralStatus, Tier, TouchpointKind
from nurture_tui.domain.model import Partner
from nurture_tui.services import csv_import, entries, exchange, records, team_push
from nurture_tui.services.meanwhile import ChangedMeanwhile
from nurture_tui.services.session import Session
from nurture_tui.store.opening import open_store
from pg_server import postgres_db_url, postgres_store_url, postgres_url  # noqa: F401

MEETING_AT = datetime(2026, 11, 20, 15, tzinfo=UTC)


def session(directory: Path, actor: str) -> Session:
    return Session(repo=open_store(directory, actor=actor))


def race_before_save(s: Session, colleague: Callable[[], object]) -> None:
    """The next save through ``s`` first lets a colleague write: the window between the
    code's read and its write, made certain."""
    real = s.repo.save
    fired: list[bool] = []

    def save(*records_: Any, **options: Any) -> None:
        if not fired:
            fired.append(True)
            colleague()
        real(*records_, **options)

    s.repo.save = save  # type: ignore[method-assign]


def test_logging_an_in_person_touch_keeps_a_colleague_s_edit_of_its_contact(
    tmp_path: Path,
) -> None:
    me, ben = session(tmp_path, "ann"), session(tmp_path, "ben")
    p = records.add_partner(me, "Mercy General", "hospital")
    c = records.add_contact(me, p.id, "Nora Baker", role="Case Manager")
    race_before_save(me, lambda: records.edit_contact(ben, c.id, role="Director", phone="555"))
    draft = records.TouchpointDraft(
        partner_id=p.id,
        kind=TouchpointKind.MEETING,
        at=MEETING_AT,
        contact_ids=(c.id,),
        purpose="lunch",
    )
    records.save_touchpoint(me, draft)
    stored = ben.repo.contact(c.id)
    assert (stored.met_in_person, stored.role, stored.phone) == (True, "Director", "555")
    assert len(me.repo.touchpoints(p.id)) == 1


def test_a_csv_import_merging_into_a_partner_keeps_a_colleague_s_edit(tmp_path: Path) -> None:
    me, ben = session(tmp_path, "ann"), session(tmp_path, "ben")
    p = records.add_partner(me, "Mercy General", "hospital", tier="B", notes="old")
    sheet = tmp_path / "in.csv"
    sheet.write_text("partner,kind,tags\nMercy General,hospital,vip\n")
    race_before_save(me, lambda: records.edit_partner(ben, p.id, tier="A", notes="Ben's note"))
    csv_import.import_csv(me, sheet)
    stored = ben.repo.partner(p.id)
    assert (stored.tier, stored.notes, stored.tags) == (Tier.A, "Ben's note", ("vip",))
    assert len(ben.repo.partners()) == 1


def test_a_referral_edit_keeps_a_colleague_s_edit_of_another_field(tmp_path: Path) -> None:
    me, ben = session(tmp_path, "ann"), session(tmp_path, "ben")
    p = records.add_partner(me, "Mercy General", "hospital")
    ref = records.add_referral(me, p.id, date(2026, 11, 1))
    race_before_save(me, lambda: records.update_referral(ben, ref.id, service_detail="wound care"))
    records.update_referral(me, ref.id, status="admitted")
    stored = ben.repo.referral(ref.id)
    assert (stored.status, stored.service_detail) == (ReferralStatus.ADMITTED, "wound care")


def test_a_touch_form_saved_over_a_colleague_s_edit_says_so_and_writes_nothing(
    tmp_path: Path,
) -> None:
    me, ben = session(tmp_path, "ann"), session(tmp_path, "ben")
    p = records.add_partner(me, "Mercy General", "hospital")
    touch = records.save_touchpoint(
        me, records.TouchpointDraft(partner_id=p.id, kind=TouchpointKind.CALL, at=MEETING_AT)
    )
    opened = me.repo.touchpoint(touch.id)
    records.edit_touchpoint(ben, touch.id, purpose="care transitions")
    with pytest.raises(records.ValidationError, match="changed since it was opened"):
        entries.edit_touch(
            me, touch.id, entries.TouchEntry(kind="call", note="mine"), opened=opened
        )
    assert me.repo.touchpoint(touch.id).purpose == "care transitions"


def test_a_form_that_changed_nothing_writes_nothing_and_asks_nothing(tmp_path: Path) -> None:
    me, ben = session(tmp_path, "ann"), session(tmp_path, "ben")
    p = records.add_partner(me, "Mercy General", "hospital")
    opened = me.repo.partner(p.id)
    records.edit_partner(ben, p.id, tier="A")
    revision = me.repo.revision
    saved = entries.save_partner(me, entries.partner_entry(opened), p.id, opened=opened)
    assert saved.tier is Tier.A and me.repo.revision == revision


def test_a_colleague_who_made_the_same_change_is_no_conflict(tmp_path: Path) -> None:
    me, ben = session(tmp_path, "ann"), session(tmp_path, "ben")
    p = records.add_partner(me, "Mercy General", "hospital")
    opened = me.repo.partner(p.id)
    records.edit_partner(ben, p.id, tier="A")
    typed = entries.PartnerEntry(**{**entries.partner_entry(opened).__dict__, "tier": "A"})
    assert entries.save_partner(me, typed, p.id, opened=opened).tier is Tier.A


def test_a_partner_archived_meanwhile_is_named_among_their_changes(tmp_path: Path) -> None:
    me, ben = session(tmp_path, "ann"), session(tmp_path, "ben")
    p = records.add_partner(me, "Mercy General", "hospital")
    opened = me.repo.partner(p.id)
    records.archive_partner(ben, p.id)
    typed = entries.PartnerEntry(**{**entries.partner_entry(opened).__dict__, "notes": "mine"})
    with pytest.raises(ChangedMeanwhile) as raised:
        entries.save_partner(me, typed, p.id, opened=opened)
    assert [c.describe() for c in raised.value.theirs] == ["archived: no → yes"]


def test_a_contact_undone_away_meanwhile_is_said_in_one_line(tmp_path: Path) -> None:
    me, other = session(tmp_path, "ann"), session(tmp_path, "pat@desktop")
    p = records.add_partner(me, "Mercy General", "hospital")
    c = records.add_contact(me, p.id, "Nora Baker")
    opened = me.repo.contact(c.id)
    other.repo.undo()  # takes back the contact's creation
    typed = entries.ContactEntry(**{**entries.contact_entry(opened).__dict__, "phone": "555"})
    with pytest.raises(records.ValidationError) as raised:
        entries.save_contact(me, p.id, typed, c.id, opened=opened)
    assert "Nora Baker was removed while you had it open" in str(raised.value)


def test_replacing_the_store_moves_every_version_past_any_form_s(tmp_path: Path) -> None:
    """An import that replaces the store must not bring back a version number a form
    still holds (the form would then save over what the import wrote)."""
    me, other = session(tmp_path / "s", "ann"), session(tmp_path / "s", "pat@desktop")
    p = records.add_partner(me, "Mercy General", "hospital", notes="v1")
    for _ in range(3):
        records.edit_partner(me, p.id, notes=f"v{me.repo.partner(p.id).version + 1}")
    opened = me.repo.partner(p.id)
    exported = tmp_path / "x.json"
    records.edit_partner(other, p.id, notes="Pat's notes")
    exchange.export_tinydb(other, exported)
    exchange.import_tinydb(other, exported, replace=True)
    assert me.repo.partner(p.id).version > opened.version
    typed = entries.PartnerEntry(**{**entries.partner_entry(opened).__dict__, "tier": "A"})
    with pytest.raises(ChangedMeanwhile):
        entries.save_partner(me, typed, p.id, opened=opened)


def test_a_team_push_keeps_a_colleague_s_edit_of_a_partner_it_merges_into(
    tmp_path: Path,
    postgres_store_url: str,  # noqa: F811
) -> None:
    team_repo = open_store(tmp_path / "dana", url=postgres_store_url, actor="dana@agency.org")
    ben = Session(repo=open_store(tmp_path / "ben", url=postgres_store_url, actor="ben@agency.org"))
    team_repo.save(
        Partner(id="tmercy", name="Mercy General", kind=PartnerKind.HOSPITAL, npi="1234567893")
    )
    local = open_store(tmp_path / "laptop", actor="dana@laptop")
    local.save(
        Partner(
            id="lmercy",
            name="Mercy General",
            kind=PartnerKind.HOSPITAL,
            npi="1234567893",
            tags=("local",),
        )
    )
    local.close()
    team = Session(
        repo=team_repo, settings=Settings(store_url=postgres_store_url, rep_email="dana@agency.org")
    )
    race_before_save(team, lambda: records.edit_partner(ben, "tmercy", tier="A", notes="Ben's"))
    team_push.push(team, tmp_path / "laptop")
    stored = ben.repo.partner("tmercy")
    assert (stored.tier, stored.notes, stored.tags) == (Tier.A, "Ben's", ("local",))
    team_repo.close()
    ben.repo.close()
