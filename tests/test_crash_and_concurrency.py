"""kill -9 at random moments loses no acknowledged write; concurrent writers lose nothing."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nurture_tui.store.opening import open_store
from store_helpers import integrity, stored_touchpoints

CHILD = str(Path(__file__).with_name("writer_child.py"))


def spawn(directory: Path, tag: str, count: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, CHILD, str(directory), tag, str(count)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def kill_at_random(directory: Path, rounds: int, seed: int) -> None:
    rng = random.Random(seed)
    acknowledged: set[str] = set()
    for round_number in range(rounds):
        child = spawn(directory, f"r{round_number}", 100_000)
        assert child.stdout is not None
        first = child.stdout.readline().strip()  # started and writing: now kill it mid-stream
        assert first, child.stderr.read() if child.stderr else "the writer died on start"
        time.sleep(rng.uniform(0.0, 0.3))  # the random instant (a write is ~5 ms)
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate()
        acknowledged |= {first, *(line for line in out.split() if line)}
        stored = set(stored_touchpoints(directory))  # must open cleanly after every crash
        missing = acknowledged - stored
        assert not missing, f"round {round_number}: lost {len(missing)} acknowledged writes"
        assert integrity(directory) == "ok"
    assert len(acknowledged) > 50, "the children should have written a good number"


def test_kill_9_at_random_moments_keeps_every_acknowledged_write(tmp_path: Path) -> None:
    kill_at_random(tmp_path / "store", rounds=12, seed=20261123)


@pytest.mark.slow
def test_kill_9_a_hundred_times_keeps_every_acknowledged_write(tmp_path: Path) -> None:
    kill_at_random(tmp_path / "store", rounds=100, seed=20261124)


@pytest.mark.parametrize("writers", [2, 4])
def test_processes_writing_at_once_lose_nothing(tmp_path: Path, writers: int) -> None:
    directory = tmp_path / "store"
    open_store(directory)
    tags = [f"w{n}" for n in range(writers)]
    children = [spawn(directory, tag, 150) for tag in tags]
    outputs = [child.communicate(timeout=180) for child in children]
    for child, (_, err) in zip(children, outputs, strict=True):
        assert child.returncode == 0, err
    stored = stored_touchpoints(directory)
    assert len(stored) == 150 * writers
    for tag in tags:
        assert {f"{tag}-{i}" for i in range(150)} <= set(stored)
    assert integrity(directory) == "ok"


def test_a_reader_sees_the_other_process_writes_on_refresh(tmp_path: Path) -> None:
    directory = tmp_path / "store"
    reader = open_store(directory)
    assert reader.touchpoint_count() == 0
    assert reader.histories() == []  # a snapshot, taken before the other process writes
    child = spawn(directory, "bg", 25)
    child.communicate(timeout=60)
    assert reader.refresh() is True
    assert reader.refresh() is False
    assert reader.touchpoint_count() == 25
    assert len(reader.touchpoints("partner-bg")) == 25
    assert len(reader.histories()[0].touchpoints) == 25  # the stale snapshot was reloaded
