"""A touch logged by hand is appended without waiting for other writers' turns, and is
still never lost, never misrecorded and never reordered (``SqlRepository._append``).

Each crossing is made certain, never timed: the append is held just before it takes the
revision row (``hold_before_turn``), the colleague's write runs, and where the colleague
must wait for the held append, the test waits until PostgreSQL itself shows that wait.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy.engine import make_url

from nurture_tui.domain.changes import NothingToUndoError
from nurture_tui.domain.errors import NurtureError
from nurture_tui.domain.kinds import Direction, PartnerKind, TouchpointKind, TouchpointStatus
from nurture_tui.domain.model import Override, Partner, Touchpoint
from nurture_tui.domain.repository import Repository
from nurture_tui.store import rows
from nurture_tui.store.opening import open_store
from nurture_tui.store.sql import SqlRepository
from pg_server import postgres_db_url, postgres_store_url, postgres_url  # noqa: F401

#: Seconds before a wait that should end at once is called stuck (a bound for failing).
PATIENCE = 30.0
MERCY = Partner(id="mercy", name="Mercy General", kind=PartnerKind.HOSPITAL)


def call(tid: str, note: str = "", partner_id: str = MERCY.id) -> Touchpoint:
    return Touchpoint(
        id=tid,
        partner_id=partner_id,
        kind=TouchpointKind.CALL,
        at=datetime(2026, 11, 20, 15, tzinfo=UTC),
        note=note,
    )


class Held:
    """A write run in a thread that stops just before it takes the revision row (an
    append), or with ``in_turn`` just after it took it (any other write)."""

    def __init__(
        self, repo: SqlRepository, write: Callable[[], object], *, in_turn: bool = False
    ) -> None:
        self.reached, self.go = threading.Event(), threading.Event()
        self.error: BaseException | None = None
        held: list[bool] = []

        def hold() -> None:
            if not held:
                held.append(True)
                self.reached.set()
                assert self.go.wait(PATIENCE)

        if in_turn:
            real_bump = repo._bump

            def bump(c: Any) -> int:
                revision = real_bump(c)
                hold()
                return revision

            repo._bump = bump  # type: ignore[method-assign]
        else:
            real_take_turn = repo._take_turn

            def take_turn(c: Any, partner_ids: set[str]) -> int:
                hold()
                return real_take_turn(c, partner_ids)

            repo._take_turn = take_turn  # type: ignore[method-assign]
        self._thread = threading.Thread(target=self._run, args=(write,))
        self._thread.start()
        assert self.reached.wait(PATIENCE), "the write never reached its turn"

    def _run(self, write: Callable[[], object]) -> None:
        try:
            write()
        except BaseException as error:  # reported by the test, not lost in the thread
            self.error = error

    def finish(self) -> None:
        self.go.set()
        self._thread.join(PATIENCE)
        assert not self._thread.is_alive()


def in_background(write: Callable[[], object]) -> tuple[threading.Thread, list[BaseException]]:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            write()
        except BaseException as error:
            errors.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


def wait_for_a_lock_wait(url: str) -> None:
    """Until PostgreSQL shows a session of this database waiting for a lock."""
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(False)
    deadline = time.monotonic() + PATIENCE
    with psycopg.connect(conninfo, autocommit=True) as admin:
        while time.monotonic() < deadline:
            row = admin.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            ).fetchone()
            if row and row[0]:
                return
            admin.execute("SELECT pg_sleep(0.01)")
    raise AssertionError("no session ever waited for the lock")


@pytest.fixture(params=["sqlite", "postgresql"])
def repo(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Repository]:
    """Ann's store on each engine (a fresh PostgreSQL database for the second)."""
    url = "" if request.param == "sqlite" else request.getfixturevalue("postgres_store_url")
    store = open_store(tmp_path / "ann", url=url, actor="ann@agency.org")
    yield store
    store.close()


@contextmanager
def reps(tmp_path: Path, url: str) -> Iterator[tuple[SqlRepository, SqlRepository]]:
    ann = open_store(tmp_path / "ann", url=url, actor="ann@agency.org")
    ben = open_store(tmp_path / "ben", url=url, actor="ben@agency.org")
    assert isinstance(ann, SqlRepository) and isinstance(ben, SqlRepository)
    try:
        yield ann, ben
    finally:
        ann.close()
        ben.close()


def test_a_touch_saved_again_is_an_edit_with_its_first_image_before_it(repo: Repository) -> None:
    repo.save(MERCY)
    repo.save(call("t1", "first"))
    repo.save(call("t1", "second"))  # the append gives way: the id is stored
    assert repo.touchpoint("t1").note == "second"
    assert repo.touchpoint_count() == 1
    repo.undo()
    assert repo.touchpoint("t1").note == "first"
    repo.undo()  # (an undo undone: the edit again)
    assert repo.touchpoint("t1").note == "second"
    repo.save(call("t2", "new"))  # an append's "before" is nothing: its undo removes it
    repo.undo()
    assert [t.id for t in repo.touchpoints(MERCY.id)] == ["t1"]


