"""Keys as 64-bit hashes, and one sort that checks uniqueness and every foreign key into a table."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .arrays import _np_mask, _present, _str, polars_strings

TAG_BITS = 4
"""Low bits of every key hash left free, to tag where a value came from when keys and references are sorted together."""


_TAG = np.uint64((1 << TAG_BITS) - 1)


_VALUE = ~_TAG


_P1 = np.uint64(0x9E3779B97F4A7C15)


_P2 = np.uint64(0xBF58476D1CE4E5B9)


_P3 = np.uint64(0x94D049BB133111EB)


def _mix(h: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser."""
    h = h ^ (h >> np.uint64(30))
    h = h * _P2
    h = h ^ (h >> np.uint64(27))
    h = h * _P3
    return h ^ (h >> np.uint64(31))


_TAIL_MASK = np.array([(1 << (8 * r)) - 1 for r in range(8)], dtype=np.uint64)


def _hash64_numpy(arr: pa.Array) -> np.ndarray:
    """A 64-bit hash of every string in numpy, 8 bytes at a time straight from the Arrow buffers (no polars import:
    small packages start faster)."""
    arr = _str(arr)
    n = len(arr)
    if n == 0:
        return np.zeros(0, np.uint64)
    offs = np.frombuffer(arr.buffers()[1], dtype=np.int32, count=n + 1, offset=arr.offset * 4)
    lo, hi = int(offs[0]), int(offs[-1])
    padded = np.zeros(hi - lo + 8, np.uint8)
    if hi > lo:
        padded[: hi - lo] = np.frombuffer(arr.buffers()[2], dtype=np.uint8)[lo:hi]
    words = np.ndarray((hi - lo + 1,), dtype="<u8", buffer=padded, strides=(1,))  # 8 bytes from every byte offset
    start = (offs[:-1] - lo).astype(np.int64)
    length = np.diff(offs)
    full = length >> 3
    h = length.astype(np.uint64) * _P1
    top = full.max()
    if top and (full == top).all():  # all the same length in words (typical of ids): no masking
        groups: list[tuple[slice | np.ndarray, int]] = [(slice(None), int(top))]
    else:
        groups = [(np.flatnonzero(full == f), int(f)) for f in np.flatnonzero(np.bincount(full)) if f]
    for sel, rounds in groups:
        hs, st = h[sel], start[sel]
        for j in range(rounds):
            mixed = (hs ^ words[st + 8 * j]) * _P2
            hs = mixed ^ (mixed >> np.uint64(32))
        h[sel] = hs
    tail = words[np.minimum(start + 8 * full.astype(np.int64), hi - lo)] & _TAIL_MASK[length & 7]
    return _mix(h ^ tail)


def hash64(arr: pa.Array, use_polars: bool = True) -> np.ndarray:
    """A 64-bit hash of every string, its low TAG_BITS cleared; nulls hash too.

    ``use_polars``: polars' multithreaded hash (about 5x numpy's on long columns, but importing
    polars costs 0.3 s, so small packages use numpy). The value depends only on the string (never
    on the batch it came in) for one choice, which is all the checks compare within one run:
    nothing stores it."""
    arr = _str(arr)
    if len(arr) == 0:
        return np.zeros(0, np.uint64)
    if not use_polars:
        return _hash64_numpy(arr) & _VALUE
    return polars_strings(arr).hash(seed=0).to_numpy() & _VALUE


