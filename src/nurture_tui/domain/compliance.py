"""Compliance guardrails for things of value given to referral sources — pure, no I/O.

Two federal laws govern what a rep of a Medicare- or Medicaid-funded agency may give:

- the **Anti-Kickback Statute** (42 U.S.C. § 1320a-7b(b)): anything of value offered to
  induce or reward referrals is a crime, whatever the recipient; a gift right after a
  referral is the textbook risk, and cash or a cash equivalent is never defensible;
- the **physician self-referral law** (Stark, 42 CFR 411.357(k)): an agency furnishing a
  designated health service (home health) may give a physician non-monetary compensation
  only up to a yearly aggregate limit that CMS indexes each year; an accidental overage of
  up to 50 % may be repaid by the end of the calendar year or within 180 days, whichever
  is earlier, once every three years per physician (411.357(k)(3)).

The checks here warn *before* the rep spends and never block: the rep may have a reason,
and what they saved through is recorded (``Override``) for the compliance officer. What
the app cannot know — whether a gift was solicited, what it was really for — is said in
docs/compliance.md.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any, Literal

from nurture_tui.domain.errors import ValidationError
from nurture_tui.domain.kinds import (
    PHYSICIAN_CREDENTIALS,
    AgencyType,
    PartnerKind,
    TouchpointKind,
    TouchpointStatus,
)
from nurture_tui.domain.model import Contact, Override, Partner, PartnerHistory, Touchpoint
from nurture_tui.domain.money import dollars, format_amount, split_evenly

Severity = Literal["warning", "notice"]

#: The 50 % overage that may be repaid, and the days within which (42 CFR 411.357(k)(3)).
REPAYABLE_SHARE = 0.5
REPAY_WITHIN_DAYS = 180
#: The repayment exception may be used once every this many years per physician.
REPAY_ONCE_IN_YEARS = 3

# ------------------------------------------------------------------ what was given


#: Cash and what spends like it: never allowed to a referral source, whoever they are
#: (Stark's exception excludes "cash or cash equivalents"; under the AKS cash is the
#: plainest remuneration). Matched as words in the item or purpose, case-insensitively.
_CASH = re.compile(
    r"\b(?:"
    r"cash|money|cheques?|checks?\s+for\s+\$?\d+|\d+\s+(?:dollar\s+)?bills?|money\s*order|"
    r"(?:e-?)?gift\s*-?\s*cards?|e-?gift|gift\s*cert(?:ificate)?s?|gift\s*vouchers?|vouchers?|"
    r"(?:visa|mastercard|amex)\s+gift|"
    r"pre-?paid(?:\s*(?:visa|mastercard|debit|card))?|"
    r"(?:visa|mastercard|amex|amazon|starbucks|dunkin'?|coffee|restaurant|store|target|walmart|"
    r"itunes|apple|google\s*play)\s*cards?|"
    r"(?:doordash|door\s*dash|uber\s*eats|grubhub|instacart)(?:\s*(?:credit|card|gift))?|"
    r"store\s*credit|venmo|paypal|zelle|cash\s*app"
    r")\b",
    re.IGNORECASE,
)
#: Words that make a touch a meal (a per-head limit may apply).
_MEAL = re.compile(
    r"\b(?:meals?|lunch(?:eon)?|dinner|breakfast|brunch|catering|catered|food|pizza|"
    r"sandwich(?:es)?|platters?|snacks?|refreshments|bagels?|donuts?|doughnuts?|"
    r"pastr(?:y|ies)|cookies?|drinks)\b",
    re.IGNORECASE,
)


def cash_equivalent(item: str, purpose: str = "") -> str | None:
    """The words that make this a cash equivalent ("gift card"), or None."""
    found = _CASH.search(unicodedata.normalize("NFKC", f"{item} {purpose}"))
    return " ".join(found.group(0).split()) if found else None


def is_meal(kind: TouchpointKind, item: str, purpose: str = "") -> bool:
    """A meal: an appreciation event, or anything whose item or purpose names food."""
    return kind is TouchpointKind.APPRECIATION_EVENT or bool(_MEAL.search(f"{item} {purpose}"))


def counts_as_given(touch: Touchpoint) -> bool:
    """Done or planned (a planned gift is spending committed); a cancelled one is not."""
    return touch.status is not TouchpointStatus.CANCELLED


def recipient_shares(touch: Touchpoint) -> list[tuple[str | None, int]]:
    """Who received how much of the touch's value: split evenly among its contacts (the
    odd cents to the first), or all to the partner as a whole when no contact is named."""
    if touch.value_cents <= 0:
        return []
    if not touch.contact_ids:
        return [(None, touch.value_cents)]
    shares = split_evenly(touch.value_cents, len(touch.contact_ids))
    return list(zip(touch.contact_ids, shares, strict=True))


def physician_status(contact: Contact | None, partner: Partner) -> tuple[bool, str]:
    """Whether gifts to this recipient count toward Stark's yearly limit, and, when that
    was inferred rather than set, why (the rep is told so they can correct it)."""
    if contact is None:
        return False, ""
    if contact.credential is not None:
        return contact.credential in PHYSICIAN_CREDENTIALS, ""
    if contact.npi and partner.kind is PartnerKind.PHYSICIAN_PRACTICE:
        return True, (
            f"{contact.name} is treated as a physician: an individual NPI at a physician "
            "practice, and no credential set (set one with `nurture contact edit "
            "--credential`)"
        )
    return False, ""


# ------------------------------------------------------------------ the limits table


@dataclass(frozen=True)
class YearLimit:
    """One calendar year's limit, with the page it was published on."""

    year: int
    cents: int
    source: str


