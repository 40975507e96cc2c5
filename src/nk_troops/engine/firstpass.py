"""The first pass over a table's file: its size and hash against the descriptor, whether it is UTF-8, whether
its double quotes pair up, its signature (compared again once it is parsed), and (for a big file) where its
records start."""

from __future__ import annotations

import hashlib

from .. import problems as P
from .reader import Utf8Check, _count_quotes, _Cutter, file_signature, file_windows
from .runstate import RunState
from .state import TableHashMismatch, TableState, TableStructure


def check_file(run: RunState, st: TableState, cutter: _Cutter | None = None) -> None:
    """Read a table's file once before it is parsed: its size and hash, whether it is UTF-8 (``st.utf8_ok``),
    whether its quotes pair up (``st.odd_quotes``), and with a ``cutter``, where to split it."""
    res = run.resources.get(st.spec.resource, {})
    want_bytes, want_hash = res.get("bytes"), res.get("hash") if run.check_hash else None
    signature = file_signature(st.path)  # (size, mtime, inode), compared again once the table is parsed
    if signature is None:
        report_changed(run, st)
        return
    size = signature[0]
    if run.check_hash and want_bytes is not None and size != want_bytes:
        st.found.add(
            TableHashMismatch,
            None,
            None,
            f"'{res['path']}' is {size:,} bytes; datapackage.json says {want_bytes:,}",
        )
    algo, _, digest = str(want_hash or "").rpartition(":")
    h = hashlib.new(algo or "md5") if want_hash else None
    check = Utf8Check()
    read = quotes = 0
    for offset, window in file_windows(st.path):
        read += len(window)
        if h is not None:
            h.update(window)
        if cutter is not None:
            cutter.feed(window, len(window), offset, quotes)
        quotes += _count_quotes(window, 0, len(window))
        check.feed(window)
    st.utf8_ok = check.finish()
    st.odd_quotes = bool(quotes & 1)
    if st.odd_quotes:  # the CSV reader takes an unclosed quote at the end as closed, and a stray one as a letter
        st.found.add(
            TableStructure,
            None,
            None,
            f"the file has an odd number of double quotes ({quotes:,}): a quoted cell is not closed, "
            "or a quote stands inside a cell that is not quoted",
            'quote a cell that holds a quote, a comma or a line break, and write each quote in it twice ("")',
        )
    st.signature = signature
    if read != size or file_signature(st.path) != signature:
        report_changed(run, st)
    if h is not None and h.hexdigest() != digest:
        st.found.add(
            TableHashMismatch,
            None,
            None,
            f"'{res['path']}' has {algo or 'md5'} {h.hexdigest()}; datapackage.json says {digest}",
        )


def check_unchanged(run: RunState, st: TableState) -> None:
    """Once a table is parsed: report it if its file is no longer the one the first pass read."""
    if st.signature is not None and st.readable and file_signature(st.path) != st.signature:
        report_changed(run, st)


def report_changed(run: RunState, st: TableState) -> None:
    """Report (once) a file rewritten while it was being checked: what was read may mix two versions."""
    if not st.changed_reported:
        st.changed_reported = True
        st.utf8_ok = False
        st.found.add(
            P.FileUnreadable,
            None,
            None,
            f"'{run.resources.get(st.spec.resource, {}).get('path', st.path.name)}' changed while it was being "
            "checked; check it again once nothing writes to it",
        )
