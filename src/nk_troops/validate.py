"""`validate`: every check on the curated records, then on the published package.

1. the records files (encoding, YAML safety, duplicate keys), each record
   against its model (types, enums, patterns, dates, cross-field rules);
2. between records: archived sources and their sha256, unique ids,
   references, every excerpt found in its source;
3. the published files are what the records build (else: run `build`);
4. frictionless-py on the published datapackage.json (types, constraints,
   primary and foreign keys, bytes and hash).

Every problem is collected; nothing stops at the first.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import problems as P
from .checks import check_dataset
from .models import CURATED
from .records import load_dataset
from .tables import Rows, build_rows


@dataclass
class RecordsResult:
    report: P.Report
    tables: dict[str, Rows] | None


def check_records(root: Path) -> RecordsResult:
    """Steps 1 and 2; the table rows when (and only when) there is no problem."""
    dataset, problems = load_dataset(root)
    report = P.Report(problems=list(problems))
    checked = check_dataset(dataset)
    report.extend(checked.problems)
    report.counts = {m.resource: len(dataset.of(m.resource)) for m in CURATED}
    if not report.ok:
        return RecordsResult(report, None)
    tables = build_rows(dataset, checked)
    report.counts["citations"] = len(tables["citations"])
    report.counts["claim_links"] = len(tables["claim_links"])
    return RecordsResult(report, tables)


def validate(root: Path, *, records_only: bool = False) -> P.Report:
    """Steps 1-4 (1-2 only with ``records_only``, which imports no table writer, plotting or frictionless code)."""
    root = Path(root)
    result = check_records(root)
    report = result.report
    if result.tables is None or records_only:
        return report
    from .build import render_outputs, stale_outputs  # build imports validate: keep this import local

    outputs = render_outputs(root, result.tables)
    report.extend(stale_outputs(root, outputs))
    if (root / "datapackage.json").exists():
        from .package_check import frictionless_problems

        report.extend(frictionless_problems(root / "datapackage.json"))
    return report
