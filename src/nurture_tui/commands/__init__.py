"""Handlers of the ``nurture`` sub-commands, one module per group; ``cli.py`` parses."""
