"""Keys through a real terminal (tmux, 120x40) at 5k partners / 250k touchpoints.

A key is "answered" when the screen tmux holds has changed: the time from ``send-keys`` to
the first ``capture-pane`` that differs. That includes tmux's own round trips (a bare
Textual app, measured the same way in the same run, gives the floor). Phases:

- launch: from starting ``nurture`` to the first painted board, then keys (down/up on the
  board) for the first 10 s after launch, while the day's actions arrive;
- settled: down/up and ``?``/escape (help) once everything is loaded;
- after a save: ``u`` in the TUI (undo, then redo, of a touch logged by the CLI), keys
  pressed right after each, while the board follows the write;
- the TUI's peak memory (VmHWM) at the end.

Run: ``.venv/bin/python benchmarks/bench_keys.py [STORE_DIR] [--cold] [--command=CMD]``.
``--cold`` empties the action cache first (a new day: the first pass runs in a child
process). ``--command`` runs another build (an older commit, for a before/after figure), e.g.
``--command="env PYTHONPATH=/tmp/before/src .venv/bin/python -m nurture_tui.cli"``.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from common import build_store, percentiles

ROOT = Path(__file__).resolve().parent.parent
NURTURE = str(ROOT / ".venv" / "bin" / "nurture")
SOCKET = f"nurture-bench-{os.getpid()}"
SESSION = "bench"


def tmux(*args: str) -> str:
    done = subprocess.run(["tmux", "-L", SOCKET, *args], capture_output=True, text=True)
    return done.stdout


def screen() -> str:
    return tmux("capture-pane", "-p", "-t", SESSION)


def wait_until(check: Callable[[str], bool], timeout: float = 30.0) -> float:
    """Seconds until the screen passes ``check`` (polled as fast as tmux answers)."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if check(screen()):
            return time.perf_counter() - started
    raise TimeoutError("the screen never showed it")


def whole(text: str) -> str:
    return text


def detail_line(text: str) -> str:
    """The board's line naming the selected card: what down/up change, and nothing else
    on the screen (a count arriving in the status bar is not an answer to a key)."""
    lines = text.splitlines()
    return lines[-4] if len(lines) >= 4 else ""


def answer(key: str, part: Callable[[str], str] = whole, timeout: float = 30.0) -> float:
    """Press ``key``; seconds until ``part`` of the screen changes."""
    before = part(screen())
    started = time.perf_counter()
    tmux("send-keys", "-t", SESSION, key)
    while time.perf_counter() - started < timeout:
        if part(screen()) != before:
            return time.perf_counter() - started
    raise TimeoutError(f"{key!r} was never answered")


def cursor(key: str) -> float:
    return answer(key, detail_line)


def shown(key: str, text: str, present: bool, timeout: float = 30.0) -> float:
    """Press ``key``; seconds until ``text`` is (or is no longer) on the screen: a whole
    screen drawn, not its first changed line."""
    started = time.perf_counter()
    tmux("send-keys", "-t", SESSION, key)
    while time.perf_counter() - started < timeout:
        if (text in screen()) is present:
            return time.perf_counter() - started
    raise TimeoutError(f"{key!r} was never answered")


HELP_TITLE = "Nurture — keys"
FORM_TITLE = "Log a touchpoint"


def opened_and_closed(key: str, title: str, rounds: int = 10) -> tuple[list[float], list[float]]:
    """``key`` until ``title`` is drawn, then escape until it is gone, ``rounds`` times:
    the two apart, because escape has a floor of its own (below)."""
    opened: list[float] = []
    closed: list[float] = []
    for _ in range(rounds):
        opened.append(shown(key, title, True))
        time.sleep(0.1)
        closed.append(shown("Escape", title, False))
        time.sleep(0.1)
    return opened, closed


def start(command: str, env: dict[str, str]) -> int:
    tmux("kill-server")
    while (
        subprocess.run(["tmux", "-L", SOCKET, "has-session"], capture_output=True).returncode == 0
    ):
        time.sleep(0.01)
    exports = " ".join(f"{k}={v}" for k, v in env.items())
    tmux(
        "new-session", "-d", "-s", SESSION, "-x", "120", "-y", "40", f"exec env {exports} {command}"
    )
    for _ in range(200):  # the server may still be starting (or the last one ending)
        pane = tmux("display", "-p", "-t", SESSION, "#{pane_pid}").strip()
        if pane:
            return int(pane)
        time.sleep(0.01)
    raise RuntimeError(f"tmux did not start {command!r}")


