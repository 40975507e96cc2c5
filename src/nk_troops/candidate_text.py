"""The pieces both candidate extractors share: the candidate records and an archived text split into
lines and sentences over its normalised form (see ``candidates.py`` for what the extractors do)."""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import asdict, dataclass
from enum import Enum

from .excerpts import NormalisedText, normalise
from .vocabularies import Qualifier, StatementForm, Unit

# --------------------------------------------------------------------------- candidates


def plain(value: object) -> object:
    return value.value if isinstance(value, Enum) else value


@dataclass(frozen=True)
class FigureCandidate:
    """A number found in an archived text, with what the text says about it."""

    value: float
    number_text: str  # qualifier + number, normalised ("approximately 4,000")
    qualifier: Qualifier
    unit: Unit | None  # None: the noun does not say what is counted
    noun: str  # the words counted ("North Korean soldiers"); may be empty
    sentence: str
    char_start: int  # span of number_text in the original text
    char_end: int

    def to_dict(self) -> dict[str, object]:
        return {k: plain(v) for k, v in asdict(self).items()}


@dataclass(frozen=True)
class QuoteCandidate:
    """Words attributed to someone: a verbatim quotation or a paraphrase."""

    text: str  # the quoted or attributed words, normalised
    form: StatementForm
    speaker: str | None
    speaker_inferred: bool  # True: speaker taken from a pronoun or an earlier sentence
    sentence: str
    char_start: int  # span of text in the original text
    char_end: int

    def to_dict(self) -> dict[str, object]:
        return {k: plain(v) for k, v in asdict(self).items()}


# --------------------------------------------------------------------------- rule changes


@dataclass(frozen=True)
class RuleChange:
    """A rule added after the extractor was first measured, and the seeds whose records justified it."""

    what: str
    evidence: tuple[str, ...]  # seed numbers ("000") whose curated records were read to make the change


RULE_CHANGES: dict[str, RuleChange] = {
    "people_speakers": RuleChange(
        "a speaker may be '(one of) the/these/those soldiers' (troops, prisoners, ...) before a verb of saying",
        ("000", "003"),
    ),
    "that_participles": RuleChange(
        "'claiming that', 'stressing that' (an -ing verb of saying with 'that') attributes the rest of a sentence "
        "that has no other attribution; speaker: the sentence's subject after a comma, else the words before",
        ("000", "004"),
    ),
    "not_rule_out": RuleChange(
        "'(did) not rule out', 'while not ruling out' is a paraphrase from the negation to the sentence end, "
        "its speaker the subject before it (or the speaker of a verb of saying just before)",
        ("000", "002"),
    ),
    "not_dismiss": RuleChange("'did not dismiss' as 'not rule out'", ("002",)),
    "not_confirm": RuleChange("'have not been able to confirm' as 'not rule out'", ("000",)),
    "passive_by_tail": RuleChange(
        "the speaker of a passive '<verb> by X' ends before 'during', 'in', 'on', ... (a phrase of time or place)",
        ("003",),
    ),
    "voiced": RuleChange(
        "'voiced' is a verb of saying; 'X, including Name, have voiced' gives the speaker Name", ("004",)
    ),
}
"""Every rule change made since the first measurement (scripts/extractor_quality.py), by name.

The extractors take ``rules=``, the names switched on (default: all). The measurement switches off, for each
seed, the changes justified only on that seed (leave one seed out).
"""


def enabled(rules: frozenset[str] | None, name: str) -> bool:
    """Whether rule change ``name`` is on (``rules=None``: every change is on)."""
    return rules is None or name in rules


# --------------------------------------------------------------------------- the text


class Intervals:
    """Spans (x, y) of a text, asked whether any overlaps [a, b) (x < b and a < y; a == b asks whether a point
    lies strictly inside one) in logarithmic time: a text of many numbers asks once for each."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self.starts = [x for x, _ in ordered]
        self.reach = list(itertools.accumulate((y for _, y in ordered), max))  # the furthest end so far

    def overlaps(self, a: int, b: int) -> bool:
        i = bisect.bisect_left(self.starts, b)  # the spans starting before b
        return i > 0 and self.reach[i - 1] > a


class Doc:
    """A normalised text with its lines, sentences and offset map."""

    def __init__(self, original: str) -> None:
        self.original = original
        self.nt: NormalisedText = normalise(original)
        t = self.nt.text
        # A line ends at a space standing for whitespace that holds a line break (normalise()
        # joins only a word broken across lines, "desi\nre", never a line that begins with a capital).
        self.lines: list[tuple[int, int]] = []
        origin = self.nt.origin
        start = 0
        for i, ch in enumerate(t):
            if ch == " " and "\n" in original[origin[i] : origin[i + 1]]:
                self.lines.append((start, i))
                start = i + 1
        if start < len(t):
            self.lines.append((start, len(t)))
        self.sentences = [s for a, b in self.lines for s in _split_sentences(t, a, b)]
        self._starts = [a for a, _ in self.sentences]
        self._ends = [b for _, b in self.sentences]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original-text span of normalised [start, end).

        It reaches to the next character's origin, less whitespace, so that combining
        marks composed into the last character are inside it.
        """
        a, b = self.nt.span(start, end)
        b = max(b, self.nt.origin[end] if end < len(self.nt.origin) else len(self.original))
        while b > a and self.original[b - 1].isspace():
            b -= 1
        return a, b

    def sentence_at(self, start: int, end: int) -> tuple[int, int]:
        """The sentences overlapping normalised [start, end), joined (found by bisection: a long text has many)."""
        i = bisect.bisect_right(self._ends, start)
        if i == len(self.sentences) or self.sentences[i][0] >= end:
            return start, end
        j = bisect.bisect_left(self._starts, end) - 1
        return self.sentences[i][0], self.sentences[j][1]


_ABBREVIATIONS = {
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "mr", "mrs", "ms", "dr", "st", "gen", "lt", "col", "no", "vs", "etc", "approx",
}  # fmt: skip
_SENTENCE_END = re.compile(r"[.!?][\"')\]]*(?= )")


def _split_sentences(t: str, a: int, b: int) -> list[tuple[int, int]]:
    """Sentences of the normalised line t[a:b]: a full stop, ! or ? then a space and no lowercase letter."""
    out = []
    start = a
    for m in _SENTENCE_END.finditer(t, a, b):
        nxt = t[m.end() + 1 : m.end() + 2]
        if not nxt or nxt.islower():
            continue
        word = t[t.rfind(" ", start, m.start()) + 1 : m.start()]
        if m.group()[0] == "." and (word.lower() in _ABBREVIATIONS or re.fullmatch(r"(?:[A-Za-z]\.)*[A-Za-z]", word)):
            continue  # "Feb. 25", "U.N. Charter", "Donald J. Trump"
        out.append((start, m.end()))
        start = m.end() + 1
    if start < b:
        out.append((start, b))
    return out


# --------------------------------------------------------------------------- figures
