"""Sent mail -> ``email`` touchpoints: one per partner the message went to.

A message whose date is out of the domain's range is skipped with a warning (see
``meetings.usable_time``): a forged ``Date:`` header must not crash a sync or be stored.
"""

from __future__ import annotations

from nurture_tui.domain.kinds import TouchpointKind, TouchpointStatus
from nurture_tui.domain.model import Touchpoint
from nurture_tui.domain.privacy import mask_references
from nurture_tui.domain.text import clean_text
from nurture_tui.sync.contract import SentMessage
from nurture_tui.sync.matching import PeopleMatcher
from nurture_tui.sync.meetings import Known, Outcome, synced_id, usable_time


def reconcile_message(
    message: SentMessage,
    matcher: PeopleMatcher,
    repo: Known,
    *,
    source: str,
    keep_subject: bool,
    outcome: Outcome,
) -> None:
    if not usable_time(message.sent_at, f"message {message.external_id}", "date", outcome):
        return
    by_partner: dict[str, set[str]] = {}
    strangers: set[str] = set()
    for email in message.recipients:
        if matcher.is_own(email):
            continue
        match = matcher.match(email)
        if match is None:
            strangers.add(email.lower())
            continue
        contacts = by_partner.setdefault(match.partner_id, set())
        if match.contact_id:
            contacts.add(match.contact_id)
    if by_partner and outcome.unmatched is not None:
        outcome.unmatched |= strangers
    subject = mask_references(message.subject, repo.participant_refs()) if keep_subject else ""
    for partner_id, contacts in sorted(by_partner.items()):
        external_id = f"{message.external_id}#{partner_id}"
        existing = repo.touchpoint_by_external_id(source, external_id)
        if existing is not None or repo.was_deleted(source, external_id):
            outcome.unchanged += 1  # a sent message never changes
            continue
        outcome.save.append(
            Touchpoint(
                id=synced_id(source, external_id),
                partner_id=partner_id,
                kind=TouchpointKind.EMAIL,
                at=message.sent_at,
                contact_ids=tuple(sorted(contacts)),
                status=TouchpointStatus.DONE,
                purpose=clean_text(subject)[:200],
                source=source,
                external_id=external_id,
            )
        )
        outcome.created += 1
