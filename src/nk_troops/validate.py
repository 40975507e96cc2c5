"""`validate`: every check on the curated records, then on the published package.

1. the records files (encoding, YAML safety, duplicate keys), each record
   against its model (types, enums, patterns, dates, cross-field rules);
2. between records: archived sources and their sha256, unique ids,
   references, every excerpt found in its source;
3. the published files are what the records build (else: run `build`);
4. frictionless-py on the published datapackage.json (types, constraints,
   primary and foreign keys, bytes and hash).

Every problem is collected; nothing stops at the first.

With ``use_cache`` (the command line's default), a clean full run is
remembered and replayed while nothing it depends on changes (see
validate_cache.py): that is what makes a repeated `validate` start fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import hints
from . import problems as P

if TYPE_CHECKING:
    from .tables import Rows


@dataclass
class RecordsResult:
    report: P.Report
    tables: dict[str, Rows] | None


def check_records(root: Path) -> RecordsResult:
    """Steps 1 and 2; the table rows when (and only when) there is no problem."""
    from .checks import check_dataset  # pydantic and the models: imported only when records are read
    from .models import CURATED
    from .records import load_dataset
    from .tables import build_rows

    with hints.one_run():  # one budget for every did-you-mean of the run
        dataset, problems = load_dataset(root)
        checked = check_dataset(dataset)
    report = P.Report(problems=list(problems))
    report.extend(checked.problems)
    report.counts = {m.resource: len(dataset.of(m.resource)) for m in CURATED}
    if not report.ok:
        return RecordsResult(report, None)
    tables = build_rows(dataset, checked)
    report.counts["citations"] = len(tables["citations"])
    report.counts["claim_links"] = len(tables["claim_links"])
    return RecordsResult(report, tables)


def validate(root: Path, *, records_only: bool = False, use_cache: bool = False) -> P.Report:
    """Steps 1-4 (1-2 only with ``records_only``, which imports no table writer, plotting or frictionless code).

    ``use_cache``: return the stored result of the last clean full run if nothing it read has changed,
    and store this run's result when it is clean (a failing run clears it)."""
    root = Path(root)
    before = None
    if use_cache and not records_only:
        from . import validate_cache

        before = validate_cache.data_fingerprint(root)  # what a full run is about to read
        hit = validate_cache.lookup(root, before)
        if hit is not None:
            return hit
    result = check_records(root)
    report = result.report
    if records_only:
        return report
    if result.tables is None:
        if use_cache:
            from . import validate_cache

            validate_cache.forget(root)
        return report
    from .build import render_outputs, stale_outputs  # build imports validate: keep this import local

    outputs = render_outputs(root, result.tables)
    report.extend(stale_outputs(root, outputs))
    if (root / "datapackage.json").exists():
        from .package_check import frictionless_problems

        report.extend(frictionless_problems(root / "datapackage.json"))
    if use_cache:
        from . import validate_cache

        validate_cache.store(root, report, list(outputs), before)
    return report
