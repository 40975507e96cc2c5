"""Nothing a package names makes a command read outside its folder, wait forever, or reach the network.

Packages come from scripts/generate_synthetic.py (as in test_engine.py), written once and copied.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path

import pytest
from test_engine import GEN  # the synthetic generator (scripts/generate_synthetic.py), loaded once

from nk_troops import problems as P
from nk_troops.engine import validate_tables

SECRET = "TOP-SECRET first line of a file outside the package"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("built") / "pkg"
    GEN.write_package(out, 150, seed=5)
    return out


@pytest.fixture
def pkg(built, tmp_path) -> Path:
    """A copy of a clean synthetic package, with a file outside it whose first line is SECRET."""
    shutil.copytree(built, tmp_path / "pkg")
    (tmp_path / "outside.csv").write_text(SECRET + "\nmore\n", encoding="utf-8")
    return tmp_path / "pkg"


def _edit_descriptor(package: Path, edit) -> None:
    path = package / "datapackage.json"
    desc = json.loads(path.read_text(encoding="utf-8"))
    edit(desc)
    path.write_text(json.dumps(desc, indent=2), encoding="utf-8")


def _resource(desc: dict, name: str) -> dict:
    return next(r for r in desc["resources"] if r["name"] == name)


def _set(package: Path, name: str, key: str, value) -> None:
    _edit_descriptor(package, lambda d: _resource(d, name).__setitem__(key, value))


def _within(seconds: float, fn):
    """fn() run on a thread of its own; fails (instead of hanging the suite) if it has not returned in time."""
    out: dict = {}

    def run() -> None:
        try:
            out["value"] = fn()
        except BaseException as e:  # noqa: BLE001 - re-raised below
            out["error"] = e

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(seconds)
    assert not t.is_alive(), f"still running after {seconds} s (blocked?)"
    if "error" in out:
        raise out["error"]
    return out["value"]


def _report(problems) -> str:
    return P.Report(problems=problems).render("text") + P.Report(problems=problems).render("json")


# --------------------------------------------------------------------------- resource paths


def _outside_link(package: Path) -> str:
    os.symlink(package.parent / "outside.csv", package / "dataset" / "link.csv")
    return "dataset/link.csv"


def _fifo(package: Path) -> str:
    os.mkfifo(package / "dataset" / "pipe.csv")
    return "dataset/pipe.csv"


def _folder_link(package: Path) -> str:
    os.symlink(package.parent, package / "up")
    return "up/outside.csv"


PATHS = {
    "absolute": lambda p: str(p.parent / "outside.csv"),
    "dot-dot": lambda p: "../outside.csv",
    "dot-dot-inside": lambda p: "dataset/../../outside.csv",
    "link-out": _outside_link,
    "folder-link-out": _folder_link,
    "http-url": lambda p: "http://127.0.0.1:9/events.csv",
    "file-url": lambda p: "file://" + str(p.parent / "outside.csv"),
    "backslash": lambda p: "dataset\\tables\\csv\\events.csv",
    "fifo": _fifo,
    "folder": lambda p: "dataset",
    "not-text": lambda p: ["dataset/tables/csv/events.csv"],
}


@pytest.mark.parametrize("kind", list(PATHS))
def test_a_table_path_outside_the_package_is_refused_and_never_read(pkg, kind):
    value = PATHS[kind](pkg)
    _set(pkg, "events", "path", value)
    problems = _within(60, lambda: validate_tables(pkg))
    on_path = [p for p in problems if p.field == "path"]
    assert [(p.type, p.file, p.resource) for p in on_path] == [("unsafe-path", "datapackage.json", "events")], problems
    assert not [p for p in problems if p.resource == "events" and p.field != "path"], problems  # nothing read
    assert SECRET not in _report(problems)


def test_a_missing_table_is_located_on_the_descriptor(pkg):
    _set(pkg, "events", "path", "dataset/tables/csv/nowhere.csv")
    problems = validate_tables(pkg)
    assert [(p.type, p.file, p.resource, p.field) for p in problems if p.resource == "events"] == [
        ("file-unreadable", "datapackage.json", "events", "path")
    ]


def test_a_link_is_followed_only_inside_the_package(pkg):
    os.symlink("tables/csv/events.csv", pkg / "dataset" / "events-link.csv")
    _set(pkg, "events", "path", "dataset/events-link.csv")
    assert validate_tables(pkg) == []
    os.symlink("../../../outside.csv", pkg / "dataset" / "tables" / "out-link.csv")
    _set(pkg, "events", "path", "dataset/tables/out-link.csv")
    assert [(p.type, p.resource, p.field) for p in validate_tables(pkg)] == [("unsafe-path", "events", "path")]


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("schema", "http://127.0.0.1:9/schema.json"),
        ("schema", "schema/events.json"),
        ("dialect", "../dialect.json"),
        ("profile", "https://127.0.0.1:9/profile.json"),
        ("profile", "../profile.json"),
    ],
)
def test_a_property_to_fetch_is_refused(pkg, key, value):
    _set(pkg, "events", key, value)
    problems = validate_tables(pkg)
    assert [(p.type, p.file, p.resource, p.field) for p in problems] == [
        ("unsafe-path", "datapackage.json", "events", key)
    ], problems


def test_a_resource_given_as_a_url_and_a_custom_package_profile_are_refused(pkg):
    def edit(desc: dict) -> None:
        desc["profile"] = "http://127.0.0.1:9/package-profile.json"
        desc["resources"].append("http://127.0.0.1:9/resource.json")

    _edit_descriptor(pkg, edit)
    problems = validate_tables(pkg)
    assert sorted((p.type, p.file, p.field) for p in problems) == [
        ("unsafe-path", "datapackage.json", "profile"),
        ("unsafe-path", "datapackage.json", "resources"),
    ], problems


# --------------------------------------------------------------------------- archived texts


def test_an_archived_text_reached_through_a_linked_seeds_folder_is_refused(pkg, tmp_path):
    """sources.archived_file is seeds/NAME.txt by its pattern, but seeds/ itself may be a link out of the package."""
    outside = tmp_path / "elsewhere"
    shutil.move(pkg / "seeds", outside)
    os.symlink(outside, pkg / "seeds")
    problems = validate_tables(pkg)
    assert problems and {(p.type, p.resource, p.field) for p in problems} >= {
        ("seed-path-error", "sources", "archived_file")
    }
    assert all(p.row is not None for p in problems if p.type == "seed-path-error")
    assert not [p for p in problems if p.type == "seed-undescribed"]  # the folder outside is not listed either


def test_a_curated_archived_text_reached_through_a_linked_seeds_folder_is_refused(mini, tmp_path):
    from nk_troops.validate import validate

    outside = tmp_path / "elsewhere"
    shutil.move(mini / "seeds", outside)
    os.symlink(outside, mini / "seeds")
    problems = validate(mini, records_only=True).problems
    assert [(p.type, p.file, p.field) for p in problems] == [
        ("seed-path-error", "dataset/records/sources.yaml", "archived_file")
    ], problems