def peak_memory_mb(pid: int) -> float:
    """The process's (or its one child's: tmux may run it under a shell) peak RSS."""
    for candidate in [pid, *_children(pid)]:
        status = Path(f"/proc/{candidate}/status")
        text = status.read_text() if status.exists() else ""
        if "nurture" in Path(f"/proc/{candidate}/cmdline").read_text(errors="replace"):
            for line in text.splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    return float("nan")


def _children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(x) for x in found.split()]


def report(label: str, samples: list[float]) -> None:
    p50, p95 = percentiles(samples)
    print(
        f"  {label}: p50 {p50 * 1000:.0f} ms  p95 {p95 * 1000:.0f} ms  "
        f"worst {max(samples) * 1000:.0f} ms over {len(samples)} keys"
    )


def bare_floor(env: dict[str, str]) -> None:
    """The same measure on a bare Textual app: what tmux and Textual cost by themselves."""
    start(f"{sys.executable} {Path(__file__).parent / 'bare_app.py'}", env)
    wait_until(lambda s: "bare" in s)
    report("bare Textual app, down/up", [answer(k) for k in ["Down", "Up"] * 15])
    opened, closed = opened_and_closed("?", HELP_TITLE)
    report("bare Textual app, ? (a screen of help text pushed)", opened)
    # Textual takes a lone escape byte as Escape only once its input thread's 100 ms
    # poll finds nothing after it (ESCDELAY cannot shorten that): the floor of escape.
    report("bare Textual app, escape (the floor of any escape)", closed)


def main() -> None:
    print("keys through tmux (120x40)")
    if shutil.which("tmux") is None:
        print("  tmux is not installed (apt-get install tmux): not measured")
        return
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    cold = "--cold" in sys.argv
    command = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--command=")), NURTURE)
    source = Path(args[0]) if args else build_store()
    work = Path(tempfile.mkdtemp(prefix="nurture-keys-"))
    store = work / "store"
    shutil.copytree(source, store)
    config = work / "config"
    config.mkdir()
    (config / "config.toml").write_text(
        'rep_name = "Bench Rep"\nrep_email = "bench@agency.example"\n'
        'agency = "Bench Home Care"\ntimezone = "America/Chicago"\n'
        "sync_every_minutes = 0\n"
    )
    env = {"NURTURE_CONFIG_DIR": str(config), "TERM": "xterm-256color"}
    if cold:
        with sqlite3.connect(store / "nurture.db") as db:
            db.execute("DELETE FROM action_cache")
    # Something for the TUI's undo to take back (and redo): a touch logged by the CLI.
    first = subprocess.run(
        [*shlex.split(command), "--data-dir", str(store), "partner", "list", "--json"],
        capture_output=True,
        text=True,
        env=os.environ | env,
        check=True,
    )
    import json

    partner = json.loads(first.stdout)[0]["id"]
    subprocess.run(
        [
            *shlex.split(command),
            "--data-dir",
            str(store),
            "log",
            "--kind",
            "call",
            "--partner",
            partner,
        ],
        capture_output=True,
        env=os.environ | env,
        check=True,
    )
    try:
        bare_floor(env)
        launched = time.perf_counter()
        pid = start(f"{command} --data-dir {store}", env)
        painted = wait_until(lambda s: "Prospect" in s or "prospect" in s, 60)
        print(f"  launch to first painted board: {painted:.2f} s")
        for _ in range(3):  # away from the top, so up always moves too
            cursor("Down")
        early: list[float] = []
        lost = 0
        keys = iter(["Down", "Up"] * 1000)
        while time.perf_counter() - launched < 10:
            try:
                early.append(answer(next(keys), detail_line, timeout=3))
            except TimeoutError:  # the board jumped (an older build resets to the top)
                lost += 1
                cursor("Down")
        report("keys in the first 10 s after launch (down/up)", early)
        if lost:
            print(f"    ({lost} up-keys had nothing to move: the cursor had been reset)")
        time.sleep(2)
        report("settled, down/up", [cursor(k) for k in ["Down", "Up"] * 15])
        opened, closed = opened_and_closed("?", HELP_TITLE)
        report("settled, ? (help)", opened)
        report("settled, escape (help closed)", closed)
        opened, closed = opened_and_closed("t", FORM_TITLE)
        report("settled, t (the log form)", opened)
        report("settled, escape (the form cancelled)", closed)
        after: list[float] = []
        for _ in range(6):  # undo, redo, ...: a TUI write each, then keys at once
            answer("u")
            after.extend(cursor(k) for k in ["Down", "Up"] * 4)
            time.sleep(1)
        report("keys right after a save (u: undo/redo)", after)
        print(f"  TUI peak memory (VmHWM): {peak_memory_mb(pid):.0f} MB")
    finally:
        tmux("kill-server")
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
