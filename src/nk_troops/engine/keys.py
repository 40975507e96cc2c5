"""Keys as 64-bit hashes, and one hash lookup for uniqueness and foreign keys (in slices, to bound memory)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .arrays import _present, _str


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


def hash64(arr: pa.Array) -> np.ndarray:
    """A 64-bit hash of every string, 8 bytes at a time straight from the Arrow buffers.

    The value depends only on the string (never on the batch it came in)."""
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
        groups = [(slice(None), int(top))]
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


def key_hashes(col: pa.Array, live: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Key cells as 64-bit hashes, null where empty: 8 bytes per key, whatever its length.

    Two different keys share a hash with probability 2^-64 per pair; a duplicate found by hash
    is confirmed on the values before it is reported, and a dangling reference could hide behind
    a collision only with probability about (references x keys) / 2^64 (below 1e-6 at 10 million)."""
    return hash64(col), _present(col) & live


def lookup(keys: tuple[np.ndarray, np.ndarray], probes: list[tuple[np.ndarray, np.ndarray]], parts: int = 4) -> list[np.ndarray]:
    """For each probe value, the row of the first equal key (-1: none, or the probe is empty).

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
        sels = [np.flatnonzero((pp == part) & p) for pp, (_, p) in zip(ppart, probes)]
        chunks = [pa.array(h[sel], pa.uint64()) for sel, (h, _) in zip(sels, probes)]
        if not any(len(c) for c in chunks):
            continue
        found = pc.index_in(pa.chunked_array(chunks, pa.uint64()), value_set=pa.array(kh[ksel], pa.uint64()))
        found = np.asarray(pc.fill_null(found, -1).to_numpy(), dtype=np.int64)
        pos = 0
        for sel, o in zip(sels, out):
            f = found[pos:pos + len(sel)]
            pos += len(sel)
            o[sel] = np.where(f >= 0, ksel[np.maximum(f, 0)], -1)
    return out
