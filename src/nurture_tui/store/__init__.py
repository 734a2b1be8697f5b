"""Persistence: the journaled store engine and the Repository built on it."""
