"""A child process for the crash and concurrent-writer tests: writes and reports each ack."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

from nurture_tui.domain.kinds import PartnerKind, TouchpointKind
from nurture_tui.domain.model import Partner, Touchpoint
from nurture_tui.store.opening import open_store


def main() -> None:
    directory, tag, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    repo = open_store(directory, actor=tag)
    partner = Partner(id=f"partner-{tag}", name=tag, kind=PartnerKind.OTHER)
    repo.save(partner)
    for index in range(count):
        touch = Touchpoint(
            id=f"{tag}-{index}",
            partner_id=partner.id,
            kind=TouchpointKind.CALL,
            at=datetime.now(UTC),
            note="x" * (index % 200),
        )
        repo.save(touch)
        print(touch.id, flush=True)  # acknowledged: save() returned after the commit


if __name__ == "__main__":
    main()
