"""src/ is lint-clean, formatted and type-checked, with the tools and settings in pyproject.toml.

The tools come with the test extra, pinned in constraints.txt; they run as modules of this interpreter, so the
versions checked are the ones installed with the package (a missing tool fails the test, it is never skipped).
"""

from __future__ import annotations

import sys

import background
import pytest
from conftest import REPO

CHECKS = {
    "ruff check": (["-m", "ruff", "check", "--no-fix", "--output-format=concise", "src"], 120),
    "ruff format": (["-m", "ruff", "format", "--check", "src"], 120),
    "mypy": (["-m", "mypy", "src"], 600),  # a cold cache takes about 15 s on two cores; the cache stays in .mypy_cache
}
for _name, (_args, _timeout) in CHECKS.items():  # they run while the rest of the suite does (background.py)
    background.register(__file__, _name, [sys.executable, *_args], cwd=REPO, timeout=_timeout)


@pytest.mark.parametrize("name", CHECKS)
def test_src_passes(name: str) -> None:
    done = background.result(name)
    assert done.returncode == 0, f"`{name} src` exited {done.returncode}:\n{done.stdout}{done.stderr}"
