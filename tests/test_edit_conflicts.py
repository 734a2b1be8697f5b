"""Nobody overwrites anybody, below the TUI: an edit from a command applies its fields to
the latest version (a colleague's change to another field survives, however the two
interleave); a form's save is checked against the version it opened; and a form's entry
read back from a record says exactly what the record says (else a save that changed
nothing would look like changes, and a conflict would list fields nobody touched)."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import pytest

from builders import partner
from nurture_tui.domain.dates import MonthDay
from nurture_tui.domain.kinds import Tier
from nurture_tui.domain.model import Milestone
from nurture_tui.services import entries, records
from nurture_tui.services.meanwhile import ChangedMeanwhile
from nurture_tui.services.session import Session
from nurture_tui.store.opening import open_store


def session(directory: Path, actor: str) -> Session:
    return Session(repo=open_store(directory, actor=actor))


def test_two_commands_editing_different_fields_at_once_both_land(tmp_path: Path) -> None:
    first, second = session(tmp_path, "pat@laptop"), session(tmp_path, "pat@desktop")
    p = partner()
    first.repo.save(p)
    start = threading.Barrier(2)
    failures: list[BaseException] = []

    def edit(s: Session, n_edits: int, field: str) -> None:
        try:
            start.wait(timeout=30)
            for n in range(n_edits):
                if field == "notes":
                    records.edit_partner(s, p.id, notes=f"note {n}")
                else:
                    records.edit_partner(s, p.id, tags=[f"tag-{n}"])
        except BaseException as error:  # reported by the test, not lost in the thread
            failures.append(error)

    threads = [
        threading.Thread(target=edit, args=(first, 30, "notes")),
        threading.Thread(target=edit, args=(second, 30, "tags")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    stored = first.repo.partner(p.id)
    assert (stored.notes, stored.tags) == ("note 29", ("tag-29",))
    assert stored.version == 1 + 60
    first.repo.close()
    second.repo.close()


def test_a_form_save_over_a_colleague_s_says_what_each_changed(tmp_path: Path) -> None:
    mine, theirs = session(tmp_path, "ann@agency.org"), session(tmp_path, "ben@agency.org")
    p = partner()
    mine.repo.save(p)
    opened = mine.repo.partner(p.id)
    records.edit_partner(theirs, p.id, tier="A", notes="Ben's note")
    typed = entries.partner_entry(opened)
    typed = entries.PartnerEntry(**{**typed.__dict__, "notes": "Ann's note", "npi": ""})
    with pytest.raises(ChangedMeanwhile) as raised:
        entries.save_partner(mine, typed, p.id, opened=opened)
    conflict = raised.value
    assert conflict.by == "ben@agency.org"
    assert [c.describe() for c in conflict.theirs] == [
        f"tier: {p.tier.value} → A",
        "notes: (empty) → Ben's note",
    ]
    assert conflict.mine == ("notes",) and conflict.both == ("notes",)
    assert mine.repo.partner(p.id).notes == "Ben's note", "nothing of Ann's was written"
    # On top of the version now stored: Ann's notes, Ben's tier.
    on_top = conflict.mine_on_top(typed)
    assert on_top == entries.PartnerEntry(
        **{**entries.partner_entry(conflict.current).__dict__, "notes": "Ann's note"}
    )
    saved = entries.save_partner(mine, on_top, p.id, opened=conflict.current)
    stored = mine.repo.partner(p.id)
    assert (stored.tier, stored.notes, stored.changed_by) == (
        Tier.A,
        "Ann's note",
        "ann@agency.org",
    )
    assert saved.version == stored.version == 3


def test_a_form_entry_read_back_from_its_record_changes_nothing(tmp_path: Path) -> None:
    s = session(tmp_path, "pat@laptop")
    p = partner()
    s.repo.save(p)
    contact = records.add_contact(
        s,
        p.id,
        "Nora Baker",
        emails=["nora@mercy.org", "nbaker@mercy.org"],
        role="Case Manager",
        phone="555-0100",
        birthday=MonthDay(3, 14),
        started=date(2024, 2, 1),
        milestones=[Milestone(date(2025, 6, 1), "promoted")],
        met_in_person=True,
        credential="np",
        npi="1234567893",
    )
    opened = s.repo.contact(contact.id)
    revision = s.repo.revision
    entries.save_contact(s, p.id, entries.contact_entry(opened), contact.id, opened=opened)
    entries.save_partner(
        s, entries.partner_entry(s.repo.partner(p.id)), p.id, opened=s.repo.partner(p.id)
    )
    assert s.repo.revision == revision, "a save of what the form showed wrote something"
    assert s.repo.contact(contact.id).version == opened.version
