"""Rules on the links between records, declared once for the curated checks (checks.py) and the table
engine (engine/batch.py and references.py), which both run them:

* a self-reference (a column whose foreign key is its own table's key: actors.affiliation_actor_id,
  sources.relays_source_id) must not come back to the record it starts from; each loop is reported
  once, at the record that closes it (the last of its records as written), with the loop in the message;
* a claim is not linked to itself, nor with the same relation to the same claim twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache

from . import rulebook as R
from .models import Record
from .schema_gen import columns


@cache
def self_references(model: type[Record]) -> tuple[str, ...]:
    """The columns of a table whose foreign key is the table's own primary key."""
    own = f"{model.resource}.{model.primary_key}"
    return tuple(c.name for c in columns(model) if c.fk == own)


def cycles(next_of: Mapping[int, int]) -> list[list[int]]:
    """Every loop of a graph in which each node points at no more than one other (``next_of[node]``;
    a node that is not a key of ``next_of`` ends its chain): each loop once, as its nodes from the
    largest (the record that closes it) on, in the order of the links; loops sorted by that node.

    Linear: every node is walked once."""
    state: dict[int, int] = {}  # node -> the walk that reached it first
    found = []
    for walk, start in enumerate(sorted(next_of)):
        node, path = start, []
        while node in next_of and node not in state:
            state[node] = walk
            path.append(node)
            node = next_of[node]
        if state.get(node) == walk:  # the walk met itself: path holds the loop from node on
            loop = path[path.index(node) :]
            top = loop.index(max(loop))
            found.append(loop[top:] + loop[:top])
    return sorted(found, key=lambda loop: loop[0])


SHOWN_IN_LOOP = 8
"""Ids a loop's message shows; a longer loop is shortened in the middle."""


def cycle_message(column: str, ids: Sequence[object]) -> str:
    """The problem of a loop of ``column``, given its records' ids from the one that closes it."""
    shown = [f"'{i}'" for i in ids]
    if len(shown) > SHOWN_IN_LOOP:
        half = SHOWN_IN_LOOP // 2
        shown = [*shown[:half], f"… ({len(shown) - SHOWN_IN_LOOP:,} more)", *shown[-half:]]
    return R.REFERENCE_LOOP.message(column=column, loop=" → ".join([*shown, shown[0]]))


def cycle_hint(column: str) -> str:
    return (R.REFERENCE_LOOP.hint or "").format(column=column)


SELF_LINK = R.LINK_TO_ITSELF.message()

LINK_KEY = ("claim_id", "relation", "other_claim_id")
"""What makes a link: a claim holds at most one with the same relation to the same other claim."""


def duplicate_link_message(relation: object, other: object, first: str) -> str:
    """The problem of a link written a second time; ``first``: where it is written first."""
    return R.LINK_ONCE.message(other=other, relation=relation, first=first)


DUPLICATE_LINK_HINT = R.LINK_ONCE.hint
