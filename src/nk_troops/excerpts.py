"""Finding a curator's excerpt in an archived text.

The match is exact except for these normalisations, applied to both texts:

1. Unicode NFC (so NFD input compares equal to NFC);
2. typographic quotes become ASCII: ‘ ’ ‚ ‛ ′ → ' and “ ” „ ‟ ″ → ";
3. a line break directly between two letters is removed (the archived text of
   seed 003 breaks words across lines: "desi\\nre");
4. every other run of whitespace (spaces, tabs, line breaks, no-break spaces)
   becomes one space.

Case, punctuation, dashes and ellipses must match. An excerpt is one
contiguous span: to cite two separate passages, write two citations.
Offsets are reported in the original archived text, in Unicode code points.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

_QUOTES = str.maketrans(
    {"‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"'}
)


@dataclass(frozen=True)
class NormalisedText:
    """A normalised text and, for each of its characters, the offset it came from in the original."""

    text: str
    origin: tuple[int, ...]
    original_length: int

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) span of the normalised text back to the original text."""
        return self.origin[start], self.origin[end - 1] + 1


def normalise(original: str) -> NormalisedText:
    # NFC first, keeping a map from NFC positions to original positions.
    chars: list[str] = []
    origin: list[int] = []
    i = 0
    n = len(original)
    while i < n:
        # group a base character with its following combining marks, then compose them
        j = i + 1
        while j < n and unicodedata.combining(original[j]):
            j += 1
        composed = unicodedata.normalize("NFC", original[i:j]).translate(_QUOTES)
        for ch in composed:
            chars.append(ch)
            origin.append(i)
        i = j
    out: list[str] = []
    out_origin: list[int] = []
    k = 0
    m = len(chars)
    while k < m:
        ch = chars[k]
        if ch.isspace():
            run_start = k
            while k < m and chars[k].isspace():
                k += 1
            run = chars[run_start:k]
            before = out[-1] if out else ""
            after = chars[k] if k < m else ""
            if run == ["\n"] and before.isalpha() and after.isalpha():
                continue  # a word broken across two lines
            if out:  # drop leading whitespace entirely
                out.append(" ")
                out_origin.append(origin[run_start])
            continue
        out.append(ch)
        out_origin.append(origin[k])
        k += 1
    if out and out[-1] == " ":
        out.pop()
        out_origin.pop()
    return NormalisedText("".join(out), tuple(out_origin), n)


def find_excerpt(excerpt: str, source: NormalisedText) -> list[tuple[int, int]]:
    """Every place the excerpt occurs in the source, as (char_start, char_end) in the original text."""
    needle = normalise(excerpt).text
    if not needle:
        return []
    spans = []
    start = source.text.find(needle)
    while start != -1:
        spans.append(source.span(start, start + len(needle)))
        start = source.text.find(needle, start + 1)
    return spans