def key_hashes(col: pa.Array, live: np.ndarray, use_polars: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Key cells as hashes, with a presence mask (empty cells and blank rows are not keys).

    Two different keys share a hash with probability 2^-60 per pair; a duplicate found by hash
    is confirmed on the values before it is reported, and a dangling reference could hide behind
    a collision only with probability about (references x keys) / 2^60 (below 1e-4 at 10 million)."""
    return hash64(col, use_polars), _present(col) & live


@dataclass
class Matches:
    """What one sort of a table's keys with every reference into it found, as sets of hash values (sorted)."""

    duplicated: np.ndarray
    """Key values held by more than one row."""
    missing: list[np.ndarray]
    """For each reference column: its values that are no key."""
    unreferenced: dict[str, np.ndarray]
    """For each named group of reference columns: key values none of them holds."""


SLICE = 1 << 21
"""Sorted values handled at a time after the sort (bounds the temporaries: about 40 bytes each)."""


def match(
    keys: tuple[np.ndarray, np.ndarray],
    refs: list[tuple[np.ndarray, np.ndarray]],
    groups: dict[str, list[int]] | None = None,
) -> Matches:
    """Sort the keys and the references together, each value tagged with where it came from
    (0: a key, i + 1: reference column i) in its low bits: equal values end up side by side,
    the key first, so one pass finds duplicates, references with no key and keys nobody refers to.

    Linear passes after one sort (numpy sorts 64-bit integers with SIMD): no hash table, and
    nothing here is per row in Python. The passes run over slices of the sorted values, cut
    between groups of equal values, so their temporaries stay small. ``groups``: {name:
    [reference column numbers]} for which unreferenced keys are wanted."""
    if len(refs) >= (1 << TAG_BITS) - 1:
        raise ValueError(f"at most {(1 << TAG_BITS) - 2} reference columns per key")
    groups = groups or {}
    kh, kp = keys
    x = np.concatenate([kh[kp]] + [h[p] | np.uint64(i + 1) for i, (h, p) in enumerate(refs)])
    x.sort()
    luts = {}
    for name, members in groups.items():
        lut = luts[name] = np.zeros(1 << TAG_BITS, bool)
        lut[[i + 1 for i in members]] = True
    found: list[tuple] = []
    start = 0
    while start < len(x):
        end = min(len(x), start + SLICE)
        if end < len(
            x
        ):  # never inside a group of equal values: back to its start, or past its end if it started the slice
            group = x[end] & _VALUE
            back = int(np.searchsorted(x, group, side="left"))
            end = back if back > start else int(np.searchsorted(x, group | _TAG, side="right"))
        found.append(_match_slice(x[start:end], len(refs), luts, first=start == 0))
        start = end
    return Matches(
        np.unique(np.concatenate([f[0] for f in found] or [np.zeros(0, np.uint64)])),
        [np.unique(np.concatenate([f[1][i] for f in found] or [np.zeros(0, np.uint64)])) for i in range(len(refs))],
        {name: np.unique(np.concatenate([f[2][name] for f in found] or [np.zeros(0, np.uint64)])) for name in groups},
    )


def _match_slice(x: np.ndarray, nrefs: int, luts: dict[str, np.ndarray], first: bool) -> tuple:
    tag = (x & _TAG).astype(np.uint8)
    is_key = tag == 0
    value = x & _VALUE
    sorted_keys = x[is_key]
    duplicated = sorted_keys[1:][sorted_keys[1:] == sorted_keys[:-1]]
    # the nearest key at or before each position (keys sort first among equal values)
    hit = np.maximum.accumulate(np.where(is_key, x, np.uint64(0))) == value
    if first and (len(sorted_keys) == 0 or sorted_keys[0] != 0):
        hit &= value != 0  # 0 is also "no key yet"
    lost = np.flatnonzero(~(hit | is_key))
    lost_tag, lost_value = tag[lost], value[lost]
    missing = [lost_value[lost_tag == i + 1] for i in range(nrefs)]
    unreferenced = {}
    top = np.uint64(0xFFFFFFFFFFFFFFFF)  # never a value (its low bits are set)
    for name, lut in luts.items():
        next_ref = np.minimum.accumulate(np.where(lut[tag], value, top)[::-1])[
            ::-1
        ]  # the nearest reference of the group at or after
        unreferenced[name] = value[is_key & (next_ref != value)]
    return duplicated, missing, unreferenced


def rows_with(keys: tuple[np.ndarray, np.ndarray], values: np.ndarray) -> np.ndarray:
    """Rows (ascending) whose present cell hashes to one of ``values``."""
    h, p = keys
    if len(values) == 0 or len(h) == 0:
        return np.zeros(0, np.int64)
    inside = _np_mask(pc.is_in(pa.array(h, pa.uint64()), value_set=pa.array(values, pa.uint64())))
    return np.flatnonzero(inside & p)


def lookup(
    keys: tuple[np.ndarray, np.ndarray], probes: list[tuple[np.ndarray, np.ndarray]], parts: int = 4
) -> list[np.ndarray]:
    """For each probe value, the row of the first equal key (-1: none, or the probe is empty).

    Used where positions are needed (relay chains); ``match`` answers the set questions.
    The hash table is built in ``parts`` slices by the top bits of the hash, so that only
    1/parts of it is in memory at a time."""
    kh, kp = keys
    out = [np.full(len(h), -1, dtype=np.int32) for h, _ in probes]
    shift = np.uint64(64 - int(np.log2(parts)))
    kpart = (kh >> shift).astype(np.uint8)
    ppart = [(h >> shift).astype(np.uint8) for h, _ in probes]
    for part in range(parts):
        ksel = np.flatnonzero((kpart == part) & kp)
        if len(ksel) == 0:
            continue
        sels = [np.flatnonzero((pp == part) & p) for pp, (_, p) in zip(ppart, probes, strict=True)]
        chunks = [pa.array(h[sel], pa.uint64()) for sel, (h, _) in zip(sels, probes, strict=True)]
        if not any(len(c) for c in chunks):
            continue
        found = pc.index_in(pa.chunked_array(chunks, pa.uint64()), value_set=pa.array(kh[ksel], pa.uint64()))
        found = np.asarray(pc.fill_null(found, -1).to_numpy(), dtype=np.int64)
        pos = 0
        for sel, o in zip(sels, out, strict=True):
            f = found[pos : pos + len(sel)]
            pos += len(sel)
            o[sel] = np.where(f >= 0, ksel[np.maximum(f, 0)], -1)
    return out
