"""The last resort: a crash report that helps fix the bug and carries no record data.

Only where the code was (files, lines, functions) and the exception's type are written, never
its message or any variable: a message can hold a partner's name or a participant reference.
The file is 0600 in the user's state directory.
"""

from __future__ import annotations

import os
import platform
import traceback
from datetime import UTC, datetime
from pathlib import Path

import platformdirs

from nurture_tui import __version__


def crash_directory() -> Path:
    chosen = os.environ.get("NURTURE_CRASH_DIR")
    return Path(chosen) if chosen else Path(platformdirs.user_state_dir("nurture")) / "crashes"


def write_crash_report(exc: BaseException) -> Path | None:
    """Write the report; None if even that fails (the caller still prints one line)."""
    try:
        directory = crash_directory()
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        path = directory / f"crash-{stamp}.txt"
        frames = traceback.extract_tb(exc.__traceback__)
        lines = [
            f"nurture {__version__}, Python {platform.python_version()}, {platform.system()}",
            f"{type(exc).__module__}.{type(exc).__qualname__}",
            *(f"  {Path(f.filename).name}:{f.lineno} in {f.name}" for f in frames),
        ]
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
        return path
    except OSError:
        return None
