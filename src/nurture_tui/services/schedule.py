"""Background sync: a low-footprint watch loop, and installing it as a systemd user timer
(Linux), a launchd agent (macOS), or a crontab line (elsewhere)."""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from nurture_tui.domain.errors import ValidationError

UNIT = "nurture-sync"
LAUNCHD_LABEL = "org.nurture.sync"


def parse_every(text: str) -> int:
    """'15m', '1h', '90s' or plain minutes -> seconds (at least a minute)."""
    match = re.fullmatch(r"\s*(\d+)\s*([smh]?)\s*", text)
    if not match:
        raise ValidationError(f"{text!r} is not an interval (say 15m, 1h or 90s)")
    value, unit = int(match.group(1)), match.group(2) or "m"
    seconds = value * {"s": 1, "m": 60, "h": 3600}[unit]
    if seconds < 60:
        raise ValidationError("sync at most once a minute: servers throttle faster clients")
    return seconds


def watch(
    run_once: Callable[[], bool],
    every: int,
    *,
    rounds: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Run ``run_once`` every ``every`` seconds (forever, or ``rounds`` times); returns the
    number of runs. A failed run waits longer (up to four intervals) before the next."""
    runs = 0
    failures = 0
    while rounds is None or runs < rounds:
        ok = run_once()
        runs += 1
        failures = 0 if ok else min(failures + 1, 3)
        if rounds is not None and runs >= rounds:
            break
        sleep(every * (1 + failures))
    return runs


def _command(every: str, data_dir: str | None) -> list[str]:
    nurture = shutil.which("nurture") or f"{sys.executable} -m nurture_tui.cli"
    parts = [*nurture.split(), "sync", "all"]
    if data_dir:
        parts += ["--data-dir", data_dir]
    return parts


def crontab_line(every: str, data_dir: str | None) -> str:
    minutes = max(parse_every(every) // 60, 1)
    schedule = f"*/{minutes} * * * *" if minutes < 60 else f"0 */{max(minutes // 60, 1)} * * *"
    return f"{schedule} {' '.join(_command(every, data_dir))} >/dev/null 2>&1"


def systemd_units(every: str, data_dir: str | None) -> dict[str, str]:
    seconds = parse_every(every)
    command = " ".join(_command(every, data_dir))
    return {
        f"{UNIT}.service": (
            "[Unit]\nDescription=Nurture: sync calendars and sent mail into touchpoints\n\n"
            f"[Service]\nType=oneshot\nExecStart={command}\nNice=10\n"
        ),
        f"{UNIT}.timer": (
            "[Unit]\nDescription=Run Nurture sync regularly\n\n"
            f"[Timer]\nOnBootSec=2min\nOnUnitActiveSec={seconds}s\nPersistent=true\n\n"
            "[Install]\nWantedBy=timers.target\n"
        ),
    }


def launchd_plist(every: str, data_dir: str | None) -> str:
    args = "".join(f"<string>{part}</string>" for part in _command(every, data_dir))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0'
        '//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n<plist version="1.0"><dict>'
        f"<key>Label</key><string>{LAUNCHD_LABEL}</string>"
        f"<key>ProgramArguments</key><array>{args}</array>"
        f"<key>StartInterval</key><integer>{parse_every(every)}</integer>"
        "<key>RunAtLoad</key><true/></dict></plist>\n"
    )


def systemd_directory() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "systemd" / "user"


def install(every: str, data_dir: str | None) -> str:
    """Install the schedule for this platform; returns what was done, in plain words."""
    system = platform.system()
    if system == "Linux" and shutil.which("systemctl"):
        directory = systemd_directory()
        directory.mkdir(parents=True, exist_ok=True)
        for name, text in systemd_units(every, data_dir).items():
            (directory / name).write_text(text, encoding="utf-8")
        _run(["systemctl", "--user", "daemon-reload"])
        _run(["systemctl", "--user", "enable", "--now", f"{UNIT}.timer"])
        return f"installed the systemd user timer {UNIT}.timer in {directory}"
    if system == "Darwin":
        path = Path.home() / "Library" / "LaunchAgents" / f"{LAUNCHD_LABEL}.plist"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(launchd_plist(every, data_dir), encoding="utf-8")
        _run(["launchctl", "load", "-w", str(path)])
        return f"installed the launchd agent {path}"
    return "add this line with `crontab -e`:\n" + crontab_line(every, data_dir)


def remove() -> str:
    system = platform.system()
    if system == "Linux" and shutil.which("systemctl"):
        _run(["systemctl", "--user", "disable", "--now", f"{UNIT}.timer"], check=False)
        for name in (f"{UNIT}.service", f"{UNIT}.timer"):
            (systemd_directory() / name).unlink(missing_ok=True)
        return f"removed {UNIT}.timer"
    if system == "Darwin":
        path = Path.home() / "Library" / "LaunchAgents" / f"{LAUNCHD_LABEL}.plist"
        _run(["launchctl", "unload", "-w", str(path)], check=False)
        path.unlink(missing_ok=True)
        return f"removed {path}"
    return "remove the `nurture sync` line with `crontab -e`"


def status() -> str:
    system = platform.system()
    if system == "Linux" and shutil.which("systemctl"):
        result = subprocess.run(
            ["systemctl", "--user", "is-active", f"{UNIT}.timer"],
            capture_output=True,
            text=True,
            check=False,
        )
        state = result.stdout.strip()
        if not state:  # systemctl could not answer at all (no user session bus, say)
            raise ValidationError(
                f"cannot ask systemd about {UNIT}.timer ({result.stderr.strip() or 'no answer'}); "
                "a user timer needs a logged-in session (or `loginctl enable-linger`)"
            )
        return f"{UNIT}.timer: {state}"
    if system == "Darwin":
        path = Path.home() / "Library" / "LaunchAgents" / f"{LAUNCHD_LABEL}.plist"
        return f"launchd agent {'installed' if path.exists() else 'not installed'}"
    return "check `crontab -l` for a `nurture sync` line"


def _run(command: list[str], *, check: bool = True) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise ValidationError(f"{' '.join(command)} failed: {result.stderr.strip()}")
