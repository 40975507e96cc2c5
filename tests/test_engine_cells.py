"""The engine's byte-level text checks agree with the models' rules (models.safe_text) on any text."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from nk_troops import fields as F
from nk_troops import models as M
from nk_troops.engine.arrays import _edge_spaces

# every character str.isspace() knows, the formula starts, and ordinary text around them
SPACES = [chr(c) for c in range(0x110000) if chr(c).isspace()]
TEXT = st.text(
    alphabet=st.sampled_from(SPACES + list("=+-@aZ9.,\"'") + ["한", "Ж", "é", "€", "𝄞", "\u200b", "\u2060", "\ufeff"]),
    max_size=6,
)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.none(), TEXT), min_size=1, max_size=30), st.integers(min_value=0, max_value=3))
def test_edge_spaces_match_python(values, offset):
    arr = pa.array(["x"] * offset + values, pa.string()).slice(offset)
    space_start, space_end, formula = _edge_spaces(arr)
    for i, v in enumerate(values):
        v = v or ""
        assert space_start[i] == (v[:1].isspace()), (v, i)
        assert space_end[i] == (v[-1:].isspace()), (v, i)
        assert formula[i] == (v.startswith(F.FORMULA_STARTS)), (v, i)


def test_every_unicode_space_is_known():
    assert len(SPACES) > 20  # the ASCII and the wide ones: the byte tables must know them all
    arr = pa.array([f"{s}x" for s in SPACES] + [f"x{s}" for s in SPACES])
    space_start, space_end, _ = _edge_spaces(arr)
    n = len(SPACES)
    assert np.all(space_start[:n]) and np.all(space_end[n:])
    assert not np.any(space_start[n:]) and not np.any(space_end[:n])


def _model_refuses_control(v: str) -> bool:
    return any((ord(ch) < 32 and ch != "\n") or 0x7F <= ord(ch) < 0xA0 for ch in v)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.text(
                alphabet=st.sampled_from([chr(c) for c in range(0, 0xA2)] + ["한", "Ж", "\u00a0", "\u0100", "𝄞"]),
                max_size=5,
            ),
        ),
        min_size=1,
        max_size=30,
    ),
    st.integers(min_value=0, max_value=3),
)
def test_control_characters_match_the_model(values, offset):
    from nk_troops.engine.arrays import _control_chars

    arr = pa.array(["x"] * offset + values, pa.string()).slice(offset)
    got = set(_control_chars(arr).tolist())
    assert got == {i for i, v in enumerate(values) if v and _model_refuses_control(v)}


def test_excerpt_controls_counted_in_the_archive_agree_with_reading_them(tmp_path):
    """Excerpts equal to their archived span take their control characters from the archive's counts;
    the others are read. Either way the verdict is the model's."""
    import hashlib

    from nk_troops.engine.archive import excerpt_controls, excerpt_spans, load_archive
    from nk_troops.engine.spec import table_spec
    from nk_troops.engine.state import Found, SeedRefs, TableState

    texts = ["Kursk\x07 region 쿠르스크\u0085 end and more", "plain text only, nothing odd"]
    (tmp_path / "seeds").mkdir()
    ex = {"arch_index": [], "arch_id": [], "arch_file": [], "arch_sha": []}
    for i, t in enumerate(texts):
        raw = t.encode("utf-8")
        (tmp_path / "seeds" / f"s{i}.txt").write_bytes(raw)
        for key, v in zip(ex, (i, f"s{i}", f"seeds/s{i}.txt", hashlib.sha256(raw).hexdigest()), strict=True):
            ex[key].append(v)
    st = TableState(table_spec(M.BY_RESOURCE["sources"]), tmp_path, Found("sources"))
    st.seeds = SeedRefs(ex["arch_index"], ex["arch_id"], ex["arch_file"], ex["arch_sha"])
    archive = load_archive(tmp_path, st, [])
    assert not st.found.items
    rows = [  # (source, start, end, excerpt)
        ("s0", 0, 12, texts[0][0:12]),  # holds U+0007, equal to the span
        ("s0", 6, 17, texts[0][6:17]),  # clean, equal
        ("s0", 13, 25, texts[0][13:25]),  # holds U+0085, equal
        ("s1", 0, 5, texts[1][0:5]),  # clean, equal
        ("s1", 0, 5, "pla\x1bn"),  # not the span, holds ESC: read
        ("s1", 0, 5, "plain"[::-1]),  # not the span, clean
        ("s9", 0, 3, "ab\x7f"),  # unknown source: read
    ]
    cols = {"source_id": pa.array([r[0] for r in rows]), "excerpt": pa.array([r[3] for r in rows])}
    typed = {
        "char_start": pa.array([r[1] for r in rows], pa.int64()),
        "char_end": pa.array([r[2] for r in rows], pa.int64()),
    }
    ok = {name: np.ones(len(rows), bool) for name in ("source_id", "char_start", "char_end")}
    _, spans = excerpt_spans(cols, typed, ok, archive)
    assert spans is not None and spans.same.tolist() == [True, True, True, True, False, False]
    got = excerpt_controls(cols["excerpt"], spans, archive).tolist()
    assert got == [_model_refuses_control(r[3]) for r in rows] == [True, False, True, False, True, False, True]


def test_a_text_too_long_is_not_checked_further_as_in_the_model():
    """pydantic stops at the length limit and never runs models.safe_text: one problem per cell."""
    from nk_troops.engine.cells import check_column
    from nk_troops.engine.spec import table_spec
    from nk_troops.engine.state import Found

    c = table_spec(M.BY_RESOURCE["events"]).by_name["summary"]
    values = ["a" * 20_001 + "\x07", " " + "b" * 20_001, "=" + "c" * 20_001, "fine\x07", " fine"]
    found = Found("events")
    _, ok = check_column(c, pa.array(values), np.ones(len(values), bool), found, 0)
    per_row = {}
    for _, row, _field, message, _ in found.items:
        per_row.setdefault(row, []).append(message)
    assert all(len(m) == 1 for m in per_row.values()), per_row
    assert [("limit is" in per_row[i][0]) for i in range(3)] == [True, True, True]
    assert "U+0007" in per_row[3][0] and "spaces" in per_row[4][0]
    assert not ok.any()
