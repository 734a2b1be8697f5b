"""Team-store figures (issue 15): 20 reps, 5,000 partners, 250,000 touchpoints on PostgreSQL.

A throw-away PostgreSQL cluster on localhost (``tests/pg_server.py``'s, switched to durable
settings: fsync and synchronous commit on, as a real server runs) receives the agency-scale
demo store, its partners owned by 20 reps in turn. Then, each beside the same figure on the
SQLite store where one applies:

- the board's cards from grouped queries (``LiveBoard.quick``), in-process;
- launch to the first painted board through a real terminal (tmux, 120x40);
- ``nurture log`` as a whole process, alternating runs;
- 20 writers at once (processes), 50 touches each: how many land, and each write's time;
- a touch logged by one rep, until another rep's open board (tmux) changes.

Run: ``.venv/bin/python benchmarks/bench_team.py [STORE_DIR]`` (the 250k SQLite store;
built first when not given); ``--writers``: only the 20 writers, twice, on 300 partners.
Needs PostgreSQL's server binaries (``make test`` installs them) and tmux.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

import psycopg  # noqa: E402
from bench_keys import NURTURE, screen, start, tmux, wait_until  # noqa: E402
from common import build_store, percentiles  # noqa: E402
from sqlalchemy import create_engine  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from nurture_tui.domain.kinds import PartnerKind, TouchpointKind  # noqa: E402
from nurture_tui.domain.model import Partner, Touchpoint, new_id  # noqa: E402
from nurture_tui.services.board import LiveBoard  # noqa: E402
from nurture_tui.services.exchange import read_store  # noqa: E402
from nurture_tui.services.playbook import effective_playbook  # noqa: E402
from nurture_tui.services.session import Session  # noqa: E402
from nurture_tui.store.migrate import upgrade  # noqa: E402
from nurture_tui.store.opening import open_store  # noqa: E402
from pg_server import PostgresCluster  # noqa: E402

REPS = [f"rep{i:02d}@agency.example" for i in range(20)]
WRITERS, TOUCHES_EACH = 20, 50
CONFIG = (
    'rep_name = "Rep Zero"\nrep_email = "rep00@agency.example"\n'
    'timezone = "America/Chicago"\nsync_every_minutes = 0\n'
)


def durable_cluster() -> tuple[PostgresCluster, str]:
    """The suite's throw-away cluster with a server's durability (the suite turns it off
    for speed), and an empty database with Nurture's schema."""
    cluster = PostgresCluster()
    cluster.start()
    conninfo = make_url(cluster.url).set(drivername="postgresql").render_as_string(False)
    with psycopg.connect(conninfo, autocommit=True) as admin:
        for name, value in (("fsync", "on"), ("synchronous_commit", "on")):
            admin.execute(f"ALTER SYSTEM SET {name} = '{value}'")
        admin.execute("SELECT pg_reload_conf()")
        admin.execute("CREATE DATABASE agency")
    url = make_url(cluster.url).set(database="agency").render_as_string(False)
    engine = create_engine(url)
    with engine.connect() as connection, connection.begin():
        upgrade(connection)
    engine.dispose()
    return cluster, url


def fill(url: str, source: Path, work: Path) -> None:
    """The agency store's records into the team store, each partner owned by a rep."""
    local = open_store(source)
    contents = read_store(local)
    local.close()
    partners = [replace(p, owner=REPS[n % len(REPS)]) for n, p in enumerate(contents.partners)]
    team = open_store(work / "fill", url=url, actor="rep00@agency.example")
    started = time.perf_counter()
    team.replace_all(
        partners, contents.contacts, contents.touchpoints, contents.referrals, contents.dismissals
    )
    print(
        f"  loaded {len(partners):,} partners / {len(contents.touchpoints):,} touchpoints "
        f"into PostgreSQL in {time.perf_counter() - started:.1f} s"
    )
    team.close()


