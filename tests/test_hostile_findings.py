"""What a hostile tester found against the SQL store, each as a regression test."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from nurture_tui.domain.errors import NurtureError, StoreError
from nurture_tui.domain.kinds import PartnerKind
from nurture_tui.domain.model import Partner
from nurture_tui.store import backups
from nurture_tui.store.opening import open_store


def cli(home: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NURTURE_HOME": str(home), "NURTURE_CONFIG_DIR": str(home.parent / "c")}
    result = subprocess.run(
        [sys.executable, "-m", "nurture_tui.cli", *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Traceback" not in result.stderr
    return result


def store_with_backup(directory: Path) -> None:
    repo = open_store(directory)
    repo.save(Partner(id="kept", name="Kept", kind=PartnerKind.OTHER))
    backups.backup(directory)
    repo.close()


def test_an_empty_database_file_beside_backups_is_a_lost_store_not_a_new_one(
    tmp_path: Path,
) -> None:
    store_with_backup(tmp_path)
    (tmp_path / "nurture.db").write_bytes(b"")
    for suffix in ("-wal", "-shm"):
        (tmp_path / f"nurture.db{suffix}").unlink(missing_ok=True)
    with pytest.raises(StoreError, match="missing or empty"):
        open_store(tmp_path)
    result = cli(tmp_path, "demo", "--if-empty")
    assert result.returncode == 1 and "nurture restore" in result.stderr


def test_a_writer_left_open_follows_a_restore_instead_of_writing_into_the_old_file(
    tmp_path: Path,
) -> None:
    store_with_backup(tmp_path)
    writer = open_store(tmp_path)  # a TUI left open, its connection pooled
    writer.partners()
    backups.restore(tmp_path, backups.choose(tmp_path, None))
    writer.save(Partner(id="after", name="After", kind=PartnerKind.OTHER))  # no refresh()
    assert {p.id for p in open_store(tmp_path).partners()} == {"kept", "after"}


def test_export_never_overwrites_a_database_even_with_force(tmp_path: Path) -> None:
    store_with_backup(tmp_path)
    backup = backups.list_backups(tmp_path)[0].path
    for target in (tmp_path / "nurture.db", backup):
        result = cli(tmp_path, "export", str(target), "--force")
        assert result.returncode == 1 and "is a database" in result.stderr
    assert open_store(tmp_path).partners()[0].id == "kept"


@pytest.mark.parametrize("odd", ["a?b", "c#d", "e%41f"])
def test_odd_characters_in_the_folder_name_stay_part_of_the_path(tmp_path: Path, odd: str) -> None:
    directory = tmp_path / odd / "store"
    store_with_backup(directory)
    assert (directory / "nurture.db").exists()
    assert [p.name for p in tmp_path.rglob("nurture.db")] == ["nurture.db"]
    assert backups.check(directory) == str(directory / "nurture.db")
    backups.restore(directory, backups.choose(directory, None))
    assert open_store(directory).partners()[0].id == "kept"


def test_an_empty_or_foreign_backup_is_refused_by_restore(tmp_path: Path) -> None:
    store_with_backup(tmp_path)
    empty = tmp_path / "backups" / "nurture-29990101T000000000000Z.db"
    empty.write_bytes(b"")
    with pytest.raises(StoreError, match="empty or not a Nurture store"):
        backups.restore(tmp_path, backups.choose(tmp_path, None))
    assert open_store(tmp_path).partners()[0].id == "kept"


def test_nurture_never_chmods_what_is_not_its_own(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    open_store(shared / "store")
    assert stat.S_IMODE(shared.stat().st_mode) == 0o1777
    target = tmp_path / "elsewhere.db"
    target.write_bytes(b"")
    target.chmod(0o644)
    linked = tmp_path / "linked"
    linked.mkdir()
    (linked / "nurture.db").symlink_to(target)
    with pytest.raises(StoreError, match="is a link"):
        open_store(linked)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_parents_created_for_a_store_are_private_under_umask_000(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        open_store(tmp_path / "a" / "b" / "store")
    finally:
        os.umask(old)
    for folder in (tmp_path / "a", tmp_path / "a" / "b", tmp_path / "a" / "b" / "store"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


def test_check_refuses_a_pipe_or_a_link_in_one_line_without_hanging(tmp_path: Path) -> None:
    store_with_backup(tmp_path)
    database = tmp_path / "nurture.db"
    database.unlink()
    os.mkfifo(database)
    result = cli(tmp_path, "check")
    assert result.returncode == 1 and "pipe" in result.stderr
    database.unlink()
    database.symlink_to("/dev/zero")
    for argv in (["check"], ["partner", "list"]):
        result = cli(tmp_path, *argv)
        assert result.returncode == 1 and "is a link" in result.stderr
        assert result.stderr.count("\n") == 1


def test_a_data_dir_that_is_a_file_is_one_line(tmp_path: Path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("x")
    result = cli(tmp_path / "home", "--data-dir", str(afile), "partner", "list")
    assert result.returncode == 1 and "not a folder" in result.stderr


def test_an_ambiguous_or_empty_backup_name_is_refused(tmp_path: Path) -> None:
    store_with_backup(tmp_path)
    backups.backup(tmp_path)
    with pytest.raises(NurtureError, match="matches 2 backups"):
        backups.choose(tmp_path, "20")
    with pytest.raises(NurtureError, match="no backup name"):
        backups.choose(tmp_path, "")


def test_a_tinydb_import_cleans_escape_codes_like_typed_text(tmp_path: Path) -> None:
    source = tmp_path / "source"
    repo = open_store(source)
    repo.save(
        Partner(
            id="p1",
            name="\x1b]0;pwned\x07Mercy",
            kind=PartnerKind.HOSPITAL,
            owner="al\x1b[2Jex",
            tags=("nor\u202eth",),
        )
    )
    assert cli(source, "export", str(tmp_path / "x.json")).returncode == 0
    assert cli(tmp_path / "target", "import", "tinydb", str(tmp_path / "x.json")).returncode == 0
    imported = open_store(tmp_path / "target").partners()[0]
    assert (imported.name, imported.owner, imported.tags) == ("Mercy", "alex", ("north",))
    listed = cli(tmp_path / "target", "partner", "list").stdout
    assert "\x1b" not in listed
