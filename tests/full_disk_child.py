"""A long-lived writer (like the TUI) that hits a full disk, then gets space back.

Usage: full_disk_child.py STORE_DIR LIMIT_BYTES

The soft RLIMIT_FSIZE makes every write past LIMIT_BYTES fail with EFBIG (SIGXFSZ is
ignored), which SQLite sees as a full disk. The child prints each acknowledged id, "FULL"
with the one-line error once saves fail, then raises its soft limit back to the hard one
("space freed") and keeps writing in the same process, as a TUI left open would.
"""

from __future__ import annotations

import resource
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

from nurture_tui.domain.errors import NurtureError
from nurture_tui.domain.kinds import PartnerKind, TouchpointKind
from nurture_tui.domain.model import Partner, Touchpoint
from nurture_tui.store.opening import open_store


def touch(index: int) -> Touchpoint:
    return Touchpoint(
        id=f"t-{index}",
        partner_id="p-full",
        kind=TouchpointKind.CALL,
        at=datetime.now(UTC),
        note="n" * 400,  # big rows fill pages fast
    )


def main() -> None:
    directory, limit = Path(sys.argv[1]), int(sys.argv[2])
    repo = open_store(directory)
    repo.save(Partner(id="p-full", name="Full Disk Clinic", kind=PartnerKind.OTHER))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    index = 0
    failures = 0
    while failures < 5 and index < 100_000:
        try:
            repo.save(touch(index))
        except NurtureError as exc:
            if failures == 0:
                print(f"FULL {exc}", flush=True)
            failures += 1
        else:
            print(f"ACK t-{index}", flush=True)
        index += 1
    resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))  # the rep frees some space
    for later in range(index, index + 20):
        repo.save(touch(later))
        print(f"ACK t-{later}", flush=True)


if __name__ == "__main__":
    main()
