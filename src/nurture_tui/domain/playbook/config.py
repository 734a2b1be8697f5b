"""The playbook file: defaults merged with the rep's copy, validated with line numbers.

The shipped default file is also the schema: a key it does not have is unknown, and a
value must have the type of its default. Parsing is pure (it takes text, not paths).
"""

from __future__ import annotations

import copy
import math
import re
import tomllib
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

from nurture_tui.domain.errors import ValidationError
from nurture_tui.domain.kinds import PartnerKind, Stage, Tier

if TYPE_CHECKING:
    from nurture_tui.domain.playbook.facts import PriorityTerms


class PlaybookError(ValidationError):
    """A playbook file that cannot be used; the message lists each problem with its line."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems))


@dataclass(frozen=True)
class RuleConfig:
    """One rule's settings, with typed accessors."""

    name: str
    values: dict[str, Any]

    @cached_property
    def enabled(self) -> bool:
        return bool(self.values.get("enabled", True))

    @cached_property
    def weight(self) -> float:
        """Read once: the engine asks for it for each of 20,000 actions a pass."""
        return float(self.values.get("weight", 1.0))

    def days(self, key: str) -> int:
        """A length of time in days (``within_days``, ``every_days``)."""
        found = self._ints.get(key)  # read from the file's values once (see _whole)
        return self._whole(key) if found is None else found

    def count(self, key: str) -> int:
        """A number of things (``top_referrers``, ``touches_without_ask``)."""
        found = self._ints.get(key)
        return self._whole(key) if found is None else found

    def _whole(self, key: str) -> int:
        """A whole-number setting, read from the file's values once: the rules ask for
        them for every partner (40,000 times a pass)."""
        found = self._ints[key] = int(self.values[key])
        return found

    def period(self, key: str) -> timedelta:
        """``days(key)`` as a timedelta, made once (rules add it to dates for each partner)."""
        found = self._periods.get(key)
        if found is None:
            found = self._periods[key] = timedelta(days=self.days(key))
        return found

    def number(self, key: str) -> float:
        return float(self.values[key])

    def per_tier(self, key: str, tier: Tier) -> int:
        found = self._tables.get((key, tier))
        return self._in_table(key, tier) if found is None else found

    def per_kind(self, key: str, kind: PartnerKind) -> int:
        """A value from a table keyed by partner kind (the default file lists every kind)."""
        found = self._tables.get((key, kind))
        return self._in_table(key, kind) if found is None else found

    def tier_period(self, key: str, tier: Tier) -> timedelta:
        """``per_tier(key, tier)`` as a timedelta, made once."""
        found = self._periods.get((key, tier))
        if found is None:
            found = self._periods[(key, tier)] = timedelta(days=self._in_table(key, tier))
        return found

    def _in_table(self, key: str, name: str) -> int:
        found = self._tables.get((key, name))
        if found is None:
            found = self._tables[(key, name)] = int(self.values[key][str(name)])
        return found

    @cached_property
    def _ints(self) -> dict[str, int]:
        return {}

    @cached_property
    def _tables(self) -> dict[tuple[str, str], int]:
        return {}

    @cached_property
    def _periods(self) -> dict[str | tuple[str, str], timedelta]:
        return {}

    def names(self, key: str) -> frozenset[str]:
        cached = self._names.get(key)
        if cached is None:
            cached = self._names[key] = frozenset(str(v) for v in self.values[key])
        return cached

    @cached_property
    def _names(self) -> dict[str, frozenset[str]]:
        return {}


@dataclass(frozen=True)
class Ranking:
    horizon_days: int
    overdue_days_per_step: float
    max_urgency: float
    upcoming_urgency: float
    referral_bonus: float
    referral_cap: int
    urgent_weight: float
    tier: dict[Tier, float]
    stage: dict[Stage, float]

    @cached_property
    def horizon(self) -> timedelta:
        """``horizon_days`` as a timedelta, made once."""
        return timedelta(days=self.horizon_days)

    @cached_property
    def terms_memo(self) -> dict[tuple[float, float, Tier, Stage, int], PriorityTerms]:
        """The engine's shared PriorityTerms, by (weight, urgency, tier, stage, recent
        referrals): a few hundred distinct ones serve a pass's 20,000 actions (they are
        immutable, and made from this ranking's factors, so the memo lives here)."""
        return {}


@dataclass(frozen=True)
class Playbook:
    """The effective playbook: every rule's settings, the ranking and the guardrails."""

    data: dict[str, Any]

    def rule(self, name: str) -> RuleConfig:
        return self._rules[name]

    @cached_property
    def _rules(self) -> dict[str, RuleConfig]:
        return {name: RuleConfig(name, values) for name, values in self.data["rules"].items()}

    @property
    def rule_names(self) -> list[str]:
        return list(self.data["rules"])

    @cached_property
    def ranking(self) -> Ranking:
        r = self.data["ranking"]
        return Ranking(
            horizon_days=int(r["horizon_days"]),
            overdue_days_per_step=float(r["overdue_days_per_step"]),
            max_urgency=float(r["max_urgency"]),
            upcoming_urgency=float(r["upcoming_urgency"]),
            referral_bonus=float(r["referral_bonus"]),
            referral_cap=int(r["referral_cap"]),
            urgent_weight=float(r["urgent_weight"]),
            tier={Tier(k): float(v) for k, v in r["tier"].items()},
            stage={Stage(k): float(v) for k, v in r["stage"].items()},
        )

    def guardrail(self, key: str) -> int:
        return int(self.data["guardrails"][key])

    def compliance(self, key: str) -> float:
        """A ``[compliance]`` setting (a day count, a dollar cap, a percentage). Read as a
        float: the dollar caps may have cents (``75.5``), and 0 means "no cap", so the
        checks that read them compare numbers rather than test for a missing key."""
        return float(self.data["compliance"][key])


