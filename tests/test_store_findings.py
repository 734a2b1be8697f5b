"""The seven ways the journal store lost data or bricked, each as a regression test against
the SQL store, plus the migration of a journal-era store into it."""

from __future__ import annotations

import json
import os
import random
import resource
import signal
import sqlite3
import stat
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cli_runner import Nurture, Preexec
from legacy_store.repository import StoreRepository as JournalRepository
from nurture_tui.config import Settings
from nurture_tui.domain.errors import StoreError, ValidationError
from nurture_tui.domain.kinds import PartnerKind, TouchpointKind
from nurture_tui.domain.model import Dismissal, Partner, Touchpoint
from nurture_tui.services.demo import DemoSize, build_demo
from nurture_tui.store import backups
from nurture_tui.store.opening import open_store
from nurture_tui.store.sql import SqlRepository
from store_helpers import integrity, stored_touchpoints

HERE = Path(__file__).parent
FULL_DISK_CHILD = str(HERE / "full_disk_child.py")


def _umask_022() -> None:
    os.umask(0o022)


def disk_full_at(size: int) -> Preexec:
    """In the child: umask 022, and writes past ``size`` bytes fail with EFBIG (SIGXFSZ
    ignored), which SQLite sees as a full disk."""

    def limit() -> None:
        _umask_022()
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, resource.RLIM_INFINITY))

    return limit


Cli = Nurture


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Nurture(tmp_path / "home", tmp_path / "config", preexec=_umask_022)


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


# 1 ------------------------------------------------------------------------------------
def test_finding_1_a_full_disk_loses_no_acknowledged_write(cli: Cli) -> None:
    added = cli("partner", "add", "Mercy General", "--kind", "hospital", "--json")
    pid = json.loads(added.stdout)["id"]
    # Room for one transaction's WAL (about ten pages) and a few more rows: then full.
    limit = (cli.home / "nurture.db").stat().st_size + 64 * 1024
    acknowledged: list[str] = []
    failed = None
    for _ in range(200):
        result = cli(
            "log",
            "--partner",
            pid,
            "--kind",
            "call",
            "--note",
            "n" * 3000,
            ok=False,
            preexec=disk_full_at(limit),
        )
        if result.returncode != 0:
            failed = result
            break
        acknowledged.append(result.stdout.strip())
    assert failed is not None, "the size limit never bit"
    assert "disk is full" in one_line_error(failed)
    assert acknowledged, "some writes fit before the disk filled"
    stored = stored_touchpoints(cli.home)
    assert set(acknowledged) <= set(stored)
    assert integrity(cli.home) == "ok"
    cli("log", "--partner", pid, "--kind", "call")  # and it keeps working with space again


