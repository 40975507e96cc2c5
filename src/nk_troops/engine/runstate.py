"""What one check of a package shares across its tables: its settings, the tables' states, the archive,
and the problems whose messages wait for cell values to be read again."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import problems as P
from ..schema_gen import Column
from .archive import Archive
from .rules import DateTexts
from .state import Found, TableState

Message = Callable[..., str | None]


@dataclass
class Later:
    """A problem whose message needs cell values, read again from the file once the keys are checked.
    ``message`` gets the row's value of each of ``columns`` (None: no problem after all); with ``related``
    ({row: rows}), those rows, then the values of those rows as a list per column. ``cls`` None: the
    cell rules of ``column``, checked on the values read again."""

    table: TableState
    cls: type[P.Problem] | None
    index: np.ndarray
    fld: str | None
    columns: tuple[str, ...]
    message: Message | None = None
    hint: str | None = None
    related: dict[int, list[int]] | None = None
    column: Column | None = None


@dataclass
class RunState:
    """One check of a package: its settings, its tables, and what spans them."""

    descriptor: Path
    workers: int = 2
    check_hash: bool = True
    check_excerpts: bool = True
    use_polars: bool = False  # hash keys and match patterns with polars (large packages)
    resources: dict[str, dict] = field(default_factory=dict)  # the descriptor's resources, by name
    states: dict[str, TableState] = field(default_factory=dict)
    archive: Archive | None = None
    package_found: Found = field(default_factory=lambda: Found(""))
    file_problems: list[P.Problem] = field(default_factory=list)  # located in a file: the descriptor, seeds/
    dates: DateTexts = field(default_factory=DateTexts)
    later: list[Later] = field(default_factory=list)
    later_lock: threading.Lock = field(default_factory=threading.Lock)
    seeds_root: Path | None = None  # the folder holding seeds/ (default: the package's own folder)
    where: Callable[[str, int], str] = lambda resource, row: f"row {row}"
    """How a message names another row of a table (the first of two duplicates): ``row N`` in a package; in
    the curated records, the record (or its citation, link, relay) and its line."""

    @property
    def root(self) -> Path:
        return self.descriptor.parent

    @property
    def archive_root(self) -> Path:
        return self.seeds_root or self.root

    def add_later(self, item: Later) -> None:
        if len(item.index):
            with self.later_lock:
                self.later.append(item)
