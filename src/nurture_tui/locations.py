"""Where Nurture keeps its files: one place, each directory created when first needed."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from nurture_tui.domain.errors import StoreError

APP = "nurture"


def data_directory(override: Path | str | None = None) -> Path:
    """The store: ``--data-dir``, else ``NURTURE_HOME``, else the platform's user data dir."""
    chosen = override or os.environ.get("NURTURE_HOME")
    path = Path(chosen).expanduser() if chosen else Path(platformdirs.user_data_dir(APP))
    if path.exists() and not path.is_dir():
        raise StoreError(f"{path} is not a folder; give --data-dir a folder for the store")
    return path


def config_directory() -> Path:
    """``NURTURE_CONFIG_DIR``, else the platform's user config dir."""
    chosen = os.environ.get("NURTURE_CONFIG_DIR")
    path = Path(chosen).expanduser() if chosen else Path(platformdirs.user_config_dir(APP))
    path.mkdir(parents=True, exist_ok=True)
    return path


def config_file() -> Path:
    return config_directory() / "config.toml"


def playbook_file() -> Path:
    return config_directory() / "playbook.toml"