def quick_board(directory: Path, url: str) -> float:
    repo = open_store(directory, url=url)
    session = Session(repo=repo)
    board = LiveBoard(session, effective_playbook().playbook, session.today())
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        board.quick()
        runs.append(time.perf_counter() - started)
    repo.close()
    return statistics.median(runs)


def painted(env: dict[str, str], data_dir: Path) -> float:
    """Launch to the first painted board, through tmux."""
    shown = {k: f"'{v}'" for k, v in env.items()}
    started = time.perf_counter()
    start(f"{NURTURE} --data-dir {data_dir}", shown)
    wait_until(lambda s: "rospect" in s, 120)
    elapsed = time.perf_counter() - started
    tmux("kill-server")
    return elapsed


def log_process(env: dict[str, str], data_dir: Path, partner: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [NURTURE, "--data-dir", str(data_dir), "log", "--partner", partner, "--kind", "call"],
        env=os.environ | env,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


_start_together: Any = None


def _meet_at(barrier: Any) -> None:
    """Pool initializer: the barrier every writer waits at before its first touch."""
    global _start_together
    _start_together = barrier


def writer(job: tuple[str, str, list[str], int]) -> tuple[list[float], float, float]:
    """One rep's process: 50 touches, each a transaction of its own; the time of each.

    The writers start together, once all twenty have started Python and opened the
    store: otherwise the first ones write while the last are still importing, and a
    write's time would be the other processes' start-up as much as the other writers."""
    url, directory, partner_ids, seed = job
    repo = open_store(Path(directory), url=url, actor=REPS[seed % len(REPS)])
    if _start_together is not None:
        _start_together.wait()
    began = time.time()  # (wall clock: compared across processes)
    times = []
    base = datetime(2026, 11, 24, 15, tzinfo=UTC)
    for n in range(TOUCHES_EACH):
        touch = Touchpoint(
            id=new_id(),
            partner_id=partner_ids[(seed * TOUCHES_EACH + n) % len(partner_ids)],
            kind=TouchpointKind.CALL,
            at=base + timedelta(seconds=seed * 1000 + n),
        )
        started = time.perf_counter()
        repo.save(touch, summary="bench: a call")
        times.append(time.perf_counter() - started)
    ended = time.time()
    repo.close()
    return times, began, ended


def concurrent_writers(url: str, work: Path, writers: int = WRITERS) -> None:
    repo = open_store(work / "count", url=url)
    before = repo.touchpoint_count()
    partner_ids = [p.id for p in repo.partners()]
    repo.close()
    jobs = [(url, str(work / f"w{i}"), partner_ids, i) for i in range(writers)]
    spawn = multiprocessing.get_context("spawn")
    barrier = spawn.Barrier(writers)
    with spawn.Pool(writers, initializer=_meet_at, initargs=(barrier,)) as pool:
        pending = pool.map_async(writer, jobs, chunksize=1)
        results = pending.get()
    elapsed = max(end for _, _, end in results) - min(begin for _, begin, _ in results)
    times = [t for each, _, _ in results for t in each]
    repo = open_store(work / "count", url=url)
    landed = repo.touchpoint_count() - before
    repo.close()
    p50, p95 = percentiles(times)
    print(
        f"  {writers} writer(s) x {TOUCHES_EACH} touches at once: {landed:,} of "
        f"{writers * TOUCHES_EACH:,} landed in {elapsed:.1f} s; per write p50 "
        f"{p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, worst {max(times) * 1000:.0f} ms"
    )


def seen_by_a_colleague(env: dict[str, str], data_dir: Path, url: str, work: Path) -> None:
    """Rep B's TUI is open; rep A saves a touch on the partner B has selected; until B's
    screen changes (nothing else moves on it meanwhile)."""
    shown = {k: f"'{v}'" for k, v in env.items()}
    start(f"{NURTURE} --data-dir {data_dir}", shown)
    wait_until(lambda s: "rospect" in s, 120)
    wait_until(lambda s: "next action…" not in s, 120)
    time.sleep(3)  # settled: the first collection done, nothing left to draw
    colleague = open_store(work / "colleague", url=url, actor=REPS[1])
    partners = colleague.partners()
    samples = []
    for n in range(10):
        before = screen()
        partner = partners[n * 7]
        started = time.perf_counter()
        colleague.save(
            Touchpoint(
                id=new_id(),
                partner_id=partner.id,
                kind=TouchpointKind.MEETING,
                at=datetime.now(UTC) - timedelta(minutes=n),
            ),
            summary="bench: a colleague's meeting",
        )
        wait_until(lambda s, b=before: s != b, 30)
        samples.append(time.perf_counter() - started)
        time.sleep(0.5)
    colleague.close()
    tmux("kill-server")
    p50, _ = percentiles(samples)
    print(
        f"  a colleague's touch until the open board changes (tmux): p50 {p50 * 1000:.0f} ms, "
        f"worst {max(samples) * 1000:.0f} ms over {len(samples)} writes"
    )


def writers_only(rounds: int = 2) -> None:
    """Only the writers, on a small agency (300 partners): one alone, then twenty at once;
    the quick figure to compare two trees by (run it on each, alternating)."""
    print(f"{WRITERS} writers on PostgreSQL (localhost, durable), 300 partners")
    work = Path(tempfile.mkdtemp(prefix="nurture-team-bench-"))
    cluster, url = durable_cluster()
    try:
        repo = open_store(work / "fill", url=url, actor=REPS[0])
        repo.save(
            *(
                Partner(id=f"p{n}", name=f"Partner {n}", kind=PartnerKind.HOSPITAL)
                for n in range(300)
            )
        )
        repo.close()
        concurrent_writers(url, work / "alone", writers=1)
        for round_ in range(rounds):
            concurrent_writers(url, work / f"round{round_}")
    finally:
        cluster.stop()
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    if sys.argv[1:2] == ["--writers"]:
        writers_only()
        return
    print(f"team store on PostgreSQL (localhost, durable), {len(REPS)} reps")
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else build_store()
    work = Path(tempfile.mkdtemp(prefix="nurture-team-bench-"))
    cluster, url = durable_cluster()
    try:
        fill(url, source, work)
        sqlite_store = work / "sqlite"
        shutil.copytree(source, sqlite_store)
        print(
            f"  board cards (LiveBoard.quick): PostgreSQL {quick_board(work / 'q', url) * 1000:.0f}"
            f" ms, SQLite {quick_board(sqlite_store, '') * 1000:.0f} ms"
        )
        config = work / "config"
        config.mkdir()
        (config / "config.toml").write_text(CONFIG)
        sqlite_env = {"NURTURE_CONFIG_DIR": str(config), "TERM": "xterm-256color"}
        team_env = sqlite_env | {"NURTURE_STORE_URL": url}
        team_dir = work / "team-dir"
        print(
            f"  launch to the painted board (tmux): PostgreSQL "
            f"{painted(team_env, team_dir):.2f} s, SQLite {painted(sqlite_env, sqlite_store):.2f} s"
        )
        partner = open_store(sqlite_store).partners()[0].id
        pg_runs, sqlite_runs = [], []
        for _ in range(5):  # alternating, so both see the same machine
            pg_runs.append(log_process(team_env, team_dir, partner))
            sqlite_runs.append(log_process(sqlite_env, sqlite_store, partner))
        pg, lite = statistics.median(pg_runs), statistics.median(sqlite_runs)
        print(
            f"  `nurture log`, whole process: PostgreSQL {pg:.2f} s, SQLite {lite:.2f} s "
            f"(ratio {pg / lite:.2f})"
        )
        concurrent_writers(url, work)
        seen_by_a_colleague(team_env, team_dir, url, work)
    finally:
        tmux("kill-server")
        cluster.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
