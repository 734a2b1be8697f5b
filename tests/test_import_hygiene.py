"""The core never imports Textual or Rich: checked in a fresh interpreter per module."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import nurture_tui

CORE = ("domain", "store", "sync", "invites", "services")


def core_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(nurture_tui.__path__, "nurture_tui."):
        parts = info.name.split(".")
        if len(parts) > 1 and parts[1] in CORE:
            names.append(info.name)
    return names


@pytest.mark.parametrize("module", core_modules())
def test_core_module_does_not_import_the_ui(module: str) -> None:
    code = (
        f"import sys, {module}; "
        "bad = [m for m in ('textual', 'rich') if m in sys.modules]; "
        "print(','.join(bad))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "", f"{module} pulls in {result.stdout.strip()}"


def test_the_domain_does_no_io() -> None:
    code = (
        "import sys, builtins; import nurture_tui.domain.playbook.engine, "
        "nurture_tui.domain.playbook.guardrails, nurture_tui.domain.codec; "
        "print(','.join(m for m in ('nurture_tui.store', 'orjson', 'filelock', 'sqlite3') "
        "if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
