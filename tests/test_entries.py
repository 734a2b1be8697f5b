"""What the rep typed into a form is validated once, in ``services.entries``: every refusal
names the field it is about (the form shows it there), and nothing is written on a refusal.
Real SQLite store (the ``session`` fixture)."""

from __future__ import annotations

import pytest

from nurture_tui.domain.model import Partner
from nurture_tui.services import entries, records
from nurture_tui.services.fields import FieldError
from nurture_tui.services.history import recent_changes
from nurture_tui.services.session import Session


@pytest.fixture
def mercy(session: Session) -> Partner:
    return records.add_partner(session, "Mercy General", "hospital")


def refused(call: object) -> FieldError:
    """The FieldError a call raises (the call is a zero-argument lambda)."""
    assert callable(call)
    with pytest.raises(FieldError) as caught:
        call()
    return caught.value


@pytest.mark.parametrize(
    ("entry", "field", "words"),
    [
        (entries.ContactEntry(""), "name", "cannot be empty"),
        (entries.ContactEntry("Nora", emails="not-an-email"), "emails", "not an email"),
        (entries.ContactEntry("Nora", birthday="9999-01-01"), "birthday", "between 1900"),
        (entries.ContactEntry("Nora", started="31/31/31"), "started", "start date"),
        (entries.ContactEntry("Nora", milestone="2026-12-01"), "milestone", "a few words"),
        (entries.ContactEntry("Nora", milestone="9999-12-01 x"), "milestone", "between 1900"),
    ],
)
def test_contact_refusals_name_their_field(
    session: Session, mercy: Partner, entry: entries.ContactEntry, field: str, words: str
) -> None:
    before = len(recent_changes(session, 50))
    error = refused(lambda: entries.save_contact(session, mercy.id, entry))
    assert error.field == field and words in str(error)
    assert len(recent_changes(session, 50)) == before, "nothing written"


def test_an_email_that_belongs_to_someone_else_is_refused_beside_emails(
    session: Session, mercy: Partner
) -> None:
    entries.save_contact(session, mercy.id, entries.ContactEntry("Sam", emails="sam@mercy.org"))
    error = refused(
        lambda: entries.save_contact(
            session, mercy.id, entries.ContactEntry("Pat", emails="SAM@mercy.org")
        )
    )
    assert error.field == "emails" and "already belongs" in str(error)


def test_a_new_contact_with_a_milestone_and_linkedin_is_one_change(
    session: Session, mercy: Partner
) -> None:
    before = recent_changes(session, 1)[0].seq
    contact = entries.save_contact(
        session,
        mercy.id,
        entries.ContactEntry(
            "Nora Baker", milestone="2026-12-01 promoted", linkedin_connected=True
        ),
    )
    assert [m.note for m in contact.milestones] == ["promoted"] and contact.linkedin_connected
    assert [c.summary for c in recent_changes(session, 5) if c.seq > before] == [
        "Added contact Nora Baker"
    ]
    # The form shows the latest milestone: an edit replaces it and keeps the earlier ones.
    entries.save_contact(
        session,
        mercy.id,
        entries.ContactEntry("Nora Baker", milestone="2026-12-01 promoted"),
        contact.id,
    )
    entries.save_contact(
        session,
        mercy.id,
        entries.ContactEntry("Nora Baker", milestone="2027-01-06 retiring soon"),
        contact.id,
    )
    notes = [m.note for m in session.repo.contact(contact.id).milestones]
    assert notes == ["retiring soon"]


def test_an_edit_keeps_the_earlier_milestones(session: Session, mercy: Partner) -> None:
    from datetime import date

    from nurture_tui.domain.model import Milestone

    contact = records.add_contact(
        session,
        mercy.id,
        "Nora Baker",
        milestones=[Milestone(date(2025, 3, 1), "joined"), Milestone(date(2026, 1, 1), "lead")],
    )
    entry = entries.ContactEntry("Nora Baker", milestone="2026-12-01 promoted")
    entries.save_contact(session, mercy.id, entry, contact.id)
    notes = [m.note for m in session.repo.contact(contact.id).milestones]
    assert notes == ["joined", "promoted"]