@dataclass(frozen=True)
class LimitInForce:
    """The limit a check uses for ``year``; ``from_year`` differs when the table has no
    figure for it yet (the latest known one is used, and the rep is told)."""

    year: int
    cents: int
    source: str
    from_year: int

    @property
    def known(self) -> bool:
        return self.from_year == self.year

    def outdated_note(self) -> str:
        if self.year < self.from_year:
            return (
                f"the limits table starts in {self.from_year}: {self.year}'s limit is not in "
                f"it, so {self.from_year}'s {format_amount(self.cents)} is used (earlier "
                "limits were lower)"
            )
        return (
            f"the limits table has no figure for {self.year}: using {self.from_year}'s "
            f"{format_amount(self.cents)}; the table needs updating (`nurture compliance "
            "limits` says how)"
        )


@dataclass(frozen=True)
class LimitTable:
    """Year -> Stark non-monetary compensation limit, as shipped or overridden."""

    years: tuple[YearLimit, ...]
    origin: str = "shipped"
    problem: str = ""
    """Why a config-dir copy was not used (it is named, and the shipped table used)."""

    def in_force(self, year: int) -> LimitInForce:
        known = {y.year: y for y in self.years}
        if year in known:
            found = known[year]
        else:
            earlier = [y for y in self.years if y.year < year]
            found = earlier[-1] if earlier else self.years[0]
        return LimitInForce(year, found.cents, found.source, found.year)


def parse_limit_table(text: str, origin: str, base: LimitTable | None = None) -> LimitTable:
    """The table in ``text`` (TOML ``[years.2026] amount = 535, source = "https://…"``),
    laid over ``base``'s years; a ValidationError names the file and what is wrong."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(f"{origin} is not valid TOML: {exc}") from None
    years = data.get("years")
    if not isinstance(years, dict) or not years:
        raise ValidationError(f"{origin}: no [years.YYYY] tables")
    found = {y.year: y for y in base.years} if base else {}
    for key, entry in years.items():
        if not (isinstance(key, str) and key.isdigit() and 2000 <= int(key) <= 2199):
            raise ValidationError(f"{origin}: {key!r} is not a year")
        if not isinstance(entry, dict):
            raise ValidationError(f"{origin}: [years.{key}] must be a table")
        amount = entry.get("amount")
        if (
            isinstance(amount, bool)
            or not isinstance(amount, int | float)
            or not (0 < amount < 100_000)
        ):
            raise ValidationError(f"{origin}: years.{key}.amount must be dollars, like 535")
        source = entry.get("source", "")
        if not isinstance(source, str):
            raise ValidationError(f"{origin}: years.{key}.source must be text (a URL)")
        found[int(key)] = YearLimit(int(key), round(amount * 100), source)
    return LimitTable(tuple(found[y] for y in sorted(found)), origin)


# ------------------------------------------------------------------ the rules


@dataclass(frozen=True)
class ComplianceRules:
    """What the checks are set to: the playbook's [compliance] section and the agency."""

    zone: tzinfo
    agency_types: frozenset[str] = frozenset()
    """Empty: not set — Stark's checks apply (the cautious reading) and the rep is told."""
    gift_after_referral_days: int = 60
    policy_cap_cents: int = 0
    """The agency's own yearly cap per non-physician recipient; 0: none."""
    meal_limit_cents: int = 0
    """The agency's limit on a meal's value per head; 0: none."""
    notice_percent: float = 80.0
    currency: str = "USD"
    today: date | None = None
    """The rep's today, so a repayment window already closed is said to be (None: not
    known; the window's date is given as it is)."""

    @property
    def stark_applies(self) -> bool:
        """Home health is a designated health service; an unset agency type is treated
        as one (warning too much beats missing the limit)."""
        return not self.agency_types or AgencyType.HOME_HEALTH.value in self.agency_types

    def money(self, cents: int) -> str:
        return format_amount(cents, self.currency)


