"""The journaled store: durability, atomic batches, other processes' writes, corruption."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nurture_tui.domain.errors import StoreError
from nurture_tui.store import engine
from nurture_tui.store.engine import JournalStore


def open_store(path: Path) -> JournalStore:
    store = JournalStore(path)
    store.open()
    return store


def test_a_write_is_visible_to_a_fresh_open(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    store.write([("notes", "a", {"text": "hello"})])
    assert open_store(tmp_path).table("notes") == {"a": {"text": "hello"}}


def test_a_batch_is_all_or_nothing_and_deletes_apply(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    store.write([("notes", "a", {"n": 1}), ("notes", "b", {"n": 2})])
    store.write([("notes", "a", None)])
    assert open_store(tmp_path).table("notes") == {"b": {"n": 2}}


def test_refresh_sees_another_process_writes(tmp_path: Path) -> None:
    reader = open_store(tmp_path)
    reader.table("notes")
    writer = open_store(tmp_path)
    writer.write([("notes", "x", {"n": 1})])
    assert reader.refresh() is True
    assert reader.table("notes") == {"x": {"n": 1}}
    assert reader.refresh() is False


def test_writers_in_two_handles_lose_no_update(tmp_path: Path) -> None:
    first, second = open_store(tmp_path), open_store(tmp_path)
    first.write([("notes", "a", {"n": 1})])
    second.write([("notes", "b", {"n": 2})])  # second has not refreshed: must catch up
    assert set(second.table("notes")) == {"a", "b"}
    assert set(open_store(tmp_path).table("notes")) == {"a", "b"}


def test_compaction_keeps_everything_and_starts_a_new_journal(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    for index in range(50):
        store.write([("notes", str(index), {"n": index})])
    other = open_store(tmp_path)
    other.table("notes")
    store.compact()
    assert sorted(os.listdir(tmp_path / "tables")) == ["notes.1.json"]
    assert len(open_store(tmp_path).table("notes")) == 50
    store.write([("notes", "late", {"n": -1})])
    assert other.refresh() is True
    assert len(other.table("notes")) == 51


def test_compaction_happens_by_itself_past_the_threshold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "COMPACT_AFTER_BATCHES", 10)
    store = open_store(tmp_path)
    for index in range(25):
        store.write([("notes", str(index), {"n": index})])
    manifest = (tmp_path / "manifest.json").read_text()
    assert '"generation": 2' in manifest
    assert len(open_store(tmp_path).table("notes")) == 25


def test_a_torn_last_line_is_ignored_and_repaired(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    store.write([("notes", "a", {"n": 1})])
    with open(store.journal_path, "ab") as handle:
        handle.write(b'0badc0de {"s": 2, "ops": [["notes", "b"')  # a crash mid-append
    reopened = open_store(tmp_path)
    assert reopened.table("notes") == {"a": {"n": 1}}
    reopened.write([("notes", "c", {"n": 3})])
    assert set(open_store(tmp_path).table("notes")) == {"a", "c"}


def test_a_damaged_record_in_the_middle_is_reported_not_overwritten(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    store.write([("notes", "a", {"n": 1})])
    store.write([("notes", "b", {"n": 2})])
    data = bytearray(store.journal_path.read_bytes())
    data[12] ^= 0xFF
    store.journal_path.write_bytes(bytes(data))
    before = store.journal_path.read_bytes()
    with pytest.raises(StoreError, match=r"journal\.0\.log is damaged.*nurture restore"):
        open_store(tmp_path)
    assert store.journal_path.read_bytes() == before


def test_a_corrupt_snapshot_names_the_file(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    store.write([("notes", "a", {"n": 1})])
    store.compact()
    (tmp_path / "tables" / "notes.1.json").write_text("{not json")
    with pytest.raises(StoreError, match=r"notes\.1\.json is damaged"):
        open_store(tmp_path).table("notes")


def test_a_corrupt_manifest_is_a_clear_error(tmp_path: Path) -> None:
    open_store(tmp_path)
    (tmp_path / "manifest.json").write_text("garbage")
    with pytest.raises(StoreError, match=r"manifest\.json is damaged"):
        open_store(tmp_path)


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    open_store(tmp_path)
    manifest = tmp_path / "manifest.json"
    manifest.write_text(manifest.read_text().replace('"schema": 1', '"schema": 99'))
    with pytest.raises(StoreError, match="newer Nurture"):
        open_store(tmp_path)


def test_migrations_run_forward_on_open(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = open_store(tmp_path)
    store.write([("notes", "a", {"text": "old"})])
    store.compact()
    monkeypatch.setattr(engine, "SCHEMA_VERSION", 2)

    def add_field(tables: dict[str, dict[str, dict[str, object]]]) -> None:
        for doc in tables.get("notes", {}).values():
            doc["migrated"] = True

    monkeypatch.setitem(engine.MIGRATIONS, 1, add_field)
    migrated = open_store(tmp_path)
    assert migrated.table("notes")["a"] == {"text": "old", "migrated": True}
    assert '"schema": 2' in (tmp_path / "manifest.json").read_text()
    assert migrated.backups(), "a migration backs up first"


def test_backup_and_restore(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    store.write([("notes", "a", {"n": 1})])
    backup = store.backup()
    store.write([("notes", "a", None), ("notes", "b", {"n": 2})])
    store.restore(backup)
    assert open_store(tmp_path).table("notes") == {"a": {"n": 1}}
    assert len(store.backups()) >= 2, "the replaced state was backed up too"


def test_the_lock_times_out_with_a_clear_message(tmp_path: Path) -> None:
    holder = open_store(tmp_path)
    waiter = JournalStore(tmp_path, lock_timeout=0.2)
    waiter.open()
    from filelock import FileLock

    with FileLock(str(tmp_path / "writer.lock")), pytest.raises(StoreError, match="locked"):
        waiter.write([("notes", "a", {})])
    del holder


def test_the_audit_log_records_ids_but_no_content(tmp_path: Path) -> None:
    store = open_store(tmp_path)
    store.write([("referrals", "r1", {"ref": "P-SECRET1"})], action="referral-add")
    audit = (tmp_path / "audit.log").read_text()
    assert "r1" in audit and "referral-add" in audit
    assert "P-SECRET1" not in audit
