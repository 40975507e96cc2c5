"""Build at scale: the published CSV and Parquet of a (validated) package of scripted tables.

Tables stream through in batches: each CSV is read as text, converted to the
column types of the record models, and written again as canonical CSV (the
bytes ``writers.to_csv`` makes for the same rows) and as Parquet with the
schema ``schema_gen.arrow_schema`` gives, in fixed row groups. The output does
not depend on how the input was batched or on thread timing: rebuilding gives
the same bytes. Large tables with a date also get Hive-partitioned Parquet
(``year=YYYY/part-0.parquet``) beside the single file.

Validate first (``validate_tables``): a cell that does not convert stops the build.
"""

from __future__ import annotations

import json
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .. import models as M
from ..descriptor import CSV_DIR, PARQUET_DIR, dump_json, package
from .arrays import cast_number
from .spec import TableSpec, table_spec
from .writer import (
    HashingFile,
    ParquetOut,
    csv_from_typed,
    file_digest,
    header,
    resource_descriptor,
    typed_batch,
    write_partitioned,
)

BLOCK_SIZE = 1 << 20
GROUP = 8
PARTITION_ROWS = 500_000
"""Tables with more rows than this (and a *_start date) also get Parquet partitioned by year."""


class BuildError(Exception):
    pass


def _typed_columns(spec: TableSpec, batch: pa.RecordBatch) -> pa.Table:
    arrays = []
    for c in spec.columns:
        col = batch.column(c.name)
        target = {"integer": pa.int64(), "number": pa.float64(), "date": pa.date32()}.get(c.type)
        if target is not None:
            try:
                col = pc.cast(col, target) if c.type == "date" else cast_number(col, target)
            except pa.ArrowInvalid as e:
                raise BuildError(f"{spec.resource}.{c.name}: {e}; run check-tables first") from e
        arrays.append(col)
    return pa.Table.from_arrays(arrays, names=spec.names)


def _build_one(spec: TableSpec, src: Path, out: Path, partition_rows: int) -> dict[str, Any]:
    rel_csv = f"{CSV_DIR}/{spec.resource}.csv"
    rel_pq = f"{PARQUET_DIR}/{spec.resource}.parquet"
    csv_out = HashingFile(out / rel_csv)
    csv_out.write(header(spec.names))
    pq_out = ParquetOut(spec, out / rel_pq)
    convert = pacsv.ConvertOptions(
        column_types={n: pa.string() for n in spec.names},
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
        null_values=[""],
    )
    reader = pacsv.open_csv(
        str(src),
        read_options=pacsv.ReadOptions(use_threads=False, block_size=BLOCK_SIZE),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=convert,
    )
    rows = 0
    group: list[pa.RecordBatch] = []

    def flush() -> None:
        nonlocal rows, group
        if not group:
            return
        batch = pa.Table.from_batches(group).combine_chunks().to_batches()[0] if len(group) > 1 else group[0]
        group = []
        table = _typed_columns(spec, batch)
        csv_out.write(csv_from_typed(spec, table))
        pq_out.write(typed_batch(spec, table))
        rows += table.num_rows

    for batch in reader:
        group.append(batch)
        if len(group) == GROUP:
            flush()
    flush()
    nbytes, sha = csv_out.close()
    pq_out.close()
    result = {
        "resource": spec.resource,
        "rows": rows,
        "csv": (rel_csv, nbytes, sha),
        "parquet": (rel_pq, *file_digest(out / rel_pq)),
    }
    has_date = any(c.name.endswith("_start") and c.type == "date" for c in spec.columns)
    if has_date and rows > partition_rows:
        folder = out / PARQUET_DIR / "by_year" / spec.resource
        if folder.exists():
            shutil.rmtree(folder)
        write_partitioned(out / rel_pq, folder, by="year")
        result["partitioned"] = str(folder.relative_to(out))
    return result


def build_tables(
    package_path: str | os.PathLike,
    out_dir: str | os.PathLike,
    *,
    workers: int = 2,
    partition_rows: int = PARTITION_ROWS,
) -> dict[str, Any]:
    """Write the CSV tables, Parquet tables and both datapackage.json of a package into ``out_dir``.

    ``package_path``: the source datapackage.json (or its folder), laid out like ours. The
    archived texts it lists (``seeds/``) are copied along when ``out_dir`` is another folder.
    Returns {resource: rows} and the files written.
    """
    src = Path(package_path)
    if src.is_dir():
        src = src / "datapackage.json"
    root = src.parent
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    desc = json.loads(src.read_text(encoding="utf-8"))
    paths = {r["name"]: root / r["path"] for r in desc.get("resources", []) if isinstance(r, dict) and "path" in r}
    specs = [table_spec(m) for m in M.PUBLISHED]
    missing = [s.resource for s in specs if s.resource not in paths]
    if missing:
        raise BuildError(f"{src} has no resource {', '.join(missing)}")
    staging = {}
    for s in specs:  # read from a copy when building in place, so the input is never overwritten while read
        p = paths[s.resource]
        if (out / f"{CSV_DIR}/{s.resource}.csv").resolve() == p.resolve():
            tmp = p.with_suffix(".csv.building")
            shutil.copyfile(p, tmp)
            staging[s.resource] = tmp
    try:
        order = sorted(specs, key=lambda s: -paths[s.resource].stat().st_size)
        with ThreadPoolExecutor(max(1, workers)) as ex:
            results = {
                r["resource"]: r
                for r in ex.map(
                    lambda s: _build_one(s, staging.get(s.resource, paths[s.resource]), out, partition_rows), order
                )
            }
    finally:
        for tmp in staging.values():
            tmp.unlink(missing_ok=True)
    sources = desc.get("sources", [])
    if out.resolve() != root.resolve():
        for entry in sources:
            p = entry.get("path") if isinstance(entry, dict) else None
            if p and (root / p).is_file():
                (out / p).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(root / p, out / p)
    csv_res = [
        resource_descriptor(s, results[s.resource]["csv"][0], "csv", *results[s.resource]["csv"][1:]) for s in specs
    ]
    pq_res = [
        resource_descriptor(s, f"{s.resource}.parquet", "parquet", *results[s.resource]["parquet"][1:]) for s in specs
    ]
    (out / "datapackage.json").write_bytes(dump_json(package(csv_res, sources)))
    (out / PARQUET_DIR / "datapackage.json").write_bytes(dump_json(package(pq_res, sources)))
    return {
        "rows": {s.resource: results[s.resource]["rows"] for s in specs},
        "partitioned": {r: v["partitioned"] for r, v in results.items() if "partitioned" in v},
    }
