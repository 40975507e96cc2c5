"""A pydantic validation error of one record, translated into located problems a contributor can act on.

Each error is placed at the line and column of the key or value it concerns (from the YAML positions), named by
its dotted field path, worded in plain terms ("'x' is not a whole number") with a hint (the field's description,
a did-you-mean, the vocabulary's value for a source's word). Used by ``records.py`` only.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

from pydantic import ValidationError

from . import hints
from . import problems as P
from .fields import KnowableMarker, Unknown
from .models import Citation, Link, Record, Relay, SourceRecord


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
    if path and path[0] == "relays" and model is SourceRecord:
        return Relay
    if len(path) == 2 and isinstance(path[0], str) and path[0] not in ("citations", "links", "relays"):
        return Unknown  # inside a {unknown: ...} mapping
    return model


def pydantic_problems(
    err: ValidationError,
    model: type[Record],
    item: dict,
    index: int,
    positions: dict,
    file: str,
    record_id: str | None,
    said: Collection[str | None] = (),
) -> list[P.Problem]:
    """Each error of ``err`` as a located problem, but for the fields in ``said`` (reported already, by the loader)."""
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
        if key in seen_paths or fname in said:
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
    if info is None:
        return None
    return hints.what_it_is(name, info.description, info.examples[0] if info.examples else None)


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _clean(msg: str) -> str:
    return re.sub(r"^(Value error|Assertion failed), ", "", msg)


def _explain(e: Any, value: Any, target: type, path: tuple) -> tuple[str, str | None]:
    etype = e["type"]
    name = path[-1] if path and isinstance(path[-1], str) else None
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
    if etype in ("greater_than_equal", "less_than_equal") and isinstance(value, int | float):
        bound = e["ctx"]["ge" if etype == "greater_than_equal" else "le"]
        return hints.out_of_range(_show(value), etype == "greater_than_equal", bound), _describe(target, name)
    return _clean(e["msg"]), _describe(target, name)
