"""The ``nurture`` command: the TUI by default, sub-commands for scripts and cron.

Exit codes: 0 ok, 1 a user error (one line on stderr, never a traceback), 2 a usage error.
Every sub-command takes ``--json`` (machine-readable stdout) and ``--data-dir``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import NoReturn

import orjson

from nurture_tui import __version__
from nurture_tui.commands import changes, data, exchange, invites, partners, plan, touches
from nurture_tui.commands import sync as sync_commands
from nurture_tui.commands.compliance import add_parsers as _compliance_parsers
from nurture_tui.commands.config import add_parsers as _config_parsers
from nurture_tui.commands.reports import add_parsers as _report_parsers
from nurture_tui.commands.team import add_parsers as _team_parsers
from nurture_tui.crash import write_crash_report
from nurture_tui.domain.errors import (
    AmbiguousIdError,
    NotFoundError,
    NurtureError,
    StoreError,
    ValidationError,
)
from nurture_tui.domain.kinds import (
    Credential,
    PartnerKind,
    ReferralService,
    ReferralStatus,
    Stage,
    Tier,
    TouchpointKind,
)
from nurture_tui.domain.ownership import NotAllowedError
from nurture_tui.invites.model import InviteKind

Handler = Callable[[argparse.Namespace], int]


class UsageError(Exception):
    """The command line itself is wrong (exit 2); ``usage`` is that command's usage line."""

    def __init__(self, message: str, usage: str) -> None:
        super().__init__(message)
        self.usage = usage


