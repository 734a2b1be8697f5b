"""What a spreadsheet import did, for the CLI (text or ``--json``), the TUI and history.

Every merge that was a judgement, every warning and every column (read or ignored) is
kept, so that a dry run can show the rep exactly what an import would do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from nurture_tui.services.csv_columns import Column


@dataclass(frozen=True)
class Merge:
    """A row that joined a partner under another name: reported, since it was a judgement."""

    row: int
    name: str
    partner_id: str
    partner: str
    by: str
    reason: str

    @property
    def message(self) -> str:
        return f"row {self.row}: '{self.name}' merged into {self.partner} ({self.reason})"

    def as_json(self) -> dict[str, object]:
        return {
            "row": self.row,
            "name": self.name,
            "partner": self.partner,
            "partner_id": self.partner_id,
            "by": self.by,
            "reason": self.reason,
            "message": self.message,
        }


@dataclass(frozen=True)
class ImportWarning:
    """Something imported that the rep should look at (the import still happened)."""

    row: int
    code: str
    message: str

    def as_json(self) -> dict[str, object]:
        return {"row": self.row, "code": self.code, "message": self.message}


@dataclass
class ImportReport:
    partners_added: int = 0
    partners_merged: int = 0
    contacts_added: int = 0
    contacts_merged: int = 0
    touchpoints_added: int = 0
    #: Last visits an earlier import already logged (found by external id).
    touchpoints_known: int = 0
    rows: int = 0
    dry_run: bool = False
    columns: tuple[Column, ...] = ()
    merges: list[Merge] = field(default_factory=list)
    warnings: list[ImportWarning] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def mapped(self) -> list[Column]:
        return [c for c in self.columns if c.field is not None]

    @property
    def ignored(self) -> list[Column]:
        return [c for c in self.columns if c.field is None]

    def as_json(self) -> dict[str, object]:
        return {
            "rows": self.rows,
            "partners_added": self.partners_added,
            "partners_merged": self.partners_merged,
            "contacts_added": self.contacts_added,
            "contacts_merged": self.contacts_merged,
            "touchpoints_added": self.touchpoints_added,
            "touchpoints_known": self.touchpoints_known,
            "dry_run": self.dry_run,
            "columns": [c.as_json() for c in self.mapped],
            "ignored_columns": [c.as_json() for c in self.ignored],
            "merges": [m.as_json() for m in self.merges],
            "warnings": [w.as_json() for w in self.warnings],
        }


def count(n: int, thing: str) -> str:
    """'1 new partner', '2 new partners'."""
    return f"{n} {thing}" + ("" if n == 1 else "s")


def history_summary(path: Path, report: ImportReport) -> str:
    """What ``nurture history`` shows for the import (one change: one undo takes it back)."""
    counts = [
        count(report.partners_added, "new partner"),
        count(report.contacts_added, "new contact"),
        count(report.touchpoints_added, "last visit"),
    ]
    merged = report.partners_merged + report.contacts_merged
    return f"Imported {path.name}: {', '.join(counts)}" + (f" ({merged} merged)" if merged else "")