@dataclass(frozen=True)
class Finding:
    """One thing a check says about a touch of value. A ``warning`` is recorded as
    overridden when the rep saves anyway; a ``notice`` only informs."""

    rule: str
    severity: Severity
    message: str
    figures: dict[str, Any] = field(default_factory=dict)
    recipient: str | None = None
    """The contact it is about (a yearly limit), or None: the whole touch."""

    def as_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "severity": self.severity, "message": self.message} | (
            {"figures": self.figures} if self.figures else {}
        )


@dataclass(frozen=True)
class GiftDraft:
    """The touch about to be saved, as the checks see it. ``replaces``: the id of the
    touch being edited (its old value is not counted twice)."""

    kind: TouchpointKind
    at: datetime
    value_cents: int = 0
    item: str = ""
    purpose: str = ""
    contact_ids: tuple[str, ...] = ()
    replaces: str | None = None

    def as_touchpoint(self, partner_id: str) -> Touchpoint:
        return Touchpoint(
            id=self.replaces or "draft",
            partner_id=partner_id,
            kind=self.kind,
            at=self.at,
            contact_ids=self.contact_ids,
            purpose=self.purpose,
            value_cents=self.value_cents,
            item=self.item,
        )


def _year_of(moment: datetime, zone: tzinfo) -> int:
    return moment.astimezone(zone).year


def given_in_year(
    history: PartnerHistory, recipient: str | None, year: int, zone: tzinfo, skip: str | None
) -> int:
    """Cents this recipient (a contact id, or None: the partner as a whole) was given in
    ``year``, in the rep's zone: a December and a January gift count in different years."""
    total = 0
    for touch in history.touchpoints:
        if touch.value_cents <= 0 or touch.id == skip or not counts_as_given(touch):
            continue
        if _year_of(touch.at, zone) != year:
            continue
        for who, cents in recipient_shares(touch):
            if who == recipient:
                total += cents
    return total


def check_value(
    draft: GiftDraft, history: PartnerHistory, limits: LimitTable, rules: ComplianceRules
) -> list[Finding]:
    """Everything the compliance checks say about ``draft`` given to ``history``'s partner,
    warnings first; an empty list when nothing of value is given."""
    findings: list[Finding] = []
    # The item always; the purpose only of a gift or a touch with a value (an email about
    # "Money Follows the Person" gives nothing).
    gives = draft.value_cents > 0 or draft.kind is TouchpointKind.GIFT
    cash = cash_equivalent(draft.item, draft.purpose if gives else "")
    if cash is not None:
        findings.append(
            Finding(
                "cash-equivalent",
                "warning",
                f"{cash!r} is cash or a cash equivalent: never allowed to a referral source, "
                "whoever they are (Stark excludes cash equivalents; under the Anti-Kickback "
                "Statute cash is the plainest reward); give nothing, or thank with words",
                {"matched": cash},
            )
        )
    of_value = gives or cash is not None
    if not of_value:
        return findings
    findings.extend(_after_referral(draft, history, rules))
    touch = draft.as_touchpoint(history.partner.id)
    year = _year_of(draft.at, rules.zone)
    contacts = {c.id: c for c in history.contacts}
    physicians_checked = False
    for recipient, share in recipient_shares(touch):
        contact = contacts.get(recipient) if recipient else None
        physician, inferred = physician_status(contact, history.partner)
        if physician and rules.stark_applies:
            physicians_checked = True
            findings.extend(_stark(draft, history, limits, rules, contact, share, year, inferred))
        else:  # whoever Stark's limit does not cover is held to the agency's own cap
            findings.extend(_policy_cap(draft, history, rules, recipient, contact, share, year))
    if physicians_checked:
        findings.extend(_setting_notices(rules))
    if (
        not draft.contact_ids
        and draft.value_cents > 0
        and history.partner.kind is PartnerKind.PHYSICIAN_PRACTICE
        and rules.stark_applies
    ):
        findings.append(
            Finding(
                "name-the-physician",
                "notice",
                "no contact named: a gift to a physician practice counts toward each "
                "physician's yearly limit, so name who received it (--contact)",
            )
        )
    findings.extend(_meal(draft, rules))
    findings.sort(key=lambda f: f.severity != "warning")
    return findings