class _Parser(argparse.ArgumentParser):
    """Raises on a usage error, so ``main`` can answer in JSON when asked to."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: error: {message}", self.format_usage())


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--json",
        action="store_true",
        default=argparse.SUPPRESS,
        help="print machine-readable JSON on stdout",
    )
    common.add_argument(
        "--data-dir",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="the store to use (default: $NURTURE_HOME or the user data dir)",
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser: argparse.ArgumentParser = _Parser(
        prog="nurture",
        description="Nurture referral partners: a partner board, suggested next actions, "
        "touchpoints, referrals and invites.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"nurture {__version__}")
    # No set_defaults for --json/--data-dir: the parents' actions are shared objects, and a
    # default set here would become every sub-parser's default, overwriting what was given
    # before the sub-command. ``parse`` fills them in after parsing instead.
    parser.set_defaults(handler=_tui)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    def command(
        group: argparse._SubParsersAction[argparse.ArgumentParser],
        name: str,
        handler: Handler,
        help_text: str,
    ) -> argparse.ArgumentParser:
        p = group.add_parser(name, parents=[common], help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        return p

    command(sub, "tui", _tui, "start the terminal app (the default)")
    _demo_parser(command(sub, "demo", data.demo, "fill the store with a realistic demo agency"))
    _partner_parsers(sub, common, command)
    _contact_parsers(sub, common, command)
    _log_parser(command(sub, "log", touches.log, "log a touchpoint (a call, visit, email...)"))
    _referral_parsers(sub, common, command)
    _touch_parsers(sub, common, command)
    command(sub, "undo", changes.undo, "take back your latest change (again: redo it)")
    p = command(sub, "history", changes.history, "the latest changes, newest first, and who")
    p.add_argument("--limit", type=_positive, default=20, metavar="N")
    p.add_argument("--mine", action="store_true", help="only the changes you made")
    _next_parser(command(sub, "next", touches.next_, "the suggested next actions, ranked"))
    _today_parser(command(sub, "today", plan.today, "today's plan: one action per partner"))
    _playbook_parsers(sub, common, command)
    _import_parsers(sub, common, command)
    _export_parser(command(sub, "export", exchange.export, exchange.EXPORT_HELP))
    _invite_parser(
        command(
            sub, "invite", invites.invite, "create, update or cancel an invite (.ics, or pushed)"
        )
    )
    _sync_parsers(sub, common, command)
    command(sub, "backup", data.backup, "copy the store to a new rotating backup")
    p = command(sub, "restore", data.restore, "go back to a backup (the latest by default)")
    p.add_argument("name", nargs="?", help="the backup's name or its prefix")
    p.add_argument("--list", action="store_true", help="list the backups, newest first")
    command(sub, "check", data.check, "check the store file for damage (SQLite's own check)")
    _config_parsers(sub, common, command)
    _report_parsers(sub, common, command)
    _compliance_parsers(sub, common, command)
    _team_parsers(sub, common, command)
    return parser


Command = Callable[..., argparse.ArgumentParser]


def _choices(enum: type[StrEnum]) -> list[str]:
    return [member.value for member in enum]


class Choice:
    """An argparse type for a fixed vocabulary, instead of ``choices=``.

    A typo ("meting") gets one line with "did you mean `meeting`?" and the valid values,
    exit 2, and no usage dump to scroll past. Case, spaces and underscores are forgiven
    ("Check In" is check-in). ``values`` lists what is accepted, as ``choices`` did.
    """

    def __init__(self, values: type[StrEnum] | Sequence[str], what: str) -> None:
        self.values = [v if isinstance(v, str) else v.value for v in values]
        self.what = self.__name__ = what  # argparse names a type by __name__
        self._by_key = {_choice_key(v): v for v in self.values}

    def __call__(self, text: str) -> str:
        found = self._by_key.get(_choice_key(text))
        if found is not None:
            return found
        from nurture_tui.services.naming import closest

        guess = closest(text, self.values)
        hint = f"did you mean `{guess}`? " if guess else ""
        shown = repr(text if len(text) <= 40 else text[:40] + "…")
        raise UsageError(
            f"nurture: error: {shown} is not a {self.what}; {hint}the {self.what}s are: "
            + ", ".join(self.values),
            "",  # no usage dump: the line says all there is to fix
        )


def _choice_key(text: str) -> str:
    return "-".join(text.strip().replace("_", " ").replace("-", " ").split()).casefold()


def _one_of(values: type[StrEnum] | Sequence[str]) -> str:
    return "one of: " + ", ".join(v if isinstance(v, str) else v.value for v in values)


def _demo_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument("--partners", type=int, default=40, metavar="N")
    p.add_argument("--touchpoints", type=int, default=1500, metavar="M")
    p.add_argument("--seed", type=int, default=7, metavar="S")
    p.add_argument("--force", action="store_true", help="replace a store that has data")
    p.add_argument("--if-empty", action="store_true", help="do nothing if the store has data")


def _partner_fields(p: argparse.ArgumentParser, *, adding: bool) -> None:
    p.add_argument(
        "--kind",
        required=adding,
        type=Choice(PartnerKind, "partner kind"),
        metavar="KIND",
        help=_one_of(PartnerKind),
    )
    p.add_argument(
        "--tier",
        default="B" if adding else None,
        type=Choice(Tier, "tier"),
        metavar="TIER",
        help=_one_of(Tier),
    )
    p.add_argument(
        "--stage",
        default="prospect" if adding else None,
        type=Choice(Stage, "stage"),
        metavar="STAGE",
        help=_one_of(Stage),
    )
    p.add_argument(
        "--domain",
        action="append",
        default=[] if adding else None,
        help="a mail/web domain of the partner (repeatable)",
    )
    p.add_argument("--npi", help="10-digit National Provider Identifier")
    p.add_argument(
        "--owner",
        help="the rep who owns the relationship (a team store: a rep's email, `me`, or "
        "'' for unassigned)",
    )
    p.add_argument("--tag", action="append", default=[] if adding else None)


def _partner_parsers(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    command: Command,
) -> None:
    group = sub.add_parser("partner", parents=[common], help="add, list, show, edit partners")
    psub = group.add_subparsers(title="partner commands", metavar="ACTION", required=True)
    p = command(psub, "add", partners.partner_add, "add a referral partner")
    p.add_argument("name")
    _partner_fields(p, adding=True)
    p = command(psub, "list", partners.partner_list, "list partners")
    p.add_argument("--all", action="store_true", help="include archived partners")
    p.add_argument(
        "--owner",
        metavar="me|EMAIL|unassigned",
        help="only the partners this rep owns (default: everyone's: the agency's directory)",
    )
    p = command(psub, "show", partners.partner_show, "a partner with contacts and history")
    p.add_argument("id", help="the partner id or a unique prefix of it")
    p = command(psub, "edit", partners.partner_edit, "change a partner")
    p.add_argument("id")
    p.add_argument("--name")
    p.add_argument("--notes")
    _partner_fields(p, adding=False)
    p = command(psub, "archive", partners.partner_archive, "archive a partner")
    p.add_argument("id")


def _contact_parsers(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    command: Command,
) -> None:
    group = sub.add_parser("contact", parents=[common], help="add, edit, show and list contacts")
    csub = group.add_subparsers(title="contact commands", metavar="ACTION", required=True)
    p = command(csub, "add", partners.contact_add, "add a contact at a partner")
    p.add_argument("--partner", required=True, metavar="ID")
    p.add_argument("name")
    p.add_argument("--email", action="append", default=[])
    p.add_argument("--role")
    p.add_argument("--phone")
    p.add_argument("--birthday", metavar="DATE")
    p.add_argument("--started", metavar="DATE", help="when they started at the partner")
    p.add_argument("--met-in-person", action="store_true")
    _credential_options(p)
    p = command(csub, "edit", partners.contact_edit, "change a contact")
    p.add_argument("id", help="the contact's id, a unique prefix of it, or their name")
    p.add_argument("--name")
    p.add_argument("--email", action="append", help="their addresses (replaces the list)")
    p.add_argument("--role")
    p.add_argument("--phone")
    p.add_argument("--birthday", metavar="DATE", help="'' clears it")
    p.add_argument("--started", metavar="DATE", help="'' clears it")
    p.add_argument("--met-in-person", action=argparse.BooleanOptionalAction, default=None)
    _credential_options(p)
    p = command(csub, "show", partners.contact_show, "show one contact")
    p.add_argument("id", help="the contact's id, a unique prefix of it, or their name")
    p = command(csub, "list", partners.contact_list, "list contacts")
    p.add_argument("--partner", metavar="ID")


def _credential_options(p: argparse.ArgumentParser) -> None:
    """--credential/--npi: whether gifts to a contact count toward Stark's yearly limit.
    The credential is read by ``parse_credential`` ("M.D." is md), not by ``Choice``."""
    p.add_argument(
        "--credential",
        metavar="CRED",
        help=f"{_one_of(Credential)} (md to dc are physicians under Stark; '' clears it)",
    )
    p.add_argument("--npi", help="their individual 10-digit NPI ('' clears it)")


def _log_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument("--partner", required=True, metavar="ID")
    p.add_argument(
        "--kind",
        required=True,
        type=Choice(TouchpointKind, "touchpoint kind"),
        metavar="KIND",
        help=_one_of(TouchpointKind),
    )
    p.add_argument("--at", metavar="DATETIME", help="when (default now; local time if no zone)")
    p.add_argument("--contact", action="append", default=[], metavar="ID")
    p.add_argument("--note")
    p.add_argument("--purpose", help="the purpose or agenda of a visit or meeting")
    p.add_argument(
        "--requested", action="store_true", help="the partner asked for this (e.g. brochures)"
    )
    p.add_argument("--planned", action="store_true", help="log it as planned, not done")
    p.add_argument(
        "--linkedin-connect",
        action="store_true",
        help="this touch is a LinkedIn connection request",
    )
    _value_options(p)
    p.add_argument(
        "--check",
        action="store_true",
        help="run every check (compliance too) and print what it finds; save nothing",
    )


def _value_options(p: argparse.ArgumentParser) -> None:
    """--value/--value-each/--item: what a gift, a meal or tickets were worth (log, edit)."""
    worth = p.add_mutually_exclusive_group()
    worth.add_argument(
        "--value",
        metavar="AMOUNT",
        help="what was given, for all contacts together (split evenly), e.g. 25 or 25.50",
    )
    worth.add_argument(
        "--value-each",
        metavar="AMOUNT",
        help="what each --contact received (multiplied by the number of contacts)",
    )
    p.add_argument("--item", metavar="TEXT", help='what was given ("lunch for 6", "coffee mugs")')


def _touch_parsers(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    command: Command,
) -> None:
    group = sub.add_parser("touch", parents=[common], help="show, edit or delete a touchpoint")
    tsub = group.add_subparsers(title="touch commands", metavar="ACTION", required=True)
    p = command(tsub, "show", changes.touch_show, "show one touchpoint")
    p.add_argument("id", help="the touchpoint id or a unique prefix of it")
    p = command(tsub, "edit", changes.touch_edit, "change a touchpoint (the options of log)")
    p.add_argument("id")
    p.add_argument("--partner", metavar="ID", help="move it to another partner")
    p.add_argument(
        "--kind",
        type=Choice(TouchpointKind, "touchpoint kind"),
        metavar="KIND",
        help=_one_of(TouchpointKind),
    )
    p.add_argument("--at", metavar="DATETIME")
    p.add_argument(
        "--contact", action="append", metavar="ID", help="the contacts (replaces the list)"
    )
    p.add_argument("--note")
    p.add_argument("--purpose")
    p.add_argument("--requested", action=argparse.BooleanOptionalAction, default=None)
    p.add_argument(
        "--planned",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="planned, not done (--no-planned: it happened)",
    )
    _value_options(p)
    p = command(tsub, "delete", changes.touch_delete, "delete a touchpoint (undoable)")
    p.add_argument("id")


def _referral_parsers(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    command: Command,
) -> None:
    group = sub.add_parser("referral", parents=[common], help="record and list referrals")
    rsub = group.add_subparsers(title="referral commands", metavar="ACTION", required=True)
    p = command(rsub, "add", touches.referral_add, "record a referral")
    p.add_argument("--partner", required=True, metavar="ID")
    p.add_argument("--contact", metavar="ID")
    p.add_argument("--received", required=True, metavar="DATE")
    p.add_argument(
        "--participant",
        metavar="REF",
        help="your own opaque participant code (default: a generated P-XXXXX)",
    )
    _service_options(p)
    p.add_argument(
        "--status",
        default="received",
        type=Choice(ReferralStatus, "referral status"),
        metavar="STATUS",
        help=_one_of(ReferralStatus),
    )
    p.add_argument("--complex", action="store_true", help="the participant has complex needs")
    p = command(rsub, "list", touches.referral_list, "list referrals")
    p.add_argument("--partner", metavar="ID")
    p = command(rsub, "show", touches.referral_show, "show one referral")
    p.add_argument("id")
    p = command(rsub, "edit", touches.referral_edit, "change a referral's status or flags")
    p.add_argument("id")
    p.add_argument(
        "--status",
        type=Choice(ReferralStatus, "referral status"),
        metavar="STATUS",
        help=_one_of(ReferralStatus),
    )
    p.add_argument(
        "--no-longer-serving",
        action="store_true",
        help="the partner no longer serves this participant",
    )
    p.add_argument("--complex", action=argparse.BooleanOptionalAction, default=None)
    _service_options(p)
    p = command(rsub, "delete", changes.referral_delete, "delete a referral (undoable)")
    p.add_argument("id")


def _service_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--service",
        type=Choice(ReferralService, "service"),
        metavar="SERVICE",
        help="what the referral is for (a list: patient details have nowhere to go): "
        + _one_of(ReferralService),
    )
    p.add_argument(
        "--service-detail",
        metavar="TEXT",
        help='a few words beside the service ("evenings only"); screened for patient data',
    )


def _today_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument("--today", metavar="DATE", help="plan this day instead")
    p.add_argument(
        "--size", type=_positive, metavar="N", help="at most N actions (default: daily_capacity)"
    )
    p.add_argument("--explain", action="store_true", help="show how each priority was computed")
    p.add_argument(
        "--everyone",
        action="store_true",
        help="a team store: every rep's partners, not only yours",
    )


def _next_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument("--today", metavar="DATE", help="compute as of this day")
    p.add_argument("--partner", metavar="ID")
    p.add_argument("--limit", type=_positive, metavar="N", help="at most N actions (N ≥ 1)")
    p.add_argument("--explain", action="store_true", help="show how each priority was computed")
    p.add_argument(
        "--everyone",
        action="store_true",
        help="a team store: every rep's partners, not only yours",
    )


def _playbook_parsers(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    command: Command,
) -> None:
    group = sub.add_parser("playbook", parents=[common], help="show or check the playbook")
    psub = group.add_subparsers(title="playbook commands", metavar="ACTION", required=True)
    command(psub, "show", touches.playbook_show, "print the effective playbook")
    p = command(psub, "check", touches.playbook_check, "validate a playbook file")
    p.add_argument("file")


def _import_parsers(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    command: Command,
) -> None:
    group = sub.add_parser("import", parents=[common], help="import partners, contacts, events")
    isub = group.add_subparsers(title="import commands", metavar="FORMAT", required=True)
    p = command(isub, "csv", data.csv_import, "partners and contacts from a spreadsheet")
    p.formatter_class = argparse.RawDescriptionHelpFormatter  # the header list keeps its lines
    p.epilog = data.CSV_EPILOG
    p.add_argument("file", help="a CSV saved from Excel, Numbers or Google Sheets")
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="show the column mapping, the merges and the ignored columns; write nothing",
    )
    p = command(isub, "ics", invites.ics_import, "calendar files: meetings become touchpoints")
    p.add_argument("target", metavar="FILE|DIR")
    p = command(isub, "tinydb", exchange.import_tinydb_file, exchange.IMPORT_HELP)
    p.epilog = exchange.IMPORT_EPILOG
    p.add_argument("file", metavar="FILE.json", help="a file written by `nurture export`")
    p.add_argument(
        "--replace",
        action="store_true",
        help="replace every record of a store that has data (backed up first)",
    )
    p.add_argument(
        "--allow-missing-refs",
        action="store_true",
        help="an export without participant references: give each referral a new one",
    )


def _export_parser(p: argparse.ArgumentParser) -> None:
    p.epilog = exchange.EXPORT_EPILOG
    p.add_argument("file", metavar="FILE.json", help="the TinyDB file to write")
    p.add_argument(
        "--with-participant-refs",
        action="store_true",
        help="include participant references (omitted by default: they stay in the store)",
    )
    p.add_argument("--force", action="store_true", help="overwrite FILE if it exists")


class _SignInName:
    """A ``Choice`` of what ``nurture auth`` signs in to: the installed sources (their entry
    points) and Zoom, read when a name is given (a typo gets "did you mean"), not while
    every other command's parser is built."""

    __name__ = "provider"

    @property
    def values(self) -> list[str]:
        from nurture_tui.services.sync import sign_in_names

        return sign_in_names()

    def __call__(self, text: str) -> str:
        return Choice(self.values, "provider")(text)


