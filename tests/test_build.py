"""The build: byte-identical, up to date with the records, valid for frictionless-py and for R's frictionless."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO, published_hashes

from nk_troops.build import build
from nk_troops.inputs import MANIFEST
from nk_troops.models import PUBLISHED
from nk_troops.validate import check_records


def test_committed_outputs_are_what_the_records_build():
    """Drift test for every generated file (tables, schema/*.json, datapackage.json, codebook)."""
    report, _ = build(REPO, check=True)
    stale = [p.to_text() for p in report.problems]
    assert not stale, "generated files drifted; fix with `nk-troops build` and commit:\n" + "\n".join(stale)
    assert report.counts["events"] > 0 and report.counts["citations"] > 0


def test_rebuild_is_byte_identical(repo_copy: Path, tmp_path: Path):
    """A render from nothing gives the committed bytes (so a render that varies from run to run fails here)."""
    first = published_hashes(repo_copy)
    other = tmp_path / "other"
    shutil.copytree(repo_copy, other)
    for f in published_hashes(other):
        (other / f).unlink()  # build the second copy from nothing
    report, changed = build(other)
    assert report.ok, report.render()
    assert published_hashes(other) == first


def test_outputs_do_not_depend_on_record_order(repo_copy: Path):
    before = published_hashes(repo_copy)
    path = repo_copy / "dataset/records/actors.yaml"
    text = path.read_text(encoding="utf-8")
    blocks = text.split("\n- ")
    assert len(blocks) > 2
    path.write_text(blocks[0] + "\n- " + "\n- ".join(reversed(blocks[1:])).rstrip("\n") + "\n", encoding="utf-8")
    report, changed = build(repo_copy)
    assert report.ok, report.render()
    assert changed == [MANIFEST]  # the manifest records the records file's new bytes; no table changes
    del before[MANIFEST]
    assert {k: v for k, v in published_hashes(repo_copy).items() if k != MANIFEST} == before


def test_frictionless_cli_reports_the_package_valid():
    frictionless = str(Path(sys.executable).with_name("frictionless"))
    run = subprocess.run(
        [frictionless, "validate", "--json", "datapackage.json"], cwd=REPO, capture_output=True, text=True, timeout=600
    )
    result = json.loads(run.stdout)
    assert result["valid"] is True, run.stdout[:3000]
    assert len(result["tasks"]) == len(PUBLISHED)
    assert all(t["stats"]["rows"] > 0 for t in result["tasks"] if t["name"] != "claim_links")


def test_descriptor_is_readable_by_r_frictionless():
    """rOpenSci frictionless refuses tabular resources without this profile; it honours only schema-level missingValues."""
    pkg = json.loads((REPO / "datapackage.json").read_text(encoding="utf-8"))
    for key in (
        "name",
        "title",
        "description",
        "version",
        "created",
        "licenses",
        "contributors",
        "sources",
        "keywords",
    ):
        assert pkg[key], key
    for res in pkg["resources"]:
        assert res["profile"] == "tabular-data-resource"
        assert res["format"] == "csv" and res["mediatype"] == "text/csv" and res["encoding"] == "utf-8"
        data = (REPO / res["path"]).read_bytes()
        assert res["bytes"] == len(data)
        assert res["schema"]["missingValues"] == [""]
        assert all("missingValues" not in f for f in res["schema"]["fields"])


def test_every_relation_is_a_foreign_key():
    pkg = json.loads((REPO / "datapackage.json").read_text(encoding="utf-8"))
    fks = {
        (r["name"], fk["fields"][0], fk["reference"]["resource"] or r["name"])
        for r in pkg["resources"]
        for fk in r["schema"].get("foreignKeys", [])
    }
    for name, column, target in [
        ("citations", "claim_id", "claims"),
        ("citations", "source_id", "sources"),
        ("claim_links", "other_claim_id", "claims"),
        ("events", "claimant_actor_id", "actors"),
        ("statements", "speaker_actor_id", "actors"),
        ("statements", "event_id", "events"),
        ("figures", "statement_id", "statements"),
        ("figures", "claimant_actor_id", "actors"),
        ("source_relays", "source_id", "sources"),
        ("source_relays", "relayed_source_id", "sources"),
        ("actors", "affiliation_actor_id", "actors"),
    ]:
        assert (name, column, target) in fks


def test_every_claim_has_a_citation_in_the_published_tables():
    result = check_records(REPO)
    assert result.tables is not None
    cited = {row["claim_id"] for row in result.tables["citations"]}
    claims = {row["claim_id"] for row in result.tables["claims"]}
    assert claims and claims <= cited


def test_citation_offsets_point_at_the_excerpt():
    from nk_troops.excerpts import normalise

    result = check_records(REPO)
    sources = {r["source_id"]: r for r in result.tables["sources"]}
    checked = 0
    for row in result.tables["citations"]:
        raw = (REPO / sources[row["source_id"]]["archived_file"]).read_text(encoding="utf-8")
        span = raw[row["char_start"] : row["char_end"]]
        assert normalise(span).text == normalise(row["excerpt"]).text
        assert not span[0].isspace() and not span[-1].isspace()  # exact: no whitespace the excerpt lacks
        checked += 1
    assert checked == len(result.tables["citations"]) > 0
