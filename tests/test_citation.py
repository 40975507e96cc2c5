"""CITATION.cff and .zenodo.json are generated from metadata.py, valid, and kept up to date by build."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml

from nk_troops import metadata as M
from nk_troops.citation import CFF_PATH, ZENODO_PATH, citation_files, cite_text
from nk_troops.cli import main


def _cff() -> dict:
    return yaml.safe_load(citation_files()[CFF_PATH].decode("utf-8"))


def test_files_and_determinism():
    files = citation_files()
    assert set(files) == {CFF_PATH, ZENODO_PATH}
    assert files == citation_files()
    for data in files.values():
        assert data.endswith(b"\n") and b"\r" not in data
        data.decode("utf-8")


def test_cff_follows_metadata():
    cff = _cff()
    assert cff["cff-version"] == "1.2.0"
    assert cff["version"] == M.VERSION
    assert cff["date-released"] == M.RELEASED
    assert cff["title"] == M.TITLE
    assert cff["abstract"] == M.DESCRIPTION
    assert cff["license"] == M.DATA_LICENSE["name"]
    assert cff["type"] == "dataset"
    assert cff["keywords"] == M.KEYWORDS
    assert cff["authors"] and all("name" in a or "family-names" in a for a in cff["authors"])


def _cffconvert():
    """cffconvert is installed by scripts/setup.sh; missing under CI is a failure, not a skip."""
    try:
        import cffconvert
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("cffconvert is missing under CI: scripts/setup.sh installs it")
        pytest.skip("cffconvert not installed (scripts/setup.sh installs it)")
    return cffconvert


def test_cff_is_valid_cff_1_2_0():
    cffconvert = _cffconvert()
    citation = cffconvert.Citation(citation_files()[CFF_PATH].decode("utf-8"))
    citation.validate()  # raises on a schema violation


def test_cff_validator_would_catch_a_broken_file():
    cffconvert = _cffconvert()
    broken = citation_files()[CFF_PATH].decode("utf-8").replace("type: dataset", "type: spreadsheet")
    from jsonschema.exceptions import ValidationError

    with pytest.raises(ValidationError):
        cffconvert.Citation(broken).validate()


def test_zenodo_fields():
    z = json.loads(citation_files()[ZENODO_PATH])
    assert z["upload_type"] == "dataset"
    assert z["version"] == M.VERSION
    assert z["publication_date"] == M.RELEASED
    assert z["title"] == M.TITLE
    assert z["description"] == M.DESCRIPTION
    assert z["license"] == "cc-by-4.0"
    assert z["access_right"] == "open"
    assert z["keywords"] == M.KEYWORDS
    assert [c["name"] for c in z["creators"]] == [c["title"] for c in M.CONTRIBUTORS if c.get("role") == "author"]


def test_version_change_reaches_every_citation(monkeypatch):
    monkeypatch.setattr(M, "VERSION", "9.8.7")
    assert _cff()["version"] == "9.8.7"
    assert json.loads(citation_files()[ZENODO_PATH])["version"] == "9.8.7"
    assert "9.8.7" in cite_text("text") and "9.8.7" in cite_text("bibtex")


def test_person_authors(monkeypatch):
    monkeypatch.setattr(
        M,
        "CONTRIBUTORS",
        [
            {
                "title": "Jane Doe",
                "givenName": "Jane",
                "familyName": "Doe",
                "role": "author",
                "organization": "Somewhere University",
            },
            {"title": "Team", "role": "author"},
            {"title": "Helper", "role": "contributor"},
        ],
    )
    cff = _cff()
    assert cff["authors"] == [
        {"family-names": "Doe", "given-names": "Jane", "affiliation": "Somewhere University"},
        {"name": "Team"},
    ]
    assert [c["name"] for c in json.loads(citation_files()[ZENODO_PATH])["creators"]] == ["Doe, Jane", "Team"]
    assert "Doe, Jane & Team (" in cite_text("text")
    assert "author = {Doe, Jane and {Team}}" in cite_text("bibtex")


def test_cite_text_and_bibtex():
    text = cite_text("text")
    assert M.TITLE in text and f"Version {M.VERSION}" in text and M.RELEASED[:4] in text
    bib = cite_text("bibtex")
    assert bib.startswith("@misc{") and bib.endswith("}")
    assert f"version = {{{M.VERSION}}}" in bib
    assert f"title = {{{M.TITLE}}}" in bib  # the title has no BibTeX special characters
    assert bib.count("{") == bib.count("}")
    with pytest.raises(ValueError):
        cite_text("apa")


def test_cite_command(capsys):
    assert main(["cite", "--format", "bibtex"]) == 0
    assert f"version = {{{M.VERSION}}}" in capsys.readouterr().out


def test_build_writes_and_checks_the_citation_files(mini: Path):
    from nk_troops.build import build

    assert (mini / CFF_PATH).read_bytes() == citation_files()[CFF_PATH]
    assert (mini / ZENODO_PATH).read_bytes() == citation_files()[ZENODO_PATH]
    (mini / CFF_PATH).write_text((mini / CFF_PATH).read_text().replace(f"version: {M.VERSION}", "version: 0.0.1"))
    report, _ = build(mini, check=True)
    assert [p.file for p in report.problems] == [CFF_PATH]
    report, changed = build(mini)
    assert report.ok and changed == [CFF_PATH]
