"""Validation at the boundary and the record codecs."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from nurture_tui.domain import codec
from nurture_tui.domain.errors import ValidationError
from nurture_tui.domain.kinds import PartnerKind, TouchpointKind, parse_enum
from nurture_tui.domain.model import Touchpoint
from nurture_tui.domain.privacy import (
    clean_participant_ref,
    mask_references,
    new_participant_ref,
)
from nurture_tui.domain.validation import (
    clean_domain,
    clean_email,
    clean_npi,
    npi_is_valid,
    parse_date,
    parse_datetime,
)

CHICAGO = ZoneInfo("America/Chicago")


def test_emails_are_normalised_and_bad_ones_refused() -> None:
    assert clean_email("  Sam.Ortiz@Mercy.ORG ") == "sam.ortiz@mercy.org"
    with pytest.raises(ValidationError, match="not an email"):
        clean_email("sam at mercy")


def test_domains_accept_urls_and_refuse_junk() -> None:
    assert clean_domain("https://www.Mercy.org/about") == "mercy.org"
    with pytest.raises(ValidationError):
        clean_domain("not a domain")


@pytest.mark.parametrize("npi", ["1234567893", "1245319599"])
def test_valid_npis_pass_the_luhn_check(npi: str) -> None:
    assert npi_is_valid(npi)
    assert clean_npi(npi) == npi


@pytest.mark.parametrize("npi", ["1234567890", "123456789", "abcdefghij"])
def test_invalid_npis_are_refused(npi: str) -> None:
    with pytest.raises(ValidationError, match="not a valid NPI"):
        clean_npi(npi)


def test_naive_datetimes_are_taken_in_the_local_zone() -> None:
    moment = parse_datetime("2026-11-02 09:30", CHICAGO)
    assert moment.tzinfo is CHICAGO
    assert moment.astimezone(UTC).hour == 15
    assert parse_datetime("2026-11-02T09:30:00Z", CHICAGO).tzinfo is not None


def test_dates_accept_iso_and_us_forms() -> None:
    assert parse_date("2026-11-02") == parse_date("11/02/2026")
    with pytest.raises(ValidationError, match=r"is not a date .*2026-11-23"):
        parse_date("the tuesday after next")


def test_enum_errors_list_the_choices() -> None:
    with pytest.raises(ValidationError, match="hospital, physician-practice"):
        parse_enum(PartnerKind, "clinicx", "partner kind")


def test_generated_participant_refs_are_accepted_codes() -> None:
    for _ in range(2000):
        ref = new_participant_ref()
        assert ref.startswith("P-") and len(ref) == 7
        assert clean_participant_ref(ref) == ref


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("John Smith", "no digit"),
        ("J Smith 2", "no spaces"),
        ("19500304", "date"),
        ("JS", "no digit"),
        ("Johnson", "no digit"),
        ("1950-03-04", "date"),
        ("03/04/1950", "date"),
        ("555-123-4567", "phone"),
        ("john@example.org", "email"),
        ("MRN123456", "record"),
        ("12345678", "record"),
    ],
)
def test_identifying_participant_refs_are_refused_without_echoing_them(
    value: str, reason: str
) -> None:
    with pytest.raises(ValidationError, match=reason) as caught:
        clean_participant_ref(value)
    assert value not in str(caught.value)


def test_known_references_are_masked_in_free_text() -> None:
    assert mask_references("Update on P-7K2Q9 today", frozenset({"P-7K2Q9"})) == (
        "Update on [participant] today"
    )


def test_touchpoints_round_trip_through_docs_and_columns() -> None:
    t = Touchpoint(
        id="t1",
        partner_id="p1",
        kind=TouchpointKind.MEETING,
        at=datetime(2026, 11, 2, 15, 30, tzinfo=UTC),
        contact_ids=("c1", "c2"),
        purpose="care plan",
        source="google",
        external_id="cal:ev1",
    )
    assert codec.touchpoint_from_doc("t1", codec.touchpoint_to_doc(t)) == t
    plain = t._replace(id="t2", contact_ids=(), purpose="", source="manual", external_id=None)
    columns = codec.touchpoints_to_columns({"t1": t, "t2": plain})
    assert codec.touchpoints_from_columns(columns) == {"t1": t, "t2": plain}
