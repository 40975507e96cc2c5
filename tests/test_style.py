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
    "mypy": (["-m", "mypy", "src"], 600),  # a cold cache takes about 15 s on two cores; the cache stays in .mypy_cache
}


@pytest.mark.parametrize("name", CHECKS)
def test_src_passes(name: str) -> None:
    args, timeout = CHECKS[name]
    done = subprocess.run([sys.executable, *args], cwd=REPO, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"`{name} src` exited {done.returncode}:\n{done.stdout}{done.stderr}"
