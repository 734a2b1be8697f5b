"""The touchpoint kind of a meeting, inferred from its title (the invite kinds first)."""

from __future__ import annotations

import re

from nurture_tui.domain.kinds import TouchpointKind

K = TouchpointKind
_PATTERNS: tuple[tuple[re.Pattern[str], TouchpointKind], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), kind)
    for pattern, kind in (
        (r"in[- ]?service", K.IN_SERVICE),
        (r"webinar|workshop", K.WEBINAR),
        (r"apprecia", K.APPRECIATION_EVENT),
        (r"networking|mixer", K.NETWORKING_EVENT),
        (r"care[- ]?(plan|coordination)|case (review|conference)", K.CARE_COORDINATION),
        (r"check[- ]?in|touch[- ]?base|catch[- ]?up", K.CHECK_IN),
        (r"feedback|survey", K.FEEDBACK_REQUEST),
        (r"\bintro(duction)?\b", K.INTRODUCTION),
        (r"\bcall\b|phone", K.CALL),
    )
)


def meeting_kind(title: str) -> TouchpointKind:
    for pattern, kind in _PATTERNS:
        if pattern.search(title):
            return kind
    return K.MEETING
