"""The data package descriptors (datapackage.json) for the CSV and Parquet tables."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from . import metadata as M
from . import problems as P
from .confine import show
from .models import PUBLISHED, Record
from .schema_gen import table_schema

CSV_DIR = "dataset/tables/csv"
PARQUET_DIR = "dataset/tables/parquet"
SQLITE_DIR = "dataset/tables/sqlite"


READ_AS = {"encoding": "utf-8", "format": "csv"}
CSV_DIALECT = {"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": '"', "doubleQuote": True, "header": True}
"""How the build writes every CSV table, and how the table checker reads it (which also reads line ends of a
lone LF: ``lineTerminator`` is the one property a descriptor may give otherwise)."""
DIALECT_DEFAULTS = {"skipInitialSpace": False, "caseSensitiveHeader": False, "headerRows": [1], "headerJoin": " "}
"""Other properties of a CSV dialect a descriptor may give, with their default (the only value the checker reads
as): any other value, or any other property (``commentChar``, ``nullSequence``...), reads the table otherwise."""
FIELD_DEFAULTS = {"format": "default", "bareNumber": True, "decimalChar": "."}
"""Properties of a field a descriptor may give that the build leaves out, with the only value it reads as."""
FIELD_WORDS = frozenset({"name", "title", "description", "example", "examples", "rdfType"})
"""Properties of a field that only describe it: a descriptor may say them otherwise."""


def dump_json(obj: Any) -> bytes:
    """The one JSON style of every generated file: sorted by our own order, 2-space indent, UTF-8, final newline."""
    return (json.dumps(obj, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def resource_entry(model: type[Record], path: str, fmt: str, nbytes: int, sha256: str) -> dict[str, Any]:
    """One resource of a descriptor, given its file's size and sha256 (hex)."""
    res: dict[str, Any] = {
        "name": model.resource,
        "title": model.title,
        "description": model.description,
        "profile": "tabular-data-resource",
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


def csv_descriptor(files: dict[str, bytes], source_rows: list[dict[str, Any]]) -> bytes:
    """datapackage.json for the CSV tables (``files``: the rendered tables, by path)."""
    resources = [
        _resource(m, f"{CSV_DIR}/{m.resource}.csv", "csv", files[f"{CSV_DIR}/{m.resource}.csv"]) for m in PUBLISHED
    ]
    return dump_json(package(resources, _sources(source_rows)))


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


DESCRIBE_AS_BUILT = "describe each table as `nk-troops build` does (the repository's datapackage.json)"


def disagreements(resources: dict[str, dict[str, Any]], file: str) -> list[P.Problem]:
    """What a descriptor says of its tables that is not how the table checker reads and checks them: a
    resource that is no table of this dataset; an encoding, format or dialect other than the one it reads; a
    schema with other fields (names, order, types) or other keys. A consumer who trusts the descriptor would
    read such a package otherwise, so it is refused though every row is right. What is left out is not
    refused: Table Schema's defaults are what the checker reads."""
    models = {m.resource: m for m in PUBLISHED}
    out: list[P.Problem] = []

    def bad(resource: str, fld: str, message: str) -> None:
        out.append(P.DescriptorProblem(message, file=file, resource=resource, field=fld, hint=DESCRIBE_AS_BUILT))

    for name, res in resources.items():
        model = models.get(name)
        if model is None:
            bad(name, "name", f"{show(name)} is not a table of this dataset (its tables: {', '.join(models)})")
            continue
        for key, want in READ_AS.items():
            if key in res and (not isinstance(res[key], str) or res[key].lower().replace("utf8", "utf-8") != want):
                bad(name, key, f"'{key}' is {show(res[key])}; the table is {want}")
        dialect = res.get("dialect")
        for key, value in (dialect if isinstance(dialect, dict) else {}).items():
            if key in CSV_DIALECT and key != "lineTerminator" and value != CSV_DIALECT[key]:
                bad(name, f"dialect.{key}", f"'{key}' is {show(value)}; the table is read with {CSV_DIALECT[key]!r}")
            elif key not in CSV_DIALECT and (key not in DIALECT_DEFAULTS or value != DIALECT_DEFAULTS[key]):
                bad(name, f"dialect.{key}", f"'{key}' {show(value)} is not how the table is read: leave it out")
        schema = res.get("schema")
        if isinstance(schema, dict):
            ours = table_schema(model)
            fields = schema.get("fields")
            written = (
                [(f.get("name"), f.get("type", "string")) for f in fields]
                if isinstance(fields, list) and all(isinstance(f, dict) for f in fields)
                else None
            )
            if written != [(f["name"], f["type"]) for f in ours["fields"]]:
                bad(name, "schema.fields", "the schema's fields (names, order, types) are not the table's columns")
            elif isinstance(fields, list):  # what a reader of the descriptor would read or check otherwise
                for theirs, mine in zip(fields, ours["fields"], strict=True):
                    read_as = {**FIELD_DEFAULTS, **mine}
                    for key, value in theirs.items():
                        if key not in FIELD_WORDS and (key not in read_as or value != read_as[key]):
                            where = f"schema.fields.{mine['name']}.{key}"
                            said = f"'{mine['name']}' has {key} {show(value)}"
                            bad(
                                name,
                                where,
                                f"{said}; the table's is {show(read_as[key])}"
                                if key in read_as
                                else f"{said}, which the table has not: leave it out",
                            )
            for key in ("primaryKey", "foreignKeys", "missingValues"):
                if key in schema and schema[key] != ours.get(key):
                    bad(name, f"schema.{key}", f"the schema's '{key}' is not the table's")
    return out
