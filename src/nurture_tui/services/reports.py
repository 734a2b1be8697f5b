"""Reports: referrals by partner and month, conversion, top referrers, quiet partners,
give/ask balance. Aggregates only: no participant reference ever reaches a report or CSV.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from nurture_tui.domain.errors import ValidationError
from nurture_tui.domain.kinds import Direction, Stage
from nurture_tui.domain.model import PartnerHistory
from nurture_tui.domain.text import spreadsheet_safe
from nurture_tui.services.session import Session
from nurture_tui.store.files import atomic_write, fsync_directory


@dataclass(frozen=True, slots=True)
class PartnerRow:
    partner_id: str
    name: str
    stage: str
    referrals_12m: int
    touches_12m: int
    gives_12m: int
    asks_12m: int
    days_since_touch: int | None

    @property
    def conversion(self) -> float:
        """Referrals per 10 touches: how much the effort turns into business."""
        return 10 * self.referrals_12m / self.touches_12m if self.touches_12m else 0.0


@dataclass(frozen=True)
class Report:
    today: date
    months: list[tuple[str, int]]
    rows: list[PartnerRow]

    @property
    def top_referrers(self) -> list[PartnerRow]:
        return sorted((r for r in self.rows if r.referrals_12m), key=lambda r: -r.referrals_12m)

    @property
    def going_quiet(self) -> list[PartnerRow]:
        """Referring partners and champions with no touch for 45 days or more."""
        return sorted(
            (
                r
                for r in self.rows
                if r.stage in (Stage.REFERRING, Stage.CHAMPION)
                and (r.days_since_touch is None or r.days_since_touch >= 45)
            ),
            key=lambda r: -(r.days_since_touch or 10_000),
        )

    @property
    def give_ask(self) -> tuple[int, int]:
        return sum(r.gives_12m for r in self.rows), sum(r.asks_12m for r in self.rows)


def build_report(session: Session, today: date | None = None) -> Report:
    today = today or session.today()
    repo = session.repo
    start = today - timedelta(days=365)
    month_keys = _last_months(today, 12)
    per_month: Counter[str] = Counter()
    rows = [
        _partner_row(history, start, today, per_month, session)
        for history in repo.histories()  # one bulk read, not three queries per partner
    ]
    return Report(today, [(m, per_month[m]) for m in month_keys], rows)


def _partner_row(
    history: PartnerHistory,
    start: date,
    today: date,
    per_month: Counter[str],
    session: Session,
) -> PartnerRow:
    partner = history.partner
    pid = partner.id
    referrals = [r for r in history.referrals if r.received >= start]
    for referral in referrals:
        per_month[referral.received.strftime("%Y-%m")] += 1
    zone = session.settings.zone
    touches = [t for t in history.touchpoints if t.is_done]
    recent = [t for t in touches if t.at.astimezone(zone).date() >= start]
    last = touches[-1].at.astimezone(zone).date() if touches else None
    asks = sum(1 for t in recent if t.direction is Direction.ASK)
    return PartnerRow(
        partner_id=pid,
        name=partner.name,
        stage=partner.stage.value,
        referrals_12m=len(referrals),
        touches_12m=len(recent),
        gives_12m=len(recent) - asks,
        asks_12m=asks,
        days_since_touch=(today - last).days if last else None,
    )


def _last_months(today: date, count: int) -> list[str]:
    year, month = today.year, today.month
    keys = []
    for _ in range(count):
        keys.append(f"{year:04d}-{month:02d}")
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return list(reversed(keys))


def report_csv(report: Report) -> str:
    """One row per partner; aggregates only (no participant references)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "partner_id",
            "partner",
            "stage",
            "referrals_12m",
            "touches_12m",
            "referrals_per_10_touches",
            "gives_12m",
            "asks_12m",
            "days_since_touch",
        ]
    )
    for r in sorted(report.rows, key=lambda r: (-r.referrals_12m, r.name.lower())):
        writer.writerow(
            spreadsheet_safe(cell)
            for cell in [
                r.partner_id,
                r.name,
                r.stage,
                r.referrals_12m,
                r.touches_12m,
                f"{r.conversion:.2f}",
                r.gives_12m,
                r.asks_12m,
                "" if r.days_since_touch is None else r.days_since_touch,
            ]
        )
    return out.getvalue()


