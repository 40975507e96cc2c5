"""The table engine applies each column's rules exactly as they are declared.

A column's rules are data (``schema_gen.columns``: controlled values, pattern, lengths, text rules, country
codes), and the engine implements them over Arrow buffers (``engine.cells``: RE2 or polars for patterns, byte
counts for lengths, byte ranges for control and invisible characters), so a rule it implements wrongly would
pass or refuse cells silently (as control characters and RE2's ``\\s`` once did). Here the rules as Python
reads them are the judge (``re``, ``len``, ``fields.text_problem``, the ISO list): a generated value in one
text column must be refused by the engine exactly when the column's rules refuse it.

Covered: every string column of every published table and every ``*_missing_reason`` column, on the RE2
path (short batches) and the polars path (long batches). Not covered: integer, number and date columns,
whose written form is checked against frictionless-py in ``test_engine.py``.
"""

from __future__ import annotations

import copy
import csv
import re
from functools import cache
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nk_troops import fields as F
from nk_troops import models as M
from nk_troops import rulebook as R
from nk_troops.engine.cells import check_column
from nk_troops.engine.rules import rule_excerpt_length
from nk_troops.engine.spec import table_spec
from nk_troops.engine.state import Found
from nk_troops.excerpts import normalise
from nk_troops.records import load_dataset

ROOT = Path(__file__).resolve().parents[1]
ROW_TABLES = {M.ClaimRow, M.CitationRow, M.ClaimLinkRow, M.SourceRelayRow}


@cache
def _valid_items() -> dict[str, dict]:
    """One valid record of each published table, as written (curated YAML) or as published (derived rows)."""
    dataset, problems = load_dataset(ROOT)
    assert not problems
    out = {m.resource: copy.deepcopy(dataset.of(m.resource)[0].item) for m in M.CURATED}
    for model in ROW_TABLES:
        with open(ROOT / "dataset/tables/csv" / f"{model.resource}.csv", newline="", encoding="utf-8") as fh:
            row = next(csv.DictReader(fh))
        out[model.resource] = {k: (v if v != "" else None) for k, v in row.items()}
    for resource, item in out.items():
        M.BY_RESOURCE[resource].model_validate(item)  # the starting point is valid
    return out


def _text_columns() -> list[tuple[str, str]]:
    cases = []
    for model in M.PUBLISHED:
        for c in table_spec(model).columns:
            if c.type == "string" and c.part in ("", "missing_reason"):
                cases.append((model.resource, c.name))
    return cases


CASES = _text_columns()


def _rules_refuse(resource: str, column: str, value: str) -> bool:
    """Whether the column's declared rules refuse ``value``, applied in plain Python."""
    c = table_spec(M.BY_RESOURCE[resource]).by_name[column]
    if c.enum is not None:
        return value not in c.enum.values()
    if c.pattern is not None and re.fullmatch(c.pattern.removeprefix("^").removesuffix("$"), value) is None:
        return True
    if (c.max_length is not None and len(value) > c.max_length) or (
        c.min_length is not None and len(value) < c.min_length
    ):
        return True
    if c.safe_text and F.text_problem(value, excerpt=not c.visible_only) is not None:
        return True
    if c.country and value not in F.iso3166_alpha2():
        return True
    return column == "excerpt" and len(normalise(value).text) < R.EXCERPT_MIN  # rulebook.EXCERPT_LONG_ENOUGH


def _engine_refuses(resource: str, column: str, values: list[str], *, long: bool) -> list[bool]:
    c = table_spec(M.BY_RESOURCE[resource]).by_name[column]
    filler = _valid_value(resource, column)
    cells = list(values) + ([filler] * (2_100 - len(values)) if long else [])  # 2,000 cells and more: polars
    arr = pa.array(cells, pa.string())
    found = Found(resource)
    _, ok = check_column(c, arr, np.ones(len(cells), bool), found, 0, defer_keys=False, use_polars=long)
    reported = {i for _, i, *_ in found.items}
    assert all(not ok[i] for i in reported)  # a reported cell is never usable
    if column == "excerpt":  # the model's Excerpt also holds the normalised length, a row rule in the engine
        rule_excerpt_length({"excerpt": arr}, {"excerpt": ok}, found, 0)
        reported = {i for _, i, *_ in found.items}
    assert not any(i >= len(values) for i in reported), "the valid filler was refused"
    return [bool(not ok[i] or i in reported) for i in range(len(values))]


