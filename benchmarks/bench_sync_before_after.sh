#!/bin/sh
# Google ingest before and after, in one run on one machine: the tree at REV (default
# 33bae04, before page-by-page sync) and the working tree, each synced twice, alternating,
# with the same benchmark file (bench_sync.py google: wall time, the sync's CPU and the fake
# server's CPU). On a busy machine compare the CPU figures; the load is printed per run.
#
# Run: sh benchmarks/bench_sync_before_after.sh [REV]
set -eu
REV="${1:-33bae04}"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PY="$ROOT/.venv/bin/python"
BEFORE="$(mktemp -d)"
trap 'rm -rf "$BEFORE"' EXIT
git -C "$ROOT" archive "$REV" src integrations tests benchmarks | tar -x -C "$BEFORE"
cp "$ROOT/benchmarks/bench_sync.py" "$BEFORE/benchmarks/bench_sync_now.py"
for round in 1 2; do
    echo "before ($REV), round $round, load $(cut -d' ' -f1 /proc/loadavg)"
    (cd "$BEFORE" && PYTHONPATH="$BEFORE/src:$BEFORE/integrations" \
        "$PY" benchmarks/bench_sync_now.py google | grep "full sync")
    echo "after (working tree), round $round, load $(cut -d' ' -f1 /proc/loadavg)"
    (cd "$ROOT" && "$PY" benchmarks/bench_sync.py google | grep "full sync")
done
