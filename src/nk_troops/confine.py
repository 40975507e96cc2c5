"""What a package may make a command open: regular files inside its own folder, and nothing else.

A package's ``datapackage.json`` and its ``sources`` table name files, and a pull request can add
either. Whatever they name (an absolute path, ``../``, a URL, a link leading out of the folder, a
FIFO that would block its reader forever, a device), no command opens it: a path is accepted only
when it is written as a relative POSIX path (no scheme, no backslash, no ``..``, not absolute) and
resolves, links followed, to a regular file inside the package's folder. Only ``stat`` is used to
decide: nothing refused is ever opened, so nothing of it is shown either.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from . import problems as P

SEEDS_DIR = "seeds"

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")  # http:, file:, s3:, and a Windows drive (C:)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_PATH = 1024

HINT = "name a file inside the package's folder by its relative path, written with /, as `nk-troops build` writes it"


@dataclass(frozen=True)
class Refusal:
    """Why a named file is not opened: the kind of problem, its message and a hint."""

    kind: type[P.Problem]
    message: str
    hint: str = HINT


def show(value: object) -> str:
    """A path as written, quoted, shortened, its control characters escaped: safe in a one-line report."""
    text = value if isinstance(value, str) else repr(value)
    text = text if len(text) <= 120 else text[:117] + "..."
    return "'" + _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text) + "'"


def written_fault(rel: object) -> str | None:
    """Why a path is refused as it is written (None: acceptable so far); looks at no file."""
    if not isinstance(rel, str) or not rel:
        return "is not a path (a non-empty text)"
    if len(rel) > MAX_PATH:
        return f"is longer than {MAX_PATH:,} characters"
    if _CONTROL.search(rel):
        return "holds a control character"
    if _SCHEME.match(rel):
        return "is a URL or names a drive; only files inside the package are read, nothing is fetched"
    if "\\" in rel:
        return "holds a backslash; write folders with /"
    if rel.startswith("/"):
        return "is absolute"
    if ".." in rel.split("/"):
        return "climbs out of its folder with '..'"
    return None


def confined_file(root: Path, rel: object) -> Path | Refusal:
    """The regular file ``rel`` names inside the folder ``root`` (resolved, links followed), or why it is refused."""
    fault = written_fault(rel)
    if fault is not None:
        return Refusal(P.UnsafePath, f"{show(rel)} {fault}")
    assert isinstance(rel, str)
    base = Path(root).resolve()
    try:
        target = (base / rel).resolve(strict=True)
        mode = os.stat(target).st_mode  # stat, not open: a FIFO or a device is refused before anything waits on it
    except (OSError, RuntimeError, ValueError):  # missing, a dangling link, a loop of links
        return Refusal(P.FileUnreadable, f"{show(rel)} does not exist")
    if not target.is_relative_to(base):
        return Refusal(P.UnsafePath, f"{show(rel)} leads outside the package's folder (through a link)")
    if not stat.S_ISREG(mode):
        return Refusal(P.UnsafePath, f"{show(rel)} is not a regular file (a folder, FIFO, socket or device)")
    return target


def seed_file(root: Path, rel: object) -> Path | Refusal:
    """The archived text a source names: a regular file directly inside the package's ``seeds/`` folder, not a link."""
    got = confined_file(root, rel)
    if isinstance(got, Refusal):
        if got.kind is P.FileUnreadable:
            return Refusal(
                P.SeedPathProblem, got.message, f"copy the document into {SEEDS_DIR}/ byte-for-byte, then give its path"
            )
        return Refusal(
            P.SeedPathProblem, got.message, f"give the path of a file in {SEEDS_DIR}/, such as seeds/NAME.txt"
        )
    assert isinstance(rel, str)
    if (Path(root) / rel).is_symlink() or got.parent != Path(root).resolve() / SEEDS_DIR:
        return Refusal(
            P.SeedPathProblem,
            f"{show(rel)} is not a plain file directly inside {SEEDS_DIR}/ (links and other folders are refused)",
            f"give the path of a file in {SEEDS_DIR}/, such as seeds/NAME.txt",
        )
    return got


PROFILES = {"data-package", "tabular-data-package", "data-resource", "tabular-data-resource"}
"""Profiles named, not fetched: any other ``profile`` is a URL or a path that frictionless-py would read."""
_STANDARD_SCHEMA = re.compile(r"https://datapackage\.org/profiles/\d+\.\d+/[a-z]+\.json")
INLINE = ("schema", "dialect")
"""Resource properties that must be written out as objects (as a string they name a file or URL to read)."""


def check_descriptor(desc: dict, root: Path, name: str) -> tuple[dict[str, Path], list[P.Problem]]:
    """The file each resource of a descriptor names, if it may be opened, and a located problem for everything
    refused: a path that is not a regular file inside ``root``, and anything frictionless-py would read or fetch
    from elsewhere (a resource, ``schema`` or ``dialect`` given as a path or URL, a custom ``profile``)."""
    paths: dict[str, Path] = {}
    problems: list[P.Problem] = []

    def refuse(kind: type[P.Problem], message: str, resource: str | None, fld: str, hint: str = HINT) -> None:
        problems.append(kind(message, file=name, resource=resource, field=fld, hint=hint))

    named = (
        "write it out in the descriptor, as `nk-troops build` does: nothing is read from a path or fetched from a URL"
    )
    for key in ("profile", "$schema"):
        value = desc.get(key)
        if value is not None and not _named_profile(key, value):
            refuse(P.UnsafePath, f"{show(value)} is not a standard profile", None, key, named)
    resources = desc.get("resources", [])
    for i, res in enumerate(resources if isinstance(resources, list) else []):
        if not isinstance(res, dict):
            refuse(P.UnsafePath, f"resource {i + 1} is {show(res)}, not an object", None, "resources", named)
            continue
        label = res["name"] if isinstance(res.get("name"), str) else f"#{i + 1}"
        for key in INLINE:
            if key in res and not isinstance(res[key], dict):
                refuse(P.UnsafePath, f"'{key}' is {show(res[key])}, not an object", label, key, named)
        if "profile" in res and not _named_profile("profile", res["profile"]):
            refuse(P.UnsafePath, f"{show(res['profile'])} is not a standard profile", label, "profile", named)
        if "extrapaths" in res:
            refuse(P.UnsafePath, "a resource is one file: 'extrapaths' is not read", label, "extrapaths")
        if "path" in res:
            got = confined_file(root, res["path"])
            if isinstance(got, Refusal):
                refuse(got.kind, got.message, label, "path", got.hint)
            else:
                paths[label] = got
    return paths, problems


def _named_profile(key: str, value: object) -> bool:
    if key == "$schema":
        return isinstance(value, str) and _STANDARD_SCHEMA.fullmatch(value) is not None
    return value in PROFILES
