"""Read the curated records in dataset/records/*.yaml into validated models.

Every problem comes back as a located :class:`~nk_troops.problems.Problem`
(file, line, column, record id, field); nothing raises for a contributor's
mistake. Excerpts are found in their texts by ``checks.py``; checks *between*
records (ids, references, links, relays) are the table checker's, run on the
records' tables by ``records_as_tables.py``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from . import problems as P
from .models import CURATED, Record
from .record_errors import pydantic_problems
from .yaml_loader import YamlLoadError, load_yaml

RECORDS_DIR = Path("dataset/records")
MAX_FILE_BYTES = 2 * 1024 * 1024
"""A records file larger than this is refused (the whole curated dataset is a few dozen kB)."""


def record_at(file: str, line: int | None) -> str:
    """How a message names a record by where it is written."""
    return f"the record at {file}:{line}"


@dataclass
class Located:
    """A validated record and where it was written."""

    record: Record | None  # None for a record that failed its own checks (kept so its references are still checked)
    file: str
    index: int
    positions: dict[tuple, tuple[int, int]]
    item: dict[str, Any] = field(default_factory=dict)
    """The record as written (plain YAML data)."""
    model: type[Record] | None = None
    reported: frozenset[str] = frozenset()
    """The fields (dotted paths) whose problems the shape check reported, for a record that failed it."""

    @property
    def id(self) -> str | None:
        model: Any = self.model or type(self.record)
        value = self.item.get(model.primary_key) if self.record is None else getattr(self.record, model.primary_key)
        return value if isinstance(value, str) else None

    def at(self, *path: Any) -> tuple[int | None, int | None]:
        """Line and column of a path inside this record (the nearest enclosing one that was written)."""
        full = (self.index, *path)
        while full:
            if full in self.positions:
                return self.positions[full]
            full = full[:-1]
        return None, None


@dataclass
class Dataset:
    root: Path
    records: dict[str, list[Located]] = field(default_factory=dict)
    invalid: dict[str, list[Located]] = field(default_factory=dict)
    """Records that failed their own checks (already reported): their references are still checked, and
    references to their ids are not reported again."""

    unread: set[str] = field(default_factory=set)
    """Tables whose records file could not be read or parsed (already reported): references into them
    cannot be checked, so none is reported as dangling."""

    def invalid_ids(self, resource: str) -> set[str]:
        return {loc.id for loc in self.invalid.get(resource, []) if loc.id}

    def of(self, resource: str) -> list[Located]:
        return self.records.get(resource, [])


_NOT_TEXT = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufdd0-\ufdef"
    + "".join(chr(plane | 0xFFFE) + chr(plane | 0xFFFF) for plane in range(0, 0x110000, 0x10000))
    + "]"
)
"""Characters a records file may not hold: C0 and C1 controls but tab, line break, CR (reported on its own) and NEL
(a line break to YAML), and Unicode's noncharacters. YAML refuses most of them without saying where."""


