"""`build`: render every published file from the records, check the result, then publish it.

Published files: ``datapackage.json``, ``schema/*.json``,
``dataset/tables/csv/*.csv``, ``dataset/tables/parquet/*``, the manifest of
what they were built from (``inputs.py``), and the documents of
``extra_outputs`` (codebook, citation files, plots).

1. The records are checked (``validate.check_records``); any problem stops here.
2. Every file is rendered in memory and written to a fresh temporary folder
   outside the repository, with a copy of the archived sources.
3. frictionless-py (on both descriptors, CSV and Parquet) and the table checker (``check-tables``) check that staged
   package, which this build wrote itself: no descriptor found in the tree is
   ever handed to either.
4. Only then are the changed files replaced, each by an atomic rename of a
   file written beside it, descriptors last (the root ``datapackage.json`` at
   the very end); files the build no longer makes are removed from the folders
   it owns.

Nothing in the tree is trusted: before anything is written, every folder on
the way to a published file must be a real folder inside the repository (a
symbolic link there is refused), and a published path that holds a link, a
FIFO or anything but a regular file is replaced, never followed or opened.
An interrupted build leaves each file wholly old or wholly new;
`validate` then reports the files as out of date until the next `build`.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from . import problems as P
from .confine import unsafe_folders
from .descriptor import CSV_DIR, PARQUET_DIR, descriptors, dump_json
from .inputs import MANIFEST, SEEDS_DIR, managed_files, manifest_bytes, regular_file_bytes
from .models import PUBLISHED
from .schema_gen import table_schema
from .tables import Rows
from .validate import check_records
from .writers import to_csv, to_parquet

_FIX = "run `nk-troops build` and commit the result"


def render_outputs(root: Path, tables: dict[str, Rows]) -> dict[str, bytes]:
    """Every published file as bytes, keyed by path relative to the repository root."""
    from .extra_outputs import extra_outputs

    files: dict[str, bytes] = {}
    for model in PUBLISHED:
        rows = tables[model.resource]
        files[f"{CSV_DIR}/{model.resource}.csv"] = to_csv(model, rows)
        files[f"{PARQUET_DIR}/{model.resource}.parquet"] = to_parquet(model, rows)
        files[f"schema/{model.resource}.json"] = dump_json(table_schema(model))
    files.update(descriptors(files, tables["sources"]))
    files.update(extra_outputs(root, tables))
    files[MANIFEST] = manifest_bytes(root, files)
    return dict(sorted(files.items()))


def changed_files(root: Path, outputs: dict[str, bytes]) -> tuple[list[str], list[str]]:
    """(paths whose published file differs from ``outputs``, managed paths the build no longer makes)."""
    changed = [rel for rel, data in outputs.items() if regular_file_bytes(root / rel, limit=len(data)) != data]
    stray = sorted(set(managed_files(root)) - set(outputs))
    return changed, stray


def check_staged(outputs: dict[str, bytes], root: Path) -> list[P.Problem]:
    """Write ``outputs`` (and the archived sources) to a temporary folder and check that package."""
    from .engine import validate_tables
    from .package_check import frictionless_problems

    with tempfile.TemporaryDirectory(prefix="nk-troops-build-") as tmp:
        stage = Path(tmp)
        for rel, data in outputs.items():
            (stage / rel).parent.mkdir(parents=True, exist_ok=True)
            (stage / rel).write_bytes(data)
        (stage / SEEDS_DIR).mkdir(exist_ok=True)
        for entry in sorted(os.listdir(root / SEEDS_DIR)) if (root / SEEDS_DIR).is_dir() else []:
            seed = regular_file_bytes(root / SEEDS_DIR / entry)
            if seed is not None:
                (stage / SEEDS_DIR / entry).write_bytes(seed)
        problems = frictionless_problems(stage / "datapackage.json")
        problems += frictionless_problems(stage / PARQUET_DIR / "datapackage.json")
        problems += validate_tables(stage / "datapackage.json")
    return problems


def _umask() -> int:
    """The process's umask (read by setting it, then setting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _replace(root: Path, rel: str, data: bytes) -> None:
    """Replace ``root/rel`` by ``data`` atomically: write a file beside it, then rename it over the old one."""
    target = root / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fchmod(fh.fileno(), 0o666 & ~_umask())  # as any new file (mkstemp makes it 0600)
            os.fsync(fh.fileno())
        os.replace(tmp, target)  # a link or FIFO at target is replaced itself, never followed
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _publish_order(rel: str) -> tuple[bool, bool, str]:
    """Descriptors last, the root one at the very end: until it moves, readers see the old hashes."""
    return (rel == "datapackage.json", rel.endswith("datapackage.json"), rel)


def publish(root: Path, outputs: dict[str, bytes]) -> tuple[list[str], list[P.Problem]]:
    """Check the outputs, then put them in place; returns the paths changed, or the problems (nothing changed)."""
    problems = unsafe_folders(root, outputs)
    if problems:
        return [], problems
    changed, stray = changed_files(root, outputs)
    if not changed and not stray:
        return [], []
    try:
        problems = check_staged(outputs, root)
    except OSError as e:
        return [], [P.FileUnreadable(f"could not stage the outputs ({e}); nothing was published")]
    if problems:
        return [], problems
    try:
        for rel in sorted(changed, key=_publish_order):
            _replace(root, rel, outputs[rel])
        for rel in stray:
            (root / rel).unlink(missing_ok=True)  # removes a link itself, never what it points to
    except OSError as e:
        return [], [P.FileUnreadable(f"could not write the published files ({e}); run `nk-troops build` again")]
    return sorted(changed + stray, key=_publish_order), []


def stale_outputs(root: Path, outputs: dict[str, bytes]) -> list[P.Problem]:
    """Published files that differ from what the records build (the `build --check` test)."""
    changed, stray = changed_files(root, outputs)
    out = [P.TablesOutOfDate(f"'{rel}' is not what the records build", file=rel, hint=_FIX) for rel in changed]
    out += [P.TablesOutOfDate(f"'{rel}' is no longer built", file=rel, hint=_FIX) for rel in stray]
    return out


def build(root: Path, *, check: bool = False) -> tuple[P.Report, list[str]]:
    """Validate the records and publish what they build (``check``: write nothing, report what differs)."""
    root = Path(root)
    result = check_records(root)
    if result.tables is None:
        return result.report, []
    outputs = render_outputs(root, result.tables)
    if check:
        result.report.extend(unsafe_folders(root, outputs) or stale_outputs(root, outputs))
        if result.report.ok:
            result.report.extend(check_staged(outputs, root))
        return result.report, []
    changed, problems = publish(root, outputs)
    result.report.extend(problems)
    return result.report, changed
