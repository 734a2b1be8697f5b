"""Invite titles and descriptions, drawn from the seeds; the rep can edit them in a TOML file.

Placeholders: {partner}, {agency}, {rep}, {contact}.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass

from nurture_tui.domain.errors import ValidationError
from nurture_tui.invites.model import InviteKind


@dataclass(frozen=True)
class Template:
    title: str
    description: str
    minutes: int


DEFAULTS: dict[InviteKind, Template] = {
    InviteKind.IN_SERVICE: Template(
        "Zoom in-service: {partner} teaches the {agency} team",
        "Thank you for agreeing to speak to our caregivers and care coordinators. Our team "
        "learns best from the people who do this work every day: we would love you to cover "
        "your area of expertise — for example, when hospice is the right referral and how it "
        "can help home-care clients and their families.\n\n"
        "About 30 minutes of talk and 15 of questions. It helps our staff serve the people "
        "we share, and we are grateful for your time.\n\n— {rep}, {agency}",
        45,
    ),
    InviteKind.CHECK_IN: Template(
        "Check-in: {agency} and {partner}",
        "A short check-in to keep us working well together: how recent referrals are going, "
        "anything we can do to make referring to us smoother, and what is new on both sides."
        "\n\n— {rep}, {agency}",
        30,
    ),
    InviteKind.CARE_COORDINATION: Template(
        "Care-plan coordination: {agency} and {partner}",
        "A call to coordinate the care plan for a participant we both serve, so that our "
        "home-based services complement your care. Details are shared during the call, "
        "within HIPAA guidelines — none are included in this invitation.\n\n— {rep}, {agency}",
        30,
    ),
    InviteKind.NETWORKING_EVENT: Template(
        "Community partners networking hour, hosted by {agency}",
        "An informal hour for local referral partners and community leaders to meet, share "
        "what is new, and find ways to work together for older adults and people with "
        "disabilities in our community.\n\n— {rep}, {agency}",
        60,
    ),
    InviteKind.APPRECIATION_EVENT: Template(
        "Referral partner appreciation lunch — thank you, {partner}",
        "Every year we set aside time to thank the partners who trust us with the people "
        "they serve. Join us to celebrate what we achieved together, hear updates, and "
        "meet other partners.\n\n— {rep}, {agency}",
        90,
    ),
    InviteKind.WEBINAR: Template(
        "Webinar: how Medicaid waiver services can improve outcomes",
        "A short educational webinar for physicians, social workers and discharge planners: "
        "updates on Medicaid waiver programs and best practices for care coordination, with "
        "time for your questions.\n\n— {rep}, {agency}",
        45,
    ),
}


def load_templates(
    user_text: str | None, source: str = "invite_templates.toml"
) -> dict[InviteKind, Template]:
    """The defaults, overridden per kind by the rep's file ([in-service] title = "...")."""
    templates = dict(DEFAULTS)
    if not user_text:
        return templates
    try:
        raw = tomllib.loads(user_text)
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(f"{source}: {exc}") from None
    for name, values in raw.items():
        try:
            kind = InviteKind(name)
        except ValueError:
            raise ValidationError(f"{source}: unknown invite kind [{name}]") from None
        base = templates[kind]
        if not isinstance(values, dict):
            raise ValidationError(f"{source}: [{name}] must be a table")
        templates[kind] = Template(
            title=str(values.get("title", base.title)),
            description=str(values.get("description", base.description)),
            minutes=int(values.get("minutes", base.minutes)),
        )
    return templates


def render(text: str, **values: str) -> str:
    """Fill placeholders without letting user text inject new ones."""
    out = text
    for key, value in values.items():
        out = out.replace("{" + key + "}", value.replace("{", "(").replace("}", ")"))
    return out
