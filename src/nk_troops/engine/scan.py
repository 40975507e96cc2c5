"""Reading one table (or one part of a split table): its header, then its rows in batches with pyarrow's
streaming CSV reader, every column as text, each batch checked as it comes (``batch.check_batch``); a row
pyarrow cannot split into the columns, or a byte that is not UTF-8, is located to its row."""

from __future__ import annotations

import contextlib
from collections import Counter

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from .. import problems as P
from .archive import load_archive
from .batch import check_batch
from .boundaries import record_after
from .firstpass import check_file
from .reader import BLOCK_SIZE, GROUP, CsvInput, _header_line, _merge
from .runstate import RunState
from .state import Range, TableState, TableStructure


def scan(run: RunState, st: TableState) -> None:
    """Read and check a table (the first pass first, unless it is a part of a split one); for sources,
    then read the archived texts it names."""
    if st.byte_range is None:
        check_file(run, st)
    try:
        read_rows(run, st)
    finally:
        st.keys = {
            name: (np.concatenate([h for h, _ in parts]), np.concatenate([p for _, p in parts]))
            for name, parts in st.key_batches.items()
            if parts
        }
        st.key_batches = {}
        st.bad_key_rows = np.concatenate(st.bad_key_batches) if st.bad_key_batches else np.zeros(0, np.int64)
        st.bad_key_batches = []
        if st.spec.resource == "sources":
            run.archive = load_archive(run.archive_root, st, run.file_problems)


def read_rows(run: RunState, st: TableState) -> None:
    spec = st.spec
    names = spec.names
    if st.part > 0:  # a later part of a file: no header (a bad header was reported by part 0)
        head, end = names, b"\n"
    else:
        head, end = _header_line(st.path)
    if end == b"\r" and st.utf8_ok is not False:  # pyarrow misreads the quoted line breaks of such a file
        st.found.add(
            TableStructure,
            -1,
            None,
            "the header line ends in a bare CR (a carriage return alone); a table's lines end in CRLF or LF",
            "save it with CRLF or LF line ends, as RFC 4180 CSV (a CR inside a cell goes in quotes)",
        )
        st.readable = False
        return
    if head != names and not _header_usable(st, head):
        st.readable = False
        return
    convert = pacsv.ConvertOptions(
        column_types={n: pa.string() for n in head},
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
        null_values=[""],
        check_utf8=st.utf8_ok is None,  # known to be UTF-8, or read through Utf8Repair
    )
    # A record longer than a block stops pyarrow's reader, or not, as the block edges fall. It is read alone, in
    # a block that holds it, and the rows after it are read on, each stretch numbered on from the last. A record
    # over LONGEST blocks is reported and skipped: it always stops the reader, so every read says the same.
    segment, header = st.byte_range, st.part == 0  # what the next reader reads; whether it starts at the header
    done = 0  # records of this table (or part) before the segment, the header not counted
    ranges: list[Range] = []
    while True:
        base, before = st.rows, len(st.skipped)
        stop = _read_segment(run, st, segment, header, head, convert, done + int(st.part == 0 and not header))
        consumed = st.rows - base + len(st.skipped) - before
        first, last = segment or (0, 0)
        span = None
        if stop is not None and stop.startswith(TOO_LONG):
            with contextlib.suppress(OSError):
                last = last or st.path.stat().st_size
                span = record_after(st.path, first, last, consumed + header)
            until = st.quotes_pair_until
            if span is not None and until is not None and span[1] > until:
                span = None  # its end is found by quote parity, which says nothing past a quote that does not pair
        if span is None:
            ranges.append(Range(segment, header, base, st.rows - base))
            _stopped(st, stop)
            break
        a, b = span
        ranges.append(Range((first, a), header, base, st.rows - base))
        done += consumed
        if b - a <= LONGEST * BLOCK_SIZE:
            base = st.rows
            block = (b - a) * (3 if st.utf8_ok is False else 1) + 1  # a byte read as U+FFFD is three
            alone = _read_segment(run, st, (a, b), False, head, convert, done + int(st.part == 0), block)
            ranges.append(Range((a, b), False, base, st.rows - base, block))
            if alone is not None:
                _stopped(st, alone)
                break
        else:
            number = done + (2 if st.part == 0 else 1)  # as pyarrow numbers records (part 0: the header is 1)
            st.skipped.append(number)
            st.found.add(
                TableStructure,
                ("record", number),
                None,
                f"the record is {b - a:,} bytes long, more than the {LONGEST * BLOCK_SIZE:,} a record may have; "
                "its cells are not checked, the rows after it are",
                "no cell of a table is that long: look for a cell pasted in by mistake",
            )
        done += 1
        if b >= last:
            break
        segment, header = (b, last), False
    if len(ranges) > 1:
        st.ranges = ranges


LONGEST = 16
"""Blocks a record may hold: a longer one is reported and skipped (pyarrow's reader stops on any record longer
than two blocks, so none between two blocks and this is read by one read and skipped by another)."""


TOO_LONG = "straddling object straddles two block boundaries"
"""How pyarrow's reader says that a record is longer than its block."""