def _setting_notices(rules: ComplianceRules) -> list[Finding]:
    """What the rep should know about how their settings shaped a physician's check."""
    found = []
    if not rules.agency_types:
        found.append(
            Finding(
                "agency-type-unset",
                "notice",
                "your agency type is not set, so Stark's physician limit is checked (the "
                "cautious reading); set it with `nurture config set agency_type home-health` "
                "(or hospice, non-medical-home-care, waiver-provider)",
            )
        )
    if rules.currency.upper() != "USD":
        found.append(
            Finding(
                "currency-not-usd",
                "notice",
                f"your values are in {rules.currency.upper()} and Stark's limit is in US "
                "dollars: they are compared as they are, without conversion",
            )
        )
    return found


def _after_referral(
    draft: GiftDraft, history: PartnerHistory, rules: ComplianceRules
) -> list[Finding]:
    days = rules.gift_after_referral_days
    if days <= 0:
        return []
    day = draft.at.astimezone(rules.zone).date()
    recent = [
        r.received for r in history.referrals if day - timedelta(days=days) <= r.received <= day
    ]
    if not recent:
        return []
    latest = max(recent)
    return [
        Finding(
            "gift-after-referral",
            "warning",
            f"this comes {_days(day - latest)} a referral from {history.partner.name} "
            f"(received {latest.isoformat()}): anything of value within {days} days of a "
            "referral looks like a reward for that referral (Anti-Kickback Statute); thank "
            "with words — a note or an email",
            {"referral_received": latest.isoformat(), "window_days": days},
        )
    ]


def _days(delta: timedelta) -> str:
    if delta.days == 0:
        return "on the day of"
    return f"{delta.days} day{'s' if delta.days != 1 else ''} after"


def repay_by(given: date) -> date:
    """The last day an overage given on ``given`` may be repaid: the end of its calendar
    year or 180 days on, whichever is earlier."""
    return min(date(given.year, 12, 31), given + timedelta(days=REPAY_WITHIN_DAYS))


