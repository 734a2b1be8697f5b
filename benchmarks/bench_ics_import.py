"""Parsing a 15 MB .ics of 60,000 events: whole at once, or one UID at a time.

Run: ``.venv/bin/python benchmarks/bench_ics_import.py whole`` and ``… streamed`` (each in
its own process, so peak RSS is the parse's own). Prints figures; no thresholds.
"""

from __future__ import annotations

import resource
import sys
import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from nurture_tui.invites import ics_reader

EVENTS = 60_000


def calendar(count: int) -> bytes:
    parts = ["BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//bench//EN\r\n"]
    for i in range(count):
        day = f"20260{1 + i % 9}1{i % 9}"
        parts.append(
            f"BEGIN:VEVENT\r\nUID:e{i}@bench\r\nDTSTAMP:20261101T000000Z\r\n"
            f"DTSTART:{day}T150000Z\r\nDTEND:{day}T160000Z\r\nSUMMARY:Check-in {i}\r\n"
            "ORGANIZER:mailto:alex@homecare.example\r\n"
            f"ATTENDEE;CN=Sam Ortiz;PARTSTAT=ACCEPTED:mailto:sam{i % 50}@hope.org\r\n"
            "END:VEVENT\r\n"
        )
    parts.append("END:VCALENDAR\r\n")
    return "".join(parts).encode()


def main() -> None:
    mode = sys.argv[1] if len(sys.argv) > 1 else "streamed"
    data = calendar(EVENTS)
    if mode == "whole":
        ics_reader._split_by_uid = lambda _data: []  # type: ignore[assignment]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    window = (datetime(2025, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    parsed = ics_reader.parse_ics(data, "bench.ics", window=window, local_zone=ZoneInfo("UTC"))
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{mode}: {len(data) / 1e6:.1f} MB, {len(parsed.events):,} events, {elapsed:.1f} s, "
        f"peak RSS {peak:.0f} MB ({peak - before:.0f} MB for the parse)"
    )


if __name__ == "__main__":
    main()
