"""The checks of one batch of a table's rows: every cell, the rules within a row, the excerpts against
the archive; and what later checks need (key hashes, the rows that declare an archived text)."""

from __future__ import annotations

from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .. import models as M
from .. import rulebook as R
from ..links import LINK_KEY, RELAY_KEY
from .archive import check_excerpts, excerpt_controls, excerpt_spans
from .arrays import _eq, _np_mask, _present, _str, _values, forget_polars_strings
from .cells import check_column
from .claim_rules import rule_hedge, rule_place
from .keys import key_hashes
from .rules import (
    rule_child_ids,
    rule_claims,
    rule_dates,
    rule_excerpt_length,
    rule_figures,
    rule_knowable,
    rule_sources,
)
from .runstate import RunState
from .spec import table_spec
from .state import TableState, TableStructure

LINK = ",".join(LINK_KEY)
"""The key (in TableState.keys) of claim_links' rows as links: a hash of the three cells."""
RELAY = ",".join(RELAY_KEY)
"""The key (in TableState.keys) of source_relays' rows as relays: a hash of the two cells."""
PLACE = ",".join(R.CITATION_PLACE)
"""The key (in TableState.keys) of citations' rows as places cited: a hash of the four cells."""


@cache
def deferred_columns(resource: str) -> dict[str, bool]:
    """For each column: whether it is a foreign key whose cell rules are exactly those of the key it refers
    to (checked only where the reference is not a valid key, on the values read again)."""
    out = {}
    for c in table_spec(M.BY_RESOURCE[resource]).columns:
        target = table_spec(M.BY_RESOURCE[c.fk_table]).by_name.get(c.fk_field) if c.fk_table and c.fk_field else None
        out[c.name] = (
            target is not None
            and target.unique
            and all(
                getattr(target, a) == getattr(c, a)
                for a in ("type", "enum", "pattern", "min_length", "max_length", "safe_text", "visible_only", "country")
            )
        )
    return out


def check_batch(run: RunState, st: TableState, batch: pa.RecordBatch) -> None:
    spec = st.spec
    found = st.found
    base = st.rows
    n = batch.num_rows
    cols = {c.name: batch.column(c.name) for c in spec.columns}
    pk = cols[spec.primary_key]
    live = np.ones(n, bool)
    pk_null = _np_mask(pc.is_null(pk))
    if pk_null.any():  # a blank row (every cell empty) is reported once, as frictionless does
        blank = pk_null.copy()
        for col in cols.values():
            blank &= _np_mask(pc.is_null(col))
        if blank.any():
            found.many(TableStructure, np.flatnonzero(blank) + base, None, "the row is blank")
            live &= ~blank
    typed, ok = {}, {}
    deferred = deferred_columns(spec.resource)
    # citations are scanned only once sources is (the archive tells which excerpts hold control characters)
    archive = run.archive if spec.resource == "citations" and run.check_excerpts else None
    for c in spec.columns:
        if archive is not None and c.name == "excerpt":
            continue  # checked last, against the archive
        typed[c.name], ok[c.name] = check_column(c, cols[c.name], live, found, base, deferred[c.name], run.use_polars)
    if archive is not None:
        k_arr, spans = excerpt_spans(cols, typed, ok, archive)
        c = spec.by_name["excerpt"]
        typed[c.name], ok[c.name] = check_column(
            c,
            cols[c.name],
            live,
            found,
            base,
            deferred[c.name],
            run.use_polars,
            control=excerpt_controls(cols[c.name], spans, archive),
        )
    bad_pk = live & _present(pk) & ~ok[spec.primary_key]
    if bad_pk.any():
        st.bad_key_batches.append(np.flatnonzero(bad_pk) + base)
    rule_knowable(spec, cols, live, found, base)
    rule_dates(spec, cols, typed, ok, live, found, base, run.dates)
    r = spec.resource
    if "hedge" in cols:
        rule_hedge(cols, ok, live, found, base)
    if "place_precision" in cols:
        rule_place(cols, ok, live, found, base)
    if r == "figures":
        rule_figures(cols, typed, ok, live, found, base)
    elif r == "sources":
        rule_sources(cols, ok, live, found, base)
        _seed_refs(st, cols, ok, base)
    elif r == "claims":
        rule_claims(cols, ok, found, base)
    elif r == "citations":
        rule_child_ids("citation_id", "/c", cols, ok, found, base, run.use_polars)
        rule_excerpt_length(cols, ok, found, base)
        place = [_as_read(spec.by_name[name], cols, typed, ok) for name in R.CITATION_PLACE]
        joined = pc.binary_join_element_wise(*place, "\x1f")
        st.key_batches.setdefault(PLACE, []).append(key_hashes(joined, live, run.use_polars))
        if archive is not None:
            st.checked_src = True
            check_excerpts(cols, ok, live, archive, st, base, k_arr, spans)
    elif r == "claim_links":
        _child_pairs(
            run, st, cols, ok, live, base, ("link_id", "/l"), "other_claim_id", R.LINK_TO_ITSELF, LINK, LINK_KEY
        )
    elif r == "source_relays":
        relay_id = ("relay_id", "/r")
        _child_pairs(run, st, cols, ok, live, base, relay_id, "relayed_source_id", R.RELAY_TO_ITSELF, RELAY, RELAY_KEY)
    # keep the key columns (nulls for rows that are blank)
    for c in spec.columns:
        if r == "citations" and c.name == "source_id" and st.checked_src:
            continue  # looked up at the end only where no archived text matched (see check_excerpts)
        if c.unique or c.fk:
            st.key_batches.setdefault(c.name, []).append(key_hashes(cols[c.name], live, run.use_polars))
    forget_polars_strings()
    st.rows += n


