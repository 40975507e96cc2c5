"""What the published files were built from, so `validate` can tell they are stale without rendering them.

`build` writes :data:`MANIFEST` beside the tables: the sha256 of every input
(each records file, each file in seeds/, the package version and this
package's own code) and of every file it published. `validate` reads the
same inputs and the published files again, hashes them, and compares: any
difference means the published files are not what the records build, and the
contributor runs `nk-troops build`. Hashing a few hundred kB takes
milliseconds and imports nothing heavy.

Only regular files are read: a symbolic link, a FIFO or a folder where a file
is expected counts as changed and is never opened.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path
from typing import Any

from . import __version__
from .descriptor import CSV_DIR, PARQUET_DIR

MANIFEST = "dataset/tables/inputs.json"
RECORDS_DIR = "dataset/records"
SEEDS_DIR = "seeds"
_CODE_DIR = Path(__file__).resolve().parent
MANAGED_DIRS = ("schema", CSV_DIR, PARQUET_DIR)
"""Folders whose every file is generated: a file there that the build no longer makes is removed."""


def regular_file_bytes(path: Path) -> bytes | None:
    """The bytes of ``path`` if it is a regular file (not followed through a link), else None."""
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as fh:
        return fh.read()


def _digest(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


def _folder_digests(root: Path, folder: str) -> dict[str, str | None]:
    """sha256 of every entry directly inside ``folder`` (None for anything that is not a regular file)."""
    base = root / folder
    try:
        names = sorted(os.listdir(base)) if stat.S_ISDIR(os.lstat(base).st_mode) else []
    except OSError:
        names = []
    return {f"{folder}/{name}": _digest(regular_file_bytes(base / name)) for name in names}


def code_digest() -> str:
    """sha256 over this package's Python source (path and bytes of every module): the code's version."""
    h = hashlib.sha256()
    for path in sorted(_CODE_DIR.rglob("*.py")):
        h.update(path.relative_to(_CODE_DIR).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def managed_files(root: Path) -> list[str]:
    """Every entry (of any kind) inside the folders the build owns; links are listed, never followed."""
    found: list[str] = []
    for folder in MANAGED_DIRS:
        for dirpath, dirnames, filenames in os.walk(root / folder, followlinks=False):
            rel = Path(dirpath).relative_to(root)
            found += [(rel / name).as_posix() for name in filenames]
            found += [(rel / name).as_posix() for name in dirnames if (Path(dirpath) / name).is_symlink()]
    return sorted(found)


def current_inputs(root: Path) -> dict[str, Any]:
    """The inputs of a build of ``root`` as they are now."""
    return {
        "package_version": __version__,
        "code_sha256": code_digest(),
        "files": {**_folder_digests(root, RECORDS_DIR), **_folder_digests(root, SEEDS_DIR)},
    }


def manifest_bytes(root: Path, outputs: dict[str, bytes]) -> bytes:
    """The manifest a build of ``root`` publishing ``outputs`` writes (deterministic: no clock, sorted keys)."""
    body = {
        "about": "Written by `nk-troops build`: what the published files were built from. "
        "`nk-troops validate` compares it with the records, seeds and code to tell whether a build is needed.",
        "inputs": current_inputs(root),
        "outputs": {rel: hashlib.sha256(data).hexdigest() for rel, data in sorted(outputs.items())},
    }
    return (json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def staleness(root: Path) -> str | None:
    """Why the published files are not what the current inputs build, or None when they are
    (a stray file in a folder the build owns counts too)."""
    raw = regular_file_bytes(root / MANIFEST)
    if raw is None:
        return f"{MANIFEST} is missing"
    try:
        recorded = json.loads(raw.decode("utf-8"))
        inputs, outputs = recorded["inputs"], recorded["outputs"]
        if not isinstance(outputs, dict) or not isinstance(inputs, dict):
            raise TypeError
    except (ValueError, KeyError, TypeError, RecursionError):
        return f"{MANIFEST} cannot be read"
    now = current_inputs(root)
    if inputs.get("package_version") != now["package_version"]:
        return f"the package version is now {now['package_version']}"
    if inputs.get("code_sha256") != now["code_sha256"]:
        return "the code of nk_troops has changed"
    old_files: dict[str, Any] = inputs["files"] if isinstance(inputs.get("files"), dict) else {}
    new_files: dict[str, str | None] = now["files"]
    for rel in sorted(set(old_files) | set(new_files)):
        if old_files.get(rel) != new_files.get(rel):
            what = "is new" if rel not in old_files else "was removed" if rel not in new_files else "has changed"
            return f"{rel} {what}"
    for rel in sorted(outputs):
        if _digest(regular_file_bytes(root / rel)) != outputs[rel]:
            return f"{rel} is not the file the last build wrote"
    stray = sorted(set(managed_files(root)) - set(outputs))
    return f"{stray[0]} is not a file the build writes" if stray else None
