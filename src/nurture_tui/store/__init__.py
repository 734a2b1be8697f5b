"""Persistence: the SQL Repository (SQLite file, or PostgreSQL by URL), its migrations,
backups, and the one-time move from the journal-era store."""
