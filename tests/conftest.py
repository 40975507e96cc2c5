"""Shared fixtures: copies of the real repository and of a small, stable fixture dataset."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import background
import pytest

REPO = Path(__file__).resolve().parents[1]
MINI = Path(__file__).resolve().parent / "fixtures" / "mini"
PUBLISHED_GLOBS = ("datapackage.json", "schema/*.json", "dataset/tables/**/*", "docs/codebook.md")


def published_hashes(root: Path) -> dict[str, str]:
    """sha256 of every published file under root (to prove a failed run changed nothing)."""
    out = {}
    for pattern in PUBLISHED_GLOBS:
        for p in sorted(root.glob(pattern)):
            if p.is_file():
                out[str(p.relative_to(root))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """The repository's seeds, records and published files, copied so a test may change them."""
    root = tmp_path / "repo"
    root.mkdir()
    for name in ("seeds", "dataset", "schema", "docs"):
        if (REPO / name).exists():
            shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns("candidates"))
    for name in ("datapackage.json", "CITATION.cff", ".zenodo.json"):
        if (REPO / name).exists():
            shutil.copy2(REPO / name, root / name)
    return root


@pytest.fixture(scope="session")
def _mini_built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini dataset, built once per test session (a build checks its package: about a second)."""
    from nk_troops.build import build

    root = tmp_path_factory.mktemp("mini-template") / "mini"
    (root / "dataset" / "records").mkdir(parents=True)
    (root / "seeds").mkdir()
    shutil.copy2(REPO / "seeds" / "000_903a45e1dc248108.txt", root / "seeds")
    for f in MINI.glob("*.yaml"):
        shutil.copy2(f, root / "dataset" / "records" / f.name)
    report, changed = build(root)
    assert report.ok, report.render()
    assert changed
    return root


@pytest.fixture
def mini(tmp_path: Path, _mini_built: Path) -> Path:
    """A five-record dataset on seed 000 whose line numbers tests can rely on, with its outputs built;
    a fresh copy for each test, which may change it."""
    root = tmp_path / "mini"
    shutil.copytree(_mini_built, root, symlinks=True)
    return root


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests of the commands that run in the background (background.py) go last, when their results are ready."""
    waiting = {f for f in background.MODULES}
    items.sort(key=lambda item: os.path.realpath(item.path) in waiting)  # stable: the order is otherwise kept


def pytest_collection_finish(session: pytest.Session) -> None:
    background.start({os.path.realpath(item.path) for item in session.items})


def pytest_sessionfinish() -> None:
    background.stop()