@cache
def _valid_value(resource: str, column: str) -> str:
    """A value the column holds in the real dataset (or its documented example)."""
    c = table_spec(M.BY_RESOURCE[resource]).by_name[column]
    if c.part == "missing_reason":
        return "the sources do not say"
    if c.enum:
        return c.enum.values()[0]
    value = _valid_items()[resource].get(c.source_field)
    if isinstance(value, str):
        return value
    dataset, _ = load_dataset(ROOT)
    for loc in dataset.of(resource):
        value = loc.item.get(c.source_field)
        if isinstance(value, str):
            return value
    assert isinstance(c.example, str), (resource, column)
    return c.example


# text near every rule: id alphabets and separators, case, digits, spaces (ASCII and wide), control
# characters, formula starts, scripts of the seed articles, and lengths around every limit
PIECE_LIST = [
    "a",
    "z",
    "0",
    "9",
    "-",
    "--",
    "/",
    "/c",
    "/l",
    "/c1",
    "ev-",
    "st-",
    "fg-",
    "src-",
    "KP",
    "UA",
    "kp",
    "ZZ",
    "AA",
    "EU",
    "UK",
    "A",
    " ",
    "  ",
    "\n",
    "\t",
    "\r",
    "\x00",
    "\x07",
    "\x1f",
    "\x7f",
    "\x85",
    "\x9f",
    "\u00a0",
    "\u2003",
    "\u3000",
    "\u200b",
    "\u202e",  # bidi override: refused in every text but excerpts
    "\u2066",
    "\ufeff",
    "\u00ad",
    "\U000e0041",
    "=",
    "+",
    "@",
    "한",
    "Ж",
    "é",
    "𝄞",
    ".",
    "_",
    "seeds/",
    ".txt",
    "https://",
    "http://",
    "deployment",
    "capture",
    "unknown",
    "archived",
    "en",
    "ko",
    "x" * 40,
    "y" * 200,
    "0123456789abcdef" * 4,
]
PIECES = st.sampled_from(PIECE_LIST)


@st.composite
def _values(draw, resource: str, column: str) -> list[str]:
    valid = _valid_value(resource, column)
    c = table_spec(M.BY_RESOURCE[resource]).by_name[column]
    out = []
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.integers(0, 5))
        if kind == 0:
            out.append("".join(draw(st.lists(PIECES, min_size=0, max_size=8))))
        elif kind == 1:  # a valid value with something added before or after
            piece = draw(PIECES)
            out.append(piece + valid if draw(st.booleans()) else valid + piece)
        elif kind == 5:  # a valid value with something inside
            k = draw(st.integers(0, len(valid)))
            out.append(valid[:k] + draw(PIECES) + valid[k:])
        elif kind == 2 and c.enum:
            out.append(draw(st.sampled_from(c.enum.values())) + draw(st.sampled_from(["", " ", "x", "S"])))
        elif kind == 3 and c.max_length:  # around the length limit, in characters that take 1-4 bytes
            ch = draw(st.sampled_from(["a", "é", "한", "𝄞"]))
            out.append(ch * (c.max_length + draw(st.integers(-1, 1))))
        else:
            out.append(draw(st.text(max_size=12)))
    # an empty cell is an absent value in CSV (no empty string exists there): whether one may be absent is
    # the required and Knowable-pair rules, checked on whole rows in test_engine.py
    return [v for v in out if v] or [valid]


@pytest.mark.parametrize(("resource", "column"), CASES, ids=[f"{r}.{c}" for r, c in CASES])
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_engine_refuses_a_text_cell_exactly_when_its_rules_do(resource, column, data):
    values = data.draw(_values(resource, column))
    expected = [_rules_refuse(resource, column, v) for v in values]
    for long in (False, True):
        got = _engine_refuses(resource, column, values, long=long)
        assert got == expected, (
            resource,
            column,
            "polars" if long else "re2",
            [(v, g, e) for v, g, e in zip(values, got, expected, strict=True) if g != e],
        )


