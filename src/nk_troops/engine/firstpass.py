"""The first pass over a table's file: its size and hash against the descriptor, whether it is UTF-8, whether
its double quotes pair up, its signature (compared again once it is parsed), and (for a big file) where its
records start."""

from __future__ import annotations

import hashlib

from .. import problems as P
from .boundaries import Cutter, QuoteCheck, record_number
from .reader import Utf8Check, _first_line, file_signature, file_windows
from .runstate import RunState
from .state import TableHashMismatch, TableState, TableStructure

QUOTE_HINT = 'quote a cell that holds a quote, a comma or a line break, and write each quote in it twice ("")'


def check_file(run: RunState, st: TableState, cutter: Cutter | None = None) -> None:
    """Read a table's file once before it is parsed: its size and hash, whether it is UTF-8 (``st.utf8_ok``),
    up to where its quotes pair (``st.quotes_pair_until``), and with a ``cutter``, where to split it."""
    res = run.resources.get(st.spec.resource, {})
    want_bytes, want_hash = res.get("bytes"), res.get("hash") if run.check_hash else None
    signature = file_signature(st.path)  # (size, mtime, inode), compared again once the table is parsed
    if signature is None:
        report_changed(run, st)
        return
    size = signature[0]
    if want_bytes is not None and size != want_bytes:  # checked even when the hash is not: it costs nothing
        st.found.add(
            TableHashMismatch,
            None,
            None,
            f"'{res['path']}' is {size:,} bytes; datapackage.json says {want_bytes:,}",
        )
    algo, _, digest = str(want_hash or "").rpartition(":")
    h = hashlib.new(algo or "md5") if want_hash else None
    check = Utf8Check()
    quotes = QuoteCheck()
    read = 0
    for offset, window in file_windows(st.path):
        read += len(window)
        if h is not None:
            h.update(window)
        if cutter is not None:
            cutter.feed(window, len(window), offset, quotes.count)
        quotes.feed(window, offset)
        check.feed(window)
    st.utf8_ok = check.finish()
    # the CSV reader takes an unclosed quote at the end as closed, and a stray one as a letter; past either,
    # record ends cannot be found by quotes: the file is read in one part, and a record too long there stops it
    unclosed = quotes.last_quote if quotes.count & 1 and quotes.stray is None else None
    st.quotes_pair_until = quotes.stray if quotes.stray is not None else unclosed
    if not st.utf8_ok and not _header_is_utf8(st.path):  # UTF-16...: a byte 0x22 may not be a quote at all
        pass
    elif quotes.stray is not None:
        message = (
            f"the double quote at byte {quotes.stray:,} of the file neither opens nor closes a quoted cell: "
            "it stands inside a cell that is not quoted, or after the quote that closes one"
        )
        if quotes.opened is not None:  # in closing place: the cell it closes may be the one left open
            message += f" (or the cell opened in row {record_number(st.path, quotes.opened)} is not closed)"
        st.found.add(TableStructure, ("record", record_number(st.path, quotes.stray)), None, message, QUOTE_HINT)
    elif unclosed is not None:  # every quote before it pairs: it opens the cell
        st.found.add(
            TableStructure,
            ("record", record_number(st.path, unclosed)),
            None,
            f"the file has an odd number of double quotes ({quotes.count:,}): the quoted cell opened at byte "
            f"{unclosed:,} is not closed",
            QUOTE_HINT,
        )
    st.signature = signature
    if read != size or file_signature(st.path) != signature:
        report_changed(run, st)
    if h is not None and h.hexdigest() != digest.lower():  # hex digits in either case
        st.found.add(
            TableHashMismatch,
            None,
            None,
            f"'{res['path']}' has {algo or 'md5'} {h.hexdigest()}; datapackage.json says {digest}",
        )


def _header_is_utf8(path) -> bool:
    try:
        _first_line(path)[0].decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return True


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
