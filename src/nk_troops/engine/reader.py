"""Reading a CSV table (or a byte range of it) in batches: its header, whole-file UTF-8 checks, and a repair
that reads a file that is not UTF-8 with each bad byte located."""

from __future__ import annotations

import codecs
import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

BLOCK_SIZE = 1 << 20


"""Bytes per block read; pyarrow's streaming reader holds a few dozen blocks ahead, so keep it small."""


GROUP = 8


"""Blocks checked together (fewer, larger batches: less per-batch overhead)."""


def _merge(batches: list[pa.RecordBatch]) -> pa.RecordBatch:
    if len(batches) == 1:
        return batches[0]
    return pa.Table.from_batches(batches).unify_dictionaries().combine_chunks().to_batches()[0]


_QUOTED_CELL = re.compile(rb'"[^"]*(?:""[^"]*)*"')
_PLAIN_CELL = re.compile(rb"[^,\r\n]*")


def _first_line(path: Path) -> tuple[bytes, bytes]:
    """A table's first line (its header), as pyarrow splits it: up to the first CR, LF or CRLF outside a quoted
    cell (a quote opens one only at the start of a cell); and that line end (b"" if none in the first MiB)."""
    with open(path, "rb") as fh:
        head = fh.read(1 << 20)
    pos = 0
    while True:
        if head.startswith(b'"', pos):
            quoted = _QUOTED_CELL.match(head, pos)
            if quoted is None:  # not closed in what was read
                return head, b""
            pos = quoted.end()
        pos = _PLAIN_CELL.match(head, pos).end()  # type: ignore[union-attr]  # matches the empty string too
        if pos >= len(head):
            return head, b""
        if head[pos] != ord(","):
            return head[:pos], b"\r\n" if head.startswith(b"\r\n", pos) else head[pos : pos + 1]
        pos += 1


def _parse_header(line: bytes) -> list[str]:
    import csv

    text = line.decode("utf-8-sig", errors="replace")
    if not text:
        return []
    try:
        return next(csv.reader([text]))
    except csv.Error:  # a NUL (a UTF-16 file): not our header, and reported as such, never raised
        return text.split(",")


def _header_line(path: Path) -> tuple[list[str], bytes]:
    """The column names a table's first line gives, and how that line ends (b"\r": lines end in a bare CR)."""
    line, end = _first_line(path)
    return _parse_header(line), end


def _header(path: Path) -> list[str]:
    """The column names a table's first line gives."""
    return _header_line(path)[0]


WINDOW = 1 << 22
"""Bytes of a file read at a time by :func:`file_windows`."""


def file_windows(path: Path) -> Iterator[tuple[int, memoryview]]:
    """The bytes of a file, to its end, as (offset, view) windows of at most WINDOW bytes, read into one
    reused buffer (each view is valid until the next one is asked for), so peak memory does not grow with
    the file. Not memory-mapped: mapping saved 0.2 CPU-s per GB, but a file another process truncates
    while it is mapped kills this process (SIGBUS), and the project's own writers rewrite tables in place."""
    offset = 0
    with open(path, "rb", buffering=0) as fh:
        buf = bytearray(min(WINDOW, os.fstat(fh.fileno()).st_size + 1))  # a small file: no 4 MiB to zero
        view = memoryview(buf)
        while n := fh.readinto(buf):
            yield offset, view[:n]
            offset += n


def file_signature(path: Path) -> tuple[int, int, int] | None:
    """(size, modification time in ns, inode): what tells that a file was rewritten (None: it is gone)."""
    try:
        s = path.stat()
    except OSError:
        return None
    return s.st_size, s.st_mtime_ns, s.st_ino


class _Range:
    """A byte range of a file as a native Arrow input stream (``stream``): pyarrow reads it in
    blocks without the GIL (a Python file object would copy every block while holding it)."""

    def __init__(self, path: Path, start: int, end: int):
        self.file = pa.OSFile(str(path))
        self.stream = self.file.get_stream(start, max(0, end - start))

    def close(self) -> None:
        self.stream.close()
        self.file.close()


