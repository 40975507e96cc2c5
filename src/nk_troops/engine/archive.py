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
from ..excerpts import PLACES_SHOWN, normalised_maps, segment_heads
from ..seeds import MAX_SEED_BYTES, original_refusal, undescribed_seeds
from .arrays import _control_chars, _control_positions, _edge_spaces, _np_mask, _present, _views
from .normalising import normalised_texts
from .state import TableState
from .word_edges import inside_words, report_cut_words


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
    _whole: NormalisedArchive | None = None
    _heads: np.ndarray | None = None
    _inside: np.ndarray | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    ready: threading.Event = field(default_factory=threading.Event)

    @classmethod
    def of(cls, ids: list[str], texts: list[str]) -> Archive:
        """The archive of these texts (verified already), indexed."""
        maps = []
        offset = 0
        for t in texts:
            m = _byte_offsets(t)
            maps.append(m + offset)
            offset += int(m[-1])
        cp_len = np.array([len(t) for t in texts], dtype=np.int64)
        cp_base = np.concatenate([[0], np.cumsum(cp_len + 1)[:-1]]).astype(np.int64) if texts else cp_len
        cp2b = np.concatenate(maps) if maps else np.zeros(1, np.int64)
        data = "".join(texts).encode("utf-8")
        controls = np.zeros(len(data) + 1, np.int64)
        controls[_control_positions(np.frombuffer(data, np.uint8)) + 1] = 1
        np.cumsum(controls, out=controls)
        return cls(pa.array(ids, pa.string()), pa.py_buffer(data), cp_base, cp_len, cp2b, texts, controls)

    def normalised(self, k: int):
        from ..excerpts import normalise

        n = self._norm.get(k)
        if n is None:
            n = self._norm[k] = normalise(self.texts[k])
        return n

    def whole_normalised(self) -> NormalisedArchive:
        """Every text normalised as excerpts are matched, once (the first batch that needs it builds it)."""
        heads = self.heads()
        with self._lock:
            if self._whole is None:
                self._whole = NormalisedArchive.of(self, heads)
            return self._whole

    def inside_words(self) -> np.ndarray:
        """Per code point (cp2b's numbering): whether it stands inside a word (engine.word_edges), once."""
        with self._lock:
            if self._inside is None:
                self._inside = inside_words("\x00".join(self.texts))
            return self._inside

    def heads(self) -> np.ndarray:
        """Per code point (cp2b's numbering): whether an NFC segment starts there, a whole character with its
        marks (excerpts.segment_heads); a citation's offsets start and end on one."""
        with self._lock:
            if self._heads is None:
                self._heads = segment_heads("\x00".join(self.texts))
            return self._heads


def _byte_offsets(text: str) -> np.ndarray:
    """The UTF-8 byte offset of each code point of the text, and of its end."""
    if text.isascii():
        return np.arange(len(text) + 1, dtype=np.int64)
    cps = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    width = 1 + (cps >= 0x80) + (cps >= 0x800) + (cps >= 0x10000)
    return np.concatenate([[0], np.cumsum(width, dtype=np.int64)])


@dataclass(frozen=True)
class NormalisedArchive:
    """The archive's texts normalised (nk_troops.excerpts.normalise), end to end, mapped to the archive.

    A span of a text that starts and ends where NFC segments start (``heads``) and where normalised characters
    other than a space start and end normalises to the normalised characters between those ends, as the
    whole text does: its excerpt is compared with them, and the span itself is not normalised."""

    data: pa.Buffer  # the normalised texts, UTF-8, end to end
    cp2b: np.ndarray  # byte offset in data of each normalised character, and of the end
    origin: np.ndarray  # where each normalised character starts in the archive (Archive.cp2b's numbering)
    ends: np.ndarray  # where it ends
    heads: np.ndarray  # per code point of the archive (cp2b's numbering): an NFC segment starts there

    @classmethod
    def of(cls, archive: Archive, heads: np.ndarray) -> NormalisedArchive:
        # one string: a NUL after each text numbers its characters as Archive.cp2b does; no span crosses it
        text, origin, ends = normalised_maps("\x00".join(archive.texts))
        return cls(pa.py_buffer(text.encode("utf-8")), _byte_offsets(text), origin, ends, heads)

    def spans(self, at: np.ndarray, to: np.ndarray) -> tuple[np.ndarray, pa.Array]:
        """For spans [at, to) of the archive (cp2b's numbering): which are bounded as the class says, and the
        normalised text of those (views)."""
        n = len(self.origin)
        first = np.searchsorted(self.origin, at)
        past = np.searchsorted(self.origin, to)
        bounded = np.zeros(len(at), bool)
        if n:
            head, tail = np.minimum(first, n - 1), np.maximum(past - 1, 0)
            raw = np.frombuffer(self.data, np.uint8)  # a space here is a run of whitespace there
            bounded = (
                (past > first)
                & (self.origin[head] == at)
                & (self.ends[tail] == to)
                & self.heads[at]
                & self.heads[to]
                & (raw[self.cp2b[head]] != 0x20)
                & (raw[self.cp2b[tail + 1] - 1] != 0x20)
            )
        b0, b1 = self.cp2b[first[bounded]], self.cp2b[past[bounded]]
        return bounded, _views(self.data, b0, (b1 - b0).astype(np.int32))


