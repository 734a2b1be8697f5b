"""A referral's service is a list, not free text: patient details have nowhere to go."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext

from nurture_tui.domain.errors import ValidationError
from nurture_tui.domain.kinds import service_from_text
from nurture_tui.services import records
from nurture_tui.services.session import Session
from nurture_tui.store import migrate
from nurture_tui.store.database import sqlite_engine
from nurture_tui.store.opening import open_store


def test_a_service_is_one_of_the_list_with_a_short_screened_detail(session: Session) -> None:
    partner = records.add_partner(session, "Hope Hospice", "hospice")
    day = date(2026, 11, 20)
    referral = records.add_referral(
        session, partner.id, day, service="respite", service_detail="evenings only"
    )
    assert (referral.service, referral.service_detail) == ("respite", "evenings only")
    with pytest.raises(ValidationError, match="unknown service"):
        records.add_referral(session, partner.id, day, service="respite for John Smith")
    with pytest.raises(ValidationError, match="patient data"):
        records.add_referral(
            session, partner.id, day, service="respite", service_detail="DOB 3/4/1950"
        )
    with pytest.raises(ValidationError, match="patient data"):
        records.update_referral(session, referral.id, service_detail="Mrs. Alvarez, referred")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("personal care", ("personal-care", "")),
        ("Companion Care", ("companion", "")),
        ("skilled nursing visit", ("skilled-nursing", "")),
        ("respite", ("respite", "")),
        ("weekend meals", ("other", "weekend meals")),
        ("", ("", "")),
    ],
)
def test_free_text_from_older_stores_reads_as_a_listed_service(
    text: str, expected: tuple[str, str]
) -> None:
    assert service_from_text(text) == expected


def test_migration_0002_moves_free_text_services_into_the_list(tmp_path: Path) -> None:
    """A store at schema 0001 (free-text services) opens at 0002 with listed services; a
    service text that held patient data is not kept."""
    database = tmp_path / "nurture.db"
    engine = sqlite_engine(database)
    scripts = migrate._scripts()

    def to_0001(revision: object, _context: object) -> object:
        return scripts._upgrade_revs("0001", revision)

    with (
        engine.connect().execution_options(write=True) as c,
        c.begin(),
        EnvironmentContext(Config(), scripts, fn=to_0001, destination_rev="0001") as env,
    ):
        env.configure(connection=c, transactional_ddl=True)
        env.run_migrations()
    engine.dispose()
    raw = sqlite3.connect(database)
    raw.execute(
        "INSERT INTO partners VALUES ('p', 'Hope', 'hospice', 'B', 'engaged', '[]', NULL, "
        "NULL, '[]', '[]', '', NULL, NULL, 0)"
    )
    for rid, service in (
        ("r1", "companion care"),
        ("r2", "weekend meals"),
        ("r3", "respite for John Smith DOB 3/4/1950"),
        ("r4", ""),
    ):
        raw.execute(
            "INSERT INTO referrals VALUES (?, 'p', '2026-11-01', ?, NULL, ?, 'received', 0, 0)",
            (rid, f"P-{rid.upper()}9", service),
        )
    raw.commit()
    raw.close()
    repo = open_store(tmp_path)  # migrates 0001 -> 0002, after a backup
    found = {r.id: (r.service, r.service_detail) for r in repo.referrals()}
    assert found == {
        "r1": ("companion", ""),
        "r2": ("other", "weekend meals"),
        "r3": ("other", ""),
        "r4": ("", ""),
    }
    assert list((tmp_path / "backups").glob("nurture-*.db")), "backed up before migrating"
