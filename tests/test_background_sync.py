"""Background sync: the watch loop, schedules, a TUI and a sync writing together, and
kill -9 in the middle of a sync followed by a re-run that ends in the same state."""

from __future__ import annotations

import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from fakes.google_api import event, fake_google
from nurture_tui.domain.errors import ValidationError
from nurture_tui.services import schedule
from nurture_tui.services.entries import TouchEntry
from nurture_tui.store.opening import open_store
from store_helpers import stored_touchpoints
from sync_contract import NOW
from test_google_sync import make_session

CHILD = str(Path(__file__).with_name("sync_child.py"))


def test_intervals_parse_and_refuse_hammering() -> None:
    assert schedule.parse_every("15m") == 900 and schedule.parse_every("1h") == 3600
    assert schedule.parse_every("30") == 1800
    with pytest.raises(ValidationError, match="once a minute"):
        schedule.parse_every("10s")
    with pytest.raises(ValidationError, match="not an interval"):
        schedule.parse_every("soon")


def test_the_watch_loop_backs_off_after_failures() -> None:
    results = iter([True, False, False, True])
    waits: list[float] = []
    runs = schedule.watch(lambda: next(results), 60, rounds=4, sleep=waits.append)
    assert runs == 4 and waits == [60, 120, 180]


def test_schedule_files_run_nurture_sync() -> None:
    units = schedule.systemd_units("15m", "/data")
    assert "OnUnitActiveSec=900s" in units["nurture-sync.timer"]
    assert "sync all --data-dir /data" in units["nurture-sync.service"]
    assert "<integer>900</integer>" in schedule.launchd_plist("15m", None)
    assert schedule.crontab_line("15m", None).startswith("*/15 * * * * ")


def test_cli_watch_runs_rounds_without_a_traceback(tmp_path: Path) -> None:
    env = {
        "NURTURE_HOME": str(tmp_path),
        "NURTURE_CONFIG_DIR": str(tmp_path / "c"),
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "nurture_tui.cli",
            "sync",
            "--watch",
            "--every",
            "1m",
            "--rounds",
            "1",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert "no source is connected" in result.stderr


def state_of(directory: Path, source: str) -> set[tuple[str, str, str]]:
    return {
        ((t.external_id or "").split("#")[0], t.status.value, t.at.isoformat())
        for t in stored_touchpoints(directory).values()
        if t.source == source
    }


def kill_and_rerun(
    tmp_path: Path, kind: str, where: str, expected_count: int, pauses: list[int]
) -> None:
    """Sync once cleanly for reference; then kill a syncing child at known points (held
    once it has fetched its N-th page, while earlier pages commit), check that a crash
    never invents anything, and that the re-run ends in the same state."""
    reference, _, _ = make_session(tmp_path / "reference")
    del reference
    done = subprocess.run(
        [sys.executable, CHILD, str(tmp_path / "reference"), kind, where],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    expected = state_of(tmp_path / "reference" / "store", kind)
    assert len(expected) == expected_count
    victim, _, _ = make_session(tmp_path / "victim")
    del victim
    for pause in pauses:
        child = subprocess.Popen(
            [sys.executable, CHILD, str(tmp_path / "victim"), kind, where, str(pause)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None
        said = child.stdout.readline().strip()  # blocks until the child holds at that page
        child.send_signal(signal.SIGKILL)
        _, err = child.communicate(timeout=60)
        assert said == f"page {pause}", err
        assert state_of(tmp_path / "victim" / "store", kind) <= expected, (
            "a crash never invents or duplicates a touchpoint"
        )
    finisher = subprocess.run(
        [sys.executable, CHILD, str(tmp_path / "victim"), kind, where],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert finisher.returncode == 0, finisher.stderr
    assert state_of(tmp_path / "victim" / "store", kind) == expected


def test_kill_9_mid_google_sync_then_rerun_ends_in_the_same_state(tmp_path: Path) -> None:
    with fake_google() as (base, state):
        state.page_size = 3
        for day in range(60):
            state.put_event(
                "primary",
                event(
                    ["sam@mercy.org"],
                    f"Check-in {day}",
                    NOW - timedelta(days=day + 1),
                    event_id=f"e{day}",
                ),
            )
            state.send(f"m{day}", "sam@mercy.org", f"Note {day}", NOW - timedelta(days=day))
        # 20 calendar pages, then 20 of sent mail. Each child resumes where the last one
        # stopped (held at its N-th page, it has stored N-2), so these kill it in the
        # calendar, across the switch to mail, and in the mail.
        kill_and_rerun(tmp_path, "google", base, 120, [1, 3, 9, 12, 4, 6])


def test_kill_9_mid_imap_sync_then_rerun_ends_in_the_same_state(tmp_path: Path) -> None:
    from servers import imap_server
    from test_caldav_imap_sync import append

    with imap_server() as port:
        for index in range(150):
            append(
                port,
                f"m{index}",
                "sam@mercy.org",
                f"Note {index}",
                NOW - timedelta(hours=index + 1),
            )
        kill_and_rerun(tmp_path, "imap", str(port), 150, [1, 2])


def test_kill_9_mid_caldav_sync_then_rerun_ends_in_the_same_state(tmp_path: Path) -> None:
    import caldav

    from servers import radicale
    from test_caldav_imap_sync import vevent

    with radicale(tmp_path / "radicale") as url:
        calendar = (
            caldav.DAVClient(url=url, username="alex", password="x")
            .principal()
            .make_calendar(name="Work")
        )
        for index in range(40):
            calendar.save_event(
                vevent(f"u{index}", ["sam@mercy.org"], "Check-in", NOW - timedelta(days=index + 1))
            )
        kill_and_rerun(tmp_path, "caldav", url, 40, [1, 2])


async def test_the_tui_and_a_background_sync_write_together(tmp_path: Path) -> None:
    """The TUI logs touches while another process writes: nothing lost, nothing doubled."""
    from ui.helpers import make_app, settle

    app = make_app(tmp_path)
    writer = str(Path(__file__).with_name("writer_child.py"))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        child = subprocess.Popen(
            [sys.executable, writer, str(tmp_path), "bg", "300", "50"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        partner = app.board.cards[0]  # type: ignore[union-attr]
        for index in range(40):
            app.log_touchpoint(partner.id, TouchEntry("call", note=f"tui {index}"))
            await pilot.pause()
        _, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
        await settle(pilot)
        app.check_store()
        await settle(pilot)
    repo = open_store(tmp_path)
    notes = [t.note for t in repo.touchpoints(partner.id) if t.note.startswith("tui ")]
    assert sorted(notes) == sorted(f"tui {i}" for i in range(40))
    assert len(repo.touchpoints("partner-bg")) == 300


def test_the_progress_bar_counts_steps_and_is_silent_off_a_terminal(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from nurture_tui.commands.sync import _progress

    with _progress(False, 2) as advance:
        advance("google: calendar")
    assert capsys.readouterr().err == ""
    with _progress(True, 2) as advance:
        for stage in ("calendar", "sent mail", "done"):
            advance(f"google: {stage}")
