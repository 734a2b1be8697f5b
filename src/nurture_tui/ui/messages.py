"""Messages the app posts to itself from workers (named for what happened)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual.message import Message

from nurture_tui.domain.changes import Change
from nurture_tui.domain.errors import NurtureError
from nurture_tui.domain.model import Contact, Dismissal, Partner, Referral, Touchpoint
from nurture_tui.services.board import BoardData
from nurture_tui.services.csv_import import ImportReport
from nurture_tui.services.entries import PlannedInvite, SavedDetails
from nurture_tui.services.team_report import TeamReport


@dataclass
class BoardLoaded(Message):
    """Fresh board and agenda data, computed in a worker."""

    data: BoardData


@dataclass
class StoreChanged(Message):
    """Another process (a background sync, another window) wrote to the store."""

    revision: int


# ------------------------------------------------------------ a change landed
# Every use case in ``ui/use_cases.py`` ends in one of these, posted to the app: the app
# shows ``toast`` (with "(u: undo)" when the change can be taken back) and brings the board
# up to date (``board_changed``). The fields after ``toast`` are what happened, for
# whoever wants more than the words (the tests, a screen that follows a partner).


@dataclass(kw_only=True)
class Outcome(Message):
    """A use case finished: ``toast`` is what the rep is told (empty: nothing to say),
    for ``timeout`` seconds."""

    toast: str
    timeout: float = 4.0


@dataclass(kw_only=True)
class ChangeLanded(Outcome):
    """A write of the rep's landed (the base of every "it happened" message): the board
    is brought up to date."""


@dataclass(kw_only=True)
class TouchpointLogged(ChangeLanded):
    touchpoint: Touchpoint


@dataclass(kw_only=True)
class TouchpointEdited(ChangeLanded):
    touchpoint: Touchpoint


@dataclass(kw_only=True)
class TouchpointDeleted(ChangeLanded):
    touchpoint: Touchpoint


@dataclass(kw_only=True)
class ReferralRecorded(ChangeLanded):
    referral: Referral


@dataclass(kw_only=True)
class ReferralChanged(ChangeLanded):
    referral: Referral


@dataclass(kw_only=True)
class ReferralDeleted(ChangeLanded):
    referral: Referral


@dataclass(kw_only=True)
class PartnerSaved(ChangeLanded):
    """A partner added or edited."""

    partner: Partner
    added: bool


@dataclass(kw_only=True)
class PartnerArchived(ChangeLanded):
    partner: Partner


@dataclass(kw_only=True)
class StageMoved(ChangeLanded):
    partner: Partner


@dataclass(kw_only=True)
class OwnerChanged(ChangeLanded):
    """A partner handed to a rep (``partner.owner``), or left unassigned (None)."""

    partner: Partner


@dataclass(kw_only=True)
class ContactSaved(ChangeLanded):
    """A contact added (milestones and all, in one change) or edited."""

    contact: Contact
    added: bool


@dataclass(kw_only=True)
class ActionSnoozed(ChangeLanded):
    dismissal: Dismissal


@dataclass(kw_only=True)
class ActionDismissed(ChangeLanded):
    dismissal: Dismissal


@dataclass(kw_only=True)
class InvitePlanned(ChangeLanded):
    planned: PlannedInvite


@dataclass(kw_only=True)
class PersonAssigned(ChangeLanded):
    email: str
    partner_id: str


@dataclass(kw_only=True)
class PersonIgnored(ChangeLanded):
    email: str


@dataclass(kw_only=True)
class DemoLoaded(ChangeLanded):
    partners: int


@dataclass(kw_only=True)
class CsvImported(ChangeLanded):
    report: ImportReport


@dataclass(kw_only=True)
class DetailsSaved(ChangeLanded):
    """The rep's details written to config.toml (the store is untouched)."""

    details: SavedDetails


@dataclass(kw_only=True)
class ChangeUndone(ChangeLanded):
    """``u``: the latest change taken back (or, pressed again, redone)."""

    undone: Change
    change: Change


@dataclass(kw_only=True)
class SyncFinished(ChangeLanded):
    """Every connected source synced (``toast`` empty: a quiet timer sync, nothing new)."""


@dataclass(kw_only=True)
class ReportExported(Outcome):
    """The reports screen's CSV written (nothing in the store changed)."""

    path: Path


# ------------------------------------------------------------- a read, to its screen
@dataclass
class TeamReportLoaded(Message, bubble=False):
    """To the Team screen: the team report since ``report.since``, built in a worker."""

    report: TeamReport


@dataclass
class TeamReportUnavailable(Message, bubble=False):
    """To the Team screen: no report to show, and why — a rep's own store
    (``NotATeamStore``), the team database unreachable, or another refusal in its words."""

    error: NurtureError


# -------------------------------------------------------- a form's write, to the form
@dataclass
class WriteLanded(Message, bubble=False):
    """To the form that started a write: it landed (the form closes with ``result``)."""

    result: object


@dataclass
class WriteRefused(Message, bubble=False):
    """To the form that started a write: the service refused it (shown beside the field
    it names; the form stays open with everything typed)."""

    error: NurtureError


@dataclass
class WriteFailed(Message, bubble=False):
    """To the form that started a write: something unexpected went wrong (the app's error
    toast says so; the form stays open, Save can be tried again)."""

    error: BaseException
