"""A screen for patient identifiers in free text that leaves the referral record.

HIPAA's identifiers (45 CFR 164.514(b)(2)) include names, full dates tied to a person,
phone numbers, email addresses and record or plan numbers. A rep's note ("Mrs. Alvarez,
DOB 3/4/1950, Medicaid 123456789 — referred for respite") can carry all of them. This screen
finds the *shapes*; it cannot know that "Rosa" is a patient, so a bare first name passes.
What it catches and what it cannot is listed in docs/compliance.md.

Findings name the kind of identifier, never the matched text: the message must not repeat
what it warns about.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_FULL_DATE = re.compile(
    r"\b(\d{1,2}[/.-]\d{1,2}[/.-](\d{4}|\d{2})|(19|20)\d{2}[/.-]\d{1,2}[/.-]\d{1,2})\b"
)
_BIRTH_WORDS = re.compile(r"\b(dob|d\.o\.b\.?|date of birth|born|birthday)\b", re.IGNORECASE)
_RECORD_NUMBER = re.compile(
    r"\b(mrn|mr\s*#|medical record|chart|medicaid|medicare|mbi|member\s*(id|#|number)|"
    r"policy|ssn|social security|hicn|case\s*(#|number|no\.?))\b[\s#:.-]*"
    r"(?=[A-Z-]*\d)[A-Z0-9][A-Z0-9-]{3,}",  # a number: at least one digit
    re.IGNORECASE,
)
#: The Medicare Beneficiary Identifier's shape (CMS: 11 characters, fixed positions).
_MBI = re.compile(
    r"\b[1-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d[AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d"
    r"[AC-HJKMNP-RT-Y]{2}\d{2}\b"
)
_SSN = re.compile(r"\b\d{3}-\d{2}-\d{4}\b")
_LONG_NUMBER = re.compile(r"\b\d{8,}\b")
_PHONE = re.compile(r"(?<!\d)(\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]\d{4}(?!\d)")
_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(\.[\w-]+)+")
_HONORIFIC_NAME = re.compile(r"\b(Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+[A-Z][a-z'-]+")
_REFERRAL_WORDS = re.compile(
    r"\b(referr\w*|patient|participant|client|consumer|admi(t|ssion)\w*|discharg\w*|"
    r"diagnos\w*|respite|personal care|home health|waiver)\b",
    re.IGNORECASE,
)


def phi_findings(text: str, known_emails: Iterable[str] = ()) -> list[str]:
    """What in ``text`` looks like a patient identifier, in plain words (empty: nothing)."""
    if not text:
        return []
    found: list[str] = []
    if _FULL_DATE.search(text) and (_BIRTH_WORDS.search(text) or _HONORIFIC_NAME.search(text)):
        found.append("a full date next to a birth word or a name (a date of birth?)")
    elif _BIRTH_WORDS.search(text) and re.search(r"\d", text):
        found.append("a date of birth")
    if _RECORD_NUMBER.search(text) or _MBI.search(text) or _SSN.search(text):
        found.append("a record, Medicaid/Medicare or Social Security number")
    elif _LONG_NUMBER.search(text):
        found.append("a long number (a record or member number?)")
    if _PHONE.search(text):
        found.append("a phone number")
    known = {email.lower() for email in known_emails}
    if any(m.group(0).lower() not in known for m in _EMAIL.finditer(text)):
        found.append("an email address that is not one of the partner's contacts")
    if _HONORIFIC_NAME.search(text) and _REFERRAL_WORDS.search(text):
        found.append("a title and surname next to referral words (a patient's name?)")
    return found
