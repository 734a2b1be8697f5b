"""Nurture: a terminal app for nurturing referral partners in home care and Medicaid-waiver services."""

__version__ = "0.1.0"