def _utf8_length(lead: int) -> int:
    """Bytes of the UTF-8 sequence a byte begins (1 for a byte that cannot begin one: the validator refuses it)."""
    return 2 if lead >> 5 == 0b110 else 3 if lead >> 4 == 0b1110 else 4 if lead >> 3 == 0b11110 else 1


class Utf8Check:
    """Whether a file is valid UTF-8, fed window by window as it is hashed (a character may span two
    windows, and a window may hold only part of one). Checking the whole file at once lets the CSV reader
    skip its check of every cell, which cost more: at 1M rows per table, about 1.6 CPU-s against 1.2 here."""

    def __init__(self) -> None:
        self.ok = True
        self.carry = b""

    def feed(self, window: memoryview) -> None:
        if not self.ok:
            return
        n = len(window)
        head = 0  # continuation bytes at the start belong to the character begun in the last window
        while head < min(n, 4) and window[head] & 0xC0 == 0x80:
            head += 1
        end = n  # a character begun near the end but not finished waits for the next window
        for back in range(1, min(4, n - head) + 1):
            b = window[n - back]
            if b & 0xC0 != 0x80:
                if _utf8_length(b) > back:
                    end = n - back
                break
        piece = self.carry + bytes(window[:head])
        if head == n and piece and len(piece) < _utf8_length(piece[0]):
            self.carry = piece  # a window too short to finish the character: it goes on in the next one
            return
        self.ok = self._valid(piece) and self._valid(window[head:end])
        self.carry = bytes(window[end:])

    def finish(self) -> bool:
        if self.carry:
            self.ok = self.ok and self._valid(self.carry)
            self.carry = b""
        return self.ok

    def _valid(self, data) -> bool:
        n = len(data)
        if n == 0:
            return True
        raw = pa.py_buffer(data)
        try:
            pa.Array.from_buffers(pa.string(), 1, [None, pa.py_buffer(np.array([0, n], np.int32)), raw]).validate(
                full=True
            )
        except pa.ArrowInvalid:
            return False
        return True


_MARKED = threading.local()


def _mark_and_replace(e: UnicodeError) -> tuple[str, int]:
    """A codec error handler: note where the bytes that are not UTF-8 are, and read them as U+FFFD."""
    if not isinstance(e, UnicodeDecodeError):
        raise e
    _MARKED.spans.append(e.start)
    return "\ufffd", e.end


codecs.register_error("nk-troops-mark", _mark_and_replace)


