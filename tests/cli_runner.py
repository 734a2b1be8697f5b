"""The real ``nurture`` command in a subprocess, as a rep or a cron job runs it: isolated
home and config, one place for the checks every CLI test makes (no traceback, ever)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

Preexec = Callable[[], None]


class Nurture:
    def __init__(
        self,
        home: Path,
        config: Path,
        *,
        env: dict[str, str] | None = None,
        preexec: Preexec | None = None,
    ) -> None:
        self.home = home
        self.env = {
            **os.environ,
            "NURTURE_HOME": str(home),
            "NURTURE_CONFIG_DIR": str(config),
            "NURTURE_TIMEZONE": "America/Chicago",
            **(env or {}),
        }
        self.preexec = preexec

    def __call__(
        self, *args: str, ok: bool = True, preexec: Preexec | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run ``nurture ARGS``; with ``ok`` it must succeed. ``preexec`` (a umask, a file
        size limit) runs in the child before the command, instead of the default one."""
        result = subprocess.run(
            [sys.executable, "-m", "nurture_tui.cli", *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            preexec_fn=preexec or self.preexec,
        )
        assert "Traceback" not in result.stderr, result.stderr
        if ok:
            assert result.returncode == 0, result.stderr
        return result

    def json(self, *args: str) -> object:
        return json.loads(self(*args, "--json").stdout)