def _stark(
    draft: GiftDraft,
    history: PartnerHistory,
    limits: LimitTable,
    rules: ComplianceRules,
    contact: Contact | None,
    share: int,
    year: int,
    inferred: str,
) -> list[Finding]:
    assert contact is not None  # a physician is always a named contact
    limit = limits.in_force(year)
    spent = given_in_year(history, contact.id, year, rules.zone, draft.replaces)
    total = spent + share
    money = rules.money
    figures = {
        "recipient": contact.name,
        "year": year,
        "spent": dollars(spent),
        "this": dollars(share),
        "total": dollars(total),
        "limit": dollars(limit.cents),
    }
    found: list[Finding] = []
    if not limit.known:
        found.append(Finding("limits-table-outdated", "notice", limit.outdated_note()))
    if inferred:
        found.append(Finding("physician-inferred", "notice", inferred))
    said = (
        f"{contact.name} (a physician) has had {money(spent)} in {year}; with this "
        f"{money(share)} that is {money(total)} against the {format_amount(limit.cents)} yearly "
        "limit (Stark, 42 CFR 411.357(k))"
    )
    if total > limit.cents:
        over = total - limit.cents
        figures["over_by"] = dollars(over)
        day = draft.at.astimezone(rules.zone).date()
        if over <= limit.cents * REPAYABLE_SHARE:
            deadline = repay_by(day)
            figures["repay_by"] = deadline.isoformat()
            used = _overage_years(history, contact.id, year, limits, rules)
            again = (
                f"; but {contact.name} was already over in {used[0]}, and the exception may "
                f"be used once every {REPAY_ONCE_IN_YEARS} years"
                if used
                else f", once every {REPAY_ONCE_IN_YEARS} years per physician"
            )
            if rules.today is not None and deadline < rules.today:
                tail = (
                    f": over by {money(over)}. An accidental overage of up to 50% could have "
                    f"been repaid by {deadline.isoformat()}, but that window has closed (the "
                    "end of the year or 180 days, whichever is earlier); ask your compliance "
                    "officer"
                )
            else:
                tail = (
                    f": over by {money(over)}. An accidental overage of up to 50% may be repaid "
                    f"by the physician by {deadline.isoformat()} (the end of the year or 180 "
                    f"days, whichever is earlier){again}"
                )
        else:
            tail = (
                f": over by {money(over)}, more than half the limit, so the repayment "
                "exception cannot cure it; do not give it"
            )
        found.insert(0, Finding("stark-yearly-limit", "warning", said + tail, figures, contact.id))
    elif limit.cents and total * 100 >= limit.cents * rules.notice_percent:
        figures["remaining"] = dollars(limit.cents - total)
        found.append(
            Finding(
                "stark-limit-near",
                "notice",
                f"{said}: {money(limit.cents - total)} left this year",
                figures,
                contact.id,
            )
        )
    return found


def _overage_years(
    history: PartnerHistory, contact_id: str, year: int, limits: LimitTable, rules: ComplianceRules
) -> list[int]:
    """Earlier years within the three-year window in which this physician went over."""
    return [
        earlier
        for earlier in range(year - 1, year - REPAY_ONCE_IN_YEARS, -1)
        if given_in_year(history, contact_id, earlier, rules.zone, None)
        > limits.in_force(earlier).cents
    ]


def _policy_cap(
    draft: GiftDraft,
    history: PartnerHistory,
    rules: ComplianceRules,
    recipient: str | None,
    contact: Contact | None,
    share: int,
    year: int,
) -> list[Finding]:
    cap = rules.policy_cap_cents
    if cap <= 0:
        return []
    spent = given_in_year(history, recipient, year, rules.zone, draft.replaces)
    if spent + share <= cap:
        return []
    who = contact.name if contact else history.partner.name
    money = rules.money
    return [
        Finding(
            "policy-cap",
            "warning",
            f"{who} has had {money(spent)} in {year}; with this {money(share)} that is "
            f"{money(spent + share)}, over your agency's yearly cap of {money(cap)} per "
            "recipient (the playbook's policy_cap_per_recipient)",
            {
                "recipient": who,
                "year": year,
                "spent": dollars(spent),
                "this": dollars(share),
                "cap": dollars(cap),
                "over_by": dollars(spent + share - cap),
            },
            recipient,
        )
    ]


def _meal(draft: GiftDraft, rules: ComplianceRules) -> list[Finding]:
    limit = rules.meal_limit_cents
    if limit <= 0 or draft.value_cents <= 0 or not is_meal(draft.kind, draft.item, draft.purpose):
        return []
    heads = max(1, len(draft.contact_ids))
    per_head = max(split_evenly(draft.value_cents, heads))
    if per_head <= limit:
        return []
    money = rules.money
    return [
        Finding(
            "meal-per-head",
            "warning",
            f"{money(per_head)} a head is over your agency's meal limit of {money(limit)} a "
            "head (the playbook's meal_limit_per_head)",
            {"per_head": dollars(per_head), "limit": dollars(limit), "heads": heads},
        )
    ]


def overrides_of(findings: Iterable[Finding], by: str, at: datetime) -> tuple[Override, ...]:
    """The warnings among ``findings`` as the record of who saved through them, and when."""
    return tuple(
        Override(rule=f.rule, message=f.message, by=by, at=at, recipient=f.recipient)
        for f in findings
        if f.severity == "warning"
    )


# ------------------------------------------------------------------ the report


