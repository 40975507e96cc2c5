"""Reading a CSV table (or a byte range of it) in batches, and finding where to split a big file."""

from __future__ import annotations

import mmap
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa


BLOCK_SIZE = 1 << 20


"""Bytes per block read; pyarrow's streaming reader holds a few dozen blocks ahead, so keep it small."""


GROUP = 8


"""Blocks checked together (fewer, larger batches: less per-batch overhead)."""


def _merge(batches: list[pa.RecordBatch]) -> pa.RecordBatch:
    if len(batches) == 1:
        return batches[0]
    return pa.Table.from_batches(batches).unify_dictionaries().combine_chunks().to_batches()[0]


def _header(path: Path) -> list[str]:
    import csv

    with open(path, "rb") as fh:
        first = fh.readline(1 << 20)
    line = first.decode("utf-8-sig", errors="replace").rstrip("\r\n")
    return next(csv.reader([line])) if line else []


WINDOW = 1 << 24
"""Bytes of a file mapped at a time by :func:`file_windows`."""


def file_windows(path: Path, size: int) -> Iterator[tuple[int, memoryview]]:
    """The bytes of a file as (offset, read-only view) windows of WINDOW bytes, memory-mapped one at a
    time: hashing reads the page cache in place (a read() copies it first: 0.2 s per GB here), and at
    most one window per reader is resident, so peak memory does not grow with the file. A file that
    another process truncates while it is mapped ends this process with SIGBUS (a read() would see a
    short file and report a hash mismatch); a table being rewritten during a check is not supported."""
    with open(path, "rb", buffering=0) as fh:
        for offset in range(0, size, WINDOW):
            length = min(WINDOW, size - offset)
            try:
                mapped = mmap.mmap(fh.fileno(), length, access=mmap.ACCESS_READ, offset=offset)
            except (OSError, ValueError):  # a file that cannot be mapped: read it
                fh.seek(offset)
                yield offset, memoryview(fh.read(length))
                continue
            view = memoryview(mapped)
            try:
                yield offset, view
            finally:
                view.release()
                mapped.close()


class _Range:
    """A byte range of a file as a native Arrow input stream (``stream``): pyarrow reads it in
    blocks without the GIL (a Python file object would copy every block while holding it)."""

    def __init__(self, path: Path, start: int, end: int):
        self.file = pa.OSFile(str(path))
        self.stream = self.file.get_stream(start, max(0, end - start))

    def close(self) -> None:
        self.stream.close()
        self.file.close()


POLARS_READY = threading.Event()
"""Set once polars is imported (see :func:`import_polars_in_background`)."""


def import_polars_in_background() -> None:
    """Import polars on a thread of its own (about 0.2 s, holding the GIL) while the workers hash the
    files (sha256 runs without the GIL); until it is ready, :class:`Utf8Check` uses Arrow's validator."""
    if POLARS_READY.is_set():
        return

    def run() -> None:
        try:
            import polars  # noqa: F401
        finally:
            POLARS_READY.set()

    threading.Thread(target=run, name="import-polars", daemon=True).start()


class Utf8Check:
    """Whether a file is valid UTF-8, fed window by window as it is hashed (a character may span two
    windows). Checking the whole file at once lets the CSV reader skip its check of every cell, which
    cost more (about 2.2 CPU-s at 1M rows against 1.3 s here, with polars' validator)."""

    def __init__(self, use_polars: bool):
        self.ok = True
        self.carry = b""
        self.use_polars = use_polars

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
                need = 1 if b < 0x80 else 2 if b >> 5 == 0b110 else 3 if b >> 4 == 0b1110 else 4 if b >> 3 == 0b11110 else 1
                if need > back:
                    end = n - back
                break
        self.ok = self._valid(self.carry + bytes(window[:head])) and self._valid(window[head:end])
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
        if self.use_polars and POLARS_READY.is_set():  # polars' validator: about 2.2 GB/s here, Arrow's 1.5
            import polars as pl

            arr = pa.Array.from_buffers(pa.binary(), 1, [None, pa.py_buffer(np.array([0, n], np.int32)), raw])
            try:
                pl.from_arrow(arr).cast(pl.String)
            except Exception:  # noqa: BLE001 - polars raises its own ComputeError
                return False
            return True
        try:
            pa.Array.from_buffers(pa.string(), 1, [None, pa.py_buffer(np.array([0, n], np.int32)), raw]).validate(full=True)
        except pa.ArrowInvalid:
            return False
        return True


_QUOTE_BLOCK = 1 << 18


def _count_quotes(buf: bytearray, start: int, end: int) -> int:
    """The number of '"' bytes in ``buf[start:end]``: numpy over 256 KB blocks (about 3.7 GB/s here;
    ``bytearray.count`` runs a byte loop at about 1 GB/s, as slow as sha256)."""
    a = np.frombuffer(buf, dtype=np.uint8, count=end)
    total = 0
    for i in range(start, end, _QUOTE_BLOCK):
        total += int(np.count_nonzero(a[i:min(end, i + _QUOTE_BLOCK)] == 34))
    return total


class _Cutter:
    """Finds record boundaries near target offsets while a file streams by (quote parity + line ends)."""

    def __init__(self, size: int, parts: int):
        self.targets = [size * i // parts for i in range(1, parts)]
        self.cuts: list[int] = []
        self.quotes = 0  # '"' seen before the current chunk

    def feed(self, buf, n: int, offset: int) -> None:
        """The next ``n`` bytes of the file, in ``buf``, starting at file offset ``offset``."""
        if not self.targets:
            return
        end = offset + n
        while self.targets and self.targets[0] < end:
            t = max(self.targets[0], offset)
            a = np.frombuffer(buf, dtype=np.uint8, count=n)
            local = a[t - offset:]
            parity = (self.quotes + _count_quotes(buf, 0, t - offset)) & 1
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
        self.quotes += _count_quotes(buf, 0, n)
