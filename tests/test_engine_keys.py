"""The key checks of the table engine against a plain-Python reference: duplicates, dangling
references and unreferenced keys, with the sorted values cut into many small slices."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nk_troops.engine import keys as K


def _column(values: list[str | None]) -> tuple[np.ndarray, np.ndarray]:
    arr = pa.array(values, pa.string())
    return K.key_hashes(arr, np.ones(len(values), bool))


ids = st.sampled_from([f"id-{i}" for i in range(12)] + [None])


@settings(max_examples=100, deadline=None)
@given(
    keys=st.lists(ids, max_size=30),
    refs=st.lists(st.lists(ids, max_size=30), min_size=1, max_size=3),
    slice_size=st.integers(1, 9),
)
def test_match_agrees_with_sets(keys, refs, slice_size):
    old = K.SLICE
    K.SLICE = slice_size
    try:
        kh = _column(keys)
        rh = [_column(r) for r in refs]
        m = K.match(kh, rh, {"any": list(range(len(refs))), "first": [0]})
    finally:
        K.SLICE = old
    present = [k for k in keys if k is not None]

    def rows(col, values):
        return K.rows_with(col, values).tolist()

    dups = {k for k in present if present.count(k) > 1}
    assert rows(kh, m.duplicated) == [i for i, k in enumerate(keys) if k in dups]
    for r, col, missing in zip(refs, rh, m.missing, strict=True):
        assert rows(col, missing) == [i for i, v in enumerate(r) if v is not None and v not in present]
    referenced = {v for r in refs for v in r if v is not None}
    assert rows(kh, m.unreferenced["any"]) == [i for i, k in enumerate(keys) if k is not None and k not in referenced]
    assert rows(kh, m.unreferenced["first"]) == [
        i for i, k in enumerate(keys) if k is not None and k not in set(refs[0])
    ]


@pytest.mark.parametrize("use_polars", [False, True], ids=["numpy", "polars"])
def test_hash_depends_only_on_the_string(use_polars):
    a = pa.array(["ev-a", None, "한국어", "", "x" * 100], pa.string())
    whole = K.hash64(a, use_polars)
    assert np.array_equal(K.hash64(a.slice(2, 3), use_polars), whole[2:])
    assert np.array_equal(K.hash64(a.dictionary_encode(), use_polars), whole)
    assert len(set(whole[[0, 2, 3, 4]].tolist())) == 4
    assert not (whole & np.uint64((1 << K.TAG_BITS) - 1)).any()  # the tag bits are free


def test_both_pattern_engines_match_what_the_records_validator_matches():
    """Packages over 32 MB match patterns with polars, smaller ones with Arrow's RE2; both must
    agree with pydantic (the records path), also on Unicode whitespace, which RE2's \\s omits."""
    from pydantic import TypeAdapter, ValidationError, constr

    from nk_troops import models as M
    from nk_troops.engine.cells import _matches
    from nk_troops.engine.spec import table_spec

    patterns = {c.pattern for m in M.PUBLISHED for c in table_spec(m).columns if c.pattern}
    assert any("\\s" in p for p in patterns)  # the case this test is about is still in the models
    cells = [
        "https://a.b/x",
        "https://a.b/\u00a0x",
        "https://a.b/\u2003x",
        "https://a.b/\x0bx",
        "https://a.b/\x85x",
        "https://a.b/ x",
        "KP",
        "kp",
        "seeds/001.txt",
        "ev-a/c1",
        "ev-a/c1 ",
        "\u3000",
    ]
    arr = pa.array(cells * 1000)  # long enough for the polars path
    for pattern in sorted(patterns):
        adapter = TypeAdapter(constr(pattern=pattern))

        def ok(v, adapter=adapter):
            try:
                adapter.validate_python(v)
                return True
            except ValidationError:
                return False

        want = [ok(v) for v in cells] * 1000
        for use_polars in (False, True):
            got = (
                np.asarray(_matches(arr, pattern, use_polars), dtype=bool)
                if use_polars
                else np.asarray(_matches(arr, pattern, use_polars).to_pylist(), dtype=bool)
            )
            assert got.tolist() == want, (pattern, use_polars)
