"""Figure candidates: numbers with their qualifier, unit and counted noun (see ``candidates.py``)."""

from __future__ import annotations

import re

from .candidate_text import Doc, FigureCandidate, Intervals
from .vocabularies import Qualifier, Unit

_SMALL = "two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_UNITS = ["one"] + _SMALL[:8]
_WORD_VALUES = {w: i for i, w in enumerate(_SMALL, start=2)} | {w: 10 * i for i, w in enumerate(_TENS, start=2)}
_WORD_VALUES |= {w: i for i, w in enumerate(_UNITS, start=1)}
_FRACTIONS = {"half": 1 / 2, "third": 1 / 3, "quarter": 1 / 4, "thirds": 2 / 3, "quarters": 3 / 4}
_MULTIPLIERS = {"hundred": 100, "thousand": 1_000, "million": 1_000_000}

_QUALIFIERS = {
    "approximately": Qualifier.approximately, "about": Qualifier.approximately, "around": Qualifier.approximately,
    "roughly": Qualifier.approximately, "some": Qualifier.approximately, "nearly": Qualifier.approximately,
    "almost": Qualifier.approximately, "at least": Qualifier.at_least, "no fewer than": Qualifier.at_least,
    "up to": Qualifier.up_to, "as many as": Qualifier.up_to, "at most": Qualifier.up_to,
    "more than": Qualifier.more_than, "over": Qualifier.more_than,
}  # fmt: skip

_NUMBER = re.compile(
    r"(?<![\w.,-])"
    r"(?:(?P<qual>" + "|".join(sorted(_QUALIFIERS, key=len, reverse=True)) + r") )?"
    r"(?P<num>"
    r"(?P<frac>(?:a|one)[- ](?:half|third|quarter)|two[- ]thirds|three[- ]quarters|half)"
    r"|(?P<digits>\d{1,3}(?:,\d{3})+(?!,?\d)|\d+(?:\.\d+)?)"
    r"|(?P<word>(?:" + "|".join(_TENS) + r")(?:-(?:" + "|".join(_UNITS) + r"))?|" + "|".join(reversed(_SMALL)) + r")"
    r")"
    r"(?: (?P<mult>hundred|thousand|million))?"
    r"(?!\w|-\d|,\d|\.\d)",
    re.IGNORECASE,
)
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)"
)
_NOT_FIGURES = re.compile(
    r"(?:https?://|www\.)\S+"  # web addresses
    r"|\b\d{1,2}:\d{2}(?: ?[AaPp]\.?[Mm]\.?)?"  # clock times
    r"|\b" + _MONTH + r"\.? \d{1,2}(?:st|nd|rd|th)?\b(?:, \d{4}\b)?"  # Jan. 12 / Feb. 25, 2022
    r"|\b\d{1,2}(?:st|nd|rd|th)? " + _MONTH + r"\b"  # 6 February
)
_DURATION = re.compile(r" ?-?(?:seconds?|minutes?|mins?|hours?|days?|weeks?|months?|years?)\b", re.IGNORECASE)
_NOUN_STOP = set(
    "a an the are were was is be been being have has had may might will would could can should must do does did "
    "who whom whose which that this these those to in on at from for by with so since than as into during after "
    "before said says out per across while under over through against including until via if but because "
    "still also already now then".split()
)
_PERSON_WORDS = set(
    "soldier soldiers troop troops personnel servicemen servicemembers people persons person men women children "
    "civilians killed wounded injured dead captured prisoners pows casualties fighters members defectors "
    "defenders workers officers".split()
)


def _value(m: re.Match[str]) -> tuple[float, bool]:
    """The number a match stands for, and whether it is a share."""
    if m["frac"]:
        words = re.split(r"[- ]", m["frac"].lower())
        return _FRACTIONS[words[-1]], True
    if m["digits"]:
        value = float(m["digits"].replace(",", ""))
    else:
        parts = m["word"].lower().split("-")
        value = float(sum(_WORD_VALUES[p] for p in parts))
    if m["mult"]:
        value *= _MULTIPLIERS[m["mult"].lower()]
    return value, False


def _noun(t: str, pos: int) -> str:
    """The counted words directly after position pos of the normalised text (at most five)."""
    if t[pos : pos + 1] != " ":
        return ""
    tokens = t[pos + 1 :].split(" ", 7)[:7]
    words: list[str] = []
    for k, token in enumerate(tokens):
        word = token.rstrip(".,;:!?)\"'")
        if not re.fullmatch(r"[A-Za-z][\w'-]*", word) or len(words) == 5:
            break
        low = word.lower()
        nxt = tokens[k + 1].rstrip(".,;:!?)\"'").lower() if k + 1 < len(tokens) else ""
        if words == ["of"] and low in {"the", "those", "these", "all"}:
            pass  # "one-third of those deployed"
        elif low in _NOUN_STOP or (low == "of" and words):
            break
        elif low in {"or", "and"} and not (words and nxt in _PERSON_WORDS):
            break  # only "killed or wounded", not "people and more"
        elif words and low.endswith(("ed", "ing")) and low not in _PERSON_WORDS and words[-1].lower() != "those":
            break  # a verb: "people died", "fighters returned", "wounded fighting"
        words.append(word)
        if word != token:  # punctuation after the word ends the phrase
            break
    while words and words[-1].lower() in {"or", "and", "of"}:
        words.pop()
    return " ".join(words)


def extract_figures(text: str, *, rules: frozenset[str] | None = None) -> list[FigureCandidate]:
    """Every number in the text (see the module docstring for what counts), in text order.

    rules: the rule changes (``candidate_text.RULE_CHANGES``) to apply; None, the default, applies all.
    """
    doc = Doc(text)
    t = doc.nt.text
    blocked = Intervals([m.span() for m in _NOT_FIGURES.finditer(t)])
    found = []
    for m in _NUMBER.finditer(t):
        a, b = m.span("num")
        if blocked.overlaps(a, b):
            continue
        if m["digits"] and re.fullmatch(r"(19|20)\d\d", m["digits"]):
            continue  # a year
        if _DURATION.match(t, m.end()):
            continue  # "six months", "2 min read"
        value, is_share = _value(m)
        s, e = doc.sentence_at(*m.span())
        noun = _noun(t[:e], m.end())  # the counted words end with the sentence (a headline's line is one)
        if is_share:
            unit: Unit | None = Unit.share
        elif any(w.lower().strip("'") in _PERSON_WORDS for w in noun.split()):
            unit = Unit.persons
        else:
            unit = None
        qualifier = _QUALIFIERS[m["qual"].lower()] if m["qual"] else Qualifier.exact
        start, end = doc.span(*m.span())
        found.append(FigureCandidate(value, m.group(), qualifier, unit, noun, t[s:e], start, end))
    return found


# --------------------------------------------------------------------------- quotations
