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

import functools
import hashlib
import json
import os
import stat
from pathlib import Path
from typing import Any

from . import __version__
from .confine import written_fault
from .descriptor import CSV_DIR, PARQUET_DIR, PLOTS_DIR, SITE_DIR, SQLITE_DIR

MANIFEST = "dataset/tables/inputs.json"
RECORDS_DIR = "dataset/records"
SEEDS_DIR = "seeds"
_CODE_DIR = Path(__file__).resolve().parent
MANAGED_DIRS = ("schema", CSV_DIR, PARQUET_DIR, SQLITE_DIR, PLOTS_DIR, SITE_DIR)
"""Folders whose every file is generated: a file there that the build no longer makes is removed."""


MAX_MANIFEST_BYTES = 16 * 1024 * 1024
MAX_INPUT_BYTES = 64 * 1024 * 1024
"""A file larger than this is identified by its size, not read (records and seeds have far lower limits)."""


def regular_file_bytes(path: Path, limit: int = MAX_INPUT_BYTES) -> bytes | None:
    """The bytes of ``path`` if it is a regular file (not followed through a link) of at most ``limit`` bytes."""
    try:
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as fh:
        return fh.read(limit + 1)


def _digest(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


def file_digest(path: Path, *, cap: int | None = None) -> str | None:
    """sha256 of a regular file, read in blocks, not through a link; None for anything else. ``cap``: a larger file
    is identified by its size, unread (inputs: a huge file in seeds/ must not make every validate read it; the
    published outputs the build hashed whole are hashed whole again)."""
    try:
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode):
            return None
        if cap is not None and info.st_size > cap:
            return f"size:{info.st_size}"
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def published_path(root: Path, rel: object, folders: dict[Path, bool] | None = None) -> Path | None:
    """``root/rel`` for a path the manifest may name: relative, inside the repository (links followed on the way).
    ``folders``: whether each folder met by earlier calls for the same root is inside it (a manifest names dozens of
    files in a few folders, and resolving a folder's links costs a system call a level)."""
    if written_fault(rel) is not None:
        return None
    assert isinstance(rel, str)
    path = root / rel
    inside = None if folders is None else folders.get(path.parent)
    if inside is None:
        try:
            inside = path.parent.resolve().is_relative_to(root.resolve())
        except (OSError, RuntimeError):
            return None
        if folders is not None:
            folders[path.parent] = inside
    return path if inside else None


def _folder_digests(root: Path, folder: str) -> dict[str, str | None]:
    """sha256 of every entry directly inside ``folder`` (None for anything that is not a regular file)."""
    base = root / folder
    try:
        names = sorted(os.listdir(base)) if stat.S_ISDIR(os.lstat(base).st_mode) else []
    except OSError:
        names = []
    return {f"{folder}/{name}": file_digest(base / name, cap=MAX_INPUT_BYTES) for name in names}


@functools.cache
def code_digest() -> str:
    """sha256 over this package's Python source and the site's templates (path and bytes of each): the code's
    version. Read once in a process: the code it runs is the code it loaded (a file edited since is the next
    run's)."""
    h = hashlib.sha256()
    for path in sorted([*_CODE_DIR.rglob("*.py"), *(_CODE_DIR / "templates").glob("*")]):
        h.update(path.relative_to(_CODE_DIR).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def managed_files(root: Path) -> list[str]:
    """Every entry (of any kind) inside the folders the build owns; links are listed, never followed."""
    found: list[str] = []
    for folder in MANAGED_DIRS:
        parts = Path(folder).parts
        linked = next(
            (Path(*parts[: i + 1]) for i in range(len(parts)) if (root / Path(*parts[: i + 1])).is_symlink()), None
        )
        if linked is not None:  # listed as an entry of its own (so the package is stale), never walked into
            found.append(linked.as_posix())
            continue
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
    manifest = published_path(root, MANIFEST)
    raw = None if manifest is None else regular_file_bytes(manifest, limit=MAX_MANIFEST_BYTES)
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
    folders: dict[Path, bool] = {}
    for rel in sorted(outputs):
        path = published_path(root, rel, folders)
        if path is None:
            return f"{MANIFEST} names {rel!r}, which is not a published file"
        if file_digest(path) != outputs[rel]:
            return f"{rel} is not the file the last build wrote"
    stray = sorted(set(managed_files(root)) - set(outputs))
    return f"{stray[0]} is not a file the build writes" if stray else None