@pytest.mark.parametrize(
    ("entry", "field"),
    [
        (entries.PartnerEntry("", "hospital"), "name"),
        (entries.PartnerEntry("Riverside", "castle"), "kind"),
        (entries.PartnerEntry("Riverside", "hospital", tier="Z"), "tier"),
        (entries.PartnerEntry("Riverside", "hospital", stage="asleep"), "stage"),
        (entries.PartnerEntry("Riverside", "hospital", domains="not a domain"), "domains"),
        (entries.PartnerEntry("Riverside", "hospital", npi="1234567890"), "npi"),
    ],
)
def test_partner_refusals_name_their_field(
    session: Session, entry: entries.PartnerEntry, field: str
) -> None:
    assert refused(lambda: entries.save_partner(session, entry)).field == field
    assert session.repo.partners() == []


def test_a_partner_name_loses_its_escape_codes_and_bidi_overrides(session: Session) -> None:
    partner = entries.save_partner(
        session, entries.PartnerEntry("\x1b]0;pwned\x07Mercy\u202e General", "hospital")
    )
    assert "\x1b" not in partner.name and "\u202e" not in partner.name
    assert "Mercy" in partner.name


@pytest.mark.parametrize(
    ("typed", "words"),
    [("9999-12-31 10:00", "between 1900 and 2199"), ("the day after never", "")],
)
def test_a_touch_time_that_will_not_do_is_refused_beside_at(
    session: Session, mercy: Partner, typed: str, words: str
) -> None:
    entry = entries.TouchEntry("check-in", when=typed)
    error = refused(lambda: entries.log_touch(session, mercy.id, entry))
    assert error.field == "at" and words in str(error)
    assert session.repo.touchpoints(mercy.id) == []


def test_a_contact_from_another_partner_is_refused_beside_contact(
    session: Session, mercy: Partner
) -> None:
    other = records.add_partner(session, "Hope Hospice", "hospice")
    nora = records.add_contact(session, other.id, "Nora")
    entry = entries.TouchEntry("check-in", contact_ids=(nora.id,))
    assert refused(lambda: entries.log_touch(session, mercy.id, entry)).field == "contact"


def test_warnings_wait_for_a_time_still_being_typed(session: Session, mercy: Partner) -> None:
    from nurture_tui.domain.playbook.config import load_playbook
    from nurture_tui.services.lookups import partner_history
    from nurture_tui.services.playbook import default_playbook_text

    playbook = load_playbook(default_playbook_text())
    history = partner_history(session, mercy.id)
    half = entries.TouchEntry("gift", when="yesterday 3")
    assert entries.touch_warnings(session, half, history, playbook) == []
    gift = entries.TouchEntry("gift")
    assert entries.touch_warnings(session, gift, history, playbook), "a gift with no referral"


@pytest.mark.parametrize(
    ("received", "words"),
    [("9999-01-01", "between 1900"), ("2026-12-25", "future"), ("someday", "")],
)
def test_referral_received_refusals_name_received(
    session: Session, mercy: Partner, received: str, words: str
) -> None:
    entry = entries.ReferralEntry(received)
    error = refused(lambda: entries.record_referral(session, mercy.id, entry))
    assert error.field == "received" and words in str(error)
    assert session.repo.referrals(mercy.id) == []


def test_patient_data_in_the_service_detail_is_refused_beside_it(
    session: Session, mercy: Partner
) -> None:
    entry = entries.ReferralEntry("today", service_detail="DOB 03/14/1950 MRN 12345678")
    error = refused(lambda: entries.record_referral(session, mercy.id, entry))
    assert error.field == "service_detail" and "patient data" in str(error)


def test_invite_start_and_minutes_are_read_by_the_service(
    session: Session, mercy: Partner, tmp_path: object
) -> None:
    from pathlib import Path

    folder = Path(str(tmp_path))
    bad_start = entries.InviteEntry("check-in", "9999-01-01 10:00")
    assert refused(lambda: entries.plan_invite(session, mercy.id, bad_start, folder)).field == (
        "start"
    )
    bad_minutes = entries.InviteEntry("check-in", "2026-12-01 10:00", minutes="an hour")
    error = refused(lambda: entries.plan_invite(session, mercy.id, bad_minutes, folder))
    assert error.field == "minutes"
    assert list(folder.glob("*.ics")) == []


def test_details_name_the_setting_refused(session: Session) -> None:
    error = refused(lambda: entries.save_details(session, {"rep_email": "not an address"}))
    assert error.field == "rep_email"
    needed = refused(lambda: entries.save_details(session, {"rep_name": ""}, needed=("rep_name",)))
    assert needed.field == "rep_name" and "needed" in str(needed)
