"""Small vectorised helpers over Arrow buffers: masks as numpy, edges of strings, string views."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .. import fields as F


def _bits(buf: pa.Buffer, offset: int, n: int) -> np.ndarray:
    return np.unpackbits(np.frombuffer(buf, dtype=np.uint8), count=offset + n, bitorder="little")[offset:].view(bool)


def _np_mask(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A boolean pyarrow array (nulls as False) as numpy (a numpy mask passes through)."""
    if isinstance(arr, np.ndarray):
        return arr.astype(bool, copy=False)
    if isinstance(arr, pa.ChunkedArray):
        return np.concatenate([_np_mask(c) for c in arr.chunks]) if arr.num_chunks else np.zeros(0, bool)
    n = len(arr)
    if n == 0:
        return np.zeros(0, bool)
    validity, values = arr.buffers()[:2]
    out = _bits(values, arr.offset, n)
    if arr.null_count:
        out = out & _bits(validity, arr.offset, n)
    return out


def _present(arr: pa.Array) -> np.ndarray:
    """Cells that are not empty."""
    if isinstance(arr, pa.ChunkedArray):
        return np.concatenate([_present(c) for c in arr.chunks]) if arr.num_chunks else np.zeros(0, bool)
    n = len(arr)
    if arr.null_count == 0:
        return np.ones(n, bool)
    if arr.null_count == n:
        return np.zeros(n, bool)
    return _bits(arr.buffers()[0], arr.offset, n).copy()


def _eq(arr: pa.Array, value: str) -> np.ndarray:
    """Cells equal to a string."""
    return _np_mask(pc.equal(arr, value))


def _str(arr: pa.Array) -> pa.Array:
    return arr.cast(pa.string()) if pa.types.is_dictionary(arr.type) else arr


_ASCII_SPACE = np.zeros(256, bool)


_ASCII_SPACE[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32]] = True


_FORMULA = np.zeros(256, bool)


_FORMULA[[ord(ch) for ch in F.FORMULA_STARTS]] = True


_E2_80_SPACE = np.zeros(256, bool)


_E2_80_SPACE[list(range(0x80, 0x8B)) + [0xA8, 0xA9, 0xAF]] = True


