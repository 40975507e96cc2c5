"""Read the curated records in dataset/records/*.yaml into validated models.

Every problem comes back as a located :class:`~nk_troops.problems.Problem`
(file, line, column, record id, field); nothing raises for a contributor's
mistake. Checks *between* records (ids, references, excerpts) are in
``checks.py``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from . import hints
from . import problems as P
from .fields import KnowableMarker, Unknown
from .models import CURATED, Citation, Link, Record
from .vocabularies import definitions_of
from .yaml_loader import YamlLoadError, load_yaml

RECORDS_DIR = Path("dataset/records")
MAX_FILE_BYTES = 2 * 1024 * 1024
"""A records file larger than this is refused (the whole curated dataset is a few dozen kB)."""


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
    if not raw.strip():
        return None, P.YamlShape(
            "the file is empty", file=rel, line=1, hint="a records file holds a YAML list of records; write [] for none"
        )
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
            try:
                record = model.model_validate(_nfc(item))
            except ValidationError as e:
                problems.extend(_pydantic_problems(e, model, item, i, loaded.positions, rel, record_id))
                dataset.invalid.setdefault(model.resource, []).append(
                    Located(None, rel, i, loaded.positions, item, model)
                )
                continue
            located.append(Located(record, rel, i, loaded.positions, item, model))
        dataset.records[model.resource] = located
    return dataset, problems


# --------------------------------------------------------------------------- pydantic errors → problems


def _data_path(loc: tuple, item: dict) -> tuple:
    """The part of a pydantic loc that names real keys or indices of the data.

    Union member tags ('str', 'Unknown', 'function-after[...]') are skipped; a last part that is not in the data
    is a missing key and is kept, so the error can name it.
    """
    path: list[Any] = []
    node: Any = item
    for i, part in enumerate(loc):
        if isinstance(node, dict) and part in node:
            path.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            path.append(part)
            node = node[part]
        elif i == len(loc) - 1 and isinstance(node, dict):
            path.append(part)
    return tuple(path)


def _knowable_fields(model: type[Record]) -> set[str]:
    return {
        name for name, info in model.model_fields.items() if any(isinstance(m, KnowableMarker) for m in info.metadata)
    }


def _relevant(e: Any, item: dict, knowable: set[str]) -> bool:
    """For a value-or-{unknown: why} field, keep only the errors of the alternative the contributor wrote."""
    loc = e["loc"]
    if not loc or loc[0] not in knowable:
        return True
    wrote_unknown = isinstance(item.get(loc[0]), dict)
    return ("Unknown" in loc) == wrote_unknown


def _model_for_path(model: type[Record], path: tuple) -> Any:
    if path and path[0] == "citations":
        return Citation
    if path and path[0] == "links":
        return Link
    if len(path) == 2 and isinstance(path[0], str) and path[0] not in ("citations", "links"):
        return Unknown  # inside a {unknown: ...} mapping
    return model


def _pydantic_problems(
    err: ValidationError, model: type[Record], item: dict, index: int, positions: dict, file: str, record_id: str | None
) -> list[P.Problem]:
    out: list[P.Problem] = []
    seen_paths: set[tuple] = set()
    knowable = _knowable_fields(model)
    for e in err.errors(include_url=False):
        if not _relevant(e, item, knowable):
            continue
        path = _data_path(e["loc"], item)
        etype = e["type"]
        line, col = None, None
        probe = (index, *path)
        while probe:
            if probe in positions:
                line, col = positions[probe]
                break
            probe = probe[:-1]
        fname = P.dotted(path)
        key = (path, etype if etype in ("extra_forbidden", "missing") else "value")
        if key in seen_paths:
            continue  # the alternatives of one union field fail together: report the field once
        seen_paths.add(key)
        value = e.get("input")
        common: dict[str, Any] = dict(file=file, line=line, column=col, field=fname, record_id=record_id)
        target = _model_for_path(model, path)
        if etype == "extra_forbidden":
            bad = path[-1] if path else "?"
            guess = hints.closest(str(bad), target.model_fields)
            out.append(
                P.UnknownField(
                    f"'{bad}' is not a field of {_what(target, model)}",
                    **common,
                    hint=hints.did_you_mean(guess) if guess else f"the fields are: {', '.join(target.model_fields)}",
                )
            )
        elif etype == "missing":
            out.append(
                P.MissingField(
                    f"the required field '{path[-1] if path else '?'}' is missing",
                    **common,
                    hint=_describe(target, path[-1] if path else None),
                )
            )
        elif path == ("citations",) and etype == "too_short":
            out.append(
                P.MissingCitation(
                    "the record has no citation; every event, statement and figure needs at least one",
                    **common,
                    hint='add citations: [{source_id: ..., excerpt: "verbatim words from the source"}]',
                )
            )
        elif not path:
            message = _clean(e["msg"])
            named = _fields_named(message, model)
            if named:  # point at the first field the rule names, where it is written
                common["field"] = named
                line, col = positions.get((index, named), (line, col))
                common.update(line=line, column=col)
            out.append(P.RecordRule(message, **common))
        elif len(path) == 1 and path[0] in knowable and not isinstance(value, str):
            out.append(
                P.FieldProblem(
                    f'{_show(value)} is not valid here: give the value as text, or {{unknown: "why the sources do not say"}}',
                    **common,
                    hint=_describe(target, path[-1]),
                )
            )
        else:
            msg, hint = _explain(e, value, target, path)
            out.append(P.FieldProblem(msg, **common, hint=hint))
    return out


def _fields_named(message: str, model: type[Record]) -> str | None:
    """The model field a cross-field rule's message names first (e.g. 'value_low (5000) is greater than ...')."""
    hits = [
        (m.start(), name) for name in model.model_fields for m in [re.search(rf"\b{re.escape(name)}\b", message)] if m
    ]
    return min(hits)[1] if hits else None


