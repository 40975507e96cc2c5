"""Rules on the links between records, run by the table engine (engine/batch.py and references.py) on a
package's tables and on the curated records' tables (records_as_tables.py):

* a self-reference (a column whose foreign key is its own table's key: actors.affiliation_actor_id)
  must not come back to the record it starts from; each loop is reported once, at the record that
  closes it (the last of its records as written), with the loop in the message;
* a source's relays (each source may relay several: a graph, not a chain) must not come back to the
  source they start from; each loop a depth-first search closes is reported once, at the relay that
  closes it (``graph_cycles``);
* a claim is not linked to itself, nor with the same relation to the same claim twice; a source does
  not relay itself, nor the same source twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import NamedTuple

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


class Loop(NamedTuple):
    """A loop of a graph: the edge that closes it, its nodes from that edge's node on, and its edges in the
    same order (``edges[i]`` goes from ``nodes[i]`` to the next node)."""

    edge: int
    nodes: list[int]
    edges: list[int]


def graph_cycles(edges: Sequence[tuple[int, int, int]]) -> list[Loop]:
    """The loops of a graph in which a node may point at several others; ``edges``: (edge id, from node,
    to node), in the order the edges are written. An edge from a node to itself is left out (a rule of
    its own). Only edges within a strongly connected component can be in a loop (Tarjan's algorithm
    keeps those), so the result is the same whether given every edge or any subset holding those.

    A depth-first search from each node in ascending order, following each node's edges in their order,
    reports every edge that comes back to a node on its path (a back edge) once, with the loop it
    closes; removing every edge reported leaves no loop. Loops sorted by their edge; linear in the edges."""
    out: dict[int, list[tuple[int, int]]] = {}
    for k, u, v in edges:
        if u != v:
            out.setdefault(u, []).append((k, v))
    comp = _components(out)
    inner = {u: [(k, v) for k, v in succ if comp[v] == comp[u]] for u, succ in out.items()}
    state: dict[int, int] = {}  # node -> 1 while on the search's path, 2 once done
    found: list[Loop] = []
    for root in sorted(u for u, succ in inner.items() if succ):
        if root in state:
            continue
        path, via, pos = [root], [-1], {root: 0}  # via[i]: the edge that led to path[i]
        work = [0]  # for each node on the path: its next edge to follow
        state[root] = 1
        while work:
            node = path[-1]
            succ = inner.get(node, [])
            i = work[-1]
            if i == len(succ):
                state[node] = 2
                del pos[node]
                path.pop()
                via.pop()
                work.pop()
                continue
            work[-1] = i + 1
            k, v = succ[i]
            if v not in state:
                state[v] = 1
                pos[v] = len(path)
                path.append(v)
                via.append(k)
                work.append(0)
            elif state[v] == 1:  # back on the path: the loop v .. node, closed by k
                at = pos[v]
                found.append(Loop(k, [node, *path[at:-1]], [k, *via[at + 1 :]]))
    return sorted(found, key=lambda loop: loop.edge)


def _components(out: Mapping[int, Sequence[tuple[int, int]]]) -> dict[int, int]:
    """Tarjan's strongly connected components of the graph ``out`` (node -> its (edge, node) pairs), without
    recursion: node -> component number."""
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    stack: list[int] = []
    on: set[int] = set()
    comp: dict[int, int] = {}
    nodes = sorted({u for u in out} | {v for succ in out.values() for _, v in succ})
    for root in nodes:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on.add(root)
        work = [(root, 0)]
        while work:
            node, i = work[-1]
            succ = out.get(node, ())
            if i < len(succ):
                work[-1] = (node, i + 1)
                w = succ[i][1]
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on.add(w)
                    work.append((w, 0))
                elif w in on:
                    low[node] = min(low[node], index[w])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp[w] = node
                    if w == node:
                        break
    return comp


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


LINK_KEY = ("claim_id", "relation", "other_claim_id")
"""What makes a link: a claim holds at most one with the same relation to the same other claim."""


RELAYS = "relays"
"""The name a loop of relays is reported under (the sources' field; its rows are source_relays)."""

RELAY_KEY = ("source_id", "relayed_source_id")
"""What makes a relay: a source relays another at most once."""
