"""Nurture: a terminal app for nurturing the referral partners of home-care agencies."""

__version__ = "0.1.0"