def test_finding_1_a_long_lived_writer_survives_a_full_disk_then_keeps_writing(
    tmp_path: Path,
) -> None:
    directory = tmp_path / "store"
    open_store(directory).close()
    limit = (directory / "nurture.db").stat().st_size + 96 * 1024
    child = subprocess.run(
        [sys.executable, FULL_DISK_CHILD, str(directory), str(limit)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == 0, child.stderr
    lines = child.stdout.splitlines()
    full = [line for line in lines if line.startswith("FULL")]
    assert full and "disk is full" in full[0]
    acknowledged = {line.split()[1] for line in lines if line.startswith("ACK")}
    after = lines[lines.index(full[0]) + 1 :]
    assert any(line.startswith("ACK") for line in after), "writes resume once space is back"
    assert acknowledged <= set(stored_touchpoints(directory))
    assert integrity(directory) == "ok"


def test_finding_1_backup_on_a_full_disk_leaves_no_partial_backup(cli: Cli) -> None:
    added = cli("partner", "add", "Mercy General", "--kind", "hospital", "--json")
    pid = json.loads(added.stdout)["id"]
    for _ in range(5):
        cli("log", "--partner", pid, "--kind", "call", "--note", "n" * 2000)
    result = cli("backup", ok=False, preexec=disk_full_at(4096))
    assert "disk is full" in one_line_error(result)
    leftovers = list((cli.home / "backups").iterdir()) if (cli.home / "backups").exists() else []
    assert leftovers == []
    assert "backed up" in cli("backup").stdout


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root")
def test_finding_1_a_really_full_tmpfs_loses_nothing(tmp_path: Path) -> None:
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"this sandbox does not allow mounts: {done.stderr!r}")
    try:
        repo = open_store(mount / "store")
        repo.save(Partner(id="p", name="Tiny Disk Clinic", kind=PartnerKind.OTHER))
        acknowledged = []
        with pytest.raises(StoreError, match="disk is full"):
            for index in range(100_000):
                repo.save(
                    Touchpoint(
                        f"t{index}", "p", TouchpointKind.CALL, datetime.now(UTC), note="n" * 500
                    )
                )
                acknowledged.append(f"t{index}")
        assert set(acknowledged) <= set(stored_touchpoints(mount / "store"))
        assert integrity(mount / "store") == "ok"
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


# 2 ------------------------------------------------------------------------------------
def test_finding_2_one_out_of_range_datetime_bricks_nothing(cli: Cli, tmp_path: Path) -> None:
    added = cli("partner", "add", "Mercy General", "--kind", "hospital", "--json")
    pid = json.loads(added.stdout)["id"]
    for moment in ("9999-12-31T23:00-05:00", "0001-01-01T00:00+14:00"):
        error = one_line_error(
            cli("log", "--partner", pid, "--kind", "call", "--at", moment, ok=False)
        )
        assert "between 1900 and 2199" in error
    assert "Mercy General" in cli("partner", "list").stdout
    cli("backup")
    cli("restore")
    ics = tmp_path / "mailed.ics"
    ics.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//x//EN\r\nBEGIN:VEVENT\r\nUID:far@x\r\n"
        "DTSTAMP:20261101T000000Z\r\nDTSTART;TZID=Pacific/Pago_Pago:99991231T230000\r\n"
        "SUMMARY:Lunch\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    one_line_error(cli("import", "ics", str(ics), ok=False))
    assert "Mercy General" in cli("partner", "list").stdout


def test_finding_2_the_database_itself_refuses_a_date_out_of_range(tmp_path: Path) -> None:
    repo = open_store(tmp_path / "store")
    repo.save(Partner(id="p", name="Mercy", kind=PartnerKind.HOSPITAL))
    far = datetime(9999, 12, 31, 23, tzinfo=UTC)
    with pytest.raises(ValidationError, match="1900 and 2199"):
        repo.save(Touchpoint("t", "p", TouchpointKind.CALL, far))
    assert repo.touchpoint_count() == 0
    assert repo.histories()[0].touchpoints == []


# 3 ------------------------------------------------------------------------------------
def test_finding_3_a_deleted_database_beside_backups_is_not_an_empty_store(cli: Cli) -> None:
    cli("partner", "add", "Mercy General", "--kind", "hospital")
    cli("backup")
    (cli.home / "nurture.db").unlink()
    for command in (
        ["partner", "list"],
        ["demo", "--if-empty"],
        ["log", "--partner", "x", "--kind", "call"],
    ):
        assert "nurture restore" in one_line_error(cli(*command, ok=False))
    assert not (cli.home / "nurture.db").exists(), "nothing wrote an empty store"
    cli("restore")
    assert "Mercy General" in cli("partner", "list").stdout


def test_finding_3_a_journal_store_without_its_manifest_is_refused_untouched(
    tmp_path: Path,
) -> None:
    directory = tmp_path / "old"
    old = JournalRepository(directory)
    old.save(Partner(id="p", name="Mercy", kind=PartnerKind.HOSPITAL))
    old.store.compact()
    old.save(Touchpoint("t", "p", TouchpointKind.CALL, datetime(2026, 1, 2, tzinfo=UTC)))
    journal = next(directory.glob("journal.*.log"))
    before = journal.read_bytes()
    (directory / "manifest.json").unlink()
    with pytest.raises(StoreError, match="restore"):
        open_store(directory)
    assert journal.read_bytes() == before
    assert not (directory / "nurture.db").exists()


# 4 ------------------------------------------------------------------------------------
def test_finding_4_restore_repairs_a_damaged_database_without_opening_it(cli: Cli) -> None:
    cli("partner", "add", "Mercy General", "--kind", "hospital")
    cli("backup")
    database = cli.home / "nurture.db"
    for suffix in ("-wal", "-shm"):
        database.with_name(database.name + suffix).unlink(missing_ok=True)
    database.write_bytes(b"\x00garbage" * 5000)
    error = one_line_error(cli("partner", "list", ok=False))
    assert "damaged" in error and "nurture restore" in error and str(database) in error
    restored = cli("restore")
    assert "kept as" in restored.stderr
    assert "Mercy General" in cli("partner", "list").stdout
    kept = list((cli.home / "backups").glob("replaced-*.db"))
    assert len(kept) == 1 and kept[0].read_bytes().startswith(b"\x00garbage")


def test_finding_4_restore_lists_and_picks_by_name(cli: Cli) -> None:
    cli("partner", "add", "First", "--kind", "hospital")
    first = cli("backup", "--json").stdout
    cli("partner", "add", "Second", "--kind", "hospital")
    name = json.loads(first)["backup"].removeprefix("nurture-").removesuffix(".db")
    listed = json.loads(cli("restore", "--list", "--json").stdout)
    assert name in listed
    cli("restore", name)
    names = cli("partner", "list").stdout
    assert "First" in names and "Second" not in names


# 5 ------------------------------------------------------------------------------------
def test_finding_5_a_damaged_last_journal_line_is_reported_not_dropped(tmp_path: Path) -> None:
    directory = tmp_path / "old"
    old = JournalRepository(directory)
    old.save(Partner(id="p", name="Mercy", kind=PartnerKind.HOSPITAL))
    for index in range(3):
        old.save(
            Touchpoint(
                f"t{index}", "p", TouchpointKind.CALL, datetime(2026, 1, 2 + index, tzinfo=UTC)
            )
        )
    journal = next(directory.glob("journal.*.log"))
    data = bytearray(journal.read_bytes())
    data[-20] ^= 0x01  # flip a bit inside the last complete record
    journal.write_bytes(bytes(data))
    notices: list[str] = []
    repo = open_store(directory, notices=notices)
    assert any("line 4" in n and "damaged" in n for n in notices), notices
    assert {t.id for t in repo.touchpoints("p")} == {"t0", "t1"}
    kept = next((directory / "backups").glob("pre-sqlite-*"))
    assert next(kept.glob("journal.*.log")).read_bytes() == bytes(data), "original kept"


def test_finding_5_a_damaged_database_page_is_reported_by_check(cli: Cli) -> None:
    added = cli("partner", "add", "Mercy General", "--kind", "hospital", "--json")
    pid = json.loads(added.stdout)["id"]
    for _ in range(30):
        cli("log", "--partner", pid, "--kind", "call", "--note", "n" * 1500)
    database = cli.home / "nurture.db"
    connection = sqlite3.connect(database)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size = connection.execute("PRAGMA page_size").fetchone()[0]
    connection.close()
    data = bytearray(database.read_bytes())
    for page in range(1, len(data) // page_size):  # every b-tree page header but the first
        data[page * page_size : page * page_size + 8] = b"\xff" * 8
    database.write_bytes(bytes(data))
    error = one_line_error(cli("check", ok=False))
    assert "damaged" in error and "nurture restore" in error


# 6 ------------------------------------------------------------------------------------
def test_finding_6_every_file_is_private_under_umask_022(cli: Cli) -> None:
    added = cli("partner", "add", "Mercy General", "--kind", "hospital", "--json")
    pid = json.loads(added.stdout)["id"]
    cli("log", "--partner", pid, "--kind", "call")
    cli("backup")
    assert stat.S_IMODE(cli.home.stat().st_mode) == 0o700
    assert stat.S_IMODE((cli.home / "backups").stat().st_mode) == 0o700
    files = [p for p in cli.home.rglob("*") if p.is_file()]
    assert any(p.name == "nurture.db" for p in files)
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


# 7 ------------------------------------------------------------------------------------
def test_finding_7_single_partner_commands_read_only_that_partner(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`log`, `partner show`, `contact add`, `referral add` never load every history."""
    from nurture_tui.cli import main

    monkeypatch.setenv("NURTURE_HOME", str(tmp_path / "home"))
    repo = open_store(tmp_path / "home")
    demo = build_demo(
        DemoSize(40, 800, 3),
        datetime(2026, 11, 23).date(),
        Settings(timezone="America/Chicago").zone,
    )
    repo.replace_all(demo.partners, demo.contacts, demo.touchpoints, demo.referrals)
    pid = demo.partners[0].id

    def refuse(self: SqlRepository) -> object:
        raise AssertionError("a single-partner command loaded every partner's history")

    monkeypatch.setattr(SqlRepository, "_load_snapshot", refuse)
    for argv in (
        ["log", "--partner", pid, "--kind", "gift"],
        ["partner", "show", pid, "--json"],
        ["contact", "add", "--partner", pid, "Sam Ortiz", "--email", "sam@example.org"],
        ["referral", "add", "--partner", pid, "--received", "2026-11-20"],
        ["next", "--partner", pid],
    ):
        assert main(argv) == 0, argv


# migration ------------------------------------------------------------------------------
def write_journal_store(directory: Path, size: DemoSize) -> JournalRepository:
    demo = build_demo(size, datetime(2026, 11, 23).date(), Settings(timezone="UTC").zone)
    old = JournalRepository(directory)
    old.replace_all(demo.partners, demo.contacts, demo.touchpoints, demo.referrals)
    partner = demo.partners[0]
    old.save(Dismissal(partner.id, "check-in", "", None, "on leave"), action="dismiss")
    old.put_state("source:google", {"enabled": True})
    late = Touchpoint(
        "late-one", partner.id, TouchpointKind.EMAIL, datetime(2026, 11, 1, tzinfo=UTC)
    )
    old.save(late)  # in the journal, not yet in a snapshot
    return old


@pytest.mark.parametrize(
    "size", [DemoSize(30, 600, 1), DemoSize(5000, 250_000, 2)], ids=["small", "5k-250k"]
)
def test_a_journal_store_moves_into_sqlite_once_with_everything(
    tmp_path: Path, size: DemoSize
) -> None:
    directory = tmp_path / "store"
    old = write_journal_store(directory, size)
    expected = {
        name: dict(old.store.table(name))
        for name in ("partners", "contacts", "touchpoints", "referrals")
    }
    notices: list[str] = []
    repo = open_store(directory, notices=notices)
    assert len(notices) == 1 and "moved your store" in notices[0], notices
    assert repo.touchpoint_count() == len(expected["touchpoints"])
    assert {p.id for p in repo.partners(include_archived=True)} == set(expected["partners"])
    rng = random.Random(size.seed)
    for tid in rng.sample(sorted(expected["touchpoints"]), 200):
        assert repo.touchpoint(tid) == expected["touchpoints"][tid]
    for cid in rng.sample(sorted(expected["contacts"]), min(50, len(expected["contacts"]))):
        assert repo.contact(cid) == expected["contacts"][cid]
    for rid in rng.sample(sorted(expected["referrals"]), min(50, len(expected["referrals"]))):
        assert repo.referral(rid) == expected["referrals"][rid]
    assert repo.touchpoint("late-one").kind is TouchpointKind.EMAIL
    assert repo.dismissals()[0].reason == "on leave"
    assert repo.state("source:google") == {"enabled": True}
    kept = list((directory / "backups").glob("pre-sqlite-*"))
    assert len(kept) == 1 and (kept[0] / "manifest.json").exists()
    assert not (directory / "manifest.json").exists()
    again: list[str] = []
    open_store(directory, notices=again)
    assert again == [], "the move is announced once"
    listed = backups.list_backups(directory)
    assert listed[0].name == kept[0].name and listed[0].legacy, "restorable, newest first"


def test_a_journal_era_backup_restores_into_a_new_database(tmp_path: Path) -> None:
    directory = tmp_path / "store"
    write_journal_store(directory, DemoSize(12, 200, 4))
    repo = open_store(directory)
    count = repo.touchpoint_count()
    repo.save(Partner(id="after", name="Added After The Move", kind=PartnerKind.OTHER))
    legacy = next(b for b in backups.list_backups(directory) if b.legacy)
    restored = backups.restore(directory, legacy)
    assert restored.replaced is not None and restored.replaced.exists()
    again = open_store(directory)
    assert again.touchpoint_count() == count
    assert "after" not in {p.id for p in again.partners()}


# locked and read-only ------------------------------------------------------------------
def test_a_lock_held_past_the_busy_timeout_is_one_line_and_loses_nothing(cli: Cli) -> None:
    added = cli("partner", "add", "Mercy General", "--kind", "hospital", "--json")
    pid = json.loads(added.stdout)["id"]
    holder = sqlite3.connect(cli.home / "nurture.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process in the middle of a long write
    try:
        cli.env["NURTURE_BUSY_TIMEOUT_SECONDS"] = "0.5"
        error = one_line_error(cli("log", "--partner", pid, "--kind", "call", ok=False))
        assert "busy" in error and "nothing was saved" in error
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    cli("log", "--partner", pid, "--kind", "call")
    assert len(stored_touchpoints(cli.home)) == 1


def test_a_read_only_store_is_one_line_and_loses_nothing(cli: Cli, tmp_path: Path) -> None:
    added = cli("partner", "add", "Mercy General", "--kind", "hospital", "--json")
    pid = json.loads(added.stdout)["id"]
    cli("log", "--partner", pid, "--kind", "call")
    if os.geteuid() == 0:  # root ignores file modes: make the disk itself read-only
        mount = tmp_path / "ro"
        mount.mkdir()
        if (
            subprocess.run(
                ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True
            ).returncode
            != 0
        ):
            pytest.skip("this sandbox does not allow mounts")
        try:
            subprocess.run(["cp", "-a", str(cli.home), str(mount / "home")], check=True)
            subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
            cli.env["NURTURE_HOME"] = str(mount / "home")
            error = one_line_error(cli("log", "--partner", pid, "--kind", "call", ok=False))
            assert "read-only" in error
        finally:
            subprocess.run(["umount", "-l", str(mount)], check=False)
    else:
        for path in [cli.home, *cli.home.iterdir()]:
            path.chmod(0o500 if path.is_dir() else 0o400)
        try:
            error = one_line_error(cli("log", "--partner", pid, "--kind", "call", ok=False))
            assert "read-only" in error
        finally:
            for path in [cli.home, *cli.home.iterdir()]:
                path.chmod(0o700 if path.is_dir() else 0o600)
    assert len(stored_touchpoints(cli.home)) == 1


def test_an_open_app_follows_a_restore_made_by_another_process(tmp_path: Path) -> None:
    directory = tmp_path / "store"
    app_repo = open_store(directory)  # the TUI, left open with pooled connections
    app_repo.save(Partner(id="kept", name="Kept", kind=PartnerKind.OTHER))
    backups.backup(directory)
    app_repo.save(Partner(id="later", name="Added Later", kind=PartnerKind.OTHER))
    assert len(app_repo.histories()) == 2
    backups.restore(directory, backups.choose(directory, None))
    app_repo.refresh()
    assert [h.partner.id for h in app_repo.histories()] == ["kept"]
    app_repo.save(Partner(id="after", name="After Restore", kind=PartnerKind.OTHER))
    assert {p.id for p in open_store(directory).partners()} == {"kept", "after"}


def test_the_quick_first_board_matches_the_full_one(tmp_path: Path) -> None:
    """The first paint reads two grouped queries, not every history: same cards."""
    from nurture_tui.domain.playbook.config import load_playbook
    from nurture_tui.services.board import load_board
    from nurture_tui.services.playbook import default_playbook_text
    from nurture_tui.services.session import Session

    repo = open_store(tmp_path)
    today = datetime(2026, 11, 23).date()
    demo = build_demo(DemoSize(60, 1500, 9), today, Settings(timezone="America/Chicago").zone)
    repo.replace_all(demo.partners, demo.contacts, demo.touchpoints, demo.referrals)
    session = Session(repo, Settings(timezone="America/Chicago"))
    playbook = load_playbook(default_playbook_text())
    quick = load_board(session, playbook, today, with_agenda=False)
    full = load_board(session, playbook, today)
    assert not quick.complete and full.complete
    assert [(c.id, c.days_since_touch, c.health, c.referrals_90d) for c in quick.cards] == [
        (c.id, c.days_since_touch, c.health, c.referrals_90d) for c in full.cards
    ]


def test_finding_6_files_nurture_writes_beside_the_store_are_private(tmp_path: Path) -> None:
    """Sync status, invites, reports: written through atomic_write, 0600 under umask 022."""
    from nurture_tui.store.files import atomic_write

    old = os.umask(0o022)
    try:
        target = tmp_path / "sync-status.json"
        atomic_write(target, b"{}")
        atomic_write(target, b"{}")  # and when it replaces an existing file
    finally:
        os.umask(old)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