def test_a_touch_for_a_partner_nobody_has_is_refused_and_nothing_is_written(
    repo: Repository,
) -> None:
    revision = repo.revision
    with pytest.raises(NurtureError):
        repo.save(call("t1", partner_id="nobody"))
    assert (repo.revision, repo.touchpoint_count(), repo.changes()) == (revision, 0, [])


def test_an_append_holds_no_turn_and_revisions_still_follow_the_commits(
    postgres_store_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    with reps(tmp_path, postgres_store_url) as (ann, ben):
        ann.save(MERCY)
        hope = Partner(id="hope", name="Hope Hospice", kind=PartnerKind.HOSPICE)
        ann.save(hope)
        held = Held(ann, lambda: ann.save(call("t-ann", "Ann's call")))
        # Ben writes twice while Ann's append waits at its turn: he waits for nothing.
        ben.save(call("t-ben", "Ben's call", partner_id=hope.id))
        ben.save(Partner(id="hope", name="Hope Hospice", kind=PartnerKind.HOSPICE, notes="x"))
        bens_revision = ben.revision
        held.finish()
        assert held.error is None
        assert ann.revision == bens_revision + 1  # Ann's commit came last, and so its number
        stamps = ann.history_revisions()
        assert stamps[MERCY.id] == ann.revision and stamps[hope.id] == bens_revision
        assert {t.id for t in ann.touchpoints(MERCY.id)} == {"t-ann"}
        assert ann.touchpoint("t-ann").created_by == "ann@agency.org"
        # Ann's undo takes back her call, though Ben's changes were numbered after it.
        ann.undo()
        assert ann.touchpoint_count() == 1 and ben.partner(hope.id).notes == "x"


def test_a_colleague_saving_the_same_touch_meanwhile_keeps_both_in_the_history(
    postgres_store_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    with reps(tmp_path, postgres_store_url) as (ann, ben):
        ann.save(MERCY)
        held = Held(ann, lambda: ann.save(call("t1", "Ann's")))
        thread, errors = in_background(lambda: ben.save(call("t1", "Ben's")))
        wait_for_a_lock_wait(postgres_store_url)  # Ben's insert waits on Ann's row
        held.finish()
        thread.join(PATIENCE)
        assert held.error is None and errors == []
        assert ann.touchpoint("t1").note == "Ben's"  # the later commit wins, as any edit
        assert ann.touchpoint_count() == 1
        ben.undo()  # Ben's save was an edit of Ann's touch: undone, Ann's is back
        assert ann.touchpoint("t1").note == "Ann's"


def test_taking_back_a_new_partner_while_a_colleague_logs_a_touch_to_it(
    postgres_store_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    """Ann's undo removes the partner Ben is logging a touch to, at the same instant: one
    of the two is refused in one line, the other lands; neither waits for ever, neither
    is left half done."""
    with reps(tmp_path, postgres_store_url) as (ann, ben):
        ann.save(MERCY)
        held = Held(ben, lambda: ben.save(call("t1", "Ben's")))
        thread, errors = in_background(ann.undo)
        wait_for_a_lock_wait(postgres_store_url)  # the undo waits on Ben's touch's partner
        held.finish()
        thread.join(PATIENCE)
        assert not thread.is_alive()
        refusals = [e for e in [held.error, *errors] if e is not None]
        assert len(refusals) == 1, refusals
        assert isinstance(refusals[0], NurtureError), refusals[0]
        assert "\n" not in str(refusals[0])
        partners = [p.id for p in ann.partners(include_archived=True)]
        if held.error is None:  # Ben's touch landed: the partner stays
            assert partners == [MERCY.id] and ann.touchpoint_count() == 1
        else:
            assert partners == [] and ann.touchpoint_count() == 0


def test_several_new_touches_are_one_change_audited_each(repo: Repository) -> None:
    repo.save(MERCY)
    repo.save(call("t1"), call("t2"), call("t3"), summary="three calls")
    latest = repo.changes(limit=1)[0]
    assert (latest.summary, latest.actor, latest.records) == ("three calls", "ann@agency.org", 3)
    repo.save(call("t4"))
    assert repo.changes(limit=1)[0].summary  # a default summary when none is given
    with repo.engine.connect() as c:  # each touch audited by its writer, once
        audited = c.exec_driver_sql(
            "SELECT record_id, actor FROM audit WHERE table_name = 'touchpoints'"
        ).all()
    assert sorted(audited) == [(f"t{n}", "ann@agency.org") for n in range(1, 5)]
    repo.undo()
    assert repo.touchpoint_count() == 3


def test_an_undo_takes_back_all_the_touches_of_one_append(tmp_path: Path) -> None:
    repo = open_store(tmp_path, actor="ann@agency.org")
    repo.save(MERCY)
    repo.save(call("t1"), call("t2"), call("t3"))
    repo.undo()
    assert repo.touchpoint_count() == 0
    repo.undo()  # (an undo undone: all three again)
    assert repo.touchpoint_count() == 3
    repo.close()


def test_an_appended_touch_reads_back_as_given_every_field(repo: Repository) -> None:
    repo.save(MERCY)
    given = Touchpoint(
        id="t-full",
        partner_id=MERCY.id,
        kind=TouchpointKind.MEETING,
        at=datetime(2026, 11, 20, 15, 30, 15, tzinfo=UTC),
        contact_ids=("c1", "c2"),
        direction=Direction.ASK,
        status=TouchpointStatus.PLANNED,
        purpose="lunch in-service",
        note="quotes ' and \" and {braces}, a comma and ARRAY[1]",
        requested=True,
        value_cents=12_345,
        item="lunch for 6",
        overrides=(
            Override(
                "meal-per-head",
                "over the limit",
                "ann@agency.org",
                datetime(2026, 11, 20, tzinfo=UTC),
            ),
        ),
    )
    assert set(rows.touchpoint_row(given)) == set(rows.TOUCHPOINT_COLUMNS)  # none left out
    repo.save(given)
    stored = repo.touchpoint("t-full")
    assert stored == given
    assert (stored.created_by, stored.changed_by) == ("ann@agency.org", "ann@agency.org")


def test_a_new_partner_a_colleague_has_since_logged_a_touch_for_is_not_taken_back(
    postgres_store_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    with reps(tmp_path, postgres_store_url) as (ann, ben):
        ann.save(MERCY)
        ben.save(call("t1", "Ben's"))
        with pytest.raises(NothingToUndoError, match="can't be undone: records have been added"):
            ann.undo()
        assert [p.id for p in ann.partners()] == [MERCY.id] and ann.touchpoint_count() == 1


def test_an_id_too_long_for_its_column_is_never_cut_short(repo: Repository) -> None:
    """PostgreSQL cuts a string cast to VARCHAR(40) short; the append must not: a touch
    for the partner "p"*40 + "X" landed on partner "p"*40 (found by a hostile tester)."""
    forty = Partner(id="p" * 40, name="Forty", kind=PartnerKind.HOSPITAL)
    repo.save(forty)
    with pytest.raises(NurtureError):
        repo.save(call("t1", partner_id=forty.id + "X"))
    assert repo.touchpoint_count() == 0
    long_id = "t" * 45
    try:
        repo.save(call(long_id))  # SQLite keeps it whole; PostgreSQL refuses it
    except NurtureError:
        assert repo.touchpoint_count() == 0
    else:
        assert repo.touchpoint(long_id).id == long_id


def test_replacing_the_store_while_a_colleague_deletes_a_touch_waits_its_turn(
    postgres_store_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    with reps(tmp_path, postgres_store_url) as (ann, ben):
        ann.save(MERCY)
        ann.save(call("t1"))
        held = Held(ben, lambda: ben.delete(ben.touchpoint("t1")), in_turn=True)
        thread, errors = in_background(lambda: ann.replace_all([MERCY], [], [call("t9")], []))
        wait_for_a_lock_wait(postgres_store_url)  # the replace waits for Ben's turn
        held.finish()
        thread.join(PATIENCE)
        assert held.error is None and errors == []
        assert [t.id for t in ann.touchpoints(MERCY.id)] == ["t9"]


def test_replacing_the_store_while_a_colleague_appends_a_touch(
    postgres_store_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    """Each waits for the other (the append holds its partner's row, the replace the
    revision row); the server refuses one and it is tried again: both go through."""
    with reps(tmp_path, postgres_store_url) as (ann, ben):
        ann.save(MERCY)
        held = Held(ben, lambda: ben.save(call("t-ben")))
        thread, errors = in_background(lambda: ann.replace_all([MERCY], [], [call("t9")], []))
        wait_for_a_lock_wait(postgres_store_url)  # the replace waits on Mercy's row
        held.finish()
        thread.join(PATIENCE)
        assert not thread.is_alive()
        assert held.error is None and errors == []
        ids = {t.id for t in ann.touchpoints(MERCY.id)}
        assert ids in ({"t9"}, {"t9", "t-ben"})  # replaced after Ben's touch, or before it