class Utf8Repair:
    """A file (or a byte range of it) as a stream for the CSV reader, every sequence of bytes that is not UTF-8
    read as U+FFFD, so that one bad byte neither stops the read nor hides the rows after it. Where each was
    is kept in ``bad``: (record number as pyarrow numbers them, 1 for the range's first record; the column's
    index in the record; the byte's offset in the file). Records are counted by the line ends (LF, CRLF, a CR
    alone) outside quotes, as pyarrow ends them. Only for files the first pass found not to be UTF-8: it is
    Python, at about 0.3 GB/s, where a valid file is read by Arrow's own reader."""

    CHUNK = 1 << 20

    def __init__(self, path: Path, start: int = 0, end: int | None = None):
        self.fh = open(path, "rb")  # noqa: SIM115 - closed by close()
        self.fh.seek(start)
        self.left = None if end is None else max(0, end - start)
        self.offset = start  # file offset of the next byte read
        self.decoder = codecs.getincrementaldecoder("utf-8")("nk-troops-mark")
        self.out = bytearray()
        self.done = False
        self.records = 0  # record ends before self.offset
        self.quotes = 0  # '"' before self.offset
        self.commas = 0  # field separators since the last record end
        self.bad: list[tuple[int, int, int]] = []
        self.closed = False
        self.stopped = False  # set by CsvInput once its reader is left: every later read is the end

    def read(self, n: int = -1) -> bytes:
        if self.stopped:
            return b""
        while not self.done and (n < 0 or len(self.out) < n):
            self._fill()
        n = len(self.out) if n < 0 else min(n, len(self.out))
        while 0 < n < len(self.out) and self.out[n] & 0xC0 == 0x80:  # a chunk ends on a whole character: if the
            n -= 1  # reader is stopped after it, the record it cuts short is still UTF-8 (pyarrow decodes its text)
        if n == 0 and self.out:
            n = _utf8_length(self.out[0])
        chunk = bytes(self.out[:n])
        del self.out[:n]
        return chunk

    def _fill(self) -> None:
        size = self.CHUNK if self.left is None else min(self.CHUNK, self.left)
        raw = self.fh.read(size) if size else b""
        if self.left is not None:
            self.left -= len(raw)
        base = self.offset - len(self.decoder.getstate()[0])  # where the bytes the decoder holds began
        _MARKED.spans = []
        self.out += self.decoder.decode(raw, not raw).encode("utf-8")
        a = np.frombuffer(raw, np.uint8)
        q = np.flatnonzero(a == 34)
        nl = np.flatnonzero(a == 10)
        cr = np.flatnonzero(a == 13)
        if len(cr):  # a CR alone ends a record too, as pyarrow reads it
            ahead = self.fh.peek(1)[:1] if raw and self.left != 0 else b""
            after = np.append(a, ahead[0] if ahead else 0)[cr + 1]
            nl = np.union1d(nl, cr[after != 10])
        outside = ((self.quotes + np.searchsorted(q, nl)) & 1) == 0
        ends = nl[outside] + self.offset
        sep = np.flatnonzero(a == 44)
        sep = sep[((self.quotes + np.searchsorted(q, sep)) & 1) == 0] + self.offset
        for at in _MARKED.spans:
            at += base
            k = int(np.searchsorted(ends, at))  # record ends in this chunk before the byte
            since = ends[k - 1] if k else self.offset - 1
            column = int(np.count_nonzero((sep > since) & (sep < at))) + (0 if k else self.commas)
            self.bad.append((self.records + k + 1, column, at))
        self.commas = int(np.count_nonzero(sep > ends[-1])) if len(ends) else self.commas + len(sep)
        self.records += len(ends)
        self.quotes += len(q)
        self.offset += len(raw)
        self.done = not raw

    def close(self) -> None:
        self.closed = True
        self.fh.close()


class CsvInput:
    """A file, a byte range of it (a native stream), or a :class:`Utf8Repair` of a file that is not UTF-8
    (``repaired``, whose ``bad`` bytes are read once the reader is done), to be read by pyarrow's streaming
    CSV reader in a ``with`` block.

    pyarrow reads ahead on a thread of its own. Through a Utf8Repair that thread calls Python, and if the
    reader is left before the end of the file (an error, or only the first rows wanted) a call may still be
    pending when the interpreter exits: the process then aborts or hangs. So on leaving the block, the repair
    is stopped (every later read is the end of the file) and the reader read to that end."""

    def __init__(self, path: Path, byte_range: tuple[int, int] | None, repair: bool):
        self.path = path
        self.repaired = Utf8Repair(path, *(byte_range or (0, None))) if repair else None
        self.part = _Range(path, *byte_range) if byte_range is not None and not repair else None
        self.reader: pacsv.CSVStreamingReader | None = None

    def open(self, **options: Any) -> pacsv.CSVStreamingReader:
        source: Any = self.repaired or (self.part.stream if self.part else str(self.path))
        self.reader = pacsv.open_csv(source, **options)
        return self.reader

    def __enter__(self) -> CsvInput:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.repaired is not None:
            self.repaired.stopped = True
            try:
                for _ in self.reader or ():
                    pass
            except (pa.ArrowInvalid, OSError):
                pass
            self.repaired.close()
        if self.part is not None:
            self.part.close()
