"""Did you mean: the candidate most like a wrong value, found in bounded time.

difflib's ratio is cubic in the lengths it compares at worst (two 2,000-character texts can take a
minute), and one run may want a hint for each of many wrong values against many candidates (15,000
misspelt references among 15,000 ids; hundreds of wrong excerpts against every sentence of a large
archived text). So:

* values and candidates longer than ``LONGEST`` characters are not compared, which bounds one
  comparison (about 0.1 s at worst); callers cut longer texts (an excerpt, a sentence) to that length;
* candidates are tried in the order of the highest ratio their length allows (difflib's
  real_quick_ratio), and the search stops where that cannot beat the cutoff or the best found;
  quick_ratio rules out more before a ratio is computed;
* each answer is remembered (a misspelling repeated 10,000 times is searched once);
* every search counts against one time budget per run (:func:`one_run`, ``BUDGET_SECONDS``); once it
  is spent, no more hints are searched for. The problem itself is still reported, located; only its
  "did you mean" is left out. Below the budget (every real run) the answers do not depend on speed.
"""

from __future__ import annotations

import threading
import time
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from difflib import SequenceMatcher
from functools import lru_cache

BUDGET_SECONDS = 2.0
"""Time for every hint search of one run, together."""

LONGEST = 240
"""Longest value or candidate compared, in characters (the longest passage a hint shows)."""

KEEP = 3
"""The most ids a hint offers."""

PREFIX_BONUS = 0.25
"""What beginning with the whole of a misspelt id adds to a candidate's ratio (less for a shorter shared start)."""

CLOSE = 0.05
"""Candidates within this score of the best are offered with it: the hint says several ids are close."""

MAX_ANSWERS = 100_000
"""Answers remembered per set of candidates (then forgotten, and searched again if asked)."""


class Budget:
    """Time left for hint searches, shared by the threads of one run."""

    def __init__(self, seconds: float) -> None:
        self.left = seconds
        self.lock = threading.Lock()

    def spend(self, seconds: float) -> None:
        with self.lock:
            self.left -= seconds


_budget = Budget(BUDGET_SECONDS)


@contextmanager
def one_run() -> Iterator[Budget]:
    """Every hint searched inside the block shares one budget of ``BUDGET_SECONDS``."""
    global _budget
    _budget = Budget(BUDGET_SECONDS)
    try:
        yield _budget
    finally:
        _budget = Budget(BUDGET_SECONDS)


