"""What the engine keeps per table while it reads: located problems, key hashes, row counts."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .. import problems as P
from .spec import TableSpec

TableStructure = P.TableStructure
TableHashMismatch = P.TableHashMismatch


ENGINE_KINDS = (TableStructure, TableHashMismatch)


@dataclass
class Found:
    """Problems of one table, located by kept-row index until the row numbers are known."""

    resource: str
    items: list[tuple] = field(default_factory=list)  # (cls, index or None, field, message, hint)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(
        self, cls: type, index: int | tuple[str, int] | None, fld: str | None, message: str, hint: str | None = None
    ) -> None:
        with self.lock:
            self.items.append((cls, index, fld, message, hint))

    def many(
        self, cls: type, indices: np.ndarray, fld: str | None, messages: list[str] | str, hint: str | None = None
    ) -> None:
        if len(indices) == 0:
            return
        if isinstance(messages, str):
            messages = [messages] * len(indices)
        with self.lock:
            self.items.extend((cls, int(i), fld, m, hint) for i, m in zip(indices, messages, strict=True))


@dataclass
class TableState:
    spec: TableSpec
    path: Path
    found: Found
    rows: int = 0  # kept rows
    skipped: list[int] = field(default_factory=list)  # record numbers of rows pyarrow could not split into the columns
    keys: dict[str, Any] = field(default_factory=dict)  # column -> batches, then (hashes, present) (key columns)
    extra: dict[str, Any] = field(default_factory=dict)
    readable: bool = True
    done: threading.Event = field(default_factory=threading.Event)
    byte_range: tuple[int, int] | None = None  # a part of the file: (start, end); None: the whole file
    part: int = 0
    parts: list[TableState] = field(default_factory=list)

    def row_numbers(self, index: np.ndarray) -> np.ndarray:
        """Record numbers (header = 1) of kept-row indices."""
        rows = np.asarray(index, dtype=np.int64) + 2
        for s in sorted(self.skipped):
            rows = np.where(rows >= s, rows + 1, rows)
        return rows

    def key(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """The 64-bit hashes of a key column and where it has a value."""
        k = self.keys.get(name)
        return k if isinstance(k, tuple) else (np.zeros(0, np.uint64), np.zeros(0, bool))
