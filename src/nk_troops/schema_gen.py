"""Derive every table's columns from the record models, and from them the
Frictionless Table Schemas and the Parquet (pyarrow) schemas.

This is the only place that turns models into columns. ``build`` writes the
generated schemas to ``schema/*.json`` and ``datapackage.json``; a test fails
when a committed copy drifts from what this module produces.
"""

from __future__ import annotations

import builtins
import functools
import types
import typing
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Annotated, Any, get_args, get_origin

from pydantic.fields import FieldInfo

from .fields import CountryRule, KnowableMarker, TextRule, Unknown, WrittenDateMarker
from .models import ClaimRecord, Record
from .vocabularies import DatePrecision, DocEnum

CHILD_LISTS = ("citations", "links", "relays")
"""Fields of records (claims' citations and links, sources' relays) that become rows of other tables, not columns."""


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # Table Schema type: string, integer, number, date
    description: str
    example: Any = None
    required: bool = False
    enum: builtins.type[DocEnum] | None = None  # builtins: the field 'type' above shadows the name here
    pattern: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    fk: str | None = None  # "resource.field"
    unique: bool = False
    source_field: str = ""  # the model field it comes from
    part: str = ""  # "", "text", "start", "end", "precision", "missing_reason"
    safe_text: bool = False  # fields.text_problem: no edge whitespace, no control character, no formula start
    visible_only: bool = False  # fields.TextRule (every text but excerpts): no invisible character either
    country: bool = False  # fields.CountryRule: an ISO 3166-1 alpha-2 code

    @property
    def enum_values(self) -> tuple[str, ...] | None:
        return tuple(self.enum.values()) if self.enum is not None else None

    @property
    def fk_table(self) -> str | None:
        """The table a foreign key refers to (``fk`` is "resource.field")."""
        return self.fk.split(".", 1)[0] if self.fk else None

    @property
    def fk_field(self) -> str | None:
        return self.fk.split(".", 1)[1] if self.fk else None

    def table_schema_field(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "type": self.type}
        if self.type == "date":
            out["format"] = "default"
        out["description"] = self.description
        if self.example is not None:
            out["example"] = self.example.value if isinstance(self.example, Enum) else self.example
        constraints: dict[str, Any] = {}
        if self.required:
            constraints["required"] = True
        if self.unique:
            constraints["unique"] = True
        if self.enum is not None:
            constraints["enum"] = self.enum.values()
        if self.pattern is not None:
            constraints["pattern"] = self.pattern.removeprefix("^").removesuffix("$")
        if self.min_length is not None:
            constraints["minLength"] = self.min_length
        if self.max_length is not None:
            constraints["maxLength"] = self.max_length
        if self.minimum is not None:
            constraints["minimum"] = self.minimum
        if self.maximum is not None:
            constraints["maximum"] = self.maximum
        if constraints:
            out["constraints"] = constraints
        return out


@dataclass
class _Facts:
    base: Any = None
    nullable: bool = False
    knowable: bool = False
    written_date: bool = False
    description: str | None = None
    examples: list[Any] | None = None
    pattern: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    fk: str | None = None
    extra: list[Any] = field(default_factory=list)
    text_rule: TextRule | None = None
    country: bool = False


def _absorb(facts: _Facts, meta: Any) -> None:
    """Collect description, examples and constraints from one metadata object."""
    if isinstance(meta, KnowableMarker):
        facts.knowable = True
    elif isinstance(meta, WrittenDateMarker):
        facts.written_date = True
    if isinstance(meta, TextRule):
        facts.text_rule = meta
    elif isinstance(meta, CountryRule):
        facts.country = True
    if isinstance(meta, FieldInfo):
        facts.description = facts.description or meta.description
        facts.examples = facts.examples or meta.examples
        extra = meta.json_schema_extra
        if isinstance(extra, dict) and "fk" in extra:
            facts.fk = str(extra["fk"])
        for inner in meta.metadata:
            _absorb(facts, inner)
        return
    for attr, target in (
        ("pattern", "pattern"),
        ("min_length", "min_length"),
        ("max_length", "max_length"),
        ("ge", "minimum"),
        ("le", "maximum"),
    ):
        value = getattr(meta, attr, None)
        if value is not None and getattr(facts, target) is None:
            setattr(facts, target, value)


def _unwrap(annotation: Any, facts: _Facts) -> None:
    """Strip Optional/Union-with-Unknown and Annotated layers, recording what they said."""
    origin = get_origin(annotation)
    if origin is Annotated:
        base, *metas = get_args(annotation)
        for m in metas:
            _absorb(facts, m)
        _unwrap(base, facts)
        return
    if origin in (typing.Union, types.UnionType):
        args = get_args(annotation)
        rest = [a for a in args if a is not type(None) and a is not Unknown]
        if type(None) in args:
            facts.nullable = True
        if Unknown in args:
            facts.knowable = True
        if len(rest) != 1:
            raise TypeError(f"cannot map union {annotation!r} to one column")
        _unwrap(rest[0], facts)
        return
    facts.base = annotation