def read_text(path: Path, rel: str, limit: int = MAX_FILE_BYTES) -> tuple[str | None, P.Problem | None]:
    """Read a UTF-8 text file strictly: size limit, no BOM, valid UTF-8, LF line ends, not empty."""
    try:
        if path.is_symlink():
            return None, P.FileUnreadable(
                "the file is a symbolic link; records and sources must be plain files", file=rel
            )
        size = path.stat().st_size
        if size > limit:
            return None, P.FileTooLarge(
                f"the file is {size:,} bytes; the limit is {limit:,} bytes",
                file=rel,
                hint="split the contribution, or ask a maintainer if a records file really needs to be this large",
            )
        raw = path.read_bytes()
    except OSError as e:
        return None, P.FileUnreadable(f"cannot read the file: {e.strerror}", file=rel)
    if raw.startswith(b"\xef\xbb\xbf"):
        return None, P.EncodingProblem(
            "the file starts with a byte-order mark (BOM)",
            file=rel,
            line=1,
            column=1,
            hint="save the file as UTF-8 without BOM",
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        col = e.start - (raw.rfind(b"\n", 0, e.start) + 1) + 1
        return None, P.EncodingProblem(
            f"the file is not UTF-8: byte 0x{raw[e.start]:02x} cannot be decoded",
            file=rel,
            line=line,
            column=col,
            hint="save the file as UTF-8",
        )
    if "\r" in text:
        line = text[: text.index("\r")].count("\n") + 1
        return None, P.EncodingProblem(
            "the file has CR or CRLF line ends",
            file=rel,
            line=line,
            hint="save the file with Unix (LF) line ends, e.g. `dos2unix FILE`",
        )
    bad = _NOT_TEXT.search(text)
    if bad is not None:
        at = bad.start()
        line_start = text.rfind("\n", 0, at) + 1
        return None, P.EncodingProblem(
            f"the file holds the character U+{ord(bad.group()):04X}, which a text file may not hold "
            "(a control character other than tab and line break, or a Unicode noncharacter)",
            file=rel,
            line=text.count("\n", 0, at) + 1,
            column=at - line_start + 1,
            hint="remove it: records hold printable text, tabs and line breaks",
        )
    return text, None


def _nfc(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [_nfc(v) for v in value]
    if isinstance(value, dict):
        return {k: _nfc(v) for k, v in value.items()}
    return value


def load_dataset(root: Path) -> tuple[Dataset, list[P.Problem]]:
    root = Path(root)
    dataset = Dataset(root)
    problems: list[P.Problem] = []
    folder = root / RECORDS_DIR
    expected = {f"{m.resource}.yaml" for m in CURATED}
    if folder.is_dir():
        for extra in sorted(p.name for p in folder.iterdir() if p.name not in expected):
            problems.append(
                P.UnexpectedFile(
                    f"no table reads '{extra}'",
                    file=str(RECORDS_DIR / extra),
                    hint=f"records go in one of: {', '.join(sorted(expected))}",
                )
            )
    for model in CURATED:
        rel = str(RECORDS_DIR / f"{model.resource}.yaml")
        text, problem = (
            read_text(root / rel, rel)
            if (root / rel).exists()
            else (
                None,
                P.FileUnreadable(
                    f"the file is missing; the {model.resource} table is read from it",
                    file=rel,
                    hint="create it with a YAML list of records ([] for none)",
                ),
            )
        )
        if problem:
            problems.append(problem)
            dataset.unread.add(model.resource)
            continue
        try:
            loaded = load_yaml(text or "", rel)
        except YamlLoadError as e:
            problems.append(e.problem)
            dataset.unread.add(model.resource)
            continue
        data = loaded.data
        if data is None and all(not ln.strip() or ln.lstrip().startswith("#") for ln in (text or "").splitlines()):
            problems.append(
                P.YamlShape(
                    "the file is empty: it holds no YAML value, only comments or nothing",
                    file=rel,
                    line=1,
                    hint="a records file holds a YAML list of records; write [] for none",
                )
            )
            dataset.unread.add(model.resource)
            continue
        if not isinstance(data, list):
            problems.append(
                P.YamlShape("the file must hold a YAML list of records (each starting with '- ')", file=rel, line=1)
            )
            dataset.unread.add(model.resource)
            continue
        located: list[Located] = []
        for i, item in enumerate(data):
            line, col = loaded.positions.get((i,), (None, None))
            if not isinstance(item, dict):
                problems.append(
                    P.YamlShape(
                        f"item {i + 1} is not a record (a mapping of field: value)", file=rel, line=line, column=col
                    )
                )
                continue
            record_id = item.get(model.primary_key) if isinstance(item.get(model.primary_key), str) else None
            shape = loaded.problems_of(i, record_id)  # a value the loader refused is reported once, as it said
            try:
                record = model.model_validate(_nfc(item))
            except ValidationError as e:
                said = {p.field for p in shape}
                shape += pydantic_problems(e, model, item, i, loaded.positions, rel, record_id, said)
            if shape:
                problems.extend(shape)
                dataset.invalid.setdefault(model.resource, []).append(
                    Located(None, rel, i, loaded.positions, item, model, frozenset(p.field for p in shape if p.field))
                )
                continue
            located.append(Located(record, rel, i, loaded.positions, item, model))
        dataset.records[model.resource] = located
    return dataset, problems
