"""Checks of one column of a batch: strict types, required, enums, patterns, lengths, ranges, safe text."""

from __future__ import annotations

import calendar
import functools
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .. import fields as F
from .. import hints
from .. import problems as P
from ..schema_gen import Column
from .arrays import (
    _control_chars,
    _edge_spaces,
    _invisible_chars,
    _np_mask,
    _present,
    _show,
    _str,
    _values,
    cast_number,
    polars_strings,
)
from .spec import DATE_RE, INTEGER_RE, NUMBER_RE, table_spec
from .state import Found

if TYPE_CHECKING:
    from ..record_parts import Record


def _date_valid(col: pa.Array) -> tuple[pa.Array, pa.Array]:
    """(date32 values, ok mask) for non-null cells; strict: zero-padded, no rollover, no year 0000 (Arrow reads
    it; no calendar of Table Schema or Python has it)."""
    try:
        values, ok = pc.cast(col, pa.date32()), pc.is_valid(col)
    except pa.ArrowInvalid:
        shaped = pc.match_substring_regex(col, DATE_RE)
        candidate = pc.if_else(shaped, col, pa.scalar(None, pa.string()))
        ts = pc.strptime(candidate, format="%Y-%m-%d", unit="s", error_is_null=True)
        back = pc.strftime(ts, format="%Y-%m-%d")
        # a rolled-over day (2025-02-30 -> 03-02) does not come back
        ok = pc.fill_null(pc.equal(back, candidate), False)
        values = pc.cast(pc.cast(pc.if_else(ok, ts, pa.scalar(None, ts.type)), pa.timestamp("s")), pa.date32())
    year_zero = pc.fill_null(pc.less(pc.year(values), 1), False)
    if pc.any(year_zero).as_py():
        ok = pc.and_(ok, pc.invert(year_zero))
        values = pc.if_else(ok, values, pa.scalar(None, pa.date32()))
    return values, ok


def _number(v: str) -> str:
    """A number read from a cell, as a message shows it: a long one (1e308 written out in full, as the build
    writes a record's number) in the shortest form that reads the same."""
    return _show(v) if len(v) <= 24 else f"{_show(v[:12] + '...')} ({float(v)!r})"


def _date_message(v: str) -> str:
    import re

    m = re.fullmatch(r"([0-9]{4})-([0-9]{2})-([0-9]{2})", v)
    if not m:
        return f"{_show(v)} is not a day written YYYY-MM-DD with zero padding"
    y, mo, d = (int(g) for g in m.groups())
    if y == 0:
        return f"{_show(v)} has year 0000; years run from 0001"
    if not 1 <= mo <= 12:
        return f"{_show(v)} has month {mo}; months run 01-12"
    return f"{_show(v)} does not exist: {calendar.month_name[mo]} {y} has {calendar.monthrange(y, mo)[1]} days"


_ISO = None


def _iso() -> pa.Array:
    global _ISO
    if _ISO is None:
        _ISO = pa.array(sorted(F.iso3166_alpha2()), pa.string())
    return _ISO


_UNICODE_SPACE = r"\s\v\x{85}\p{Z}"
r"""What Rust's regex (pydantic, polars) means by \s; RE2's \s is only [\t\n\f\r ]."""


@functools.cache
def _for_re2(pattern: str) -> str:
    r"""A model pattern as RE2 must be written to match what pydantic and polars match: \s is
    Unicode whitespace (so a URL with a no-break space fails on both paths)."""
    out, i, in_class = [], 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            esc = pattern[i : i + 2]
            out.append((_UNICODE_SPACE if in_class else f"[{_UNICODE_SPACE}]") if esc == "\\s" else esc)
            i += 2
            continue
        if ch == "[" and not in_class:
            in_class = True
        elif ch == "]" and in_class and pattern[i - 1] not in "[^":
            in_class = False
        out.append(ch)
        i += 1
    return "".join(out)


def _matches(arr: pa.Array, pattern: str, use_polars: bool) -> pa.Array | np.ndarray:
    """Cells matching a regular expression (nulls: False). Long columns go to polars, whose regex
    engine runs on several threads (Rust's regex, the engine pydantic also uses); short ones to
    Arrow's RE2, with the pattern translated so that both match the same cells."""
    if not use_polars or len(arr) < 2_000:
        return pc.match_substring_regex(arr, _for_re2(pattern))
    hit = polars_strings(arr).str.contains(pattern)
    return (hit.fill_null(False) if hit.null_count() else hit).to_numpy()


def _in_set(col: pa.Array, values: pa.Array) -> np.ndarray:
    return _np_mask(pc.is_in(col, value_set=values))


