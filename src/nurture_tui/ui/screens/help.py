"""Help (``?``): the keys of every screen and what the board's colours mean."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

HELP = """\
# Nurture — keys

**Everywhere**: `b` board · `g` agenda · `R` reports · `T` team · `y` sync · `u` undo the
latest change (again: redo it) · `ctrl+p` command palette (a partner, a contact, an action,
"your details") · `ctrl+t` light/dark · `?` this help · `q` quit

## Board
`←/→` or `h/l` change stage column · `↑/↓` or `j/k` move · `enter` open the partner ·
`/` search (`kind:hospice tier:A tag:north owner:alex health:overdue` plus any part of a
name) · `esc` clear the search · `<`/`>` move the partner to the previous/next stage ·
`t` log a touch · `f` record a referral · `a` add a partner · `z` show dormant partners ·
`y` take the move when the card's next action is a stage move (the line under the columns
says so; otherwise `y` is sync). The line under the columns shows the selected partner's
full name and the whole reason for its next action.

**A team store**: the board and the agenda show your own partners; `e` switches to every
rep's and back (the line under the columns says which). `owner:me`, `owner:unassigned` or
`owner:ann` in the search picks whose partners, whichever view is on. `o` hands the
selected partner to a rep (an admin: to anyone; a rep: takes an unassigned partner, or
hands back their own).

Health: `●` on cadence · `◐` due soon · `○` overdue (against the tier's check-in cadence)

## Agenda
Today's plan first: at most `daily_capacity` actions, one per partner, late thank-yous and
updates first · `a` every suggestion · `/` filter (the board's words, or an action: `thank`)
· `enter` done: opens the log form filled in (on a stage suggestion: makes the move; `y`
too) · `s` snooze (tomorrow, a week, a date) · `x` dismiss with a reason (remembered) ·
`i` invite for it (partner, contact and kind filled in) · `o` open the partner · `e` (a team
store) your partners or everyone's · `esc` back

## Partner
`1`–`4` timeline, suggestions (the rules firing and why), contacts, notes ·
`t` log a touch · `f` record a referral · `c` add a contact · `E` edit the contact under
the cursor (milestones, met in person, LinkedIn) · `i` invite · `e` edit the partner
(`ctrl+o` there archives it) · `enter` on a timeline row opens the record: `e` edit the
touch or the referral's status, `d` delete (asks first; `u` brings it back) · `esc` back

## Sync
`S` sync now · `A` sign in to the selected source · `a` assign a person to a partner or
contact · `x` ignore a person (remembered)

## Team
A team store's manager's view, a row per rep and a total: touches by kind, overdue actions
on their partners, referrals received, partners going quiet, compliance warnings
overridden · `m` this week or this month · `↑/↓` a rep: the line under the table lists
every kind of touch and the quiet partners by name · `ctrl+r` read again · `esc` back

## Forms
`tab` next field · `ctrl+s` save · `esc` cancel. A form closes only when the save landed;
a problem shows beside its field with everything you typed kept. Dates as you say them:
`today`, `yesterday 3pm`, `tue 10:00`, `11/23 3pm`, `March 14` for a birthday.
Guardrail warnings (the seeds' don'ts) appear while you fill in a touch; they never block
you.
"""


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "app.pop_screen", "Close", id="help.close"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="form help"):
            yield Markdown(HELP)

    def on_screen_suspend(self) -> None:
        # Built once and shown again: back to the top as it closes, so it opens there.
        self.query_one(VerticalScroll).scroll_home(animate=False, immediate=True)
