"""Release records (releases/<version>.json): read as untrusted input, verified against history, and a released
version's published files held to what was released."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from nk_troops import metadata as M
from nk_troops.build import build
from nk_troops.releases import ReleaseError, ReleaseRecord, read_record, released_versions, sha256sums
from nk_troops.validate import validate

REPO = Path(__file__).resolve().parents[1]


def record_of(root: Path, version: str, files: list[str]) -> ReleaseRecord:
    digests = {f: hashlib.sha256((root / f).read_bytes()).hexdigest() for f in files}
    content = hashlib.sha256(sha256sums(digests)).hexdigest()
    return ReleaseRecord(version, "2026-11-21", digests, content, "00" * 32, "", None)


def write(root: Path, record: ReleaseRecord) -> None:
    (root / "releases").mkdir(exist_ok=True)
    (root / record.path).write_bytes(record.to_bytes())


def test_the_repository_records_its_releases():
    assert "0.1.0" in released_versions(REPO)
    record = read_record(REPO, "0.1.0")
    assert record is not None and record.commit and record.released == "2026-11-21"
    assert "dataset/tables/csv/figures.csv" in record.files


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda r: r.update(version="0.1.1"), "the file's name"),
        (lambda r: r.update(released="21 Nov 2026"), "'released' must be a real date"),
        (lambda r: r.update(released="2026-13-01"), "'released' must be a real date"),
        (lambda r: r.update(released="1970-01-01"), "from 1980 on"),
        (lambda r: r["files"].update({"../../etc/passwd": "ab" * 32}), "not a relative path inside the release"),
        (lambda r: r["files"].update({"/etc/passwd": "ab" * 32}), "not a relative path inside the release"),
        (lambda r: r["files"].update({"datapackage.json": "xyz"}), "not 64 lowercase hex digits"),
        (lambda r: r.update(content_sha256="ab" * 32), "not the sha256 of the SHA256SUMS"),
        (lambda r: r.update(commit="HEAD; rm -rf /"), "'commit' must be empty or a full 40-digit commit id"),
        (lambda r: r.update(extra=1), "its fields must be exactly"),
        (lambda r: r.clear(), "its fields must be exactly"),
    ],
)
def test_a_bad_record_is_refused_with_its_path(tmp_path: Path, change, why):
    (tmp_path / "datapackage.json").write_text("{}", encoding="utf-8")
    write(tmp_path, record_of(tmp_path, "0.1.0", ["datapackage.json"]))
    path = tmp_path / "releases" / "0.1.0.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    change(raw)
    path.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(ReleaseError) as e:
        read_record(tmp_path, "0.1.0")
    assert str(e.value).startswith("releases/0.1.0.json: ") and why in str(e.value)


@pytest.mark.parametrize("content", [b"\xff\xfe", b"[1, 2]", b"{" * 100_000, b"x" * (1024 * 1024 + 1)])
def test_a_record_that_is_not_a_json_object_is_refused(tmp_path: Path, content: bytes):
    (tmp_path / "releases").mkdir()
    (tmp_path / "releases" / "0.1.0.json").write_bytes(content)
    with pytest.raises(ReleaseError, match=r"^releases/0\.1\.0\.json: "):
        read_record(tmp_path, "0.1.0")


def test_a_record_that_is_a_link_is_never_followed(tmp_path: Path):
    (tmp_path / "releases").mkdir()
    (tmp_path / "releases" / "0.1.0.json").symlink_to("/etc/passwd")
    with pytest.raises(ReleaseError, match="not a regular file"):
        read_record(tmp_path, "0.1.0")


def test_a_released_version_holds_exactly_its_files(mini: Path, monkeypatch, no_frictionless):
    """Two different packages must never carry one version: once 0.1.0 is released, a changed table under that
    version is reported, with the fix (mark the package unreleased)."""
    monkeypatch.setattr(M, "VERSION", "0.1.0")
    report, _ = build(mini)
    assert report.ok, report.render()
    files = ["datapackage.json", "dataset/tables/csv/figures.csv", "README.md"]
    (mini / "README.md").write_text("readme", encoding="utf-8")
    write(mini, record_of(mini, "0.1.0", files))
    assert validate(mini).ok, validate(mini).render()

    record = read_record(mini, "0.1.0")
    assert record is not None
    released = dict(record.files, **{"dataset/tables/csv/figures.csv": "ab" * 32, "README.md": "cd" * 32})
    write(
        mini,
        record_of(mini, "0.1.0", files).__class__(
            **{**record.__dict__, "files": released, "content_sha256": hashlib.sha256(sha256sums(released)).hexdigest()}
        ),
    )
    problems = validate(mini).problems
    assert [(p.type, p.file) for p in problems] == [("released-version-changed", "releases/0.1.0.json")]
    assert "1 published file(s) are not the files released: dataset/tables/csv/figures.csv" in problems[0].message
    assert '__version__ = "0.1.0+unreleased"' in str(problems[0].hint)

    monkeypatch.setattr(M, "VERSION", "0.1.0+unreleased")
    report, _ = build(mini)
    assert report.ok and validate(mini).ok


def test_the_zip_takes_the_site_and_plots_but_never_through_a_link(tmp_path: Path):
    from nk_troops.release import package_files

    for rel in ("datapackage.json", "dataset/tables/parquet/datapackage.json"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text('{"resources": []}', encoding="utf-8")
    site = tmp_path / "docs" / "site"
    (site / "claims").mkdir(parents=True)
    (site / "index.html").write_text("<p>", encoding="utf-8")
    (site / "claims" / "fg-x.html").write_text("<p>", encoding="utf-8")
    (site / "passwd.html").symlink_to("/etc/passwd")
    (site / "etc").symlink_to("/etc")
    files = package_files(tmp_path)
    assert {"docs/site/index.html", "docs/site/claims/fg-x.html"} <= set(files)
    assert not any(f.startswith(("docs/site/passwd", "docs/site/etc")) for f in files)


def test_the_recorded_releases_are_rebuilt_byte_for_byte_from_their_commits(tmp_path: Path):
    """Every release is recoverable and verifiable from the repository alone: its files at the commit its record
    names make exactly the recorded zip."""
    import io
    import shutil
    import subprocess
    import tarfile

    from nk_troops.release import verify
    from nk_troops.releases import released_commit

    for version in released_versions(REPO):
        record = read_record(REPO, version)
        assert record is not None
        commit = released_commit(REPO, record)
        tree = tmp_path / version
        tree.mkdir()
        archive = subprocess.run(["git", "-C", str(REPO), "archive", commit], capture_output=True, check=True).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tf:
            tf.extractall(tree, filter="data")
        (tree / "releases").mkdir(exist_ok=True)
        shutil.copy2(REPO / record.path, tree / record.path)
        zip_path, differences = verify(tree, version)
        assert differences == [], (version, differences)
        assert hashlib.sha256(zip_path.read_bytes()).hexdigest() == record.zip_sha256


def test_a_release_never_zips_what_a_link_points_to(tmp_path: Path):
    """Review: LICENSE.md -> a private file was zipped and hashed into the release (build --check never reads it)."""
    from nk_troops.release import _contents, package_files

    for rel in ("datapackage.json", "dataset/tables/parquet/datapackage.json"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text('{"resources": []}', encoding="utf-8")
    secret = tmp_path.parent / "secret.txt"
    secret.write_text("private", encoding="utf-8")
    (tmp_path / "LICENSE.md").symlink_to(secret)
    assert "LICENSE.md" not in package_files(tmp_path)
    (tmp_path / "CHANGELOG.md").symlink_to(secret)
    with pytest.raises(ReleaseError, match="'CHANGELOG.md' is not a regular file"):
        _contents(tmp_path, package_files(tmp_path))
