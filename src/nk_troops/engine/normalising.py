"""The rule of nk_troops.excerpts on whole string arrays: RE2 through pyarrow.compute, and numpy on the bytes.

``normalised_texts`` is ``excerpts.normalise(s).text`` of every string of an array, each step run only on the
strings it can change; ``may_normalise_shorter_than`` finds, in one pass, the only strings normalising can
make shorter than a length. tests/test_excerpt_matching.py holds both to ``excerpts.normalise``."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..excerpts import JOINS_BACKWARD, QUOTES, SPACES, goes_on_a_word
from .arrays import _np_mask, per_code_point


def _class(chars, ranges=(), extra: str = "") -> str:
    """An RE2 character class: the characters, the (first, last) code point ranges, and extra class items."""
    items = [f"\\x{{{ord(c):x}}}" for c in sorted(set(chars))] + [f"\\x{{{a:x}}}-\\x{{{b:x}}}" for a, b in ranges]
    return "[" + extra + "".join(items) + "]"


_MAY_CHANGE_IN_NFC = _class(
    JOINS_BACKWARD,
    (  # the characters NFC changes that are not marks (a superset: more only costs a little time)
        (0x0374, 0x0374), (0x037E, 0x037E), (0x0387, 0x0387), (0x0958, 0x095F), (0x09DC, 0x09DF),
        (0x0A33, 0x0A36), (0x0A59, 0x0A5E), (0x0B5C, 0x0B5D), (0x0F43, 0x0F69), (0x1F71, 0x1FFD),
        (0x2000, 0x2001), (0x2126, 0x212B), (0x2329, 0x232A), (0x2ADC, 0x2ADC), (0xF900, 0xFAD9),
        (0xFB1D, 0xFB4E), (0x1D15E, 0x1D1C0), (0x2F800, 0x2FA1D),
    ),
    extra="\\pM",  # every mark: all the characters of non-zero combining class
)  # fmt: skip
"""A string none of whose characters is in this class is in NFC already (tests/test_excerpt_matching.py)."""


def _code_points(data: np.ndarray, start: np.ndarray) -> np.ndarray:
    """The code point of the valid UTF-8 sequence starting at each position."""
    b0 = data[start].astype(np.int64)
    width = 1 + (b0 >= 0xC0) + (b0 >= 0xE0) + (b0 >= 0xF0)
    cp = np.where(width == 1, b0, b0 & (0xFF >> (width + 1)))
    for k in (1, 2, 3):
        more = width > k
        cp = np.where(more, (cp << 6) | (data[np.where(more, start + k, 0)] & 0x3F), cp)
    return cp


def _are_letters(cp: np.ndarray) -> np.ndarray:
    """str.isalpha() of each code point."""
    return per_code_point(cp, ((cp >= 65) & (cp <= 90)) | ((cp >= 97) & (cp <= 122)), str.isalpha)


def _go_on_words(cp: np.ndarray) -> np.ndarray:
    """excerpts.goes_on_a_word of each code point (of ASCII: the lower-case letters)."""
    return per_code_point(cp, (cp >= 97) & (cp <= 122), goes_on_a_word)


def _join_broken_words(arr: pa.Array) -> pa.Array:
    """Every line break that stands alone between two letters, the second no capital, removed (rule 3), from the
    bytes: RE2 has no lookaround, and its \\pL costs milliseconds to compile on every call."""
    n = len(arr)
    if n == 0 or arr.buffers()[2] is None:
        return arr
    if arr.offset:
        arr = pa.concat_arrays([arr])  # a copy starting at offset 0
    offsets = np.frombuffer(arr.buffers()[1], np.int32, n + 1).astype(np.int64)
    data = np.frombuffer(arr.buffers()[2], np.uint8)
    at = np.flatnonzero(data[offsets[0] : offsets[-1]] == 10) + offsets[0]
    if len(at) == 0:
        return arr
    row = np.searchsorted(offsets, at, side="right") - 1
    at = at[(at > offsets[row]) & (at + 1 < offsets[row + 1])]  # a character on either side, in the same string
    before = at - 1
    for _ in range(3):  # back to the first byte of the character before
        before = np.where((data[before] & 0xC0) == 0x80, before - 1, before)
    drop = at[_are_letters(_code_points(data, before)) & _go_on_words(_code_points(data, at + 1))]
    if len(drop) == 0:
        return arr
    new_offsets = (offsets - offsets[0] - np.searchsorted(drop, offsets)).astype(np.int32)
    values = np.delete(data[offsets[0] : offsets[-1]], drop - offsets[0])
    buffers = [arr.buffers()[0], pa.py_buffer(new_offsets), pa.py_buffer(values)]
    return pa.Array.from_buffers(pa.string(), n, buffers, arr.null_count)


_STEPS = (  # (which strings a step may change, or None: it finds them itself; the step)
    (_MAY_CHANGE_IN_NFC, lambda s: pc.utf8_normalize(s, "NFC")),
    (
        _class(QUOTES),
        lambda s: pc.replace_substring_regex(
            pc.replace_substring_regex(s, _class([q for q, a in QUOTES.items() if a == "'"]), "'"),
            _class([q for q, a in QUOTES.items() if a == '"']),
            '"',
        ),
    ),
    (None, _join_broken_words),
    (  # only the runs that are not one space already are replaced (four times faster than every run)
        _class(SPACES.replace(" ", "")) + "|  |^ | $",
        lambda s: pc.utf8_trim(
            pc.replace_substring_regex(
                s, f" {_class(SPACES)}+|{_class(SPACES.replace(' ', ''))}{_class(SPACES)}*", " "
            ),
            " ",
        ),
    ),
)


def normalised_texts(arr: pa.Array) -> pa.Array:
    """``excerpts.normalise(s).text`` of every string of a string array, in bulk: NFC, typographic quotes,
    a line break between two letters, other whitespace; each step only on the strings it can change."""
    for may_change, change in _STEPS:
        if may_change is None:
            arr = change(arr)
            continue
        hit = pc.match_substring_regex(arr, may_change)
        if pc.any(hit).as_py():
            arr = pc.replace_with_mask(arr, hit, change(arr.filter(hit)))
    return arr


_NORMALISING_MAY_REMOVE = _MAY_CHANGE_IN_NFC[1:-1] + _class(SPACES)[1:-1]
"""Whitespace and the characters NFC may change: normalising keeps at least one character for each other one
(quotes are replaced one for one; NFC only composes a character into the one before it if it is in here)."""


def may_normalise_shorter_than(arr: pa.Array, n: int) -> np.ndarray:
    """Which strings may hold fewer than ``n`` characters once normalised: those without ``n`` characters that
    normalising can neither remove nor merge (an RE2 pass that stops at the n-th such character).

    ASCII letters and digits are such characters, and most strings hold ``n`` of them: a pattern of those alone
    clears them first. The pattern of the whole class, which RE2 takes milliseconds to compile (once per batch),
    is then compiled only if some string is left."""
    maybe = ~_np_mask(pc.match_substring_regex(arr, f"^(?:[^A-Za-z0-9]*[A-Za-z0-9]){{{n}}}"))
    if maybe.any():
        cls = _NORMALISING_MAY_REMOVE
        idx = np.flatnonzero(maybe)
        maybe[idx] = ~_np_mask(pc.match_substring_regex(arr.take(pa.array(idx)), f"^(?:[{cls}]*[^{cls}]){{{n}}}"))
    return maybe
