"""Shared fixtures: copies of the real repository and of a small, stable fixture dataset."""

from __future__ import annotations

import atexit
import contextlib
import functools
import hashlib
import importlib.util
import pickle
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
MINI = Path(__file__).resolve().parent / "fixtures" / "mini"
PUBLISHED_GLOBS = ("datapackage.json", "schema/*.json", "dataset/tables/**/*", "docs/codebook.md")


@functools.cache
def generator():
    """scripts/generate_synthetic.py, loaded once per test process as the module ``generate_synthetic``."""
    spec = importlib.util.spec_from_file_location("generate_synthetic", REPO / "scripts" / "generate_synthetic.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["generate_synthetic"] = mod
    spec.loader.exec_module(mod)
    return mod


@functools.cache
def _generated(n: int, seed: int, inject: int, options: tuple) -> Path:
    out = Path(tempfile.mkdtemp(prefix="nk-synthetic-"))
    atexit.register(shutil.rmtree, out, ignore_errors=True)
    generator().write_package(out, n, seed, inject, **dict(options))
    return out


def synthetic(dest: Path, n: int, seed: int, inject: int = 0, **options) -> Path:
    """The generator's package for these arguments, copied to ``dest`` (which a test may change): each one is
    generated once per test process (a few tenths of a second each, and many tests start from the same one).
    test_engine.py's test_generator_is_deterministic calls the generator itself."""
    shutil.copytree(_generated(n, seed, inject, tuple(sorted(options.items()))), dest, dirs_exist_ok=True)
    return dest


@functools.cache
def repo_tables() -> dict:
    """The repository's tables as its records give them, checked once per test process."""
    from nk_troops.validate import check_records

    result = check_records(REPO)
    assert result.report.ok and result.tables is not None, result.report.render()
    return result.tables


@functools.cache
def repo_tables_and_plots() -> tuple[dict, dict[str, bytes]]:
    """The repository's tables and its published plots (for test_site and test_plots): test_build.py proves the
    committed plots are what the records draw, so they are read, not drawn again in every test process."""
    from nk_troops.plots import PLOTS, PLOTS_DIR

    plots = {
        f"{PLOTS_DIR}/{n}.{x}": (REPO / PLOTS_DIR / f"{n}.{x}").read_bytes() for n in PLOTS for x in ("png", "svg")
    }
    return repo_tables(), plots


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


@contextlib.contextmanager
def stand_in_plots() -> Iterator[None]:
    """Within it, a build publishes a stand-in for each plot instead of drawing it (drawing is about a second of
    every build): the PNG is a line of text and the SVG an empty drawing, both naming a digest of the tables, so a
    change in the tables still changes them. For tests about something other than plots; test_plots.py,
    test_build.py and test_site.py draw real ones."""
    import nk_troops.extra_outputs as extra
    import nk_troops.site as site
    from nk_troops.plots import PLOTS, PLOTS_DIR

    def render_plots(tables):
        digest = hashlib.sha256(pickle.dumps(tables, protocol=5)).hexdigest()
        out = {}
        for name in PLOTS:
            out[f"{PLOTS_DIR}/{name}.png"] = f"stand-in for the plot {name} of tables {digest}\n".encode()
            svg = f'<svg xmlns="http://www.w3.org/2000/svg"><desc>stand-in for {name} of {digest}</desc></svg>\n'
            out[f"{PLOTS_DIR}/{name}.svg"] = svg.encode()
        return out

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(extra, "render_plots", render_plots)  # build
        mp.setattr(site, "render_plots", render_plots)  # the site command
        yield


@contextlib.contextmanager
def table_checker_only() -> Iterator[None]:
    """Within it, the check a build runs on its staged package is the table checker alone: frictionless-py (about
    half a second a descriptor, whatever the package's size) is not run. For tests about something other than
    that check (the mini dataset's template is built so too); test_build.py, test_loader.py, test_confinement.py
    and test_publish.py's check of what a build renders run frictionless-py."""
    import nk_troops.package_check as package_check

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(package_check, "frictionless_problems", lambda descriptor: [])
        yield


@pytest.fixture
def plain_plots() -> Iterator[None]:
    with stand_in_plots():
        yield


@pytest.fixture
def no_frictionless() -> Iterator[None]:
    with table_checker_only():
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
    with stand_in_plots(), table_checker_only():
        report, changed = build(root)
    assert report.ok, report.render()
    assert changed
    return root


@pytest.fixture
def mini(tmp_path: Path, _mini_built: Path, plain_plots: None) -> Path:
    """A five-record dataset on seed 000 whose line numbers tests can rely on, with its outputs built;
    a fresh copy for each test, which may change it."""
    root = tmp_path / "mini"
    shutil.copytree(_mini_built, root, symlinks=True)
    return root
