"""The reports CSV lands where the rep looks (the current folder, or --out), the full path
is said, and an existing file is never overwritten silently: CLI and the TUI."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from cli_runner import Nurture
from nurture_tui.config import Settings
from nurture_tui.services import records
from nurture_tui.services.session import Session
from nurture_tui.store.opening import open_store
from ui.helpers import make_app, settle

NAME = "nurture-report-2026-11-23.csv"


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """A small real store: one partner with a referral, one with an escape code in its name."""
    directory = tmp_path / "store"
    session = Session(repo=open_store(directory), settings=Settings(timezone="America/Chicago"))
    mercy = records.add_partner(session, "Mercy General", "hospital", stage="referring")
    records.add_referral(session, mercy.id, session.today())
    records.add_partner(session, '=HYPERLINK("x")\x1b[31m Evil', "hospice")
    return directory


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The folder the rep runs nurture from (the subprocess inherits it)."""
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


@pytest.fixture
def nurture(tmp_path: Path) -> Nurture:
    return Nurture(tmp_path / "home", tmp_path / "config")


def only_csv(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.csv"))


def test_the_report_goes_to_the_current_folder_and_says_its_full_path(
    nurture: Nurture, store: Path, work: Path
) -> None:
    result = nurture("report", "--data-dir", str(store))
    [written] = only_csv(work)
    assert written.name.startswith("nurture-report-")
    assert str(written.absolute()) in result.stdout
    assert "2 partners" in result.stdout
    text = written.read_text()
    assert "Mercy General" in text and "P-" not in text, "aggregates only"
    assert "\x1b" not in text and "'=HYPERLINK" in text, "neutralised for spreadsheets"
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert not list(store.rglob("*.csv")), "nothing in the data folder"


def test_a_second_report_is_refused_rather_than_overwriting(
    nurture: Nurture, store: Path, work: Path
) -> None:
    nurture("report", "--data-dir", str(store))
    [written] = only_csv(work)
    written.write_text("the rep's edited copy")
    refused = nurture("report", "--data-dir", str(store), ok=False)
    assert refused.returncode == 1
    [line] = refused.stderr.strip().splitlines()
    assert "already exists" in line and "--force" in line and str(written) in line
    assert written.read_text() == "the rep's edited copy"
    as_json = nurture("report", "--data-dir", str(store), "--json", ok=False)
    assert as_json.returncode == 1
    assert "already exists" in json.loads(as_json.stdout)["error"]["message"]
    nurture("report", "--data-dir", str(store), "--force")
    assert "Mercy General" in written.read_text()
    assert only_csv(work) == [written]


def test_out_takes_a_file_or_a_folder(
    nurture: Nurture, store: Path, work: Path, tmp_path: Path
) -> None:
    target = tmp_path / "shared" / "q4.csv"
    target.parent.mkdir()
    document = nurture.json("report", "--data-dir", str(store), "--out", str(target))
    assert isinstance(document, dict) and document["path"] == str(target)
    assert document["partners"] == 2 and document["referrals_12m"] == 1
    assert target.read_text().startswith("partner_id,")
    folder = tmp_path / "folder"
    folder.mkdir()
    document = nurture.json("report", "--data-dir", str(store), "--out", str(folder))
    assert isinstance(document, dict)
    assert Path(document["path"]).parent == folder and only_csv(folder)
    relative = nurture.json("report", "--data-dir", str(store), "--out", "mine.csv")
    assert isinstance(relative, dict) and relative["path"] == str(work / "mine.csv")


def test_a_missing_folder_or_the_store_itself_is_one_line(
    nurture: Nurture, store: Path, work: Path, tmp_path: Path
) -> None:
    missing = nurture(
        "report", "--data-dir", str(store), "--out", str(tmp_path / "nope" / "r.csv"), ok=False
    )
    assert missing.returncode == 1 and "does not exist" in missing.stderr
    database = next(p for p in store.iterdir() if p.read_bytes()[:15] == b"SQLite format 3")
    before = database.read_bytes()
    kept = nurture("report", "--data-dir", str(store), "--out", str(database), "--force", ok=False)
    assert kept.returncode == 1 and "is a database" in kept.stderr
    assert database.read_bytes() == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores folder permissions")
def test_a_folder_that_cannot_be_written_is_one_line(
    nurture: Nurture, store: Path, work: Path
) -> None:
    work.chmod(0o500)
    try:
        refused = nurture("report", "--data-dir", str(store), ok=False)
    finally:
        work.chmod(0o700)
    assert refused.returncode == 1 and "cannot write" in refused.stderr


async def test_the_tui_writes_to_the_current_folder_and_keeps_an_earlier_report(
    tmp_path: Path, work: Path
) -> None:
    app = make_app(tmp_path / "store")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        [first] = only_csv(work)
        assert first.name == NAME
        first.write_text("yesterday's copy, edited")
        await pilot.press("e")
        await settle(pilot)
        assert first.read_text() == "yesterday's copy, edited", "never overwritten"
        assert {p.name for p in only_csv(work)} == {NAME, "nurture-report-2026-11-23-2.csv"}
        said = [str(n.message) for n in app._notifications]
        assert f"Report saved to {work / 'nurture-report-2026-11-23-2.csv'}" in said
        assert not list((tmp_path / "store").rglob("*.csv"))