def _sweep(resource: str, column: str) -> list[str]:
    """Every piece before, inside and after a valid value, every piece alone, and lengths around the limit."""
    valid = _valid_value(resource, column)
    c = table_spec(M.BY_RESOURCE[resource]).by_name[column]
    mid = len(valid) // 2
    out = [valid]
    for piece in PIECE_LIST:
        out += [piece, piece + valid, valid[:mid] + piece + valid[mid:], valid + piece]
    if c.max_length:
        out += [ch * (c.max_length + d) for ch in ("a", "é", "한", "𝄞") for d in (-1, 0, 1)]
    return out


@pytest.mark.parametrize(("resource", "column"), CASES, ids=[f"{r}.{c}" for r, c in CASES])
def test_engine_and_rules_agree_on_a_sweep_of_edits(resource, column):
    values = _sweep(resource, column)
    expected = [_rules_refuse(resource, column, v) for v in values]
    assert any(expected) and not all(expected)  # the sweep holds cells of both verdicts
    for long in (False, True):
        got = _engine_refuses(resource, column, values, long=long)
        assert got == expected, (
            resource,
            column,
            "polars" if long else "re2",
            [(v, g, e) for v, g, e in zip(values, got, expected, strict=True) if g != e][:5],
        )


def test_every_published_text_column_is_compared():
    """The comparison covers what it claims: every table, and the kinds of rule that matter."""
    tables = {r for r, _ in CASES}
    assert tables == {m.resource for m in M.PUBLISHED}
    specs = [table_spec(M.BY_RESOURCE[r]).by_name[c] for r, c in CASES]
    assert sum(1 for s in specs if s.pattern) >= 10
    assert sum(1 for s in specs if s.enum) >= 10
    assert sum(1 for s in specs if s.safe_text) >= 15
    assert any(s.country for s in specs) and any(s.max_length for s in specs)
    assert len(CASES) >= 50


@pytest.mark.parametrize("length", [7, 8, 2_000, 2_001])
def test_an_excerpt_in_the_table_has_the_length_rule_of_an_excerpt_in_a_record(length):
    """The citations table once allowed 1-20,000 characters where a record's citation allows 8-2,000: a scripted
    table could publish a 3-character excerpt that no curated record may hold. Both now use fields.Excerpt."""
    value = ("In mid-January, Ukrainian forces " * 70)[:length]
    by_rules = not _rules_refuse("citations", "excerpt", value)
    by_engine = not _engine_refuses("citations", "excerpt", [value], long=False)[0]
    assert by_rules == by_engine == (8 <= length <= 2_000), (by_rules, by_engine)
    record = M.Citation.model_fields["excerpt"]
    assert record.metadata == M.CitationRow.model_fields["excerpt"].metadata  # one definition: fields.Excerpt


@pytest.mark.parametrize(
    ("row", "part"), [(M.CitationRow, M.Citation), (M.ClaimLinkRow, M.Link), (M.SourceRelayRow, M.Relay)]
)
def test_a_derived_column_has_the_rules_of_the_record_field_it_is_copied_from(row, part):
    """The build copies these fields from a record into a derived table as written: a looser rule in the record
    would let the build publish a cell its own table refuses (as excerpts with a space at an end once were)."""
    shared = sorted(set(row.model_fields) & set(part.model_fields))
    assert shared, "no field copied"
    for name in shared:
        a, b = part.model_fields[name], row.model_fields[name]
        assert (a.annotation, a.metadata) == (b.annotation, b.metadata), (
            f"{row.__name__}.{name} differs from {part.__name__}.{name}"
        )


def test_an_excerpt_padded_by_a_run_of_spaces_is_refused_by_both():
    """Hypothesis found 'aaaa  aa' (7 characters once normalised): the model refused it, and this comparison
    checked only the engine's cell rules, not its excerpt-length rule."""
    values = ["aaaa  aa", "aaa--  a", "aaaa aaa"]
    expected = [True, True, False]
    assert [_rules_refuse("citations", "excerpt", v) for v in values] == expected
    for long in (False, True):
        assert _engine_refuses("citations", "excerpt", values, long=long) == expected
