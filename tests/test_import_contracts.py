"""The layer rules in pyproject.toml (``[tool.importlinter]``) hold, and they bite.

``make lint`` runs ``lint-imports`` too; this test makes ``make test`` enforce the same
contracts. The hostile cases copy the source tree, break one rule in the copy and check
that import-linter names the broken contract and the offending import: a contract that
cannot fail would prove nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = {
    "nurture_tui": ROOT / "src" / "nurture_tui",
    "nurture_google": ROOT / "integrations" / "nurture_google",
    "nurture_outlook": ROOT / "integrations" / "nurture_outlook",
    "nurture_caldav": ROOT / "integrations" / "nurture_caldav",
    "nurture_imap": ROOT / "integrations" / "nurture_imap",
}
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(cwd: Path, pythonpath: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if pythonpath is not None:  # the copy is found before the installed (editable) tree
        env["PYTHONPATH"] = os.pathsep.join([str(pythonpath), env.get("PYTHONPATH", "")])
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(ROOT / "pyproject.toml")],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_tree_keeps_every_contract(tmp_path: Path) -> None:
    result = lint_imports(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the five packages, importable from ``tmp_path``."""
    for name, source in PACKAGES.items():
        shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def add_line(path: Path, line: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")


def broken(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stdout + result.stderr
    report = result.stdout
    assert "1 broken" in report, report
    return report.split("Broken contracts", 1)[1]


def test_the_domain_importing_textual_breaks_the_purity_contract(tree: Path) -> None:
    add_line(tree / "nurture_tui" / "domain" / "text.py", "import textual  # noqa")
    report = broken(lint_imports(tree, tree))
    assert "The domain is pure" in report
    assert "nurture_tui.domain.text -> textual" in report


def test_the_store_importing_a_service_breaks_the_layers(tree: Path) -> None:
    add_line(tree / "nurture_tui" / "store" / "rows.py", "import nurture_tui.services.records")
    report = broken(lint_imports(tree, tree))
    assert "nurture_tui.store is not allowed to import nurture_tui.services" in report
    assert "nurture_tui.store.rows -> nurture_tui.services.records" in report


def test_the_store_and_sync_may_not_import_each_other(tree: Path) -> None:
    add_line(tree / "nurture_tui" / "sync" / "matching.py", "import nurture_tui.store.rows")
    report = broken(lint_imports(tree, tree))
    assert "nurture_tui.sync is not allowed to import nurture_tui.store" in report


def test_a_source_importing_the_store_breaks_the_source_contract(tree: Path) -> None:
    add_line(tree / "nurture_imap" / "source.py", "import nurture_tui.store.sql")
    report = broken(lint_imports(tree, tree))
    assert "Sources import only the source contract" in report
    assert "nurture_imap.source -> nurture_tui.store.sql" in report


def test_a_source_importing_another_source_breaks_their_independence(tree: Path) -> None:
    add_line(tree / "nurture_outlook" / "source.py", "import nurture_google.batch")
    report = broken(lint_imports(tree, tree))
    assert "Sources are independent of each other" in report


def test_a_new_top_level_module_must_be_given_a_layer(tree: Path) -> None:
    (tree / "nurture_tui" / "stray.py").write_text('"""Nowhere yet."""\n', encoding="utf-8")
    report = broken(lint_imports(tree, tree))
    assert "nurture_tui.stray" in report
