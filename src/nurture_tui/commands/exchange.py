"""``nurture export`` and ``nurture import tinydb``: the CLI face of ``services.exchange``.

Only argument handling and wording live here; what is written, checked and refused is
decided in the service, so the TUI or a script can call the same use case.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from nurture_tui.commands.output import emit, say, session_for
from nurture_tui.services.exchange import export_tinydb, import_tinydb

EXPORT_HELP = "write every record to a TinyDB (JSON) file, for leaving, auditing or scripts"
EXPORT_EPILOG = (
    "The file holds one TinyDB table per store table (partners, contacts, touchpoints, "
    "referrals, dismissals) plus an _export table describing it; each document is the "
    "record with its id. Sync sign-ins and cursors, the unmatched-people queue and invite "
    "bookkeeping are not exported. Participant references are null (and masked in notes) "
    "unless --with-participant-refs. The file is mode 0600 and appears whole or not at all. "
    'Query it from Python: TinyDB(FILE).table("partners").search(Query().kind == "hospital").'
)
IMPORT_HELP = "load a `nurture export` file (TinyDB) into the store, in one transaction"
IMPORT_EPILOG = (
    "Every document is checked first (types, kinds, dates between 1900 and 2199, ids, the "
    "partner each record belongs to); one bad document means nothing is imported, and the "
    "error names its table and document. Into an empty store everything is loaded. A store "
    "with data is refused unless --replace, which replaces all its records (partners, "
    "contacts, touchpoints, referrals, dismissals) after backing a local store up "
    "(`nurture restore` undoes it); settings, sign-ins and sync cursors stay. An export made "
    "without participant references is refused unless --allow-missing-refs, which gives "
    "each referral a new random reference (P-XXXXX) that will not match your paperwork."
)


def export(args: argparse.Namespace) -> int:
    session = session_for(args)
    report = export_tinydb(
        session,
        Path(args.file),
        with_participant_refs=args.with_participant_refs,
        force=args.force,
    )
    counts = report.counts
    refs = (
        "participant references included: keep this file as private as the store"
        if report.participant_refs
        else "participant references omitted (--with-participant-refs includes them)"
    )
    if report.masked_in_text and not args.json:
        say(f"masked a participant reference in {report.masked_in_text} notes")
    emit(
        args,
        report.as_json(),
        [
            f"exported {counts['partners']} partners, {counts['contacts']} contacts, "
            f"{counts['touchpoints']} touchpoints, {counts['referrals']} referrals and "
            f"{counts['dismissals']} dismissals to {report.path}",
            refs,
        ],
    )
    return 0


def import_tinydb_file(args: argparse.Namespace) -> int:
    session = session_for(args)
    report = import_tinydb(
        session,
        Path(args.file),
        replace=args.replace,
        allow_missing_refs=args.allow_missing_refs,
    )
    counts = report.counts
    lines = []
    if report.backup is not None:
        lines.append(f"backed up the store first to {report.backup}")
    if report.generated_refs:
        lines.append(f"gave {report.generated_refs} referrals a new participant reference")
    verb = "replaced the store with" if report.replaced else "imported"
    lines.append(
        f"{verb} {counts['partners']} partners, {counts['contacts']} contacts, "
        f"{counts['touchpoints']} touchpoints, {counts['referrals']} referrals and "
        f"{counts['dismissals']} dismissals from {report.path}"
    )
    emit(args, report.as_json(), lines)
    return 0
