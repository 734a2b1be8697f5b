"""Use cases the CLI and the TUI share: they validate input and talk to the Repository."""
