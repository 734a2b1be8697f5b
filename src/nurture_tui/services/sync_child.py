"""The TUI's sync, run in a child process.

A sync of 10,000 events is seconds of Python (parsing, matching, writing) and minutes of
waiting at worst (the retry budget). In the TUI's own process that work takes the
interpreter lock from the UI thread again and again, and every key waits its turn. So the
TUI hands the sync to a child process, as it does the day's first playbook pass: the child
syncs each connected source page by page into the store (each page is committed with its
cursor) and prints the reports; the TUI waits in a worker thread, which holds no lock, and
picks up the pages as they land like any other process's writes.

The parent sends the child what it syncs under (where the store is, the settings, who
acts) as a pickle on stdin — data the parent made a moment ago, never a file. Stopping
the worker stops the child: the pages already stored stay, and the next sync resumes.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from nurture_tui.domain.errors import NurtureError
from nurture_tui.services.session import Session
from nurture_tui.sync.runner import SyncCancelled

#: How often the waiting worker looks whether it was cancelled (seconds).
CANCEL_CHECK_SECONDS = 0.2


class SyncStopped(NurtureError):
    """The sync's child process ended without its reports (a crash): said in one line."""


def sync_in_child(
    session: Session, names: list[str], *, cancelled: Callable[[], bool] = lambda: False
) -> list[dict[str, Any]] | None:
    """Sync ``names`` in a child process; each source's report as ``SyncReport.as_json``.

    None when no child process can be started here: the caller syncs in its own process.
    A cancel stops the child (SyncCancelled); a child that dies says so (SyncStopped).
    """
    job = {
        "directory": str(session.repo.directory),
        "settings": session.settings,
        "actor": str(getattr(session.repo, "actor", "nurture")),
        "names": names,
    }
    try:
        child = subprocess.Popen(
            [sys.executable, "-m", "nurture_tui.services.sync_child"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    except OSError:
        return None
    out, err = _wait(child, pickle.dumps(job), cancelled)
    try:
        reports: list[dict[str, Any]] = orjson.loads(out)
    except orjson.JSONDecodeError:
        lines = err.decode(errors="replace").strip().splitlines()
        why = lines[-1] if lines else f"exit {child.returncode}"
        raise SyncStopped(
            f"the sync stopped unexpectedly ({why}); what it stored is kept — sync again"
        ) from None
    return reports


def _wait(
    child: subprocess.Popen[bytes], job: bytes, cancelled: Callable[[], bool]
) -> tuple[bytes, bytes]:
    """The child's output once it ends; stopped (and SyncCancelled) if the caller cancels."""
    given: bytes | None = job
    while True:
        try:
            return child.communicate(given, timeout=CANCEL_CHECK_SECONDS)
        except subprocess.TimeoutExpired:
            given = None  # sent once: communicate keeps what it has read so far
            if cancelled():
                child.terminate()
                child.communicate()
                raise SyncCancelled("sync stopped; what arrived so far is kept") from None


def run(job: dict[str, Any]) -> list[dict[str, Any]]:
    """The child's work: each source set up, synced and recorded on its own."""
    from nurture_tui.services import sync as service
    from nurture_tui.store.opening import open_store

    settings = job["settings"]
    repo = open_store(Path(job["directory"]), url=settings.store_url, actor=job["actor"])
    session = Session(repo, settings)
    reports = []
    try:
        for name in job["names"]:
            try:
                source = service.load_source(session, name)
            except NurtureError as exc:  # recorded; the other sources still run
                reports.append(service.setup_failed(session, name, exc))
                continue
            reports.append(service.sync(session, source))
    finally:
        repo.close()
    return [report.as_json() for report in reports]


def main() -> int:
    """``python -m nurture_tui.services.sync_child`` with the job pickled on stdin."""
    with contextlib.suppress(OSError):
        os.nice(10)  # the rep's keys come first: the sync is background work
    job = pickle.loads(sys.stdin.buffer.read())  # the parent's own job (see the docstring)
    reply = sys.stdout.buffer
    sys.stdout = sys.stderr  # whatever a library prints must not garble the reports
    try:
        reports = run(job)
    except NurtureError as exc:  # the store can't be opened, ...: one line for the parent
        print(" ".join(str(exc).split()), file=sys.stderr)  # one line: the parent shows it
        return 1
    reply.write(orjson.dumps(reports))
    reply.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
