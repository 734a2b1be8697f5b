"""Every use case of the TUI: one typed worker each, calling a service, posting what happened.

A screen never touches the store. It collects what the rep typed (an ``entries`` value),
calls one of these methods on the app (``nurture(self).log_touchpoint(pid, entry,
origin=self)``), and the worker runs the service in a thread, then posts a message named
for what happened (``TouchpointLogged``, ``ReferralRecorded``, ``ChangeUndone``…, in
``ui/messages.py``) carrying the toast. One handler here shows every toast (with
"(u: undo)" when the change can be taken back) and calls ``board_changed`` for every
change, so the board catches up the same way whoever wrote.

Why the writes are workers of the app and not of the screen: a write outlives the form
that asked for it (the toast and the board update must happen after the form has gone),
and a failure must reach the app's one ``Worker.StateChanged`` handler, which turns it into
a plain-words toast (a screen's worker reports only to its screen). A form passes itself
as ``origin``: it is told ``WriteLanded`` (it closes), ``WriteRefused`` (the service's
refusal goes beside the field it names) or ``WriteFailed`` (an unexpected error: the app's
toast says so and the form stays, Save enabled). Only ``NurtureError`` — a refusal written
for the rep — is routed to the form; everything else is raised.

Reads use one generic typed helper, ``load_into``: it runs a service read (``lookups``,
``partner_view``, ``reports``) in an app worker, exclusive per screen and purpose, and posts
the result to the screen as the screen's own ``…Loaded`` message. One helper rather than a
method per read because the reads differ only in the function and the message; it is an
app worker for the same reason as the writes (failures reach the app's error toast).
The Team screen's read is a worker of its own (``load_team_report``): besides its figures
(``TeamReportLoaded``) it can come back refused (``TeamReportUnavailable``: a rep's own
store, the team database away), which the screen shows in place of the table.

No lock anywhere: the repository is safe to use from several threads and the database
serialises writers (SQLite ``BEGIN IMMEDIATE``, PostgreSQL transactions).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from textual import on, work
from textual.app import App
from textual.message import Message
from textual.message_pump import MessagePump
from textual.worker import Worker, get_current_worker

from nurture_tui.domain.compliance import ComplianceReport
from nurture_tui.domain.dates import describe_day, describe_moment
from nurture_tui.domain.errors import NurtureError, StoreError
from nurture_tui.domain.kinds import Stage
from nurture_tui.domain.model import Contact, Override, Partner, Referral, Touchpoint
from nurture_tui.domain.playbook.facts import SuggestedAction
from nurture_tui.services import compliance, entries, history, lookups, records
from nurture_tui.services import sync as sync_service
from nurture_tui.services.csv_import import import_csv
from nurture_tui.services.demo import DemoSize, load_demo
from nurture_tui.services.reports import Report, write_report_csv
from nurture_tui.services.session import Session
from nurture_tui.services.team_report import team_report
from nurture_tui.ui.messages import (
    ActionDismissed,
    ActionSnoozed,
    ChangeLanded,
    ChangeUndone,
    ContactSaved,
    CsvImported,
    DemoLoaded,
    DetailsSaved,
    InvitePlanned,
    Outcome,
    OwnerChanged,
    PartnerArchived,
    PartnerSaved,
    PersonAssigned,
    PersonIgnored,
    ReferralChanged,
    ReferralDeleted,
    ReferralRecorded,
    ReportExported,
    StageMoved,
    TeamReportLoaded,
    TeamReportUnavailable,
    TouchpointDeleted,
    TouchpointEdited,
    TouchpointLogged,
    WriteFailed,
    WriteLanded,
    WriteRefused,
)

if TYPE_CHECKING:
    from nurture_tui.domain.playbook.config import Playbook

T = TypeVar("T")

#: The worker group of every write (not exclusive: a second write waits for nothing and
#: cancels nothing; the database orders them).
WRITES = "write"
#: How long a toast stays (a report's or an invite's path: longer, to be read).
TOAST_SECONDS = 4.0


class UseCases(App[None]):
    """The use cases ``NurtureApp`` inherits (an ``App`` subclass so its ``@on`` handlers
    are collected; it defines no screen, binding or style of its own)."""

    if TYPE_CHECKING:  # defined by NurtureApp
        session: Session
        playbook: Playbook
        read_only: str

        @property
        def today(self) -> date: ...

        def board_changed(self) -> None: ...

    # ------------------------------------------------------------ the plumbing
    def _change(self, write: Callable[[], T]) -> tuple[T, bool]:
        """Run ``write`` (in the calling worker): its result, and whether it left a change
        ``u`` can take back. Refused at once while the team database is unreachable."""
        if self.read_only:
            raise StoreError(
                "the team database is unreachable, so Nurture is read-only for now: nothing "
                "was saved (try again once it answers)"
            )
        before = lookups.latest_change(self.session)
        result = write()
        return result, lookups.latest_change(self.session) != before

    def _write(self, origin: MessagePump | None, write: Callable[[], T]) -> tuple[T, bool] | None:
        """``_change``, telling the form ``origin`` how it went: None when the service
        refused and the form was told why."""
        try:
            return self._change(write)
        except NurtureError as error:
            if origin is None:
                raise  # the app's worker handler says it in a toast
            origin.post_message(WriteRefused(error))
            return None
        except Exception as error:
            if origin is not None:
                origin.post_message(WriteFailed(error))
            raise  # the app's error toast: "Something went wrong (…)"

    def _landed(
        self, message: ChangeLanded, undoable: bool, origin: MessagePump | None, result: object
    ) -> None:
        if message.toast and undoable:
            message.toast += "  (u: undo)"
        self.post_message(message)
        if origin is not None:
            origin.post_message(WriteLanded(result))

    @on(Outcome)
    def _tell_the_rep(self, message: Outcome) -> None:
        if message.toast:  # names are text, not markup
            self.notify(message.toast, timeout=message.timeout, markup=False)

    @on(ChangeLanded)
    def _bring_the_board_up_to_date(self, message: ChangeLanded) -> None:
        self.board_changed()

    def load_into(
        self,
        screen: MessagePump,
        read: Callable[[Session], T],
        loaded: Callable[[T], Message],
        *,
        purpose: str,
    ) -> Worker[None]:
        """Run the service read ``read`` in a worker and post ``loaded(result)`` to
        ``screen``; a newer load for the same screen and purpose supersedes this one."""
        return self.run_worker(
            partial(self._load, screen, read, loaded),
            thread=True,
            exclusive=True,
            group=f"read:{purpose}:{id(screen)}",
            exit_on_error=False,
        )

    def _load(
        self, screen: MessagePump, read: Callable[[Session], T], loaded: Callable[[T], Message]
    ) -> None:
        result = read(self.session)
        if not get_current_worker().is_cancelled:  # a superseded load must not paint
            screen.post_message(loaded(result))

    # ------------------------------------------------------------- touchpoints
    @work(thread=True, group=WRITES, exit_on_error=False)
    def log_touchpoint(
        self, partner_id: str, entry: entries.TouchEntry, *, origin: MessagePump | None = None
    ) -> None:
        """Log a touch as typed (the log form; the agenda's "do it")."""
        session, playbook = self.session, self.playbook
        landed = self._write(
            origin, lambda: entries.log_touch(session, partner_id, entry, playbook)
        )
        if landed is None:
            return
        touch, undoable = landed
        zone = session.settings.zone
        # Echo a typed time as understood, so a misread "tue" is caught at once.
        when = (
            f" for {describe_moment(touch.at.astimezone(zone), session.now().astimezone(zone))}"
            if entry.when.strip()
            else ""
        )
        toast = f"Logged {touch.kind.value}{when}{overridden_words(touch.overrides)}"
        self._landed(TouchpointLogged(toast=toast, touchpoint=touch), undoable, origin, touch)

    @work(thread=True, group=WRITES, exit_on_error=False)
    def edit_touchpoint(
        self,
        touchpoint_id: str,
        entry: entries.TouchEntry,
        *,
        opened: Touchpoint | None = None,
        origin: MessagePump | None = None,
    ) -> None:
        """Correct a logged touch (``opened``: as the form opened it; changed since, it is
        refused); warnings it newly trips are added to its overrides."""
        session, playbook = self.session, self.playbook

        def write() -> tuple[int, Touchpoint]:
            kept = len(session.repo.touchpoint(touchpoint_id).overrides)
            touch = entries.edit_touch(session, touchpoint_id, entry, playbook, opened=opened)
            return kept, touch

        landed = self._write(origin, write)
        if landed is None:
            return
        (kept, touch), undoable = landed
        added = overridden_words(touch.overrides[kept:])
        toast = f"Updated the {touch.kind.value} of {touch.at:%d %b}{added}"
        self._landed(TouchpointEdited(toast=toast, touchpoint=touch), undoable, origin, touch)

    @work(thread=True, group=WRITES, exit_on_error=False)
    def delete_touchpoint(self, touchpoint_id: str) -> None:
        touch, undoable = self._change(
            lambda: records.delete_touchpoint(self.session, touchpoint_id)
        )
        toast = f"Deleted {record_words(touch)}"
        self._landed(TouchpointDeleted(toast=toast, touchpoint=touch), undoable, None, touch)

    # --------------------------------------------------------------- referrals
    @work(thread=True, group=WRITES, exit_on_error=False)
    def record_referral(
        self,
        partner_id: str,
        entry: entries.ReferralEntry,
        *,
        origin: MessagePump | None = None,
    ) -> None:
        landed = self._write(
            origin, lambda: entries.record_referral(self.session, partner_id, entry)
        )
        if landed is None:
            return
        referral, undoable = landed
        toast = (
            f"Referral recorded as {referral.participant_ref} (received "
            f"{describe_day(referral.received, self.today)}); thank them soon"
        )
        self._landed(ReferralRecorded(toast=toast, referral=referral), undoable, origin, referral)

    @work(thread=True, group=WRITES, exit_on_error=False)
    def change_referral(
        self,
        referral_id: str,
        *,
        status: str,
        service: str,
        service_detail: str,
        complex_needs: bool,
        partner_no_longer_serving: bool,
        origin: MessagePump | None = None,
    ) -> None:
        """Status, service, detail and flags, as ``nurture referral edit`` changes them."""
        landed = self._write(
            origin,
            lambda: records.update_referral(
                self.session,
                referral_id,
                status=status,
                service=service,
                service_detail=service_detail,
                complex_needs=complex_needs,
                partner_no_longer_serving=partner_no_longer_serving,
            ),
        )
        if landed is None:
            return
        referral, undoable = landed
        toast = f"Referral {referral.participant_ref}: {referral.status.value}"
        self._landed(ReferralChanged(toast=toast, referral=referral), undoable, origin, referral)

    @work(thread=True, group=WRITES, exit_on_error=False)
    def delete_referral(self, referral_id: str) -> None:
        referral, undoable = self._change(
            lambda: records.delete_referral(self.session, referral_id)
        )
        toast = f"Deleted {record_words(referral)}"
        self._landed(ReferralDeleted(toast=toast, referral=referral), undoable, None, referral)

    # -------------------------------------------------------- partners, contacts
    @work(thread=True, group=WRITES, exit_on_error=False)
    def save_partner(
        self,
        entry: entries.PartnerEntry,
        partner_id: str | None = None,
        *,
        opened: Partner | None = None,
        origin: MessagePump | None = None,
    ) -> None:
        """Add a partner (``partner_id`` None) or save the changes to one (``opened``: as
        the form opened it; a colleague's save since is ``ChangedMeanwhile``)."""
        landed = self._write(
            origin,
            lambda: entries.save_partner(self.session, entry, partner_id, opened=opened),
        )
        if landed is None:
            return
        partner, undoable = landed
        added = partner_id is None
        toast = f"{'Added' if added else 'Saved'} {partner.name}"
        message = PartnerSaved(toast=toast, partner=partner, added=added)
        self._landed(message, undoable, origin, partner)

    @work(thread=True, group=WRITES, exit_on_error=False)
    def archive_partner(self, partner_id: str, *, origin: MessagePump | None = None) -> None:
        """The partner leaves the board and the agenda; its history stays."""
        landed = self._write(origin, lambda: records.archive_partner(self.session, partner_id))
        if landed is None:
            return
        partner, undoable = landed
        toast = f"Archived {partner.name}: it has left the board"
        self._landed(PartnerArchived(toast=toast, partner=partner), undoable, origin, partner)

    @work(thread=True, group=WRITES, exit_on_error=False)
    def move_stage(self, partner_id: str, stage: Stage, *, accepted: bool = False) -> None:
        """Move a partner to ``stage`` (``accepted``: the rep took the playbook's
        suggestion, and the toast says where the partner now is)."""
        partner, undoable = self._change(lambda: records.set_stage(self.session, partner_id, stage))
        verb = "is now" if accepted else "moved to"
        toast = f"{partner.name} {verb} {partner.stage.value}"
        self._landed(StageMoved(toast=toast, partner=partner), undoable, None, partner)

    @work(thread=True, group=WRITES, exit_on_error=False)
    def set_owner(
        self, partner_id: str, owner: str | None, *, origin: MessagePump | None = None
    ) -> None:
        """Hand a partner to a rep (None: unassigned): the board's `o`. The service decides
        who may (an admin reassigns; a rep takes an unassigned partner or hands back theirs)."""
        landed = self._write(
            origin, lambda: records.edit_partner(self.session, partner_id, owner=owner or "")
        )
        if landed is None:
            return
        partner, undoable = landed
        whose = f"now {partner.owner}'s" if partner.owner else "now unassigned"
        toast = f"{partner.name} is {whose}"
        self._landed(OwnerChanged(toast=toast, partner=partner), undoable, origin, partner)

    @work(thread=True, group=WRITES, exit_on_error=False)
    def save_contact(
        self,
        partner_id: str,
        entry: entries.ContactEntry,
        contact_id: str | None = None,
        *,
        opened: Contact | None = None,
        origin: MessagePump | None = None,
    ) -> None:
        """Add a contact (milestones and all: one change) or save the changes to one
        (``opened``: as ``save_partner``'s)."""
        landed = self._write(
            origin,
            lambda: entries.save_contact(
                self.session, partner_id, entry, contact_id, opened=opened
            ),
        )
        if landed is None:
            return
        contact, undoable = landed
        added = contact_id is None
        toast = f"{'Added' if added else 'Saved'} {contact.name}"
        self._landed(
            ContactSaved(toast=toast, contact=contact, added=added), undoable, origin, contact
        )

    # ------------------------------------------------------------- suggestions
    @work(thread=True, group=WRITES, exit_on_error=False)
    def snooze(
        self,
        action: SuggestedAction,
        typed: str = "",
        days: int | None = None,
        *,
        origin: MessagePump | None = None,
    ) -> None:
        """Hide a suggestion until the day typed, or ``days`` from today."""
        landed = self._write(
            origin, lambda: entries.snooze_until(self.session, action, typed, days)
        )
        if landed is None:
            return
        dismissal, undoable = landed
        until = dismissal.until or self.today
        toast = f"Snoozed until {describe_day(until, self.today)}"
        self._landed(ActionSnoozed(toast=toast, dismissal=dismissal), undoable, origin, dismissal)

    @work(thread=True, group=WRITES, exit_on_error=False)
    def dismiss(
        self, action: SuggestedAction, reason: str, *, origin: MessagePump | None = None
    ) -> None:
        landed = self._write(
            origin, lambda: entries.dismiss_with_reason(self.session, action, reason)
        )
        if landed is None:
            return
        dismissal, undoable = landed
        message = ActionDismissed(toast="Dismissed", dismissal=dismissal)
        self._landed(message, undoable, origin, dismissal)

    # ----------------------------------------------------------------- invites
    @work(thread=True, group=WRITES, exit_on_error=False)
    def plan_invite(
        self,
        partner_id: str,
        entry: entries.InviteEntry,
        directory: Path,
        *,
        origin: MessagePump | None = None,
    ) -> None:
        """Create the invite (its planned touch logged) and write its .ics."""
        landed = self._write(
            origin, lambda: entries.plan_invite(self.session, partner_id, entry, directory)
        )
        if landed is None:
            return
        planned, undoable = landed
        when = planned.invite.start.strftime("%a %d %b %H:%M")
        note = f" ({planned.saved.note})" if planned.saved.note else ""
        toast = f"Invite planned for {when}; .ics saved to {planned.saved.path}{note}"
        message = InvitePlanned(toast=toast, planned=planned)
        self._landed(message, undoable, origin, planned)

    # ------------------------------------------------------ people from a sync
    @work(thread=True, group=WRITES, exit_on_error=False)
    def assign_person(
        self,
        email: str,
        partner_id: str,
        contact_id: str | None,
        name: str | None,
        *,
        origin: MessagePump | None = None,
    ) -> None:
        """An unmatched address becomes a contact (new, or one already there)."""
        landed = self._write(
            origin,
            lambda: sync_service.assign_person(self.session, email, partner_id, contact_id, name),
        )
        if landed is None:
            return
        result, undoable = landed
        message = PersonAssigned(toast=f"{email} assigned", email=email, partner_id=partner_id)
        self._landed(message, undoable, origin, result)

    @work(thread=True, group=WRITES, exit_on_error=False)
    def ignore_person(self, email: str) -> None:
        """Never queue this address again."""
        _, undoable = self._change(lambda: sync_service.ignore_person(self.session, email))
        message = PersonIgnored(toast=f"Ignoring {email} from now on", email=email)
        self._landed(message, undoable, None, None)

    # ------------------------------------------------------- welcome, details
    @work(thread=True, group=WRITES, exit_on_error=False)
    def load_demo(self) -> None:
        """The welcome screen's demo agency (an empty store only)."""
        data, undoable = self._change(lambda: load_demo(self.session, DemoSize()))
        toast = f"Demo agency loaded: {len(data.partners)} partners"
        self._landed(DemoLoaded(toast=toast, partners=len(data.partners)), undoable, None, data)

    @work(thread=True, group=WRITES, exit_on_error=False)
    def import_csv(self, path: Path) -> None:
        """The welcome screen's CSV import (all of it in one change, or nothing)."""
        report, undoable = self._change(lambda: import_csv(self.session, path))
        toast = f"Imported {report.partners_added} partners and {report.contacts_added} contacts"
        self._landed(CsvImported(toast=toast, report=report), undoable, None, report)

    @work(thread=True, group=WRITES, exit_on_error=False)
    def save_details(
        self,
        typed: dict[str, str],
        needed: tuple[str, ...] = (),
        *,
        origin: MessagePump | None = None,
    ) -> None:
        """The rep's details into config.toml; the running app uses them at once."""
        landed = self._write(origin, lambda: entries.save_details(self.session, typed, needed))
        if landed is None:
            return
        saved, _ = landed
        self.session.settings = saved.settings  # before the board catches up (the zone)
        toast = f"Your details are saved in {saved.path}"
        self._landed(DetailsSaved(toast=toast, details=saved), False, origin, saved.settings)

    # ------------------------------------------------------------ undo, export
    def action_undo(self) -> None:
        """Take back the rep's own latest change (pressed again: redo it); on a team
        store a colleague's change is never taken back (the store refuses, saying why)."""
        self.undo_latest()

    @work(thread=True, group=WRITES, exit_on_error=False)
    def undo_latest(self) -> None:
        undone, change = history.undo_latest(self.session)
        toast = f"{change.summary}  (u again: take that back)"
        self.post_message(ChangeUndone(toast=toast, undone=undone, change=change))

    @work(thread=True, group="export", exit_on_error=False)
    def export_report(self, report: Report) -> None:
        """Write the reports CSV in the folder Nurture was started from (a new name beside
        an earlier one, never over it), and say the full path."""
        path = write_report_csv(report, keep_both=True)
        self.post_message(ReportExported(toast=f"Report saved to {path}", path=path, timeout=10))

    @work(thread=True, group="export", exit_on_error=False)
    def export_compliance_report(self, report: ComplianceReport) -> None:
        """The compliance report's CSV, like the reports CSV: the current folder, beside an
        earlier one and never over it, the full path said."""
        path = compliance.write_report_csv(report, keep_both=True)
        toast = f"Compliance report {report.year} saved to {path}"
        self.post_message(ReportExported(toast=toast, path=path, timeout=10))

    # ------------------------------------------------------------ the team report
    @work(thread=True, exclusive=True, group="team-report", exit_on_error=False)
    def load_team_report(self, screen: MessagePump, since: date) -> None:
        """The Team screen's figures since ``since`` (the service of ``nurture team
        report``), posted to ``screen``: ``TeamReportLoaded``, or ``TeamReportUnavailable``
        with the refusal (a rep's own store, the team database away), which the screen
        shows in place of the table. A newer load (the other period, a colleague's write)
        supersedes this one, and a superseded load never paints."""
        worker = get_current_worker()
        try:
            report = team_report(self.session, self.playbook, since)
        except NurtureError as error:
            if not worker.is_cancelled:
                screen.post_message(TeamReportUnavailable(error))
            return
        except Exception:  # the app's error toast says what; the screen stops "Loading…"
            screen.post_message(
                TeamReportUnavailable(NurtureError("the team report could not be built"))
            )
            raise
        if not worker.is_cancelled:
            screen.post_message(TeamReportLoaded(report))


def overridden_words(overrides: Sequence[Override]) -> str:
    """ "; 2 compliance warnings recorded as overridden by Alex Rivera": what a save did
    with the warnings the rep confirmed ("" when there were none)."""
    if not overrides:
        return ""
    count = len(overrides)
    plural = "warning" if count == 1 else "warnings"
    by = ", ".join(dict.fromkeys(o.by for o in overrides))
    return f"; {count} compliance {plural} recorded as overridden by {by}"


def record_words(record: Touchpoint | Referral) -> str:
    """ "the check-in of 20 Nov", "the referral of 03 Nov": a record in the rep's words."""
    if isinstance(record, Touchpoint):
        return f"the {record.kind.value} of {record.at:%d %b}"
    return f"the referral of {record.received:%d %b}"