TYPED = {"integer": pa.int64(), "number": pa.float64(), "date": pa.date32()}
"""The Arrow type of the values check_column returns, by Table Schema type (strings stay as read)."""


def check_column(
    c: Column,
    col: pa.Array,
    live: np.ndarray,
    found: Found,
    base: int,
    defer_keys: bool = False,
    use_polars: bool = False,
    control: np.ndarray | None = None,
) -> tuple[pa.Array, np.ndarray]:
    """Check one column of a batch; returns (typed values, usable mask: present and valid).

    ``defer_keys``: a foreign-key column whose rules are those of the key it refers to; its
    pattern and length are checked later, only for values the referenced table does not hold.
    ``control``: which cells hold a refused control character, when the caller knows already
    (excerpts equal to their archived span: see archive.excerpt_controls).
    """
    present = _present(col) & live
    if c.required:
        missing = np.flatnonzero(~present & live)
        found.many(P.MissingField, missing + base, c.name, f"'{c.name}' is required and is empty")
    if not present.any():  # typed like a column with values, so that the row rules can compare it
        return (pa.nulls(len(col), TYPED[c.type]) if c.type in TYPED else col), present.copy()
    cells = _Cells(c, col, present, found, base)
    if c.type in ("integer", "number"):
        return cells.number()
    if c.type == "date":
        return cells.date()
    if c.enum is not None:
        return col, cells.enum()
    if c.pattern is not None and not defer_keys:
        cells.pattern(use_polars)
    if c.country:
        cells.country()
    if (c.max_length is not None or c.min_length is not None) and not defer_keys:
        cells.length()
    if c.safe_text:
        cells.text(control)
    return col, cells.ok