def _read_segment(
    run: RunState,
    st: TableState,
    segment: tuple[int, int] | None,
    header: bool,
    head: list[str],
    convert: pacsv.ConvertOptions,
    offset: int,
    block: int | None = None,
) -> str | None:
    """Read and check the rows of ``segment`` (None: the whole file); return what stopped the read, if anything.
    Record numbers are pyarrow's plus ``offset``."""
    skipped = st.skipped
    base, before = st.rows, len(skipped)

    def on_invalid(row) -> str:
        number = row.number + offset if row.number is not None else -1
        skipped.append(number)
        st.found.add(
            TableStructure,
            ("record", number),
            None,
            f"the row has {row.actual_columns} cells; the header has {row.expected_columns}",
        )
        return "skip"

    parse = pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False, invalid_row_handler=on_invalid)
    read = pacsv.ReadOptions(use_threads=False, block_size=block or BLOCK_SIZE, column_names=None if header else head)
    repair = st.utf8_ok is False  # the first pass found bytes that are not UTF-8: located below
    source = None
    group: list[pa.RecordBatch] = []  # read, not yet checked
    stop: str | None = None
    try:
        with CsvInput(st.path, segment, repair) as source:
            for batch in source.open(read_options=read, parse_options=parse, convert_options=convert):
                group.append(batch)
                if len(group) == GROUP:
                    ready, group = group, []
                    check_batch(run, st, _merge(ready))
    except (pa.ArrowInvalid, OSError, UnicodeDecodeError) as e:
        stop = str(e).split("\n")[0]
    if group:  # the rows read before the end, or before a stop
        check_batch(run, st, _merge(group))
    if source is not None and source.repaired is not None:
        given = st.rows - base + len(skipped) - before + header  # records the reader gave (it reads ahead)
        rows = set()
        for number, column, at in source.repaired.bad:  # one problem a row, at its first bad byte
            if number not in rows and number <= given:
                rows.add(number)
                st.found.add(
                    P.EncodingProblem,
                    ("record", number + offset),
                    head[column] if column < len(head) else None,
                    f"byte {at:,} of the file is not UTF-8 (the row is checked with it read as U+FFFD)",
                    "tables are UTF-8 CSV: save the file as UTF-8",
                )
    return stop


def _stopped(st: TableState, stop: str | None) -> None:
    """Report why the read of a table (or part) stopped, if it did: its rows after that are not read."""
    if stop is None:
        return
    if st.rows == 0 and st.part == 0 and stop.startswith("CSV parse error: Empty CSV file"):
        return  # the header (checked above) with no line end after it: a table with no rows
    if stop.startswith(TOO_LONG):  # a quote not closed: the record runs to the end of the file
        stop = f"a record is longer than the {BLOCK_SIZE:,} bytes the reader takes at once"
    cls = P.EncodingProblem if "UTF8" in stop or "utf" in stop.lower() else P.FileUnreadable
    st.found.add(
        cls,
        None,
        None,
        f"reading stopped after {st.rows:,} rows{' of part ' + str(st.part + 1) if st.of_parts > 1 else ''}: {stop}",
        "tables are UTF-8 CSV (RFC 4180) with the columns of the schema",
    )
    st.readable = False


EXTRA_COLUMNS_SAID = 20
"""Columns the table does not define that are reported one by one; more are said in one problem."""


def _name(name: str, limit: int = 60) -> str:
    """A column name as a report shows it: cut short (a header line may be a MiB long)."""
    return name if len(name) <= limit else name[: limit - 3] + "..."


def _header_usable(st: TableState, head: list[str]) -> bool:
    """Report a header that is not the table's columns; whether the rows can still be read (the same
    columns in another order)."""
    names = st.spec.names
    if st.utf8_ok is False:  # the first pass found the file is not UTF-8 (UTF-16, Latin-1...)
        st.found.add(
            P.EncodingProblem,
            None,
            None,
            "the file is not UTF-8, so its header cannot be read",
            "tables are UTF-8 CSV (RFC 4180) with the columns of the schema; save it as UTF-8",
        )
        return False
    missing = [n for n in names if n not in head]
    extra = [n for n in dict.fromkeys(head) if n not in names]
    twice = {n: k for n, k in Counter(head).items() if k > 1 and n in names}
    if not any(head):  # one problem, not one per column
        said = "its first line is empty" if head in ([], [""]) else "every name in its first line is empty"
        st.found.add(TableStructure, -1, None, f"the table has no header line: {said}")
        return False
    for n in missing:
        st.found.add(TableStructure, -1, n, f"the header has no column {n!r}")
    if len(extra) > EXTRA_COLUMNS_SAID:  # not the table's header at all: said once
        shown = ", ".join(repr(_name(n)) for n in extra[:3])
        st.found.add(
            TableStructure, -1, None, f"the header has {len(extra):,} columns the table does not define: {shown}..."
        )
    else:
        for n in extra:
            st.found.add(
                TableStructure, -1, _name(n), f"the header has a column {_name(n)!r} that the table does not define"
            )
    for n, k in twice.items():
        st.found.add(TableStructure, -1, n, f"the header names the column {n!r} {k} times; each column is named once")
    if not missing and not extra and not twice:
        st.found.add(TableStructure, -1, None, f"the columns are not in the defined order: {', '.join(names)}")
    return not missing and not twice and len(head) == len(names)