def _what(target: type, model: type[Record]) -> str:
    if target is Citation:
        return "a citation"
    if target is Link:
        return "a link"
    if target is Unknown:
        return 'an unknown value (write {unknown: "why"})'
    return f"the {model.resource} table"


def _describe(target: type, name: Any) -> str | None:
    info = getattr(target, "model_fields", {}).get(name) if isinstance(name, str) else None
    if info is None or not info.description:
        return None
    ex = f" (for example {info.examples[0]!r})" if info.examples else ""
    return f"{name}: {info.description}{ex}"


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _clean(msg: str) -> str:
    return re.sub(r"^(Value error|Assertion failed), ", "", msg)


def _explain(e: Any, value: Any, target: type, path: tuple) -> tuple[str, str | None]:
    etype = e["type"]
    name = path[-1] if path and isinstance(path[-1], str) else None
    if etype == "enum":
        allowed = re.findall(r"'([^']*)'", e.get("ctx", {}).get("expected", ""))
        return hints.not_allowed(_show(value), allowed), hints.controlled_value(value, definitions_of(allowed))
    if etype == "string_pattern_mismatch":
        return f"{_show(value)} does not have the required form", _describe(target, name)
    if etype in (
        "string_type",
        "float_type",
        "float_parsing",
        "finite_number",
        "int_type",
        "int_parsing",
        "list_type",
        "model_type",
        "dict_type",
        "model_attributes_type",
    ):
        wanted = {
            "string_type": "text",
            "float_type": "a number",
            "float_parsing": "a number",
            "finite_number": "a finite number",
            "int_type": "a whole number",
            "int_parsing": "a whole number",
            "list_type": "a list",
            "model_type": "a mapping",
            "dict_type": "a mapping",
            "model_attributes_type": "a mapping",
        }[etype]
        return f"{_show(value)} is not {wanted}", _describe(target, name)
    return _clean(e["msg"]), _describe(target, name)