@dataclass(frozen=True)
class GivenItem:
    """One touch's value as one recipient received it."""

    touch_id: str
    day: date
    kind: TouchpointKind
    item: str
    cents: int
    touch_cents: int
    recipients: int
    status: TouchpointStatus
    overrides: tuple[Override, ...] = ()
    """Warnings saved through on this touch (who, when, the words)."""


@dataclass
class RecipientYear:
    """One recipient's items of value in a year, and where they stand."""

    partner_id: str
    partner_name: str
    contact_id: str | None
    name: str
    credential: str
    physician: bool
    inferred: str
    items: list[GivenItem] = field(default_factory=list)
    limit_cents: int | None = None
    """Stark's limit for a physician (when it applies), the agency cap for others, or None."""
    limit_kind: str = ""

    @property
    def overrides(self) -> list[Override]:
        """Every warning saved through on this recipient's touches, in date order."""
        return [o for item in self.items for o in item.overrides]

    @property
    def total_cents(self) -> int:
        return sum(item.cents for item in self.items)

    @property
    def remaining_cents(self) -> int | None:
        return None if self.limit_cents is None else max(0, self.limit_cents - self.total_cents)

    @property
    def over_by_cents(self) -> int:
        return 0 if self.limit_cents is None else max(0, self.total_cents - self.limit_cents)


@dataclass(frozen=True)
class ComplianceReport:
    year: int
    limit: LimitInForce
    rules: ComplianceRules
    recipients: list[RecipientYear]
    table_problem: str = ""
    """Why the rep's copy of the limits table was not used, if it was not."""


def build_report(
    histories: Sequence[PartnerHistory],
    year: int,
    limits: LimitTable,
    rules: ComplianceRules,
) -> ComplianceReport:
    """Per recipient, physicians first, every item of value given in ``year`` (the rep's
    zone), with totals, the limit, what remains and any overage, and every warning saved
    through on those touches. No referral data, so no participant reference, is read."""
    limit = limits.in_force(year)
    found: dict[tuple[str, str | None], RecipientYear] = {}
    for history in histories:
        contacts = {c.id: c for c in history.contacts}
        partner = history.partner
        for touch in history.touchpoints:
            if (touch.value_cents <= 0 and not touch.overrides) or not counts_as_given(touch):
                continue
            if _year_of(touch.at, rules.zone) != year:
                continue
            # A touch of no value that carries overrides (a cash word in its item) is
            # listed at 0, so every warning saved through reaches the report.
            shares = recipient_shares(touch) or [(who, 0) for who in (touch.contact_ids or (None,))]
            for recipient, cents in shares:
                key = (partner.id, recipient)
                entry = found.get(key)
                if entry is None:
                    entry = found[key] = _recipient(
                        partner, contacts.get(recipient or ""), recipient, rules, limit
                    )
                entry.items.append(
                    GivenItem(
                        touch.id,
                        touch.at.astimezone(rules.zone).date(),
                        touch.kind,
                        touch.item,
                        cents,
                        touch.value_cents,
                        len(shares),
                        touch.status,
                        tuple(
                            o
                            for o in touch.overrides
                            if o.recipient is None or o.recipient == recipient
                        ),
                    )
                )
    recipients = sorted(
        found.values(),
        key=lambda r: (not r.physician, -r.total_cents, r.name.lower(), r.partner_name),
    )
    for entry in recipients:
        entry.items.sort(key=lambda item: (item.day, item.touch_id))
    return ComplianceReport(year, limit, rules, recipients)


def _recipient(
    partner: Partner,
    contact: Contact | None,
    recipient: str | None,
    rules: ComplianceRules,
    limit: LimitInForce,
) -> RecipientYear:
    physician, inferred = physician_status(contact, partner)
    entry = RecipientYear(
        partner_id=partner.id,
        partner_name=partner.name,
        contact_id=recipient,
        name=contact.name
        if contact
        else (f"(contact {recipient[:8]})" if recipient else partner.name),
        credential=contact.credential.value if contact and contact.credential else "",
        physician=physician,
        inferred=inferred,
    )
    if physician and rules.stark_applies:
        entry.limit_cents, entry.limit_kind = limit.cents, "stark"
    elif rules.policy_cap_cents > 0:  # whoever Stark does not cover
        entry.limit_cents, entry.limit_kind = rules.policy_cap_cents, "agency-cap"
    return entry