def _sync_parsers(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    command: Command,
) -> None:
    command(sub, "sources", sync_commands.sources, "list the installed sync sources")
    p = command(sub, "sync", sync_commands.sync, "pull meetings and sent mail into touchpoints")
    p.add_argument("source", nargs="?", default="all", help="google, outlook, ... or all")
    p.add_argument("--full", action="store_true", help="ignore the cursor and re-read everything")
    p.add_argument(
        "--allow-deletions",
        action="store_true",
        help="accept a full listing that removes many events",
    )
    p.add_argument("--watch", action="store_true", help="keep syncing, every --every")
    p.add_argument("--every", default="15m", metavar="INTERVAL", help="15m, 1h... (default 15m)")
    p.add_argument("--rounds", type=int, default=None, help=argparse.SUPPRESS)
    p = command(
        sub,
        "schedule",
        sync_commands.schedule_command,
        "run sync in the background: systemd timer, launchd agent or crontab",
    )
    p.add_argument(
        "action",
        type=Choice(["install", "remove", "status"], "schedule action"),
        help=_one_of(["install", "remove", "status"]),
    )
    p.add_argument("--every", default="15m", metavar="INTERVAL")
    p = command(sub, "auth", sync_commands.auth, "sign in to a sync source (or Zoom)")
    p.add_argument(
        "provider",
        type=_SignInName(),
        help="an installed source (`nurture sources` lists them: google, outlook...) or zoom",
    )
    p.add_argument("--client-secrets", metavar="FILE", help="Google: your OAuth client JSON")
    flow = p.add_mutually_exclusive_group()
    flow.add_argument("--device-code", action="store_true", help="Outlook: the default flow")
    flow.add_argument("--browser", action="store_true", help="Outlook: sign in in a browser")
    p.add_argument("--logout", action="store_true", help="forget the stored sign-in")
    p.add_argument("--status", action="store_true", help="say whether you are signed in")
    p = command(
        sub,
        "people",
        sync_commands.people,
        "triage people found in meetings and mail who match no contact",
    )
    p.add_argument("--assign", metavar="EMAIL")
    p.add_argument("--partner", metavar="ID")
    p.add_argument("--contact", metavar="ID", help="add the address to this contact")
    p.add_argument("--ignore", metavar="EMAIL", help="never queue this address again")


