"""`release VERSION`: check the version bump against the changes, write the changelog entry, zip the release.

1. The version in ``src/nk_troops/__init__.py`` (``metadata.VERSION``) must
   be VERSION and the published files must be up to date (``build --check``).
2. The previous version is the latest one recorded in ``releases/`` (``releases.py``), or ``--since REV|DIR``.
   The bump from it (major, minor or patch; the next version exactly, e.g.
   0.1.0 → 0.2.0) must be at least what ``diff.required_bump`` says the
   changes need (docs/versioning.md).
3. The entry for VERSION is written at the top of ``CHANGELOG.md`` (Keep a
   Changelog style, one line per record change) and ``dist/<name>-<VERSION>.zip``
   is built: the CSV and Parquet tables, both datapackage.json, the SQLite database, the codebook,
   CITATION.cff, CHANGELOG.md and SHA256SUMS, with fixed timestamps and sorted
   names, so the same release always gives the same bytes.
4. ``releases/<VERSION>.json`` records the sha256 of every file in the zip, the content hash and the changelog
   entry; a version already recorded is refused (there is one 0.2.0).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from . import metadata as M
from .descriptor import PLOTS_DIR, SITE_DIR
from .diff import BUMPS, Diff, RecordChange, SchemaChange, compare, required_bump, show_change
from .inputs import regular_file_bytes
from .problems import inert
from .releases import (
    RELEASES_DIR,
    SEMVER,
    SUMS,
    ReleaseError,
    ReleaseRecord,
    commits_adding,
    latest,
    parse_version,
    read_record,
    record_for,
    sha256sums,
)
from .snapshot import Snapshot, SnapshotError, from_folder, from_release, load
from .sqlite_export import SQLITE_PATH

CHANGELOG = "CHANGELOG.md"
DIST = "dist"
CHANGELOG_HEAD = (
    "# Changelog\n\n"
    "All notable changes to the dataset, newest first. The format follows "
    "[Keep a Changelog](https://keepachangelog.com/en/1.1.0/); version numbers follow the data versioning rules "
    "in [docs/versioning.md](docs/versioning.md).\n"
)
CHANGELOG_SKIPS = frozenset({"claims"})
"""Tables whose row changes only repeat those of the events, statements and figures (left out of the changelog)."""
OPTIONAL_FILES = ("docs/codebook.md", "CITATION.cff", "README.md", "LICENSE", "LICENSE.md", SQLITE_PATH)
"""Included in the zip when present (CHANGELOG.md is always written first; the build writes the SQLite database, so a
release, which needs an up-to-date build, always has it; an older commit without it is still reproduced)."""
OPTIONAL_DIRS = (PLOTS_DIR, SITE_DIR)
"""Folders whose files are included when present: the plots and the static evidence site (opened offline from the
unzipped release; the archived texts are not in the zip, so the site shows the cited excerpts only)."""


@dataclass
class Release:
    version: str
    previous: str | None
    bump: str
    required: str
    zip_path: Path
    changelog_entry: str
    content_sha256: str


# --------------------------------------------------------------------------- versions


def bump_between(old: str, new: str) -> str:
    """'major', 'minor' or 'patch' if ``new`` is the next such version after ``old``; otherwise refuse."""
    o, n = parse_version(old), parse_version(new)
    nexts = {"major": (o[0] + 1, 0, 0), "minor": (o[0], o[1] + 1, 0), "patch": (o[0], o[1], o[2] + 1)}
    for bump, version in nexts.items():
        if n == version:
            return bump
    allowed = ", ".join(f"{'.'.join(map(str, v))} ({b})" for b, v in nexts.items())
    raise ReleaseError(f"{new} does not follow {old}: the next version is one of {allowed}")


# --------------------------------------------------------------------------- changelog


def _record_line(c: RecordChange) -> str:
    if c.kind == "changed":
        parts = "; ".join(f"`{n}` {show_change(v['old'], v['new'], 160)}" for n, v in c.fields.items())
        return f"- {c.table} `{c.id}`: {parts}"
    return f"- {c.table} `{c.id}`"


def _section(c: SchemaChange | RecordChange) -> str:
    if isinstance(c, RecordChange):
        return {"added": "Added", "removed": "Removed", "changed": "Changed"}[c.kind]
    return {"table_added": "Added", "field_added": "Added", "table_removed": "Removed", "field_removed": "Removed"}.get(
        c.kind, "Changed"
    )


def changelog_entry(version: str, released: str, diff: Diff | None, since: str | None) -> str:
    """The changelog section of one version, from the diff with the previous one (None for a first release)."""
    lines = [f"## [{version}] - {released}", ""]
    if diff is None:
        lines += ["First release.", ""]
        return "\n".join(lines)
    against = f"{diff.old_version} ({since})" if since else diff.old_version
    lines += [f"Compared with {against}; the changes need a {required_bump(diff)} version.", ""]
    changes = [c for c in diff.changes if not (isinstance(c, RecordChange) and c.table in CHANGELOG_SKIPS)]
    for section in ("Added", "Changed", "Removed"):
        items = [c for c in changes if _section(c) == section]
        if not items:
            continue
        lines += [f"### {section}", ""]
        lines += [_record_line(c) if isinstance(c, RecordChange) else f"- {c.describe()}" for c in items]
        lines.append("")
    return "\n".join(lines)


def write_changelog(path: Path, version: str, entry: str) -> str:
    """Put the entry on top of the existing ones (replacing an earlier entry for the same version)."""
    text = path.read_text(encoding="utf-8") if path.exists() else CHANGELOG_HEAD
    parts = re.split(r"(?m)^(?=## \[)", text)
    head, entries = parts[0], [p for p in parts[1:] if not p.startswith(f"## [{version}]")]
    new = head.rstrip("\n") + "\n\n" + "".join([entry.rstrip("\n") + "\n\n", *entries])
    new = new.rstrip("\n") + "\n"
    path.write_text(new, encoding="utf-8")
    return new


# --------------------------------------------------------------------------- zip


def package_files(root: Path) -> list[str]:
    """The release's files: both descriptors, every table they list, and the optional documents present."""
    files = ["datapackage.json", CHANGELOG]
    for desc in ("datapackage.json", "dataset/tables/parquet/datapackage.json"):
        data = json.loads((root / desc).read_text(encoding="utf-8"))
        base = Path(desc).parent
        files += [str(base / r["path"]) if str(base) != "." else r["path"] for r in data["resources"]]
        files.append(desc)
    files += [f for f in OPTIONAL_FILES if (root / f).is_file() and not (root / f).is_symlink()]
    for folder in OPTIONAL_DIRS:
        if (root / folder).is_dir() and not (root / folder).is_symlink():
            for dirpath, _dirs, names in os.walk(root / folder):  # never into a linked folder
                files += [
                    (Path(dirpath) / n).relative_to(root).as_posix()
                    for n in names
                    if (Path(dirpath) / n).is_file() and not (Path(dirpath) / n).is_symlink()
                ]
    return sorted(set(files))


