"""The team's reps as the store holds them, for "whose partners are these" (``Ownership``).

Read from the repository's own engine, so it is the same database and login as every
other read: one short query of the ``reps`` table, cheap enough to repeat whenever an owner
is changed (a rep made admin, or removed, a minute ago counts at once).
"""

from __future__ import annotations

from sqlalchemy import inspect, text

from nurture_tui.domain.ownership import TeamRep
from nurture_tui.domain.repository import Repository
from nurture_tui.store.database import plain_errors
from nurture_tui.store.sql import SqlRepository


def team_roster(repo: Repository) -> tuple[tuple[TeamRep, ...], str] | None:
    """(the current reps, the connected rep's email or "") on a team store; None on a rep's
    own store (SQLite) or a server database no ``team init`` has set up."""
    if not isinstance(repo, SqlRepository) or repo.engine.dialect.name != "postgresql":
        return None
    with plain_errors(repo.location), repo.engine.connect() as c:
        if not inspect(c).has_table("team"):
            return None
        if c.execute(text("SELECT count(*) FROM team")).scalar_one() == 0:
            return None
        rows = c.execute(
            text(
                "SELECT email, name, is_admin, role = current_user FROM reps "
                "WHERE removed_at IS NULL ORDER BY email"
            )
        ).all()
    reps = tuple(TeamRep(str(r[0]), str(r[1] or ""), bool(r[2])) for r in rows)
    me = next((str(r[0]) for r in rows if r[3]), "")
    return reps, me
