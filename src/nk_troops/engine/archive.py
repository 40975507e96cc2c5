"""The archived texts the sources table names, and the check that each citation's excerpt is in its text."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .. import problems as P
from .. import rulebook as R
from ..confine import SEEDS_DIR, Refusal, seed_file
from ..excerpts import JOINS_BACKWARD, QUOTES, SPACES
from ..seeds import MAX_SEED_BYTES, original_refusal, undescribed_seeds
from .arrays import _control_chars, _control_positions, _edge_spaces, _np_mask, _present, _views
from .state import TableState


@dataclass
class Archive:
    """The archived texts, concatenated as UTF-8, with code point -> byte offset maps."""

    ids: pa.Array  # source ids with a verified text
    data: pa.Buffer  # all texts, UTF-8, end to end
    cp_base: np.ndarray  # per text: start of its entries in cp2b
    cp_len: np.ndarray  # per text: length in code points
    cp2b: np.ndarray  # global byte offset of each code point of each text (+1 entry at each end)
    texts: list[str]
    controls: np.ndarray  # controls[i]: refused control characters starting before byte i of data
    _norm: dict = field(default_factory=dict)
    ready: threading.Event = field(default_factory=threading.Event)

    def normalised(self, k: int):
        from ..excerpts import normalise

        n = self._norm.get(k)
        if n is None:
            n = self._norm[k] = normalise(self.texts[k])
        return n


def load_archive(root: Path, state: TableState, file_problems: list[P.Problem]) -> Archive:
    """Read, hash-check and index every archived text the sources table names; an entry of seeds/ that no
    source describes is added to ``file_problems``, located in that entry."""
    found = state.found
    refs = state.seeds
    ids: list[str] = []
    texts: list[str] = []
    described: set[str] = set()
    seeds = root / SEEDS_DIR
    for idx, sid, rel, sha in zip(refs.index, refs.source_id, refs.file, refs.sha256, strict=True):
        resolved = seed_file(root, rel)  # never opened unless it is a regular file directly inside seeds/
        if isinstance(resolved, Refusal):
            found.add(resolved.kind, idx, "archived_file", resolved.message, resolved.hint)
            continue
        described.add(resolved.name)
        if resolved.stat().st_size > MAX_SEED_BYTES:
            found.add(P.FileTooLarge, idx, "archived_file", f"'{rel}' is larger than {MAX_SEED_BYTES:,} bytes")
            continue
        raw = resolved.read_bytes()
        digest = hashlib.sha256(raw).hexdigest()
        if sha is not None and digest != sha:
            found.add(
                R.SEED_HASH.kind,
                idx,
                "sha256",
                R.SEED_HASH.message(path=rel, digest=digest, recorded=sha),
                R.SEED_HASH.hint,
            )
            continue
        try:
            texts.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            found.add(P.EncodingProblem, idx, "archived_file", f"'{rel}' is not UTF-8 text")
            continue
        ids.append(sid)
    for idx, rel, sha in zip(refs.original_index, refs.original_file, refs.original_sha256, strict=True):
        name, fld, refused = original_refusal(root, rel, sha)
        described.add(name)
        if refused is not None:
            found.add(refused.kind, idx, fld, refused.message, refused.hint)
    if seeds.is_dir() and not seeds.is_symlink():  # a link leading out of the package is not listed
        for rel, message, hint in undescribed_seeds(seeds, described):
            file_problems.append(P.SeedUndescribed(message, file=rel, hint=hint))
    blobs = [t.encode("utf-8") for t in texts]
    cp_len = np.array([len(t) for t in texts], dtype=np.int64)
    maps = []
    offset = 0
    for t, b in zip(texts, blobs, strict=True):
        if len(t) == len(b):
            m = np.arange(len(t) + 1, dtype=np.int64)
        else:
            cps = np.frombuffer(t.encode("utf-32-le"), dtype=np.uint32)
            width = 1 + (cps >= 0x80) + (cps >= 0x800) + (cps >= 0x10000)
            m = np.concatenate([[0], np.cumsum(width, dtype=np.int64)])
        maps.append(m + offset)
        offset += len(b)
    cp_base = (
        np.concatenate([[0], np.cumsum([len(m) for m in maps])[:-1]]).astype(np.int64)
        if maps
        else np.zeros(0, np.int64)
    )
    cp2b = np.concatenate(maps) if maps else np.zeros(1, np.int64)
    data = b"".join(blobs)
    controls = np.zeros(len(data) + 1, np.int64)
    controls[_control_positions(np.frombuffer(data, np.uint8)) + 1] = 1
    np.cumsum(controls, out=controls)
    return Archive(pa.array(ids, pa.string()), pa.py_buffer(data), cp_base, cp_len, cp2b, texts, controls)


# ---- the rule of nk_troops.excerpts, on whole arrays (RE2 through pyarrow.compute)


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
    """str.isalpha() of each code point (Python's own answer: asked once per distinct non-ASCII one)."""
    out = ((cp >= 65) & (cp <= 90)) | ((cp >= 97) & (cp <= 122))
    wide = cp >= 0x80
    if wide.any():
        distinct, where = np.unique(cp[wide], return_inverse=True)
        out[wide] = np.array([chr(c).isalpha() for c in distinct.tolist()], bool)[where]
    return out


def _join_broken_words(arr: pa.Array) -> pa.Array:
    """Every line break that stands alone between two letters removed (rule 3), from the bytes: RE2 has no
    lookaround, and its \\pL costs milliseconds to compile on every call."""
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
    drop = at[_are_letters(_code_points(data, before)) & _are_letters(_code_points(data, at + 1))]
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
    normalising can neither remove nor merge (one RE2 pass that stops at the n-th such character)."""
    cls = _NORMALISING_MAY_REMOVE
    return ~_np_mask(pc.match_substring_regex(arr, f"^(?:[{cls}]*[^{cls}]){{{n}}}"))


def equal_once_normalised(spans: pa.Array, excerpts: pa.Array) -> np.ndarray:
    """Which spans equal their excerpt under the rule of nk_troops.excerpts (an excerpt of nothing matches nothing)."""
    a, b = normalised_texts(spans), normalised_texts(excerpts)
    return _np_mask(pc.equal(a, b)) & _np_mask(pc.greater(pc.binary_length(b), 0))


@dataclass
class Spans:
    """Citations whose excerpt was compared with its archived span, in one batch."""

    idx: np.ndarray  # rows compared
    k: np.ndarray  # their texts in the archive
    s: np.ndarray  # char_start
    e: np.ndarray  # char_end
    in_range: np.ndarray
    same: np.ndarray  # the excerpt is byte for byte the span
    b0: np.ndarray  # the span's bytes in archive.data
    b1: np.ndarray


def excerpt_spans(cols: dict, typed: dict, ok: dict, archive: Archive) -> tuple[pa.Array, Spans | None]:
    """(index of each row's source in the archive, the comparison of each comparable excerpt with its span)."""
    k_arr = pc.index_in(cols["source_id"], value_set=archive.ids)
    comparable = ok["source_id"] & ok["char_start"] & ok["char_end"] & _present(cols["excerpt"]) & _present(k_arr)
    if not comparable.any():
        return k_arr, None
    idx = np.flatnonzero(comparable)
    every = len(idx) == len(comparable)  # the usual case: no copy of the (long) excerpts

    def rows(arr: pa.Array) -> pa.Array:
        return arr if every else arr.take(pa.array(idx))

    k = np.asarray(rows(k_arr).to_numpy(zero_copy_only=False), dtype=np.int64)
    s = np.asarray(rows(typed["char_start"]).to_numpy(zero_copy_only=False), dtype=np.int64)
    e = np.asarray(rows(typed["char_end"]).to_numpy(zero_copy_only=False), dtype=np.int64)
    in_range = (s >= 0) & (s <= e) & (e <= archive.cp_len[k])
    s_c = np.where(in_range, s, 0)
    e_c = np.where(in_range, e, 0)
    b0 = archive.cp2b[archive.cp_base[k] + s_c]
    b1 = archive.cp2b[archive.cp_base[k] + e_c]
    spans = _views(archive.data, b0, (b1 - b0).astype(np.int32))
    same = in_range & _np_mask(
        pc.equal(spans, rows(cols["excerpt"]).cast(pa.string_view()))
    )  # views: lengths and prefixes first, no copy
    return k_arr, Spans(idx, k, s, e, in_range, same, b0, b1)


def excerpt_controls(excerpt: pa.Array, spans: Spans | None, archive: Archive) -> np.ndarray:
    """Which excerpts hold a refused control character: for an excerpt equal to its archived span,
    counted in the archive (no pass over the excerpt); the others are read."""
    control = np.zeros(len(excerpt), bool)
    checked = np.zeros(len(excerpt), bool)
    if spans is not None:
        rows = spans.idx[spans.same]
        control[rows] = archive.controls[spans.b1[spans.same]] > archive.controls[spans.b0[spans.same]]
        checked[rows] = True
    rest = np.flatnonzero(~checked & _present(excerpt))
    if len(rest):
        sub = excerpt if len(rest) == len(excerpt) else excerpt.take(pa.array(rest))
        control[rest[_control_chars(sub)]] = True
    return control


def check_excerpts(
    cols: dict,
    ok: dict,
    live: np.ndarray,
    archive: Archive,
    state: TableState,
    base: int,
    k_arr: pa.Array,
    spans: Spans | None,
) -> None:
    found = state.found
    # citations of sources with no verified text: unarchived (if the source exists) or already reported
    elsewhere = ok["source_id"] & live & ~_present(k_arr)
    if elsewhere.any():
        idx = np.flatnonzero(elsewhere)
        state.unverified.rows.append(idx + base)
        state.unverified.source_ids.append(cols["source_id"].take(pa.array(idx)))
    if spans is None:
        return
    keep = ok["excerpt"][spans.idx]  # an excerpt that failed its own checks is reported there
    if not keep.all():
        sel = np.flatnonzero(keep)
        spans = Spans(*(getattr(spans, f)[sel] for f in ("idx", "k", "s", "e", "in_range", "same", "b0", "b1")))
    idx, k, s, e, in_range, same = spans.idx, spans.k, spans.s, spans.e, spans.in_range, spans.same
    excerpts = cols["excerpt"]
    if same.all():
        return
    from ..excerpts import find_excerpt

    differ = np.flatnonzero(~same)  # compared again once normalised, in bulk
    texts = _views(archive.data, spans.b0[differ], (spans.b1 - spans.b0)[differ]).cast(pa.string())
    matched = in_range[differ] & equal_once_normalised(texts, excerpts.take(pa.array(idx[differ])).cast(pa.string()))
    space_start, space_end, _ = _edge_spaces(texts)  # the excerpt has none: offsets bound it exactly
    matched &= ~space_start & ~space_end
    for j in differ[~matched]:
        row = int(idx[j]) + base
        kk = int(k[j])
        excerpt = excerpts[int(idx[j])].as_py()
        where = find_excerpt(excerpt, archive.normalised(kk))
        sid = archive.ids[kk].as_py()
        if where:
            a, b = where[0]
            found.add(
                P.ExcerptNotFound,
                row,
                "char_start",
                f"char_start..char_end ({s[j]}..{e[j]}) do not point at the excerpt in '{sid}'; it is at {a}..{b}",
                f"set char_start to {a} and char_end to {b}",
            )
        else:
            found.add(
                R.EXCERPT_IN_SOURCE.kind,
                row,
                "excerpt",
                R.EXCERPT_IN_SOURCE.message(source_id=sid),
                R.EXCERPT_IN_SOURCE.hint,
            )
