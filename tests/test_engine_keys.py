"""The key checks of the table engine against a plain-Python reference: duplicates, dangling
references and unreferenced keys, with the sorted values cut into many small slices."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from hypothesis import given, settings, strategies as st

from nk_troops.engine import keys as K


def _column(values: list[str | None]) -> tuple[np.ndarray, np.ndarray]:
    arr = pa.array(values, pa.string())
    return K.key_hashes(arr, np.ones(len(values), bool))


ids = st.sampled_from([f"id-{i}" for i in range(12)] + [None])


@settings(max_examples=300, deadline=None)
@given(keys=st.lists(ids, max_size=30), refs=st.lists(st.lists(ids, max_size=30), min_size=1, max_size=3),
       slice_size=st.integers(1, 9))
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
    for r, col, missing in zip(refs, rh, m.missing):
        assert rows(col, missing) == [i for i, v in enumerate(r) if v is not None and v not in present]
    referenced = {v for r in refs for v in r if v is not None}
    assert rows(kh, m.unreferenced["any"]) == [i for i, k in enumerate(keys) if k is not None and k not in referenced]
    assert rows(kh, m.unreferenced["first"]) == [i for i, k in enumerate(keys) if k is not None and k not in set(refs[0])]


def test_hash_depends_only_on_the_string():
    a = pa.array(["ev-a", None, "한국어", "", "x" * 100], pa.string())
    whole = K.hash64(a)
    assert np.array_equal(K.hash64(a.slice(2, 3)), whole[2:])
    assert np.array_equal(K.hash64(a.dictionary_encode()), whole)
    assert len(set(whole[[0, 2, 3, 4]].tolist())) == 4
    assert not (whole & np.uint64((1 << K.TAG_BITS) - 1)).any()  # the tag bits are free
