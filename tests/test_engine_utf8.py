"""The whole-file UTF-8 check (engine.reader.Utf8Check) that lets the CSV reader skip its per-cell check."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from nk_troops.engine import validate_tables
from nk_troops.engine.reader import POLARS_READY, Utf8Check, import_polars_in_background

import_polars_in_background()
assert POLARS_READY.wait(60)  # so that use_polars=True below takes polars' validator

from test_engine import GEN, _refresh  # the synthetic generator (scripts/generate_synthetic.py), loaded once

# valid characters of every encoded length, and every kind of bad byte: stray continuation bytes,
# truncated sequences, overlong forms, surrogates, code points past U+10FFFF, bytes never used
PIECES = st.sampled_from([b"a", b"\n", b'"', "é".encode(), "한".encode(), "Ж".encode(), "𝄞".encode(), "€".encode(),
                          b"\x80", b"\xbf", b"\xc3", b"\xe2\x82", b"\xf0\x9d\x84", b"\xc0\xaf", b"\xe0\x80\xaf",
                          b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xf8\x88\x80\x80\x80", b"\xfe", b"\xff"])


@settings(max_examples=400, deadline=None)
@given(st.lists(PIECES, max_size=30), st.lists(st.integers(0, 60), max_size=6), st.booleans())
def test_windowed_check_agrees_with_python(pieces, cuts, use_polars):
    data = b"".join(pieces)
    try:
        data.decode("utf-8")
        expected = True
    except UnicodeDecodeError:
        expected = False
    bounds = sorted({0, len(data), *(c for c in cuts if c < len(data))})  # windows split anywhere, mid-character too
    check = Utf8Check(use_polars)
    for a, b in zip(bounds, bounds[1:]):
        check.feed(memoryview(data)[a:b])
    assert check.finish() == expected, (data, bounds)


def _break_utf8(package: Path, resource: str) -> None:
    """Replace one byte of a multi-byte character deep in a table by 0xFF, and refresh bytes/hash."""
    path = package / "dataset" / "tables" / "csv" / f"{resource}.csv"
    data = bytearray(path.read_bytes())
    at = data.index("한".encode(), len(data) // 2)
    data[at + 1] = 0xFF
    path.write_bytes(bytes(data))
    _refresh(package, resource, bytes(data))


@pytest.mark.parametrize("resource", ["events", "citations"])
def test_a_file_that_is_not_utf8_is_reported_as_when_the_reader_checks_every_cell(tmp_path, monkeypatch, resource):
    from nk_troops.engine import core

    GEN.write_package(tmp_path, 1500, seed=4)
    _break_utf8(tmp_path, resource)
    results = {}
    for first in (True, False):
        for part_min in (core.Engine.PART_MIN, 50_000):  # whole files, and every file split into byte ranges
            monkeypatch.setattr(core.Engine, "UTF8_FIRST", first)
            monkeypatch.setattr(core.Engine, "PART_MIN", part_min)
            problems = validate_tables(tmp_path)
            results[first, part_min] = sorted((p.type, p.resource, p.row, p.field, p.message) for p in problems)
    reported = results[False, core.Engine.PART_MIN]
    assert any(t == "encoding-error" and r == resource for t, r, *_ in reported), reported
    assert results[True, core.Engine.PART_MIN] == reported
    assert results[True, 50_000] == results[False, 50_000]
