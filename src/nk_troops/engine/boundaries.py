"""Where a CSV file's records end, found from its bytes (numpy, not a parser): by quote parity and line ends,
right when every double quote opens or closes a quoted cell, as :class:`QuoteCheck` tells. Used to split a big
file into parts (:class:`Cutter`), to read on after a record too long for the reader (:func:`record_after`),
and to locate a stray quote (:func:`record_number`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from .reader import WINDOW

BOM = b"\xef\xbb\xbf"
_QUOTE_BLOCK = 1 << 18
_CELL_EDGE = np.zeros(256, bool)
_CELL_EDGE[[ord(","), ord("\n"), ord("\r"), ord('"')]] = True
"""Bytes a quote that opens a quoted cell may follow, and that a closing quote may be followed by: the cell's
edge (a comma or a line end), or the other quote of a doubled one."""


def _count_quotes(buf: bytearray | memoryview, start: int, end: int) -> int:
    """The number of '"' bytes in ``buf[start:end]``: numpy over 256 KB blocks (about 3.7 GB/s here;
    ``bytearray.count`` runs a byte loop at about 1 GB/s, as slow as sha256)."""
    a = np.frombuffer(buf, dtype=np.uint8, count=end)
    total = 0
    for i in range(start, end, _QUOTE_BLOCK):
        total += int(np.count_nonzero(a[i : min(end, i + _QUOTE_BLOCK)] == 34))
    return total


class QuoteCheck:
    """Counts a file's double quotes as it streams by, and finds the first that does not open or close a quoted
    cell as RFC 4180 writes them (a quote inside a cell that is not quoted, or text after a closing quote).
    Record ends are found by quote parity (:class:`Cutter`, :func:`record_after`), which is right only if
    every quote opens or closes a cell; pyarrow reads a stray one as a letter."""

    def __init__(self) -> None:
        self.count = 0
        self.stray: int | None = None  # file offset of the first stray quote
        self.last_quote: int | None = None  # file offset of the last quote (until a stray one is found)
        self.opened: int | None = None  # for a stray quote in closing place: where the cell it would close opened
        self.last = ord("\n")  # the byte before the next window (the file's start is a cell's edge)
        self.open_end: int | None = None  # a closing quote that ended the last window: checked on the next
        self.start = b""  # the file's first bytes: a UTF-8 byte order mark, which readers skip, is its start

    def feed(self, window: memoryview, offset: int) -> None:
        n = len(window)
        if self.stray is not None or n == 0:
            self.count += _count_quotes(window, 0, n)
            return
        a = np.frombuffer(window, dtype=np.uint8, count=n)
        if len(self.start) < 3:
            self.start += bytes(window[: 3 - len(self.start)])
        if self.open_end is not None and not _CELL_EDGE[a[0]]:
            self.stray = self.open_end
        self.open_end = None
        q = np.concatenate([np.flatnonzero(a[i : i + _QUOTE_BLOCK] == 34) + i for i in range(0, n, _QUOTE_BLOCK)])
        if len(q):
            if self.stray is None and not self._all_at_edges(a, q):
                self.stray = self._first_stray(a, q, offset)
            if (self.count + len(q)) & 1 == 0 and q[-1] == n - 1:  # the window ends with a closing quote
                self.open_end = offset + n - 1
            self.last_quote = offset + int(q[-1])
        self.count += len(q)
        self.last = int(a[-1])

    def _all_at_edges(self, a: np.ndarray, q: np.ndarray) -> bool:
        """Whether every opening quote follows a cell's edge and every closing one is followed by one (the usual
        case, checked on views of the quotes by parity, with no array the size of the quotes made)."""
        odd = self.count & 1
        opening, closing = q[odd::2], q[1 - odd :: 2]
        if len(opening) and opening[0] == 0:
            if not _CELL_EDGE[self.last]:
                return False
            opening = opening[1:]
        if len(closing) and closing[-1] == len(a) - 1:
            closing = closing[:-1]  # followed by the next window's first byte: checked there
        return bool(_CELL_EDGE[a[opening - 1]].all() and _CELL_EDGE[a[closing + 1]].all())

    def _first_stray(self, a: np.ndarray, q: np.ndarray, offset: int) -> int | None:
        """The file offset of the first quote that opens or closes no cell (a byte order mark is the start)."""
        n = len(a)
        closing = ((self.count + np.arange(len(q))) & 1).astype(bool)
        before = np.where(q > 0, a[np.maximum(q - 1, 0)], self.last)
        if self.start == BOM and offset <= 3 < offset + n:
            before[q == 3 - offset] = ord("\n")
        after = a[np.minimum(q + 1, n - 1)]
        bad = np.flatnonzero(np.where(closing, ~_CELL_EDGE[after] & (q < n - 1), ~_CELL_EDGE[before]))
        if not len(bad):
            return None
        k = int(bad[0])
        if closing[k]:
            self.opened = offset + int(q[k - 1]) if k else self.last_quote
        return offset + int(q[k])


class Cutter:
    """Finds record boundaries near target offsets while a file streams by (quote parity + line ends)."""

    def __init__(self, size: int, parts: int):
        self.targets = [size * i // parts for i in range(1, parts)]
        self.cuts: list[int] = []

    def feed(self, buf, n: int, offset: int, quotes: int) -> None:
        """The next ``n`` bytes of the file, in ``buf``, starting at file offset ``offset``, after ``quotes``
        double quotes (counted by the first pass, which counts them all)."""
        if not self.targets:
            return
        end = offset + n
        while self.targets and self.targets[0] < end:
            t = max(self.targets[0], offset)
            a = np.frombuffer(buf, dtype=np.uint8, count=n)
            local = a[t - offset :]
            parity = (quotes + _count_quotes(buf, 0, t - offset)) & 1
            q = np.flatnonzero(local == 34)
            nl = np.flatnonzero(local == 10)
            cut = None
            for pos in nl:  # the first line end outside quotes
                inside = (parity + np.searchsorted(q, pos)) & 1
                if not inside:
                    cut = t + int(pos) + 1
                    break
            if cut is None:
                break  # look again in the next chunk
            self.cuts.append(cut)
            self.targets.pop(0)
            while self.targets and self.targets[0] < cut:
                self.targets.pop(0)


def _record_ends(path: Path, start: int, end: int) -> Iterator[np.ndarray]:
    """The file offsets just past each record end in ``path[start:end]``, a window at a time. Records end, as
    pyarrow reads them, at a LF, a CRLF or a CR alone outside quotes. Quote parity tells what is inside quotes:
    right only for a file whose quotes all open or close cells (:class:`QuoteCheck`)."""
    quotes = 0
    offset = start
    with open(path, "rb") as fh:
        fh.seek(start)
        while offset < end and (raw := fh.read(min(WINDOW + 1, end - offset))):
            n = min(len(raw), WINDOW)  # the byte after the window tells whether a CR ends a line
            arr = np.frombuffer(raw, np.uint8)
            q = np.flatnonzero(arr[:n] == 34)
            cr = np.flatnonzero(arr[:n] == 13)
            cr = cr[(cr + 1 >= len(arr)) | (arr[np.minimum(cr + 1, len(arr) - 1)] != 10)]
            nl = np.union1d(np.flatnonzero(arr[:n] == 10), cr)
            yield nl[((quotes + np.searchsorted(q, nl)) & 1) == 0] + offset + 1
            quotes += len(q)
            offset += n
            fh.seek(offset)


def record_after(path: Path, start: int, end: int, skip: int) -> tuple[int, int]:
    """The bytes ``[a, b)`` of the record that follows the first ``skip`` records of ``path[start:end]``: ``b``
    just past its line end, or ``end``. For a record too long for the reader: the rows after it are read from
    ``b``."""
    a = start if skip == 0 else None
    seen = 0
    for ends in _record_ends(path, start, end):
        if a is None and seen + len(ends) >= skip:
            a = int(ends[skip - seen - 1])
            ends = ends[skip - seen :]
        seen += len(ends)
        if a is not None and len(ends):
            return a, int(ends[0])
    return (end if a is None else a), end


def record_number(path: Path, offset: int) -> int:
    """The number of the record that holds the byte at ``offset`` (the header is 1)."""
    return 1 + sum(len(ends) for ends in _record_ends(path, 0, offset))