def _facts(info: FieldInfo) -> _Facts:
    facts = _Facts()
    _absorb(facts, info)  # top-level Field(...) and constraints pydantic lifted into info.metadata
    _unwrap(info.annotation, facts)
    if not info.is_required() and info.default is None and info.default_factory is None:
        facts.nullable = True  # an optional field without a default value may be empty
    return facts


_TYPES = {str: "string", int: "integer", float: "number", date: "date", bool: "boolean"}


def field_order(model: type[Record]) -> list[str]:
    """Model fields in published order: the primary key, the model's own fields, then shared claim fields."""
    shared = [n for n in ClaimRecord.model_fields if n in model.model_fields and n not in CHILD_LISTS]
    own = [n for n in model.model_fields if n not in shared and n not in CHILD_LISTS and n != model.primary_key]
    return [model.primary_key, *own, *shared]


class _TextRules(typing.TypedDict):
    safe_text: bool
    visible_only: bool
    country: bool


def _text_rules(rule: TextRule | None, country: bool, col_type: str, enum: Any) -> _TextRules:
    """A column's text rules (``fields.TextRule``, ``fields.CountryRule``); an unknown's reason is a Text
    (``fields.Unknown.unknown``)."""
    text = col_type == "string" and enum is None and rule is not None
    return {"safe_text": text, "visible_only": text and rule is not None and rule.visible_only, "country": country}


@functools.cache
def columns(model: type[Record]) -> tuple[Column, ...]:
    """The published columns of a model's table, in order (derived once per model: every row asks)."""
    out: list[Column] = []
    for name in field_order(model):
        info = model.model_fields[name]
        f = _facts(info)
        example = f.examples[0] if f.examples else None
        desc = f.description or ""
        if f.written_date:
            out += [
                Column(
                    f"{name}_text",
                    "string",
                    f"{desc} As written in the vague-date grammar (empty when unknown).",
                    example,
                    source_field=name,
                    part="text",
                ),
                Column(
                    f"{name}_start",
                    "date",
                    f"First day {name} can be (inclusive); empty when unbounded or unknown.",
                    None,
                    source_field=name,
                    part="start",
                ),
                Column(
                    f"{name}_end",
                    "date",
                    f"Last day {name} can be (inclusive); empty when unbounded or unknown.",
                    None,
                    source_field=name,
                    part="end",
                ),
                Column(
                    f"{name}_precision",
                    "string",
                    f"How precisely {name} is known.",
                    DatePrecision.day.value,
                    required=True,
                    enum=DatePrecision,
                    source_field=name,
                    part="precision",
                ),
                Column(
                    f"{name}_missing_reason",
                    "string",
                    f"Why {name} is unknown; empty when it is known.",
                    None,
                    source_field=name,
                    part="missing_reason",
                    **_text_rules(TextRule(), False, "string", None),
                ),
            ]
            continue
        base = f.base
        enum = base if isinstance(base, type) and issubclass(base, DocEnum) else None
        col_type = "string" if enum else _TYPES.get(base)
        if col_type is None:
            raise TypeError(f"{model.__name__}.{name}: no column type for {base!r}")
        is_pk = name == model.primary_key
        out.append(
            Column(
                name,
                col_type,
                desc,
                example,
                required=not f.nullable and not f.knowable,
                enum=enum,
                pattern=f.pattern,
                min_length=f.min_length,
                max_length=f.max_length,
                minimum=f.minimum,
                maximum=f.maximum,
                fk=f.fk,
                unique=is_pk,
                source_field=name,
                **_text_rules(f.text_rule, f.country, col_type, enum),
            )
        )
        if f.knowable:
            out.append(
                Column(
                    f"{name}_missing_reason",
                    "string",
                    f"Why {name} is unknown; empty when {name} is given.",
                    None,
                    source_field=name,
                    part="missing_reason",
                    **_text_rules(TextRule(), False, "string", None),
                )
            )
    return tuple(out)


def table_schema(model: type[Record]) -> dict[str, Any]:
    """The Frictionless Table Schema of a model's table."""
    cols = columns(model)
    schema: dict[str, Any] = {
        "fields": [c.table_schema_field() for c in cols],
        "missingValues": [""],
        "primaryKey": [model.primary_key],
    }
    fks = []
    for c in cols:
        if c.fk:
            resource, field_name = c.fk.split(".")
            fks.append(
                {
                    "fields": [c.name],
                    "reference": {"resource": "" if resource == model.resource else resource, "fields": [field_name]},
                }
            )
    if fks:
        schema["foreignKeys"] = fks
    return schema


def arrow_schema(model: type[Record]):  # -> pyarrow.Schema (imported lazily: pyarrow is slow to import)
    import pyarrow as pa

    arrow_types = {
        "string": pa.string(),
        "integer": pa.int64(),
        "number": pa.float64(),
        "date": pa.date32(),
        "boolean": pa.bool_(),
    }
    fields = []
    for c in columns(model):
        t = pa.dictionary(pa.int32(), pa.string()) if c.enum else arrow_types[c.type]
        fields.append(pa.field(c.name, t, nullable=not c.required, metadata={"description": c.description}))
    return pa.schema(fields, metadata={"resource": model.resource, "primary_key": model.primary_key})