def report_file_name(today: date) -> str:
    return f"nurture-report-{today.isoformat()}.csv"


def write_report_csv(
    report: Report,
    out: Path | None = None,
    *,
    cwd: Path | None = None,
    overwrite: bool = False,
    keep_both: bool = False,
) -> Path:
    """Write the report's CSV where the rep will look for it, and return its full path
    (see ``write_csv_file``; the default name is ``nurture-report-DATE.csv``)."""
    return write_csv_file(
        report_csv(report).encode("utf-8"),
        report_file_name(report.today),
        out,
        cwd=cwd,
        overwrite=overwrite,
        keep_both=keep_both,
    )


def write_csv_file(
    data: bytes,
    default_name: str,
    out: Path | None = None,
    *,
    cwd: Path | None = None,
    overwrite: bool = False,
    keep_both: bool = False,
    option: str = "--out",
) -> Path:
    """Write a CSV export where the rep will look for it, and return its full path.

    ``out`` is a file, or a folder to put ``default_name`` in; without it the file goes in
    ``cwd`` (the current folder), not the data folder nobody opens. An existing file is
    never replaced silently: refused unless ``overwrite`` (``--force``), or, with
    ``keep_both`` (the TUI, which has no --force), written beside it as ``NAME-2.csv``.
    The file is the rep's business data: 0600.
    """
    try:
        folder = (cwd or Path.cwd()).absolute()
    except OSError:  # the shell's folder was deleted under it
        raise ValidationError(f"the current folder no longer exists; use {option}") from None
    target = Path(os.path.expanduser(out)) if out is not None else folder
    if not target.is_absolute():
        target = folder / target
    if target.is_dir():
        target = target / default_name
    if not target.parent.is_dir():
        raise ValidationError(f"the folder {target.parent} does not exist")
    if target.is_dir():
        raise ValidationError(f"{target} is a folder; give a file name such as report.csv")
    if target.exists() and not target.resolve().is_file():
        # A device, a FIFO or a socket: --force must not replace /dev/full with a file,
        # and a FIFO would block the write forever.
        raise ValidationError(
            f"{target} is not a regular file; give a file name such as report.csv"
        )
    if overwrite:
        if _is_database(target):  # --force or not: the store or a backup is never a target
            raise ValidationError(f"{target} is a database (the store or a backup); kept as is")
        with _plain(target):
            atomic_write(target, data)
        return target
    for attempt in range(1, 1000):
        candidate = target if attempt == 1 else _numbered(target, attempt)
        try:
            with _plain(candidate):
                _write_new(candidate, data)
        except FileExistsError:
            if not keep_both:
                raise ValidationError(
                    f"{candidate} already exists; use --force to overwrite it, or {option} "
                    "another file"
                ) from None
            continue
        return candidate
    raise ValidationError(f"too many reports named like {target} already; use {option}")


@contextlib.contextmanager
def _plain(path: Path) -> Iterator[None]:
    """A folder we may not write to, a full disk: one line naming the file, not a trace."""
    try:
        yield
    except FileExistsError:
        raise
    except OSError as exc:
        raise ValidationError(f"cannot write {path}: {exc.strerror or exc}") from None


def _numbered(path: Path, number: int) -> Path:
    return path.with_name(f"{path.stem}-{number}{path.suffix}")


def _is_database(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False


def _write_new(path: Path, data: bytes) -> None:
    """Create ``path`` with ``data``, whole or not at all, and never over an existing file:
    written beside it first, then hard-linked into place (a link fails if the name is taken,
    even if another process took it a moment ago). Raises FileExistsError."""
    if path.exists() or path.is_symlink():
        raise FileExistsError(path)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)
        with open(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temp, path)
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
                raise
            # A file system without hard links (FAT, some network shares): create it
            # exclusively instead; a crash mid-write could then leave it partial.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with open(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
    fsync_directory(path.parent)
