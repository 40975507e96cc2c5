"""Fast start: a clean full `validate` is replayed only while nothing it read, and no code it ran, has changed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from nk_troops import validate_cache

EXE = str(Path(sys.executable).with_name("nk-troops"))


def validate(root: Path, *extra: str) -> tuple[int, dict]:
    r = subprocess.run(
        [EXE, "validate", "--format", "json", *extra], cwd=root, capture_output=True, text=True, timeout=300
    )
    assert "Traceback" not in r.stderr, r.stderr
    return r.returncode, json.loads(r.stdout)


def test_clean_run_is_replayed_then_any_change_reruns_every_check(mini):
    code, first = validate(mini)
    assert code == 0 and first["cached_at"] is None  # the first run ran every check
    assert (mini / validate_cache.CACHE_FILE).exists()
    code, second = validate(mini)
    assert code == 0 and second["cached_at"] is not None
    assert second["counts"] == first["counts"] and list(second["counts"]) == list(
        first["counts"]
    )  # same report, same order

    # a change to a published table that the records did not build: every check runs, and finds it
    csv = mini / "dataset/tables/csv/events.csv"
    csv.write_bytes(csv.read_bytes() + b"\n")
    code, stale = validate(mini)
    assert code == 1 and stale["cached_at"] is None
    assert any(
        e["type"] == "tables-out-of-date" and e["file"] == "dataset/tables/csv/events.csv" for e in stale["errors"]
    )
    assert not (mini / validate_cache.CACHE_FILE).exists()  # a failing run is never stored


@pytest.mark.parametrize("change", ["record", "seed", "stray-schema-file", "stray-record-file", "datapackage"])
def test_every_watched_change_misses(mini, change):
    assert validate(mini)[0] == 0
    assert validate_cache.lookup(mini) is not None
    if change == "record":
        f = mini / "dataset/records/events.yaml"
        f.write_text(f.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    elif change == "seed":
        f = next((mini / "seeds").glob("*.txt"))
        f.write_bytes(f.read_bytes() + b" ")
    elif change == "stray-schema-file":
        (mini / "schema" / "old.json").write_text("{}", encoding="utf-8")
    elif change == "stray-record-file":
        (mini / "dataset/records/notes.txt").write_text("x", encoding="utf-8")
    elif change == "datapackage":
        f = mini / "datapackage.json"
        f.write_text(f.read_text(encoding="utf-8").replace('"name"', '"name" ', 1), encoding="utf-8")
    assert validate_cache.lookup(mini) is None
    code, report = validate(mini)
    assert report["cached_at"] is None
    if change in ("seed", "stray-schema-file", "stray-record-file"):
        assert code == 1 and report["errors"]  # each of these is an error the full run reports


def test_code_or_library_change_misses(mini, monkeypatch):
    assert validate(mini)[0] == 0
    assert validate_cache.lookup(mini) is not None
    monkeypatch.setattr(validate_cache, "code_fingerprint", lambda: "another version of the code")
    assert validate_cache.lookup(mini) is None


def test_code_fingerprint_sees_a_changed_module_or_library(tmp_path):
    import shutil

    package = tmp_path / "nk_troops"
    shutil.copytree(Path(validate_cache.__file__).parent, package, ignore=shutil.ignore_patterns("__pycache__"))
    site = tmp_path / "lib" / "site-packages"
    (site / "pyarrow-23.0.0.dist-info").mkdir(parents=True)
    (site / "extra.pth").write_text("/opt/a\n", encoding="utf-8")

    def fp() -> str:
        return validate_cache.code_fingerprint(package, [str(site), str(tmp_path / "not-a-library")])

    first = fp()
    assert fp() == first
    core = package / "engine" / "core.py"
    core.write_text(core.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    second = fp()
    assert second != first  # a changed line of code, even deep in the package
    (site / "pyarrow-23.0.0.dist-info").rename(site / "pyarrow-24.0.0.dist-info")
    third = fp()
    assert third != second  # an upgraded library
    (site / "extra.pth").write_text("/opt/b\n", encoding="utf-8")
    assert fp() != third  # a path file pointing elsewhere


def test_a_linked_published_file_is_followed(mini, tmp_path):
    """A published file that is a link: its target's bytes are what a full run compares, so they are watched."""
    target = tmp_path / "elsewhere" / "codebook.md"
    target.parent.mkdir()
    (mini / "docs/codebook.md").rename(target)
    (mini / "docs/codebook.md").symlink_to(target)
    assert validate(mini)[0] == 0
    assert validate_cache.lookup(mini) is not None
    target.write_text(target.read_text(encoding="utf-8") + "edited\n", encoding="utf-8")
    assert validate_cache.lookup(mini) is None
    code, report = validate(mini)
    assert code == 1 and any(e["file"] == "docs/codebook.md" for e in report["errors"])


def test_a_change_while_validating_is_not_stored(mini, monkeypatch):
    """A record saved while a full run is under way: the run judged the old bytes, so its verdict is not kept."""
    from nk_troops import build
    from nk_troops.validate import validate as run

    original = build.stale_outputs

    def edit_then_compare(root, outputs):
        events = root / "dataset/records/events.yaml"
        events.write_text(events.read_text(encoding="utf-8") + "- not: a record\n", encoding="utf-8")
        return original(root, outputs)

    monkeypatch.setattr(build, "stale_outputs", edit_then_compare)
    assert run(mini, use_cache=True).ok  # the records were read before the edit
    monkeypatch.setattr(build, "stale_outputs", original)
    assert validate_cache.lookup(mini) is None
    assert validate(mini)[0] == 1


def test_a_matplotlibrc_does_not_change_the_plots(mini):
    """The plots are rendered with matplotlib's defaults, whatever configuration the folder or user has."""
    (mini / "matplotlibrc").write_text("figure.facecolor: yellow\nfont.size: 20\n", encoding="utf-8")
    code, report = validate(mini, "--no-cache")
    assert code == 0, report["errors"]


def test_no_cache_runs_every_check(mini):
    assert validate(mini)[0] == 0
    code, report = validate(mini, "--no-cache")
    assert code == 0 and report["cached_at"] is None


def test_replay_imports_none_of_the_heavy_libraries(mini):
    assert validate(mini)[0] == 0
    code = (
        "import sys; from nk_troops.cli import main; rc = main(['validate', '--format', 'json']);"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'pydantic', 'pyarrow', 'matplotlib', 'frictionless', 'pandas', 'numpy', 'polars', 'yaml'});"
        "print(heavy, file=sys.stderr); sys.exit(rc)"
    )
    r = subprocess.run([sys.executable, "-c", code], cwd=mini, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["cached_at"] is not None
    assert r.stderr.strip() == "[]"