def write_zip(path: Path, prefix: str, contents: dict[str, bytes], released: str) -> None:
    """A deterministic zip: entries sorted by name under ``prefix/``, all dated the release day, mode 0644."""
    y, m, d = (int(x) for x in released.split("-"))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".zip.tmp")
    tmp.unlink(missing_ok=True)  # a link left there is removed, never followed
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    with os.fdopen(fd, "wb") as fh, zipfile.ZipFile(fh, "w") as zf:
        for name in sorted(contents):
            info = zipfile.ZipInfo(f"{prefix}/{name}", date_time=(y, m, d, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            zf.writestr(info, contents[name], compresslevel=9)
    tmp.replace(path)


def _contents(root: Path, files: list[str]) -> dict[str, bytes]:
    """The bytes of the release's files, each a regular file read without following a link (a pull request can
    put a link where a file is expected; it must never put what it points to into a release)."""
    contents = {}
    for f in files:
        data = regular_file_bytes(root / f)
        if data is None:
            raise ReleaseError(
                f"'{f}' is not a regular file (a link, a folder or missing): remove it or run `nk-troops build`"
            )
        contents[f] = data
    return contents


def release_zip(path: Path, version: str, released: str, contents: dict[str, bytes], entry: str) -> ReleaseRecord:
    """Write the zip of a release holding ``contents`` and their SHA256SUMS; return its record."""
    sums = {name: hashlib.sha256(data).hexdigest() for name, data in contents.items()}
    contents = {**contents, SUMS: sha256sums(sums)}
    write_zip(path, f"{M.NAME}-{version}", contents, released)
    return record_for(version, released, contents, path.read_bytes(), entry)


# --------------------------------------------------------------------------- release


def _check_ready(root: Path, version: str) -> None:
    parse_version(version)
    if M.VERSION != version:
        raise ReleaseError(
            f'the package version is {M.VERSION}, not {version}. To release {version}: set __version__ = "{version}" in '
            f"src/nk_troops/__init__.py and RELEASED to the release date in src/nk_troops/metadata.py, run `nk-troops build`, "
            f"then run `nk-troops release {version}` again"
        )
    from .build import build

    report, _ = build(root, check=True)
    if not report.ok:
        details = "\n".join(f"  {p.to_text()}" for p in report.sorted()[:10])
        raise ReleaseError(
            f"the published files are not what the records build; run `nk-troops build` (and fix any problem it reports) first:\n{details}"
        )


def _previous(root: Path, since: str | None) -> tuple[Snapshot | None, str, str | None]:
    """(the previous version, how messages name it, the git revision the changelog names or None): the latest
    release in releases/ unless ``since`` names a release, a folder or a git revision."""
    is_dir = since is not None and Path(since).is_dir()
    if since is None:
        record = latest(root)
        if record is None:
            return None, "", None
        since = record.version
    else:
        record = None if is_dir or not SEMVER.match(since) else read_record(root, since)
    try:
        if record is not None:
            return from_release(root, since, record), f"{RELEASES_DIR}/{since}.json", None
        return load(since, root), since, None if is_dir else since
    except SnapshotError as e:
        raise ReleaseError(str(e)) from None


def _why(diff: Diff, level: str) -> str:
    reasons = [inert(c.describe()) for c in diff.changes if c.bump == level]
    shown = "\n".join(f"  - {r}" for r in reasons[:15])
    more = f"\n  ... and {len(reasons) - 15} more" if len(reasons) > 15 else ""
    return shown + more


def verify(root: Path, version: str) -> tuple[Path, list[str]]:
    """Rebuild the zip of a recorded release from the files its record lists, as they are in the tree at
    ``root``, into dist/, and compare it with the record: (the zip, every difference); none means the zip is the
    release, byte for byte. The record, not this version of the code, says which files a release holds."""
    record = read_record(root, version)
    if record is None:
        raise ReleaseError(f"{version} has no record in {RELEASES_DIR}/: nothing to verify against")
    contents: dict[str, bytes] = {}
    differences = []
    for name in sorted(record.files):
        data = regular_file_bytes(root / name)  # never through a link; the record's paths are relative, no '..'
        if data is None:
            differences.append(f"'{name}' is missing (or not a regular file)")
        else:
            contents[name] = data
    zip_path = _dist(root) / f"{M.NAME}-{version}.zip"
    if not differences:
        trial = zip_path.with_suffix(".rebuilt")
        rebuilt = release_zip(trial, version, record.released, contents, record.changelog)
        differences = [f"'{n}' differs" for n in sorted(record.files) if rebuilt.files.get(n) != record.files.get(n)]
        if not differences and rebuilt.zip_sha256 != record.zip_sha256:
            differences.append(
                f"every file is the release's, but the zip rebuilt from them has sha256 {rebuilt.zip_sha256}; "
                f"{record.path} records {record.zip_sha256}: the record was changed, or this machine's zlib "
                "or Python writes a zip's bytes otherwise"
            )
        if differences:
            trial.unlink(missing_ok=True)  # never left under the release's name
        else:
            trial.replace(zip_path)
    if differences:
        differences.append(
            "a release is verified on the files of its commit: see docs/versioning.md, Getting a release's files"
        )
    return zip_path, differences


def _dist(root: Path) -> Path:
    """dist/, where zips are written: a folder of the repository, never a link or a file."""
    dist = root / DIST
    if dist.is_symlink() or (dist.exists() and not dist.is_dir()):
        raise ReleaseError(f"{DIST} is a link or a file, not a folder: remove it (zips are written only into a folder)")
    return dist


def _check_history(root: Path) -> None:
    """What a release would lose or misstate: the changelog of earlier releases, a release date before theirs."""
    last = latest(root)
    if last is None:
        return
    if not (root / CHANGELOG).is_file():
        raise ReleaseError(
            f"{CHANGELOG} is missing, and releases are recorded in {RELEASES_DIR}/: restore it "
            f"(git checkout {CHANGELOG}) so the release keeps their entries"
        )
    if M.RELEASED < last.released:
        raise ReleaseError(
            f"RELEASED is {M.RELEASED}, before {last.version}'s release date ({last.released}): set it in "
            "src/nk_troops/metadata.py to this release's date"
        )


def misuse(root: Path, version: str, *, verify: bool) -> str | None:
    """What makes the command's arguments unusable whatever the data (exit 2, as every misuse): a version not of
    the form MAJOR.MINOR.PATCH, or one to verify that was never released. None if the arguments can be used."""
    try:
        parse_version(version)
    except ReleaseError as e:
        return str(e)
    try:
        if verify and read_record(root, version) is None:
            return f"{version} has no record in {RELEASES_DIR}/: nothing to verify against"
    except ReleaseError as e:  # a record that cannot be read: said, never raised
        return str(e)
    return None


def release(root: Path, new_version: str, since: str | None = None) -> Release:
    """Check, write the changelog entry and build dist/<name>-<version>.zip; raise ReleaseError to refuse."""
    root = Path(root)
    if read_record(root, new_version) is not None:
        raise ReleaseError(
            f"{new_version} is already released ({RELEASES_DIR}/{new_version}.json): a release is never made twice. "
            "Release the next version (see docs/versioning.md)"
        )
    if added := commits_adding(root, f"{RELEASES_DIR}/{new_version}.json"):
        raise ReleaseError(
            f"{new_version} was released before: its record was added in commit {added[-1][:10]} and later removed. "
            "A version is released once: release the next version (see docs/versioning.md)"
        )
    dist = _dist(root)  # what is refused whatever the data, before the build's check
    _check_history(root)
    _check_ready(root, new_version)
    old, spec, rev = _previous(root, since)
    diff = None
    bump = required = "none"
    if old is not None:
        if old.version == new_version:
            raise ReleaseError(
                f"{spec} is already version {new_version}; choose the next version (see docs/versioning.md)"
            )
        bump = bump_between(old.version, new_version)
        diff = compare(old, from_folder(root))
        required = required_bump(diff)
        if required == "none":
            raise ReleaseError(
                f"nothing changed since {old.version} ({spec}): no table, schema or package metadata differs"
            )
        if BUMPS.index(bump) < BUMPS.index(required):
            raise ReleaseError(
                f"{old.version} → {new_version} is a {bump} release, but the changes since {spec} need a {required} release "
                f"(docs/versioning.md), because of:\n{_why(diff, required)}\n"
                f"Release the next {required} version instead: set it in src/nk_troops/__init__.py, run `nk-troops build`, "
                "then `nk-troops release` with that version"
            )
    files = package_files(root)
    _contents(root, [f for f in files if f != CHANGELOG])  # every file readable before the changelog changes
    entry = changelog_entry(new_version, M.RELEASED, diff, rev)
    write_changelog(root / CHANGELOG, new_version, entry)
    contents = _contents(root, files)
    zip_path = dist / f"{M.NAME}-{new_version}.zip"
    record = release_zip(zip_path, new_version, M.RELEASED, contents, entry)
    (root / RELEASES_DIR).mkdir(exist_ok=True)
    (root / record.path).write_bytes(record.to_bytes())
    return Release(new_version, old.version if old else None, bump, required, zip_path, entry, record.content_sha256)
