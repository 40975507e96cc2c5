"""The data package descriptors (datapackage.json) for the CSV and Parquet tables."""

from __future__ import annotations

import codecs
import hashlib
import json
from typing import Any

from . import metadata as M
from . import problems as P
from .confine import DESCRIBE_AS_BUILT, show
from .descriptor_words import package_said, words_said
from .models import PUBLISHED, Record
from .schema_gen import table_schema

CSV_DIR = "dataset/tables/csv"
PARQUET_DIR = "dataset/tables/parquet"
SQLITE_DIR = "dataset/tables/sqlite"
PLOTS_DIR = "docs/plots"
SITE_DIR = "docs/site"


READ_AS = {"encoding": "utf-8", "format": "csv"}
CSV_DIALECT = {"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": '"', "doubleQuote": True, "header": True}
"""How the build writes every CSV table, and how the table checker reads it (which also reads line ends of a
lone LF: ``lineTerminator`` is the one property a descriptor may give otherwise)."""
DIALECT_DEFAULTS = {
    "skipInitialSpace": False,
    "caseSensitiveHeader": False,
    "headerCase": True,
    "headerRows": [1],
    "headerJoin": " ",
}
"""Other properties of a CSV dialect a descriptor may give, with their default (the only value the checker reads
as): any other value, or any other property (``commentChar``, ``nullSequence``...), reads the table otherwise."""
LINE_ENDS = ("\r\n", "\n")
"""The line ends the table checker reads (``lineTerminator``)."""
FIELD_DEFAULTS = {"format": "default", "bareNumber": True, "decimalChar": "."}
"""Properties of a field a descriptor may give that the build leaves out, with the only value it reads as."""
CONSTRAINT_DEFAULTS = {"required": False, "unique": False, "minLength": 0}
"""Constraints a descriptor may give that the build leaves out, with the value the build means by leaving it out."""
PROFILE = "tabular-data-resource"
"""The one profile of every table: R's frictionless reads no other."""


WORDS = frozenset({"name", "title", "description", "example", "examples", "rdfType", "$schema"})
"""Properties that only describe a field, a dialect or a table: a descriptor may say them otherwise."""
RESOURCE_KEYS = frozenset(
    {"profile", "path", "format", "mediatype", "encoding", "dialect", "bytes", "hash", "schema"}
    | {"sources", "licenses", "homepage", "keywords"}
)
"""Properties of a resource a descriptor may give besides its words: what the build writes, and what only says
where a table comes from. Any other (``layout``, ``stats``, ``compression``...) may make a reader read the table
otherwise, or check it otherwise."""


