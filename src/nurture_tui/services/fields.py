"""Refusals that name the field they are about, so a form can say why beside it.

The services validate what the rep typed (once: the forms do not check it again); a
refusal raised inside ``checking("name")`` becomes a ``FieldError`` naming the ``name``
field. A form maps these field names to its own widgets; the CLI just prints the message
(a ``FieldError`` is a ``ValidationError`` like any other).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from nurture_tui.domain.errors import ValidationError


class FieldError(ValidationError):
    """A refusal about one field (``field``: the service's name for it, e.g. ``"at"``)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field

    @property
    def field_id(self) -> str:
        """The field's name (kept for forms that raise with their widget's id)."""
        return self.field


@contextmanager
def checking(field: str) -> Iterator[None]:
    """Name the field a refusal raised inside this block is about (a date that won't parse).

    A ``FieldError`` from a nested block keeps its own, more precise field; other errors
    (an id that matches nothing, a read-only store) are not about a field and pass as
    they are."""
    try:
        yield
    except FieldError:
        raise
    except ValidationError as exc:
        raise FieldError(field, str(exc)) from exc
