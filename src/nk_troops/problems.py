"""Everything validation can report, one class per kind of problem.

Each class has a stable kebab-case ``type`` and a ``title``; an instance says
where (file, line, column, or resource, row, field), which record, what is
wrong, and a hint where one exists. The JSON shape of ``to_dict`` is a stable,
documented interface (docs/validation.md, "Output formats").
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import ClassVar

from .characters import INVISIBLE


@dataclass(frozen=True)
class Problem:
    type: ClassVar[str] = "problem"
    title: ClassVar[str] = "Problem"

    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    resource: str | None = None
    row: int | None = None
    field: str | None = None
    record_id: str | None = None
    hint: str | None = None

    def sort_key(self) -> tuple:
        return (
            self.file or "~",
            self.line or 0,
            self.column or 0,
            self.resource or "",
            self.row or 0,
            self.field or "",
            self.message,
        )

    def where(self) -> str:
        if self.file:
            place = self.file
            if self.line is not None:
                place += f":{self.line}"
                if self.column is not None:
                    place += f":{self.column}"
            if self.resource:  # a resource as the descriptor names it
                place += f" (resource {self.resource})"
            return place
        if self.resource:
            place = f"resource {self.resource}"
            if self.row is not None:
                place += f", row {self.row}"
            return place
        return "dataset"

    def to_text(self) -> str:
        parts = [f"{self.where()}: [{self.type}]"]
        if self.record_id:
            parts.append(f"record {shortened(self.record_id)}:")
        if self.field:
            parts.append(f"field '{self.field}':")
        parts.append(self.message)
        text = inert(" ".join(parts))
        if self.hint:
            text += f"\n    hint: {inert(self.hint)}"
        return text

    def to_dict(self) -> dict:
        d = {"type": self.type, "title": self.title}
        d.update({k: v for k, v in asdict(self).items()})
        return d

    def to_github(self) -> str:
        props = []
        if self.file:  # a file's name is the contributor's too: inert, and no "," or newline to forge a property
            props.append(f"file={_gh_escape_property(inert(self.file))}")
            if self.line is not None:
                props.append(f"line={self.line}")
            if self.column is not None:
                props.append(f"col={self.column}")
        props.append(f"title={_gh_escape_property(self.title)}")
        text = self.to_text()
        where = inert(self.where()) + ": "
        body = text[len(where) :] if self.file and text.startswith(where) else text
        return f"::error {','.join(props)}::{_gh_escape_data(body)}"


_ACTIVE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]|" + INVISIBLE)
"""What a terminal or a reader of the text report would act on rather than show: control characters (escape
sequences, line breaks that forge report lines), invisible and bidi-control characters, lone surrogates."""


RECORD_ID_SHOWN = 80
"""Characters of a record's id a text report shows (the JSON report has it whole): an id may be too long."""


def shortened(text: str) -> str:
    """``text`` cut to RECORD_ID_SHOWN characters, saying how long it was: an id as a text report shows it."""
    return text if len(text) <= RECORD_ID_SHOWN else f"{text[: RECORD_ID_SHOWN - 3]}... ({len(text):,} characters)"


def inert(text: str) -> str:
    """``text`` with every :data:`_ACTIVE` character written as its Python escape (``\\x1b``, ``\\u202e``): a
    value from a table or a descriptor reaches the text report as characters to read, never as commands."""
    return _ACTIVE.sub(lambda m: m.group().encode("unicode_escape", "backslashreplace").decode("ascii"), text)


def _gh_escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_escape_property(s: str) -> str:
    return _gh_escape_data(s).replace(":", "%3A").replace(",", "%2C")


def _kind(type_: str, title: str) -> type[Problem]:
    """A kind of problem: Problem with its type and title (no fields of its own, so it needs no dataclass of its
    own: it inherits Problem's, and building 28 dataclasses took most of this module's import)."""
    return type(
        title.replace(" ", "").replace("-", ""), (Problem,), {"type": type_, "title": title, "__doc__": title + "."}
    )


FileUnreadable = _kind("file-unreadable", "File cannot be read")
UnsafePath = _kind("unsafe-path", "Path is not a regular file inside the package")
DescriptorProblem = _kind("descriptor-error", "Descriptor cannot be used as written")
FileTooLarge = _kind("file-too-large", "File is larger than the limit")
EncodingProblem = _kind("encoding-error", "File is not plain UTF-8 with LF line ends")
YamlSyntax = _kind("yaml-syntax-error", "YAML syntax error")
YamlDuplicateKey = _kind("yaml-duplicate-key", "Key appears twice in one mapping")
YamlUnsafe = _kind("yaml-unsupported-construct", "YAML tag, anchor or alias not allowed")
YamlShape = _kind("yaml-shape-error", "File does not hold a list of records")
UnknownField = _kind("unknown-field", "Field not defined for this table")
FieldProblem = _kind("field-error", "Field value is not valid")
MissingField = _kind("missing-field", "Required field is missing")
MissingCitation = _kind("missing-citation", "Record has no citation")
RecordRule = _kind("record-rule", "Record breaks a rule between its fields")
DuplicateId = _kind("duplicate-id", "Identifier used twice")
DanglingReference = _kind("dangling-reference", "Reference to an identifier that does not exist")
ExcerptNotFound = _kind("excerpt-not-found", "Excerpt not found in the archived source")
ExcerptPlace = _kind("excerpt-place", "Citation does not say which place of its source the excerpt is")
CitesUnarchived = _kind("cites-unarchived-source", "Citation of a source whose text is not archived")
SeedHashMismatch = _kind("seed-hash-mismatch", "Archived source does not match its sha256")
SeedPathProblem = _kind("seed-path-error", "Archived source path is not a plain file in seeds/")
SeedUndescribed = _kind("seed-undescribed", "File in seeds/ has no source record")
UnexpectedFile = _kind("unexpected-file", "File in dataset/records/ that no table reads")
TablesOutOfDate = _kind("tables-out-of-date", "Published file differs from what the records build")
ReleasedVersionChanged = _kind("released-version-changed", "Published file differs from the release of this version")
PackageProblem = _kind("package-error", "frictionless-py reports the published package invalid")
TableStructure = _kind("table-structure-error", "Row or header does not match the table's columns")
TableHashMismatch = _kind("table-hash-mismatch", "Table file does not match its bytes or hash in datapackage.json")

ALL_KINDS: tuple[type[Problem], ...] = tuple(
    k for k in list(globals().values()) if isinstance(k, type) and issubclass(k, Problem) and k is not Problem
)


def dotted(path: tuple) -> str | None:
    """A field path as a contributor writes it: ``citations[0].excerpt``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or None


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        self.problems.extend(problems)

    @property
    def ok(self) -> bool:
        return not self.problems

    def sorted(self) -> list[Problem]:
        return sorted(self.problems, key=Problem.sort_key)

    def render(self, fmt: str = "text") -> str:
        problems = self.sorted()
        if fmt == "json":
            return json.dumps(
                {
                    "valid": self.ok,
                    "error_count": len(problems),
                    "counts": self.counts,
                    "errors": [p.to_dict() for p in problems],
                },
                indent=2,
                ensure_ascii=False,
            )
        if fmt == "github":
            return "\n".join(p.to_github() for p in problems)
        lines = [p.to_text() for p in problems]
        summary = ", ".join(f"{n} {name}" for name, n in self.counts.items())
        if self.ok:
            lines.append(f"valid: {summary}" if summary else "valid")
        else:
            lines.append(f"{len(problems)} error{'s' if len(problems) != 1 else ''} found.")
        return "\n".join(lines)