class Candidates:
    """A set of candidates to suggest from, prepared once and searched many times.

    ``cutoff``: the least difflib ratio worth suggesting (0: the best there is, however poor). Candidates
    longer than ``LONGEST`` are left out; equal ratios go to the candidate given first."""

    def __init__(self, choices: Iterable[object], *, cutoff: float = 0.6) -> None:
        self.cutoff = cutoff
        kept = list(dict.fromkeys(c for c in choices if isinstance(c, str) and len(c) <= LONGEST))
        self.rank = {c: i for i, c in enumerate(kept)}
        self.by_length = sorted(kept, key=len)
        self.lengths = [len(c) for c in self.by_length]
        self.sorted = sorted(kept)
        self.answers: dict[tuple[str, int], list[str]] = {}

    def most_like(self, value: object) -> str | None:
        """The candidate most like ``value`` (a ratio of at least ``cutoff``), or None."""
        found = self._answer(value, 1)
        return found[0] if found else None

    def closest_ids(self, value: object) -> list[str]:
        """The candidates worth suggesting for a misspelt id, best first: ranked by difflib ratio plus a
        bonus for the share of ``value`` they begin with (``fg-captured-two`` is more likely
        ``fg-captured-two-own-voice`` than ``fg-zelensky-captured-two``, though the ratio says otherwise).
        More than one only when the next is nearly as good as the best (the hint then says so)."""
        if not isinstance(value, str) or len(value) > LONGEST:
            return []
        if (value, 0) in self.answers:
            return self.answers[(value, 0)]
        found = self._answer(value, KEEP)
        if _budget.left <= 0:
            return found[:1]
        started = time.perf_counter()
        i = bisect_left(self.sorted, value)
        near = [c for c in self.sorted[max(0, i - 2) : i + KEEP] if _shared(value, c) >= 3]  # sharing a beginning
        scored = []
        for cand in dict.fromkeys([*found, *near]):
            ratio = SequenceMatcher(None, cand, value, autojunk=False).ratio()
            shared = _shared(value, cand)
            if ratio >= self.cutoff or shared == len(value):
                scored.append((ratio + PREFIX_BONUS * shared / max(len(value), 1), -self.rank[cand], cand))
        scored.sort(reverse=True)
        close = [c for score, _, c in scored if score >= scored[0][0] - CLOSE][:KEEP] if scored else []
        _budget.spend(time.perf_counter() - started)
        self.answers[(value, 0)] = close
        return close

    def _answer(self, value: object, keep: int) -> list[str]:
        if not isinstance(value, str) or len(value) > LONGEST or not self.by_length:
            return []
        if (value, keep) in self.answers:
            return self.answers[(value, keep)]
        budget = _budget
        if budget.left <= 0:
            return []
        started = time.perf_counter()
        found, complete = self._search(value, started + budget.left, keep)
        budget.spend(time.perf_counter() - started)
        if complete:  # an answer cut short is not kept: another run may have the time for it
            if len(self.answers) >= MAX_ANSWERS:
                self.answers.clear()
            self.answers[(value, keep)] = found
        return found

    def _search(self, value: str, deadline: float, keep: int) -> tuple[list[str], bool]:
        """The ``keep`` candidates of the highest ratio (at least ``cutoff``), best first."""
        n = len(value)
        matcher = SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(value)  # as difflib.get_close_matches: what difflib learns of seq2 is kept
        best: list[tuple[float, int]] = []  # (ratio, rank) of the candidates kept, best first
        found: list[str] = []
        lengths = self.lengths
        hi = bisect_left(lengths, n)
        lo = hi - 1

        def to_beat() -> tuple[float, int]:
            return best[-1] if len(best) == keep else (self.cutoff, len(self.rank))

        while lo >= 0 or hi < len(lengths):
            up = _bound(n, lengths[hi]) if hi < len(lengths) else -1.0
            down = _bound(n, lengths[lo]) if lo >= 0 else -1.0
            if up >= down:
                i, bound, hi = hi, up, hi + 1
            else:
                i, bound, lo = lo, down, lo - 1
            if bound < to_beat()[0]:
                break  # no candidate left can do better: their lengths are further from the value's
            if time.perf_counter() > deadline:
                return [], False
            cand = self.by_length[i]
            rank = self.rank[cand]
            matcher.set_seq1(cand)
            if _beats(matcher.quick_ratio(), rank, to_beat()):
                ratio = matcher.ratio()
                if _beats(ratio, rank, to_beat()):
                    at = next((k for k, b in enumerate(best) if _beats(ratio, rank, b)), len(best))
                    best.insert(at, (ratio, rank))
                    found.insert(at, cand)
                    del best[keep:], found[keep:]
        return found, True


