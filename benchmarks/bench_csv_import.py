"""Importing a spreadsheet just under the 20 MB cap: every partner matched by index.

Run: ``.venv/bin/python benchmarks/bench_csv_import.py [ROWS]`` (default 100,000 rows,
about 19 MB). Each partner appears on two rows, the second spelt differently (a suffix, a
misspelt word or only its contact's email domain), with notes, a city and a last visit,
so every matching rule and every column is exercised. The store is a fresh SQLite file in
a temporary folder; the dry run and the real import are timed separately. Prints figures;
no thresholds.
"""

from __future__ import annotations

import csv
import io
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from nurture_tui.config import Settings
from nurture_tui.services.csv_import import import_csv
from nurture_tui.services.session import Session
from nurture_tui.store.opening import open_store

WORDS = ("Mercy", "Hope", "Riverside", "Lakeview", "Summit", "Cedar", "Harbor", "Maple")


def sheet(rows: int) -> bytes:
    buffer = io.StringIO()
    out = csv.writer(buffer)
    out.writerow(["Organization", "Type", "Contact Name", "Email", "Notes", "City", "Last Visit"])
    for n in range(rows // 2):
        name = f"{WORDS[n % len(WORDS)]} Westbrook{n:06d} General"
        domain = f"org{n}.example"
        out.writerow([name, "hospital", f"Sam Ortiz {n}", f"sam{n}@{domain}",
                      "Prefers mornings; ask about the discharge planning meeting",
                      "Springfield", f"{1 + n % 12}/{1 + n % 28}/2025"])  # fmt: skip
        second, email = (
            (f"{name} Hospital", ""),  # rule 4: a descriptive suffix
            (name.replace("General", "Genral"), f"nora{n}@gmail.com"),  # rule 5: a typo
            (f"{WORDS[n % len(WORDS)]} Health System", f"nora{n}@{domain}"),  # rule 3
        )[n % 3]
        out.writerow([second, "", f"Nora Baker {n}", email, "", "Springfield", "2025-11-02"])
    return buffer.getvalue().encode()


def run(data: bytes, *, dry_run: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "partners.csv"
        path.write_bytes(data)
        session = Session(
            open_store(Path(folder) / "store"),
            Settings(timezone="America/Chicago"),
            lambda: datetime(2026, 11, 23, 15, tzinfo=UTC),
        )
        started = time.perf_counter()
        report = import_csv(session, path, dry_run=dry_run)
        elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{'dry run' if dry_run else 'import '}: {len(data) / 1e6:.1f} MB, {report.rows:,} rows, "
        f"{report.partners_added:,} partners, {len(report.merges):,} merges reported, "
        f"{report.touchpoints_added:,} last visits, {elapsed:.1f} s, peak RSS {peak:.0f} MB"
    )


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    data = sheet(rows)
    run(data, dry_run=True)
    run(data, dry_run=False)


if __name__ == "__main__":
    main()
