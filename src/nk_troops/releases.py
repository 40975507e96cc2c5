"""The record of every release, committed in ``releases/<version>.json``: what each version's zip holds, byte for byte.

A clone needs no git tags to find, compare or verify a release. A record holds the version, its date, the sha256
of every file in the release zip, the sha256 of the zip's ``SHA256SUMS`` (the *content hash* a citation carries:
it pins every byte of the data even without a DOI), the sha256 of the zip itself and the changelog entry. Its
``commit`` names the commit whose tree holds the released files; when empty, that is the commit that added the
record (``nk-troops release`` writes the record, and the maintainer commits it with the files it describes).

Records are read as untrusted input: a size limit, regular files only, the version in the name and inside equal,
every field checked; a bad record is refused with its path and what is wrong.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

from .confine import CONTROL, show
from .inputs import regular_file_bytes

RELEASES_DIR = "releases"
MAX_RECORD_BYTES = 1024 * 1024
SEMVER = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")
_HEX = re.compile(r"^[0-9a-f]{64}$")
_COMMIT = re.compile(r"^[0-9a-f]{40}$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
SUMS = "SHA256SUMS"


class ReleaseError(Exception):
    """A release, or a record of one, was refused; the message says why and what to do."""


def parse_version(text: str) -> tuple[int, int, int]:
    m = SEMVER.match(text)
    if not m:
        raise ReleaseError(f"'{text}' is not a version of the form MAJOR.MINOR.PATCH (for example 0.2.0)")
    return int(m[1]), int(m[2]), int(m[3])


def sha256sums(files: dict[str, str]) -> bytes:
    """The SHA256SUMS of a release: sha256sum's format ("<hex>  <path>"), sorted by path."""
    return "".join(f"{files[name]}  {name}\n" for name in sorted(files)).encode("utf-8")


@dataclass(frozen=True)
class ReleaseRecord:
    version: str
    released: str
    files: dict[str, str]
    """Every file of the zip but SHA256SUMS, by its path in the zip (below the version folder): its sha256."""
    content_sha256: str
    """sha256 of the zip's SHA256SUMS: one hash that pins every byte of the release's files."""
    zip_sha256: str
    changelog: str
    commit: str | None = None
    """The commit whose tree holds the released files; None: the commit that added this record."""

    @property
    def path(self) -> str:
        return f"{RELEASES_DIR}/{self.version}.json"

    def to_bytes(self) -> bytes:
        return (json.dumps(asdict(self), indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")


def record_for(
    version: str, released: str, contents: dict[str, bytes], zip_bytes: bytes, changelog: str
) -> ReleaseRecord:
    """The record of a release zip holding ``contents`` (SHA256SUMS included)."""
    files = {name: hashlib.sha256(data).hexdigest() for name, data in contents.items() if name != SUMS}
    return ReleaseRecord(
        version=version,
        released=released,
        files=dict(sorted(files.items())),
        content_sha256=hashlib.sha256(sha256sums(files)).hexdigest(),
        zip_sha256=hashlib.sha256(zip_bytes).hexdigest(),
        changelog=changelog,
    )


def _real_date(text: str) -> bool:
    try:
        return date.fromisoformat(text).year >= 1980
    except ValueError:
        return False


def _parse(rel: str, data: bytes) -> ReleaseRecord:
    def bad(why: str) -> ReleaseError:
        return ReleaseError(f"{rel}: {why}; a release record is written by `nk-troops release`, never by hand")

    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise bad(f"not JSON ({e})") from None
    if not isinstance(raw, dict):
        raise bad("not a JSON object")
    wanted = {"version", "released", "files", "content_sha256", "zip_sha256", "changelog", "commit"}
    if set(raw) != wanted:
        raise bad(f"its fields must be exactly {', '.join(sorted(wanted))}")
    version, released, files, commit = raw["version"], raw["released"], raw["files"], raw["commit"]
    if not isinstance(version, str) or not SEMVER.match(version) or rel != f"{RELEASES_DIR}/{version}.json":
        raise bad("its version must be MAJOR.MINOR.PATCH and the file's name")
    if not isinstance(released, str) or not _DATE.match(released) or not _real_date(released):
        raise bad("'released' must be a real date YYYY-MM-DD from 1980 on (a zip cannot be dated earlier)")
    if not isinstance(files, dict) or not files:
        raise bad("'files' must map each file of the zip to its sha256")
    for name, digest in files.items():
        parts = name.split("/")
        if not name or name.startswith("/") or {"..", ".", ""} & set(parts) or "\\" in name or CONTROL.search(name):
            raise bad(f"{show(name[:80])} is not a relative path inside the release, written as the zip writes it")
        if not isinstance(digest, str) or not _HEX.match(digest):
            raise bad(f"the sha256 of '{name[:80]}' is not 64 lowercase hex digits")
    for key in ("content_sha256", "zip_sha256"):
        if not isinstance(raw[key], str) or not _HEX.match(raw[key]):
            raise bad(f"'{key}' is not 64 lowercase hex digits")
    if raw["content_sha256"] != hashlib.sha256(sha256sums(files)).hexdigest():
        raise bad("'content_sha256' is not the sha256 of the SHA256SUMS its files make")
    if not isinstance(raw["changelog"], str):
        raise bad("'changelog' must be text")
    if commit is not None and (not isinstance(commit, str) or not _COMMIT.match(commit)):
        raise bad("'commit' must be empty or a full 40-digit commit id")
    return ReleaseRecord(version, released, files, raw["content_sha256"], raw["zip_sha256"], raw["changelog"], commit)


def read_record(root: Path, version: str) -> ReleaseRecord | None:
    """The record of ``version`` in the repository at ``root``, None if it has none."""
    parse_version(version)
    rel = f"{RELEASES_DIR}/{version}.json"
    if not (root / rel).exists() and not (root / rel).is_symlink():
        return None
    data = regular_file_bytes(root / rel, limit=MAX_RECORD_BYTES)
    if data is None:
        raise ReleaseError(f"{rel}: not a regular file of at most {MAX_RECORD_BYTES:,} bytes")
    return _parse(rel, data)


def released_versions(root: Path) -> list[str]:
    """The versions recorded in ``releases/``, oldest first (names that are not VERSION.json are ignored)."""
    folder = root / RELEASES_DIR
    if not folder.is_dir() or folder.is_symlink():
        return []
    names = [p.name[: -len(".json")] for p in folder.iterdir() if p.name.endswith(".json")]
    return sorted((n for n in names if SEMVER.match(n)), key=parse_version)


def latest(root: Path) -> ReleaseRecord | None:
    versions = released_versions(root)
    return read_record(root, versions[-1]) if versions else None


def commits_adding(root: Path, rel: str) -> list[str]:
    """The commits that added ``rel`` to the repository at ``root``, newest first (none outside a git repository)."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "log", "--diff-filter=A", "--format=%H", "--", rel],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
    except (FileNotFoundError, subprocess.TimeoutExpired):
        return []
    return done.stdout.split() if done.returncode == 0 else []


def released_commit(root: Path, record: ReleaseRecord) -> str:
    """The commit whose tree holds the release's files: the record's own, or the last commit that added it."""
    if record.commit:
        return record.commit
    commits = commits_adding(root, record.path)
    if not commits:
        raise ReleaseError(
            f"{record.path} is not committed yet, so no commit holds release {record.version}: commit it with the files it describes"
        )
    return commits[0]  # the newest: a record removed and made again names the files of the second