class _Cells:
    """One column of a batch under check: each rule of its Column is a method, which reports the cells that
    break it and clears them from ``ok`` (present and valid so far)."""

    def __init__(self, c: Column, col: pa.Array, present: np.ndarray, found: Found, base: int) -> None:
        self.c, self.col, self.present, self.found, self.base = c, col, present, found, base
        self.ok = present.copy()

    def _refuse(self, bad: np.ndarray, message, hint: str | None = None) -> None:
        """Report every cell of ``bad`` (a mask) with ``message(value)`` and clear it from ``ok``."""
        if bad.any():
            idx = np.flatnonzero(bad)
            self.found.many(
                P.FieldProblem, idx + self.base, self.c.name, [message(v) for v in _values(self.col, idx)], hint
            )
            self.ok &= ~bad

    def number(self) -> tuple[pa.Array, np.ndarray]:
        c, col = self.c, self.col
        shaped = _np_mask(pc.ascii_is_decimal(col))  # plain digits: the common case, no regex
        other = self.present & ~shaped
        if other.any():
            idx = np.flatnonzero(other)
            regex = INTEGER_RE if c.type == "integer" else NUMBER_RE
            shaped[idx] = _np_mask(pc.match_substring_regex(col.take(pa.array(idx)), regex))
        bad = self.present & ~shaped
        self._refuse(bad, lambda v: f"{_show(v)} is not {'an integer' if c.type == 'integer' else 'a number'}")
        clean = (
            col
            if not bad.any() and self.ok.sum() == len(col) - col.null_count
            else pc.if_else(pa.array(self.ok), col, pa.scalar(None, pa.string()))
        )
        typed = self._cast(clean, TYPED[c.type])
        if c.type == "number":
            # the words inf and NaN are not numbers (NUMBER_RE): a cell read as infinite is one too large
            self._refuse(self.ok & ~_np_mask(pc.is_finite(typed)), lambda v: hints.too_large_to_keep(_show(v)))
            zero = np.flatnonzero(self.ok & _np_mask(pc.equal(typed, 0.0)))  # few: the text is read only there
            if len(zero):
                under = np.zeros(len(col), bool)
                under[zero] = _np_mask(pc.match_substring_regex(col.take(pa.array(zero)), r"^[+-]?[0.]*[1-9]"))
                self._refuse(under, lambda v: hints.too_small_to_keep(_show(v)), hints.TOO_SMALL_HINT)
        for bound, op, below in ((c.minimum, pc.less, True), (c.maximum, pc.greater, False)):
            if bound is not None:
                outside = self.ok & _np_mask(op(typed, pa.scalar(bound, typed.type)))
                self._refuse(outside, lambda v, below=below, bound=bound: hints.out_of_range(_number(v), below, bound))
        return typed, self.ok

    def _cast(self, clean: pa.Array, target: pa.DataType) -> pa.Array:
        try:
            return cast_number(clean, target)
        except pa.ArrowInvalid:  # out of range for 64 bits: find the cells one by one
            conv = []
            for i, v in enumerate(clean.to_pylist()):
                try:
                    cast_number(pa.array([v], pa.string()), target)
                    conv.append(v)
                except pa.ArrowInvalid:
                    conv.append(None)
                    self.ok[i] = False
                    self.found.add(P.FieldProblem, i + self.base, self.c.name, f"{_show(v)} is out of range")
            return cast_number(pa.array(conv, pa.string()), target)

    def date(self) -> tuple[pa.Array, np.ndarray]:
        typed, good = _date_valid(self.col)
        hint = "write days as YYYY-MM-DD with zero padding (2021-07-04), and only days that exist"
        self._refuse(self.present & ~_np_mask(good), _date_message, hint)
        return typed, self.ok

    def enum(self) -> np.ndarray:
        assert self.c.enum is not None
        allowed = self.c.enum.values()
        bad = self.present & ~_in_set(self.col, pa.array(allowed, pa.string()))
        if bad.any():
            idx = np.flatnonzero(bad)
            definitions = self.c.enum.definitions()
            for i, v in zip(idx.tolist(), _values(self.col, idx), strict=True):
                hint = hints.controlled_value(v, definitions)
                self.found.add(P.FieldProblem, i + self.base, self.c.name, hints.not_allowed(_show(v), allowed), hint)
            self.ok &= ~bad
        return self.ok

    def pattern(self, use_polars: bool) -> None:
        assert self.c.pattern is not None
        good = _np_mask(_matches(self.col, self.c.pattern, use_polars))
        hint = hints.what_it_is(self.c.name, self.c.description, self.c.example)
        self._refuse(self.present & ~good, lambda v: hints.wrong_form(_show(v)), hint)

    def country(self) -> None:
        bad = self.ok & ~_in_set(self.col, _iso())
        self._refuse(
            bad, lambda v: f"'{v}' is not an ISO 3166-1 alpha-2 country code", "for example UA, RU, KP, KR, US"
        )

    def length(self) -> None:
        c, col = self.c, self.col
        scol = _str(col)
        nbytes = np.diff(np.frombuffer(scol.buffers()[1], dtype=np.int32, count=len(scol) + 1, offset=scol.offset * 4))
        suspects = np.zeros(len(col), bool)
        if c.max_length is not None:  # a text of at most max_length bytes has at most max_length characters
            suspects |= nbytes > c.max_length
        if c.min_length is not None:
            suspects |= nbytes < c.min_length * 4
        suspects &= self.present
        if not suspects.any():
            return
        idx = np.flatnonzero(suspects)
        lengths = pc.utf8_length(col.take(pa.array(idx))).to_numpy(zero_copy_only=False)
        for i, n in zip(idx.tolist(), lengths.tolist(), strict=True):
            if c.max_length is not None and n > c.max_length:
                message = f"the text is {n:,} characters long; the limit is {c.max_length:,}"
            elif c.min_length is not None and n < c.min_length:
                message = f"the text is {n} characters long; at least {c.min_length} are needed"
            else:
                continue
            self.found.add(P.FieldProblem, int(i) + self.base, c.name, message)
            self.ok[i] = False

    def text(self, control: np.ndarray | None) -> None:
        col = self.col
        space_start, space_end, formula = _edge_spaces(col)
        if control is None:
            control = np.zeros(len(col), bool)
            control[_control_chars(col)] = True
        suspect = space_start | space_end | formula | control
        if self.c.visible_only:
            suspect |= _invisible_chars(col)
        bad = self.ok & suspect  # a cell that failed its length is not checked further, as in the model
        if bad.any():  # the few cells the masks flag get the model's own verdict and words: one problem per cell
            idx = np.flatnonzero(bad)
            verdicts = [F.text_problem(v, excerpt=not self.c.visible_only) for v in _values(col, idx)]
            refused = idx[[m is not None for m in verdicts]]
            self.found.many(P.FieldProblem, refused + self.base, self.c.name, [m for m in verdicts if m is not None])
            self.ok[refused] = False


def cell_problems(model: type[Record], cells: dict[str, str | None]) -> dict[str, P.Problem]:
    """The first cell rule each of ``cells`` (column: its text in a CSV row of ``model``'s table) breaks, by
    this module's code: for a value that must be checked before it is written (``add-source``)."""
    spec = table_spec(model)
    out: dict[str, P.Problem] = {}
    for name, text in cells.items():
        found = Found(model.resource)
        check_column(spec.by_name[name], pa.array([text], pa.string()), np.ones(1, bool), found, 0)
        if found.items:
            cls, _, _, message, hint = found.items[0]
            out[name] = cls(message, field=name, hint=hint)
    return out
