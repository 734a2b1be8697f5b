"""Who had a synced meeting: a touch's ``reps``, pure rules over them.

A meeting two reps attended is one touch, and each rep's calendar holds its own copy of
the event. The touch's ``reps`` name each rep with their copy's id (``MeetingRep``), so
each rep's sync finds its own place on the meeting: it joins when its copy appears, and
leaves when its copy is deleted, cancelled or declined by the partner; the last rep to
leave cancels the touch. ``rep`` below is whose sync asks (``repository.own_rep``): a
rep's email on a team store, "" on a rep's own store, whose one rep every meeting is.

A touch synced before reps were kept names none: its rep is the one who stored it, its
event the one its external id names (``<event id>#<partner id>``).
"""

from __future__ import annotations

from nurture_tui.domain.kinds import TouchpointStatus
from nurture_tui.domain.model import MeetingRep, Touchpoint


def is_mine(entry: MeetingRep, rep: str) -> bool:
    """Whether ``entry`` is ``rep``'s: on a rep's own store (``rep`` "") every one is; on a
    team store the rep's own, and an unnamed one ("": from a rep's own store)."""
    return not rep or entry.rep in (rep, "")


def attendance(touch: Touchpoint, rep: str) -> tuple[MeetingRep, ...]:
    """Who has a synced meeting, each under their own event: its ``reps``; for a touch
    synced before reps were kept, the rep who stored it (the store's one rep, "", on a
    rep's own store) under the event its external id names."""
    if touch.reps:
        return touch.reps
    event, mark, _ = (touch.external_id or "").rpartition("#")
    if not mark or touch.source == "manual":
        return ()
    return (MeetingRep(touch.created_by.casefold() if rep else "", event),)


def departure(touch: Touchpoint, gone: set[str], rep: str) -> Touchpoint | None:
    """``touch`` once ``rep``'s copies among the events ``gone`` (deleted, cancelled, or
    declined by the partner) have left it, or None when that changes nothing.

    Colleagues still on the meeting keep it as it is, with ``rep`` taken off; the last rep
    to go cancels it (and stays named on it), as a cancelled meeting always did.
    """
    entries = attendance(touch, rep)
    leaving = {e for e in entries if e.event in gone and is_mine(e, rep)}
    if not leaving:
        return None
    staying = tuple(e for e in entries if e not in leaving)
    if staying:
        return touch._replace(reps=staying)
    if touch.status is TouchpointStatus.CANCELLED:
        return None
    return touch._replace(status=TouchpointStatus.CANCELLED)


def attending_reps(touch: Touchpoint) -> tuple[str, ...]:
    """The reps to show on a touch: a synced meeting's named reps, each once; else the rep
    who logged it (none before attribution)."""
    named = tuple(dict.fromkeys(e.rep for e in touch.reps if e.rep))
    if named:
        return named
    return (touch.created_by,) if touch.created_by else ()