def _invite_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument("--partner", metavar="ID")
    p.add_argument(
        "--kind",
        type=Choice(InviteKind, "invite kind"),
        metavar="KIND",
        help=_one_of(InviteKind),
    )
    p.add_argument("--start", metavar="DATETIME", help="local time in --tz (default your zone)")
    p.add_argument("--duration", type=int, metavar="MINUTES")
    p.add_argument("--tz", metavar="ZONE", help="IANA zone, e.g. America/Chicago")
    p.add_argument(
        "--contact",
        action="append",
        default=[],
        metavar="ID",
        help="invite only these contacts (default: every contact with an email)",
    )
    p.add_argument("--title", metavar="T")
    p.add_argument("--zoom-url", metavar="URL", help="the video link (default: zoom_url setting)")
    p.add_argument("--location", metavar="PLACE", help="where to meet, with no video link")
    p.add_argument(
        "--zoom-meeting",
        action="store_true",
        help="create a Zoom meeting through Zoom's API for the link",
    )
    p.add_argument(
        "--online-meeting",
        action="store_true",
        help="with --push: let Google add a Meet link, or Outlook a Teams link",
    )
    p.add_argument(
        "--out",
        metavar="PATH",
        help="write the .ics to this file or folder ('-': stdout; default: a file in the "
        "current folder at a terminal, stdout in a pipe); the full path is printed",
    )
    p.add_argument("--force", action="store_true", help="replace the --out file if it exists")
    p.add_argument("--push", metavar="SOURCE", help="send it through a calendar source")
    p.add_argument(
        "--personal-copy", action="store_true", help="METHOD:PUBLISH, for your own calendar"
    )
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--update", metavar="UID", help="re-issue this invite with changes")
    mode.add_argument("--cancel", metavar="UID", help="cancel this invite (METHOD:CANCEL)")
    mode.add_argument("--list", action="store_true", help="list the invites created")