def _is_wide_space(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """UTF-8 spaces str.isspace() knows beyond ASCII: (2-byte sequence a b, 3-byte sequence a b c)."""
    two = (a == 0xC2) & ((b == 0x85) | (b == 0xA0))  # U+0085, U+00A0
    three = (
        ((a == 0xE1) & (b == 0x9A) & (c == 0x80))
        | ((a == 0xE3) & (b == 0x80) & (c == 0x80))
        | (  # U+1680, U+3000
            (a == 0xE2) & (((b == 0x80) & _E2_80_SPACE[c]) | ((b == 0x81) & (c == 0x9F)))
        )
    )  # U+2000-200A, 2028, 2029, 202F, 205F
    return two, three


_WIDE_LEAD = np.zeros(256, bool)


_WIDE_LEAD[[0xC2, 0xE1, 0xE2, 0xE3]] = True  # first bytes of the wide spaces


_WIDE_LAST = np.zeros(256, bool)


_WIDE_LAST[[0x85, 0xA0, 0x80, 0x9F, 0xA8, 0xA9, 0xAF, *range(0x81, 0x8B)]] = True  # last bytes of the wide spaces


_FIRST_SUSPECT = _ASCII_SPACE | _WIDE_LEAD | _FORMULA  # a first byte worth a closer look


_LAST_SUSPECT = _ASCII_SPACE | _WIDE_LAST


def _edge_spaces(arr: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(starts with whitespace, ends with whitespace, starts with a formula character) for every string, from its bytes.

    One lookup of the first and last byte of every value finds the few worth a closer look; only
    those are decoded. The values are valid UTF-8, so a lead byte's continuation bytes are always
    inside the same string: reading a byte or two past either end never makes a false match."""
    n = len(arr)
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32, count=n + 1, offset=arr.offset * 4).astype(np.intp)
    raw = arr.buffers()[2]
    data = np.frombuffer(raw, dtype=np.uint8) if raw is not None and raw.size else np.zeros(1, np.uint8)
    top = len(data) - 1
    start, end = offsets[:-1], offsets[1:]
    nonempty = end > start
    b0 = np.take(data, start, mode="clip")  # an empty value's byte (clipped at either end) is masked by nonempty
    e1 = np.take(data, end - 1, mode="clip")
    space_start = np.zeros(n, bool)
    space_end = np.zeros(n, bool)
    formula = np.zeros(n, bool)
    cand = np.flatnonzero((_FIRST_SUSPECT[b0] | _LAST_SUSPECT[e1]) & nonempty)
    if len(cand) == 0:
        return space_start, space_end, formula
    st, en = start[cand], end[cand]
    c0, c1 = b0[cand], e1[cand]
    s2, s3 = _is_wide_space(c0, data[np.minimum(st + 1, top)], data[np.minimum(st + 2, top)])
    space_start[cand] = _ASCII_SPACE[c0] | s2 | s3
    t2, _ = _is_wide_space(data[np.maximum(en - 2, 0)], c1, c1)
    _, t3 = _is_wide_space(data[np.maximum(en - 3, 0)], data[np.maximum(en - 2, 0)], c1)
    space_end[cand] = _ASCII_SPACE[c1] | t2 | t3
    formula[cand] = _FORMULA[c0]
    return space_start, space_end, formula


_CONTROL_BLOCK = 256 << 10  # bytes per pass: the four passes over a block stay in the core's cache


def _control_positions(d: np.ndarray) -> np.ndarray:
    """Positions in UTF-8 bytes ``d`` where a control character models.safe_text refuses starts:
    U+0000-U+001F except the line break U+000A, U+007F, and U+0080-U+009F (C2 80 - C2 9F)."""
    hits = []
    flag_all = np.empty(min(len(d), _CONTROL_BLOCK), bool)
    for at in range(0, len(d), _CONTROL_BLOCK):
        blk = d[at : at + _CONTROL_BLOCK]
        flag = flag_all[: len(blk)]
        np.less(blk, 32, out=flag)
        low = np.count_nonzero(flag)
        if (
            low and np.count_nonzero(np.equal(blk, 10, out=flag)) != low
        ):  # counting is cheaper than finding every line break
            hits.append(at + np.flatnonzero((blk < 32) & (blk != 10)))
        np.equal(blk, 0x7F, out=flag)
        if flag.any():
            hits.append(at + np.flatnonzero(flag))
        np.equal(blk, 0xC2, out=flag)
        if flag.any():
            c2 = at + np.flatnonzero(flag)
            nxt = d[np.minimum(c2 + 1, len(d) - 1)]
            hits.append(c2[(nxt >= 0x80) & (nxt <= 0x9F)])
    return np.concatenate(hits) if hits else np.zeros(0, np.int64)


def _control_chars(arr: pa.Array) -> np.ndarray:
    """Indices of the strings holding a control character models.safe_text refuses (see _control_positions)."""
    n = len(arr)
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32, count=n + 1, offset=arr.offset * 4)
    raw = arr.buffers()[2]
    lo, hi = int(offsets[0]), int(offsets[-1])
    if raw is None or hi <= lo:
        return np.zeros(0, np.int64)
    at = _control_positions(np.frombuffer(raw, dtype=np.uint8)[lo:hi])
    if len(at) == 0:
        return np.zeros(0, np.int64)
    return np.unique(np.searchsorted(offsets[1:] - lo, at, side="right"))


def cast_number(col: pa.Array, target: pa.DataType) -> pa.Array:
    """Cells written as Table Schema integers or numbers (spec.INTEGER_RE, NUMBER_RE) as int64 or float64. Arrow's
    integer cast refuses the leading '+' Table Schema allows (its float cast takes it): it is removed first."""
    if pa.types.is_integer(target) and pc.any(pc.starts_with(col, "+")).as_py():
        col = pc.utf8_ltrim(col, "+")
    return pc.cast(col, target)


def _invisible_chars(arr: pa.Array) -> np.ndarray:
    """Which strings hold an invisible character (models.INVISIBLE): only strings that are not plain ASCII can."""
    out = np.zeros(len(arr), bool)
    wide = np.flatnonzero(~_np_mask(pc.string_is_ascii(arr)) & _present(arr))
    if len(wide):
        out[wide] = _np_mask(pc.match_substring_regex(arr.take(pa.array(wide)), F.INVISIBLE))
    return out


def per_code_point(cp: np.ndarray, ascii_answer: np.ndarray, test: Callable[[str], Any]) -> np.ndarray:
    """``test(chr(c))`` of each code point, in ``ascii_answer``'s dtype: ``ascii_answer`` itself for the ASCII ones,
    Python's own answer asked once per distinct other one."""
    out = ascii_answer.copy()
    wide = cp >= 0x80
    if wide.any():
        distinct, where = np.unique(cp[wide], return_inverse=True)
        out[wide] = np.array([test(chr(c)) for c in distinct.tolist()], out.dtype)[where]
    return out


def _values(arr: pa.Array, idx: np.ndarray) -> list:
    return arr.take(pa.array(idx, pa.int64())).to_pylist()


def _show(v: Any, limit: int = 60) -> str:
    s = str(v)
    return repr(s if len(s) <= limit else s[: limit - 3] + "...")


_WORD_MASK = np.array([0, 0xFF, 0xFFFF, 0xFFFFFF, 0xFFFFFFFF], dtype=np.uint32)


def _views(data: pa.Buffer, starts: np.ndarray, lengths: np.ndarray) -> pa.Array:
    """A string_view array whose values are data[starts[i]:starts[i]+lengths[i]] (long values are not copied)."""
    n = len(starts)
    size = data.size
    raw = np.frombuffer(data, dtype=np.uint8) if size else np.zeros(0, np.uint8)
    padded = np.zeros(min(size, 16) + 16, np.uint8)  # the last bytes, padded, for reads near the end
    tail_from = max(0, size - 16)
    padded[: size - tail_from] = raw[tail_from:]
    starts = starts.astype(np.int64)
    lengths = lengths.astype(np.int64)

    def word(pos: np.ndarray) -> np.ndarray:  # 4 bytes at each position (little-endian), zero past the end
        out = np.zeros(len(pos), np.uint32)
        safe = pos + 4 <= size
        if size >= 4 and safe.any():
            w = np.ndarray((size - 3,), dtype="<u4", buffer=raw, strides=(1,))
            out[safe] = w[pos[safe]]
        rest = ~safe
        if rest.any():
            pw = np.ndarray((len(padded) - 3,), dtype="<u4", buffer=padded, strides=(1,))
            out[rest] = pw[np.clip(pos[rest] - tail_from, 0, len(padded) - 4)]
        return out

    views = np.zeros((n, 4), dtype=np.uint32)
    views[:, 0] = lengths
    short = lengths <= 12
    for k in range(3):  # inline bytes of short values (only the prefix for long ones), zero past the value
        if k == 0 or short.any():
            sel = slice(None) if k == 0 else short
            pos = starts[sel] + 4 * k
            keep = np.clip(lengths[sel] - 4 * k, 0, 4)
            views[sel, 1 + k] = word(pos) & _WORD_MASK[np.where(short[sel] if k else short, keep, 4)]
    long_ = ~short
    views[long_, 2] = 0  # buffer index
    views[long_, 3] = starts[long_].astype(np.uint32)
    return pa.Array.from_buffers(pa.string_view(), n, [None, pa.py_buffer(views), data])


_RECENT = threading.local()
"""Per thread, the last few arrays converted by :func:`polars_strings` and their Series."""


def polars_strings(arr: pa.Array):
    """A string array as a polars Series. Cast to Arrow's string_view first, whose layout is polars' own,
    so the hand-over copies nothing: polars' own conversion holds the GIL (about 10 % of the time the
    GIL was held in a 1M-row run, the other worker waiting), Arrow's cast does not.

    An id column is both matched against its pattern and hashed as a key: the conversion of the same
    array (the same object, held here so that its id cannot be reused) is done once per thread, until
    :func:`forget_polars_strings` (the engine calls it after each batch, so no batch outlives its check)."""
    import polars as pl

    recent = getattr(_RECENT, "items", None)
    if recent is None:
        recent = _RECENT.items = []
    for held, series in recent:
        if held is arr:
            return series
    series = pl.from_arrow(arr.cast(pa.string_view()))
    recent.append((arr, series))
    if len(recent) > 16:
        del recent[0]
    return series


def forget_polars_strings() -> None:
    """Drop this thread's converted arrays (see :func:`polars_strings`)."""
    _RECENT.items = []
