"""Who is who: an email address -> a contact, or by its domain -> a partner.

Personal mail domains are never matched to a partner by domain (half the county uses
gmail.com), and the rep's own address and agency domain are never a partner.
"""

from __future__ import annotations

from dataclasses import dataclass

from nurture_tui.domain.repository import Repository

PERSONAL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "ymail.com",
        "rocketmail.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "pm.me",
        "gmx.com",
        "gmx.net",
        "mail.com",
        "fastmail.com",
        "zoho.com",
        "yandex.com",
        "comcast.net",
        "att.net",
        "sbcglobal.net",
        "verizon.net",
        "bellsouth.net",
        "charter.net",
        "cox.net",
        "earthlink.net",
    }
)


@dataclass(frozen=True, slots=True)
class Match:
    partner_id: str
    contact_id: str | None
    email: str


class PeopleMatcher:
    """Built once per import or sync run from the store's contacts and partner domains."""

    def __init__(
        self,
        contacts: dict[str, tuple[str, str]],
        domains: dict[str, str],
        own_addresses: frozenset[str],
        own_domains: frozenset[str],
    ) -> None:
        self._contacts = contacts  # email -> (partner id, contact id)
        self._domains = domains  # domain -> partner id (unambiguous ones only)
        self._own_addresses = own_addresses
        self._own_domains = own_domains
        # A sync asks about the same few hundred people thousands of times.
        self._seen: dict[str, Match | None] = {}

    @classmethod
    def from_repo(
        cls, repo: Repository, own_addresses: frozenset[str], own_domains: frozenset[str]
    ) -> PeopleMatcher:
        contacts = {email: (pid, cid) for email, pid, cid in repo.contact_addresses()}
        owners: dict[str, set[str]] = {}
        for partner_id, names in repo.partner_domains():
            for domain in names:
                owners.setdefault(domain, set()).add(partner_id)
        domains = {
            domain: next(iter(ids))
            for domain, ids in owners.items()
            if len(ids) == 1 and domain not in PERSONAL_DOMAINS
        }
        return cls(contacts, domains, own_addresses, own_domains)

    def is_own(self, email: str) -> bool:
        email = email.lower()
        return email in self._own_addresses or _domain(email) in self._own_domains

    def match(self, email: str) -> Match | None:
        """The contact with this address, else the partner owning its domain, else None."""
        try:
            return self._seen[email]
        except KeyError:
            found = self._seen[email] = self._match(email)
            return found

    def _match(self, email: str) -> Match | None:
        email = email.strip().lower()
        if not email or self.is_own(email):
            return None
        found = self._contacts.get(email)
        if found:
            return Match(found[0], found[1], email)
        domain = _domain(email)
        if domain in PERSONAL_DOMAINS:
            return None
        partner_id = self._domains.get(domain)
        return Match(partner_id, None, email) if partner_id else None


def _domain(email: str) -> str:
    return email.rpartition("@")[2].lower()
