"""How the site and the plots name a claim's claimant: the actor the record names, else what the claim's citations
say of it. An empty claimant means no one the sources name makes the claim (dataset/SCOPE.md, "Unnamed
claimants"): either the citing source states it in its own voice, or it gives it to someone it leaves unnamed
("Media reports have indicated", voice ``other``). The two must not read alike."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from .tables import Rows

OWN_VOICE = "the citing source (own voice)"
UNNAMED = "someone the source leaves unnamed"


def voices_by_claim(citations: Rows) -> dict[str, set[str]]:
    """The voices each claim is cited in."""
    out: dict[str, set[str]] = defaultdict(set)
    for cit in citations:
        out[cit["claim_id"]].add(str(cit["voice"]))
    return out


def nobody_named(voices: Iterable[str]) -> str:
    """Who makes a claim that names no claimant: the citing source, if any source states it in its own voice."""
    return OWN_VOICE if "own_voice" in set(voices) else UNNAMED
