"""Read one version of the published package: a released version, a folder, or a git revision.

A released version ("0.1.0") is read from the commit its record in ``releases/`` names (``releases.py``), and
every file of the release found there is checked against the record's sha256 first: a diff against a release
compares with exactly what was released, with no git tag needed.

A snapshot is what ``diff`` compares: the root ``datapackage.json`` (its
version, metadata and Table Schemas) and the rows of every CSV table it
lists, keyed by primary key, every cell kept as the text written in the CSV.
Git revisions are read with ``git show REV:path`` (no checkout, no network).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from . import problems as P
from .confine import Refusal, confined_file
from .descriptor import read_otherwise
from .releases import SEMVER, ReleaseError, ReleaseRecord, read_record, released_commit, released_versions

DESCRIPTOR = "datapackage.json"


class SnapshotError(Exception):
    """A version that cannot be read; the message says why in plain words."""


@dataclass
class Table:
    name: str
    resource: dict[str, Any]
    primary_key: list[str]
    rows: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def fields(self) -> list[dict[str, Any]]:
        return list(self.resource.get("schema", {}).get("fields", []))

    @property
    def field_names(self) -> list[str]:
        return [f["name"] for f in self.fields]


@dataclass
class Snapshot:
    label: str
    descriptor: dict[str, Any]
    tables: dict[str, Table]

    @property
    def version(self) -> str:
        return str(self.descriptor.get("version", "?"))


def row_key(row: dict[str, str], primary_key: list[str]) -> str:
    return " | ".join(row.get(k, "") for k in primary_key)


def _safe_rel(path: str) -> str:
    p = PurePosixPath(path)
    if p.is_absolute() or ".." in p.parts:
        raise SnapshotError(f"datapackage.json lists the path '{path}', which is outside the package folder")
    return str(p)


def _shape_fault(descriptor: object) -> str | None:
    """What in a descriptor's shape diff cannot read (None: nothing): resources, their names, schemas, fields."""
    if not isinstance(descriptor, dict):
        return "it is not a JSON object"
    resources = descriptor.get("resources", [])
    if not isinstance(resources, list):
        return "'resources' is not a list"
    named: set[str] = set()
    for i, res in enumerate(resources):
        if not isinstance(res, dict) or not isinstance(res.get("name"), str):
            return f"resource {i} is not an object with a name"
        if res["name"] in named:
            return f"resource {i} has the name '{res['name']}' of an earlier one (each resource's name is its own)"
        named.add(res["name"])
        schema = res.get("schema", {})
        fields = schema.get("fields", []) if isinstance(schema, dict) else None
        if not isinstance(fields, list) or not all(
            isinstance(f, dict) and isinstance(f.get("name"), str) for f in fields
        ):
            return f"the schema of '{res['name']}' does not list its fields, each with a name"
        for f in fields:
            constraints = f.get("constraints", {})
            enum = constraints.get("enum", []) if isinstance(constraints, dict) else None
            if not isinstance(enum, list) or not all(v is None or isinstance(v, str | int | float) for v in enum):
                where = f"field '{f['name']}' of '{res['name']}'"
                return f"{where} has constraints that are not an object, or an enum that is not a list of values"
        pk = schema.get("primaryKey", [])
        if not (isinstance(pk, str) or (isinstance(pk, list) and all(isinstance(k, str) for k in pk))):
            return f"the primaryKey of '{res['name']}' is not a field name or a list of them"
        if not isinstance(res.get("path"), str):
            return f"resource '{res['name']}' has no path naming its table file"
    return None


def _parse(label: str, read: Callable[[str], bytes | None]) -> Snapshot:
    raw = read(DESCRIPTOR)
    if raw is None:
        raise SnapshotError(f"{label} has no {DESCRIPTOR}: it is not a built package (run `nk-troops build` there)")
    try:
        descriptor = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise SnapshotError(f"the {DESCRIPTOR} of {label} is not valid JSON ({e})") from None
    why = _shape_fault(descriptor)
    if why is not None:
        raise SnapshotError(f"the {DESCRIPTOR} of {label} is not a data package descriptor: {why}")
    tables: dict[str, Table] = {}
    for res in descriptor.get("resources", []):
        otherwise = read_otherwise(res)
        if otherwise:  # compared as the build writes it, such a table would give a wrong bump
            where, why = otherwise[0]
            raise SnapshotError(
                f"{label}: resource '{res['name']}' {where}: {why} (diff compares packages described as the build "
                "describes them)"
            )
        data = read(_safe_rel(res["path"]))
        if data is None:
            raise SnapshotError(f"{label}: the table file '{res['path']}' listed in {DESCRIPTOR} is missing")
        pk = res.get("schema", {}).get("primaryKey", [])
        pk = [pk] if isinstance(pk, str) else list(pk)
        table = Table(res["name"], res, pk)
        try:
            _read_rows(table, data, f"{label}: the table file '{res['path']}'")
        except (UnicodeDecodeError, csv.Error) as e:
            raise SnapshotError(f"{label}: the table file '{res['path']}' cannot be read as UTF-8 CSV ({e})") from None
        tables[table.name] = table
    return Snapshot(label, descriptor, tables)


