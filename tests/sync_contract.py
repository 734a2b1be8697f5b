"""One contract every sync source passes (vdirsyncer's StorageTests, for us).

A test class for a source inherits ``SyncSourceContract`` and provides the ``world``
fixture: a Session with partners and contacts, a source, and a ``World`` through which the
contract adds meetings and sent mail at the source and injects faults.

``SourcePluginContract`` is the other half: the installed plugin found by its entry point,
its options checked like every setting, and sign-in (``status`` / ``logout`` and refusing
to start without its settings) — for the four that ship and the in-memory example alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from nurture_tui.domain.errors import ValidationError
from nurture_tui.domain.kinds import TouchpointStatus
from nurture_tui.services.session import Session
from nurture_tui.sync.contract import SignInRequired, SourcePlugin, SyncSource
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


# --- the sign-in and options half of the contract ---------------------------------------------


class SourcePluginContract:
    """What every installed source's plugin does, whoever wrote it (the four that ship and
    the in-memory example alike). A test class sets ``name`` and provides ``keyring`` (a
    fresh in-memory keyring in force) and ``session`` (a Session on a real store); no
    network is needed: nothing here may reach the source's server."""

    name: str

    def plugin(self) -> SourcePlugin:
        from nurture_tui.sync.sources import load_plugin

        return load_plugin(self.name)

    def configured(self, session: Session) -> Session:
        """The session with every required option set to a plausible value."""
        from dataclasses import replace

        values = {
            o.key(self.name): ("https://dav.example.org/" if o.kind == "url" else "example")
            for o in self.plugin().options
            if o.required
        }
        settings = replace(session.settings, sources={**session.settings.sources, **values})
        return replace(session, settings=settings)

    def test_it_is_found_by_its_entry_point_and_names_itself_so(self) -> None:
        from nurture_tui.sync.contract import SourcePlugin
        from nurture_tui.sync.sources import installed_sources

        [found] = [s for s in installed_sources() if s.name == self.name]
        assert found.problem == "" and isinstance(found.plugin, SourcePlugin)
        assert found.plugin.name == self.name and found.plugin.title

    def test_its_options_are_settings_checked_by_the_usual_rules(self) -> None:
        from nurture_tui.config import check_setting, setting_keys

        options = self.plugin().options
        assert len({o.name for o in options}) == len(options)
        for option in options:
            key = option.key(self.name)
            assert key in setting_keys() and option.help.strip()
            if option.default != "":
                assert check_setting(key, option.default) == option.default
            if option.kind in ("text", "url", "path"):
                with pytest.raises(ValidationError, match="escape codes"):
                    check_setting(key, "x\x1b]0;pwned\x07")
            if option.kind == "int":
                with pytest.raises(ValidationError, match="whole number"):
                    check_setting(key, "lots")
            if option.kind == "url":
                with pytest.raises(ValidationError, match="https"):
                    check_setting(key, "http://plain.example.org/")

    def test_status_with_nothing_stored_is_not_connected_and_says_how(
        self, keyring: object, session: Session
    ) -> None:
        from nurture_tui.services import sync as service

        status = service.sign_in_status(session, self.name)
        assert status.connected is False
        assert f"nurture auth {self.name}" in status.detail

    def test_logout_with_nothing_stored_is_fine_and_forgets_the_connection(
        self, keyring: object, session: Session
    ) -> None:
        from nurture_tui.services import sync as service

        session.repo.put_state(f"source:{self.name}", {"enabled": True})
        assert self.name in service.configured_sources(session)
        assert service.sign_out(session, self.name)
        assert service.sign_out(session, self.name), "twice is fine too"
        assert self.name not in service.configured_sources(session)
        assert service.sign_in_status(session, self.name).connected is False

    def test_a_sync_without_a_sign_in_stops_before_it_starts_and_says_how(
        self, keyring: object, session: Session
    ) -> None:
        from nurture_tui.services import sync as service

        with pytest.raises(SignInRequired, match=f"nurture auth {self.name}"):
            service.load_source(self.configured(session), self.name)

    def test_sign_in_and_sync_refuse_while_a_required_option_is_unset(
        self, keyring: object, session: Session
    ) -> None:
        from nurture_tui.services import sync as service

        required = [o for o in self.plugin().options if o.required]
        if not required:
            pytest.skip(f"{self.name} needs no setting before it signs in")
        key = required[0].key(self.name)
        asked: list[str] = []

        class Asking:
            def say(self, text: str) -> None:
                asked.append(text)

            def ask(self, question: str, *, secret: bool = False) -> str:
                asked.append(question)
                return "pw"

        for attempt in (
            lambda: service.sign_in(session, self.name, Asking()),
            lambda: service.load_source(session, self.name),
        ):
            with pytest.raises(ValidationError, match=f"nurture config set {key}") as caught:
                attempt()
            assert "\n" not in str(caught.value)
        assert asked == [], "nothing is asked before the settings it needs are there"
