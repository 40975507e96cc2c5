"""Shared fixtures: copies of the real repository and of a small, stable fixture dataset."""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import shutil
from collections.abc import Iterator
from pathlib import Path

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


_PLOTS: dict[bytes, dict[str, bytes]] = {}


@contextlib.contextmanager
def plots_drawn_once() -> Iterator[None]:
    """Within it, a build draws its plots once per distinct set of tables in the session (drawing is about 0.6 s of
    every build of the small datasets; most tests build tables an earlier test built). render_plots is a function
    of the tables and of the package's metadata (its name and version are written on each plot); test_build.py
    and test_plots.py, which do not use this, prove real renders byte-identical. Only an identical pickle of the
    tables and of every constant in nk_troops.metadata is a hit: any change in them draws again. A plot that comes
    to depend on anything else must be added to the key."""
    import nk_troops.extra_outputs as extra
    from nk_troops import metadata

    real = extra.render_plots

    def render_plots(tables):
        constants = {k: v for k, v in vars(metadata).items() if k.isupper()}
        key = hashlib.sha256(pickle.dumps((tables, constants), protocol=5)).digest()
        if key not in _PLOTS:
            _PLOTS[key] = real(tables)
        return dict(_PLOTS[key])

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(extra, "render_plots", render_plots)
        yield


_CHECKED: dict[bytes, list] = {}


@contextlib.contextmanager
def packages_checked_once() -> Iterator[None]:
    """Within it, the check a build runs on its staged package (frictionless-py and the table checker, about a second)
    runs once per distinct package in the session: ``release`` runs ``build --check`` on the package the test has
    just built and checked. The key is every staged byte, the outputs and the archived sources. Not for tests of
    the checks themselves or of what they may touch (network, files): those run them every time."""
    import nk_troops.build as build_module
    from nk_troops.inputs import SEEDS_DIR, regular_file_bytes

    real = build_module.check_staged

    def check_staged(outputs, root):
        seeds = Path(root) / SEEDS_DIR  # what check_staged copies beside the outputs
        staged = [(f"{SEEDS_DIR}/{n}", regular_file_bytes(seeds / n)) for n in sorted(os.listdir(seeds))]
        h = hashlib.sha256()
        for name, data in [*sorted(outputs.items()), *staged]:
            h.update(f"{name}\0{-1 if data is None else len(data)}\0".encode())
            h.update(data or b"")
        key = h.digest()
        if key not in _CHECKED:
            _CHECKED[key] = real(outputs, root)
        return list(_CHECKED[key])

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(build_module, "check_staged", check_staged)
        yield


@pytest.fixture
def same_plots() -> Iterator[None]:
    with plots_drawn_once():
        yield


@pytest.fixture
def same_checks() -> Iterator[None]:
    with packages_checked_once():
        yield


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
    with plots_drawn_once():
        report, changed = build(root)
    assert report.ok, report.render()
    assert changed
    return root


@pytest.fixture
def mini(tmp_path: Path, _mini_built: Path, same_plots: None) -> Path:
    """A five-record dataset on seed 000 whose line numbers tests can rely on, with its outputs built;
    a fresh copy for each test, which may change it."""
    root = tmp_path / "mini"
    shutil.copytree(_mini_built, root, symlinks=True)
    return root