def _shared(a: str, b: str) -> int:
    """How many characters ``a`` and ``b`` begin with in common."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _bound(n: int, m: int) -> float:
    """The highest ratio two texts of these lengths can have (difflib's real_quick_ratio)."""
    return 2.0 * min(n, m) / (n + m) if n + m else 1.0


def _beats(ratio: float, rank: int, best: tuple[float, int]) -> bool:
    return ratio > best[0] or (ratio == best[0] and rank < best[1])


def did_you_mean(guess: str) -> str:
    return f"did you mean '{guess}'?"


def reference_hint(value: object, ids: Candidates) -> str | None:
    """The hint for an id that names no record: the id meant, or the few that are equally close."""
    close = ids.closest_ids(value)
    if len(close) > 1:
        return "several ids are close: " + ", ".join(f"'{c}'" for c in close)
    return did_you_mean(close[0]) if close else None


CONTEXT_WORDS = 5
"""Words of the source shown on each side of a marked difference."""


def marked_difference(written: str, source: str) -> str | None:
    """Where ``written`` (an excerpt) first departs from ``source`` (the passage it was meant to copy), as
    ``…captured by Ukrainian [forces→troops] in Russia's…``: the words written, then the source's words.

    Compared word by word; source words before the excerpt begins or after it ends are not differences.
    Callers bound both texts (a few times ``LONGEST`` characters), which bounds the comparison."""
    a, b = written.split(), source.split()
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    ops = matcher.get_opcodes()
    while ops and ops[0][0] == "insert":
        ops = ops[1:]  # the source before the excerpt's first word
    while ops and ops[-1][0] == "insert":
        ops = ops[:-1]  # the source after its last
    if not any(tag == "equal" for tag, *_ in ops):
        return None  # nothing in common to align on
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            continue
        before = " ".join(b[max(0, j1 - CONTEXT_WORDS) : j1])
        after = " ".join(b[j2 : j2 + CONTEXT_WORDS])
        mark = f"[{_words(a[i1:i2])}→{_words(b[j1:j2])}]"
        return f"…{before} {mark} {after}…".replace("… ", "…").replace(" …", "…")
    return None


def _words(words: list[str], most: int = 8) -> str:
    return " ".join(words) if len(words) <= most else " ".join(words[: most - 1]) + " …"


def wrong_form(shown: str) -> str:
    """The problem of a value that does not match its column's pattern (the hint says the form: ``what_it_is``)."""
    return f"{shown} does not have the required form"


def too_small_to_keep(shown: str) -> str:
    """A number under the smallest a 64-bit float holds, which every reader would read as 0."""
    return f"{shown} is too small to be kept as a number: it would be read as 0"


TOO_SMALL_HINT = "write 0, or a larger number"


def out_of_range(shown: str, below: bool, bound: float) -> str:
    """A number outside its field's range (a cell of a table, or a value of a record)."""
    return f"{shown} is {'below the minimum' if below else 'above the maximum'} {bound:.15g}"


def too_large_to_keep(shown: str) -> str:
    """A number over the largest a 64-bit float holds (about 1.8e308), which every reader would read as infinity."""
    return f"{shown} is too large to be kept as a number: it would be read as infinity"


def what_it_is(name: str, description: str | None, example: object = None) -> str | None:
    """A field's description and an example, as a hint."""
    if not description:
        return None
    ex = f" (for example {example!r})" if example is not None else ""
    return f"{name}: {description}{ex}"


def not_allowed(shown: str, allowed: Iterable[str]) -> str:
    """The message for a value outside a controlled vocabulary (the table checker's enum rule)."""
    return f"{shown} is not an allowed value; allowed: {', '.join(allowed)}"


def controlled_value(value: object, definitions: dict[str, str]) -> str | None:
    """The hint for a value outside a controlled vocabulary ({allowed value: its definition}).

    A word that a definition lists in quotes ('about' under approximately) points at that value: the
    contributor wrote the source's word where the vocabulary has a name for it. Otherwise the value
    most like it, if one is close."""
    if not isinstance(value, str) or len(value) > LONGEST:
        return None
    word = " ".join(value.replace("_", " ").split()).casefold()
    if word:
        listing = [v for v, d in definitions.items() if f"'{word}'" in d.casefold()]
        if len(listing) == 1:
            return f"use '{listing[0]}': its definition lists '{word}'"
    guess = closest(value, definitions)
    return did_you_mean(guess) if guess else None


@lru_cache(maxsize=256)
def _prepared(choices: tuple[str, ...]) -> Candidates:
    return Candidates(choices)


def closest(value: object, choices: Iterable[str]) -> str | None:
    """The choice most like a misspelt value, if one is close enough to suggest (difflib ratio 0.6 or more).
    For a few choices (field names, allowed values); a long list searched often is better prepared once
    as :class:`Candidates`."""
    if not isinstance(value, str):
        return None
    return _prepared(tuple(choices)).most_like(value)
