"""Shared helpers: a full-scale store built once per run, timers and a report line."""

from __future__ import annotations

import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from nurture_tui.config import Settings
from nurture_tui.services.demo import DemoSize, load_demo
from nurture_tui.services.session import Session
from nurture_tui.store.opening import open_store

FULL = DemoSize(partners=5_000, touchpoints=250_000, seed=7)
TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def machine() -> str:
    import os

    return (
        f"{platform.machine()} {platform.processor() or ''} {os.cpu_count()} cores, "
        f"Python {platform.python_version()}".replace("  ", " ")
    )


def session_at(directory: Path) -> Session:
    return Session(open_store(directory), Settings(timezone="America/Chicago"), lambda: NOW)


def build_store(size: DemoSize = FULL, directory: Path | None = None) -> Path:
    directory = directory or Path(tempfile.mkdtemp(prefix="nurture-bench-"))
    started = time.perf_counter()
    load_demo(session_at(directory), size, force=True)
    print(
        f"  built {size.partners:,} partners / {size.touchpoints:,} touchpoints "
        f"in {time.perf_counter() - started:.1f} s at {directory}"
    )
    return directory


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return p50, p95


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started
