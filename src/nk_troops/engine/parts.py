"""A big table read as several byte ranges: cut at record boundaries found in its first pass, each part
read on its own, then the parts' problems, keys and rows folded into the table."""

from __future__ import annotations

import itertools

import numpy as np

from .boundaries import Cutter
from .firstpass import check_file
from .reader import _header_line
from .runstate import RunState
from .state import Found, Index, KeyHashes, Range, TableState


def cut(run: RunState, st: TableState, parts: int) -> list[TableState]:
    """Read a big file once (its hash, whether it is UTF-8, record boundaries) and make its parts."""
    size = st.path.stat().st_size
    head, end = _header_line(st.path)
    if head != st.spec.names or end == b"\r":  # a table whose header is wrong is read whole (and reported)
        parts = 1
    cutter = Cutter(size, parts)
    check_file(run, st, cutter)
    bounds = sorted({0, *(c for c in cutter.cuts if 0 < c < size), size})  # no empty range (a cut at the end)
    # one part for an empty file (emptied since it was measured), or one whose cuts may fall inside a record
    # (a quote not closed, or in a cell that is not quoted)
    if len(bounds) < 2 or st.quotes_pair_until is not None:
        bounds = [0, size]
    st.parts = [
        TableState(
            st.spec,
            st.path,
            Found(st.spec.resource),
            byte_range=(a, b),
            part=i,
            of_parts=len(bounds) - 1,
            utf8_ok=st.utf8_ok,
            quotes_pair_until=st.quotes_pair_until,
        )
        for i, (a, b) in enumerate(itertools.pairwise(bounds))
    ]
    return st.parts


def join(st: TableState) -> None:
    """Fold the parts of a split table into it: indices and record numbers become the table's."""
    rows = records = 0
    keys: dict[str, list[KeyHashes]] = {}
    bad: list[np.ndarray] = []
    for part in st.parts:
        for cls, index, fld, msg, hint in part.found.items:
            where: Index = index
            if isinstance(index, tuple):
                number = index[1]
                where = ("record", number if part.part == 0 or number < 0 else number + 1 + records)
            elif isinstance(index, int) and index >= 0:
                where = index + rows
            st.found.items.append((cls, where, fld, msg, hint))
        st.skipped.extend(n if part.part == 0 else n + 1 + records for n in part.skipped)
        for name, hashes in part.keys.items():
            keys.setdefault(name, []).append(hashes)
        st.unverified.rows.extend(v + rows for v in part.unverified.rows)
        st.unverified.source_ids.extend(part.unverified.source_ids)
        bad.append(part.bad_key_rows + rows)
        st.checked_src = st.checked_src or part.checked_src
        st.readable = st.readable and part.readable
        stretches = part.ranges or [Range(part.byte_range, part.part == 0, 0, part.rows)]
        st.ranges.extend(Range(r.byte_range, r.header, r.base + rows, r.rows, r.block) for r in stretches)
        rows += part.rows
        records += part.rows + len(part.skipped)
        if not part.readable:  # its rows after the stop are not counted: a later part's would be numbered
            break  # wrong, so the table is what one read of it gives, the rest unread (and reported so)
    st.rows = rows
    st.keys = {n: (np.concatenate([h for h, _ in v]), np.concatenate([p for _, p in v])) for n, v in keys.items()}
    st.bad_key_rows = np.concatenate(bad) if bad else np.zeros(0, np.int64)
    st.parts = []