def _as_read(c, cols: dict, typed: dict, ok: dict) -> pa.Array:
    """A column as text of what its cells say: an integer as its number writes it (0272 and +272 are 272)."""
    if c.type != "integer" or typed.get(c.name) is None:
        return _str(cols[c.name])
    return pc.if_else(pa.array(ok[c.name]), pc.cast(typed[c.name], pa.string()), _str(cols[c.name]))


def _child_pairs(
    run: RunState,
    st: TableState,
    cols: dict,
    ok: dict,
    live: np.ndarray,
    base: int,
    child_id: tuple[str, str],
    other: str,
    to_itself: R.Rule,
    key: str,
    key_columns: tuple[str, ...],
) -> None:
    """A link or a relay: its id is its owner's and its position (``child_id``: the column and its mark), it does
    not point back at its owner (``to_itself``), and it is kept as a key (``key``) so that repeats are found."""
    found = st.found
    owner = key_columns[0]
    rule_child_ids(child_id[0], child_id[1], cols, ok, found, base, run.use_polars, parent=owner)
    own = ok[owner] & ok[other] & _np_mask(pc.equal(cols[owner], cols[other]))
    found.many(to_itself.kind, np.flatnonzero(own) + base, other, to_itself.message(), to_itself.hint)
    joined = pc.binary_join_element_wise(*(_str(cols[name]) for name in key_columns), "\x1f")
    st.key_batches.setdefault(key, []).append(key_hashes(joined, live, run.use_polars))


def _seed_refs(st: TableState, cols: dict, ok: dict, base: int) -> None:
    """Keep the sources that declare an archived text (read once sources is scanned: ``load_archive``), and
    those that declare none. A status that is not an allowed value, or 'not_archived' beside an archived
    file, is reported on the source alone: the file it names is read as if it were archived, and its
    citations are not refused."""
    archived = _eq(cols["status"], "archived") | _present(cols["archived_file"])
    declared = (archived | ~ok["status"]) & ok["source_id"]
    none = ok["status"] & ~archived & ok["source_id"]
    if none.any():
        st.status_not_archived.append(cols["source_id"].take(pa.array(np.flatnonzero(none))))  # Arrow: no str each
    arch = declared & ok["archived_file"]
    if arch.any():
        idx = np.flatnonzero(arch)
        refs = st.seeds
        refs.index.extend((idx + base).tolist())
        refs.source_id.extend(_values(cols["source_id"], idx))
        refs.file.extend(_values(cols["archived_file"], idx))
        sha_ok = ok["sha256"]
        refs.sha256.extend(v if sha_ok[i] else None for i, v in zip(idx, _values(cols["sha256"], idx), strict=True))
        orig = arch & ok["original_file"] & _present(cols["original_file"])
        if orig.any():  # the saved page an archived text was extracted from (seeds.original_refusal)
            idx = np.flatnonzero(orig)
            refs.original_index.extend((idx + base).tolist())
            refs.original_file.extend(_values(cols["original_file"], idx))
            refs.original_sha256.extend(_values(cols["original_sha256"], idx))
