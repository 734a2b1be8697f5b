"""Parsing a 15 MB .ics of 60,000 events: whole at once, or one UID at a time.

Run: ``.venv/bin/python benchmarks/bench_ics_import.py whole`` and ``… streamed`` (each in
its own process, so peak RSS is the parse's own). Prints figures; no thresholds.
"""

import resource
import sys
import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from nurture_tui.invites import ics_reader

mode = sys.argv[1]
n = 60_000
parts = ["BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\n"]
for i in range(n):
    parts.append(
        f"BEGIN:VEVENT\r\nUID:e{i}@x\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20260{1 + i % 9}1{i % 9}T150000Z\r\nDTEND:20260{1 + i % 9}1{i % 9}T160000Z\r\nSUMMARY:Check-in number {i}\r\nORGANIZER:mailto:alex@homecare.example\r\nATTENDEE;CN=Sam Ortiz;PARTSTAT=ACCEPTED:mailto:sam{i % 50}@hope.org\r\nEND:VEVENT\r\n"
    )
parts.append("END:VCALENDAR\r\n")
data = "".join(parts).encode()
if mode == "whole":
    ics_reader._split_by_uid = lambda _d: []
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
t = time.perf_counter()
parsed = ics_reader.parse_ics(
    data,
    "x.ics",
    window=(datetime(2025, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)),
    local_zone=ZoneInfo("UTC"),
)
print(
    f"{mode}: {len(data) / 1e6:.1f} MB, {len(parsed.events)} events, {time.perf_counter() - t:.1f} s, peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB (before parse {before:.0f} MB)"
)
