"""The archived texts as the site shows them: each citation within its sentence, and a source's text cut into pieces
at every citation's published offsets (``char_start``, ``char_end``: code points of the file's UTF-8 text).

Citations of one text may nest or cross (two records citing overlapping words), so a highlight cannot always be one
element: the text is cut at every offset, and each piece records which citations cover it. Where the full text may
not be republished (``sources.full_text``), only the sentences around the excerpts are kept; what lies between is a
gap (its length, never its words). No HTML here: ``site.py`` renders the pieces, escaping every one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .inputs import regular_file_bytes

CONTEXT_LIMIT = 400
"""At most this many characters of a sentence are shown on either side of an excerpt."""

_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*(?=\s)|\n")


def read_archived(root: Path, rel: str | None) -> str | None:
    """The archived text of a source (as the checks read it: UTF-8, line endings untouched), or None."""
    if rel is None:
        return None
    raw = regular_file_bytes(root / rel)
    if raw is None:
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def anchor(citation_id: str) -> str:
    """The HTML id of a citation's highlight: ``fg-x/c1`` → ``fg-x_c1`` (claim ids hold no underscore)."""
    return citation_id.replace("/", "_")


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """[a, b) of the sentence(s) around text[start:end], at most CONTEXT_LIMIT characters beyond it either side."""
    floor = max(0, start - CONTEXT_LIMIT)
    a = floor
    for m in _SENTENCE_END.finditer(text, floor, start):
        a = m.end()
    while a < start and text[a].isspace():
        a += 1
    ceiling = min(len(text), end + CONTEXT_LIMIT)
    b = ceiling
    if end > 0 and (text[end - 1] in ".!?" or (end < len(text) and text[end] == "\n")):
        b = end
    else:
        after = _SENTENCE_END.search(text, end, ceiling)
        if after is not None:
            b = after.start() if after.group() == "\n" else after.end()
    return a, max(b, end)


@dataclass(frozen=True)
class Piece:
    """A run of the archived text: ``text[start:end]``, the citations covering it (in table order), or a gap."""

    start: int
    end: int
    text: str
    cites: tuple[str, ...] = ()
    gap: bool = False
    opens: tuple[str, ...] = ()  # citations whose first piece this is


def pieces(text: str, citations: list[dict[str, Any]], *, full: bool) -> list[Piece]:
    """The text cut at every citation offset; without ``full``, only the sentences around excerpts, gaps between."""
    n = len(text)
    spans = [
        (c["citation_id"], c["char_start"], c["char_end"])
        for c in citations
        if 0 <= c["char_start"] < c["char_end"] <= n
    ]
    if full:
        windows = [(0, n)] if n else []
    else:
        merged: list[list[int]] = []
        for a, b in sorted(sentence_bounds(text, s, e) for _, s, e in spans):
            if not merged and not text[:a].strip():
                a = 0  # nothing but whitespace before: no gap to collapse
            if merged and not text[merged[-1][1] : a].strip():
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        if merged and not text[merged[-1][1] :].strip():
            merged[-1][1] = n
        windows = [(a, b) for a, b in merged]
    cuts = sorted({0, n, *(s for _, s, _ in spans), *(e for _, _, e in spans), *(x for w in windows for x in w)})
    out: list[Piece] = []
    opened: set[str] = set()
    for a, b in zip(cuts, cuts[1:], strict=False):
        if not any(wa <= a and b <= wb for wa, wb in windows):
            if out and out[-1].gap:
                prev = out.pop()
                a = prev.start
            out.append(Piece(a, b, "", gap=True))
            continue
        cites = tuple(cid for cid, s, e in spans if s <= a and b <= e)
        opens = tuple(cid for cid in cites if cid not in opened)
        opened.update(opens)
        out.append(Piece(a, b, text[a:b], cites, opens=opens))
    return out


def in_context(text: str, start: int, end: int) -> tuple[str, str, str]:
    """(before, excerpt, after): the excerpt's published span and the rest of its sentence either side."""
    a, b = sentence_bounds(text, start, end)
    return text[a:start], text[start:end], text[end:b]
