"""The vectorised validation engine: every check on the published CSV tables, over columnar batches.

How it works (modules of this package, by job; data flows down the list):

* ``reader``: bytes of a file: 4 MB windows, a whole-file UTF-8 check, and a repairing reader that
  reads a bad byte as U+FFFD and remembers its row;
* ``boundaries``: where records end, from quote parity and line ends, once every quote is known to
  open or close a cell (to split a file, and to read on after a record too long to read);
* ``firstpass``: each file is read once first for its size and sha256 against the descriptor and a
  whole-file UTF-8 check (so the CSV reader can skip its check of every cell; a file that fails is read
  through ``Utf8Repair``, each bad byte located to its row, every row checked);
* ``parts``: a big table is split at record boundaries (found in that first pass) into byte ranges,
  read in parallel, then folded back into one table;
* ``scan``: each table (or part) is read in batches of a few MB with pyarrow's streaming CSV reader,
  every column as text, so a bad cell is reported and never stops the read;
* ``batch``, with ``cells``, ``rules`` and ``archive``: each batch is checked column by column with
  pyarrow.compute and numpy (strict types, required, enums, patterns, lengths, ranges, safe text,
  country codes), then the rules between the fields of a row, and citations against the archived
  texts (the excerpt must be ``text[char_start:char_end]``, compared in bulk, or equal to it once
  normalised as ``nk_troops.excerpts`` says: ``normalising``, against the archive normalised once);
* ``references``, with ``keys``: only key columns are kept, as 64-bit hashes; per referenced table, one
  sort of its keys with every reference into it checks uniqueness, foreign keys, the claims registry and
  citation coverage, as soon as the tables it needs are read;
* ``reread``: values for messages are read again only for the rows reported, only those columns;
* ``schedule``: the tasks above on a thread pool (pyarrow and numpy release the GIL), each started
  once the tasks it needs have finished;
* ``core`` (this module): the plan of tasks, and the problems, located.

Rows are numbered as frictionless-py numbers them: the header is row 1, the first data row is row 2 (a
row is a CSV record, whatever line breaks its cells hold). What grows with the number of rows: the key
hashes (8 bytes per primary-key and foreign-key cell, plus a byte for presence), the lists of rows in
error, and the sorted copy of one table's keys and references while they are matched; never the text.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa

from .. import hints
from .. import models as M
from .. import problems as P
from ..confine import load_descriptor
from ..descriptor import disagreements
from .firstpass import check_unchanged
from .parts import cut, join
from .references import check_keys, check_places, needs
from .reread import emit
from .runstate import RunState
from .scan import scan
from .schedule import Task, run_tasks
from .spec import table_spec
from .state import Found, TableState

POLARS_MIN_BYTES = 32 << 20
"""Packages this large hash keys and match patterns with polars (faster on long columns; importing it
costs 0.3 s): measured 13 % faster below it with RE2 (docs/benchmarks.md)."""
PART_MIN = 48 << 20
"""Tables larger than this are read as several byte ranges, so both cores share the largest one."""


def load(run: RunState) -> bool:
    """Read the descriptor and make a state for every published table (unreadable where it names none)."""
    desc = load_descriptor(run.descriptor)
    if isinstance(desc, P.Problem):
        run.file_problems.append(desc)
        return False
    run.file_problems += desc.problems  # only a regular file inside the package's folder is opened
    unnamed = {p.resource for p in desc.problems if p.field == "name"}  # reported: its name is not text
    run.file_problems += disagreements(
        {k: v for k, v in desc.resources.items() if k not in unnamed}, run.descriptor.name, desc.package
    )
    run.resources = desc.resources
    for model in M.PUBLISHED:
        spec = table_spec(model)
        res = run.resources.get(model.resource)
        found = Found(model.resource)
        if model.resource in desc.paths:
            st = TableState(spec, desc.paths[model.resource], found)
        else:
            st = TableState(spec, run.root, found, readable=False)
            if res is None or "path" not in res:
                found.add(
                    P.FileUnreadable,
                    None,
                    None,
                    f"{run.descriptor.name} has no resource '{model.resource}' with a path",
                )
        run.states[model.resource] = st
    return True


def plan(run: RunState) -> tuple[list[Task], set[str]]:
    """The tasks of a check, and the names of those done already (the scans of tables that cannot be read).

    ``scan:T``: table T read and checked (for a big table, after ``cut:T`` and its ``part:T:i``);
    ``keys:T``: the key checks into T, after the scans of the tables they need. Citations are read after
    sources (the archive). Priorities (lower first): sources; the first pass of big files; the claims and
    citations keys (the longest) as soon as they can run; the scans, those claims needs first, each group
    largest first; the other key checks."""
    readable = [s for s in run.states.values() if s.readable]
    sizes = {s.spec.resource: s.path.stat().st_size for s in readable}
    total = sum(sizes.values()) or 1
    run.use_polars = total >= POLARS_MIN_BYTES
    target = max(PART_MIN, total // (4 * run.workers))
    archive_first = frozenset({"scan:sources"}) if run.check_excerpts else frozenset()
    chain = needs(run, "claims") | needs(run, "citations")
    tasks = []
    for st in sorted(readable, key=lambda s: -sizes[s.spec.resource]):
        r = st.spec.resource
        size = sizes[r]
        after = archive_first if r == "citations" else frozenset()
        parts = 1 if r == "sources" or run.workers == 1 else min(16, max(1, round(size / target)))
        if r == "sources":
            tasks.append(Task("scan:sources", 0, _scan_whole(run, st)))
        elif parts > 1:
            tasks.append(Task(f"cut:{r}", 1, _split(run, st, parts, after)))
        else:
            tasks.append(Task(f"scan:{r}", (2 if r in chain else 2.5) - size / total / 2, _scan_whole(run, st), after))
    for r in run.states:
        if r == "claims":
            keys = _keys(run, ["claims", "citations"])  # the two largest lookups, one after the other
            tasks.append(Task("keys:claims", 1.5, keys, frozenset(f"scan:{d}" for d in chain)))
        elif r != "citations":
            after = frozenset(f"scan:{d}" for d in needs(run, r))
            tasks.append(Task(f"keys:{r}", 4 - sizes.get(r, 0) / total / 2, _keys(run, [r]), after))
    return tasks, {f"scan:{s.spec.resource}" for s in run.states.values() if not s.readable}


def _scan_whole(run: RunState, st: TableState) -> Callable[[], list[Task]]:
    def task() -> list[Task]:
        scan(run, st)
        _scanned(run, st)
        return []

    return task


def _split(run: RunState, st: TableState, parts: int, after: frozenset[str]) -> Callable[[], list[Task]]:
    """The first pass over a big table, then a task per part and one joining them."""

    def task() -> list[Task]:
        r = st.spec.resource
        size = st.path.stat().st_size or 1
        out = []
        for part in cut(run, st, parts):
            a, b = part.byte_range or (0, size)
            out.append(Task(f"part:{r}:{part.part}", 2 - (b - a) / size / 2, _scan_part(run, part), after))
        out.append(Task(f"scan:{r}", 0, _join(run, st), frozenset(t.name for t in out)))
        return out

    return task


def _scan_part(run: RunState, part: TableState) -> Callable[[], list[Task]]:
    def task() -> list[Task]:
        scan(run, part)
        return []

    return task


def _join(run: RunState, st: TableState) -> Callable[[], list[Task]]:
    def task() -> list[Task]:
        join(st)
        _scanned(run, st)
        return []

    return task


def _scanned(run: RunState, st: TableState) -> None:
    """Once a table is read whole: whether its file changed meanwhile, and the checks of its rows alone."""
    check_unchanged(run, st)
    if st.spec.resource == "citations":
        check_places(run, st)


def _keys(run: RunState, resources: list[str]) -> Callable[[], list[Task]]:
    def task() -> list[Task]:
        for r in resources:
            check_keys(run, run.states[r])
        return []

    return task


def check(run: RunState) -> list[P.Problem]:
    """Check everything; Arrow allocates from jemalloc meanwhile (it hands freed memory back
    to the system sooner than mimalloc, the default: about 10 % less peak memory, as fast)."""
    previous: pa.MemoryPool | None = pa.default_memory_pool()
    try:
        pa.set_memory_pool(pa.jemalloc_memory_pool())
    except (NotImplementedError, AttributeError):  # a pyarrow built without jemalloc
        previous = None
    try:
        with hints.one_run():  # one budget for every did-you-mean of the run
            if load(run):
                tasks, finished = plan(run)
                run_tasks(tasks, run.workers, finished)
                emit(run)
            return problems(run)
    finally:
        if previous is not None:
            pa.set_memory_pool(previous)


def problems(run: RunState) -> list[P.Problem]:
    """Every problem found, located (kept-row indices become row numbers), in the report's order."""
    out: list[P.Problem] = list(run.file_problems)
    for cls, _, fld, msg, hint in run.package_found.items:
        out.append(cls(msg, file=run.descriptor.name, field=fld, hint=hint))
    for st in run.states.values():
        items = st.found.items
        plain = np.array([i for _, i, *_ in items if isinstance(i, int) and i >= 0], dtype=np.int64)
        numbers = iter(st.row_numbers(plain).tolist())
        resource = st.spec.resource
        for cls, index, fld, msg, hint in items:
            row: int | None
            if isinstance(index, tuple):  # a record pyarrow skipped: already a record number
                row = index[1] if index[1] >= 0 else None
            elif index is None:
                row = None
            elif index == -1:
                row = 1
            else:
                row = next(numbers)
            out.append(cls(msg, resource=resource, row=row, field=fld, hint=hint))
    out.sort(key=P.Problem.sort_key)
    return out


def validate_tables(
    package: str | os.PathLike,
    *,
    workers: int = 2,
    check_hash: bool = True,
    check_excerpts: bool = True,
    stats: dict | None = None,
    seeds_root: Path | None = None,
    where: Callable[[str, int], str] | None = None,
) -> list[P.Problem]:
    """Every problem in the CSV tables of a data package laid out like ours.

    ``package``: a ``datapackage.json`` or the folder holding it. Column
    definitions come from the record models (``schema_gen.columns``); the
    descriptor is read only for the paths, bytes and hashes of the tables.
    ``stats`` (optional dict) receives ``rows``: the data rows checked. ``seeds_root``: the folder whose
    seeds/ holds the archived texts (default: the package's folder); ``where``: how a message names another
    row (``RunState.where``).
    """
    path = Path(package)
    if path.is_dir():
        path = path / "datapackage.json"
    run = RunState(
        path, workers=max(1, workers), check_hash=check_hash, check_excerpts=check_excerpts, seeds_root=seeds_root
    )
    if where is not None:
        run.where = where
    found = check(run)
    if stats is not None:
        stats["rows"] = sum(s.rows for s in run.states.values())
        stats["tables"] = {r: s.rows for r, s in run.states.items()}
    return found
