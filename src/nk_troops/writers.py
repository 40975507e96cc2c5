"""Serialise table rows to bytes: CSV (UTF-8, RFC 4180) and Parquet (typed).

Both are deterministic: the same rows give the same bytes.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from .models import Record
from .schema_gen import arrow_schema, columns
from .tables import Rows


def csv_cell(value: Any) -> str:
    """How one value is written in CSV; an empty cell always means missing."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def to_csv(model: type[Record], rows: Rows) -> bytes:
    names = [c.name for c in columns(model)]
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(names)
    for row in rows:
        writer.writerow([csv_cell(row[n]) for n in names])
    return buf.getvalue().encode("utf-8")


def to_arrow(model: type[Record], rows: Rows):
    import pyarrow as pa

    schema = arrow_schema(model)
    arrays = []
    for col, fld in zip(columns(model), schema, strict=True):
        values = [row[col.name] for row in rows]
        if col.enum is not None:
            levels = col.enum.values()
            index = {v: i for i, v in enumerate(levels)}
            indices = pa.array([None if v is None else index[v] for v in values], type=pa.int32())
            arrays.append(pa.DictionaryArray.from_arrays(indices, pa.array(levels, type=pa.string())))
        else:
            arrays.append(pa.array(values, type=fld.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def to_parquet(model: type[Record], rows: Rows) -> bytes:
    import pyarrow.parquet as pq

    buf = io.BytesIO()
    pq.write_table(to_arrow(model, rows), buf, compression="zstd", write_statistics=True)
    return buf.getvalue()
