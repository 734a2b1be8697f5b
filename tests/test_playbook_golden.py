"""The playbook's whole output pinned, field by field and in order, on a generated agency.

Why: the engine is tuned for speed (250,000 touchpoints a pass), and every such change must
leave the suggestions exactly as they were. Seven passes are pinned (different days, a
far-east zone, dismissals, part of the agency, a rep's own playbook): the first line by
line in the golden file, so a change shows which action moved; the other six by a digest
of the same lines (the full text of all seven would be 4 MB). Priorities are kept as
``repr`` so a last-bit float difference shows too.

Regenerate only for an intended change of behaviour, and read the diff:
``NURTURE_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_playbook_golden.py``.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from nurture_tui.config import Settings
from nurture_tui.domain.model import Dismissal, PartnerHistory
from nurture_tui.domain.playbook.config import Playbook, load_playbook
from nurture_tui.domain.playbook.engine import network_of, suggest
from nurture_tui.domain.playbook.facts import SuggestedAction
from nurture_tui.services.demo import DemoSize, load_demo
from nurture_tui.services.playbook import default_playbook_text, histories
from nurture_tui.services.session import Session
from nurture_tui.store.opening import open_store

GOLDEN = Path(__file__).parent / "golden" / "playbook_suggest.jsonl"
TODAY = date(2026, 11, 23)
CHICAGO = ZoneInfo("America/Chicago")
AUCKLAND = ZoneInfo("Pacific/Auckland")

#: A rep's own playbook: other cadences, a rule off, a narrower webinar list.
USER_PLAYBOOK = """
[ranking]
horizon_days = 30

[rules.newsletter]
enabled = false

[rules.webinar]
tiers = ["A"]

[rules.check-in.every_days]
A = 10
B = 20
C = 45
"""


def action_row(action: SuggestedAction) -> list[object]:
    """Every field of the action, in field order, as plain JSON (enums as their values,
    floats as repr); the explanation is left out, being made from the terms."""
    terms = action.terms
    return [
        action.partner_id,
        action.partner,
        str(action.kind),
        action.due.isoformat(),
        action.overdue,
        repr(action.priority),
        action.rule,
        action.reason,
        list(action.evidence),
        action.key,
        action.suggested_stage,
        action.contact_id,
        None
        if terms is None
        else [
            repr(terms.weight),
            repr(terms.urgency),
            str(terms.tier),
            repr(terms.tier_factor),
            str(terms.stage),
            repr(terms.stage_factor),
            repr(terms.referral_bonus),
            terms.recent_referrals,
        ],
        action.label,
    ]


@pytest.fixture(scope="module")
def agency(tmp_path_factory: pytest.TempPathFactory) -> list[PartnerHistory]:
    """300 partners and 15,000 touchpoints, through a real SQLite store (the order and
    types the engine sees in the app)."""
    directory = tmp_path_factory.mktemp("golden-store")
    now = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
    repo = open_store(directory)
    session = Session(repo, Settings(timezone="America/Chicago"), lambda: now)
    load_demo(session, DemoSize(partners=300, touchpoints=15_000, seed=11), force=True)
    found = histories(repo)
    repo.close()
    return found


def passes(agency: list[PartnerHistory]) -> list[tuple[str, list[SuggestedAction]]]:
    default = load_playbook(default_playbook_text())
    mine: Playbook = load_playbook(default_playbook_text(), USER_PLAYBOOK, "user.toml")
    first = suggest(agency, TODAY, CHICAGO, default)
    dismissals = [
        Dismissal(a.partner_id, a.rule, a.key, None if i % 2 else TODAY + timedelta(days=3))
        for i, a in enumerate(first[::7])
    ] + [Dismissal(first[1].partner_id, first[1].rule, first[1].key, TODAY)]  # expired
    half = agency[::2]
    return [
        ("default, Chicago, today", first),
        ("default, Auckland, today", suggest(agency, TODAY, AUCKLAND, default)),
        ("default, 200 days back", suggest(agency, TODAY - timedelta(days=200), CHICAGO, default)),
        ("default, 400 days on", suggest(agency, TODAY + timedelta(days=400), CHICAGO, default)),
        ("default, dismissals", suggest(agency, TODAY, CHICAGO, default, dismissals)),
        (
            "default, half the partners with everyone's network",
            suggest(half, TODAY, CHICAGO, default, (), network_of(agency, TODAY, default)),
        ),
        ("rep's playbook", suggest(agency, TODAY, CHICAGO, mine)),
    ]


def rendered(agency: list[PartnerHistory]) -> list[str]:
    """The first pass line by line, then one digest line per other pass."""
    lines: list[str] = []
    for number, (name, actions) in enumerate(passes(agency)):
        rows = [json.dumps(action_row(a), ensure_ascii=False) for a in actions]
        if number == 0:
            lines.append(json.dumps({"pass": name, "actions": len(actions)}))
            lines.extend(rows)
        else:
            digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()
            lines.append(json.dumps({"pass": name, "actions": len(actions), "sha256": digest}))
    return lines


def test_every_suggestion_is_exactly_as_pinned(agency: list[PartnerHistory]) -> None:
    got = rendered(agency)
    if os.environ.get("NURTURE_UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text("\n".join(got) + "\n", encoding="utf-8")
    want = GOLDEN.read_text(encoding="utf-8").splitlines()
    for index, (g, w) in enumerate(zip(got, want, strict=False)):
        assert g == w, f"line {index + 1} of {GOLDEN.name} differs"
    assert len(got) == len(want)


def test_the_pinned_passes_cover_every_rule(agency: list[PartnerHistory]) -> None:
    """The golden file means something only if every rule, label and stage move shows up."""
    actions = [a for _name, found in passes(agency) for a in found]
    rules = {a.rule for a in actions}
    assert rules == set(load_playbook(default_playbook_text()).rule_names)
    assert {a.label for a in actions} == {"urgent", "due", "when you can"}
    assert any(a.overdue for a in actions) and any(not a.overdue for a in actions)
    assert any(a.contact_id for a in actions) and any(a.suggested_stage for a in actions)
