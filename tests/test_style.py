"""src/ is lint-clean, formatted and type-checked, with the tools and settings in pyproject.toml.

The tools come with the test extra, pinned in constraints.txt; they run as modules of this interpreter, so the
versions checked are the ones installed with the package (a missing tool fails the test, it is never skipped).
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import REPO

CHECKS = {
    "ruff check": (["-m", "ruff", "check", "--no-fix", "--output-format=concise", "src"], 120),
    "ruff format": (["-m", "ruff", "format", "--check", "src"], 120),
    "mypy": (["-m", "mypy", "src"], 600),  # slow only with a cold cache (a fresh clone); the cache stays in .mypy_cache
}


@pytest.mark.parametrize("name", CHECKS)
def test_src_passes(name: str) -> None:
    args, timeout = CHECKS[name]
    done = subprocess.run([sys.executable, *args], cwd=REPO, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"`{name} src` exited {done.returncode}:\n{done.stdout}{done.stderr}"


MODULE_LINES = 400
"""The most lines a module of src/ may have (issue 14: small modules with one job each)."""


def test_no_module_is_over_the_line_limit() -> None:
    long = {
        str(path.relative_to(REPO)): n
        for path in sorted((REPO / "src").rglob("*.py"))
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MODULE_LINES
    }
    assert long == {}, f"split these modules by job (at most {MODULE_LINES} lines each): {long}"
