"""The typed loader, and what pandas, polars and DuckDB each see in the Parquet files."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import REPO

from nk_troops.load import load_table, resource_names
from nk_troops.models import PUBLISHED
from nk_troops.schema_gen import columns

PARQUET = REPO / "dataset" / "tables" / "parquet"


def _expected_pandas(col) -> str:
    if col.enum is not None:
        return "category"
    return {"string": "string", "integer": "Int64", "number": "Float64", "date": "datetime64[s]", "boolean": "boolean"}[
        col.type
    ]


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_loader_dtypes(fmt):
    assert resource_names() == [m.resource for m in PUBLISHED]
    for model in PUBLISHED:
        frame = load_table(model.resource, fmt=fmt)
        for col in columns(model):
            assert str(frame[col.name].dtype) == _expected_pandas(col), (
                model.resource,
                col.name,
                frame[col.name].dtype,
            )
            if col.enum is not None:
                assert list(frame[col.name].cat.categories) == col.enum.values()  # every level, even unused ones


def test_loader_from_an_explicit_path_and_a_clear_error():
    figures = load_table("figures", REPO / "datapackage.json")
    assert len(figures) > 0 and figures["value"].notna().any()
    with pytest.raises(KeyError, match="the resources are"):
        load_table("casualties")


def test_dates_sort_and_filter_with_their_bounds():
    events = load_table("events")
    dated = events.dropna(subset=["date_start"]).sort_values("date_start")
    assert dated["date_start"].is_monotonic_increasing
    assert (
        events["date_end"].dropna()
        >= events.loc[events["date_end"].notna(), "date_start"].fillna(events["date_end"].min())
    ).all()


def test_parquet_types_seen_by_pyarrow_pandas_polars_duckdb():
    polars = pytest.importorskip("polars")
    duckdb = pytest.importorskip("duckdb")
    import pyarrow.parquet as pq

    path = PARQUET / "figures.parquet"
    arrow = pq.read_schema(path)
    assert str(arrow.field("as_of_end").type) == "date32[day]"
    assert str(arrow.field("value").type) == "double"
    assert str(arrow.field("measure").type).startswith("dictionary<values=string")

    raw = pd.read_parquet(path)
    assert isinstance(raw["measure"].dtype, pd.CategoricalDtype)

    pl = polars.read_parquet(path)
    assert pl.schema["as_of_end"] == polars.Date
    assert pl.schema["value"] == polars.Float64
    assert pl.schema["measure"] in (polars.Categorical, polars.Enum) or isinstance(
        pl.schema["measure"], (polars.Categorical, polars.Enum)
    )

    con = duckdb.connect()
    types = dict(
        con.execute(f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('{path}'))").fetchall()
    )
    assert types["as_of_end"] == "DATE" and types["value"] == "DOUBLE" and types["measure"] == "VARCHAR"
    citations = PARQUET / "citations.parquet"
    ctypes = dict(
        con.execute(
            f"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('{citations}'))"
        ).fetchall()
    )
    assert ctypes["char_start"] == "BIGINT"
    n = con.execute(f"SELECT count(*) FROM read_parquet('{path}')").fetchone()[0]
    assert n == len(raw) > 0


def test_parquet_descriptor_lists_the_same_tables_with_hashes():
    csv_pkg = json.loads((REPO / "datapackage.json").read_text(encoding="utf-8"))
    pq_pkg = json.loads((PARQUET / "datapackage.json").read_text(encoding="utf-8"))
    assert [r["name"] for r in csv_pkg["resources"]] == [r["name"] for r in pq_pkg["resources"]]
    import hashlib

    for res in pq_pkg["resources"]:
        data = (PARQUET / res["path"]).read_bytes()
        assert res["hash"] == "sha256:" + hashlib.sha256(data).hexdigest() and "bytes" not in res
        csv_schema = next(r["schema"] for r in csv_pkg["resources"] if r["name"] == res["name"])
        assert res["schema"] == {**csv_schema, "missingValues": [*csv_schema["missingValues"], "nan"]}


def test_the_format_comes_from_the_descriptor_given():
    """load_table on the Parquet descriptor read its Parquet files as CSV (UnicodeDecodeError)."""
    parquet = load_table("figures", PARQUET / "datapackage.json")
    csv = load_table("figures", REPO / "datapackage.json")
    pd.testing.assert_frame_equal(parquet, csv)
    pd.testing.assert_frame_equal(load_table("figures", PARQUET / "datapackage.json", fmt="csv"), csv)
    with pytest.raises(ValueError, match="fmt must be"):
        load_table("figures", fmt="xlsx")


def test_frictionless_py_finds_both_descriptors_valid():
    """The Parquet descriptor gave every resource a byte count frictionless-py cannot measure, and its reader's
    NaN for an empty number broke `minimum`: both descriptors now pass as published."""
    import frictionless

    for descriptor in (REPO / "datapackage.json", PARQUET / "datapackage.json"):
        report = frictionless.validate(descriptor.name, basepath=str(descriptor.parent))
        assert report.valid, [e.message for t in report.tasks for e in t.errors][:5]
