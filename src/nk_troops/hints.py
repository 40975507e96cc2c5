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
        self.answers: dict[str, str | None] = {}

    def most_like(self, value: object) -> str | None:
        """The candidate most like ``value`` (a ratio of at least ``cutoff``), or None."""
        if not isinstance(value, str) or len(value) > LONGEST or not self.by_length:
            return None
        if value in self.answers:
            return self.answers[value]
        budget = _budget
        if budget.left <= 0:
            return None
        started = time.perf_counter()
        found, complete = self._search(value, started + budget.left)
        budget.spend(time.perf_counter() - started)
        if complete:  # an answer cut short is not kept: another run may have the time for it
            if len(self.answers) >= MAX_ANSWERS:
                self.answers.clear()
            self.answers[value] = found
        return found

    def _search(self, value: str, deadline: float) -> tuple[str | None, bool]:
        n = len(value)
        matcher = SequenceMatcher(None, autojunk=False)
        matcher.set_seq2(value)  # as difflib.get_close_matches: what difflib learns of seq2 is kept
        best = (self.cutoff, len(self.rank))  # (ratio, rank) to beat; a ratio equal to the cutoff is enough
        found = None
        lengths = self.lengths
        hi = bisect_left(lengths, n)
        lo = hi - 1
        while lo >= 0 or hi < len(lengths):
            up = _bound(n, lengths[hi]) if hi < len(lengths) else -1.0
            down = _bound(n, lengths[lo]) if lo >= 0 else -1.0
            if up >= down:
                i, bound, hi = hi, up, hi + 1
            else:
                i, bound, lo = lo, down, lo - 1
            if bound < best[0]:
                break  # no candidate left can do better: their lengths are further from the value's
            if time.perf_counter() > deadline:
                return None, False
            cand = self.by_length[i]
            rank = self.rank[cand]
            matcher.set_seq1(cand)
            if _beats(matcher.quick_ratio(), rank, best):
                ratio = matcher.ratio()
                if _beats(ratio, rank, best):
                    best, found = (ratio, rank), cand
        return found, True


def _bound(n: int, m: int) -> float:
    """The highest ratio two texts of these lengths can have (difflib's real_quick_ratio)."""
    return 2.0 * min(n, m) / (n + m) if n + m else 1.0


def _beats(ratio: float, rank: int, best: tuple[float, int]) -> bool:
    return ratio > best[0] or (ratio == best[0] and rank < best[1])


def did_you_mean(guess: str) -> str:
    return f"did you mean '{guess}'?"


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