def _read_rows(table: Table, data: bytes, what: str) -> None:
    """The rows of a table file, keyed by primary key, as its descriptor describes them; refused (SnapshotError)
    where the file is not what the descriptor says: another sha256, another header, a row of another number of
    cells, a primary key used twice. Compared row by row, such a file would give a wrong bump, not an error."""
    declared = table.resource.get("hash")
    if isinstance(declared, str) and declared.lower().startswith("sha256:"):
        if hashlib.sha256(data).hexdigest() != declared[len("sha256:") :].lower():
            raise SnapshotError(f"{what} does not have the sha256 the descriptor gives: it was changed after the build")
    fields = [
        f.get("name") if isinstance(f, dict) else None for f in table.resource.get("schema", {}).get("fields", [])
    ]
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    header = next(reader, None)
    if header != fields:
        raise SnapshotError(f"{what} has the header {header!r:.200}; the descriptor gives the fields {fields!r:.200}")
    for i, cells in enumerate(reader):
        if len(cells) != len(fields):
            raise SnapshotError(f"{what}: data row {i + 1} has {len(cells)} cells; the header has {len(fields)}")
        row = dict(zip(fields, cells, strict=True))
        key = row_key(row, table.primary_key) if table.primary_key else f"row {i + 1}"
        if key in table.rows:
            raise SnapshotError(f"{what}: data row {i + 1} repeats the primary key {key!r:.200}")
        table.rows[key] = row


def from_folder(folder: Path) -> Snapshot:
    folder = Path(folder)
    label = f"the folder '{folder}'"

    def read(rel: str) -> bytes | None:
        got = confined_file(folder, rel)  # a regular file inside the folder, or nothing is read
        if isinstance(got, Refusal):
            if got.kind is P.FileUnreadable:
                return None
            raise SnapshotError(f"{label}: {DESCRIPTOR} names {got.message}")
        return got.read_bytes()

    return _parse(label, read)


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, check=False)
    except FileNotFoundError:
        raise SnapshotError("git is not installed, so git revisions cannot be read") from None


def resolve_revision(root: Path, rev: str) -> str | None:
    """The commit a revision names in the repository at root, or None."""
    if rev.startswith("-"):
        return None
    done = _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")
    return done.stdout.decode().strip() if done.returncode == 0 else None


def from_revision(root: Path, rev: str) -> Snapshot:
    commit = resolve_revision(root, rev)
    if commit is None:
        raise SnapshotError(f"'{rev}' is not a git revision (tag, branch or commit) of the repository at '{root}'")

    def read(rel: str) -> bytes | None:
        done = _git(root, "show", f"{commit}:./{rel}")
        return done.stdout if done.returncode == 0 else None

    return _parse(f"revision '{rev}' ({commit[:10]})", read)


def from_release(root: Path, version: str, record: ReleaseRecord | None = None) -> Snapshot:
    """The package as released as ``version``, verified against its record (``record``: already read)."""
    try:
        record = read_record(root, version) if record is None else record
        if record is None:
            known = ", ".join(released_versions(root)) or "none yet"
            raise SnapshotError(f"'{version}' has no record in releases/ (released: {known})")
        commit = released_commit(root, record)
    except ReleaseError as e:
        raise SnapshotError(str(e)) from None
    if resolve_revision(root, commit) is None:
        raise SnapshotError(f"release {version}: its commit {commit[:10]} is not in this repository")
    released: dict[str, bytes] = {}  # each file once from git: checked here, then parsed from memory; a file the
    # record does not list was not released, so it is not read
    for name, digest in sorted(record.files.items()):
        done = _git(root, "show", f"{commit}:./{name}")
        if done.returncode != 0 or hashlib.sha256(done.stdout).hexdigest() != digest:
            raise SnapshotError(
                f"release {version}: '{name}' at commit {commit[:10]} is not the file released ({record.path}); "
                "the record or the history was changed"
            )
        released[name] = done.stdout

    return _parse(f"release {version} ({commit[:10]})", released.get)


def load(spec: str, root: Path) -> Snapshot:
    """A released version if ``spec`` is one (MAJOR.MINOR.PATCH), a folder if it is one, else a git revision of
    the repository at ``root``."""
    path = Path(spec)
    if SEMVER.match(spec) and not path.is_dir():
        return from_release(Path(root), spec)
    if path.is_dir():
        return from_folder(path)
    if not (Path(root) / ".git").exists() and _git(root, "rev-parse", "--git-dir").returncode != 0:
        raise SnapshotError(
            f"'{spec}' is not a folder, and '{root}' is not a git repository to look it up as a revision"
        )
    return from_revision(Path(root), spec)
