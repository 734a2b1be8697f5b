"""A team store announces each committed write (LISTEN/NOTIFY) to every listening TUI."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from nurture_tui.domain.errors import NurtureError
from nurture_tui.domain.kinds import PartnerKind, TouchpointKind
from nurture_tui.domain.model import Partner, Touchpoint
from nurture_tui.store.opening import open_store
from pg_server import postgres_db_url, postgres_store_url, postgres_url  # noqa: F401

#: Seconds a test waits before calling a notification lost (a bound for failing, never
#: a measured figure: a committed write is announced at once).
PATIENCE = 10.0


def test_a_colleague_s_commit_is_heard_and_a_rolled_back_write_is_not(
    postgres_store_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    rep_a = open_store(tmp_path / "a", url=postgres_store_url, actor="a@agency.org")
    rep_b = open_store(tmp_path / "b", url=postgres_store_url, actor="b@agency.org")
    listener = rep_b.change_listener()
    assert listener is not None
    try:
        assert not listener.wait(0.05)  # nothing written yet
        rep_a.save(Partner(id="p1", name="Mercy", kind=PartnerKind.HOSPITAL))
        assert listener.wait(PATIENCE)
        assert rep_b.refresh()  # and what was heard is there to read

        with pytest.raises(NurtureError):  # a touch for a partner nobody has: rolled back
            rep_a.save(
                Touchpoint(
                    id="t1",
                    partner_id="nobody",
                    kind=TouchpointKind.CALL,
                    at=datetime(2026, 1, 1, tzinfo=UTC),
                )
            )
        assert not listener.wait(0.3)

        burst = 5
        for n in range(burst):
            rep_a.save(Partner(id=f"q{n}", name=f"Quick {n}", kind=PartnerKind.OTHER))
        assert listener.wait(PATIENCE)
        # The server delivers each commit's notification on its own schedule, so a burst
        # may wake the listener more than once (a busy CI machine spreads it out) — but
        # never more often than there were writes, and then it falls quiet.
        wakes_after_the_first = 0
        while listener.wait(0.3):
            wakes_after_the_first += 1
            assert wakes_after_the_first < burst
    finally:
        listener.close()
        rep_a.close()
        rep_b.close()


def test_a_laptop_store_has_no_listener(tmp_path: Path) -> None:
    repo = open_store(tmp_path)
    assert repo.change_listener() is None
    repo.close()
