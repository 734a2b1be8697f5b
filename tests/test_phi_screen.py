"""The PHI screen: patient identifiers in free text warn in notes and block invites."""

from __future__ import annotations

from datetime import timedelta

import pytest

from nurture_tui.domain.errors import ValidationError
from nurture_tui.domain.phi import phi_findings
from nurture_tui.services import records
from nurture_tui.services.invites import create_invite
from nurture_tui.services.playbook import effective_playbook, guardrail_warnings
from nurture_tui.services.session import Session


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("respite for John Smith DOB 3/4/1950", "date of birth"),
        ("born 1950, lives alone", "date of birth"),
        ("Medicaid 123456789", "Medicaid/Medicare"),
        ("MRN: 00A1234", "record"),
        ("her MBI is 1EG4TE5MK73", "Medicare"),
        ("SSN 123-45-6789", "Social Security"),
        ("member 1234567890", "long number"),
        ("call her daughter at (555) 123-4567", "phone number"),
        ("ask rosa@gmail.com", "email"),
        ("Mrs. Alvarez was referred for respite", "title and surname"),
    ],
)
def test_identifier_shapes_are_found_and_named_without_echoing(text: str, kind: str) -> None:
    findings = phi_findings(text)
    assert any(kind in finding for finding in findings), findings
    assert not any(part in " ".join(findings) for part in ("1950", "4567", "Alvarez", "rosa@"))


@pytest.mark.parametrize(
    "text",
    [
        "Quarterly check-in about waiver slots",
        "policy review with the case management team",
        "lunch with Sam on 3/4",
        "Dr. Patel's office hours",  # a partner's physician, no referral words
        "sent the newsletter to sam@hope.org",  # a known contact
    ],
)
def test_ordinary_partner_notes_pass(text: str) -> None:
    assert phi_findings(text, known_emails=["sam@hope.org"]) == []


def test_a_note_with_an_identifier_warns_and_is_kept(session: Session) -> None:
    partner = records.add_partner(session, "Hope Hospice", "hospice")
    draft = records.draft_touchpoint(
        session, partner.id, "call", note="update on Mrs. Alvarez, referred 11/2, DOB 3/4/1950"
    )
    warnings = guardrail_warnings(session, effective_playbook().playbook, draft)
    screen = [w for w in warnings if w.rule == "phi-screen"]
    assert len(screen) == 1 and "note" in screen[0].message
    assert "Alvarez" not in screen[0].message
    assert records.save_touchpoint(session, draft).note.startswith("update on")


def test_an_invite_with_an_identifier_is_refused(session: Session) -> None:
    partner = records.add_partner(session, "Hope Hospice", "hospice")
    records.add_contact(session, partner.id, "Sam Ortiz", emails=["sam@hope.org"])
    start = session.now() + timedelta(days=3)
    with pytest.raises(ValidationError, match="patient identifier"):
        create_invite(session, partner.id, "check-in", start, title="Mrs. Alvarez referral")
    with pytest.raises(ValidationError, match="patient identifier"):
        create_invite(session, partner.id, "check-in", start, location="call 555-123-4567")
    assert create_invite(session, partner.id, "check-in", start).title
