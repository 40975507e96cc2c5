"""Write tables at scale: canonical CSV (the bytes ``writers.to_csv`` makes),
Parquet (the schema ``schema_gen.arrow_schema`` gives), Hive-partitioned
Parquet, and the data package descriptor.

Everything is vectorised with pyarrow.compute: a row is never a Python object.
The same typed rows always give the same bytes.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..descriptor import resource_entry
from ..schema_gen import arrow_schema
from .spec import TableSpec

_NEEDS_QUOTES = r'[,"\r\n]'
ROW_GROUP = 131_072
"""Rows per Parquet row group: fixed, so the bytes do not depend on how the input was batched."""

MAX_OPEN_PARTITIONS = 16
"""Partitions written in one pass over the table (one open file and up to ROW_GROUP pending rows each)."""


# --------------------------------------------------------------------------- cells


def _float_cells(arr: pa.Array) -> pa.Array:
    """Numbers as writers.csv_cell writes them: integral -> '4000', else repr()."""
    np_vals = arr.to_numpy(zero_copy_only=False)
    valid = ~np.isnan(np_vals) if arr.null_count == 0 else np.asarray(arr.is_valid())
    vals = np.where(valid, np_vals, 0.0)
    with np.errstate(invalid="ignore"):
        integral = (np.floor(vals) == vals) & (np.abs(vals) < 2**62)
    out = pc.cast(arr, pa.string())
    as_int = pc.cast(pa.array(np.where(integral, vals, 0).astype(np.int64)), pa.string())
    out = pc.if_else(pa.array(integral & valid), as_int, out)
    # repr() switches to exponent form outside [1e-4, 1e16), Arrow does not; huge integral values and
    # inf/nan are rare: let Python write those few exactly as writers.csv_cell does
    with np.errstate(invalid="ignore"):
        odd = valid & (
            (~integral & ((np.abs(vals) < 1e-4) | (np.abs(vals) >= 1e16)))
            | ~np.isfinite(np_vals)
            | (np.abs(vals) >= 2**62)
        )
    if odd.any():
        idx = np.flatnonzero(odd)
        fixed = pa.array([_py_number(float(np_vals[i])) for i in idx], pa.string())
        out = pc.replace_with_mask(out, pa.array(odd), fixed)
    return out


def _py_number(v: float) -> str:
    return str(int(v)) if v.is_integer() else repr(v)


def cells(arr: pa.Array | pa.ChunkedArray) -> pa.Array:
    """One column as CSV cell text (unquoted); null stays null (written empty)."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    t = arr.type
    if pa.types.is_dictionary(t):
        arr = arr.cast(t.value_type)
        t = arr.type
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return arr.cast(pa.string())
    if pa.types.is_floating(t):
        return _float_cells(arr)
    if pa.types.is_boolean(t):
        return pc.if_else(arr, "true", "false")
    return pc.cast(arr, pa.string())  # integers and date32 (ISO form)


def quote_minimal(text: pa.Array) -> pa.Array:
    """csv.QUOTE_MINIMAL: quote a cell only if it holds a comma, a quote or a line break."""
    needs = pc.match_substring_regex(text, _NEEDS_QUOTES)
    if not pc.any(needs).as_py():
        return text
    sub = pc.filter(text, needs)
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(sub, '"', '""'), '"', "")
    return pc.replace_with_mask(text, pc.fill_null(needs, False), quoted)


def csv_rows(cell_columns: list[pa.Array]) -> bytes | pa.Buffer:
    """Rows of already-rendered cells as CSV bytes (CRLF after every row)."""
    if not cell_columns or len(cell_columns[0]) == 0:
        return b""
    quoted = [quote_minimal(c) for c in cell_columns]
    rows = pc.binary_join_element_wise(*quoted, ",", null_handling="replace", null_replacement="")
    rows = pc.binary_join_element_wise(rows, pa.scalar(""), "\r\n")  # rows + "\r\n" + ""
    return _contiguous(rows)


def _contiguous(arr: pa.Array) -> pa.Buffer:
    """The values of a string array, end to end, as one buffer (no copy)."""
    arr = arr.cast(pa.string()) if arr.type != pa.string() else arr
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32, count=len(arr) + 1, offset=arr.offset * 4)
    return arr.buffers()[2][offsets[0] : offsets[-1]]


def header(names: Iterable[str]) -> bytes:
    return (",".join(names) + "\r\n").encode("utf-8")