def dump_json(obj: Any) -> bytes:
    """The one JSON style of every generated file: sorted by our own order, 2-space indent, UTF-8, final newline."""
    return (json.dumps(obj, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def resource_entry(model: type[Record], path: str, fmt: str, nbytes: int, sha256: str) -> dict[str, Any]:
    """One resource of a descriptor, given its file's size and sha256 (hex)."""
    res: dict[str, Any] = {
        "name": model.resource,
        "title": model.title,
        "description": model.description,
        "profile": PROFILE,
        "path": path,
        "format": fmt,
        "mediatype": "text/csv" if fmt == "csv" else "application/vnd.apache.parquet",
    }
    if fmt == "csv":
        res["encoding"] = READ_AS["encoding"]
        res["dialect"] = dict(CSV_DIALECT)
        res["bytes"] = nbytes  # frictionless-py counts no bytes of a Parquet file: it would report every one wrong
    res["hash"] = "sha256:" + sha256
    res["schema"] = table_schema(model)
    if fmt == "parquet":
        # frictionless-py reads an empty number of a Parquet file as NaN ("nan"), which breaks `minimum`
        res["schema"] = {**res["schema"], "missingValues": [*res["schema"]["missingValues"], "nan"]}
    return res


def _resource(model: type[Record], path: str, fmt: str, data: bytes) -> dict[str, Any]:
    return resource_entry(model, path, fmt, len(data), hashlib.sha256(data).hexdigest())


def package(resources: list[dict[str, Any]], sources: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "profile": "tabular-data-package",
        "name": M.NAME,
        "title": M.TITLE,
        "description": M.DESCRIPTION,
        "version": M.VERSION,
        "created": f"{M.RELEASED}T00:00:00Z",
        "licenses": [M.DATA_LICENSE],
        "contributors": M.CONTRIBUTORS,
        "keywords": M.KEYWORDS,
        "sources": sources,
        "resources": resources,
    }


def _sources(source_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"title": f"{r['source_id']} ({r['outlet'] or 'outlet not established'})", "path": r["archived_file"]}
        for r in source_rows
        if r["archived_file"]
    ]


def csv_package(files: dict[str, bytes], source_rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The descriptor of the CSV tables (``files``: the rendered tables, by path)."""
    resources = [
        _resource(m, f"{CSV_DIR}/{m.resource}.csv", "csv", files[f"{CSV_DIR}/{m.resource}.csv"]) for m in PUBLISHED
    ]
    return package(resources, _sources(source_rows))


def csv_descriptor(files: dict[str, bytes], source_rows: list[dict[str, Any]]) -> bytes:
    """datapackage.json for the CSV tables, as published."""
    return dump_json(csv_package(files, source_rows))


def descriptors(files: dict[str, bytes], source_rows: list[dict[str, Any]]) -> dict[str, bytes]:
    """datapackage.json (CSV, at the repository root) and the Parquet one, from the rendered table files."""
    pq_resources = [
        _resource(m, f"{m.resource}.parquet", "parquet", files[f"{PARQUET_DIR}/{m.resource}.parquet"])
        for m in PUBLISHED
    ]
    return {
        "datapackage.json": csv_descriptor(files, source_rows),
        f"{PARQUET_DIR}/datapackage.json": dump_json(package(pq_resources, _sources(source_rows))),
    }


def disagreements(resources: dict[str, dict[str, Any]], file: str, package: dict | None = None) -> list[P.Problem]:
    """What a descriptor says of its tables that is not how the table checker reads and checks them: a
    resource that is no table of this dataset; a property of a resource, its dialect or its schema that the
    build does not write, or writes otherwise. A consumer who trusts the descriptor would read such a package
    otherwise, or check it otherwise, so it is refused though every row is right. What is left out is not
    refused (Table Schema's defaults are what the checker reads), nor what only describes."""
    models = {m.resource: m for m in PUBLISHED}
    out = [P.DescriptorProblem(m, file=file, field=k, hint=DESCRIBE_AS_BUILT) for k, m in package_said(package or {})]
    for name, res in resources.items():
        model = models.get(name)
        if model is None:
            found = [("name", f"{show(name)} is not a table of this dataset (its tables: {', '.join(models)})")]
        else:
            found = [*_resource_says(res), *_dialect_says(res.get("dialect")), *_schema_says(res.get("schema"), model)]
        out += [P.DescriptorProblem(m, file=file, resource=name, field=f, hint=DESCRIBE_AS_BUILT) for f, m in found]
    return out


def _resource_says(res: dict[str, Any]) -> list[tuple[str, str]]:
    out = [(key, _leave_out(key, value)) for key, value in res.items() if key not in WORDS | RESOURCE_KEYS]
    out += [(k, m) for k, m in words_said(res) if k != "name"]  # a name that is not text: check_descriptor's
    if "profile" in res and res["profile"] != PROFILE:
        out.append(("profile", f"'profile' is {show(res['profile'])}; every table is a {PROFILE}"))
    if "format" in res and res["format"] != READ_AS["format"]:  # frictionless-py reads 'CSV' as no format it knows
        out.append(("format", f"'format' is {show(res['format'])}; the table is {READ_AS['format']}"))
    if "encoding" in res and not _is_utf8(res["encoding"]):
        out.append(("encoding", f"'encoding' is {show(res['encoding'])}; the table is {READ_AS['encoding']}"))
    return out


def _is_utf8(name: object) -> bool:
    """UTF-8 by any of its names; with a BOM or without (the tables have none, and a reader told of one reads
    them alike)."""
    try:
        return isinstance(name, str) and codecs.lookup(name).name in ("utf-8", "utf-8-sig")
    except LookupError:
        return False


def read_otherwise(res: dict[str, Any]) -> list[tuple[str, str]]:
    """What a resource says that would make its table read otherwise than the build writes every table (its
    format, encoding, profile, dialect, or a property such as ``layout``), or that a reader refuses (a title that
    is not text), as (property, why) pairs. Any version of the package is described so; the schema is another
    matter (it is what changes from one version to the next)."""
    return _resource_says(res) + _dialect_says(res.get("dialect"))


def _dialect_says(dialect: object) -> list[tuple[str, str]]:
    if not isinstance(dialect, dict):
        return []
    nested = dialect.get("csv")  # Data Package v2 writes a CSV dialect's own properties under "csv"
    out = [("dialect.csv", _leave_out("csv", nested))] if "csv" in dialect and not isinstance(nested, dict) else []
    given = [(k, v) for k, v in dialect.items() if k != "csv"] + list(
        nested.items() if isinstance(nested, dict) else []
    )
    out += [(f"dialect.{k}", m) for k, m in words_said(dialect)]
    out += [(f"dialect.csv.{k}", m) for k, m in words_said(nested)] if isinstance(nested, dict) else []
    for key, value in given:  # both ways, each checked: readers differ on which of the two wins
        if key == "lineTerminator":
            if value not in LINE_ENDS:
                out.append((f"dialect.{key}", f"'{key}' is {show(value)}; the table's lines end in CRLF or LF"))
        elif key in CSV_DIALECT:
            if not _same(value, CSV_DIALECT[key]):
                out.append((f"dialect.{key}", f"'{key}' is {show(value)}; the table is read with {CSV_DIALECT[key]!r}"))
        elif key not in WORDS and not (key in DIALECT_DEFAULTS and _same(value, DIALECT_DEFAULTS[key])):
            out.append((f"dialect.{key}", _leave_out(key, value)))
    return out


def _schema_says(schema: object, model: type[Record]) -> list[tuple[str, str]]:
    if not isinstance(schema, dict):
        return []
    ours = table_schema(model)
    fields = schema.get("fields")
    written = (
        [(f.get("name"), f.get("type", "string")) for f in fields]
        if isinstance(fields, list) and all(isinstance(f, dict) for f in fields)
        else None
    )
    out = [(f"schema.{k}", m) for k, m in words_said(schema)]
    if written != [(f["name"], f["type"]) for f in ours["fields"]]:
        out.append(("schema.fields", "the schema's fields (names, order, types) are not the table's columns"))
    elif isinstance(fields, list):  # what a reader of the descriptor would read or check otherwise
        for theirs, mine in zip(fields, ours["fields"], strict=True):
            out += _field_says(theirs, mine)
    for key in ("primaryKey", "foreignKeys", "missingValues"):
        if key in schema and not _same(_keys_as_lists(key, schema[key]), _keys_as_lists(key, ours.get(key))):
            out.append((f"schema.{key}", f"the schema's '{key}' is not the table's"))
    others = set(schema) - WORDS - {"fields", "primaryKey", "foreignKeys", "missingValues"}
    out += [(f"schema.{key}", _leave_out(key, schema[key])) for key in sorted(others, key=str)]  # fieldsMatch...
    return out


def _field_says(theirs: dict[str, Any], mine: dict[str, Any]) -> list[tuple[str, str]]:
    read_as = {**FIELD_DEFAULTS, **mine}
    out = [(f"schema.fields.{mine['name']}.{k}", m) for k, m in words_said(theirs) if k != "name"]
    for key, value in theirs.items():
        if key in WORDS or (key in read_as and key != "constraints" and _same(value, read_as[key])):
            continue
        where, said = f"schema.fields.{mine['name']}.{key}", f"'{mine['name']}' has {key} {show(value)}"
        if key == "constraints" and isinstance(value, dict):
            ours = mine.get("constraints", {})
            for c, v in value.items():
                want = ours.get(c, CONSTRAINT_DEFAULTS.get(c, _ABSENT))
                if not (
                    _same(sorted(map(str, v)), sorted(map(str, want)))
                    if c == "enum" and _lists(v, want)
                    else _same(v, want)
                ):
                    out.append((f"{where}.{c}", f"'{mine['name']}' has the constraint {c} {show(v)}, not the table's"))
        elif key not in read_as:
            out.append((where, f"{said}, which the table has not: leave it out"))
        elif not _same(value, read_as[key]):
            out.append((where, f"{said}; the table's is {show(read_as[key])}"))
    return out


_ABSENT = object()


def _lists(*values: object) -> bool:
    return all(isinstance(v, list) for v in values)


def _leave_out(key: str, value: object) -> str:
    return f"'{key}' {show(value)} is not how the table is read: leave it out"


def _keys_as_lists(key: str, value: object) -> object:
    """A primary key or foreign keys with a field's name given alone written as a list of one, foreign keys in
    order: as Table Schema reads them."""
    if key == "primaryKey" and isinstance(value, str):
        return [value]
    if key == "foreignKeys" and isinstance(value, list):
        keys = []
        for fk in value:
            if isinstance(fk, dict):
                ref = fk.get("reference")
                fk = {**fk, "fields": _keys_as_lists("primaryKey", fk.get("fields"))}
                if isinstance(ref, dict):
                    fk["reference"] = {**ref, "fields": _keys_as_lists("primaryKey", ref.get("fields"))}
            keys.append(fk)
        return sorted(keys, key=lambda k: json.dumps(k, sort_keys=True, default=str))
    return value


def _same(a: object, b: object) -> bool:
    """Equal as JSON values: true is not 1, 1 is 1.0; lists and objects compared member by member."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b
