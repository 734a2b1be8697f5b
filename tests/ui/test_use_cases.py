"""Every use case of the TUI runs in its worker and posts the message named for what
happened, carrying the toast the rep sees; the store holds the change. Real SQLite store,
driven through the running app (``ui/use_cases.py``); waits for the message, no sleeps."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import pytest
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import Button, Checkbox, Input
from textual.worker import WorkerFailed

from cli_runner import Nurture
from nurture_tui.domain.kinds import Stage
from nurture_tui.domain.model import Partner
from nurture_tui.services import entries, records
from nurture_tui.services.history import recent_changes
from nurture_tui.ui import messages
from nurture_tui.ui.app import NurtureApp
from nurture_tui.ui.screens.contact_form import ContactForm
from nurture_tui.ui.screens.log_form import LogTouchForm

from .helpers import NOW, make_app, settle

M = TypeVar("M", bound=Message)


class Heard:
    """Every message any part of the app received (``run_test``'s message hook)."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    def __call__(self, message: Message) -> None:
        self.messages.append(message)

    def of(self, kind: type[M]) -> list[M]:
        return [m for m in self.messages if isinstance(m, kind)]


async def settle_expecting_a_failure(pilot: Pilot[None]) -> None:
    """``settle`` when a worker is meant to fail: waiting on it raises ``WorkerFailed``
    (its failure is what the test checks), so wait again until all is quiet."""
    for _ in range(20):
        try:
            await settle(pilot)
        except WorkerFailed:
            continue
        return
    raise AssertionError("the app never settled")


async def arrival(pilot: Pilot[None], heard: Heard, kind: type[M]) -> M:
    """The first ``kind`` message, once the workers have run and their messages are handled."""
    for _ in range(20):
        await settle(pilot)
        found = heard.of(kind)
        if found:
            return found[0]
    raise AssertionError(f"no {kind.__name__} arrived")


@dataclass
class Store:
    """What each case acts on: Mercy General, one contact, a touch and a referral."""

    mercy: Partner
    touch_id: str
    referral_id: str
    referral_ref: str


def seeded(tmp_path: Path) -> tuple[NurtureApp, Store]:
    app = make_app(tmp_path, demo=None)
    app.session = replace(
        app.session,
        settings=replace(
            app.session.settings,
            rep_name="Alex Rivera",
            rep_email="alex@homecare.example",
            agency="Sunrise Home Care",
        ),
    )
    session = app.session
    mercy = records.add_partner(session, "Mercy General", "hospital")
    sam = records.add_contact(session, mercy.id, "Sam Ortiz", emails=["sam@mercy.org"])
    draft = records.draft_touchpoint(
        session, mercy.id, "check-in", at=NOW.replace(day=20), contact_ids=[sam.id]
    )
    touch = records.save_touchpoint(session, draft)
    referral = records.add_referral(session, mercy.id, NOW.date().replace(day=16))
    session.repo.put_state("unmatched:pat.lee@newclinic.org", {"email": "pat.lee@newclinic.org"})
    return app, Store(mercy, touch.id, referral.id, referral.participant_ref)


Start = Callable[[NurtureApp, Store], object]
Check = Callable[[NurtureApp, Store], bool]

CASES: list[tuple[str, Start, type[messages.Outcome], str, Check]] = [
    (
        "log a touch",
        lambda app, s: app.log_touchpoint(
            s.mercy.id, entries.TouchEntry("meeting", when="2026-11-21 10:00")
        ),
        messages.TouchpointLogged,
        "Logged meeting for Sat 21 Nov 10:00  (u: undo)",
        lambda app, s: len(app.session.repo.touchpoints(s.mercy.id)) == 2,
    ),
    (
        "edit a touch",
        lambda app, s: app.edit_touchpoint(
            s.touch_id, entries.TouchEntry("call", when="2026-11-20 09:00")
        ),
        messages.TouchpointEdited,
        "Updated the call of 20 Nov  (u: undo)",
        lambda app, s: app.session.repo.touchpoint(s.touch_id).kind.value == "call",
    ),
    (
        "delete a touch",
        lambda app, s: app.delete_touchpoint(s.touch_id),
        messages.TouchpointDeleted,
        "Deleted the check-in of 20 Nov  (u: undo)",
        lambda app, s: app.session.repo.touchpoints(s.mercy.id) == [],
    ),
    (
        "record a referral",
        lambda app, s: app.record_referral(
            s.mercy.id, entries.ReferralEntry("yesterday", service="personal-care")
        ),
        messages.ReferralRecorded,
        "(received Sun 22 Nov); thank them soon  (u: undo)",
        lambda app, s: len(app.session.repo.referrals(s.mercy.id)) == 2,
    ),
    (
        "change a referral",
        lambda app, s: app.change_referral(
            s.referral_id,
            status="admitted",
            service="",
            service_detail="",
            complex_needs=False,
            partner_no_longer_serving=False,
        ),
        messages.ReferralChanged,
        ": admitted  (u: undo)",
        lambda app, s: app.session.repo.referral(s.referral_id).status.value == "admitted",
    ),
    (
        "delete a referral",
        lambda app, s: app.delete_referral(s.referral_id),
        messages.ReferralDeleted,
        "Deleted the referral of 16 Nov  (u: undo)",
        lambda app, s: app.session.repo.referrals(s.mercy.id) == [],
    ),
    (
        "add a partner",
        lambda app, s: app.save_partner(
            entries.PartnerEntry(
                "Riverside Clinic", "physician-practice", domains="riverside.org; rc.org"
            )
        ),
        messages.PartnerSaved,
        "Added Riverside Clinic  (u: undo)",
        lambda app, s: any(
            p.domains == ("riverside.org", "rc.org") for p in app.session.repo.partners()
        ),
    ),
    (
        "edit a partner",
        lambda app, s: app.save_partner(
            entries.PartnerEntry("Mercy General Hospital", "hospital", tier="A"), s.mercy.id
        ),
        messages.PartnerSaved,
        "Saved Mercy General Hospital  (u: undo)",
        lambda app, s: app.session.repo.partner(s.mercy.id).tier.value == "A",
    ),
    (
        "archive a partner",
        lambda app, s: app.archive_partner(s.mercy.id),
        messages.PartnerArchived,
        "Archived Mercy General: it has left the board  (u: undo)",
        lambda app, s: app.session.repo.partner(s.mercy.id).archived,
    ),
    (
        "move a stage",
        lambda app, s: app.move_stage(s.mercy.id, Stage.ENGAGED),
        messages.StageMoved,
        "Mercy General moved to engaged  (u: undo)",
        lambda app, s: app.session.repo.partner(s.mercy.id).stage is Stage.ENGAGED,
    ),
    (
        "add a contact",
        lambda app, s: app.save_contact(
            s.mercy.id, entries.ContactEntry("Nora Baker", birthday="March 14")
        ),
        messages.ContactSaved,
        "Added Nora Baker  (u: undo)",
        lambda app, s: any(c.name == "Nora Baker" for c in app.session.repo.contacts(s.mercy.id)),
    ),
    (
        "plan an invite",
        lambda app, s: app.plan_invite(
            s.mercy.id,
            entries.InviteEntry("in-service", "2026-12-03 10:00", minutes="45"),
            app.session.repo.directory,
        ),
        messages.InvitePlanned,
        "Invite planned for Thu 03 Dec 10:00; .ics saved to",
        lambda app, s: any(t.source == "invite" for t in app.session.repo.touchpoints(s.mercy.id)),
    ),
    (
        "assign a person",
        lambda app, s: app.assign_person("pat.lee@newclinic.org", s.mercy.id, None, "Pat Lee"),
        messages.PersonAssigned,
        "pat.lee@newclinic.org assigned",
        lambda app, s: app.session.repo.contact_by_email("pat.lee@newclinic.org") is not None,
    ),
    (
        "ignore a person",
        lambda app, s: app.ignore_person("pat.lee@newclinic.org"),
        messages.PersonIgnored,
        "Ignoring pat.lee@newclinic.org from now on",
        lambda app, s: bool(
            (app.session.repo.state("unmatched:pat.lee@newclinic.org") or {}).get("ignored")
        ),
    ),
    (
        "save your details",
        lambda app, s: app.save_details({"rep_name": "Jo Park"}),
        messages.DetailsSaved,
        "Your details are saved in",
        lambda app, s: app.session.settings.rep_name == "Jo Park",
    ),
]


@pytest.mark.parametrize(
    ("start", "kind", "toast", "landed"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
async def test_each_use_case_posts_what_happened(
    tmp_path: Path,
    start: Start,
    kind: type[messages.Outcome],
    toast: str,
    landed: Check,
) -> None:
    app, store = seeded(tmp_path)
    heard = Heard()
    async with app.run_test(size=(120, 40), message_hook=heard) as pilot:
        await settle(pilot)
        start(app, store)
        message = await arrival(pilot, heard, kind)
        assert toast in message.toast
        assert any(n.message == message.toast for n in app._notifications), "the rep is told"
        assert landed(app, store)
        assert len(heard.of(messages.Outcome)) == 1, "one use case, one message"


async def test_suggestions_are_snoozed_and_dismissed(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    heard = Heard()
    async with app.run_test(size=(120, 40), message_hook=heard) as pilot:
        await settle(pilot)
        assert app.board is not None
        first, second = app.board.agenda[:2]
        app.snooze(first, "fri")
        snoozed = await arrival(pilot, heard, messages.ActionSnoozed)
        assert snoozed.toast == "Snoozed until Fri 27 Nov  (u: undo)"
        assert snoozed.dismissal.until is not None
        app.dismiss(second, "they prefer email")
        dismissed = await arrival(pilot, heard, messages.ActionDismissed)
        assert dismissed.toast == "Dismissed  (u: undo)"
        assert {d.reason for d in app.session.repo.dismissals()} >= {"they prefer email"}


async def test_undo_posts_change_undone(tmp_path: Path) -> None:
    app, store = seeded(tmp_path)
    heard = Heard()
    async with app.run_test(size=(120, 40), message_hook=heard) as pilot:
        await settle(pilot)
        await pilot.press("u")
        undone = await arrival(pilot, heard, messages.ChangeUndone)
        assert undone.toast.startswith("Undid: ")
        assert undone.toast.endswith("(u again: take that back)")
        assert app.session.repo.referrals(store.mercy.id) == [], (
            "the latest change was the referral"
        )


async def test_demo_and_csv_from_the_welcome_screen(tmp_path: Path) -> None:
    sheet = tmp_path / "partners.csv"
    sheet.write_text("Partner,Kind\nHope Hospice,hospice\n", encoding="utf-8")
    app = make_app(tmp_path / "csv", demo=None)
    heard = Heard()
    async with app.run_test(size=(120, 40), message_hook=heard) as pilot:
        await settle(pilot)
        app.import_csv(sheet)
        imported = await arrival(pilot, heard, messages.CsvImported)
        assert imported.toast.startswith("Imported 1 partners and 0 contacts")
        assert [p.name for p in app.session.repo.partners()] == ["Hope Hospice"]
    app = make_app(tmp_path / "demo", demo=None)
    heard = Heard()
    async with app.run_test(size=(120, 40), message_hook=heard) as pilot:
        await settle(pilot)
        app.load_demo()
        loaded = await arrival(pilot, heard, messages.DemoLoaded)
        assert loaded.toast.startswith(f"Demo agency loaded: {loaded.partners} partners")
        assert len(app.session.repo.partners()) == loaded.partners > 0


async def test_a_sync_with_nothing_connected_finishes_and_says_so(tmp_path: Path) -> None:
    app, _ = seeded(tmp_path)
    heard = Heard()
    async with app.run_test(size=(120, 40), message_hook=heard) as pilot:
        await settle(pilot)
        app.sync_now()
        finished = await arrival(pilot, heard, messages.SyncFinished)
        assert finished.toast == "No source is connected yet: press A on a source."
        assert any(n.message == finished.toast for n in app._notifications)


async def test_the_reports_csv_is_said_with_its_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the report goes to the folder Nurture was started in
    app = make_app(tmp_path)
    heard = Heard()
    async with app.run_test(size=(120, 40), message_hook=heard) as pilot:
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)
        await pilot.press("e")
        exported = await arrival(pilot, heard, messages.ReportExported)
        assert exported.path.exists() and exported.path.parent == tmp_path
        assert exported.toast == f"Report saved to {exported.path}"


async def test_a_refusal_goes_to_the_form_not_to_a_toast(tmp_path: Path) -> None:
    """The service's refusal (a year 9999 birthday) reaches the form, beside the field, and
    nothing lands: no "it happened" message, no toast. (The form is pushed from the test,
    so the hook hears the app's messages, not the form's: the form's state shows them.)"""
    app, store = seeded(tmp_path)
    heard = Heard()
    async with app.run_test(size=(120, 40), message_hook=heard) as pilot:
        await settle(pilot)
        app.push_screen(ContactForm(store.mercy.id))
        await settle(pilot)
        form = app.screen
        form.query_one("#contact-name", Input).value = "Nora Baker"
        form.query_one("#contact-birthday", Input).value = "9999-01-01"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        notes = [str(w.render()) for w in form.query(".field-error")]
        assert len(notes) == 1 and "between 1900 and 2199" in notes[0]
        assert form.focused is form.query_one("#contact-birthday")
        assert not form.query_one("#form-save", Button).disabled
        assert heard.of(messages.ChangeLanded) == []
        assert list(app._notifications) == []


# ------------------------------------------------------------- review items
async def test_a_new_contact_with_milestones_is_one_change(tmp_path: Path) -> None:
    """Add, milestone and LinkedIn tick together: one line in ``nurture history``, and one
    ``u`` takes the whole contact back."""
    app, store = seeded(tmp_path)
    heard = Heard()
    async with app.run_test(size=(120, 40), message_hook=heard) as pilot:
        await settle(pilot)
        before = recent_changes(app.session, 1)[0].seq
        app.push_screen(ContactForm(store.mercy.id))
        await settle(pilot)
        form = app.screen
        form.query_one("#contact-name", Input).value = "Nora Baker"
        form.query_one("#contact-milestone", Input).value = "2026-12-01 promoted"
        form.query_one("#contact-linkedin", Checkbox).value = True
        await pilot.press("ctrl+s")
        saved = await arrival(pilot, heard, messages.ContactSaved)
        assert saved.added and saved.toast == "Added Nora Baker  (u: undo)"
        stored = app.session.repo.contact(saved.contact.id)
        assert [m.note for m in stored.milestones] == ["promoted"] and stored.linkedin_connected
        changes = [c for c in recent_changes(app.session, 10) if c.seq > before]
        assert [c.summary for c in changes] == ["Added contact Nora Baker"]
        # As the rep reads it: the newest line of ``nurture history`` is the whole contact.
        cli = Nurture(tmp_path / "home", tmp_path / "config")
        newest = cli.json("history", "--data-dir", str(tmp_path), "--limit", "2")
        assert isinstance(newest, list)
        assert [c["summary"] for c in newest][:1] == ["Added contact Nora Baker"]
        assert newest[1]["id"] == before, "the change before it is the one before the form"
        await pilot.press("u")
        await arrival(pilot, heard, messages.ChangeUndone)
        assert all(c.name != "Nora Baker" for c in app.session.repo.contacts(store.mercy.id))


async def test_the_log_form_lets_an_unexpected_error_reach_the_apps_toast(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug in the guardrails (here: forced) is no longer swallowed while the rep types:
    the app's error toast says something went wrong."""

    def broken(*_: Any) -> list[Any]:
        raise RuntimeError("guardrail bug")

    monkeypatch.setattr(entries, "check", broken)
    app, store = seeded(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.push_screen(LogTouchForm(store.mercy.id))
        await settle(pilot)
        form = app.screen
        form.query_one("#log-purpose", Input).value = "care transitions"
        await settle_expecting_a_failure(pilot)
        said = [str(n.message) for n in app._notifications]
        assert any("Something went wrong (RuntimeError)" in m for m in said), said


async def test_an_unexpected_error_while_saving_keeps_the_form_and_toasts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: Any) -> Any:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(entries, "log_touch", broken)
    app, store = seeded(tmp_path)
    heard = Heard()
    async with app.run_test(size=(120, 40), message_hook=heard) as pilot:
        await settle(pilot)
        app.push_screen(LogTouchForm(store.mercy.id))
        await settle(pilot)
        form = app.screen
        form.query_one("#log-purpose", Input).value = "care transitions"
        await pilot.press("ctrl+s")
        await settle_expecting_a_failure(pilot)
        assert app.screen is form, "the form stays with what was typed"
        assert form.query_one("#log-purpose", Input).value == "care transitions"
        assert not form.query_one("#form-save", Button).disabled, "Save can be tried again"
        said = [str(n.message) for n in app._notifications]
        assert any("Something went wrong (RuntimeError)" in m for m in said), said
        assert heard.of(messages.TouchpointLogged) == []


async def test_hostile_names_are_stored_as_plain_text(tmp_path: Path) -> None:
    """Escape codes and a bidi override typed into a partner's name never reach the store."""
    app, _ = seeded(tmp_path)
    heard = Heard()
    async with app.run_test(size=(120, 40), message_hook=heard) as pilot:
        await settle(pilot)
        app.save_partner(
            entries.PartnerEntry("\x1b[31mEvil\u202e Clinic\x07", "physician-practice")
        )
        saved = await arrival(pilot, heard, messages.PartnerSaved)
        name = app.session.repo.partner(saved.partner.id).name
        assert "\x1b" not in name and "\u202e" not in name and "\x07" not in name
        assert "Evil" in name and "Clinic" in name
