"""Sync core: matching people to partners, and turning calendar events and sent mail into
touchpoints idempotently. Provider-neutral: sources plug in through the SyncSource port."""
