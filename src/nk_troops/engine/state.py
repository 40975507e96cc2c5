"""What the engine keeps per table while it checks: located problems, key hashes, row counts, and what
later checks need (typed fields)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from .. import problems as P
from .spec import TableSpec

TableStructure = P.TableStructure
TableHashMismatch = P.TableHashMismatch


Index = int | tuple[str, int] | None
"""Where a problem is, until row numbers are known: a kept-row index (-1: the header), ("record", number)
for a record pyarrow skipped (its number as pyarrow counts it, -1 if unknown), or None: the whole table."""
Item = tuple[type[P.Problem], Index, str | None, str, str | None]
"""One problem of a table: (class, index, field, message, hint)."""
KeyHashes = tuple[np.ndarray, np.ndarray]
"""A key column as 64-bit hashes (uint64) and where it has a value (bool)."""
Signature = tuple[int, int, int]
"""A file's (size, modification time, inode): compared before and after it is read."""


@dataclass
class Found:
    """Problems of one table, located by kept-row index until the row numbers are known."""

    resource: str
    items: list[Item] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, cls: type[P.Problem], index: Index, fld: str | None, message: str, hint: str | None = None) -> None:
        with self.lock:
            self.items.append((cls, index, fld, message, hint))

    def many(
        self,
        cls: type[P.Problem],
        indices: np.ndarray,
        fld: str | None,
        messages: list[str] | str,
        hint: str | None = None,
    ) -> None:
        if len(indices) == 0:
            return
        if isinstance(messages, str):
            messages = [messages] * len(indices)
        with self.lock:
            self.items.extend((cls, int(i), fld, m, hint) for i, m in zip(indices, messages, strict=True))


@dataclass
class SeedRefs:
    """The rows of sources that declare an archived text, as they stream by: what ``load_archive`` reads."""

    index: list[int] = field(default_factory=list)  # kept-row index
    source_id: list[str] = field(default_factory=list)
    file: list[str] = field(default_factory=list)
    sha256: list[str | None] = field(default_factory=list)  # None: the cell broke its own rules
    # of those, the ones naming the saved page their text was extracted from (seeds.original_refusal)
    original_index: list[int] = field(default_factory=list)
    original_file: list[str] = field(default_factory=list)
    original_sha256: list[str | None] = field(default_factory=list)


@dataclass
class Unverified:
    """Citations whose source has no verified archived text: looked up in sources once both are read."""

    rows: list[np.ndarray] = field(default_factory=list)  # kept-row indices, a chunk per batch
    source_ids: list[pa.Array] = field(default_factory=list)  # their source_id cells, the same chunks


@dataclass(frozen=True)
class Range:
    """One stretch of a table as it was read (a part of a split table, the rows between records longer than the
    reader's block, such a record): its byte range (None: the whole file), whether it starts with the header line,
    the table's kept-row index of its first row, and its number of kept rows."""

    byte_range: tuple[int, int] | None
    header: bool
    base: int
    rows: int
    block: int = 0  # the reader's block size, if not the usual one (a record read alone)


@dataclass
class TableState:
    spec: TableSpec
    path: Path
    found: Found
    rows: int = 0  # kept rows
    skipped: list[int] = field(default_factory=list)  # record numbers of rows pyarrow could not split into the columns
    readable: bool = True
    byte_range: tuple[int, int] | None = None  # a part of the file: (start, end); None: the whole file
    part: int = 0
    of_parts: int = 1  # the parts the table is read in
    parts: list[TableState] = field(default_factory=list)  # while a split table is read
    ranges: list[Range] = field(default_factory=list)  # the stretches it was read in (empty: one, the whole)
    # the first pass over the file
    utf8_ok: bool | None = None  # None: not checked (pyarrow checks every cell); False: read through Utf8Repair
    signature: Signature | None = None
    # record ends are found by quote parity up to this byte: the first quote that opens or closes no cell, or
    # the one that opens a cell never closed (None: every quote pairs, the whole file)
    quotes_pair_until: int | None = None
    changed_reported: bool = False
    # keys: a list of batches while the table is read, then one array per column
    key_batches: dict[str, list[KeyHashes]] = field(default_factory=dict)
    keys: dict[str, KeyHashes] = field(default_factory=dict)
    bad_key_batches: list[np.ndarray] = field(default_factory=list)
    bad_key_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # keys that broke their rules
    dup_first: dict[int, int] = field(default_factory=dict)  # duplicate key row -> the first row holding it
    # sources
    status_not_archived: list[pa.Array] = field(default_factory=list)  # ids of rows with "not_archived", by batch
    seeds: SeedRefs = field(default_factory=SeedRefs)
    # citations
    checked_src: bool = False  # source ids were checked against the archive (only the others are keys)
    unverified: Unverified = field(default_factory=Unverified)

    def row_numbers(self, index: np.ndarray) -> np.ndarray:
        """Record numbers (header = 1) of kept-row indices."""
        rows = np.asarray(index, dtype=np.int64) + 2
        for s in sorted(self.skipped):
            rows = np.where(rows >= s, rows + 1, rows)
        return rows

    @property
    def whole(self) -> bool:
        """Read to its end with no row skipped: every key it holds is known, so a reference that finds none dangles."""
        return self.readable and not self.skipped

    def key(self, name: str) -> KeyHashes:
        """The 64-bit hashes of a key column and where it has a value."""
        return self.keys.get(name) or (np.zeros(0, np.uint64), np.zeros(0, bool))
