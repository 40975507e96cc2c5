"""Load a published table as a pandas DataFrame with the right dtypes.

    >>> from nk_troops.load import load_table
    >>> figures = load_table("figures")                    # this repository's package
    >>> figures = load_table("figures", "path/to/datapackage.json", fmt="parquet")

dtypes follow the Table Schema in datapackage.json, whichever file is read:
dates → ``datetime64[s]``; integers → nullable ``Int64``; numbers →
``Float64``; enum columns → ``Categorical`` with every allowed level (in the
schema's order), even levels no row uses; other text → ``string``. Missing
values are ``<NA>``/``NaT``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .descriptor import PARQUET_DIR

REPOSITORY_PACKAGE = Path(__file__).resolve().parents[2] / "datapackage.json"
"""The package of the repository this module was installed from (editable or source install)."""


def _descriptor(path: str | Path | None) -> tuple[dict[str, Any], Path]:
    p = Path(path) if path is not None else REPOSITORY_PACKAGE
    if p.is_dir():
        p = p / "datapackage.json"
    if not p.exists():
        raise FileNotFoundError(
            f"no data package at {p}; pass the path of a datapackage.json (from a clone of the repository or an unzipped release)"
        )
    return json.loads(p.read_text(encoding="utf-8")), p.parent


def resource_names(path: str | Path | None = None) -> list[str]:
    descriptor, _ = _descriptor(path)
    return [r["name"] for r in descriptor["resources"]]


def load_table(name: str, path: str | Path | None = None, fmt: str | None = None):
    """One resource as a typed DataFrame. ``path``: a datapackage.json (CSV or Parquet) or its folder; ``fmt``
    ("csv" or "parquet") reads that format's file of the resource; by default, the format the descriptor gives."""
    import pandas as pd

    descriptor, base = _descriptor(path)
    resources = {r["name"]: r for r in descriptor["resources"]}
    if name not in resources:
        raise KeyError(f"no resource '{name}'; the resources are: {', '.join(resources)}")
    resource = resources[name]
    fields = resource["schema"]["fields"]
    given = resource.get("format") or Path(resource["path"]).suffix.lstrip(".")
    fmt = fmt or given
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"fmt must be 'csv' or 'parquet', not {fmt!r}")
    if fmt == given:
        file = base / resource["path"]
    elif fmt == "parquet":  # the CSV package's folder holds the Parquet tables too
        file = base / PARQUET_DIR / f"{name}.parquet"
    else:  # the Parquet package's folder is dataset/tables/parquet: its CSV tables are beside it
        file = base.parent / "csv" / f"{name}.csv"
    if fmt == "csv":
        frame = pd.read_csv(file, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8")
    else:
        frame = pd.read_parquet(file)
    return apply_schema(frame, fields)


def apply_schema(frame, fields: list[dict[str, Any]]):
    """Give each column the dtype its Table Schema field implies."""
    import pandas as pd

    out = {}
    for f in fields:
        col = frame[f["name"]]
        enum = f.get("constraints", {}).get("enum")
        kind = f["type"]
        if enum is not None:
            out[f["name"]] = pd.Categorical(
                col.astype("string").astype(object).where(col.notna(), None), categories=enum
            )
        elif kind == "date":
            out[f["name"]] = pd.to_datetime(col.astype("string"), format="%Y-%m-%d").astype("datetime64[s]")
        elif kind == "integer":
            out[f["name"]] = pd.to_numeric(col).astype("Int64")
        elif kind == "number":
            out[f["name"]] = pd.to_numeric(col).astype("Float64")
        elif kind == "boolean":
            out[f["name"]] = col.map({"true": True, "false": False, True: True, False: False}).astype("boolean")
        else:
            out[f["name"]] = col.astype("string")
    return pd.DataFrame(out)