class HashingFile:
    """A binary file that keeps its size and sha256 as it is written."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fh = open(self.path, "wb")
        self.sha = hashlib.sha256()
        self.bytes = 0

    def write(self, data: Any) -> None:
        mv = memoryview(data)
        self.sha.update(mv)
        self.fh.write(mv)
        self.bytes += mv.nbytes

    def close(self) -> tuple[int, str]:
        self.fh.close()
        return self.bytes, self.sha.hexdigest()


# --------------------------------------------------------------------------- typed tables


def typed_batch(spec: TableSpec, batch: pa.RecordBatch | pa.Table) -> pa.Table:
    """A batch of valid typed columns as the Parquet schema of its model (enums as fixed dictionaries)."""
    schema = arrow_schema(spec.model)
    arrays = []
    for c, fld in zip(spec.columns, schema, strict=True):
        col = batch.column(c.name)
        if isinstance(col, pa.ChunkedArray):
            col = col.combine_chunks()
        if c.enum is not None:
            if pa.types.is_dictionary(col.type):
                col = col.cast(pa.string())
            levels = pa.array(c.enum.values(), pa.string())
            idx = pc.cast(pc.index_in(col, value_set=levels), pa.int32())
            arrays.append(pa.DictionaryArray.from_arrays(idx, levels))
        else:
            arrays.append(col.cast(fld.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def csv_from_typed(spec: TableSpec, table: pa.Table | pa.RecordBatch) -> pa.Buffer | bytes:
    return csv_rows([cells(table.column(c.name)) for c in spec.columns])


class ParquetOut:
    """A Parquet file written in fixed-size row groups, whatever the size of the batches given."""

    def __init__(self, spec: TableSpec | None, path: Path, schema: pa.Schema | None = None):
        import pyarrow.parquet as pq

        if schema is None:
            if spec is None:
                raise ValueError("ParquetOut needs a table spec or an Arrow schema")
            schema = arrow_schema(spec.model)
        self.schema = schema
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.writer = pq.ParquetWriter(str(self.path), self.schema, compression="zstd", write_statistics=True)
        self.pending: list[pa.Table] = []
        self.count = 0

    def write(self, table: pa.Table) -> None:
        self.pending.append(table)
        self.count += table.num_rows
        while self.count >= ROW_GROUP:
            self._flush(ROW_GROUP)

    def _flush(self, n: int) -> None:
        t = pa.concat_tables(self.pending)
        self.writer.write_table(t.slice(0, n), row_group_size=n)
        rest = t.slice(n)
        self.pending = [rest] if rest.num_rows else []
        self.count = rest.num_rows

    def close(self) -> None:
        if self.count:
            self._flush(self.count)
        self.writer.close()


# --------------------------------------------------------------------------- partitioned Parquet


def _year_column(table: pa.Table, by: str) -> pa.Array:
    if by in table.column_names:
        col = table.column(by)
        if pa.types.is_date(col.type) or pa.types.is_timestamp(col.type):
            return pc.year(col)
        return col
    if by == "year":
        for name in table.column_names:
            if name.endswith("_start") and pa.types.is_date(table.schema.field(name).type):
                return pc.year(table.column(name))
    raise ValueError(f"cannot partition by '{by}': no such column and no *_start date column")


def write_partitioned(
    table_or_path: Any, out_dir: str | os.PathLike, by: str = "year", *, partition_name: str | None = None
) -> list[Path]:
    """Write a table as Hive-partitioned Parquet (``out_dir/year=2024/part-0.parquet``...).

    ``table_or_path``: a pyarrow Table or the path of a Parquet file. ``by``: a column
    name, or ``"year"`` for the year of the table's first ``*_start`` date (a date
    column given by name is also turned into its year). Rows with no value go to
    ``year=__HIVE_DEFAULT_PARTITION__``, as Hive, DuckDB and polars expect. The files
    are deterministic: partitions in sorted order, rows in their original order.
    Read back as one table with ``duckdb: read_parquet('out_dir/**/*.parquet',
    hive_partitioning=true)`` or ``polars.scan_parquet('out_dir/**/*.parquet',
    hive_partitioning=True)``.
    """
    import pyarrow.parquet as pq

    if isinstance(table_or_path, pa.Table):
        schema = table_or_path.schema

        def batches(columns=None):
            return iter(
                (table_or_path.select(columns) if columns else table_or_path).to_batches(max_chunksize=ROW_GROUP)
            )
    else:  # streamed a row group at a time: memory does not grow with the table
        source = pq.ParquetFile(str(table_or_path))
        schema = source.schema_arrow

        def batches(columns=None):
            return source.iter_batches(batch_size=ROW_GROUP, columns=columns)

    if by != "year" and by not in schema.names:
        raise ValueError(f"cannot partition by '{by}': no such column and no *_start date column")
    name = partition_name or ("year" if by == "year" or pa.types.is_date(schema.field(by).type) else by)
    kept = pa.schema([f for f in schema if f.name != name], metadata=schema.metadata)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    key_column = (
        by
        if by in schema.names
        else next((f.name for f in schema if f.name.endswith("_start") and pa.types.is_date(f.type)), None)
    )
    if key_column is None:
        raise ValueError(f"cannot partition by '{by}': no such column and no *_start date column")
    seen: set = set()
    for batch in batches([key_column]):  # the partition values first (a pass over the key column only)
        seen.update(pc.unique(_year_column(pa.Table.from_batches([batch]), by)).to_pylist())
    present = sorted((v for v in seen if v is not None), key=str) + ([None] if None in seen else [])
    paths = []
    for at in range(0, len(present), MAX_OPEN_PARTITIONS):  # at most this many files open (and rows pending) at once
        group = present[at : at + MAX_OPEN_PARTITIONS]
        writers: dict[Any, ParquetOut] = {}
        try:
            for v in group:
                folder = out / f"{name}={'__HIVE_DEFAULT_PARTITION__' if v is None else v}"
                writers[v] = ParquetOut(None, folder / "part-0.parquet", schema=kept)
            for batch in batches():
                table = pa.Table.from_batches([batch], schema=schema)
                key = _year_column(table, by)
                if name in table.column_names:
                    table = table.drop_columns([name])
                for v in group:
                    mask = pc.is_null(key) if v is None else pc.fill_null(pc.equal(key, pa.scalar(v, key.type)), False)
                    part = table.filter(mask)
                    if part.num_rows:
                        writers[v].write(part)  # rows keep their order; row groups are ROW_GROUP rows
        finally:
            for w in writers.values():
                w.close()
        paths += [writers[v].path for v in group]
    return paths


# --------------------------------------------------------------------------- descriptor


def resource_descriptor(spec: TableSpec, path: str, fmt: str, nbytes: int, sha256: str) -> dict[str, Any]:
    """The same resource entry descriptor.py writes, from a size and hash computed while streaming."""
    return resource_entry(spec.model, path, fmt, nbytes, sha256)


def file_digest(path: Path) -> tuple[int, str]:
    h = hashlib.sha256()
    n = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 22):
            h.update(chunk)
            n += len(chunk)
    return n, h.hexdigest()
