"""kill -9 at random moments loses no acknowledged write; two writers lose no update."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from nurture_tui.store.repository import StoreRepository

CHILD = str(Path(__file__).with_name("writer_child.py"))


def spawn(directory: Path, tag: str, count: int, compact_every: int = 50) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, CHILD, str(directory), tag, str(count), str(compact_every)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_kill_9_at_random_moments_keeps_every_acknowledged_write(tmp_path: Path) -> None:
    rng = random.Random(20261123)
    directory = tmp_path / "store"
    acknowledged: set[str] = set()
    for round_number in range(12):
        child = spawn(directory, f"r{round_number}", 100_000, compact_every=rng.choice([7, 40]))
        time.sleep(rng.uniform(0.3, 0.9))
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate()
        acknowledged |= {line for line in out.split() if line}
        repo = StoreRepository(directory)  # must open cleanly after every crash
        stored = set(repo.store.table("touchpoints"))
        missing = acknowledged - stored
        assert not missing, f"round {round_number}: lost {len(missing)} acknowledged writes"
    assert len(acknowledged) > 100, "the children should have written a good number"


def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    directory = tmp_path / "store"
    StoreRepository(directory)
    children = [spawn(directory, tag, 300, compact_every=64) for tag in ("tui", "sync")]
    outputs = [child.communicate(timeout=120) for child in children]
    for child, (_, err) in zip(children, outputs, strict=True):
        assert child.returncode == 0, err
    stored = StoreRepository(directory).store.table("touchpoints")
    assert len(stored) == 600
    assert {f"tui-{i}" for i in range(300)} <= set(stored)
    assert {f"sync-{i}" for i in range(300)} <= set(stored)


def test_a_reader_sees_the_other_process_writes_on_refresh(tmp_path: Path) -> None:
    directory = tmp_path / "store"
    reader = StoreRepository(directory)
    assert reader.touchpoint_count() == 0
    child = spawn(directory, "bg", 25, compact_every=10)
    child.communicate(timeout=60)
    assert reader.refresh() is True
    assert reader.touchpoint_count() == 25
    assert len(reader.touchpoints("partner-bg")) == 25
