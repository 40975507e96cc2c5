"""`build`: render every published file from the records and publish them atomically.

Published files: ``datapackage.json``, ``schema/*.json``,
``dataset/tables/csv/*.csv``, ``dataset/tables/parquet/*`` (and whatever
``extra_outputs`` adds: codebook, citation files, plots). They are rendered
in memory, staged under ``.build/staging``, checked with frictionless-py, and
only then moved into place:

* any failure before the journal is written (invalid records, a write error,
  frictionless finding a problem) leaves every published file untouched;
* the journal ``.build/journal.json`` is written atomically once everything
  is staged; from then on the move is rolled forward, even after a crash
  (the next ``build`` finishes it; ``validate`` reports the files as out of date until then).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from . import problems as P
from .descriptor import CSV_DIR, PARQUET_DIR, descriptors, dump_json
from .models import PUBLISHED
from .schema_gen import table_schema
from .tables import Rows
from .validate import check_records
from .writers import to_csv, to_parquet

WORK_DIR = ".build"
STAGING = f"{WORK_DIR}/staging"
JOURNAL = f"{WORK_DIR}/journal.json"
MANAGED_DIRS = ("schema", CSV_DIR, PARQUET_DIR)
"""Folders whose every file is generated: a file there that the build no longer makes is removed."""


def render_outputs(root: Path, tables: dict[str, Rows]) -> dict[str, bytes]:
    """Every published file as bytes, keyed by path relative to the repository root."""
    files: dict[str, bytes] = {}
    for model in PUBLISHED:
        rows = tables[model.resource]
        files[f"{CSV_DIR}/{model.resource}.csv"] = to_csv(model, rows)
        files[f"{PARQUET_DIR}/{model.resource}.parquet"] = to_parquet(model, rows)
        files[f"schema/{model.resource}.json"] = dump_json(table_schema(model))
    files.update(descriptors(files, tables["sources"]))
    from .extra_outputs import extra_outputs

    files.update(extra_outputs(root, tables, files))
    return dict(sorted(files.items()))


def _managed_existing(root: Path) -> set[str]:
    found = set()
    for folder in MANAGED_DIRS:
        base = root / folder
        if base.is_dir():
            found |= {str(p.relative_to(root)) for p in base.rglob("*") if p.is_file()}
    return found


def stale_outputs(root: Path, outputs: dict[str, bytes]) -> list[P.Problem]:
    """Published files that differ from what the records build (the `build --check` test)."""
    out: list[P.Problem] = []
    for rel, data in outputs.items():
        path = root / rel
        if not path.exists():
            out.append(
                P.TablesOutOfDate(f"'{rel}' is missing", file=rel, hint="run `nk-troops build` and commit the result")
            )
        elif path.read_bytes() != data:
            out.append(
                P.TablesOutOfDate(
                    f"'{rel}' is not what the records build",
                    file=rel,
                    hint="run `nk-troops build` and commit the result",
                )
            )
    for rel in sorted(_managed_existing(root) - set(outputs)):
        out.append(
            P.TablesOutOfDate(f"'{rel}' is no longer built", file=rel, hint="run `nk-troops build`, which removes it")
        )
    return out


def recover(root: Path) -> None:
    """Finish a publish that was interrupted after its journal was written; discard an unfinished staging."""
    journal = root / JOURNAL
    if journal.exists():
        _apply(root, json.loads(journal.read_text(encoding="utf-8")))
    elif (root / STAGING).exists():
        shutil.rmtree(root / STAGING)


def _apply(root: Path, plan: dict[str, list[str]]) -> None:
    staging = root / STAGING
    for rel in plan["replace"]:
        staged = staging / rel
        if staged.exists():  # absent only if an earlier, interrupted apply already moved it
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, root / rel)
    for rel in plan["delete"]:
        (root / rel).unlink(missing_ok=True)
    (root / JOURNAL).unlink()
    shutil.rmtree(staging, ignore_errors=True)


def publish(root: Path, outputs: dict[str, bytes]) -> tuple[list[str], list[P.Problem]]:
    """Stage, check and move the outputs into place; returns the paths changed, or the problems (nothing changed)."""
    recover(root)
    staging = root / STAGING
    changed = [rel for rel, data in outputs.items() if not (root / rel).exists() or (root / rel).read_bytes() != data]
    # descriptors last, the root one at the very end: until it moves, readers see the old hashes
    changed.sort(key=lambda rel: (rel == "datapackage.json", rel.endswith("datapackage.json"), rel))
    delete = sorted(_managed_existing(root) - set(outputs))
    if not changed and not delete:
        return [], []
    try:
        for rel, data in outputs.items():  # stage everything, so the staged package is complete for frictionless
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        from .package_check import frictionless_problems

        problems = frictionless_problems(staging / "datapackage.json")
        if problems:
            shutil.rmtree(staging, ignore_errors=True)
            return [], problems
        for rel in set(outputs) - set(changed):
            (staging / rel).unlink()
        tmp = root / (JOURNAL + ".tmp")
        tmp.write_text(json.dumps({"replace": changed, "delete": delete}, indent=2), encoding="utf-8")
        os.replace(tmp, root / JOURNAL)  # the commit point
    except OSError as e:
        shutil.rmtree(staging, ignore_errors=True)
        (root / (JOURNAL + ".tmp")).unlink(missing_ok=True)
        return [], [P.FileUnreadable(f"could not stage the outputs ({e}); nothing was published")]
    _apply(root, {"replace": changed, "delete": delete})
    return changed + delete, []


def build(root: Path, *, check: bool = False) -> tuple[P.Report, list[str]]:
    root = Path(root)
    if not check:
        recover(root)
    result = check_records(root)
    if result.tables is None:
        return result.report, []
    outputs = render_outputs(root, result.tables)
    if check:
        result.report.extend(stale_outputs(root, outputs))
        return result.report, []
    changed, problems = publish(root, outputs)
    result.report.extend(problems)
    return result.report, changed
