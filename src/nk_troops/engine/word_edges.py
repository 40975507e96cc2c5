"""rulebook.EXCERPT_WHOLE_WORDS: an excerpt found at its offsets does not begin or end inside a word.

"captured two North Korean soldier" is in a text that says "soldiers", and "12,00" in one that says "12,000": each
is found, yet misquotes its source. An edge is inside a word when the characters on either side of it are both
letters of a script with capitals, or both digits: known once per position of the archive, then looked up for each
excerpt's two edges. Scripts without capitals are not checked: Korean writes particles onto words ("북한군이"),
and a quote may rightly leave the particle out."""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

import numpy as np

from .. import rulebook as R
from .arrays import per_code_point
from .state import Found

if TYPE_CHECKING:
    from .archive import Archive

_LETTER, _DIGIT = 1, 2


def _kind(c: str) -> int:
    """A mark (an accent written apart, as NFD does) belongs to the letter before it: it counts as a letter."""
    if (c.isalpha() and c.lower() != c.upper()) or unicodedata.category(c).startswith("M"):
        return _LETTER
    return _DIGIT if c.isdigit() else 0


def _kinds(cp: np.ndarray) -> np.ndarray:
    """Of each code point: a letter of a script with capitals (or a mark), a digit, or neither (0)."""
    ascii_kinds = np.where(((cp >= 65) & (cp <= 90)) | ((cp >= 97) & (cp <= 122)), _LETTER, 0)
    return per_code_point(cp, np.where((cp >= 48) & (cp <= 57), _DIGIT, ascii_kinds), _kind)


def inside_words(text: str) -> np.ndarray:
    """Per code point of ``text``: whether it stands inside a word, the character before it of the same kind
    (both letters of a script with capitals, or both digits). An excerpt may neither begin nor end there."""
    cp = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32).astype(np.int64)
    kinds = _kinds(cp)
    inside = np.zeros(len(cp) + 1, bool)  # and at the end: nothing follows
    inside[1:-1] = (kinds[1:] != 0) & (kinds[1:] == kinds[:-1])
    return inside


def cut_words(archive: Archive, k: np.ndarray, s: np.ndarray, e: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For spans [s, e) of texts k of the archive (in range): whether each begins inside a word, and whether it
    ends inside one."""
    inside = archive.inside_words()
    base = archive.cp_base[k]
    return inside[base + s], inside[base + e]


def _in_word(text: str, i: int) -> bool:
    """Whether the character at ``i`` is part of the word the message shows: a letter or digit, or the separator
    inside a number ("12,000", "1.5")."""
    c = text[i]
    if c.isalnum():
        return True
    return c in ",." and 0 < i < len(text) - 1 and text[i - 1].isdigit() and text[i + 1].isdigit()


def report_cut_words(
    found: Found, archive: Archive, idx: np.ndarray, k: np.ndarray, s: np.ndarray, e: np.ndarray, base: int
) -> None:
    """rulebook.EXCERPT_WHOLE_WORDS for citations whose excerpts matched their spans (rows ``idx`` of a batch
    starting at row ``base``)."""
    if not len(idx):
        return
    begins, ends = cut_words(archive, k, s, e)
    for j in np.flatnonzero(begins | ends).tolist():
        text = archive.texts[int(k[j])]
        at = int(s[j]) if begins[j] else int(e[j])
        a, b = at, at
        while a > max(0, at - 40) and _in_word(text, a - 1):
            a -= 1
        while b < min(len(text), at + 40) and _in_word(text, b):
            b += 1
        message = R.EXCERPT_WHOLE_WORDS.message(
            edge="begins" if begins[j] else "ends", word=text[a:b], source_id=archive.ids[int(k[j])].as_py()
        )
        found.add(R.EXCERPT_WHOLE_WORDS.kind, int(idx[j]) + base, "excerpt", message, R.EXCERPT_WHOLE_WORDS.hint)
