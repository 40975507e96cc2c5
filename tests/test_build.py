"""The build: byte-identical, up to date with the records, valid for frictionless-py and for R's frictionless."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import REPO, published_hashes

from nk_troops.build import build
from nk_troops.inputs import MANIFEST
from nk_troops.models import PUBLISHED
from nk_troops.validate import check_records


def test_committed_outputs_are_what_the_records_build(no_frictionless: None):
    """Drift test for every generated file (tables, schemas, descriptors, codebook, plots, site): a render from the
    records gives the committed bytes, so a render that varies from run to run fails here too (the committed files
    were rendered by another process). It renders and checks the package as `build --check` does, with the table
    checker alone: frictionless-py checks the same package in test_loader.py and below, and test_publish.py proves
    that `build --check` runs it."""
    report, _ = build(REPO, check=True)
    stale = [p.to_text() for p in report.problems]
    assert not stale, "generated files drifted; fix with `nk-troops build` and commit:\n" + "\n".join(stale)
    assert report.counts["events"] > 0 and report.counts["citations"] > 0


def test_a_build_from_nothing_does_not_depend_on_record_order(
    repo_copy: Path, plain_plots: None, no_frictionless: None
):
    """With every published file deleted and the records in another order, a build gives the committed bytes:
    the build reads nothing it published before, and sorts what it publishes. Plots are stand-ins here: they are
    not among the files compared, and they are drawn from the tables alone (test_plots.py draws real ones)."""
    before = published_hashes(repo_copy)
    for f in before:
        (repo_copy / f).unlink()
    path = repo_copy / "dataset/records/actors.yaml"
    text = path.read_text(encoding="utf-8")
    blocks = text.split("\n- ")
    assert len(blocks) > 2
    path.write_text(blocks[0] + "\n- " + "\n- ".join(reversed(blocks[1:])).rstrip("\n") + "\n", encoding="utf-8")
    report, changed = build(repo_copy)
    assert report.ok, report.render()
    after = published_hashes(repo_copy)
    assert after[MANIFEST] != before[MANIFEST]  # the manifest records the records file's new bytes
    del before[MANIFEST], after[MANIFEST]
    assert after == before


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
