"""What changed while a form was open: the words a rep reads when a colleague (or a sync,
or another window) saved the record they are editing.

Forms compare *entries*, the record as the form shows it (text as typed, a box ticked),
so "what changed" is said in the form's own terms: "tier B → A", not a diff of columns.
The store's version check (``EditConflict``) decides *that* it changed; this module says
*what* changed, on both sides, and carries the record as it is now so the form can put
the rep's changes on top of it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from typing import Any, TypeVar

from nurture_tui.domain.errors import NotFoundError, NurtureError, ValidationError
from nurture_tui.domain.model import Contact, Partner
from nurture_tui.domain.text import clean_text

#: A value longer than this is shown cut, with an ellipsis (notes can be paragraphs).
_SHOWN = 32


@dataclass(frozen=True)
class FieldChange:
    """One field of an entry that differs: its name, and the value before and after."""

    field: str
    before: Any
    after: Any

    def describe(self) -> str:
        """ "tier B → A"; a box as "met in person: no → yes"."""
        label = self.field.replace("_", " ")
        return f"{label}: {_shown(self.before)} → {_shown(self.after)}"


def differences(before: Any, after: Any) -> tuple[FieldChange, ...]:
    """The fields of two entries of one kind (dataclasses) that differ, in field order."""
    return tuple(
        FieldChange(f.name, getattr(before, f.name), getattr(after, f.name))
        for f in fields(before)
        if getattr(before, f.name) != getattr(after, f.name)
    )


class ChangedMeanwhile(NurtureError):
    """The record was saved by someone else since the form opened it; nothing was written.

    ``current`` is the record as stored now and ``current_entry`` as its form shows it;
    ``theirs`` what changed in it since the form opened it; ``mine`` the fields the rep
    changed in the form; ``by`` who saved last.
    """

    def __init__(
        self,
        current: Partner | Contact,
        current_entry: Any,
        theirs: tuple[FieldChange, ...],
        mine: tuple[str, ...],
        by: str,
    ) -> None:
        self.current = current
        self.current_entry = current_entry
        self.theirs = theirs
        self.mine = mine
        self.by = by
        who = by or "someone"
        super().__init__(
            f"{who} saved {current.name} while you had it open; nothing was saved, and "
            "what you typed is still here"
        )

    def mine_on_top(self, typed: Any) -> Any:
        """The entry to save now: the record as stored, with the rep's changed fields as
        typed (saved with ``opened=current``, it writes exactly the rep's changes)."""
        return replace(self.current_entry, **{name: getattr(typed, name) for name in self.mine})

    @property
    def both(self) -> tuple[str, ...]:
        """Fields both sides changed: where re-applying the rep's change replaces theirs."""
        theirs = {change.field for change in self.theirs}
        return tuple(name.replace("_", " ") for name in self.mine if name in theirs)


_Record = TypeVar("_Record", Partner, Contact)


def meanwhile(
    read: Callable[[], _Record],
    entry_of: Callable[[_Record], Any],
    opened: _Record,
    base: Any,
    typed: Any,
    mine: list[str],
) -> _Record:
    """After a form's save found its record changed: what to tell the rep.

    ``ChangedMeanwhile`` with both sides' changes, or the record as it is now when the
    rep's changes are all already there (a colleague made the same ones: nothing to
    write, nothing to ask), or one line when the record is gone.
    """
    try:
        now = read()
    except NotFoundError:
        raise removed_meanwhile(opened) from None
    shown = entry_of(now)
    theirs = differences(base, shown)
    if opened.archived != now.archived:
        theirs += (FieldChange("archived", opened.archived, now.archived),)
    still_mine = tuple(name for name in mine if getattr(typed, name) != getattr(shown, name))
    if not still_mine:
        return now
    raise ChangedMeanwhile(now, shown, theirs, still_mine, now.changed_by)


def removed_meanwhile(opened: Partner | Contact) -> ValidationError:
    """The refusal for a form whose record is gone from the store."""
    return ValidationError(
        f"{opened.name} was removed while you had it open (an undo in another window, or "
        "a colleague); nothing was saved"
    )


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = clean_text(str(value)).replace("\n", " ")
    if not text:
        return "(empty)"
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"
