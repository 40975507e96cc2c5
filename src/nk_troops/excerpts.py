"""Finding a curator's excerpt in an archived text.

The match is exact except for these normalisations, applied to both texts:

1. Unicode NFC (so NFD input compares equal to NFC, in every script: Latin
   e + U+0301, Cyrillic и + U+0306 and decomposed Hangul jamo alike);
2. typographic quotes become ASCII: ‘ ’ ‚ ‛ ′ → ' and “ ” „ ‟ ″ → ";
3. a line break directly between two letters is removed, unless the letter
   after it is a capital (the archived text of seed 003 breaks words across
   lines: "desi\\nre"; a line after a caption or heading begins with a
   capital, and "Won-suk\\nThe" reads "Won-suk The");
4. every other run of whitespace (spaces, tabs, line breaks, no-break spaces)
   becomes one space.

Case, punctuation, dashes and ellipses must match. An excerpt is one
contiguous span: to cite two separate passages, write two citations.
Offsets are reported in the original archived text, in Unicode code points,
and bound the excerpt exactly: no whitespace at either end, and the marks NFC
composed into its first and last letters inside.
"""

from __future__ import annotations

import bisect
import functools
import re
import sys
import unicodedata
from dataclasses import dataclass

import numpy as np

QUOTES = {"‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"'}
"""Typographic quotes and what they match."""

_QUOTE_CODES = tuple((ord(k), ord(v)) for k, v in QUOTES.items())

SPACES = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
"""Every character str.isspace() calls whitespace (what rule 4 means; tests/test_excerpt_matching.py holds
the two equal), for those who apply the rule with another engine's expressions (engine/archive.py)."""

JOINS_BACKWARD = frozenset(
    "\u09be\u09d7\u0b3e\u0b56\u0b57\u0bbe\u0bd7\u0cc2\u0cd5\u0cd6\u0d3e\u0d57\u0dcf\u0ddf\u0f73\u0f75\u0f81"
    "\u102e\u1b35\U00011127\U0001133e\U00011357\U000114b0\U000114ba\U000114bd\U000115af\U00011930"
    + "".join(map(chr, range(0x1161, 0x1176)))  # Hangul vowel jamo: joins a leading consonant
    + "".join(map(chr, range(0x11A8, 0x11C3)))  # Hangul trailing consonants: join a syllable
)
"""Characters of combining class 0 that NFC may still compose with the character before them (Hangul
jamo above all), or that decompose into a combining mark: the start of a segment NFC treats as a whole
is a character of class 0 not among these (tests/test_excerpt_matching.py derives the set from the
Unicode database)."""


@dataclass(frozen=True)
class NormalisedText:
    """A normalised text and, for each of its characters, the span of the original it came from."""

    text: str
    origin: tuple[int, ...]  # where each character's source starts in the original
    ends: tuple[int, ...]  # where it ends (after every mark NFC composed into it)
    original_length: int
    newlines: tuple[int, ...] = ()  # where each line break of the original ends (CRLF, CR or LF, as editors count)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) span of the normalised text back to the original text."""
        return self.origin[start], self.ends[end - 1]

    def line(self, offset: int) -> int:
        """The line of the original (from 1) that holds the character at ``offset``."""
        return bisect.bisect_right(self.newlines, offset) + 1


def _segments(text: str) -> tuple[np.ndarray, np.ndarray]:
    """(where a segment NFC treats as a whole starts, which characters NFC changes on their own), per character.

    A segment is a character, then every character that may compose or reorder with it
    (:data:`JOINS_BACKWARD` or a non-zero combining class); the first character always starts one."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    counts = np.bincount(codes, minlength=1)  # one per code point up to the text's highest
    distinct = np.flatnonzero(counts)
    chars = [chr(c) for c in distinct.tolist()]  # Python is asked once per distinct character
    follows = np.zeros(len(counts), bool)
    follows[distinct] = [bool(unicodedata.combining(c)) or c in JOINS_BACKWARD for c in chars]
    changes = np.zeros(len(counts), bool)
    changes[distinct] = [unicodedata.normalize("NFC", c) != c for c in chars]
    heads, alone = ~follows[codes], changes[codes]
    if len(heads):
        heads[0] = True
    return heads, alone


def segment_heads(text: str) -> np.ndarray:
    """Where each segment NFC treats as a whole starts (see :func:`_segments`), one flag per character and one
    (True) past the end: a span of the text that starts and ends at heads is normalised as the whole text is."""
    return np.append(_segments(text)[0] if text else np.zeros(0, bool), True)


def _nfc(original: str) -> tuple[str, np.ndarray, np.ndarray]:
    """NFC of the text, and for each character the [start, end) it came from.

    The text is cut into segments (:func:`_segments`). Only the segments NFC may change (two characters or
    more, or one NFC replaces) are normalised one by one; each character NFC made of a changed segment stands
    for the whole segment, every other character for itself."""
    n = len(original)
    if unicodedata.is_normalized("NFC", original):
        return original, np.arange(n, dtype=np.int64), np.arange(1, n + 1, dtype=np.int64)
    heads, alone = _segments(original)
    first = np.flatnonzero(heads)
    after = np.append(first[1:], n)
    may = np.flatnonzero((after - first > 1) | np.logical_or.reduceat(alone, first))
    pieces: list[str] = []
    emitted = np.ones(n, dtype=np.int64)  # characters each position of the original stands at the head of
    whole = np.zeros(n, dtype=bool)  # positions heading a changed segment
    done = 0
    for i, j in zip(first[may].tolist(), after[may].tolist(), strict=True):
        segment = original[i:j]
        composed = unicodedata.normalize("NFC", segment)
        if composed != segment:
            pieces += [original[done:i], composed]
            done = j
            emitted[i:j] = 0
            emitted[i] = len(composed)
            whole[i] = True
    pieces.append(original[done:])
    seg_end = after[np.cumsum(heads) - 1]  # the end of each position's segment
    starts = np.repeat(np.arange(n, dtype=np.int64), emitted)
    ends = np.repeat(np.where(whole, seg_end, np.arange(1, n + 1)), emitted)
    return "".join(pieces), starts, ends


_LAST_SPACE = 0x3000
_IS_SPACE = np.array([chr(c).isspace() for c in range(_LAST_SPACE + 1)], dtype=bool)
"""``str.isspace`` of every code point up to U+3000 (IDEOGRAPHIC SPACE, the last one it accepts)."""


def normalise(original: str) -> NormalisedText:
    """The text as excerpts are matched (see the module's rules), with each character's span in the original."""
    text, starts, ends = normalised_maps(original)
    newlines = tuple(m.end() for m in re.finditer("\r\n?|\n", original))
    return NormalisedText(text, tuple(starts.tolist()), tuple(ends.tolist()), len(original), newlines)


def normalised_maps(original: str) -> tuple[str, np.ndarray, np.ndarray]:
    """:func:`normalise`'s text, and where each of its characters starts and ends in the original, as arrays.

    Done on the code points as a numpy array, so that a long archived text costs a few array passes, not a
    Python step per character; only a lone line break between two non-spaces asks Python whether both are
    letters."""
    chars, starts, ends = _nfc(original)
    m = len(chars)
    codes = np.frombuffer(chars.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).copy()
    for typographic, ascii_quote in _QUOTE_CODES:
        codes[codes == typographic] = ascii_quote
    space = _IS_SPACE[np.minimum(codes, _LAST_SPACE)] & (codes <= _LAST_SPACE)
    edges = np.diff(space.astype(np.int8), prepend=np.int8(0), append=np.int8(0))
    run_a, run_b = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)  # runs of whitespace [a, b)
    kept = (run_a > 0) & (run_b < m)  # leading and trailing whitespace is dropped entirely
    lone = np.flatnonzero(kept & (run_b - run_a == 1) & (codes[run_a] == 0x0A))
    if len(lone):  # a word broken across two lines: the line break goes
        broken = np.fromiter(
            (chars[run_a[k] - 1].isalpha() and goes_on_a_word(chars[run_b[k]]) for k in lone.tolist()), bool, len(lone)
        )
        kept[lone[broken]] = False
    firsts = run_a[kept]  # each kept run becomes one space, standing for the whole run
    keep = ~space
    keep[firsts] = True
    out = codes
    out[firsts] = 0x20
    out_ends = ends.copy()
    out_ends[firsts] = ends[run_b[kept] - 1]
    text = out[keep].tobytes().decode("utf-32-le", "surrogatepass")
    return text, starts[keep], out_ends[keep]


def goes_on_a_word(c: str) -> bool:
    """Rule 3: after a line break that follows a letter, the letter ``c`` goes on the word broken there (a letter
    that is no capital: lower case, or a script without case such as Hangul)."""
    return c.isalpha() and not (c.isupper() or c.istitle())


PLACES_SHOWN = 5
"""How many of an excerpt's places a message lists (validate's, by line and the words before each; check-tables',
by offsets)."""


FAST_REFUSALS = 100
"""Matches cut from an accent find_excerpt refuses one by one (a step of Python each) before it lets a regular
expression skip the rest in C: a text of 'x̀' repeated cost seconds per citation."""


def find_excerpt(excerpt: str, source: NormalisedText, limit: int | None = None) -> list[tuple[int, int]]:
    """Every place the excerpt occurs in the source (the first ``limit`` of them), as (char_start, char_end) in
    the original text. A place starts and ends on whole characters: never on an accent or other mark, nor on a
    character that joins the one before it, so that an excerpt that leaves out a letter's accent is not found."""
    needle = normalise(excerpt).text
    if not needle or _follows(needle[0]):
        return []  # a place would start on a character that belongs to the one before it
    text = source.text
    spans: list[tuple[int, int]] = []
    start = text.find(needle)
    refused = 0
    while start != -1 and (limit is None or len(spans) < limit):
        end = start + len(needle)
        if end == len(text) or not _follows(text[end]):
            spans.append(source.span(start, end))
        else:
            refused += 1
            if refused > FAST_REFUSALS:  # the excerpt then a character that is no mark: found by re's prefix scan
                whole = re.compile(re.escape(needle) + f"(?![{_followers()}])")
                m = whole.search(text, start + 1)
                while m is not None and (limit is None or len(spans) < limit):
                    spans.append(source.span(m.start(), m.end()))
                    m = whole.search(text, m.start() + 1)  # places may overlap
                break
        start = text.find(needle, start + 1)
    return spans


@functools.cache
def _followers() -> str:
    """The characters :func:`_follows` holds, as the inside of a regular expression's class."""
    codes = [c for c in range(sys.maxunicode + 1) if unicodedata.combining(chr(c))]
    codes = sorted({*codes, *map(ord, JOINS_BACKWARD)})
    ranges: list[list[int]] = []
    for c in codes:
        if ranges and c == ranges[-1][1] + 1:
            ranges[-1][1] = c
        else:
            ranges.append([c, c])
    return "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges)


def _follows(c: str) -> bool:
    """The character belongs to the one before it (NFC's segments): a mark, or one that joins it."""
    return bool(unicodedata.combining(c)) or c in JOINS_BACKWARD
