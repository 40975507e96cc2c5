"""Rules between the fields of a row: written dates, Knowable pairs, figures' numbers, archive fields, ids."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .. import problems as P
from .. import rulebook as R
from ..vague_dates import VagueDateError, parse_vague_date
from .arrays import _eq, _np_mask, _present, _str, _values, _views, polars_strings
from .normalising import may_normalise_shorter_than, normalised_texts
from .spec import TableSpec
from .state import Found


class DateTexts:
    """Every written date seen so far, parsed once, as Arrow columns (a dataset has a few thousand).

    Shared by the worker threads: ``known`` is one tuple (texts, columns), replaced whole under the lock
    and read with one reference, so a reader never pairs new texts with old columns."""

    TYPES = (pa.string(), pa.string(), pa.date32(), pa.date32(), pa.string())

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.known: tuple[pa.Array, tuple[pa.Array, ...]] = (
            pa.array([], pa.string()),
            tuple(pa.array([], t) for t in self.TYPES),
        )

    def lookup(self, text: pa.Array) -> tuple[pa.Array, ...]:
        """(error, canonical text, start, end, precision) for each cell."""
        texts, cols = self.known
        uniq = pc.unique(text.drop_null())
        new = pc.filter(uniq, pc.invert(pc.is_in(uniq, value_set=texts))) if len(texts) else uniq
        if len(new):
            parsed: tuple[list[Any], ...] = ([], [], [], [], [])
            for t in new.to_pylist():
                row: tuple[Any, ...]
                try:
                    d = parse_vague_date(t)
                    row = (None, d.text, d.start, d.end, d.precision.value)
                except VagueDateError as e:
                    row = (str(e), None, None, None, None)
                for lst, v in zip(parsed, row, strict=True):
                    lst.append(v)
            with self.lock:
                # another thread may have added some of these meanwhile: duplicates are harmless (first wins)
                old_texts, old_cols = self.known
                texts = pa.concat_arrays([old_texts, new])
                cols = tuple(
                    pa.concat_arrays([c, pa.array(v, t)]) for c, v, t in zip(old_cols, parsed, self.TYPES, strict=True)
                )
                self.known = (texts, cols)
        pos = pc.index_in(text, value_set=texts)
        return tuple(c.take(pos) for c in cols)


def rule_dates(
    spec: TableSpec, cols: dict, typed: dict, ok: dict, live: np.ndarray, found: Found, base: int, dates: DateTexts
) -> None:
    for g in spec.date_groups:
        raw = {k: _present(cols[k]) & live for k in (g.text, g.start, g.end, g.missing_reason)}
        prec_ok = ok[g.precision]
        prec = cols[g.precision]
        unknown = prec_ok & _eq(prec, "unknown")
        before = prec_ok & _eq(prec, "on_or_before")
        after = prec_ok & _eq(prec, "on_or_after")
        known = prec_ok & ~unknown
        flagged = np.zeros(len(prec), bool)

        def flag(mask: np.ndarray, fld: str, msg: str, hint: str | None = None) -> None:
            nonlocal flagged
            if mask.any():
                found.many(P.RecordRule, np.flatnonzero(mask) + base, fld, msg, hint)
                flagged |= mask

        flag(unknown & raw[g.text], g.text, f"{g.precision} is 'unknown', so {g.text} must be empty")
        flag(unknown & raw[g.start], g.start, f"{g.precision} is 'unknown', so {g.start} must be empty")
        flag(unknown & raw[g.end], g.end, f"{g.precision} is 'unknown', so {g.end} must be empty")
        flag(
            unknown & ~raw[g.missing_reason],
            g.missing_reason,
            f"an unknown {g.base} needs {g.missing_reason} (why the sources do not establish it)",
            f'in a records file write {g.base}: {{unknown: "why the sources do not say"}}; '
            f"in a table, fill {g.missing_reason}",
        )
        flag(known & ~raw[g.text], g.text, f"{g.base} is known ({g.precision} is set), so {g.text} must give it")
        flag(known & raw[g.missing_reason], g.missing_reason, f"{g.base} is known, so {g.missing_reason} must be empty")
        flag(before & raw[g.start], g.start, f"an 'on_or_before' {g.base} has no {g.start}")
        flag(after & raw[g.end], g.end, f"an 'on_or_after' {g.base} has no {g.end}")
        flag(known & ~after & ~raw[g.end], g.end, f"{g.end} is required for this precision")
        flag(known & ~before & ~raw[g.start], g.start, f"{g.start} is required for this precision")
        both = ok[g.start] & ok[g.end]
        if both.any():
            later = both & _np_mask(pc.greater(typed[g.start], typed[g.end]))
            if later.any():
                idx = np.flatnonzero(later)
                s, e = _values(cols[g.start], idx), _values(cols[g.end], idx)
                found.many(
                    P.RecordRule,
                    idx + base,
                    g.start,
                    [f"{g.start} ({a}) is after {g.end} ({b})" for a, b in zip(s, e, strict=True)],
                )
                flagged |= later
        # the written text must give exactly the bounds and precision published beside it
        todo = known & raw[g.text] & ~flagged
        if not todo.any():
            continue
        text = cols[g.text]
        e_err, e_canon, e_start, e_end, e_prec = dates.lookup(
            pc.if_else(pa.array(todo), text, pa.scalar(None, pa.string()))
        )
        bad_text = todo & _present(e_err)
        if bad_text.any():
            idx = np.flatnonzero(bad_text)
            found.many(P.RecordRule, idx + base, g.text, [str(m) for m in _values(e_err, idx)])
        todo &= ~bad_text
        not_canon = todo & _np_mask(pc.not_equal(e_canon, text))
        if not_canon.any():
            found.many(
                P.RecordRule,
                np.flatnonzero(not_canon) + base,
                g.text,
                "write the date with single spaces and no spaces at the ends",
            )
        checks = (
            (g.precision, e_prec, _str(cols[g.precision]), prec_ok),
            (g.start, e_start, typed[g.start], ok[g.start] | ~raw[g.start]),
            (g.end, e_end, typed[g.end], ok[g.end] | ~raw[g.end]),
        )
        for fld, expected, actual, usable in checks:
            differ = (
                todo
                & usable
                & ~_np_mask(pc.fill_null(pc.equal(expected, actual), False))
                & ~(_np_mask(pc.is_null(expected)) & _np_mask(pc.is_null(actual)))
            )
            if differ.any():
                idx = np.flatnonzero(differ)
                exp_v, act_v, txt = _values(expected, idx), _values(actual, idx), _values(text, idx)
                found.many(
                    P.RecordRule,
                    idx + base,
                    fld,
                    [
                        f"{g.text} {t!r} means {fld} {'empty' if e is None else e}, not {'empty' if a is None else a}"
                        for t, e, a in zip(txt, exp_v, act_v, strict=True)
                    ],
                    "the bounds and precision follow from the written date (see the vague-date grammar in docs/codebook.md)",
                )


def rule_knowable(spec: TableSpec, cols: dict, live: np.ndarray, found: Found, base: int) -> None:
    for x, reason in spec.knowable_pairs:
        has_x = _present(cols[x])
        has_r = _present(cols[reason])
        neither = live & ~has_x & ~has_r
        both = live & has_x & has_r
        found.many(
            P.RecordRule,
            np.flatnonzero(neither) + base,
            x,
            f"give {x}, or say in {reason} why the sources do not establish it",
        )
        found.many(P.RecordRule, np.flatnonzero(both) + base, reason, f"{x} is given, so {reason} must be empty")


def rule_figures(cols: dict, typed: dict, ok: dict, live: np.ndarray, found: Found, base: int) -> None:
    q_ok = ok["qualifier"]
    is_range = q_ok & _eq(cols["qualifier"], "range")
    raw = {k: _present(cols[k]) & live for k in ("value", "value_low", "value_high")}
    found.many(
        P.RecordRule,
        np.flatnonzero(is_range & ~raw["value_low"]) + base,
        "value_low",
        R.RANGE_BOUNDS.message(),
    )
    found.many(
        P.RecordRule,
        np.flatnonzero(is_range & ~raw["value_high"]) + base,
        "value_high",
        R.RANGE_BOUNDS.message(),
    )
    no_value = q_ok & ~is_range & ~raw["value"]
    if no_value.any():
        idx = np.flatnonzero(no_value)
        found.many(
            P.RecordRule,
            idx + base,
            "value",
            [R.NEEDS_VALUE.message(qualifier=q) for q in _values(cols["qualifier"], idx)],
        )
    v, lo, hi = typed["value"], typed["value_low"], typed["value_high"]

    def cmp(mask: np.ndarray, op, a, b) -> np.ndarray:
        return mask & _np_mask(op(a, b)) if mask.any() else mask

    low_high = cmp(ok["value_low"] & ok["value_high"], pc.greater, lo, hi)
    if low_high.any():
        idx = np.flatnonzero(low_high)
        found.many(
            P.RecordRule,
            idx + base,
            "value_low",
            [R.LOW_ABOVE_HIGH.message(low=a, high=b) for a, b in zip(_values(lo, idx), _values(hi, idx), strict=True)],
        )
    below = cmp(ok["value"] & ok["value_low"] & ~low_high, pc.less, v, lo)
    above = cmp(ok["value"] & ok["value_high"] & ~low_high, pc.greater, v, hi)
    for mask, other, rule, end in ((below, lo, R.VALUE_BELOW_LOW, "low"), (above, hi, R.VALUE_ABOVE_HIGH, "high")):
        if mask.any():
            idx = np.flatnonzero(mask)
            found.many(
                P.RecordRule,
                idx + base,
                "value",
                [
                    rule.message(**{"value": a, end: b})
                    for a, b in zip(_values(v, idx), _values(other, idx), strict=True)
                ],
            )
    share = ok["unit"] & _eq(cols["unit"], "share")
    persons = ok["unit"] & _eq(cols["unit"], "persons")
    for name in ("value", "value_low", "value_high"):
        over = cmp(share & ok[name], pc.greater, typed[name], pa.scalar(1.0))
        part = cmp(persons & ok[name], pc.not_equal, typed[name], pc.floor(typed[name]))
        for bad, rule in ((over, R.SHARE_AT_MOST_ONE), (part, R.PERSONS_WHOLE)):
            if bad.any():
                idx = np.flatnonzero(bad)
                found.many(
                    P.RecordRule,
                    idx + base,
                    name,
                    [rule.message(name=name, value=a) for a in _values(typed[name], idx)],
                )


def rule_sources(cols: dict, ok: dict, live: np.ndarray, found: Found, base: int) -> None:
    archived = ok["status"] & _eq(cols["status"], "archived")
    not_archived = ok["status"] & ~archived
    for name in ("archived_file", "sha256"):
        has = _present(cols[name])
        found.many(
            P.RecordRule,
            np.flatnonzero(archived & ~has & live) + base,
            name,
            R.ARCHIVED_FIELDS.message(),
        )
        found.many(
            P.RecordRule,
            np.flatnonzero(not_archived & has & live) + base,
            name,
            R.NOT_ARCHIVED_FIELDS.message(),
        )
    has_file, has_sha = _present(cols["original_file"]), _present(cols["original_sha256"])
    unpaired = (has_file != has_sha) | (has_file & not_archived)  # as models.SourceRecord reports it: once
    found.many(P.RecordRule, np.flatnonzero(unpaired & live) + base, "original_file", R.ORIGINAL_FIELDS.message())


def rule_claims(cols: dict, ok: dict, found: Found, base: int) -> None:
    both = ok["claim_id"] & ok["record_type"]
    if not both.any():
        return
    prefix = pc.utf8_slice_codeunits(cols["claim_id"], 0, 2)
    want = np.asarray(pc.fill_null(pc.index_in(prefix, value_set=pa.array(["ev", "st", "fg"])), -1).to_numpy())
    have = np.asarray(
        pc.fill_null(
            pc.index_in(cols["record_type"], value_set=pa.array(["event", "statement", "figure"])), -2
        ).to_numpy()
    )
    differ = both & (want != have)
    if differ.any():
        idx = np.flatnonzero(differ)
        names = ("event", "statement", "figure")
        found.many(
            P.RecordRule,
            idx + base,
            "record_type",
            [
                f"'{i}' is a{'n' if names[w] == 'event' else ''} {names[w]} id, but record_type is '{t}'"
                for i, w, t in zip(
                    _values(cols["claim_id"], idx), want[idx], _values(cols["record_type"], idx), strict=True
                )
            ],
        )


def rule_child_ids(
    id_name: str,
    sep: str,
    cols: dict,
    ok: dict,
    found: Found,
    base: int,
    use_polars: bool = False,
    parent: str = "claim_id",
) -> None:
    """citation_id and link_id are their claim_id, the separator ('/c', '/l') and a number; relay_id is its
    source_id ('parent'), '/r' and a number.

    ``use_polars``: compare with polars (three times faster on long columns; see core.POLARS_MIN_BYTES)."""
    both = ok[id_name] & ok[parent]
    if not both.any():
        return
    child, claim = _str(cols[id_name]), _str(cols[parent])
    if use_polars:
        import polars as pl

        pair = pl.DataFrame([polars_strings(child).alias("child"), polars_strings(claim).alias("claim")])
        starts = (
            pair.select(pl.col("child").str.starts_with(pl.col("claim") + sep).fill_null(True)).to_series().to_numpy()
        )
    else:
        starts = _np_mask(
            pc.fill_null(pc.equal(_heads(child, claim, sep), pc.binary_join_element_wise(claim, sep, "")), True)
        )
    differ = both & ~starts
    if differ.any():
        idx = np.flatnonzero(differ)
        found.many(
            P.RecordRule,
            idx + base,
            id_name,
            [
                f"'{a}' does not start with its {parent} '{b}{sep}'"
                for a, b in zip(_values(child, idx), _values(claim, idx), strict=True)
            ],
        )


def _heads(child: pa.Array, claim: pa.Array, sep: str) -> pa.Array:
    """The first len(claim_id) + len(sep) bytes of each child id."""
    n = len(child)
    c_off = np.frombuffer(child.buffers()[1], dtype=np.int32, count=n + 1, offset=child.offset * 4).astype(np.int64)
    k_off = np.frombuffer(claim.buffers()[1], dtype=np.int32, count=n + 1, offset=claim.offset * 4)
    head = np.minimum(np.diff(k_off) + len(sep), np.diff(c_off)).astype(np.int32)
    return _views(child.buffers()[2], c_off[:-1], head).cast(pa.string())


def rule_excerpt_length(cols: dict, ok: dict, found: Found, base: int) -> None:
    """rulebook.EXCERPT_LONG_ENOUGH: only the excerpts that normalising may shorten below the minimum are
    normalised, in bulk."""
    col = cols["excerpt"]
    usable = ok["excerpt"]
    if not usable.any():
        return
    suspect = usable & may_normalise_shorter_than(col, R.EXCERPT_MIN)
    if not suspect.any():
        return
    idx = np.flatnonzero(suspect)
    lengths = pc.utf8_length(normalised_texts(col.take(pa.array(idx)).cast(pa.string()))).to_numpy(zero_copy_only=False)
    bad = lengths < R.EXCERPT_MIN
    if bad.any():
        found.many(
            R.EXCERPT_LONG_ENOUGH.kind,
            idx[bad] + base,
            "excerpt",
            [R.EXCERPT_LONG_ENOUGH.message(length=int(n), minimum=R.EXCERPT_MIN) for n in lengths[bad]],
            R.EXCERPT_LONG_ENOUGH.hint,
        )
