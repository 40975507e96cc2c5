"""The hint for an excerpt not found in its source: the closest passage, with the first difference marked."""

from __future__ import annotations

import re

from . import rulebook as R
from .excerpts import NormalisedText, normalise
from .hints import LONGEST, Candidates, marked_difference


def nearest_passage(excerpt: str, text: NormalisedText, passages: dict[str, Candidates], source_id: str) -> str:
    """Point at the passage of the source that most resembles the excerpt, so the contributor can copy it exactly.

    Passages are the source's sentences (a long one in pieces), prepared once per source; they and the
    excerpt are compared on their first hints.LONGEST characters, which bounds the search (hints.py)."""
    if source_id not in passages:
        sentences = re.split(r"(?<=[.!?\"])\s+", text.text)
        pieces = (s[k : k + LONGEST] for s in sentences for k in range(0, len(s), LONGEST))
        passages[source_id] = Candidates(pieces, cutoff=0.0)
    written = normalise(excerpt[: 2 * LONGEST]).text
    best = passages[source_id].most_like(written[:LONGEST])
    if not best:
        return R.EXCERPT_IN_SOURCE.hint or ""
    at = text.text.find(best)
    where = marked_difference(written, text.text[at : at + len(best) + len(written)]) if at >= 0 else None
    if where is None:
        return f"copy the words exactly; the closest passage in the source is: {_set_off(best)}"
    return f"copy the words exactly; the source differs at {where} in the passage {_set_off(best)}"


def _set_off(passage: str) -> str:
    """The passage between quote marks it does not hold itself, so that a quoted sentence is not shown as \"\"Given...\"."""
    for left, right in (('"', '"'), ("'", "'"), ("«", "»")):
        if left not in passage and right not in passage:
            return f"{left}{passage}{right}"
    return f"«{passage}»"
