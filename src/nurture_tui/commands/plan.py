"""``nurture today``: the day's plan — a handful of actions, one per partner, most pressing
first."""

from __future__ import annotations

import argparse
from datetime import date

from nurture_tui.commands.output import emit, say, session_for
from nurture_tui.commands.touches import NO_PARTNERS_YET
from nurture_tui.domain.playbook.facts import SuggestedAction, long_date
from nurture_tui.domain.validation import parse_date
from nurture_tui.services.invites import complete_past_planned
from nurture_tui.services.playbook import DailyPlan, effective_playbook, todays_plan


def today(args: argparse.Namespace) -> int:
    session = session_for(args)
    complete_past_planned(session)
    loaded = effective_playbook()
    if loaded.problem:
        say(f"nurture: warning: {loaded.problem}")
    day = parse_date(args.today, "date") if args.today else None
    plan = todays_plan(session, loaded.playbook, today=day, size=args.size, everyone=args.everyone)
    if args.json:
        emit(args, plan.as_json(explain=args.explain), "")
        return 0
    if not plan.actions and not session.repo.partners():
        emit(args, None, [NO_PARTNERS_YET])
        return 0
    emit(args, None, plan_lines(plan, explain=args.explain))
    return 0


def plan_lines(plan: DailyPlan, *, explain: bool = False) -> list[str]:
    """The plan as text: a heading, then each action with its reason on the next line."""
    whose = f" for {plan.owner}'s partners" if plan.owner else ""
    if plan.view == "everyone":
        whose = " for every rep's partners"
    lines = [
        f"Today's plan{whose}, {plan.today:%a %d %b %Y}: {len(plan.actions)} of "
        f"{plan.suggested:,} suggested (one per partner, at most {plan.size})"
    ]
    if not plan.actions and plan.view == "mine":
        lines.append("Nothing to do for your partners (--everyone: every rep's).")
    elif not plan.actions:
        lines.append("Nothing to do: every partner is on cadence.")
    for number, action in enumerate(plan.actions, 1):
        lines += action_lines(action, explain=explain, number=number, plan_day=plan.today)
    return lines


def action_lines(
    action: SuggestedAction,
    *,
    explain: bool,
    number: int | None = None,
    plan_day: date | None = None,
) -> list[str]:
    """One action for a person: its priority in words, due day, kind, partner, why (and,
    with ``explain``, the rule and how its priority was computed)."""
    lead = f"{number:>3}. " if number is not None else ""
    indent = " " * (len(lead) or 4)
    due = long_date(action.due, plan_day) if plan_day else action.due.isoformat()
    lines = [
        f"{lead}{action.label:<12}  {due:<11} {action.kind:<20} {action.partner}",
        f"{indent}{action.reason}",
    ]
    if explain:
        lines.append(f"{indent}[{action.rule}] {action.explanation}")
    return lines
