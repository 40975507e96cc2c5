"""Problems whose messages need cell values (a duplicate id, a dangling reference, a cycle...): the key
checks found them on hashes; each table (each part of a split table) holding such a cell is read again
once, only the columns wanted, and the problems are confirmed on the values and written."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from .. import problems as P
from .. import rulebook as R
from .cells import check_column
from .reader import BLOCK_SIZE, CsvInput, _header
from .runstate import Later, RunState
from .state import Found, Range, TableState

Values = dict[str, dict[int, str | None]]
"""{column: {kept row index: value}}."""


def fetch(st: TableState, wanted: dict[str, np.ndarray], where: Range) -> Values:
    """Read a table (or one stretch of it, whose first kept row is ``where.base``) again for the values
    of a few cells. Only the wanted columns are converted, and reading stops after the last wanted row."""
    names = sorted(wanted)
    head = _header(st.path)  # a split table's is its columns (parts.cut)
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
    read = pacsv.ReadOptions(
        use_threads=False, block_size=where.block or BLOCK_SIZE, column_names=None if where.header else head
    )
    out: Values = {n: {} for n in names}
    last = max((int(v.max()) for v in wanted.values() if len(v)), default=-1)
    base = where.base
    with CsvInput(st.path, where.byte_range, st.utf8_ok is False) as source:
        for batch in source.open(read_options=read, parse_options=parse, convert_options=convert):
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
    return out


def _wanted(items: list[Later]) -> dict[str, np.ndarray]:
    """The rows whose values each column must give for these problems."""
    wanted: dict[str, list[np.ndarray]] = {}
    for item in items:
        more = [np.array(list(item.table.dup_first.values()), dtype=np.int64)] if item.cls is P.DuplicateId else []
        if item.related:
            more.append(np.array([j for rows in item.related.values() for j in rows], dtype=np.int64))
        for c in item.columns:
            wanted.setdefault(c, []).extend([item.index, *more])
    return {c: np.unique(np.concatenate(v)) for c, v in wanted.items()}


def emit(run: RunState) -> None:
    """Read the values the waiting problems need (the largest reads first, on the workers), then write them."""
    by_table: dict[str, list[Later]] = {}
    for item in run.later:
        by_table.setdefault(item.table.spec.resource, []).append(item)
    values: dict[str, Values] = {}
    reads: list[tuple[TableState, dict[str, np.ndarray], Range]] = []
    for resource, items in by_table.items():
        st = items[0].table
        want = _wanted(items)
        values[resource] = {c: {} for c in want}
        for where in st.ranges or [Range(None, True, 0, st.rows)]:
            mine = {c: v[(v >= where.base) & (v < where.base + where.rows)] for c, v in want.items()}
            if any(len(v) for v in mine.values()):
                reads.append((st, mine, where))
    reads.sort(key=lambda read: -read[2].rows)  # stable: parts of equal size in the order above
    with ThreadPoolExecutor(max_workers=run.workers) as pool:
        for (st, _, _), got in zip(reads, pool.map(lambda read: fetch(*read), reads), strict=True):
            for c, d in got.items():
                values[st.spec.resource][c].update(d)
    for resource, items in by_table.items():
        for item in items:
            _write(run, item, values[resource])


def _write(run: RunState, item: Later, vals: Values) -> None:
    st, cls, index, fld = item.table, item.cls, item.index, item.fld
    if cls is None:  # cell rules of a deferred key column, on the values
        assert item.column is not None and fld is not None
        sub = pa.array([vals[fld].get(int(i)) for i in index], pa.string())
        late = Found(st.spec.resource)
        check_column(item.column, sub, np.ones(len(index), bool), late, 0)
        for kcls, i, f2, msg, h2 in late.items:
            assert isinstance(i, int)
            st.found.add(kcls, int(index[i]), f2, msg, h2)
        return
    if cls is P.DuplicateId:
        assert fld is not None
        for i in index.tolist():
            v, first = vals[fld].get(i), st.dup_first.get(i)
            if first is not None and vals[fld].get(first) == v:  # confirmed on the values, not only the hash
                row = int(st.row_numbers(np.array([first]))[0])
                said = R.UNIQUE_KEY.message(value=v, first=run.where(st.spec.resource, row))
                st.found.add(cls, i, fld, said, item.hint)
        return
    message = item.message
    assert message is not None
    for i in index.tolist():
        if item.related is None:
            text = message(*(vals[c].get(i) for c in item.columns))
        else:
            text = message(item.related[i], *([vals[c].get(j) for j in item.related[i]] for c in item.columns))
        if text is not None:
            st.found.add(cls, i, fld, text, item.hint)