#: Settings a rep's older playbook may still set, and what replaced them.
RENAMED = {
    "rules.ask-why-no-referrals.engaged_days": "effort_days (now per partner kind, counted "
    "from the first touch since the last referral)",
    "rules.ask-why-no-referrals.min_touches": "effort_touches (now per partner kind)",
}


def parse_toml(text: str, source: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PlaybookError(source, [str(exc)]) from None


def load_playbook(default_text: str, user_text: str | None = None, source: str = "") -> Playbook:
    """Defaults, overridden key by key by the user's file (validated against the defaults)."""
    defaults = parse_toml(default_text, "default playbook")
    if user_text is None:
        return Playbook(defaults)
    user = parse_toml(user_text, source)
    problems: list[str] = []
    merged = copy.deepcopy(defaults)
    _merge(merged, user, defaults, [], problems, user_text)
    if problems:
        raise PlaybookError(source, problems)
    return Playbook(merged)


def _merge(
    target: dict[str, Any],
    override: dict[str, Any],
    schema: dict[str, Any],
    path: list[str],
    problems: list[str],
    text: str,
) -> None:
    for key, value in override.items():
        where = ".".join([*path, key])
        line = _line_of(text, path, key)
        if key not in schema and where in RENAMED:
            problems.append(f"line {line}: {where!r} was renamed: use {RENAMED[where]}")
            continue
        if key not in schema:
            known = ", ".join(sorted(schema)) if len(schema) < 25 else "see playbook show"
            problems.append(f"line {line}: unknown setting {where!r} (known: {known})")
            continue
        expected = schema[key]
        if isinstance(expected, dict):
            if _is_number(value) and expected and all(map(_is_number, expected.values())):
                value = dict.fromkeys(expected, value)  # one number for every tier or kind
            if not isinstance(value, dict):
                problems.append(f"line {line}: {where!r} must be a table")
                continue
            _merge(target[key], value, expected, [*path, key], problems, text)
        elif not _same_type(expected, value):
            problems.append(f"line {line}: {where!r} must be {_type_name(expected)}, not {value!r}")
        elif isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
            problems.append(f"line {line}: {where!r} cannot be negative")
        elif isinstance(value, float) and not math.isfinite(value):
            problems.append(f"line {line}: {where!r} must be a number, not {value!r}")
        elif (bound := _BOUNDS.get(where)) is not None and not _within(value, bound):
            low_high, whole = bound
            kind = "a whole number" if whole else "a number"
            problems.append(
                f"line {line}: {where!r} must be {kind} from {low_high[0]:g} to "
                f"{low_high[1]:g}, not {value!r}"
            )
        else:
            target[key] = value


#: Settings with a sensible range (and whether they are whole numbers): a typo of three
#: extra zeros is refused with its line instead of overflowing a date or never firing.
_BOUNDS: dict[str, tuple[tuple[float, float], bool]] = {
    "compliance.gift_after_referral_days": ((0, 3650), True),
    "compliance.policy_cap_per_recipient": ((0, 100_000), False),
    "compliance.meal_limit_per_head": ((0, 100_000), False),
    "compliance.limit_notice_percent": ((1, 100), False),
}


def _within(value: Any, bound: tuple[tuple[float, float], bool]) -> bool:
    (low, high), whole = bound
    if whole and not (isinstance(value, int) or float(value).is_integer()):
        return False
    return bool(low <= value <= high)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _same_type(expected: Any, value: Any) -> bool:
    if isinstance(expected, bool) or isinstance(value, bool):
        return isinstance(expected, bool) and isinstance(value, bool)
    if isinstance(expected, int | float):
        return isinstance(value, int | float)
    if isinstance(expected, list):
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return isinstance(value, type(expected))


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list of names"
    return "text"


def _line_of(text: str, path: list[str], key: str) -> int:
    """The line where ``key`` is set under the table ``path`` (best effort, 1-based)."""
    lines = text.splitlines()
    start = 0
    if path:
        header = re.compile(r"^\s*\[\s*" + r"\s*\.\s*".join(map(re.escape, path)) + r"\s*\]")
        for index, line in enumerate(lines):
            if header.match(line):
                start = index
                break
    pattern = re.compile(r"^\s*(\"?)" + re.escape(key) + r"\1\s*=")
    for index in range(start, len(lines)):
        if pattern.match(lines[index]) or re.match(
            r"^\s*\[\s*" + r"\s*\.\s*".join(map(re.escape, [*path, key])) + r"\s*\]", lines[index]
        ):
            return index + 1
    return start + 1