def _positive(text: str) -> int:
    """A whole number of at least 1 (argparse turns the ValueError into a usage error)."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def _tui(args: argparse.Namespace) -> int:
    from nurture_tui.ui.app import run

    return run(args.data_dir)


def parse(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse a command line; global options count before and after the sub-command."""
    args = build_parser().parse_args(argv)
    args.json = getattr(args, "json", False)
    args.data_dir = getattr(args, "data_dir", None)
    return args


#: ``--json`` error codes by exception type (scripts branch on these, not on messages).
ERROR_CODES: tuple[tuple[type[Exception], str], ...] = (
    (AmbiguousIdError, "ambiguous-id"),
    (NotAllowedError, "not-allowed"),
    (NotFoundError, "not-found"),
    (StoreError, "store"),
    (ValidationError, "invalid"),
    (NurtureError, "error"),
)


def _fail(json_mode: bool, code: str, message: str, status: int) -> int:
    """One line on stderr, or with --json one JSON document on stdout; never a traceback."""
    if json_mode:
        document = {"error": {"code": code, "message": message}}
        sys.stdout.buffer.write(orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n")
        sys.stdout.flush()
    else:
        print(f"nurture: error: {message}", file=sys.stderr)
    return status


def main(argv: Sequence[str] | None = None) -> int:
    raw = list(sys.argv[1:] if argv is None else argv)
    json_mode = "--json" in raw
    try:
        args = parse(raw)
    except UsageError as exc:
        if json_mode:
            return _fail(True, "usage", str(exc), 2)
        sys.stderr.write(exc.usage)
        print(exc, file=sys.stderr)
        return 2
    try:
        code: int = args.handler(args)
    except NurtureError as exc:
        name = next(label for kind, label in ERROR_CODES if isinstance(exc, kind))
        return _fail(args.json, name, str(exc), 1)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the last resort: a bug of ours, never a traceback on screen
        report = write_crash_report(exc)
        where = f"; a crash report (no record contents) is in {report}" if report else ""
        return _fail(
            args.json,
            "internal",
            f"something went wrong inside Nurture ({type(exc).__name__}); nothing more was "
            f"done{where}. Please send it to your support contact",
            1,
        )
    return code


if __name__ == "__main__":
    sys.exit(main())
