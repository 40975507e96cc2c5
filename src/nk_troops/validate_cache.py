"""Fast start for `validate`: replay the last full run when nothing it depends on has changed.

A full `validate` takes seconds, most of it importing pydantic, pyarrow,
matplotlib and frictionless-py and rendering every output (plots included) to
compare it with the published files. Its verdict is a pure function of:

* the files it reads: the records, the archived sources, every published
  output, and the listings of the folders it checks for unexpected files
  (records, seeds and the generated folders);
* the code that judges them: this package's modules, the Python version and
  every installed distribution (by its ``*.dist-info`` name, which carries the
  version).

A fingerprint of all that (a sha256 of every watched file's bytes, links
followed, and of each listing) is taken before a full run and again after it; if
the run found **no** problem and nothing changed while it ran, the fingerprint is
stored in ``.nk-troops-cache/validate.json`` (git ignores it). The next `validate`
computes the same fingerprint, which reads only small files and imports none of
the heavy libraries; if every part is equal, the stored result is the result,
and it says so. Any difference (an edited record, a rebuilt table, a stray file,
an upgraded library, a changed line of code) runs every check again.

Failing runs are never stored, so every error a contributor sees comes from a
run of every check. `validate --no-cache` (and CI) always runs them all.

Not seen by the fingerprint: a dependency's code changed without a new version
(an editable install of it, a forced reinstall), and fonts installed on the
system (the plots use matplotlib's bundled DejaVu Sans). After such a change, run
`validate --no-cache` once.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import sys
import time
from pathlib import Path

from . import __version__
from . import problems as P

CACHE_DIR = ".nk-troops-cache"
CACHE_FILE = f"{CACHE_DIR}/validate.json"
FORMAT = 2

# Folders whose every file is watched, and whose listing is (an added or removed file changes the verdict),
# and single files; together they hold everything a full run reads (store() checks the outputs are covered).
WATCHED_DIRS = ("dataset/records", "seeds", "schema", "dataset/tables/csv", "dataset/tables/parquet", "docs/plots")
WATCHED_FILES = ("datapackage.json", "docs/codebook.md", "CITATION.cff", ".zenodo.json")


def _file_digest(path: Path) -> str:
    """sha256 of the bytes a reader gets (a link is followed, and marked as one)."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return "absent"
    mark = f"link to {os.readlink(path)}:" if os.path.islink(path) else ""
    if not os.path.isfile(path):  # not a file, or a link to none
        return f"{mark}not-a-file:{st.st_mode:o}"
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return mark + h.hexdigest()


def _listing(root: Path, rel: str) -> list[str]:
    base = root / rel
    if not base.is_dir():
        return []
    out = []
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames.sort()
        here = Path(dirpath).relative_to(root)
        out.extend(str(here / name) for name in sorted(filenames))
        out.extend(str(here / name) + "/" for name in dirnames)
    return sorted(out)


def code_fingerprint(package: Path | None = None, path_entries: list[str] | None = None) -> str:
    """This package's source, the interpreter, and every installed distribution's name and version
    (``package`` and ``path_entries``: for tests; by default this package's folder and sys.path)."""
    h = hashlib.sha256()
    h.update(f"{FORMAT}|{__version__}|{sys.version}|{platform.machine()}|{sys.prefix}\n".encode())
    package = Path(__file__).resolve().parent if package is None else package
    for path in sorted(package.rglob("*.py")):
        h.update(str(path.relative_to(package)).encode() + b"\0")
        h.update(path.read_bytes())
    for entry in (
        sys.path if path_entries is None else path_entries
    ):  # library folders, not the script's or current folder
        if entry.rstrip("/").endswith(("site-packages", "dist-packages")) and os.path.isdir(entry):
            try:
                names = sorted(os.listdir(entry))
            except OSError:
                continue
            h.update(
                (
                    entry + "\0" + "\0".join(n for n in names if n.endswith((".dist-info", ".egg-info", ".egg-link")))
                ).encode()
            )
            for n in names:
                if n.endswith((".pth", ".egg-link")):  # what they add to the path is in their text
                    h.update(_file_digest(Path(entry) / n).encode())
    return h.hexdigest()


def data_fingerprint(root: Path) -> dict[str, str]:
    """Digest of every watched file, and each watched folder's listing, keyed by relative path."""
    parts: dict[str, str] = {}
    files = set(WATCHED_FILES)
    for rel in WATCHED_DIRS:
        listing = _listing(root, rel)
        parts[rel + "/"] = hashlib.sha256("\n".join(listing).encode()).hexdigest()
        files.update(name for name in listing if not name.endswith("/"))
    for rel in sorted(files):
        parts[rel] = _file_digest(root / rel)
    return parts


def covers(fingerprint: dict[str, str], outputs: list[str]) -> bool:
    """Whether every output a run compared is watched."""
    return all(rel in fingerprint for rel in outputs)


def lookup(root: Path, data: dict[str, str] | None = None) -> P.Report | None:
    """The stored report, if the last full run was clean and nothing it depends on has changed since
    (``data``: data_fingerprint(root), if the caller has taken it already)."""
    try:
        stored = json.loads((root / CACHE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(stored, dict) or stored.get("format") != FORMAT or stored.get("code") != code_fingerprint():
        return None
    if stored.get("data") != (data_fingerprint(root) if data is None else data):
        return None
    try:
        counts = {str(name): int(n) for name, n in stored.get("counts", [])}
    except (TypeError, ValueError):
        return None
    return P.Report(problems=[], counts=counts, cached_at=str(stored.get("validated_at")))


def store(root: Path, report: P.Report, outputs: list[str], before: dict[str, str]) -> None:
    """Remember a clean full run (a failing one is never stored), if nothing it read changed while it ran
    (``before``: data_fingerprint taken before it). Best effort: a read-only checkout just misses."""
    after = data_fingerprint(root)
    if not report.ok or after != before or not covers(after, outputs):
        forget(root)
        return
    entry = {
        "format": FORMAT,
        "note": "written by `nk-troops validate` after a full run with no problems; safe to delete",
        "validated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "counts": list(report.counts.items()),  # a list: the order is the report's
        "code": code_fingerprint(),
        "data": after,
    }
    try:
        (root / CACHE_DIR).mkdir(exist_ok=True)
        (root / CACHE_DIR / ".gitignore").write_text("*\n", encoding="utf-8")
        tmp = root / (CACHE_FILE + ".tmp")
        tmp.write_text(json.dumps(entry, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(tmp, root / CACHE_FILE)
    except OSError:
        pass


def forget(root: Path) -> None:
    try:
        (root / CACHE_FILE).unlink()
    except OSError:
        pass
