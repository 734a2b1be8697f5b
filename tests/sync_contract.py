"""One contract every sync source passes (vdirsyncer's StorageTests, for us).

A test class for a source inherits ``SyncSourceContract`` and provides the ``world``
fixture: a Session with partners and contacts, a source, and a ``World`` through which the
contract adds meetings and sent mail at the source and injects faults.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from nurture_tui.domain.kinds import TouchpointStatus
from nurture_tui.services.session import Session
from nurture_tui.sync.ports import SyncSource
from nurture_tui.sync.runner import run_sync

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


@dataclass
class World:
    session: Session
    source: Callable[[], SyncSource]
    add_meeting: Callable[[str, list[str], str, datetime], None]  # id, attendees, title, start
    remove_meeting: Callable[[str], None]
    send_mail: Callable[[str, str, str, datetime], None]  # id, to, subject, when
    fail_next: Callable[[int], None]  # make the next calendar request fail with this status
    mercy_id: str
    hope_id: str


class SyncSourceContract:
    def touches(self, world: World, partner_id: str) -> list:  # type: ignore[type-arg]
        return list(world.session.repo.touchpoints(partner_id))

    def test_meetings_and_sent_mail_become_touchpoints(self, world: World) -> None:
        world.add_meeting("m1", ["sam@mercy.org"], "Check-in with Mercy", NOW - timedelta(days=3))
        world.add_meeting(
            "m2", ["nora@hopehospice.org"], "Zoom in-service", NOW + timedelta(days=5)
        )
        world.send_mail(
            "e1", "Sam Ortiz <sam@mercy.org>", "Article on fall prevention", NOW - timedelta(days=1)
        )
        report = run_sync(world.session, world.source())
        assert report.status == "ok", report.message
        mercy = self.touches(world, world.mercy_id)
        assert sorted(t.kind.value for t in mercy) == ["check-in", "email"]
        [planned] = self.touches(world, world.hope_id)
        assert planned.kind.value == "in-service" and planned.status is TouchpointStatus.PLANNED

    def test_running_twice_changes_nothing(self, world: World) -> None:
        world.add_meeting("m1", ["sam@mercy.org"], "Check-in", NOW - timedelta(days=3))
        world.send_mail("e1", "sam@mercy.org", "Hello", NOW - timedelta(days=1))
        run_sync(world.session, world.source())
        revision = world.session.repo.revision
        again = run_sync(world.session, world.source())
        assert again.created == again.updated == again.removed == 0
        assert world.session.repo.revision == revision, "a no-change sync writes nothing"

    def test_a_deleted_meeting_cancels_its_touchpoint(self, world: World) -> None:
        world.add_meeting("m1", ["sam@mercy.org"], "Care plan", NOW + timedelta(days=2))
        run_sync(world.session, world.source())
        world.remove_meeting("m1")
        run_sync(world.session, world.source())
        [touch] = self.touches(world, world.mercy_id)
        assert touch.status is TouchpointStatus.CANCELLED

    def test_a_failure_mid_sync_keeps_the_cursor_and_the_rerun_completes(
        self, world: World
    ) -> None:
        world.add_meeting("m1", ["sam@mercy.org"], "Check-in", NOW - timedelta(days=3))
        run_sync(world.session, world.source())
        world.add_meeting("m2", ["sam@mercy.org"], "Meeting", NOW - timedelta(days=1))
        world.fail_next(500)
        failed = run_sync(world.session, world.source())
        assert failed.status != "ok"
        assert "again" in failed.message or "retry" in failed.message
        ok = run_sync(world.session, world.source())
        assert ok.status == "ok" and ok.created == 1
        assert len(self.touches(world, world.mercy_id)) == 2

    def test_unknown_people_met_with_a_partner_go_to_triage(self, world: World) -> None:
        world.add_meeting(
            "m1",
            ["sam@mercy.org", "newnurse@mercy-partners.net"],
            "Meeting",
            NOW - timedelta(days=3),
        )
        report = run_sync(world.session, world.source())
        assert report.unmatched == 1
        assert world.session.repo.state("unmatched:newnurse@mercy-partners.net")
