"""One contract every Repository passes (vdirsyncer's StorageTests, for us).

A test class for a backend inherits ``RepositoryContract`` and provides one fixture,
``open_repo``: a callable that opens a new repository object on the same, initially empty,
database each time it is called (closed at teardown; ``opened_repos`` does that part).
The contract's ``repo`` is the first one; a second call stands for another process (the
CLI, a background sync) writing to the same store.

Records are built with fixed ids where an id matters (``resolve``) and with ``builders``
otherwise; every read is compared with what was saved, field for field.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from builders import at_days_ago, contact, days_ago, partner, referral, touch
from nurture_tui.domain.errors import (
    AmbiguousIdError,
    EditConflict,
    NotFoundError,
    NurtureError,
    ValidationError,
)
from nurture_tui.domain.kinds import (
    Credential,
    Direction,
    PartnerKind,
    ReferralStatus,
    Stage,
    Tier,
    TouchpointKind,
    TouchpointStatus,
)
from nurture_tui.domain.model import (
    Contact,
    Dismissal,
    MeetingRep,
    Milestone,
    Override,
    Partner,
    PartnerHistory,
    Referral,
    Touchpoint,
)
from nurture_tui.domain.repository import Repository
from nurture_tui.store.sql import SqlRepository

OpenRepo = Callable[[], Repository]

CHICAGO = ZoneInfo("America/Chicago")


@contextmanager
def opened_repos(open_one: Callable[[], SqlRepository]) -> Iterator[OpenRepo]:
    """``open_one`` as an ``open_repo`` fixture value: every repository it opened is closed
    when the block ends."""
    opened: list[SqlRepository] = []

    def open_repo() -> Repository:
        repo = open_one()
        opened.append(repo)
        return repo

    try:
        yield open_repo
    finally:
        for repo in opened:
            repo.close()


def named(name: str, **kw: object) -> Partner:
    return replace(partner(), name=name, **kw)  # type: ignore[arg-type]


def with_id(record_id: str, p: Partner | None = None) -> Partner:
    return replace(p or partner(), id=record_id)


def everything(repo: Repository) -> tuple[object, ...]:
    """All a repository holds, as its read methods show it (to check nothing changed)."""
    partners = repo.partners(include_archived=True)
    return (
        partners,
        repo.contacts(),
        {p.id: list(repo.touchpoints(p.id)) for p in partners},
        repo.referrals(),
        repo.dismissals(),
        {key: repo.state(key) for key in repo.state_keys()},
        repo.touchpoint_count(),
    )


def assert_history_matches_reads(repo: Repository, history: PartnerHistory) -> None:
    """A history says exactly what the single-record methods say about its partner."""
    pid = history.partner.id
    assert history.partner == repo.partner(pid)
    assert history.contacts == repo.contacts(pid)
    assert list(history.touchpoints) == list(repo.touchpoints(pid))
    assert history.referrals == repo.referrals(pid)


class RepositoryContract:
    @pytest.fixture
    def repo(self, open_repo: OpenRepo) -> Repository:
        return open_repo()

    # ------------------------------------------------------------- the store
    def test_a_new_store_is_empty(self, repo: Repository) -> None:
        assert repo.partners(include_archived=True) == []
        assert repo.contacts() == []
        assert repo.touchpoint_count() == 0
        assert repo.referrals() == []
        assert repo.dismissals() == []
        assert repo.participant_refs() == frozenset()
        assert repo.state_keys() == []
        assert repo.last_touch_times() == {}
        assert repo.histories() == []
        assert repo.directory.is_dir()

    # -------------------------------------------------------------- partners
    def test_partners_leave_out_the_archived_unless_asked(self, repo: Repository) -> None:
        active, archived = named("Mercy General"), named("Hope Hospice", archived=True)
        repo.save(active, archived)
        assert repo.partners() == [active]
        assert repo.partners(include_archived=True) == [archived, active]

    def test_partners_are_sorted_by_name_ignoring_case(self, repo: Repository) -> None:
        names = ["banner Health", "Aspen Home Care", "cedar Hospice", "Birch Clinic", "aardvark"]
        repo.save(*(named(name) for name in names))
        assert [p.name for p in repo.partners()] == sorted(names, key=str.lower)

    def test_records_with_the_same_name_keep_one_order_everywhere(
        self, repo: Repository, open_repo: OpenRepo
    ) -> None:
        same = [named("Mercy General") for _ in range(5)]
        sams = [contact(same[0], "Sam Ortiz") for _ in range(5)]
        repo.save(*same, *sams)
        repo.histories()  # a snapshot in the old table order
        # Rewritten rows: PostgreSQL moves them to the end of the table.
        repo.save(replace(same[0], notes="rewritten"), replace(sams[0], role="rewritten"))
        order = [p.id for p in repo.partners()]
        assert order == sorted(order), "ties are broken by id"
        assert [h.partner.id for h in repo.histories()] == order
        contact_order = [c.id for c in repo.contacts(same[0].id)]
        assert contact_order == sorted(contact_order) == [c.id for c in repo.contacts()]
        assert [c.id for c in repo.histories()[0].contacts] == contact_order
        fresh = open_repo().histories([same[0].id])  # read directly, no snapshot
        assert [c.id for c in fresh[0].contacts] == contact_order

    # ------------------------------------------------------ records by id
    def test_every_record_comes_back_as_it_was_saved(self, repo: Repository) -> None:
        p = Partner(
            id="pfull0000001",
            name="Mercy General — Ünïcode 'quotes' \"double\" 🏥",
            kind=PartnerKind.HOSPICE,
            tier=Tier.A,
            stage=Stage.CHAMPION,
            domains=("mercy.org", "mercyhealth.org"),
            npi="1234567893",
            owner="rep@agency.org",
            tags=("north", "priority"),
            social_pages=("https://www.linkedin.com/company/mercy",),
            notes="line one\nline two, with, commas",
            stage_since=date(2024, 2, 29),
            created_at=datetime(2024, 2, 29, 13, 45, 12, 654321, tzinfo=UTC),
        )
        c = Contact(
            id="cfull0000001",
            partner_id=p.id,
            name="Sam Ortiz",
            role="Discharge Planner",
            emails=("Sam.Ortiz@Mercy.org", "sam@gmail.com"),
            phone="+1 555 0100",
            birthday=date(1980, 7, 4),
            started=date(2019, 1, 15),
            milestones=(Milestone(date(2025, 5, 1), "promoted"), Milestone(date(2026, 1, 2), "")),
            met_in_person=True,
            linkedin_connected=True,
            credential=Credential.DO,
            npi="1234567893",
        )
        t = Touchpoint(
            id="tfull0000001",
            partner_id=p.id,
            kind=TouchpointKind.REFERRAL_ASK,
            at=datetime(2026, 11, 20, 9, 30, 15, 250001, tzinfo=UTC),
            contact_ids=(c.id, "cother000001"),
            direction=Direction.ASK,
            status=TouchpointStatus.PLANNED,
            purpose="ask for referrals",
            note="bring brochures; 50% off",
            source="google",
            external_id="evt_123@google.com",
            requested=True,
            value_cents=12_345_67,
            item="lunch for the team — 'quoted' \"twice\" 🍱",
            overrides=(
                Override(
                    "stark-yearly-limit",
                    "over by $65.00; repay by 2026-12-31",
                    "Pat Rep",
                    datetime(2026, 11, 20, 9, 31, tzinfo=CHICAGO),
                ),
                Override(
                    "cash-equivalent", "'gift card'", "Pat Rep", datetime(2026, 11, 20, tzinfo=UTC)
                ),
            ),
        )
        rf = Referral(
            id="rfull0000001",
            partner_id=p.id,
            received=date(2026, 10, 1),
            participant_ref="P-0042",
            contact_id=c.id,
            service="personal care",
            status=ReferralStatus.ADMITTED,
            complex_needs=True,
            partner_no_longer_serving=True,
        )
        d = Dismissal(p.id, "cadence", "2026-11", until=date(2026, 12, 31), reason="on leave")
        repo.save(p, c, t, rf, d)
        assert repo.partner(p.id) == p
        assert repo.contact(c.id) == c
        assert repo.touchpoint(t.id) == t
        assert repo.referral(rf.id) == rf
        assert repo.dismissals() == [d]
        [history] = repo.histories_of([p.id])
        assert (history.contacts, history.touchpoints) == ([c], [t])

    def test_an_undone_edit_brings_back_the_value_and_overrides(self, repo: Repository) -> None:
        p = partner()
        t = touch(p, "gift", 3)._replace(
            value_cents=5000,
            item="book",
            overrides=(Override("gift-after-referral", "soon after", "Pat", at_days_ago(3)),),
        )
        repo.save(p, t)
        repo.save(t._replace(value_cents=0, item="", overrides=()), action="touch-edit")
        assert repo.touchpoint(t.id).value_cents == 0
        repo.undo()
        assert repo.touchpoint(t.id) == t

    def test_empty_and_missing_optional_fields_come_back_as_such(self, repo: Repository) -> None:
        p = Partner(id="pbare0000001", name="Bare", kind=PartnerKind.OTHER)
        c = Contact(id="cbare0000001", partner_id=p.id, name="Nobody")
        t = Touchpoint(
            id="tbare0000001",
            partner_id=p.id,
            kind=TouchpointKind.CALL,
            at=datetime(2026, 1, 1, tzinfo=UTC),
        )
        rf = Referral(
            id="rbare0000001", partner_id=p.id, received=date(2026, 1, 1), participant_ref="x"
        )
        d = Dismissal(p.id, "rule", "")
        repo.save(p, c, t, rf, d)
        assert (repo.partner(p.id), repo.contact(c.id), repo.touchpoint(t.id)) == (p, c, t)
        assert (repo.referral(rf.id), repo.dismissals()) == (rf, [d])

    @pytest.mark.parametrize("kind", ["partner", "contact", "touchpoint", "referral"])
    def test_an_unknown_id_is_not_found(self, repo: Repository, kind: str) -> None:
        p = partner()
        repo.save(p, contact(p), touch(p, "call", 1), referral(p, 1))
        read = {
            "partner": repo.partner,
            "contact": repo.contact,
            "touchpoint": repo.touchpoint,
            "referral": repo.referral,
        }[kind]
        with pytest.raises(NotFoundError, match="nosuchid"):
            read("nosuchid")
        with pytest.raises(NotFoundError):
            read(p.id[:-1])  # a prefix is not an id

    # --------------------------------------------------------------- resolve
    @staticmethod
    def kind_records(kind: str, ids: list[str]) -> list[Partner | Contact | Touchpoint | Referral]:
        """Records of ``kind`` with these ids (and the partner they belong to)."""
        owner = with_id("zz-owner")
        if kind == "partner":
            return [with_id(i) for i in ids]
        made: list[Partner | Contact | Touchpoint | Referral] = [owner]
        for i in ids:
            if kind == "contact":
                made.append(replace(contact(owner), id=i))
            elif kind == "touchpoint":
                made.append(touch(owner, "call", 1)._replace(id=i))
            else:
                made.append(replace(referral(owner, 1), id=i))
        return made

    @pytest.mark.parametrize("kind", ["partner", "contact", "touchpoint", "referral"])
    def test_resolve_finds_an_exact_id_or_a_unique_prefix(
        self, repo: Repository, kind: str
    ) -> None:
        repo.save(*self.kind_records(kind, ["abc", "abcd", "abxyz123"]))
        assert repo.resolve(kind, "abc") == "abc", "an exact id wins over longer ids"
        assert repo.resolve(kind, "abcd") == "abcd"
        assert repo.resolve(kind, "abx") == "abxyz123"
        assert repo.resolve(kind, "  ABX ") == "abxyz123", "trimmed, case ignored"

    @pytest.mark.parametrize("kind", ["partner", "contact", "touchpoint", "referral"])
    def test_resolve_an_ambiguous_prefix_says_how_many_match(
        self, repo: Repository, kind: str
    ) -> None:
        repo.save(*self.kind_records(kind, [f"amb{n}" for n in range(7)] + ["other"]))
        with pytest.raises(AmbiguousIdError, match=r"\b7\b"):
            repo.resolve(kind, "am")
        repo.save(*self.kind_records(kind, ["xq1", "xq2"]))
        with pytest.raises(AmbiguousIdError, match=r"\b2\b"):
            repo.resolve(kind, "xq")

    @pytest.mark.parametrize("kind", ["partner", "contact", "touchpoint", "referral"])
    def test_resolve_an_unknown_prefix_is_not_found(self, repo: Repository, kind: str) -> None:
        repo.save(*self.kind_records(kind, ["abc"]))
        for unknown in ("abd", "abcd", "x", "", "   "):
            with pytest.raises(NotFoundError):
                repo.resolve(kind, unknown)

    def test_resolve_takes_percent_and_underscore_literally(self, repo: Repository) -> None:
        repo.save(*(with_id(i) for i in ["p_1", "pa1", "pb1", "q%1", "qq1", "r\\1", "rr1"]))
        assert repo.resolve("partner", "p_") == "p_1"
        assert repo.resolve("partner", "q%") == "q%1"
        assert repo.resolve("partner", "r\\") == "r\\1"
        for wildcard in ("%", "_", "_a", "%1", "p%"):
            with pytest.raises(NotFoundError):
                repo.resolve("partner", wildcard)

    # -------------------------------------------------------------- contacts
    def test_contacts_by_partner_and_all_leave_out_the_archived(self, repo: Repository) -> None:
        mercy, hope = partner(), partner()
        sam, ana = contact(mercy, "Sam Ortiz"), contact(mercy, "ana Lee")
        gone = contact(mercy, "Ben Gone", archived=True)
        nora = contact(hope, "Nora Diaz")
        repo.save(mercy, hope, sam, ana, gone, nora)
        assert repo.contacts(mercy.id) == [ana, sam], "by name, case ignored"
        assert repo.contacts(hope.id) == [nora]
        assert repo.contacts() == [ana, nora, sam]
        assert repo.contacts("nosuchpartner") == []
        assert repo.contact(gone.id) == gone, "archived, yet readable by id"

    def test_contact_by_email_ignores_case(self, repo: Repository) -> None:
        p = partner()
        sam = contact(p, emails=("Sam.Ortiz@Mercy.org",))
        repo.save(p, sam)
        assert repo.contact_by_email("sam.ortiz@mercy.org") == sam
        assert repo.contact_by_email("SAM.ORTIZ@MERCY.ORG") == sam
        assert repo.contact_by_email("sam@mercy.org") is None
        assert repo.contact_by_email("") is None

    def test_an_email_removed_from_a_contact_no_longer_matches(self, repo: Repository) -> None:
        p = partner()
        sam = contact(p, emails=("sam@mercy.org", "sam@gmail.com"))
        repo.save(p, sam)
        trimmed = replace(sam, emails=("sam@gmail.com",))
        repo.save(trimmed)
        assert repo.contact_by_email("sam@mercy.org") is None
        assert repo.contact_by_email("sam@gmail.com") == trimmed
        ana = contact(p, "Ana Lee", emails=("sam@mercy.org",))  # the address changed hands
        repo.save(ana)
        assert repo.contact_by_email("sam@mercy.org") == ana

    # ----------------------------------------------------------- touchpoints
    def test_touchpoints_come_oldest_first(self, repo: Repository) -> None:
        mercy, hope = partner(), partner()
        middle, old, new = (
            touch(mercy, "call", 5),
            touch(mercy, "email", 30),
            touch(mercy, "meeting", 1),
        )
        repo.save(mercy, hope, middle)
        repo.save(new, touch(hope, "call", 2))
        repo.save(old)
        assert list(repo.touchpoints(mercy.id)) == [old, middle, new]
        assert list(repo.touchpoints("nosuchpartner")) == []

    def test_touchpoint_count_counts_every_touchpoint(self, repo: Repository) -> None:
        mercy, gone = partner(), partner(stage="dormant")
        gone = replace(gone, archived=True)
        touches = [touch(mercy, "call", n) for n in range(4)] + [touch(gone, "email", 1)]
        repo.save(mercy, gone, *touches)
        assert repo.touchpoint_count() == 5
        repo.save(touches[0]._replace(note="saved again"))
        assert repo.touchpoint_count() == 5

    def test_touchpoint_by_external_id_needs_source_and_id(self, repo: Repository) -> None:
        p = partner()
        google = touch(p, "meeting", 1)._replace(source="google", external_id="evt-1")
        outlook = touch(p, "meeting", 2)._replace(source="outlook", external_id="evt-1")
        repo.save(p, google, outlook, touch(p, "call", 3))
        assert repo.touchpoint_by_external_id("google", "evt-1") == google
        assert repo.touchpoint_by_external_id("outlook", "evt-1") == outlook
        assert repo.touchpoint_by_external_id("google", "evt-2") is None
        assert repo.touchpoint_by_external_id("caldav", "evt-1") is None

    def test_touchpoints_from_source_are_those_a_sync_created(self, repo: Repository) -> None:
        p = partner()
        synced = [
            touch(p, "meeting", n)._replace(source="google", external_id=f"e{n}") for n in (1, 2)
        ]
        other = touch(p, "meeting", 3)._replace(source="outlook", external_id="e9")
        manual = touch(p, "call", 4)
        repo.save(p, *synced, other, manual)
        assert sorted(repo.touchpoints_from_source("google")) == sorted(synced)
        assert repo.touchpoints_from_source("outlook") == [other]
        assert repo.touchpoints_from_source("caldav") == []

    def test_a_meeting_s_reps_are_kept_and_find_each_rep_s_copy(self, repo: Repository) -> None:
        p = partner()
        reps = (MeetingRep("ann@x.org", "cal:primary:a1"), MeetingRep("ben@x.org", "cal:b%_1"))
        shared = touch(p, "meeting", 1)._replace(
            source="google", external_id=f"uid:m1@x#{p.id}", reps=reps
        )
        legacy = touch(p, "meeting", 2)._replace(source="google", external_id=f"cal:old#{p.id}")
        repo.save(p, shared, legacy)
        assert repo.touchpoint(shared.id).reps == reps
        assert [
            t.id for t in repo.touchpoints_of_events("google", ["cal:b%_1"], rep="ben@x.org")
        ] == [shared.id]
        # Ann's copy is another event; "_" and "%" are no wildcards; "" is every rep's.
        assert repo.touchpoints_of_events("google", ["cal:b%_1"], rep="ann@x.org") == []
        assert repo.touchpoints_of_events("google", ["cal:bxy1"], rep="ben@x.org") == []
        assert [t.id for t in repo.touchpoints_of_events("google", ["cal:primary:a1"], rep="")] == [
            shared.id
        ]
        assert repo.touchpoints_of_events("outlook", ["cal:primary:a1"], rep="") == []
        # Without a rep: only touches keyed by the event itself (from before reps were kept).
        assert repo.touchpoints_of_events("google", ["cal:primary:a1"]) == []
        assert repo.touchpoints_of_events("google", ["cal:old"], rep="ann@x.org") == [legacy]
        repo.delete(shared)
        repo.undo()
        assert repo.touchpoint(shared.id).reps == reps  # the change log's images keep them

    def test_planned_before_finds_planned_touchpoints_whose_time_passed(
        self, repo: Repository
    ) -> None:
        p = partner()
        moment = at_days_ago(0, hour=12)
        past = touch(p, "meeting", 2, status="planned")
        just_before = touch(p, "call", 0, status="planned")._replace(
            at=moment - timedelta(microseconds=1)
        )
        future = touch(p, "meeting", 0, status="planned")._replace(at=moment + timedelta(seconds=1))
        done = touch(p, "meeting", 3)
        cancelled = touch(p, "meeting", 4, status="cancelled")
        repo.save(p, past, just_before, future, done, cancelled)
        assert sorted(repo.planned_before(moment)) == sorted([past, just_before])
        assert repo.planned_before(moment - timedelta(days=10)) == []

    def test_last_touch_times_are_each_partners_latest_done_touch(self, repo: Repository) -> None:
        mercy, hope, never, planned_only = partner(), partner(), partner(), partner()
        latest = touch(mercy, "call", 3)._replace(at=at_days_ago(3).replace(microsecond=123457))
        repo.save(
            mercy,
            hope,
            never,
            planned_only,
            touch(mercy, "email", 10),
            latest,
            touch(mercy, "meeting", 1, status="planned"),
            touch(mercy, "meeting", 0, status="cancelled"),
            touch(hope, "call", 20),
            touch(planned_only, "call", 1, status="planned"),
        )
        times = repo.last_touch_times()
        assert times == {mercy.id: latest.at, hope.id: at_days_ago(20)}
        assert all(t.tzinfo is not None for t in times.values())
        assert times[mercy.id].microsecond == 123457

    # ------------------------------------------------------------- referrals
    def test_referral_counts_since_count_each_partners_recent_referrals(
        self, repo: Repository
    ) -> None:
        mercy, hope, quiet = partner(), partner(), partner()
        repo.save(
            mercy,
            hope,
            quiet,
            referral(mercy, 1),
            referral(mercy, 90),
            referral(mercy, 91),
            referral(hope, 200),
        )
        assert repo.referral_counts_since(days_ago(90)) == {mercy.id: 2}
        assert repo.referral_counts_since(days_ago(365)) == {mercy.id: 3, hope.id: 1}

    def test_referrals_by_partner_and_all_come_in_received_order(self, repo: Repository) -> None:
        mercy, hope = partner(), partner()
        m_new, m_old, h_mid = referral(mercy, 1), referral(mercy, 30), referral(hope, 10)
        repo.save(mercy, hope, m_new, h_mid)
        repo.save(m_old)
        assert repo.referrals(mercy.id) == [m_old, m_new]
        assert repo.referrals(hope.id) == [h_mid]
        assert repo.referrals() == [m_old, h_mid, m_new]
        assert repo.referrals("nosuchpartner") == []

    def test_addresses_and_domains_for_matching_are_the_active_records(
        self, repo: Repository
    ) -> None:
        """What matching people reads instead of whole records: the same people, in the
        same order (a later contact with a shared address wins, as with ``contacts()``)."""
        mercy = replace(partner(), name="mercy General", domains=("mercy.org", "mgh.org"))
        hope = replace(partner(), name="Hope Hospice", domains=("hope.org",))
        gone = replace(partner(), name="Closed Clinic", domains=("closed.org",), archived=True)
        sam = contact(mercy, "Sam Ortiz", emails=("sam@mercy.org", "s.ortiz@mgh.org"))
        ann = contact(hope, "ann Lee", emails=("ann@hope.org", "sam@mercy.org"))
        old = replace(contact(mercy, "Old Friend", emails=("old@mercy.org",)), archived=True)
        nobody = contact(hope, "No Email")
        repo.save(mercy, hope, gone, sam, ann, old, nobody)
        assert repo.contact_addresses() == [
            (email, c.partner_id, c.id) for c in repo.contacts() for email in c.emails
        ]
        assert repo.contact_addresses() == [
            ("ann@hope.org", hope.id, ann.id),
            ("sam@mercy.org", hope.id, ann.id),
            ("sam@mercy.org", mercy.id, sam.id),
            ("s.ortiz@mgh.org", mercy.id, sam.id),
        ]
        assert repo.partner_domains() == [(p.id, p.domains) for p in repo.partners()]
        assert repo.partner_domains() == [
            (hope.id, ("hope.org",)),
            (mercy.id, ("mercy.org", "mgh.org")),
        ]

    def test_participant_refs_are_every_distinct_reference(self, repo: Repository) -> None:
        mercy, hope = partner(), partner()
        first = replace(referral(mercy, 5), participant_ref="P-1")
        again = replace(referral(hope, 2), participant_ref="P-1")  # referred twice
        other = replace(referral(hope, 1), participant_ref="P-2")
        repo.save(mercy, hope, first, again, other)
        assert repo.participant_refs() == frozenset({"P-1", "P-2"})

    # ------------------------------------------------------------ dismissals
    def test_dismissals_are_keyed_by_partner_rule_and_key(self, repo: Repository) -> None:
        mercy, hope = partner(), partner()
        snooze = Dismissal(mercy.id, "cadence", "k1", until=days_ago(-7))
        repo.save(mercy, hope, snooze, Dismissal(mercy.id, "cadence", "k2"))
        repo.save(Dismissal(hope.id, "cadence", "k1", reason="no"))
        later = replace(snooze, until=days_ago(-30), reason="on leave")
        repo.save(later)  # the same dismissal, snoozed longer
        key = lambda d: (d.partner_id, d.rule, d.key)  # noqa: E731
        assert sorted(repo.dismissals(), key=key) == sorted(
            [
                later,
                Dismissal(mercy.id, "cadence", "k2"),
                Dismissal(hope.id, "cadence", "k1", reason="no"),
            ],
            key=key,
        )

    # ----------------------------------------------------------------- state
    def test_state_is_kept_replaced_and_deleted_by_none(self, repo: Repository) -> None:
        value = {"cursor": "abc", "n": 3, "nested": {"list": [1, "two", None]}, "ü": "✓"}
        repo.put_state("sync:google", value)
        assert repo.state("sync:google") == value
        repo.put_state("sync:google", {"cursor": "def"})
        assert repo.state("sync:google") == {"cursor": "def"}
        repo.put_state("sync:google", None)
        assert repo.state("sync:google") is None
        assert repo.state_keys() == []
        repo.put_state("never-there", None)  # deleting nothing is fine
        assert repo.state("never-there") is None

    def test_state_keys_are_sorted_and_filtered_by_a_literal_prefix(self, repo: Repository) -> None:
        for key in [
            "sync:b",
            "sync:a",
            "syncX",
            "Sync:c",
            "invite_1",
            "inviteA1",
            "50%off",
            "500",
            "a\\b",
            "ab",
        ]:
            repo.put_state(key, {"k": key})
        assert repo.state_keys("sync:") == ["sync:a", "sync:b"]
        assert repo.state_keys("sync") == ["sync:a", "sync:b", "syncX"], "case matters"
        assert repo.state_keys("invite_") == ["invite_1"]
        assert repo.state_keys("50%") == ["50%off"]
        assert repo.state_keys("a\\") == ["a\\b"]
        assert repo.state_keys("_") == repo.state_keys("%") == []
        assert repo.state_keys() == sorted(repo.state_keys())
        assert len(repo.state_keys("")) == 10

    def test_save_writes_and_deletes_state_with_the_records(self, repo: Repository) -> None:
        repo.put_state("old", {"v": 1})
        p = partner()
        repo.save(p, state={"new": {"v": 2}, "old": None})
        assert repo.partner(p.id) == p
        assert (repo.state("new"), repo.state("old")) == ({"v": 2}, None)
        repo.save(state={"only": {"v": 3}})
        assert repo.state_keys() == ["new", "only"]

    # ------------------------------------------------------------------ save
    def test_saving_the_same_id_again_replaces_the_record(self, repo: Repository) -> None:
        p = partner()
        c, t, rf = contact(p), touch(p, "call", 2), referral(p, 3)
        repo.save(p, c, t, rf)
        p2, c2 = replace(p, name="Renamed", tier=Tier.A), replace(c, role="Director")
        t2, rf2 = (
            t._replace(note="edited", at=at_days_ago(1)),
            replace(rf, status=ReferralStatus.CLOSED),
        )
        repo.save(p2, c2, t2, rf2)
        assert (
            repo.partner(p.id),
            repo.contact(c.id),
            repo.touchpoint(t.id),
            repo.referral(rf.id),
        ) == (p2, c2, t2, rf2)
        assert repo.partners() == [p2]
        assert repo.contacts() == [c2]
        assert list(repo.touchpoints(p.id)) == [t2]
        assert repo.referrals() == [rf2]

    def test_the_same_id_twice_in_one_save_keeps_the_last(self, repo: Repository) -> None:
        p = partner()
        t = touch(p, "call", 2)
        repo.save(p, replace(p, name="Last"), t, t._replace(note="last"))
        assert repo.partners() == [replace(p, name="Last")]
        assert list(repo.touchpoints(p.id)) == [t._replace(note="last")]

    def test_a_save_that_fails_half_way_writes_nothing(self, repo: Repository) -> None:
        mercy = partner()
        repo.save(mercy, contact(mercy), touch(mercy, "call", 5))
        before, revision, histories = everything(repo), repo.revision, repo.histories()
        hope = partner()
        orphan = touch(partner(), "call", 1)  # its partner was never saved
        with pytest.raises(NurtureError) as raised:
            repo.save(
                hope,
                replace(mercy, name="Renamed"),
                contact(hope),
                touch(mercy, "email", 1),
                orphan,
                referral(hope, 1),
                Dismissal(hope.id, "cadence", "k"),
                state={"sync:google": {"cursor": "x"}},
            )
        assert isinstance(raised.value, ValidationError), "the database refused the records"
        assert "nothing was saved" in str(raised.value)
        assert raised.value.__cause__ is None and raised.value.__suppress_context__
        assert everything(repo) == before
        assert repo.revision == revision
        assert repo.histories() == histories
        with pytest.raises(NotFoundError):
            repo.partner(hope.id)
        repo.save(hope, touch(mercy, "email", 1))  # the store is fine afterwards
        assert repo.revision == revision + 1
        assert [h.partner.id for h in repo.histories()] == sorted([mercy.id, hope.id])

    @pytest.mark.parametrize(
        "at",
        [
            datetime(9999, 12, 31, tzinfo=UTC),
            datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=-14))),
            datetime(2200, 1, 1, tzinfo=UTC),
            datetime(1899, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
            datetime(1, 1, 1, tzinfo=UTC),
        ],
        ids=["9999-12-31", "year-10000-in-utc", "2200-01-01", "just-before-1900", "year-1"],
    )
    @pytest.mark.parametrize("how", ["save", "replace_all"])
    def test_a_touchpoint_out_of_range_is_refused_and_nothing_written(
        self, repo: Repository, at: datetime, how: str
    ) -> None:
        p = partner()
        repo.save(p, touch(p, "call", 3))
        before, revision = everything(repo), repo.revision
        # Built directly: no parsing, no check_moment; the store is the last line.
        far = Touchpoint(id="tfar00000001", partner_id=p.id, kind=TouchpointKind.CALL, at=at)
        with pytest.raises(ValidationError, match="1900 and 2199"):
            if how == "save":
                repo.save(touch(p, "email", 1), far)
            else:
                repo.replace_all([p], [], [touch(p, "email", 1), far], [])
        assert everything(repo) == before
        assert repo.revision == revision
        with pytest.raises(NotFoundError):
            repo.touchpoint(far.id)

    @pytest.mark.parametrize(
        "at",
        [datetime(2026, 11, 23, 9, 30), datetime(9999, 12, 31, 23, 59, 59), datetime(1, 1, 1)],
        ids=["in-range", "9999-12-31", "year-1"],
    )
    def test_a_touchpoint_without_a_timezone_is_refused_and_nothing_written(
        self, repo: Repository, at: datetime
    ) -> None:
        p = partner()
        repo.save(p)
        before, revision = everything(repo), repo.revision
        naive = Touchpoint(id="tnaive000001", partner_id=p.id, kind=TouchpointKind.CALL, at=at)
        with pytest.raises(ValidationError, match="timezone"):
            repo.save(touch(p, "email", 1), naive)
        assert everything(repo) == before
        assert repo.revision == revision

    def test_moments_come_back_aware_and_equal_to_microseconds(self, repo: Repository) -> None:
        created = datetime(2025, 3, 9, 1, 59, 59, 999999, tzinfo=CHICAGO)  # just before DST
        p = replace(partner(), created_at=created)
        moments = [
            datetime(2026, 11, 23, 9, 15, 30, 123456, tzinfo=CHICAGO),
            datetime(2026, 6, 1, 0, 0, 0, 1, tzinfo=timezone(timedelta(hours=5, minutes=30))),
            datetime(1900, 1, 1, tzinfo=UTC),  # the first moment accepted
            datetime(2199, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),  # the last
            datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),  # just before the epoch
        ]
        touches = [touch(p, "call", 1)._replace(at=at) for at in moments]
        repo.save(p, *touches)
        assert repo.partner(p.id).created_at == created
        back = [repo.touchpoint(t.id).at for t in touches]
        assert back == moments
        assert all(at.utcoffset() is not None for at in back)
        assert [at.microsecond for at in back] == [at.astimezone(UTC).microsecond for at in moments]
        assert [t.at for t in repo.touchpoints(p.id)] == sorted(moments)
        [history] = repo.histories()
        assert [t.at for t in history.touchpoints] == sorted(moments)
        assert repo.last_touch_times() == {p.id: max(moments)}

    # ----------------------------------------------------------- replace_all
    def test_replace_all_replaces_every_record(self, repo: Repository) -> None:
        old = partner()
        old_contact = contact(old, emails=("old@mercy.org",))
        repo.save(
            old, old_contact, touch(old, "call", 1), referral(old, 1), Dismissal(old.id, "r", "k")
        )
        repo.put_state("kept", {"v": 1})
        repo.histories()
        revision = repo.revision
        new_a, new_b = named("Alpha"), named("beta", archived=True)
        new_contact = contact(new_a, emails=("New@Alpha.org",))
        touches = [touch(new_a, "call", 3), touch(new_b, "email", 2)]
        referrals = [referral(new_a, 4)]
        repo.replace_all([new_b, new_a], [new_contact], touches, referrals)
        assert repo.revision > revision
        assert repo.partners(include_archived=True) == [new_a, new_b]
        assert repo.contacts() == [new_contact]
        assert repo.contact_by_email("new@alpha.org") == new_contact
        assert repo.contact_by_email("old@mercy.org") is None
        assert repo.touchpoint_count() == 2
        assert repo.referrals() == referrals
        assert repo.dismissals() == []
        assert repo.state("kept") == {"v": 1}, "state is not a record"
        with pytest.raises(NotFoundError):
            repo.partner(old.id)
        [history] = repo.histories()
        assert history == PartnerHistory(new_a, [new_contact], [touches[0]], referrals)

    def test_replace_all_with_nothing_empties_the_store(self, repo: Repository) -> None:
        p = partner()
        repo.save(p, contact(p), touch(p, "call", 1), referral(p, 1))
        repo.replace_all([], [], [], [])
        assert repo.partners(include_archived=True) == []
        assert (repo.contacts(), repo.touchpoint_count(), repo.referrals()) == ([], 0, [])
        assert repo.histories() == []

    # ------------------------------------------------------------- histories
    def build_agency(self, repo: Repository) -> dict[str, Partner]:
        """Three active partners (one never touched), one archived, in scrambled name order."""
        mercy, hope = named("mercy General"), named("Hope Hospice")
        quiet, gone = named("Quiet Clinic"), named("Archived Place", archived=True)
        sam, ana = contact(mercy, "Sam Ortiz", emails=("sam@mercy.org",)), contact(mercy, "ana Lee")
        repo.save(
            quiet,
            mercy,
            gone,
            hope,
            sam,
            ana,
            contact(mercy, "Old Timer", archived=True),
            contact(hope, "Nora Diaz"),
            contact(gone, "Gone Person"),
            touch(mercy, "email", 3, contacts=(sam.id,)),
            touch(mercy, "call", 30),
            touch(mercy, "meeting", -2, status="planned"),
            touch(hope, "in-service", 8),
            touch(gone, "call", 100),
            referral(mercy, 5, contact_id=sam.id),
            referral(mercy, 50),
            referral(hope, 7),
            referral(gone, 200),
        )
        return {"mercy": mercy, "hope": hope, "quiet": quiet, "gone": gone}

    def test_histories_are_every_active_partner_by_name(self, repo: Repository) -> None:
        agency = self.build_agency(repo)
        histories = repo.histories()
        assert [h.partner for h in histories] == repo.partners()
        assert [h.partner.name for h in histories] == [
            "Hope Hospice",
            "mercy General",
            "Quiet Clinic",
        ]
        for history in histories:
            assert_history_matches_reads(repo, history)
        assert histories[2] == PartnerHistory(agency["quiet"], [], [], [])

    def test_histories_by_ids_match_the_single_record_reads(self, repo: Repository) -> None:
        agency = self.build_agency(repo)
        ids = [agency["gone"].id, agency["mercy"].id]
        fresh = repo.histories(ids)  # no snapshot yet: read one by one
        assert [h.partner.id for h in fresh] == ids, "in the order asked, archived included"
        repo.histories()  # now a snapshot exists
        assert repo.histories(ids) == fresh
        for history in fresh:
            assert_history_matches_reads(repo, history)
        assert repo.histories([]) == []

    def test_histories_of_many_ids_match_the_single_record_reads(self, repo: Repository) -> None:
        partners = [partner() for _ in range(25)]
        repo.save(*partners, *(touch(p, "call", n) for n, p in enumerate(partners)))
        ids = [p.id for p in reversed(partners)]
        histories = repo.histories(ids)
        assert [h.partner.id for h in histories] == ids
        for history in histories:
            assert_history_matches_reads(repo, history)

    @pytest.mark.parametrize("many", [False, True], ids=["few", "many"])
    def test_histories_of_an_unknown_id_is_not_found(self, repo: Repository, many: bool) -> None:
        partners = [partner() for _ in range(25 if many else 1)]
        repo.save(*partners)
        for _ in range(2):  # without a snapshot, then with one
            with pytest.raises(NotFoundError, match="nosuchpartner"):
                repo.histories([p.id for p in partners] + ["nosuchpartner"])
            repo.histories()

    def test_histories_reflect_this_repositorys_own_saves(self, repo: Repository) -> None:
        agency = self.build_agency(repo)
        mercy, hope, quiet = agency["mercy"], agency["hope"], agency["quiet"]
        repo.histories()  # the snapshot is patched from here on
        sam = repo.contact_by_email("sam@mercy.org")
        assert sam is not None
        newcomer = named("Newcomer")
        repo.save(
            replace(hope, archived=True),
            replace(quiet, name="a Quiet Clinic"),
            replace(sam, archived=True),
            newcomer,
            touch(newcomer, "introduction", 1),
            touch(mercy, "thank-you", 0),
            referral(quiet, 2),
        )
        histories = repo.histories()
        assert [h.partner.name for h in histories] == [
            "a Quiet Clinic",
            "mercy General",
            "Newcomer",
        ]
        assert [h.partner for h in histories] == repo.partners()
        for history in histories:
            assert_history_matches_reads(repo, history)
        assert sam.id not in {c.id for c in histories[1].contacts}
        repo.put_state("anything", {"v": 1})
        assert repo.histories() == histories

    def test_participant_refs_see_another_repositorys_new_referral(
        self, repo: Repository, open_repo: OpenRepo
    ) -> None:
        mercy = partner()
        first = referral(mercy, 3)
        repo.save(mercy, first)
        assert repo.participant_refs() == {first.participant_ref}  # now cached
        second = referral(mercy, 1)
        open_repo().save(second)
        assert repo.participant_refs() == {first.participant_ref, second.participant_ref}

    def test_participant_refs_after_our_own_writes_see_every_reference(
        self, repo: Repository, open_repo: OpenRepo
    ) -> None:
        """The cached references ride over our own writes that add none (a sync's pages),
        but never over a colleague's write in between, nor over our own new referral."""
        mercy = partner()
        first = referral(mercy, 3)
        repo.save(mercy, first)
        assert repo.participant_refs() == {first.participant_ref}
        repo.save(touch(mercy, "check-in", 2))  # an ordinary save
        repo.save(touch(mercy, "thank-you", 1))  # a hand-logged touch: the append path
        assert repo.participant_refs() == {first.participant_ref}
        theirs = referral(mercy, 2)
        open_repo().save(theirs)  # a colleague's reference, then our write on top of it
        repo.save(touch(mercy, "gift", 1))
        assert repo.participant_refs() == {first.participant_ref, theirs.participant_ref}
        ours = referral(mercy, 0)
        repo.save(ours)
        assert repo.participant_refs() == {
            first.participant_ref,
            theirs.participant_ref,
            ours.participant_ref,
        }
        repo.delete(ours)  # a removed referral's reference is still masked: never less
        assert ours.participant_ref in repo.participant_refs()

    def test_histories_reflect_another_repositorys_write(
        self, repo: Repository, open_repo: OpenRepo
    ) -> None:
        agency = self.build_agency(repo)
        mercy = agency["mercy"]
        before = repo.histories()
        before_few = repo.histories([mercy.id])
        other = open_repo()
        extra = touch(mercy, "gift", 1)
        other.save(extra, replace(agency["quiet"], archived=True))
        after = repo.histories()
        assert [h.partner.name for h in after] == ["Hope Hospice", "mercy General"]
        assert extra in after[1].touchpoints
        assert extra not in before[1].touchpoints and extra not in before_few[0].touchpoints
        assert repo.histories([mercy.id]) == [after[1]]
        for history in after:
            assert_history_matches_reads(repo, history)

    def test_histories_after_writes_by_both_show_both(
        self, repo: Repository, open_repo: OpenRepo
    ) -> None:
        agency = self.build_agency(repo)
        mercy = agency["mercy"]
        repo.histories()
        other = open_repo()
        theirs, ours = touch(mercy, "gift", 1), touch(mercy, "thank-you", 0)
        other.save(theirs)
        repo.save(ours)  # our patch must not stamp their write as seen
        [history] = repo.histories([mercy.id])
        assert theirs in history.touchpoints and ours in history.touchpoints
        assert_history_matches_reads(repo, history)
        assert repo.histories()[1] == history

    def test_a_touchpoint_moved_to_another_partner_leaves_the_old_history(
        self, repo: Repository
    ) -> None:
        mercy, hope = named("Mercy"), named("Hope")
        moving, staying = touch(mercy, "call", 2), touch(mercy, "email", 3)
        c = contact(mercy)
        rf = referral(mercy, 4)
        repo.save(mercy, hope, moving, staying, c, rf)
        repo.histories()
        moved = moving._replace(partner_id=hope.id)
        repo.save(moved, replace(c, partner_id=hope.id), replace(rf, partner_id=hope.id))
        assert list(repo.touchpoints(mercy.id)) == [staying]
        assert list(repo.touchpoints(hope.id)) == [moved]
        hope_history, mercy_history = repo.histories()
        assert mercy_history == PartnerHistory(mercy, [], [staying], [])
        assert hope_history == PartnerHistory(
            hope, [replace(c, partner_id=hope.id)], [moved], [replace(rf, partner_id=hope.id)]
        )
        assert repo.last_touch_times() == {mercy.id: staying.at, hope.id: moved.at}

    # ------------------------------------------------- revision and refresh
    def test_the_revision_grows_with_every_write(self, repo: Repository) -> None:
        p = partner()
        writes: list[Callable[[], None]] = [
            lambda: repo.save(p),
            lambda: repo.save(touch(p, "call", 1)),
            lambda: repo.save(p),  # the same record again is still a write
            lambda: repo.save(state={"k": {"v": 1}}),
            lambda: repo.put_state("k", {"v": 2}),
            lambda: repo.put_state("k", None),
            lambda: repo.replace_all([p], [], [], []),
        ]
        seen = [repo.revision]
        for write in writes:
            write()
            seen.append(repo.revision)
        assert all(a < b for a, b in pairwise(seen)), seen

    def test_the_revision_is_the_same_for_every_reader(
        self, repo: Repository, open_repo: OpenRepo
    ) -> None:
        other = open_repo()
        repo.save(partner())
        other.put_state("k", {"v": 1})
        assert repo.revision == other.revision
        assert repo.histories() == other.histories()

    def test_refresh_says_once_that_another_writer_wrote(
        self, repo: Repository, open_repo: OpenRepo
    ) -> None:
        other = open_repo()
        assert repo.refresh() is False, "nothing written since it opened"
        other.save(partner())
        assert repo.refresh() is True
        assert repo.refresh() is False
        other.put_state("k", {"v": 1})
        other.put_state("k", {"v": 2})
        assert repo.refresh() is True, "two writes, one refresh"
        assert repo.refresh() is False
        assert other.refresh() is True, "each reader keeps its own mark"

    # ----------------------------------------------------------- concurrency
    def test_two_writers_at_once_lose_nothing(self, repo: Repository, open_repo: OpenRepo) -> None:
        p = partner()
        repo.save(p)
        revision = repo.revision
        writers = [open_repo(), open_repo()]
        start = threading.Barrier(len(writers))
        failures: list[BaseException] = []

        def write(writer: Repository, name: str) -> None:
            try:
                start.wait(timeout=30)
                for n in range(100):
                    writer.save(touch(p, "call", n % 50)._replace(id=f"{name}-{n:03d}"))
            except BaseException as error:  # reported by the test, not lost in the thread
                failures.append(error)

        threads = [threading.Thread(target=write, args=(w, f"w{i}")) for i, w in enumerate(writers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not any(thread.is_alive() for thread in threads), "a writer hung"
        assert failures == []
        assert repo.touchpoint_count() == 200
        assert {t.id for t in repo.touchpoints(p.id)} == {
            f"w{i}-{n:03d}" for i in (0, 1) for n in range(100)
        }
        assert repo.revision == revision + 200
        [history] = repo.histories()
        assert len(history.touchpoints) == 200

    # ------------------------------------------------- versions (nobody overwrites)
    def test_a_version_moves_only_when_what_the_record_says_changes(
        self, repo: Repository, open_repo: OpenRepo
    ) -> None:
        p = named("Mercy General")
        c = contact(p)
        repo.save(p, c)
        assert (repo.partner(p.id).version, repo.contact(c.id).version) == (1, 1)
        repo.save(replace(repo.partner(p.id), notes="Tuesdays"))
        assert repo.partner(p.id).version == 2
        repo.save(repo.partner(p.id))  # the same words again: no new version
        assert repo.partner(p.id).version == 2
        # Whatever version a caller puts in a record, the store alone moves it.
        repo.save(replace(repo.partner(p.id), notes="Wednesdays", version=40))
        assert repo.partner(p.id).version == 3
        other = open_repo()
        other.save(replace(other.contact(c.id), role="Charge Nurse"))
        assert repo.contact(c.id).version == 2
        repo.undo()  # an undo is a change: a form opened before it must notice
        assert repo.contact(c.id).version == 3 and repo.contact(c.id).role == c.role

    def test_a_save_expecting_an_older_version_writes_nothing(
        self, repo: Repository, open_repo: OpenRepo
    ) -> None:
        p = named("Mercy General")
        repo.save(p)
        opened = repo.partner(p.id)  # the rep opens the form at version 1
        colleague = open_repo()
        colleague.save(replace(colleague.partner(p.id), tier=Tier.A), summary="Tier A")
        revision, changes = repo.revision, repo.changes()
        with pytest.raises(EditConflict) as raised:
            repo.save(
                replace(opened, notes="mine"),
                summary="Mine",
                expected_versions={p.id: opened.version},
            )
        assert (raised.value.expected, raised.value.found) == (1, 2)
        assert repo.partner(p.id).tier is Tier.A and repo.partner(p.id).notes == ""
        assert (repo.revision, repo.changes()) == (revision, changes)
        # On top of the version now stored, the same save lands.
        now = repo.partner(p.id)
        repo.save(replace(now, notes="mine"), expected_versions={p.id: now.version})
        assert (repo.partner(p.id).tier, repo.partner(p.id).notes) == (Tier.A, "mine")
        assert repo.partner(p.id).version == 3

    def test_a_save_expecting_a_record_that_is_gone_is_a_conflict(self, repo: Repository) -> None:
        p = named("Mercy General")
        repo.save(p)
        c = contact(p)
        with pytest.raises(EditConflict) as raised:
            repo.save(c, expected_versions={c.id: 1})
        assert raised.value.found is None
        assert repo.contacts(p.id) == []

    def test_conditional_writers_at_once_lose_no_update(
        self, repo: Repository, open_repo: OpenRepo
    ) -> None:
        """Four writers each add their own tags to one partner, read-modify-write with the
        version check and a retry on conflict: every tag lands, the version counts every
        write (the lost update a plain save allows cannot happen)."""
        p = named("Mercy General")
        repo.save(p)
        writers = [open_repo() for _ in range(4)]
        start = threading.Barrier(len(writers))
        failures: list[BaseException] = []
        conflicts = [0] * len(writers)

        def write(index: int, writer: Repository) -> None:
            try:
                start.wait(timeout=30)
                for n in range(10):
                    while True:
                        read = writer.partner(p.id)
                        tagged = replace(read, tags=(*read.tags, f"w{index}-{n}"))
                        try:
                            writer.save(tagged, expected_versions={p.id: read.version})
                            break
                        except EditConflict:
                            conflicts[index] += 1
            except BaseException as error:  # reported by the test, not lost in the thread
                failures.append(error)

        threads = [threading.Thread(target=write, args=(i, w)) for i, w in enumerate(writers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not any(thread.is_alive() for thread in threads), "a writer hung"
        assert failures == []
        final = repo.partner(p.id)
        assert sorted(final.tags) == sorted(f"w{i}-{n}" for i in range(4) for n in range(10))
        assert final.version == 1 + 40

    # ------------------------------------------------------- undo and history
    def test_each_write_is_a_change_with_its_summary(self, repo: Repository) -> None:
        p = named("Mercy General")
        repo.save(p, action="partner-add", summary="Added Mercy General")
        repo.save(replace(p, stage=Stage.CHAMPION), action="partner-edit")
        newest, first = repo.changes()
        assert first.summary == "Added Mercy General" and first.records == 1
        assert newest.action == "partner-edit" and newest.summary == "partner-edit: 1 partner"
        assert newest.seq > first.seq and newest.undoable and newest.undoes is None

    def test_a_write_that_changes_nothing_is_no_change(self, repo: Repository) -> None:
        p = named("Mercy General")
        repo.save(p)
        repo.save(p)
        repo.put_state("sync:google", {"cursor": 1})
        assert len(repo.changes()) == 1

    def test_undo_reverts_the_latest_change_and_undo_of_undo_redoes(self, repo: Repository) -> None:
        p = named("Mercy General")
        repo.save(p, summary="Added Mercy General")
        moved = replace(p, stage=Stage.CHAMPION, stage_since=days_ago(0))
        repo.save(moved, summary="Moved Mercy General to engaged")
        undone, undo = repo.undo()
        assert undone.summary == "Moved Mercy General to engaged"
        assert undo.summary == "Undid: Moved Mercy General to engaged"
        assert undo.undoes == undone.seq
        assert repo.partner(p.id) == p
        assert repo.histories()[0].partner == p  # the snapshot follows
        redone, redo = repo.undo()
        assert redone == undo
        assert redo.summary == "Redid: Moved Mercy General to engaged"
        assert repo.partner(p.id) == moved

    def test_undo_of_a_created_touchpoint_removes_it_and_redo_brings_it_back(
        self, repo: Repository
    ) -> None:
        p = named("Mercy General")
        t = touch(p, "call", 1)
        repo.save(p)
        repo.save(t, action="log")
        repo.undo()
        assert list(repo.touchpoints(p.id)) == [] and repo.touchpoint_count() == 0
        assert repo.histories()[0].touchpoints == []
        repo.undo()
        assert list(repo.touchpoints(p.id)) == [t]

    def test_nothing_to_undo_is_a_plain_error(self, repo: Repository) -> None:
        with pytest.raises(NurtureError, match="nothing to undo"):
            repo.undo()

    def test_replacing_the_whole_store_cannot_be_undone(self, repo: Repository) -> None:
        repo.save(named("Mercy General"))
        repo.replace_all([named("Hope Hospice")], [], [], [], summary="Demo data")
        [latest] = repo.changes()
        assert not latest.undoable and latest.summary == "Demo data"
        with pytest.raises(NurtureError, match="restore"):
            repo.undo()
        assert [x.name for x in repo.partners()] == ["Hope Hospice"]

    def test_deleting_a_referral_keeps_its_reference_only_on_its_row(
        self, repo: Repository
    ) -> None:
        p = named("Mercy General")
        ref = referral(p, 3)
        repo.save(p, ref)
        repo.delete(ref, action="referral-delete", summary="Deleted a referral")
        assert repo.referrals() == [] and repo.referrals(p.id) == []
        with pytest.raises(NotFoundError):
            repo.referral(ref.id)
        with pytest.raises(NotFoundError):
            repo.resolve("referral", ref.id[:6])
        assert repo.referral_counts_since(days_ago(30)) == {}
        assert repo.histories()[0].referrals == []
        # Still masked in free text: the reference was real.
        assert ref.participant_ref in repo.participant_refs()
        repo.undo()
        assert repo.referral(ref.id) == ref

    def test_change_images_never_hold_a_participant_reference(
        self, repo: Repository, open_repo: OpenRepo
    ) -> None:
        p = named("Mercy General")
        ref = referral(p, 3)
        repo.save(p, ref)
        repo.save(replace(ref, status=ReferralStatus.ADMITTED))
        repo.delete(ref)
        repo.undo()
        engine = repo.engine  # type: ignore[attr-defined]
        with engine.connect() as c:
            from sqlalchemy import text

            images = c.execute(text("SELECT before, after FROM change_records")).all()
        dumped = repr(images)
        assert ref.participant_ref not in dumped
        assert repo.referral(ref.id) == replace(ref, status=ReferralStatus.ADMITTED)

    def test_a_deleted_synced_touchpoint_is_remembered(self, repo: Repository) -> None:
        p = named("Mercy General")
        synced = touch(p, "meeting", 2)._replace(source="google", external_id="cal:abc#x")
        repo.save(p, synced)
        assert not repo.was_deleted("google", "cal:abc#x")
        repo.delete(synced)
        assert repo.touchpoint_by_external_id("google", "cal:abc#x") is None
        assert repo.was_deleted("google", "cal:abc#x")
        repo.undo()  # undoing the delete forgets it again
        assert not repo.was_deleted("google", "cal:abc#x")
        assert repo.touchpoint_by_external_id("google", "cal:abc#x") == synced

    def test_deleting_what_is_not_there_changes_nothing(self, repo: Repository) -> None:
        p = named("Mercy General")
        repo.save(p)
        before = everything(repo), repo.changes()
        with pytest.raises(NotFoundError):
            repo.delete(touch(p, "call", 1))
        assert (everything(repo), repo.changes()) == before

    def test_writes_inside_one_change_are_undone_together(self, repo: Repository) -> None:
        p = named("Mercy General")
        repo.save(p)
        with repo.change("sync-google", "Synced Google: 3 touchpoints"):
            for days in (1, 2, 3):
                repo.save(touch(p, "meeting", days), action="sync-google")
            repo.put_state("sync:google:calendar", {"cursor": "x"})
        latest = repo.changes()[0]
        assert latest.summary == "Synced Google: 3 touchpoints" and latest.records == 3
        repo.undo()
        assert list(repo.touchpoints(p.id)) == []
        assert repo.state("sync:google:calendar") == {"cursor": "x"}  # cursors aren't undone

    def test_a_change_interrupted_by_another_writer_continues_as_a_new_change(
        self, repo: Repository, open_repo: OpenRepo
    ) -> None:
        p = named("Mercy General")
        repo.save(p)
        other = open_repo()
        with repo.change("sync-google", "Synced Google"):
            repo.save(touch(p, "meeting", 1))
            other.save(replace(p, tier=Tier.A), summary="Tier A")
            repo.save(touch(p, "meeting", 2))
        summaries = [c.summary for c in repo.changes()]
        assert summaries[:3] == ["Synced Google", "Tier A", "Synced Google"]
        repo.undo()  # only the part after the other writer's change
        assert len(repo.touchpoints(p.id)) == 1 and repo.partner(p.id).tier is Tier.A

    def test_undo_of_a_deleted_dismissal_and_contact(self, repo: Repository) -> None:
        p = named("Mercy General")
        sam = contact(p, emails=("sam@mercy.org",))
        snooze = Dismissal(p.id, "thank-you", "r1", until=days_ago(-7), reason="on leave")
        repo.save(p, sam, snooze)
        repo.delete(snooze)
        assert repo.dismissals() == []
        repo.undo()
        assert repo.dismissals() == [snooze]
        repo.save(replace(sam, emails=("sam@mercy.com",)))
        repo.undo()
        assert repo.contact_by_email("sam@mercy.org") == sam
        assert repo.contact_by_email("sam@mercy.com") is None

    def test_another_process_sees_and_can_undo_the_change(
        self, repo: Repository, open_repo: OpenRepo
    ) -> None:
        p = named("Mercy General")
        repo.save(p)
        repo.histories()  # a snapshot to keep current
        repo.save(touch(p, "call", 1), summary="Logged a call")
        other = open_repo()
        undone, _ = other.undo()
        assert undone.summary == "Logged a call"
        assert repo.histories()[0].touchpoints == []

    # ------------------------------------------- history revisions and the action cache
    def test_history_revisions_move_only_for_the_partners_a_write_touched(
        self, repo: Repository, open_repo: OpenRepo
    ) -> None:
        mercy, hope = named("Mercy General"), named("Hope Hospice")
        sam = contact(mercy)
        repo.save(mercy, hope, sam)
        start = repo.history_revisions()
        assert start[mercy.id] == start[hope.id] == repo.revision

        repo.save(touch(mercy, "call", 1))
        after_touch = repo.history_revisions()
        assert after_touch[mercy.id] == repo.revision > start[mercy.id]
        assert after_touch[hope.id] == start[hope.id]

        moved = touch(hope, "meeting", 2)._replace(id="t-moving")
        repo.save(moved)
        repo.save(moved._replace(partner_id=mercy.id))  # a touch moved: both histories change
        both = repo.history_revisions()
        assert both[mercy.id] == both[hope.id] == repo.revision

        other = open_repo()  # another process's write is seen, as are dismissals and undo
        other.save(Dismissal(hope.id, "check-in", "", None, "moved away"))
        assert repo.history_revisions()[hope.id] == repo.revision
        before_undo = repo.history_revisions()
        repo.undo()
        after_undo = repo.history_revisions()
        assert (
            after_undo[hope.id] == repo.revision and after_undo[mercy.id] == before_undo[mercy.id]
        )
        repo.delete(sam)
        assert repo.history_revisions()[mercy.id] == repo.revision

    def test_the_action_cache_is_kept_per_context_and_day_without_a_change(
        self, repo: Repository
    ) -> None:
        mercy, hope = named("Mercy General"), named("Hope Hospice")
        repo.save(mercy, hope)
        revision, latest = repo.revision, repo.changes(1)
        today = date(2026, 11, 24)
        repo.cache_actions("ctx-a", today, [(mercy.id, 7, '["a"]'), (hope.id, 8, "[]")])
        repo.cache_actions("ctx-b", today, [(mercy.id, 7, '["b"]')])
        assert repo.revision == revision and repo.changes(1) == latest  # derived, not a change
        assert repo.cached_actions("ctx-a", today) == {mercy.id: (7, '["a"]'), hope.id: (8, "[]")}
        assert repo.cached_actions("ctx-b", today) == {mercy.id: (7, '["b"]')}
        repo.cache_actions("ctx-a", today, [(mercy.id, 9, '["a2"]')])  # replaced, not added
        assert repo.cached_actions("ctx-a", today)[mercy.id] == (9, '["a2"]')
        tomorrow = today + timedelta(days=1)
        repo.cache_actions("ctx-a", tomorrow, [(hope.id, 8, "[]")])  # a new day drops the old
        assert repo.cached_actions("ctx-a", today) == {}
        assert repo.cached_actions("ctx-a", tomorrow) == {hope.id: (8, "[]")}
        assert repo.cached_actions("ctx-b", today) == {mercy.id: (7, '["b"]')}

    def test_replacing_the_store_empties_the_action_cache(self, repo: Repository) -> None:
        mercy = named("Mercy General")
        repo.save(mercy)
        today = date(2026, 11, 24)
        repo.cache_actions("ctx", today, [(mercy.id, repo.revision, "[]")])
        repo.replace_all([mercy], [], [], [])
        assert repo.cached_actions("ctx", today) == {}
        assert repo.history_revisions() == {mercy.id: repo.revision}

    def test_histories_of_reads_the_same_histories_without_a_snapshot(
        self, repo: Repository
    ) -> None:
        mercy, hope, gone = named("Mercy General"), named("Hope Hospice"), named("Old Clinic")
        sam, ann = contact(mercy), contact(mercy, "Ann Lee")
        repo.save(mercy, hope, replace(gone, archived=True), sam, ann)
        repo.save(touch(mercy, "call", 3), touch(mercy, "meeting", 1), referral(hope, 5))
        wanted = [hope.id, mercy.id, gone.id]
        read = repo.histories_of(wanted)
        assert [h.partner.id for h in read] == wanted
        assert read[:2] == repo.histories([hope.id, mercy.id])
        assert read[2].partner.archived
        with pytest.raises(NotFoundError):
            repo.histories_of([mercy.id, "p-missing"])
