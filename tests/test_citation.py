"""CITATION.cff and .zenodo.json are generated from metadata.py, valid, and kept up to date by build."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml

from nk_troops import metadata as M
from nk_troops.citation import CFF_PATH, ZENODO_PATH, Cited, citation_files, cite_text, cited_version
from nk_troops.cli import main
from nk_troops.releases import ReleaseRecord

HASH = "ab" * 32
RELEASED = Cited("0.1.0", "2026-11-21", HASH)


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
    assert ("date-released" in cff) == (not M.is_unreleased())
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
    assert z.get("publication_date") == (None if M.is_unreleased() else M.RELEASED)
    assert z["title"] == M.TITLE
    assert z["description"] == M.DESCRIPTION
    assert z["license"] == "cc-by-4.0"
    assert z["access_right"] == "open"
    assert z["keywords"] == M.KEYWORDS
    assert [c["name"] for c in z["creators"]] == [c["title"] for c in M.CONTRIBUTORS if c.get("role") == "author"]


def test_version_change_reaches_every_citation(monkeypatch):
    monkeypatch.setattr(M, "VERSION", "9.8.7")
    assert _cff()["version"] == "9.8.7" and _cff()["date-released"] == M.RELEASED
    zenodo = json.loads(citation_files()[ZENODO_PATH])
    assert (zenodo["version"], zenodo["publication_date"]) == ("9.8.7", M.RELEASED)
    monkeypatch.setattr(M, "VERSION", "9.8.7+unreleased")
    assert "date-released" not in _cff(), "an unreleased build has no release date"
    assert "publication_date" not in json.loads(citation_files()[ZENODO_PATH]), "nor a publication date"


def test_repository_and_doi_are_cited_once_set(monkeypatch):
    assert "repository-code" not in _cff() and "doi" not in _cff()
    monkeypatch.setattr(M, "REPOSITORY", "https://github.com/example/nk-troops")
    monkeypatch.setattr(M, "DOI", "10.5281/zenodo.1234567")
    cff = _cff()
    assert (cff["repository-code"], cff["doi"]) == ("https://github.com/example/nk-troops", "10.5281/zenodo.1234567")
    text = cite_text(RELEASED)
    assert "https://doi.org/10.5281/zenodo.1234567 https://github.com/example/nk-troops" in text
    assert "doi = {10.5281/zenodo.1234567}" in cite_text(RELEASED, "bibtex")
    assert json.loads(cite_text(RELEASED, "csl-json"))[0]["URL"] == "https://github.com/example/nk-troops"


@pytest.mark.parametrize(
    "url", ["http://github.com/a/b", "https://user:pw@github.com/a/b", "github.com/a/b", "https://github.com/a", 3]
)
def test_a_repository_setting_of_the_wrong_form_is_named(url):
    assert M.repository_problem(url) is not None
    assert M.repository_problem("https://github.com/owner/name") is None


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
    assert "Doe, Jane & Team (" in cite_text(RELEASED, "text")
    assert "author = {Doe, Jane and {Team}}" in cite_text(RELEASED, "bibtex")
    assert json.loads(cite_text(RELEASED, "csl-json"))[0]["author"] == [
        {"family": "Doe", "given": "Jane"},
        {"literal": "Team"},
    ]


def test_cite_text_bibtex_and_csl_json_pin_the_content():
    text = cite_text(RELEASED)
    assert M.TITLE in text and "(Version 0.1.0)" in text and "Released 2026-11-21" in text
    assert text.endswith(f"Content SHA-256 {HASH}.")
    bib = cite_text(RELEASED, "bibtex")
    assert bib.startswith("@misc{") and bib.endswith("}")
    assert "version = {0.1.0}" in bib and f"content SHA-256 {HASH}" in bib
    assert f"title = {{{M.TITLE}}}" in bib  # the title has no BibTeX special characters
    assert bib.count("{") == bib.count("}")
    [item] = json.loads(cite_text(RELEASED, "csl-json"))
    assert (item["type"], item["version"], item["issued"]) == ("dataset", "0.1.0", {"date-parts": [[2026, 11, 21]]})
    assert item["note"] == f"Content SHA-256 {HASH}"
    with pytest.raises(ValueError):
        cite_text(RELEASED, "apa")


def _record(root: Path, version: str) -> None:
    import hashlib

    from nk_troops.releases import sha256sums

    (root / "datapackage.json").write_bytes(b"{}")  # the release's one file, as released
    files = {"datapackage.json": hashlib.sha256(b"{}").hexdigest()}

    record = ReleaseRecord(version, "2026-11-21", files, hashlib.sha256(sha256sums(files)).hexdigest(), HASH, "", None)
    (root / "releases").mkdir(exist_ok=True)
    (root / record.path).write_bytes(record.to_bytes())


def test_unreleased_changes_cite_the_last_release_with_a_warning(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(M, "VERSION", "0.1.0+unreleased")
    (tmp_path / "dataset" / "records").mkdir(parents=True)
    cited, warning = cited_version(tmp_path)
    assert cited is None and "nothing to cite yet" in str(warning)
    assert main(["cite", "--root", str(tmp_path)]) == 1
    _record(tmp_path, "0.1.0")
    _record(tmp_path, "0.2.0")
    assert main(["cite", "--root", str(tmp_path), "--format", "bibtex"]) == 0
    out, err = capsys.readouterr()
    assert "unreleased changes since 0.2.0: cite a release" in err
    assert "version = {0.2.0}" in out and "+unreleased" not in out


def test_a_release_is_cited_with_its_records_content_hash(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(M, "VERSION", "0.2.0")
    _record(tmp_path, "0.2.0")
    cited, warning = cited_version(tmp_path)
    assert warning is None and cited is not None and cited.version == "0.2.0"
    from nk_troops.releases import read_record

    record = read_record(tmp_path, "0.2.0")
    assert record is not None and cited.content_sha256 == record.content_sha256
    (tmp_path / "datapackage.json").write_bytes(b'{"changed": true}')  # found in review: still cited as released
    cited, warning = cited_version(tmp_path)
    assert cited is not None and "version 0.2.0 is released and 1 published file(s) are not the files" in str(warning)
    (tmp_path / "datapackage.json").write_bytes(b"{}")
    monkeypatch.setattr(M, "VERSION", "0.3.0")  # set for a release not made yet: cited, with a warning
    cited, warning = cited_version(tmp_path)
    assert cited is not None and cited.content_sha256 is None and "no release record yet" in str(warning)


def test_cite_command_in_the_repository(capsys):
    assert main(["cite", "--format", "bibtex"]) == 0
    out = capsys.readouterr().out
    assert f"version = {{{M.base_version()}}}" in out and "content SHA-256" in out


def test_build_writes_and_checks_the_citation_files(mini: Path, no_frictionless):
    from nk_troops.build import build

    assert (mini / CFF_PATH).read_bytes() == citation_files()[CFF_PATH]
    assert (mini / ZENODO_PATH).read_bytes() == citation_files()[ZENODO_PATH]
    (mini / CFF_PATH).write_text((mini / CFF_PATH).read_text().replace(f"version: {M.VERSION}", "version: 0.0.1"))
    report, _ = build(mini, check=True)
    assert [p.file for p in report.problems] == [CFF_PATH]
    report, changed = build(mini)
    assert report.ok and changed == [CFF_PATH]
