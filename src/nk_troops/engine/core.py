"""The vectorised validation engine: every check on the published CSV tables, over columnar batches.

How it works (modules of this package, by job):

* ``reader``: each file is first read once, in 4 MB reads, for its sha256 and
  a whole-file UTF-8 check (so the CSV reader can skip its check
  of every cell; a file that fails is read through ``Utf8Repair``, its bad
  bytes as U+FFFD, each located to its row, every row checked); then each table is read in batches of a few MB with pyarrow's
  streaming CSV reader, every column as text, so a bad cell is reported and
  never stops the read; a big table is split at record boundaries (found in
  that first pass) into byte ranges, read in parallel as native Arrow streams;
* ``cells``: each batch is checked column by column with pyarrow.compute and
  numpy: strict types (no rollover of 2025-02-30, no 2021-7-04), required,
  enums, patterns, lengths, ranges, safe text, ISO country codes;
* ``rules``: the rules between the fields of a row: written dates against
  their bounds and precision, Knowable pairs, figures' numbers, archive
  fields, citation and link ids naming their claim;
* ``archive``: citations are checked against the archived texts as they stream
  by: the excerpt must be ``text[char_start:char_end]`` (compared in bulk as
  string views into the texts), or equal to it after the normalisation of
  ``nk_troops.excerpts`` (only rows that differ reach Python);
* ``keys``: only key columns are kept, as 64-bit hashes (polars' hash above
  32 MB, a numpy one below; 8 bytes a key, its low 4 bits free); per referenced table, one sort of its keys with
  every reference into it, each value tagged with the column it came from,
  checks uniqueness, foreign keys, the claims registry and citation coverage
  (equal values sort side by side, the key first), as soon as the tables it
  needs are read; values for messages are read again only for the rows
  reported, only those columns, per part, on the workers;
* ``core`` (this module): the plan, a priority queue of tasks on two threads
  (pyarrow and numpy release the GIL), and the problems, located.

Rows are numbered as frictionless-py numbers them: the header is row 1, the
first data row is row 2 (a row is a CSV record, whatever line breaks its
cells hold). What grows with the number of rows: the key hashes (8 bytes per
primary-key and foreign-key cell, plus a byte for presence), the lists of rows
in error, and the sorted copy of one table's keys and references while they are
matched (8 bytes a value; the passes over it work on slices of 2M values);
never the text.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .. import hints
from .. import models as M
from .. import problems as P
from .. import rulebook as R
from ..confine import load_descriptor
from ..links import (
    DUPLICATE_LINK_HINT,
    LINK_KEY,
    SELF_LINK,
    cycle_hint,
    cycle_message,
    cycles,
    duplicate_link_message,
    self_references,
)
from .archive import Archive, check_excerpts, excerpt_controls, excerpt_spans, load_archive
from .arrays import _eq, _np_mask, _present, _str, _values, forget_polars_strings
from .cells import check_column
from .keys import hash64, key_hashes, lookup, match, rows_with
from .reader import (
    BLOCK_SIZE,
    GROUP,
    Utf8Check,
    Utf8Repair,
    _Cutter,
    _header,
    _merge,
    csv_input,
    file_signature,
    file_windows,
)
from .rules import (
    DateTexts,
    rule_child_ids,
    rule_claims,
    rule_dates,
    rule_excerpt_length,
    rule_figures,
    rule_knowable,
    rule_sources,
)
from .spec import ColSpec, TableSpec, table_spec
from .state import Found, TableHashMismatch, TableState, TableStructure

_LINK = ",".join(LINK_KEY)
"""The key (in TableState.keys) of claim_links' rows as links: a hash of the three cells."""


