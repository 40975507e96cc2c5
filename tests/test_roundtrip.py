"""records → rows → CSV → Parquet → pandas: the same values all the way."""

from __future__ import annotations

import math

import pandas as pd
from conftest import REPO

from nk_troops.load import load_table
from nk_troops.models import PUBLISHED
from nk_troops.validate import check_records


def _plain(value):
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value


def test_records_csv_parquet_pandas_agree():
    tables = check_records(REPO).tables
    assert tables is not None
    compared = 0
    for model in PUBLISHED:
        rows = tables[model.resource]
        from_csv = load_table(model.resource, REPO / "datapackage.json", fmt="csv")
        from_parquet = load_table(model.resource, REPO / "datapackage.json", fmt="parquet")
        pd.testing.assert_frame_equal(from_csv, from_parquet)
        assert len(from_csv) == len(rows)
        for row, (_, got) in zip(rows, from_csv.iterrows(), strict=True):
            assert {k: _plain(v) for k, v in got.items()} == row
            compared += 1
    assert compared > 0
