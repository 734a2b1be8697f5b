"""The journal-era store (retired from the product), kept only to write old-layout stores
that the migration tests move into SQLite. Nothing in src/ imports it."""
