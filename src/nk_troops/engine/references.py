"""The checks across rows and tables, on key hashes: per referenced table, one sort of its primary key
with every reference into it (``keys.match``) gives its duplicates, dangling foreign keys, and for claims
the registry and citation coverage; then cycles of self-references, repeated links and citations of
sources with no archived text. Problems whose messages need cell values are left for ``reread``."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .. import problems as P
from .. import rulebook as R
from ..links import (
    LINK_KEY,
    RELAY_KEY,
    RELAYS,
    cycle_hint,
    cycle_message,
    cycles,
    graph_cycles,
)
from ..links import self_references as self_referencing
from .arrays import _np_mask, _present, _values
from .batch import LINK, PLACE, RELAY, deferred_columns
from .keys import hash64, lookup, match, rows_with
from .runstate import Later, RunState
from .state import KeyHashes, TableState

Probe = tuple[str, TableState, str, KeyHashes, np.ndarray | None]
"""What to look up in a primary key: (kind "fk" or "registry", table, column, hashes, row index or None = all rows)."""

CLAIM_TABLES = {"ev": "events", "st": "statements", "fg": "figures"}


def needs(run: RunState, resource: str) -> set[str]:
    """The tables a table's key checks need read: itself, every table referring to it, and for claims
    the registry; for sources, citations (their sources with no archived text)."""
    deps = {resource} | {o.spec.resource for o in run.states.values() for c in o.spec.columns if c.fk_table == resource}
    if resource == "claims":
        deps |= {"events", "statements", "figures", "citations"}
    if resource == "sources":
        deps |= {"citations"}
    return deps


def _probes_into(run: RunState, target: TableState) -> list[Probe]:
    r = target.spec.resource
    probes: list[Probe] = []
    for st in run.states.values():
        if not st.rows:
            continue
        for c in st.spec.columns:
            if c.fk_table == r:
                if st.spec.resource == "citations" and c.name == "source_id" and st.checked_src:
                    # values that named an archived text are known sources; look up only the others
                    if st.unverified.source_ids:
                        src = pa.concat_arrays(st.unverified.source_ids)
                        hashes = (hash64(src, run.use_polars), _present(src))
                        probes.append(("fk", st, c.name, hashes, np.concatenate(st.unverified.rows)))
                    continue
                probes.append(("fk", st, c.name, st.key(c.name), None))
    if r == "claims":
        for name in CLAIM_TABLES.values():
            st = run.states[name]
            if st.rows:
                probes.append(("registry", st, st.spec.primary_key, st.key(st.spec.primary_key), None))
    return probes


def check_keys(run: RunState, target: TableState) -> None:
    """One sort of a table's primary key with every reference into it: its uniqueness, every
    foreign key into it, and (for claims) the registry and citation coverage."""
    spec = target.spec
    r = spec.resource
    if target.rows == 0 and not target.whole:
        return
    pkname = spec.primary_key
    pk = target.key(pkname)
    # a table not read whole leaves keys unknown: references into it, and (for claims) its coverage, wait for a run
    # that reads it (its read rows' own keys are still checked)
    probes = _probes_into(run, target) if target.whole else []
    groups = {}
    if r == "claims":
        groups["held"] = [i for i, p in enumerate(probes) if p[0] == "registry"]
        groups["cited"] = [i for i, p in enumerate(probes) if p[1].spec.resource == "citations" and p[2] == "claim_id"]
    m = match(pk, [p[3] for p in probes], groups)
    if len(m.duplicated):
        first: dict[int, int] = {}
        dups, firsts = [], []
        held = rows_with(pk, m.duplicated)
        for i, v in zip(held.tolist(), pk[0][held].tolist(), strict=True):
            if v in first:
                dups.append(i)
                firsts.append(first[v])
            else:
                first[v] = i
        run.add_later(
            Later(
                target,
                P.DuplicateId,
                np.array(dups, np.int64),
                pkname,
                (pkname,),
                hint=R.UNIQUE_KEY.hint,
            )
        )
        target.dup_first = dict(zip(dups, firsts, strict=True))
    bad_pk = target.bad_key_rows
    bad_values = pk[0][bad_pk] if len(bad_pk) else np.zeros(0, np.uint64)
    for (kind, st, name, values, rows), missing_values in zip(probes, m.missing, strict=True):

        def index(sel: np.ndarray, rows: np.ndarray | None = rows) -> np.ndarray:
            return rows[sel] if rows is not None else sel

        col = st.spec.by_name[name]
        missing = rows_with(values, missing_values)
        if kind == "fk":
            deferred = deferred_columns(st.spec.resource)[name]
            if len(missing):
                idx = index(missing)
                run.add_later(
                    Later(
                        st,
                        P.DanglingReference,
                        idx,
                        name,
                        (name,),
                        lambda v, r=r: f"'{v}' is not the id of any record in {r}",
                    )
                )
                if deferred:  # its own cell rules, checked on the values
                    run.add_later(Later(st, None, idx, name, (name,), column=col))
            if deferred and len(bad_values):
                odd = rows_with(values, bad_values)  # refers to a row whose key broke its own rules
                if len(odd):
                    run.add_later(Later(st, None, index(odd), name, (name,), column=col))
            if st is target and name in self_referencing(spec.model):
                _cycles(run, target, name, lookup(pk, [values])[0])
        elif kind == "registry" and len(missing):
            run.add_later(
                Later(
                    st,
                    P.DanglingReference,
                    missing,
                    name,
                    (name,),
                    lambda v: f"'{v}' has no row in claims (the key registry)",
                )
            )
    if r == "claims" and target.whole:
        _coverage(run, target, pk, m.unreferenced)
    if r == "sources":
        _unarchived(run, target)
        _relay_cycles(run, target, pk)
    if r == "claim_links":
        _duplicate_rows(run, target, LINK, LINK_KEY, _link_message, R.LINK_ONCE.hint)
    if r == "source_relays":
        _duplicate_rows(run, target, RELAY, RELAY_KEY, _relay_message, R.RELAY_ONCE.hint)


def _link_message(first: str, claim: list, relation: list, other: list) -> str | None:
    if claim[0] != claim[1] or relation[0] != relation[1] or other[0] != other[1]:
        return None  # two links whose hashes are equal
    return R.LINK_ONCE.message(other=other[1], relation=relation[1], first=first)


def _relay_message(first: str, source: list, other: list) -> str | None:
    if source[0] != source[1] or other[0] != other[1]:
        return None  # two relays whose hashes are equal
    return R.RELAY_ONCE.message(other=other[1], first=first)


def check_places(run: RunState, citations: TableState) -> None:
    """rulebook.CITATION_ONCE, as soon as the citations are read: their place keys are then let go, before the
    key checks that need the most memory run."""
    _duplicate_rows(run, citations, PLACE, R.CITATION_PLACE, _place_message, R.CITATION_ONCE.hint)
    citations.keys.pop(PLACE, None)


def _place_message(first: str, *values: list) -> str | None:
    if not all(_same(*v) for v in values):
        return None  # two citations whose hashes are equal
    return R.CITATION_ONCE.message(source_id=values[1][1], first=first)


def _same(a: object, b: object) -> bool:
    """Two cells that say the same: equal, or the same integer written otherwise (0272, +272)."""
    if a == b:
        return True
    try:
        return int(str(a)) == int(str(b)) and str(a).strip() == str(a) and str(b).strip() == str(b)
    except ValueError:
        return False


def _coverage(run: RunState, claims: TableState, pk: KeyHashes, unreferenced: dict[str, np.ndarray]) -> None:
    """Claims held by no event, statement or figure, and claims no citation cites."""
    if all(run.states[t].whole for t in CLAIM_TABLES.values()):  # else every claim of a table not read whole
        run.add_later(
            Later(
                claims,
                P.DanglingReference,
                rows_with(pk, unreferenced["held"]),
                "claim_id",
                ("claim_id",),
                lambda v: f"'{v}' is in claims but not in {CLAIM_TABLES.get(v[:2], 'events, statements or figures')}",
            )
        )
    if run.states["citations"].whole:
        run.add_later(
            Later(
                claims,
                P.MissingCitation,
                rows_with(pk, unreferenced["cited"]),
                "claim_id",
                ("claim_id",),
                lambda v: f"'{v}' has no citation",
                "every event, statement and figure cites at least one archived source, with a verbatim excerpt",
            )
        )


def _duplicate_rows(
    run: RunState, table: TableState, keyname: str, key_columns: tuple[str, ...], message_of, hint: str | None
) -> None:
    """Rows that repeat an earlier row's link or relay (``key_columns``): found by hash, confirmed on the
    values (``message_of(where the first is, *values of each column as [first, again])``)."""
    key = table.key(keyname)
    held = rows_with(key, match(key, []).duplicated)
    first: dict[int, int] = {}
    related: dict[int, list[int]] = {}
    for i, v in zip(held.tolist(), key[0][held].tolist(), strict=True):
        if v in first:
            related[i] = [first[v], i]
        else:
            first[v] = i
    if not related:
        return
    firsts = np.array(sorted(first.values()), np.int64)
    number = dict(zip(firsts.tolist(), table.row_numbers(firsts).tolist(), strict=True))

    def message(rows: list[int], *values: list) -> str | None:
        return message_of(run.where(table.spec.resource, number[rows[0]]), *values)

    run.add_later(
        Later(
            table,
            P.RecordRule,
            np.array(sorted(related), np.int64),
            None,
            key_columns,
            message,
            hint,
            related=related,
        )
    )


PEEL_ROUNDS = 64
"""Rounds of vectorised peeling before the rest of a relay graph is searched in Python (a chain of relays
longer than this is searched in Python too, which is linear, only slower)."""


def _relay_cycles(run: RunState, sources: TableState, pk: KeyHashes | None = None) -> None:
    """Each loop of the sources' relays once, at the relay that closes it (links.graph_cycles). The relays
    are edges between rows of sources; peeling (vectorised) drops every edge into a source that relays
    nothing and out of a source nothing relays, round after round, so Python searches only the edges
    left: those in a loop or between loops."""
    relays = run.states.get("source_relays")
    if relays is None or not relays.rows or not relays.readable:
        return
    pk = pk if pk is not None else sources.key(sources.spec.primary_key)
    src, dst = lookup(pk, [relays.key("source_id"), relays.key("relayed_source_id")])
    rows = np.flatnonzero((src >= 0) & (dst >= 0) & (src != dst))
    src, dst = src[rows], dst[rows]
    n = int(max(src.max(initial=-1), dst.max(initial=-1))) + 1
    for _ in range(PEEL_ROUNDS):
        has_out = np.zeros(n, bool)
        has_out[src] = True
        has_in = np.zeros(n, bool)
        has_in[dst] = True
        keep = has_out[dst] & has_in[src]
        if keep.all():
            break
        rows, src, dst = rows[keep], src[keep], dst[keep]
        if not len(rows):
            return
    loops = graph_cycles(list(zip(rows.tolist(), src.tolist(), dst.tolist(), strict=True)))
    if not loops:
        return
    run.add_later(
        Later(
            relays,
            P.RecordRule,
            np.array([loop.edge for loop in loops], np.int64),
            "relayed_source_id",
            ("source_id",),
            lambda rows, ids: cycle_message(RELAYS, ids),
            cycle_hint(RELAYS),
            related={loop.edge: loop.edges for loop in loops},
        )
    )


def _cycles(run: RunState, table: TableState, column: str, where: np.ndarray) -> None:
    """Each loop of a self-reference once, at the row that closes it (links.cycles). ``where``: the row
    each row's ``column`` names (-1: none). Pointer doubling first keeps only the rows whose chain never
    ends (in a loop or leading into one), so Python walks only those."""
    p = where
    for _ in range(int(np.ceil(np.log2(len(where) + 1))) + 1):  # then only chains that never end point somewhere
        p = np.where(p >= 0, p[np.maximum(p, 0)], -1)
        if not (p >= 0).any():
            return
    loops = cycles({int(i): int(where[i]) for i in np.flatnonzero(p >= 0)})
    run.add_later(
        Later(
            table,
            P.RecordRule,
            np.array([loop[0] for loop in loops], np.int64),
            column,
            (table.spec.primary_key,),
            lambda rows, ids: cycle_message(column, ids),
            cycle_hint(column),
            related={loop[0]: loop for loop in loops},
        )
    )


def _unarchived(run: RunState, sources: TableState) -> None:
    """Citations of sources whose status says they have no archived text (a source whose archived text failed
    its checks, or whose status is not an allowed value, is reported on the source)."""
    cit = run.states["citations"]
    if not cit.unverified.source_ids:
        return
    idx = np.concatenate(cit.unverified.rows)
    src = pa.concat_arrays(cit.unverified.source_ids)
    none = pa.concat_arrays([a.cast(pa.string()) for a in sources.status_not_archived] or [pa.array([], pa.string())])
    sel = np.flatnonzero(_np_mask(pc.is_in(src, value_set=none)))
    cit.found.many(
        R.CITES_ARCHIVED.kind,
        idx[sel],
        "source_id",
        [R.CITES_ARCHIVED.message(source_id=v) for v in _values(src, sel)],
        R.CITES_ARCHIVED.hint,
    )
