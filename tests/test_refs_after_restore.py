"""The participant references a store masks with, across a restore under an open app.

The repository caches its references by revision and carries the cache over its own
writes that add no referral (issue 13: a sync no longer re-reads them after each page).
A restore puts back an older file whose revisions then climb again, past numbers the old
file already used: a cache of the old file must never be taken for the new one's, or a
reference another process stored meanwhile would go unmasked. Found by a hostile tester.
"""

from __future__ import annotations

from pathlib import Path

from builders import partner, referral, touch
from nurture_tui.domain.kinds import Stage
from nurture_tui.services import records
from nurture_tui.store import backups
from nurture_tui.store.opening import open_store
from nurture_tui.store.sql import SqlRepository
from test_google_sync import make_session


def restore_latest(store: Path) -> None:
    backups.restore(store, backups.choose(store, None))


def test_the_app_sees_a_reference_stored_after_a_restore(tmp_path: Path) -> None:
    store = tmp_path / "store"
    app = open_store(store)
    assert isinstance(app, SqlRepository)
    mercy = partner()
    app.save(mercy)
    backups.backup(store)
    app.save(touch(mercy, "check-in", 2))
    assert app.participant_refs() == frozenset()  # cached, at the old file's revision
    cached_at = app.revision
    restore_latest(store)
    colleague = open_store(store)  # another process: `nurture referral add`
    secret = referral(mercy, 1)
    colleague.save(secret)
    assert colleague.revision == cached_at  # the new file reached the cached number
    assert secret.participant_ref in app.participant_refs()


def test_the_apps_own_write_after_a_restore_carries_no_old_cache(tmp_path: Path) -> None:
    store = tmp_path / "store"
    app = open_store(store)
    mercy = partner()
    app.save(mercy)
    backups.backup(store)
    app.save(touch(mercy, "check-in", 2))
    app.participant_refs()
    cached_at = app.revision
    restore_latest(store)
    secret = referral(mercy, 1)
    open_store(store).save(secret)  # the restored file at the cached revision again
    app.save(touch(mercy, "check-in", 1))  # the app's own write, no referral in it
    assert app.revision == cached_at + 1
    assert secret.participant_ref in app.participant_refs()


def test_a_note_typed_after_a_restore_is_masked(tmp_path: Path) -> None:
    session, mercy, hope = make_session(tmp_path)
    store = tmp_path / "store"
    backups.backup(store)
    records.set_stage(session, mercy, Stage.REFERRING)  # the app writes, then masks once
    session.repo.participant_refs()
    cached_at = session.repo.revision
    restore_latest(store)
    colleague = open_store(store)
    while colleague.revision < cached_at - 1:  # the restored file climbs back ...
        colleague.put_state("filler", {"at": colleague.revision})
    secret = referral(colleague.partner(mercy), 1)
    colleague.save(secret)  # ... and stores a reference at the cached revision
    records.set_stage(session, hope, Stage.CHAMPION)  # an own write: would carry the cache
    draft = records.draft_touchpoint(
        session, mercy, "check-in", note=f"discussed {secret.participant_ref} discharge"
    )
    saved = records.save_touchpoint(session, draft)
    note = open_store(store).touchpoint(saved.id).note
    assert secret.participant_ref not in note
    assert note == "discussed [participant] discharge"
