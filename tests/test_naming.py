"""Partners and contacts named as a rep names them; kinds and statuses forgiven their typos.

Against the real SQLite store: exact names, id prefixes, the beginnings of words, near
names; several fits are never guessed between; hostile names get one escaped line.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest

from nurture_tui import cli
from nurture_tui.domain.errors import AmbiguousIdError, NotFoundError
from nurture_tui.services import naming, records
from nurture_tui.services.session import Session

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def board(session: Session) -> dict[str, str]:
    """Partner ids by name: two that share a first word, two that share a prefix."""
    names = {
        "Mercy General": "hospital",
        "Mercy Home Health": "home-health",
        "Hope Hospice": "hospice",
        "Northside Hospice & Palliative Care": "hospice",
        "Northside Hospice & Partners": "hospice",
        "St. Luke's Hospital": "hospital",
    }
    return {name: records.add_partner(session, name, kind).id for name, kind in names.items()}


def refused(kind: type[Exception], call: Callable[[], object]) -> str:
    with pytest.raises(kind) as caught:
        call()
    message = str(caught.value)
    assert "\n" not in message and "\x1b" not in message and len(message) < 600, message
    return message


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("Mercy General", "Mercy General"),
        ("  mercy   GENERAL ", "Mercy General"),  # case and spacing forgiven
        ("mercy gen", "Mercy General"),  # the beginnings of its words
        ("merc home", "Mercy Home Health"),
        ("Merci Genral", "Mercy General"),  # typos: clearly the nearest
        ("hope hospise", "Hope Hospice"),
        ("st lukes", "St. Luke's Hospital"),
        ("northside palliative", "Northside Hospice & Palliative Care"),
        ("\x1b[31mMercy General\x1b[0m", "Mercy General"),  # cleaned as names are stored
    ],
)
def test_a_partner_is_found_by_its_name(
    session: Session, board: dict[str, str], typed: str, meant: str
) -> None:
    assert naming.resolve_partner(session, typed).id == board[meant]


def test_ids_and_unique_id_prefixes_work_as_before(session: Session, board: dict[str, str]) -> None:
    pid = board["Hope Hospice"]
    assert naming.partner_id(session, pid) == pid
    prefix = next(
        pid[:n]
        for n in range(4, 13)
        if sum(other.startswith(pid[:n]) for other in board.values()) == 1
    )
    assert naming.partner_id(session, prefix) == pid
    assert naming.partner_id(session, pid.upper()) == pid


def test_several_fits_are_listed_with_their_ids_never_guessed(
    session: Session, board: dict[str, str]
) -> None:
    message = refused(AmbiguousIdError, lambda: naming.resolve_partner(session, "mercy"))
    assert message.startswith("'mercy' could be 2 partners: ")
    assert f"Mercy General ({board['Mercy General'][:8]})" in message
    assert f"Mercy Home Health ({board['Mercy Home Health'][:8]})" in message
    message = refused(AmbiguousIdError, lambda: naming.resolve_partner(session, "hospice"))
    assert "could be 3 partners" in message
    message = refused(AmbiguousIdError, lambda: naming.resolve_partner(session, "Northside Hsp"))
    assert "Northside Hospice & Partners" in message and "Palliative" in message


def test_two_partners_with_one_name_need_the_id(session: Session, board: dict[str, str]) -> None:
    twin = records.add_partner(session, "mercy general", "hospital")
    message = refused(AmbiguousIdError, lambda: naming.resolve_partner(session, "Mercy General"))
    assert "could be 2 partners" in message and twin.id[:8] in message and "use the id" in message
    assert naming.partner_id(session, twin.id) == twin.id


def test_no_fit_names_the_closest_or_says_where_to_look(
    session: Session, board: dict[str, str]
) -> None:
    message = refused(NotFoundError, lambda: naming.resolve_partner(session, "Mercy Clinic"))
    assert message.startswith("no partner is named 'Mercy Clinic'; the closest: Mercy General")
    message = refused(NotFoundError, lambda: naming.resolve_partner(session, "zzqx"))
    assert message == "no partner is named 'zzqx' (`nurture partner list` shows them)"


def test_an_exact_name_wins_over_an_id_prefix(session: Session) -> None:
    first = records.add_partner(session, "Elsewhere", "other")
    named = records.add_partner(session, first.id[:3], "other")  # a name that is a prefix
    assert naming.partner_id(session, first.id[:3]) == named.id
    assert naming.partner_id(session, first.id) == first.id


def test_archived_partners_are_found_only_when_no_live_one_fits(
    session: Session, board: dict[str, str]
) -> None:
    old = records.add_partner(session, "Mercy Clinic", "physician-practice")
    records.archive_partner(session, old.id)
    assert naming.partner_id(session, "mercy clinic") == old.id  # exact, archived
    assert naming.partner_id(session, "mercy gen") == board["Mercy General"]


@pytest.mark.parametrize(
    "typed",
    [
        "x" * 5_000_000,
        "\x1b]0;pwned\x07\u202eNobody",
        "",
        "   ",
    ],
)
def test_hostile_names_get_one_escaped_line(
    session: Session, board: dict[str, str], typed: str
) -> None:
    message = refused(NotFoundError, lambda: naming.resolve_partner(session, typed))
    assert message.startswith("no partner")


def test_a_contact_is_named_within_its_partner(session: Session, board: dict[str, str]) -> None:
    mercy, hope = board["Mercy General"], board["Hope Hospice"]
    at_mercy = records.add_contact(session, mercy, "Sam Ortiz")
    at_hope = records.add_contact(session, hope, "Sam Ortiz")
    records.add_contact(session, hope, "Samantha Reyes")
    assert naming.resolve_contact(session, "sam ortiz", mercy).id == at_mercy.id
    assert naming.resolve_contact(session, "Sam Ortis", mercy).id == at_mercy.id
    assert naming.contact_ids(session, ["sam ortiz", at_hope.id[:8]], hope) == [
        at_hope.id,
        at_hope.id,
    ]
    message = refused(AmbiguousIdError, lambda: naming.resolve_contact(session, "Sam Ortiz"))
    assert "Sam Ortiz at Mercy General" in message and "Sam Ortiz at Hope Hospice" in message
    message = refused(AmbiguousIdError, lambda: naming.resolve_contact(session, "sam", hope))
    assert "Samantha Reyes" in message and "Sam Ortiz" in message
    refused(NotFoundError, lambda: naming.resolve_contact(session, "Rosa Patel", mercy))


def test_closest_suggests_a_value_or_nothing() -> None:
    kinds = ["check-in", "meeting", "call", "thank-you"]
    assert naming.closest("meting", kinds) == "meeting"
    assert naming.closest("thankyou", kinds) == "thank-you"
    assert naming.closest("zzzz", kinds) is None
    assert naming.closest("m" * 5_000_000, kinds) is None


# --- the CLI ---------------------------------------------------------------------------------


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Iterator[Run]:
    def call(*argv: str) -> tuple[int, str, str]:
        code = cli.main(list(argv))
        captured = capsys.readouterr()
        assert "Traceback" not in captured.err
        return code, captured.out, captured.err

    yield call


def test_partner_add_says_the_name_and_id(run: Run) -> None:
    code, out, _ = run("partner", "add", "Mercy General", "--kind", "hospital")
    assert code == 0 and out.startswith("added Mercy General (") and out.endswith(")\n")
    code, out, _ = run("partner", "add", "Hope Hospice", "--kind", "hospice", "--json")
    added = json.loads(out)
    assert added["name"] == "Hope Hospice" and len(added["id"]) == 12


def test_the_cli_takes_partner_and_contact_names(run: Run) -> None:
    run("partner", "add", "Mercy General", "--kind", "hospital")
    run("partner", "add", "Mercy Home Health", "--kind", "home-health")
    code, out, _ = run(
        "contact", "add", "--partner", "mercy general", "Sam Ortiz", "--email", "sam@mercy.org"
    )
    assert code == 0
    code, out, err = run(
        "log", "--partner", "Merci Genral", "--kind", "call", "--contact", "sam", "--json"
    )
    sam = json.loads(run("contact", "list", "--json")[1])[0]["id"]
    assert code == 0 and json.loads(out)["contact_ids"] == [sam]
    for argv in (
        ("partner", "show", "mercy gen"),
        (
            "referral",
            "add",
            "--partner",
            "mercy gen",
            "--received",
            "2026-11-20",
            "--contact",
            "Sam",
        ),
        ("referral", "list", "--partner", "mercy gen"),
        ("contact", "list", "--partner", "mercy gen"),
        ("next", "--partner", "mercy gen"),
        ("partner", "edit", "mercy gen", "--tier", "a"),
    ):
        code, out, err = run(*argv)
        assert code == 0, (argv, err)
    code, out, err = run("log", "--partner", "mercy", "--kind", "call")
    assert code == 1 and err.count("\n") == 1
    assert "'mercy' could be 2 partners: Mercy General (" in err and "Mercy Home Health (" in err
    code, out, _ = run("log", "--partner", "nobody here", "--kind", "call", "--json")
    assert code == 1 and json.loads(out)["error"]["code"] == "not-found"


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (("log", "--partner", "x", "--kind", "meting"), "did you mean `meeting`?"),
        (("partner", "add", "X", "--kind", "hospise"), "did you mean `hospice`?"),
        (("partner", "add", "X", "--kind", "hospital", "--stage", "refering"), "`referring`"),
        (("referral", "add", "--partner", "x", "--received", "today", "--status", "admited"),
         "did you mean `admitted`?"),
        (("referral", "add", "--partner", "x", "--received", "today", "--service", "respit"),
         "did you mean `respite`?"),
        (("partner", "add", "X", "--kind", "spaceship"), "the partner kinds are: hospital,"),
        (("partner", "add", "X", "--kind", "\x1b[2J" + "h" * 5_000_000), "is not a partner kind"),
        (("schedule", "instal"), "did you mean `install`?"),
    ],
)  # fmt: skip
def test_a_mistyped_value_gets_did_you_mean_and_the_list_without_a_usage_dump(
    run: Run, argv: tuple[str, ...], said: str
) -> None:
    code, out, err = run(*argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "usage:" not in err and "\x1b" not in err and len(err) < 700
    assert err.startswith("nurture: error: ") and said in err


def test_values_are_forgiven_their_case_and_spacing(run: Run) -> None:
    code, out, _ = run("partner", "add", "X", "--kind", "Home Health", "--tier", "a", "--json")
    assert code == 0 and json.loads(out)["kind"] == "home-health"
    assert json.loads(out)["tier"] == "A"


def test_a_mistyped_value_with_json_is_a_usage_error_document(run: Run) -> None:
    code, out, _ = run("log", "--partner", "x", "--kind", "meting", "--json")
    error = json.loads(out)["error"]
    assert code == 2 and error["code"] == "usage" and "did you mean `meeting`?" in error["message"]
