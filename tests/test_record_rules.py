"""Rules between records, in both paths: the curated records (validate) and the table engine (check-tables).

Curated: the fixture dataset (tests/fixtures/mini, built once) is edited and its records checked in-process.
Engine: the same fixture's published package, with one CSV edited and its bytes and hash refreshed in
datapackage.json, is checked by ``validate_tables``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
from pathlib import Path

import pytest
from conftest import MINI, REPO

from nk_troops.engine import validate_tables
from nk_troops.validate import validate


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """conftest's ``mini`` (the fixture dataset, built), made once for this module."""
    from nk_troops.build import build

    root = tmp_path_factory.mktemp("built") / "mini"
    (root / "dataset" / "records").mkdir(parents=True)
    (root / "seeds").mkdir()
    shutil.copy2(REPO / "seeds" / "000_903a45e1dc248108.txt", root / "seeds")
    for f in MINI.glob("*.yaml"):
        shutil.copy2(f, root / "dataset" / "records" / f.name)
    report, _ = build(root)
    assert report.ok, report.render()
    return root


@pytest.fixture
def mini(built, tmp_path) -> Path:
    """A copy of the built fixture dataset that a test may change."""
    return Path(shutil.copytree(built, tmp_path / "mini"))


ACTORS = "dataset/records/actors.yaml"
SOURCES = "dataset/records/sources.yaml"


def append(root: Path, rel: str, text: str) -> int:
    """Add records at the end of a records file; returns the line number of the first added line."""
    path = root / rel
    old = path.read_text(encoding="utf-8")
    path.write_text(old + text, encoding="utf-8")
    return old.count("\n") + 1


def problems_of(root: Path, type_: str) -> list:
    report = validate(root, records_only=True)
    return [p for p in report.sorted() if p.type == type_]


def actor(actor_id: str, affiliation: str | None) -> str:
    text = f"- actor_id: {actor_id}\n  name: {actor_id.title()}\n  actor_type: organisation\n"
    return text + (f"  affiliation_actor_id: {affiliation}\n" if affiliation else "")


def source(source_id: str, relays: str) -> str:
    return (
        f"- source_id: {source_id}\n  status: not_archived\n  kind: news_article\n  outlet: X\n"
        "  headline: {unknown: a}\n  byline: {unknown: b}\n  published: {unknown: c}\n  url: {unknown: d}\n"
        f"  language: en\n  relays_source_id: {relays}\n"
    )


# --------------------------------------------------------------------------- table helpers (engine path)


def read_table(package: Path, resource: str) -> tuple[list[str], list[dict[str, str]]]:
    text = (package / "dataset/tables/csv" / f"{resource}.csv").read_bytes().decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    return rows[0], [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def write_table(package: Path, resource: str, head: list[str], rows: list[dict[str, str]]) -> None:
    """Write a published CSV as the build does and refresh its bytes and hash in datapackage.json."""
    buf = io.StringIO(newline="")
    out = csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    out.writerow(head)
    out.writerows([r.get(h, "") for h in head] for r in rows)
    data = buf.getvalue().encode("utf-8")
    (package / "dataset/tables/csv" / f"{resource}.csv").write_bytes(data)
    desc_path = package / "datapackage.json"
    desc = json.loads(desc_path.read_text(encoding="utf-8"))
    for res in desc["resources"]:
        if res["name"] == resource:
            res["bytes"] = len(data)
            res["hash"] = "sha256:" + hashlib.sha256(data).hexdigest()
    desc_path.write_text(json.dumps(desc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def engine_problems(package: Path, type_: str) -> list:
    return [p for p in validate_tables(package) if p.type == type_]


def test_the_engine_checks_the_fixture_package(mini):
    """A table whose date column is empty in every row (the fixture's one figure, 'by 2025-02-05', has no
    as_of_start): its rows are compared with their written dates without a traceback (before, pyarrow raised
    "no kernel matching input types (date32[day], string)": the empty column stayed text)."""
    assert validate_tables(mini) == []