class Engine:
    def __init__(self, descriptor: Path, *, workers: int = 2, check_hash: bool = True, check_excerpts: bool = True):
        self.descriptor = Path(descriptor)
        self.root = self.descriptor.parent
        self.workers = max(1, workers)
        self.check_hash = check_hash
        self.check_excerpts = check_excerpts
        self.package_found = Found("")
        self.descriptor_problems: list[P.Problem] = []  # located in the descriptor itself
        self.states: dict[str, TableState] = {}
        self.archive: Archive | None = None
        self.resources: dict[str, dict] = {}
        self.rows_checked = 0
        self._pending: list[tuple] = []
        self.dates = DateTexts()
        self._pending_lock = threading.Lock()
        self.use_polars = False

    # ---- plan
    def _load_descriptor(self) -> bool:
        desc = load_descriptor(self.descriptor)
        if isinstance(desc, P.Problem):
            self.descriptor_problems.append(desc)
            return False
        self.descriptor_problems += desc.problems  # only a regular file inside the package's folder is opened
        self.resources = desc.resources
        paths = desc.paths
        for model in M.PUBLISHED:
            spec = table_spec(model)
            res = self.resources.get(model.resource)
            found = Found(model.resource)
            st = TableState(spec, self.root, found, readable=False)
            if model.resource in paths:
                st = TableState(spec, paths[model.resource], found)
            elif res is None or "path" not in res:
                found.add(
                    P.FileUnreadable,
                    None,
                    None,
                    f"{self.descriptor.name} has no resource '{model.resource}' with a path",
                )
            self.states[model.resource] = st
        return True

    # ---- run
    EARLY_CHAIN = True
    OVERLAP_KEYS = True
    """Start a table's key checks as soon as the tables it needs are read (False: after every table is read)."""
    POLARS_MIN_BYTES = 32 << 20
    """Packages this large hash keys and match patterns with polars (faster on long columns; importing it costs 0.3 s)."""
    PART_MIN = 48 << 20
    """Tables larger than this are read as several byte ranges, so both cores share the largest one."""

    def run(self) -> list[P.Problem]:
        """Check everything; Arrow allocates from jemalloc meanwhile (it hands freed memory back
        to the system sooner than mimalloc, the default: about 10 % less peak memory, as fast)."""
        previous = pa.default_memory_pool()
        try:
            pa.set_memory_pool(pa.jemalloc_memory_pool())
        except (NotImplementedError, AttributeError):  # a pyarrow built without jemalloc
            previous = None
        try:
            with hints.one_run():  # one budget for every did-you-mean of the run
                return self._run()
        finally:
            if previous is not None:
                pa.set_memory_pool(previous)

    def _run(self) -> list[P.Problem]:
        if not self._load_descriptor():
            return self._problems()
        for s in self.states.values():
            if not s.readable:
                s.done.set()
        readable = [s for s in self.states.values() if s.readable]
        sizes = {s.spec.resource: s.path.stat().st_size for s in readable}
        total = sum(sizes.values()) or 1
        self.use_polars = total >= self.POLARS_MIN_BYTES
        target = max(self.PART_MIN, total // (4 * self.workers))
        sources = self.states["sources"]
        # priority (lower first): sources (the archive); reading the big files once (hash, cut points);
        # the longest key task (claims and citations) as soon as it can run; the scans, first those that
        # task needs, each group by size; then the other key tasks and the hashes of the small files
        queue: list[tuple[float, int, Callable[[], list]]] = []
        seq = self._seq = itertools.count()
        self._scanned = {s.spec.resource for s in self.states.values() if not s.readable}
        self._keyed: set[str] = set()
        self._sched_lock = threading.Lock()
        self._waiting_for_archive: list = []
        if sources.readable:
            queue.append((0, next(seq), lambda: self._scanned_then(sources)))
        for s in sorted(readable, key=lambda s: -sizes[s.spec.resource]):
            size = sizes[s.spec.resource]
            parts = 1 if s is sources or self.workers == 1 else min(16, max(1, round(size / target)))
            if parts > 1:
                queue.append((1, next(seq), functools.partial(self._hash_and_cut, s, parts)))
            else:
                if s is not sources:
                    first = s.spec.resource in self._key_deps("claims") and self.EARLY_CHAIN
                    queue += self._after_archive(
                        s, [((2 if first else 2.5) - size / total / 2, next(seq), lambda s=s: self._scanned_then(s))]
                    )
        queue += self._ready_key_tasks()  # tables that could not be read are done already
        self._run_queue(queue)
        self._emit_pending()
        return self._problems()

    def _key_deps(self, resource: str) -> set[str]:
        """The tables a table's key task needs scanned: itself, every table referring to it, and for claims the registry."""
        deps = {resource} | {
            o.spec.resource for o in self.states.values() for c in o.spec.columns if c.fk and c.fk[0] == resource
        }
        if resource == "claims":
            deps |= {"events", "statements", "figures", "citations"}
        if resource == "sources":
            deps |= {"citations"}
        return deps

    def _ready_key_tasks(self) -> list:
        """Key tasks whose tables are all scanned (claims and citations, the two largest lookups, one after the other)."""
        out = []
        with self._sched_lock:
            for st in self.states.values():
                r = st.spec.resource
                deps = self._key_deps(r) if self.OVERLAP_KEYS else set(self.states)
                if r in self._keyed or r == "citations" or not deps <= self._scanned:
                    continue
                self._keyed.add(r)
                if r == "claims":
                    self._keyed.add("citations")
                    out.append(
                        (
                            1.5 if self.EARLY_CHAIN else 4,
                            next(self._seq),
                            lambda: self._keys_of_all(["claims", "citations"]),
                        )
                    )
                else:
                    out.append((4 - 1e-12 * st.rows, next(self._seq), functools.partial(self._keys_of_all, [r])))
        return out

    def _keys_of_all(self, resources: list[str]) -> list:
        for r in resources:
            self._keys_of(self.states[r])
        return []

    def _scanned_then(self, st: TableState, part: TableState | None = None) -> list:
        """Scan a table (or one part of it); once the whole table is read, schedule the key checks it unblocks."""
        self._scan(part or st)
        with self._sched_lock:
            if part is not None:
                st.extra["parts_left"] -= 1
                if st.extra["parts_left"]:
                    return []
                self._join_parts(st)
            self._scanned.add(st.spec.resource)
            if "signature" in st.extra and st.readable and file_signature(st.path) != st.extra["signature"]:
                self._changed(st)
            released = []
            if st.spec.resource == "sources":
                released, self._waiting_for_archive = self._waiting_for_archive, []
        return self._ready_key_tasks() + released

    def _after_archive(self, st: TableState, tasks: list) -> list:
        """Scans of citations wait for the archive: held back (not started, so no worker blocks) until sources is read."""
        if st.spec.resource != "citations" or not self.check_excerpts:
            return tasks
        with self._sched_lock:
            if not self.states["sources"].done.is_set():
                self._waiting_for_archive.extend(tasks)
                return []
        return tasks

    def _run_queue(self, queue: list) -> None:
        """Run tasks by priority on the workers; a task may return more tasks."""
        import heapq

        heapq.heapify(queue)
        if self.workers == 1:
            while queue:
                _, _, task = heapq.heappop(queue)
                for item in task() or []:
                    heapq.heappush(queue, item)
            return
        lock = threading.Condition()
        running = [0]
        errors: list[BaseException] = []

        def worker() -> None:
            while True:
                with lock:
                    while not queue and running[0]:
                        lock.wait()
                    if not queue or errors:
                        lock.notify_all()
                        return
                    _, _, task = heapq.heappop(queue)
                    running[0] += 1
                try:
                    more = task() or []
                except BaseException as e:  # noqa: BLE001 - re-raised below
                    more = []
                    errors.append(e)
                with lock:
                    for item in more:
                        heapq.heappush(queue, item)
                    running[0] -= 1
                    lock.notify_all()

        threads = [threading.Thread(target=worker) for _ in range(self.workers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise errors[0]

    def _hash_and_cut(self, st: TableState, parts: int) -> list:
        """Read a big file once: check its hash and find record boundaries to split it at."""
        size = st.path.stat().st_size
        if _header(st.path) != st.spec.names:  # a table whose header is wrong is read whole (and reported)
            parts = 1
        cutter = _Cutter(size, parts)
        self._hash(st, cutter, force_read=True, utf8=True)
        bounds = sorted(
            {0, *(c for c in cutter.cuts if 0 < c < size), size}
        )  # no empty range (a cut at the end of the file)
        if len(bounds) < 2:  # an empty file (emptied since it was measured): one part, reported as empty
            bounds = [0, size]
        tasks = []
        for i, (a, b) in enumerate(itertools.pairwise(bounds)):
            part = TableState(st.spec, st.path, Found(st.spec.resource), byte_range=(a, b), part=i)
            if "utf8_ok" in st.extra:
                part.extra["utf8_ok"] = st.extra["utf8_ok"]
            st.parts.append(part)
            tasks.append((2 - (b - a) / size / 2, next(self._seq), lambda part=part: self._scanned_then(st, part)))
        st.extra["parts_left"] = len(tasks)
        return self._after_archive(st, tasks)

    def _join_parts(self, st: TableState) -> None:
        """Fold the parts of a split table into it: indices and record numbers become the table's."""
        rows = records = 0
        keys: dict[str, list] = {}
        for part in st.parts:
            for cls, index, fld, msg, hint in part.found.items:
                if isinstance(index, tuple):
                    number = index[1]
                    index = ("record", number if part.part == 0 or number < 0 else number + 1 + records)
                elif isinstance(index, int) and index >= 0:
                    index += rows
                st.found.items.append((cls, index, fld, msg, hint))
            st.skipped.extend(n if part.part == 0 else n + 1 + records for n in part.skipped)
            for name, (h, p) in part.keys.items():
                keys.setdefault(name, []).append((h, p))
            for name in ("unverified_idx", "bad_key_rows"):
                if name in part.extra:
                    vals = part.extra[name]
                    vals = vals if isinstance(vals, list) else [vals]
                    st.extra.setdefault(name + "_parts", []).extend(v + rows for v in vals)
            for name in ("unverified_src",):
                st.extra.setdefault(name, []).extend(part.extra.get(name, []))
            for name in ("checked_src", "deferred"):
                if name in part.extra:
                    st.extra[name] = part.extra[name]
            st.readable = st.readable and part.readable
            st.extra.setdefault("ranges", []).append((part.byte_range, part.part, rows, part.rows))
            rows += part.rows
            records += part.rows + len(part.skipped)
        st.rows = rows
        st.keys = {n: (np.concatenate([h for h, _ in v]), np.concatenate([p for _, p in v])) for n, v in keys.items()}
        if "unverified_idx_parts" in st.extra:
            st.extra["unverified_idx"] = st.extra.pop("unverified_idx_parts")
        bad = st.extra.pop("bad_key_rows_parts", [])
        st.extra["bad_key_rows"] = np.concatenate(bad) if bad else np.zeros(0, np.int64)
        st.parts = []

    def _hash(
        self, st: TableState, cutter: _Cutter | None = None, force_read: bool = False, utf8: bool = False
    ) -> None:
        """Check a file's size and hash (and, with ``utf8``, whether it is UTF-8: ``st.extra["utf8_ok"]``)."""
        res = self.resources.get(st.spec.resource, {})
        want_bytes, want_hash = res.get("bytes"), res.get("hash") if self.check_hash else None
        signature = file_signature(st.path)  # (size, mtime, inode), compared again once the table is parsed (_changed)
        if signature is None:
            self._changed(st)
            return
        size = signature[0]
        if self.check_hash and want_bytes is not None and size != want_bytes:
            st.found.add(
                TableHashMismatch,
                None,
                None,
                f"'{res['path']}' is {size:,} bytes; datapackage.json says {want_bytes:,}",
            )
        if not want_hash and not force_read and not utf8:
            return
        algo, _, digest = str(want_hash or "").rpartition(":")
        h = hashlib.new(algo or "md5") if want_hash else None
        check = Utf8Check() if utf8 else None
        read = 0
        for offset, window in file_windows(st.path):
            read += len(window)
            if h is not None:
                h.update(window)
            if cutter is not None:
                cutter.feed(window, len(window), offset)
            if check is not None:
                check.feed(window)
        if check is not None:
            st.extra["utf8_ok"] = check.finish()
        st.extra["signature"] = signature
        if read != size or file_signature(st.path) != signature:
            self._changed(st)
        if h is not None and h.hexdigest() != digest:
            st.found.add(
                TableHashMismatch,
                None,
                None,
                f"'{res['path']}' has {algo or 'md5'} {h.hexdigest()}; datapackage.json says {digest}",
            )

    def _changed(self, st: TableState) -> None:
        """Report (once) a file rewritten while it was being checked: what was read may mix two versions."""
        if not st.extra.get("changed_reported"):
            st.extra["changed_reported"] = True
            st.extra["utf8_ok"] = False
            st.found.add(
                P.FileUnreadable,
                None,
                None,
                f"'{self.resources.get(st.spec.resource, {}).get('path', st.path.name)}' changed while it was being "
                "checked; check it again once nothing writes to it",
            )

    def _scan(self, st: TableState) -> None:
        if st.byte_range is None:
            self._hash(st, utf8=True)
        try:
            self._scan_inner(st)
        finally:
            for name, parts in list(st.keys.items()):
                if isinstance(parts, list) and parts:
                    st.keys[name] = (np.concatenate([h for h, _ in parts]), np.concatenate([p for _, p in parts]))
            bad = st.extra.pop("bad_key_list", None)
            st.extra["bad_key_rows"] = np.concatenate(bad) if bad else np.zeros(0, np.int64)
            if st.spec.resource == "sources":
                self.archive = load_archive(self.root, st)
            st.done.set()

    def _scan_inner(self, st: TableState) -> None:
        spec = st.spec
        names = spec.names
        head = _header(st.path)
        if st.part > 0:  # a later part of a file: no header (a bad header was reported by part 0)
            head = names
        if head != names:
            if st.extra.get("utf8_ok") is False:  # the first pass found the file is not UTF-8 (UTF-16, Latin-1...)
                st.found.add(
                    P.EncodingProblem,
                    None,
                    None,
                    "the file is not UTF-8, so its header cannot be read",
                    "tables are UTF-8 CSV (RFC 4180) with the columns of the schema; save it as UTF-8",
                )
                st.readable = False
                return
            missing = [n for n in names if n not in head]
            extra = [n for n in head if n not in names]
            for n in missing:
                st.found.add(TableStructure, -1, n, f"the header has no column {n!r}")
            for n in extra:
                st.found.add(TableStructure, -1, n, f"the header has a column {n!r} that the table does not define")
            if not missing and not extra:
                st.found.add(TableStructure, -1, None, f"the columns are not in the defined order: {', '.join(names)}")
            if missing or len(head) != len(names):
                st.readable = False
                return
        skipped = st.skipped

        def on_invalid(row) -> str:
            number = row.number if row.number is not None else -1
            skipped.append(number)
            st.found.add(
                TableStructure,
                ("record", number),
                None,
                f"the row has {row.actual_columns} cells; the header has {row.expected_columns}",
            )
            return "skip"

        dict_cols = {c.name for c in spec.columns if c.enum is not None or c.country}
        types = {n: pa.dictionary(pa.int32(), pa.string()) if n in dict_cols else pa.string() for n in head}
        convert = pacsv.ConvertOptions(
            column_types=types,
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
            null_values=[""],
            check_utf8="utf8_ok" not in st.extra,  # known to be UTF-8, or read through Utf8Repair
        )
        parse = pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False, invalid_row_handler=on_invalid)
        read = pacsv.ReadOptions(use_threads=False, block_size=BLOCK_SIZE, column_names=names if st.part > 0 else None)
        repair = st.extra.get("utf8_ok") is False  # the first pass found bytes that are not UTF-8: located below
        source, closer = csv_input(st.path, st.byte_range, repair)
        try:
            reader = pacsv.open_csv(source, read_options=read, parse_options=parse, convert_options=convert)
            group: list[pa.RecordBatch] = []
            for batch in reader:
                group.append(batch)
                if len(group) == GROUP:
                    self._check_batch(st, _merge(group))
                    group = []
            if group:
                self._check_batch(st, _merge(group))
        except (pa.ArrowInvalid, OSError, UnicodeDecodeError) as e:
            msg = str(e).split("\n")[0]
            cls = P.EncodingProblem if "UTF8" in msg or "utf" in msg.lower() else P.FileUnreadable
            st.found.add(
                cls,
                None,
                None,
                f"reading stopped after {st.rows:,} rows{' of part ' + str(st.part + 1) if st.byte_range else ''}: {msg}",
                "tables are UTF-8 CSV (RFC 4180) with the columns of the schema",
            )
            st.readable = False
        finally:
            if closer is not None:
                closer.close()
        if isinstance(closer, Utf8Repair):
            rows = set()
            for number, column, at in closer.bad:  # one problem a row, at its first bad byte
                if number not in rows:
                    rows.add(number)
                    st.found.add(
                        P.EncodingProblem,
                        ("record", number),
                        names[column] if column < len(names) else None,
                        f"byte {at:,} of the file is not UTF-8 (the row is checked with it read as U+FFFD)",
                        "tables are UTF-8 CSV: save the file as UTF-8",
                    )

    def _check_batch(self, st: TableState, batch: pa.RecordBatch) -> None:
        spec = st.spec
        found = st.found
        base = st.rows
        n = batch.num_rows
        cols = {c.name: batch.column(c.name) for c in spec.columns}
        pk = cols[spec.primary_key]
        live = np.ones(n, bool)
        pk_null = _np_mask(pc.is_null(pk))
        if pk_null.any():  # a blank row (every cell empty) is reported once, as frictionless does
            blank = pk_null.copy()
            for col in cols.values():
                blank &= _np_mask(pc.is_null(col))
            if blank.any():
                found.many(TableStructure, np.flatnonzero(blank) + base, None, "the row is blank")
                live &= ~blank
        typed, ok = {}, {}
        deferred = st.extra.setdefault("deferred", {c.name: self._deferred(spec, c) for c in spec.columns})
        archive = None
        if spec.resource == "citations" and self.check_excerpts:
            self.states["sources"].done.wait()
            archive = self.archive
        for c in spec.columns:
            if archive is not None and c.name == "excerpt":
                continue  # checked last: the archive tells which excerpts hold control characters
            typed[c.name], ok[c.name] = check_column(
                c, cols[c.name], live, found, base, deferred[c.name], self.use_polars
            )
        if archive is not None:
            k_arr, spans = excerpt_spans(cols, typed, ok, archive)
            c = spec.by_name["excerpt"]
            typed[c.name], ok[c.name] = check_column(
                c,
                cols[c.name],
                live,
                found,
                base,
                deferred[c.name],
                self.use_polars,
                control=excerpt_controls(cols[c.name], spans, archive),
            )
        bad_pk = live & _present(pk) & ~ok[spec.primary_key]
        if bad_pk.any():
            st.extra.setdefault("bad_key_list", []).append(np.flatnonzero(bad_pk) + base)
        rule_knowable(spec, cols, live, found, base)
        rule_dates(spec, cols, typed, ok, live, found, base, self.dates)
        r = spec.resource
        if r == "figures":
            rule_figures(cols, typed, ok, live, found, base)
        elif r == "sources":
            rule_sources(cols, ok, live, found, base)
            declared = ok["status"] & _eq(cols["status"], "archived") & ok["source_id"]
            if declared.any():
                st.extra.setdefault("status_archived", []).extend(_values(cols["source_id"], np.flatnonzero(declared)))
            arch = declared & ok["archived_file"]
            if arch.any():
                idx = np.flatnonzero(arch)
                ex = st.extra
                ex.setdefault("arch_index", []).extend((idx + base).tolist())
                ex.setdefault("arch_id", []).extend(_values(cols["source_id"], idx))
                ex.setdefault("arch_file", []).extend(_values(cols["archived_file"], idx))
                sha_ok = ok["sha256"]
                ex.setdefault("arch_sha", []).extend(
                    v if sha_ok[i] else None for i, v in zip(idx, _values(cols["sha256"], idx), strict=True)
                )
            orig = arch & ok["original_file"] & _present(cols["original_file"])
            if orig.any():  # the saved page an archived text was extracted from (seeds.original_refusal)
                idx = np.flatnonzero(orig)
                st.extra.setdefault("orig_index", []).extend((idx + base).tolist())
                st.extra.setdefault("orig_file", []).extend(_values(cols["original_file"], idx))
                st.extra.setdefault("orig_sha", []).extend(_values(cols["original_sha256"], idx))
        elif r == "claims":
            rule_claims(cols, ok, found, base)
        elif r == "citations":
            rule_child_ids("citation_id", "/c", cols, ok, found, base, self.use_polars)
            rule_excerpt_length(cols, ok, found, base)
            if archive is not None:
                st.extra["checked_src"] = True
                check_excerpts(cols, ok, live, archive, st, base, k_arr, spans)
        elif r == "claim_links":
            rule_child_ids("link_id", "/l", cols, ok, found, base, self.use_polars)
            self_link = (
                ok["claim_id"] & ok["other_claim_id"] & _np_mask(pc.equal(cols["claim_id"], cols["other_claim_id"]))
            )
            found.many(P.RecordRule, np.flatnonzero(self_link) + base, "other_claim_id", SELF_LINK)
            link = pc.binary_join_element_wise(*(_str(cols[name]) for name in LINK_KEY), "\x1f")
            st.keys.setdefault(_LINK, []).append(key_hashes(link, live, self.use_polars))
        # keep the key columns (nulls for rows that are blank)
        for c in spec.columns:
            if r == "citations" and c.name == "source_id" and st.extra.get("checked_src"):
                continue  # looked up at the end only where no archived text matched (see check_excerpts)
            if c.unique or c.fk:
                st.keys.setdefault(c.name, []).append(key_hashes(cols[c.name], live, self.use_polars))
        forget_polars_strings()
        st.rows += n

    # ---- keys, across tables
    def _deferred(self, spec: TableSpec, c: ColSpec) -> bool:
        """A foreign-key column whose cell rules are exactly those of the key it refers to."""
        if not c.fk:
            return False
        target = table_spec(M.BY_RESOURCE[c.fk[0]]).by_name.get(c.fk[1])
        return (
            target is not None
            and target.unique
            and all(
                getattr(target, a) == getattr(c, a)
                for a in ("type", "enum", "pattern", "min_length", "max_length", "safe_text", "visible_only", "country")
            )
        )

    def _probes_into(self, target: TableState) -> list[tuple[str, TableState, str, pa.ChunkedArray, np.ndarray | None]]:
        """What to look up in a table's primary key: (kind, table, column, hashes, row index or None = all rows)."""
        r = target.spec.resource
        probes: list[tuple[str, TableState, str, Any, np.ndarray | None]] = []
        for st in self.states.values():
            if not st.rows:
                continue
            for c in st.spec.columns:
                if c.fk and c.fk[0] == r:
                    if st.spec.resource == "citations" and c.name == "source_id" and "checked_src" in st.extra:
                        # values that named an archived text are known sources; look up only the others
                        chunks = st.extra.get("unverified_src", [])
                        if chunks:
                            src = pa.concat_arrays(chunks)
                            probes.append(
                                (
                                    "fk",
                                    st,
                                    c.name,
                                    (hash64(src, self.use_polars), _present(src)),
                                    np.concatenate(st.extra["unverified_idx"]),
                                )
                            )
                        continue
                    probes.append(("fk", st, c.name, st.key(c.name), None))
        if r == "claims":
            for name in ("events", "statements", "figures"):
                st = self.states[name]
                if st.rows:
                    probes.append(("registry", st, st.spec.primary_key, st.key(st.spec.primary_key), None))
        return probes

    def _later(
        self,
        st: TableState,
        cls: type | None,
        index: np.ndarray,
        fld: str | None,
        columns: tuple[str, ...],
        message: Callable[..., str | None] | ColSpec | None,
        hint: str | None = None,
        related: dict[int, list[int]] | None = None,
    ) -> None:
        """A problem whose message needs cell values: they are read again from the file once the keys are checked.
        ``message`` gets the row's value of each of ``columns`` (None: no problem after all); with ``related``
        ({row: rows}), those rows, then the values of those rows as a list per column."""
        if len(index):
            with self._pending_lock:
                self._pending.append((st, cls, np.asarray(index, dtype=np.int64), fld, columns, message, hint, related))

    def _keys_of(self, target: TableState) -> None:
        """One sort of a table's primary key with every reference into it: its uniqueness, every
        foreign key into it, and (for claims) the registry and citation coverage."""
        spec = target.spec
        r = spec.resource
        if target.rows == 0:
            return
        pkname = spec.primary_key
        pk = target.key(pkname)
        probes = self._probes_into(target)
        groups = {}
        if r == "claims":
            groups["held"] = [i for i, p in enumerate(probes) if p[0] == "registry"]
            groups["cited"] = [
                i for i, p in enumerate(probes) if p[1].spec.resource == "citations" and p[2] == "claim_id"
            ]
        m = match(pk, [p[3] for p in probes], groups)
        if len(m.duplicated):
            first: dict[int, int] = {}
            dups, firsts = [], []
            held = rows_with(pk, m.duplicated)
            for i, v in zip(held.tolist(), pk[0][held].tolist(), strict=True):
                if v in first:
                    dups.append(i)
                    firsts.append(first[v])
                else:
                    first[v] = i
            self._later(
                target,
                P.DuplicateId,
                np.array(dups, np.int64),
                pkname,
                (pkname,),
                None,
                "give this row its own id, or merge the two",
            )
            target.extra["dup_first"] = dict(zip(dups, firsts, strict=True))
        bad_pk = target.extra.get("bad_key_rows")
        bad_values = pk[0][bad_pk] if bad_pk is not None and len(bad_pk) else np.zeros(0, np.uint64)
        for (kind, st, name, values, rows), missing_values in zip(probes, m.missing, strict=True):

            def index(sel: np.ndarray, rows=rows) -> np.ndarray:
                return rows[sel] if rows is not None else sel

            col = st.spec.by_name[name]
            missing = rows_with(values, missing_values)
            if kind == "fk":
                deferred = st.extra.get("deferred", {}).get(name)
                if len(missing):
                    idx = index(missing)
                    self._later(
                        st,
                        P.DanglingReference,
                        idx,
                        name,
                        (name,),
                        lambda v, r=r: f"'{v}' is not the id of any row in {r}",
                    )
                    if deferred:
                        self._later(st, None, idx, name, (name,), col)  # its own cell rules, checked on the values
                if deferred and len(bad_values):
                    odd = rows_with(values, bad_values)  # refers to a row whose key broke its own rules
                    if len(odd):
                        self._later(st, None, index(odd), name, (name,), col)
                if st is target and name in self_references(spec.model):
                    self._cycles(target, name, lookup(pk, [values])[0])
            elif kind == "registry" and len(missing):
                self._later(
                    st,
                    P.DanglingReference,
                    missing,
                    name,
                    (name,),
                    lambda v: f"'{v}' has no row in claims (the key registry)",
                )
        if r == "claims":
            table = {"ev": "events", "st": "statements", "fg": "figures"}
            if all(
                self.states[t].readable for t in table.values()
            ):  # else every claim of an unread table would be reported
                self._later(
                    target,
                    P.DanglingReference,
                    rows_with(pk, m.unreferenced["held"]),
                    "claim_id",
                    ("claim_id",),
                    lambda v: f"'{v}' is in claims but not in {table.get(v[:2], 'events, statements or figures')}",
                )
            if self.states["citations"].readable:
                self._later(
                    target,
                    P.MissingCitation,
                    rows_with(pk, m.unreferenced["cited"]),
                    "claim_id",
                    ("claim_id",),
                    lambda v: f"'{v}' has no row in citations",
                    "every event, statement and figure cites at least one archived source",
                )
        if r == "sources":
            self._unarchived(target, pk)
        if r == "claim_links":
            self._duplicate_links(target)

    def _duplicate_links(self, links: TableState) -> None:
        """Rows that repeat an earlier row's link (links.LINK_KEY): found by hash, confirmed on the values."""
        key = links.key(_LINK)
        held = rows_with(key, match(key, []).duplicated)
        first: dict[int, int] = {}
        related: dict[int, list[int]] = {}
        for i, v in zip(held.tolist(), key[0][held].tolist(), strict=True):
            if v in first:
                related[i] = [first[v], i]
            else:
                first[v] = i
        if not related:
            return
        firsts = np.array(sorted(first.values()), np.int64)
        number = dict(zip(firsts.tolist(), links.row_numbers(firsts).tolist(), strict=True))

        def message(rows: list[int], claim: list, relation: list, other: list) -> str | None:
            if claim[0] != claim[1] or relation[0] != relation[1] or other[0] != other[1]:
                return None  # two links whose hashes are equal
            return duplicate_link_message(relation[1], other[1], f"row {number[rows[0]]}")

        self._later(
            links,
            P.RecordRule,
            np.array(sorted(related), np.int64),
            None,
            LINK_KEY,
            message,
            DUPLICATE_LINK_HINT,
            related=related,
        )

    def _cycles(self, table: TableState, column: str, where: np.ndarray) -> None:
        """Each loop of a self-reference once, at the row that closes it (links.cycles). ``where``: the row
        each row's ``column`` names (-1: none). Pointer doubling first keeps only the rows whose chain never
        ends (in a loop or leading into one), so Python walks only those."""
        p = where
        for _ in range(int(np.ceil(np.log2(len(where) + 1))) + 1):  # then only chains that never end point somewhere
            p = np.where(p >= 0, p[np.maximum(p, 0)], -1)
            if not (p >= 0).any():
                return
        loops = cycles({int(i): int(where[i]) for i in np.flatnonzero(p >= 0)})
        self._later(
            table,
            P.RecordRule,
            np.array([loop[0] for loop in loops], np.int64),
            column,
            (table.spec.primary_key,),
            lambda rows, ids: cycle_message(column, ids),
            cycle_hint(column),
            related={loop[0]: loop for loop in loops},
        )

    def _unarchived(self, sources: TableState, pk: tuple[np.ndarray, np.ndarray]) -> None:
        """Citations of existing sources with no archived text (a source whose archived text failed its checks is reported on the source)."""
        cit = self.states["citations"]
        chunks = cit.extra.get("unverified_src")
        if not chunks:
            return
        idx = np.concatenate(cit.extra["unverified_idx"])
        src = pa.concat_arrays(chunks)
        exists = lookup(pk, [(hash64(src, self.use_polars), _present(src))])[0] >= 0
        declared = pa.array(sources.extra.get("status_archived", []), pa.string())
        sel = np.flatnonzero(exists & ~_np_mask(pc.is_in(src, value_set=declared)))
        cit.found.many(
            R.CITES_ARCHIVED.kind,
            idx[sel],
            "source_id",
            [R.CITES_ARCHIVED.message(source_id=v) for v in _values(src, sel)],
            R.CITES_ARCHIVED.hint,
        )

    def _fetch(
        self,
        st: TableState,
        wanted: dict[str, np.ndarray],
        byte_range: tuple[int, int] | None = None,
        part: int = 0,
        base: int = 0,
    ) -> dict[str, dict[int, Any]]:
        """Read a table (or one byte range of it, whose first kept row is ``base``) again for the values
        of a few cells: {column: {kept row index: value}}. Only the wanted columns are converted, and
        reading stops after the last wanted row."""
        names = sorted(wanted)
        head = st.spec.names if part > 0 else _header(st.path)
        convert = pacsv.ConvertOptions(
            column_types={n: pa.string() for n in head},
            include_columns=names,
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
            null_values=[""],
        )
        parse = pacsv.ParseOptions(
            newlines_in_values=True, ignore_empty_lines=False, invalid_row_handler=lambda row: "skip"
        )
        read = pacsv.ReadOptions(use_threads=False, block_size=BLOCK_SIZE, column_names=head if part > 0 else None)
        out: dict[str, dict[int, Any]] = {n: {} for n in names}
        last = max((int(v.max()) for v in wanted.values() if len(v)), default=-1)
        source, closer = csv_input(st.path, byte_range, st.extra.get("utf8_ok") is False)
        try:
            for batch in pacsv.open_csv(source, read_options=read, parse_options=parse, convert_options=convert):
                n = batch.num_rows
                for name in names:
                    idx = wanted[name]
                    sel = idx[(idx >= base) & (idx < base + n)]
                    if len(sel):
                        vals = batch.column(name).take(pa.array(sel - base)).to_pylist()
                        out[name].update(zip(sel.tolist(), vals, strict=True))
                base += n
                if base > last:
                    break
        finally:
            if closer is not None:
                closer.close()
        return out

    def _emit_pending(self) -> None:
        """Turn problems that needed cell values into Problems. Each table (each part of a split
        table) holding such a cell is read again once, only the columns wanted, on the workers."""
        by_table: dict[str, list] = {}
        for item in self._pending:
            by_table.setdefault(item[0].spec.resource, []).append(item)
        values: dict[str, dict[str, dict[int, Any]]] = {}
        tasks = []
        for resource, items in by_table.items():
            st = items[0][0]
            wanted: dict[str, list[np.ndarray]] = {}
            for _, cls, index, _fld, columns, _message, _hint, related in items:
                extra = (
                    [np.array(list(st.extra.get("dup_first", {}).values()), dtype=np.int64)]
                    if cls is P.DuplicateId
                    else []
                )
                if related:
                    extra.append(np.array([j for rows in related.values() for j in rows], dtype=np.int64))
                for c in columns:
                    wanted.setdefault(c, []).extend([index, *extra])
            want = {c: np.unique(np.concatenate(v)) for c, v in wanted.items()}
            got = values[resource] = {c: {} for c in want}
            ranges = st.extra.get("ranges") or [(None, 0, 0, st.rows)]
            for byte_range, part, base, rows in ranges:
                mine = {c: v[(v >= base) & (v < base + rows)] for c, v in want.items()}
                if any(len(v) for v in mine.values()):

                    def fetch(st=st, mine=mine, byte_range=byte_range, part=part, base=base, got=got) -> list:
                        for c, d in self._fetch(st, mine, byte_range, part, base).items():
                            got[c].update(d)  # distinct keys per part: safe from two threads
                        return []

                    tasks.append((-rows, next(self._seq), fetch))
        self._run_queue(tasks)
        for resource, items in by_table.items():
            st = items[0][0]
            vals = values[resource]
            for _, cls, index, fld, columns, message, hint, related in items:
                if cls is None:  # cell rules of a deferred key column, on the values
                    sub = pa.array([vals[fld].get(int(i)) for i in index], pa.string())
                    late = Found(resource)
                    check_column(message, sub, np.ones(len(index), bool), late, 0)
                    for kcls, i, f2, msg, h2 in late.items:
                        st.found.add(kcls, int(index[i]), f2, msg, h2)
                    continue
                if cls is P.DuplicateId:
                    firsts = st.extra.get("dup_first", {})
                    for i in index.tolist():
                        v, first = vals[fld].get(i), firsts.get(i)
                        if (
                            first is not None and vals[fld].get(first) == v
                        ):  # confirmed on the values, not only the hash
                            row = int(st.row_numbers(np.array([first]))[0])
                            st.found.add(cls, i, fld, f"'{v}' is already used by row {row}", hint)
                    continue
                for i in index.tolist():
                    if related is None:
                        text = message(*(vals[c].get(i) for c in columns))
                    else:
                        text = message(related[i], *([vals[c].get(j) for j in related[i]] for c in columns))
                    if text is not None:
                        st.found.add(cls, i, fld, text, hint)

    # ---- output
    def _problems(self) -> list[P.Problem]:
        out: list[P.Problem] = list(self.descriptor_problems)
        for cls, _, fld, msg, hint in self.package_found.items:
            out.append(cls(msg, file=self.descriptor.name, field=fld, hint=hint))
        for st in self.states.values():
            self.rows_checked += st.rows
            items = st.found.items
            plain = np.array([i for _, i, *_ in items if isinstance(i, int) and i >= 0], dtype=np.int64)
            numbers = iter(st.row_numbers(plain).tolist())
            resource = st.spec.resource
            for cls, index, fld, msg, hint in items:
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
) -> list[P.Problem]:
    """Every problem in the CSV tables of a data package laid out like ours.

    ``package``: a ``datapackage.json`` or the folder holding it. Column
    definitions come from the record models (``schema_gen.columns``); the
    descriptor is read only for the paths, bytes and hashes of the tables.
    ``stats`` (optional dict) receives ``rows``: the data rows checked.
    """
    path = Path(package)
    if path.is_dir():
        path = path / "datapackage.json"
    engine = Engine(path, workers=workers, check_hash=check_hash, check_excerpts=check_excerpts)
    problems = engine.run()
    if stats is not None:
        stats["rows"] = engine.rows_checked
        stats["tables"] = {r: s.rows for r, s in engine.states.items()}
    return problems
