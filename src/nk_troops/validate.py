"""`validate`: the contributor's fast loop. Every check on the curated records, and whether a build is due.

1. the records files (encoding, YAML safety, duplicate keys), each record
   against its model (types, enums, patterns, dates, cross-field rules);
2. every excerpt found in its archived text (``checks``), then the records'
   rows checked as the tables they publish by the one table checker
   (``records_as_tables``: keys, references, rules between rows, archived
   sources and their sha256), each problem located in its records file;
3. whether the published files are what these records build: the manifest
   the last `build` wrote (``inputs.py``) is compared with the records, seeds
   and code as they are now. A difference is one line ("run `nk-troops
   build`"), never a problem per file, and nothing is rendered to find it.
4. the drafts in dataset/drafts/ that `add-source` writes (``drafts.py``):
   their shape and excerpts, located in the draft; `build` never reads them.

Every problem is collected; nothing stops at the first. Rendering and checking
the published package (frictionless-py and the table checker) is `build`'s
job, and `build --check`'s in CI.
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
    from .records_as_tables import check_as_tables
    from .tables import build_rows

    with hints.one_run():  # one budget for every did-you-mean of the run
        dataset, problems = load_dataset(root)
        checked = check_dataset(dataset)
        tables = build_rows(dataset, checked.spans)
        problems += checked.problems + check_as_tables(dataset, tables)
    report = P.Report(problems=list(problems))
    report.counts = {m.resource: len(dataset.of(m.resource)) for m in CURATED}
    if not report.ok:
        return RecordsResult(report, None)
    for derived in ("citations", "claim_links", "source_relays"):
        report.counts[derived] = len(tables.rows[derived])
    return RecordsResult(report, tables.rows)


def stale_tables(root: Path) -> P.Problem | None:
    """One problem when the published files are not what the current records, seeds and code build."""
    from .inputs import MANIFEST, staleness

    why = staleness(root)
    if why is None:
        return None
    return P.TablesOutOfDate(
        f"published tables are out of date ({why}): run `nk-troops build`",
        file=MANIFEST,
        hint="then commit the files it writes",
    )


NOT_PINNED = ("README.md", "LICENSE", "LICENSE.md", "CHANGELOG.md")
"""Files of a release zip that may change after it without changing the data (the docs around it)."""


def released_version_changed(root: Path) -> list[P.Problem]:
    """A version that has a release record holds exactly the released files: once its published files change,
    the package must say it is unreleased, so no two different packages carry one version number."""
    from . import metadata as M
    from .inputs import file_digest
    from .releases import ReleaseError, read_record

    if M.is_unreleased():
        return []
    try:
        record = read_record(root, M.VERSION)
    except ReleaseError as e:
        return [P.ReleasedVersionChanged(str(e), file=f"releases/{M.VERSION}.json")]
    if record is None:
        return []
    changed = [n for n, d in sorted(record.files.items()) if n not in NOT_PINNED and file_digest(root / n) != d]
    if not changed:
        return []
    shown = ", ".join(changed[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")
    return [
        P.ReleasedVersionChanged(
            f"version {M.VERSION} is released and {len(changed)} published file(s) are not the files released: {shown}",
            file=record.path,
            hint=f'set __version__ = "{M.VERSION}{M.UNRELEASED}" in src/nk_troops/__init__.py, then run `nk-troops build`',
        )
    ]


def validate(root: Path, *, records_only: bool = False) -> P.Report:
    """Steps 1-3 (1-2 with ``records_only``). Step 3 runs only when the records are valid: until then,
    a build would refuse them."""
    from .drafts import check_drafts

    root = Path(root)
    report = check_records(root).report
    records_ok = report.ok
    report.extend(check_drafts(root))  # dataset/drafts/: checked here, never read by build
    if records_ok and not records_only:
        stale = stale_tables(root)
        if stale is not None:
            report.add(stale)
        else:
            report.extend(released_version_changed(root))
    return report
