"""Reading a CSV table (or a byte range of it) in batches, and finding where to split a big file."""

from __future__ import annotations

import mmap
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
    most one window per reader is resident, so peak memory does not grow with the file."""
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
