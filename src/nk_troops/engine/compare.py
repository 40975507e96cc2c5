"""Put frictionless-py's errors and the engine's problems side by side (for the agreement test and the benchmark).

Each error becomes (resource, row, field, kind) with kind one of the engine's
problem types; structure and file-level errors are compared without a field.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .. import models as M
from .. import problems as P

STRUCTURE = {
    "blank-row",
    "missing-cell",
    "extra-cell",
    "incorrect-label",
    "missing-label",
    "extra-label",
    "blank-label",
    "duplicate-label",
    "blank-header",
}
FILE_LEVEL = {
    "hash-count": "table-hash-mismatch",
    "byte-count": "table-hash-mismatch",
    "encoding-error": "encoding-error",
    "source-error": "file-unreadable",
    "scheme-error": "file-unreadable",
    "format-error": "file-unreadable",
}
UNFIELDED = {"table-structure-error", "table-hash-mismatch", "encoding-error", "file-unreadable"}

Key = tuple[str, int | None, str | None, str]


def key(resource: str | None, row: int | None, field: str | None, kind: str) -> Key:
    return (resource or "", row, None if kind in UNFIELDED else field, kind)


def engine_keys(problems: Iterable[P.Problem]) -> set[Key]:
    return {key(p.resource, p.row, p.field, p.type) for p in problems}


def frictionless_keys(descriptor: str | Path, limit_errors: int = 10_000_000) -> list[Key]:
    """Validate with frictionless-py and return its errors in the engine's terms."""
    import frictionless

    path = Path(descriptor)
    report = frictionless.validate(str(path), limit_errors=limit_errors)
    out: list[Key] = []
    for error in report.errors:
        out.append(key("", None, None, FILE_LEVEL.get(error.type, "package-error")))
    for task in report.tasks:
        blank_rows = {getattr(e, "row_number", None) for e in task.errors if e.type == "blank-row"}
        pk = M.BY_RESOURCE[task.name].primary_key if task.name in M.BY_RESOURCE else None
        for e in task.errors:
            row = getattr(e, "row_number", None)
            t = e.type
            if t in STRUCTURE:
                out.append(key(task.name, row, None, "table-structure-error"))
            elif t in FILE_LEVEL:
                out.append(key(task.name, None, None, FILE_LEVEL[t]))
            elif t == "type-error":
                out.append(key(task.name, row, e.field_name, "field-error"))
            elif t == "constraint-error":
                required = '"required"' in (e.note or "")
                out.append(key(task.name, row, e.field_name, "missing-field" if required else "field-error"))
            elif t in ("unique-error", "primary-key"):
                if row in blank_rows:  # frictionless also calls a blank row's empty key a duplicate
                    continue
                out.append(key(task.name, row, getattr(e, "field_name", None) or pk, "duplicate-id"))
            elif t == "foreign-key":
                names = getattr(e, "field_names", None) or [None]
                out.append(key(task.name, row, names[0], "dangling-reference"))
            else:
                out.append(key(task.name, row, getattr(e, "field_name", None), f"frictionless:{t}"))
    return out
