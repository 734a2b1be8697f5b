"""Importing real-world-shaped .ics: matching, idempotency, updates, cancellations, bad files."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from nurture_tui.config import Settings
from nurture_tui.domain.errors import ValidationError
from nurture_tui.domain.kinds import TouchpointStatus
from nurture_tui.services import records
from nurture_tui.services.ics_import import import_ics
from nurture_tui.services.session import Session
from nurture_tui.store.opening import open_store

FIXTURES = Path(__file__).parent / "fixtures" / "ics"
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


@pytest.fixture
def rep(tmp_path: Path) -> Session:
    settings = Settings(
        rep_email="alex@homecare.example",
        agency_domain="homecare.example",
        timezone="America/Chicago",
    )
    session = Session(open_store(tmp_path / "store"), settings, lambda: NOW)
    mercy = records.add_partner(session, "Mercy General", "hospital", domains=["mercy.org"])
    records.add_contact(session, mercy.id, "Sam Ortiz", emails=["sam@mercy.org"])
    hope = records.add_partner(session, "Hope Hospice", "hospice", domains=["hopehospice.org"])
    records.add_contact(session, hope.id, "Nora Baker", emails=["nora@hopehospice.org"])
    return session


def partner_id(session: Session, name: str) -> str:
    return next(p.id for p in session.repo.partners() if p.name == name)


def test_outlook_invite_with_a_windows_zone_becomes_a_check_in(rep: Session) -> None:
    report = import_ics(rep, FIXTURES / "outlook_request.ics")
    assert report.created == 1
    [touch] = rep.repo.touchpoints(partner_id(rep, "Mercy General"))
    assert touch.kind.value == "check-in" and touch.source == "ics"
    assert touch.at == datetime(2026, 11, 10, 16, 0, tzinfo=UTC)  # 10:00 Central
    assert touch.status is TouchpointStatus.DONE
    assert len(touch.contact_ids) == 1


def test_reimporting_the_same_file_changes_nothing(rep: Session) -> None:
    import_ics(rep, FIXTURES / "google_export.ics")
    revision = rep.repo.revision
    again = import_ics(rep, FIXTURES / "google_export.ics")
    assert again.created == again.updated == 0 and again.unchanged >= 1
    assert rep.repo.revision == revision


def test_google_export_matches_by_contact_then_domain_never_personal_mail(rep: Session) -> None:
    report = import_ics(rep, FIXTURES / "google_export.ics")
    hope = rep.repo.touchpoints(partner_id(rep, "Hope Hospice"))
    assert [t.kind.value for t in hope] == ["in-service"]
    mercy = rep.repo.touchpoints(partner_id(rep, "Mercy General"))
    kinds = sorted(t.kind.value for t in mercy)
    assert kinds == ["call", "meeting"]  # the floating call and the all-day fair (by domain)
    floating = next(t for t in mercy if t.kind.value == "call")
    assert floating.at == datetime(2026, 11, 12, 20, 0, tzinfo=UTC)  # X-WR-TIMEZONE Chicago
    assert report.unmatched == 1  # someone@gmail.com, met alongside a partner


def test_a_cancellation_with_a_higher_sequence_cancels_the_touchpoint(rep: Session) -> None:
    import_ics(rep, FIXTURES / "outlook_request.ics")
    report = import_ics(rep, FIXTURES / "outlook_cancel.ics")
    assert report.cancelled == 1
    [touch] = rep.repo.touchpoints(partner_id(rep, "Mercy General"))
    assert touch.status is TouchpointStatus.CANCELLED
    stale = import_ics(rep, FIXTURES / "outlook_request.ics")  # SEQUENCE 0 < 1: ignored
    assert stale.created == stale.updated == 0
    [touch] = rep.repo.touchpoints(partner_id(rep, "Mercy General"))
    assert touch.status is TouchpointStatus.CANCELLED


def test_recurrences_expand_with_exdates_and_moved_instances(rep: Session) -> None:
    import_ics(rep, FIXTURES / "apple_recurring.ics")
    touches = rep.repo.touchpoints(partner_id(rep, "Mercy General"))
    assert len(touches) == 19  # 20 weekly, one EXDATE
    assert all(t.kind.value == "care-coordination" for t in touches)  # "case review"
    moved = [t for t in touches if "(moved)" in t.purpose]
    assert len(moved) == 1 and moved[0].at.astimezone(UTC).hour == 15  # 11:00 New York
    future = [t for t in touches if t.at > NOW]
    assert future and all(t.status is TouchpointStatus.PLANNED for t in future)


def test_an_endless_daily_rule_is_expanded_only_inside_the_window(rep: Session) -> None:
    import_ics(rep, FIXTURES / "daily_forever.ics")
    touches = rep.repo.touchpoints(partner_id(rep, "Mercy General"))
    assert 300 < len(touches) <= 500


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("hostile_rrule.ics", "more often than daily"),
        ("broken_truncated.ics", "not a valid calendar file"),
    ],
)
def test_a_bad_file_is_refused_whole_naming_the_file(rep: Session, name: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as caught:
        import_ics(rep, FIXTURES / name)
    assert name in str(caught.value)
    assert rep.repo.touchpoint_count() == 0


def test_a_directory_goes_on_past_a_bad_file(rep: Session, tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    for name in ("outlook_request.ics", "broken_truncated.ics", "google_export.ics"):
        shutil.copy(FIXTURES / name, folder / name)
    report = import_ics(rep, folder)
    assert report.files == 2 and len(report.errors) == 1
    assert "broken_truncated.ics" in report.errors[0]
    assert rep.repo.touchpoint_count() == 4


def test_subjects_are_masked_for_participant_references(rep: Session, tmp_path: Path) -> None:
    mercy = partner_id(rep, "Mercy General")
    records.add_referral(rep, mercy, NOW.date(), participant_ref="WV-4242")
    text = (
        (FIXTURES / "outlook_request.ics")
        .read_text()
        .replace(
            "SUMMARY;LANGUAGE=en-US:Check-in with Mercy discharge planning",
            "SUMMARY:Check-in about WV-4242",
        )
    )
    path = tmp_path / "masked.ics"
    path.write_text(text)
    import_ics(rep, path)
    [touch] = rep.repo.touchpoints(mercy)
    assert "WV-4242" not in touch.purpose and "[participant]" in touch.purpose
