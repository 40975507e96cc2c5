"""What to check in each published table, compiled from the record models.

Everything here comes from ``schema_gen.columns(model)`` (types, required,
enums, patterns, lengths, ranges, keys) plus the two rules the models state
only as validators (safe text, ISO country codes) and the cross-field rules
the models' ``model_validator`` methods and ``WrittenDate``/``Knowable``
markers imply. No pyarrow here: this module is cheap to import.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass, field
from functools import cache
from typing import Annotated, Any, get_args, get_origin

from .. import fields as F
from .. import models as M
from ..schema_gen import Column, columns

# Strict lexical forms, as Table Schema defines them (a leading sign is allowed, though our writer writes no '+').
# frictionless-py accepts more (float("1_0"), strptime("2021-7-04")); inf, NaN and numbers too large for a
# float are refused after the cast (see cells.check_column).
INTEGER_RE = r"^[-+]?[0-9]+$"
NUMBER_RE = r"^[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?$"
DATE_RE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


@dataclass(frozen=True)
class ColSpec:
    name: str
    type: str  # string | integer | number | date
    required: bool
    enum: tuple[str, ...] | None
    pattern: str | None
    min_length: int | None
    max_length: int | None
    minimum: float | None
    maximum: float | None
    fk: tuple[str, str] | None  # (resource, field)
    unique: bool
    safe_text: bool  # models.text_problem: no edge whitespace, no control character, no formula start
    visible_only: bool  # models._safe_text (every text but excerpts): no invisible character either
    country: bool  # models._iso_country
    column: Column


@dataclass(frozen=True)
class DateGroup:
    """The five columns a WrittenDate field becomes."""

    base: str
    text: str
    start: str
    end: str
    precision: str
    missing_reason: str


@dataclass(frozen=True)
class TableSpec:
    resource: str
    model: type[M.Record]
    columns: tuple[ColSpec, ...]
    primary_key: str
    date_groups: tuple[DateGroup, ...]
    knowable_pairs: tuple[tuple[str, str], ...]  # (x, x_missing_reason)
    by_name: dict[str, ColSpec] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


def _validators(annotation: Any, found: set) -> None:
    """Collect AfterValidator functions anywhere inside an annotation."""
    origin = get_origin(annotation)
    if origin is Annotated:
        base, *metas = get_args(annotation)
        for m in metas:
            func = getattr(m, "func", None)
            if func is not None:
                found.add(func)
            for inner in getattr(m, "metadata", []) or []:
                f2 = getattr(inner, "func", None)
                if f2 is not None:
                    found.add(f2)
        _validators(base, found)
    elif origin in (typing.Union, types.UnionType):
        for a in get_args(annotation):
            _validators(a, found)


def _field_validators(model: type[M.Record], name: str) -> set:
    info = model.model_fields[name]
    found: set = set()
    _validators(info.annotation, found)
    for m in info.metadata:
        func = getattr(m, "func", None)
        if func is not None:
            found.add(func)
    return found


@cache
def table_spec(model: type[M.Record]) -> TableSpec:
    cols = columns(model)
    out: list[ColSpec] = []
    for c in cols:
        funcs = _field_validators(model, c.source_field) if c.part in ("", "missing_reason") else set()
        if c.part == "missing_reason":  # Unknown.unknown is Text
            funcs = {F._safe_text}
        fk: tuple[str, str] | None = None
        if c.fk:
            target, key = c.fk.split(".", 1)  # "resource.field", as models.fk declares it
            fk = (target, key)
        out.append(
            ColSpec(
                name=c.name,
                type=c.type,
                required=c.required,
                enum=tuple(c.enum.values()) if c.enum is not None else None,
                pattern=c.pattern,
                min_length=c.min_length,
                max_length=c.max_length,
                minimum=c.minimum,
                maximum=c.maximum,
                fk=fk,
                unique=c.unique,
                safe_text=bool(funcs & {F._safe_text, F._safe_excerpt}) and c.type == "string" and c.enum is None,
                visible_only=F._safe_text in funcs and c.type == "string" and c.enum is None,
                country=F._iso_country in funcs,
                column=c,
            )
        )
    groups = []
    pairs = []
    for c in cols:
        if c.part == "text":
            b = c.source_field
            groups.append(DateGroup(b, f"{b}_text", f"{b}_start", f"{b}_end", f"{b}_precision", f"{b}_missing_reason"))
        elif c.part == "missing_reason" and f"{c.source_field}_text" not in {x.name for x in cols}:
            pairs.append((c.source_field, c.name))
    spec = TableSpec(model.resource, model, tuple(out), model.primary_key, tuple(groups), tuple(pairs))
    spec.by_name.update({c.name: c for c in out})
    return spec