def places_count(where: list) -> str:
    """How many places a search that stopped after PLACES_SHOWN + 1 found, in words."""
    return f"{len(where)}" if len(where) <= PLACES_SHOWN else f"more than {PLACES_SHOWN}"


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
    # a link leading out of the package is not listed; a sources table not read whole may describe the rest
    if seeds.is_dir() and not seeds.is_symlink() and state.whole:
        for rel, message, hint in undescribed_seeds(seeds, described):
            file_problems.append(P.SeedUndescribed(message, file=rel, hint=hint))
    return Archive.of(ids, texts)


def equal_once_normalised(
    archive: Archive, at: np.ndarray, to: np.ndarray, spans: pa.Array, excerpts: pa.Array
) -> np.ndarray:
    """Which spans ([at, to) in Archive.cp2b's numbering, ``spans`` their text) equal their excerpt under the
    rule of nk_troops.excerpts (an excerpt of nothing matches nothing). The excerpts are normalised; a span is
    read from the normalised archive where it is bounded as NormalisedArchive says, else normalised too."""
    b = normalised_texts(excerpts)
    bounded, views = archive.whole_normalised().spans(at, to)
    equal = np.zeros(len(b), bool)
    if bounded.any():
        equal[bounded] = _np_mask(pc.equal(views, b.filter(bounded).cast(pa.string_view())))
    rest = np.flatnonzero(~bounded)
    if len(rest):
        picked = pa.array(rest)
        equal[rest] = _np_mask(pc.equal(normalised_texts(spans.take(picked)), b.take(picked)))
    return equal & _np_mask(pc.greater(pc.binary_length(b), 0))


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
    heads = archive.heads()  # offsets that cut a letter from its accent do not bound the excerpt, even verbatim
    whole = heads[archive.cp_base[k] + np.where(in_range, s, 0)] & heads[archive.cp_base[k] + np.where(in_range, e, 0)]
    same = same & whole
    report_cut_words(found, archive, idx[same], k[same], s[same], e[same], base)
    if same.all():
        return
    from ..excerpts import find_excerpt

    differ = np.flatnonzero(~same)  # compared again once normalised, in bulk
    texts = _views(archive.data, spans.b0[differ], (spans.b1 - spans.b0)[differ]).cast(pa.string())
    at = archive.cp_base[k[differ]] + np.where(in_range[differ], s[differ], 0)
    to = archive.cp_base[k[differ]] + np.where(in_range[differ], e[differ], 0)
    written = excerpts.take(pa.array(idx[differ])).cast(pa.string())
    matched = in_range[differ] & whole[differ] & equal_once_normalised(archive, at, to, texts, written)
    space_start, space_end, _ = _edge_spaces(texts)  # the excerpt has none: offsets bound it exactly
    matched &= ~space_start & ~space_end
    found_at = differ[matched]
    report_cut_words(found, archive, idx[found_at], k[found_at], s[found_at], e[found_at], base)
    searched: dict[tuple[int, str], list[tuple[int, int]]] = {}
    for j in differ[~matched]:
        row = int(idx[j]) + base
        kk = int(k[j])
        excerpt = excerpts[int(idx[j])].as_py()
        if (kk, excerpt) not in searched:  # the same words in many rows are searched for once
            searched[kk, excerpt] = find_excerpt(excerpt, archive.normalised(kk), limit=PLACES_SHOWN + 1)
        where = searched[kk, excerpt]
        sid = archive.ids[kk].as_py()
        if where:
            a, b = where[0]
            places = ", ".join(f"{a}..{b}" for a, b in where[:PLACES_SHOWN]) + (
                ", ..." if len(where) > PLACES_SHOWN else ""
            )
            found.add(
                P.ExcerptNotFound,
                row,
                "char_start",
                f"char_start..char_end ({s[j]}..{e[j]}) do not point at the excerpt in '{sid}'; it is at {places}",
                f"set char_start to {a} and char_end to {b}"
                if len(where) == 1
                else f"set char_start and char_end to the place meant: the excerpt occurs in {places_count(where)} places",
            )
        else:
            found.add(
                R.EXCERPT_IN_SOURCE.kind,
                row,
                "excerpt",
                R.EXCERPT_IN_SOURCE.message(source_id=sid),
                R.EXCERPT_IN_SOURCE.hint,
            )
