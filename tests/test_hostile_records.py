"""Hostile records: each whole class of input is refused with a located error, never a traceback.

Every test edits the small fixture dataset (tests/fixtures/mini; line numbers
refer to it) and runs `nk-troops validate --records-only` in-process: the
command must end with exit code 1 and report the problem at its file, line,
column and field, with a hint.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nk_troops.cli import main
from nk_troops.fields import text_problem

EVENTS = "dataset/records/events.yaml"
FIGURES = "dataset/records/figures.yaml"
SOURCES = "dataset/records/sources.yaml"


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def refused(root: Path, capsys) -> list[dict]:
    """The problems `validate` reports (it must exit 1, not raise)."""
    code = main(["validate", "--root", str(root), "--records-only", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1 and not report["valid"], "the hostile input was accepted"
    return report["errors"]


def one(problems: list[dict], type_: str) -> dict:
    matches = [p for p in problems if p["type"] == type_]
    assert matches, f"no {type_} in: {json.dumps(problems, indent=1, ensure_ascii=False)}"
    return matches[0]


# --------------------------------------------------------------------------- 1. nesting depth


@pytest.mark.parametrize(
    "value",
    [
        "[" * 10_000 + "]" * 10_000,  # flow lists
        "{a: " * 10_000 + "1" + "}" * 10_000,  # flow mappings
        "\n" + "".join(" " * (4 + i) + "k:\n" for i in range(1_200)) + " " * 1_204 + "1",  # indented mappings
    ],
    ids=["lists", "flow-mappings", "block-mappings"],
)
def test_nesting_deeper_than_the_limit_is_refused_where_it_starts(mini, capsys, value):
    """PyYAML's composer (and the loader's conversion) recursed once per level: RecursionError, a traceback."""
    from nk_troops.yaml_loader import MAX_DEPTH

    edit(mini, EVENTS, "  place: Kursk region\n", f"  place: {value}\n")
    p = one(refused(mini, capsys), "yaml-shape-error")
    # the list of records is level 1, a record 2, its place 3 (on line 5; indented, on line 6, and one level a
    # line): the first level too deep, MAX_DEPTH + 1, starts on line 5, or on line 6 + (MAX_DEPTH + 1 - 3)
    assert (p["file"], p["line"]) == (EVENTS, 5 if value[0] != "\n" else 6 + MAX_DEPTH - 2)
    assert str(MAX_DEPTH) in p["message"] and p["hint"]


# --------------------------------------------------------------------------- 2. size of numbers


@pytest.mark.parametrize("digits", ["9" * 5_000, "1" + "0" * 5_000, "0." + "3" * 5_000, "1234567890123456"])
def test_a_number_with_more_digits_than_a_float_holds_is_refused_where_it_is_written(mini, capsys, digits):
    """A 5,000-digit integer crashed the YAML reader with ValueError (Python's limit on int() of a string); one of
    16 digits was silently rounded."""
    from nk_troops.yaml_loader import MAX_DIGITS

    edit(mini, FIGURES, "  value: 4000\n", f"  value: {digits}\n")
    p = one(refused(mini, capsys), "field-error")
    assert (p["file"], p["line"], p["column"], p["field"], p["record_id"]) == (FIGURES, 4, 3, "value", "fg-kw")
    assert f"at most {MAX_DIGITS}" in p["message"] and "exponent" in p["hint"]


@pytest.mark.parametrize(
    "field, line, written, to",
    [
        ("claimant_actor_id", 8, "  claimant_actor_id: dmytro-ponomarenko\n", "  claimant_actor_id: {n}\n"),
        ("citations[0].source_id", 11, "    - source_id: seed-000-korea-times\n", "    - source_id: {n}\n"),
        ("links[0].other_claim_id", 17, "      other_claim_id: ev-capture\n", "      other_claim_id: {n}\n"),
    ],
    ids=["claimant", "citation-source", "link"],
)
def test_a_reference_refused_for_its_digits_is_not_also_dangling(mini, capsys, field, line, written, to):
    """The loader keeps the refused number as the text written; the reference check then reported it again."""
    edit(mini, FIGURES, written, to.format(n="1234567890123456789"))
    [p] = refused(mini, capsys)
    assert (p["type"], p["line"], p["field"], p["record_id"]) == ("field-error", line, field, "fg-kw")
    assert "significant digits" in p["message"]


def test_a_wrong_form_reference_of_a_record_that_fails_its_shape_is_one_problem(mini, capsys):
    """A record missing a field is checked by its cell rules and its references: both said the reference."""
    edit(mini, FIGURES, "  measure: killed_or_wounded\n", "")
    edit(mini, FIGURES, "  claimant_actor_id: dmytro-ponomarenko\n", "  claimant_actor_id: Dmytro Ponomarenko\n")
    found = sorted((p["type"], p["field"]) for p in refused(mini, capsys))
    assert found == [("dangling-reference", "claimant_actor_id"), ("missing-field", "measure")], found


@pytest.mark.parametrize("written", ["1e-400", "-2.5E-999", "0.00001e-330"])
def test_a_number_too_small_to_keep_is_refused_not_read_as_zero(mini, capsys, written):
    """1e-400 was read as 0 and published as 0."""
    edit(mini, FIGURES, "  value: 4000\n", f"  value: {written}\n")
    [p] = refused(mini, capsys)
    assert (p["type"], p["line"], p["column"], p["field"]) == ("field-error", 4, 3, "value")
    assert "too small" in p["message"] and p["hint"]


@pytest.mark.parametrize("written", ["1e999", "-2.5E400"])
def test_a_number_too_large_to_keep_is_said_so(mini, capsys, written):
    """It was 'inf is not a finite number', for a number written finite."""
    edit(mini, FIGURES, "  value: 4000\n", f"  value: {written}\n")
    [p] = refused(mini, capsys)
    assert (p["type"], p["line"], p["field"]) == ("field-error", 4, "value") and "too large" in p["message"]


@pytest.mark.parametrize("written", ["1.0e+308", "1000000001", "4.0e+12"])
def test_a_figure_over_the_largest_any_figure_can_be_is_refused(mini, capsys, written):
    """1.0e308 passed validate and then stopped the build in the figures plot with a traceback."""
    from nk_troops.models import FIGURE_MAX

    edit(mini, FIGURES, "  value: 4000\n", f"  value: {written}\n")
    [p] = refused(mini, capsys)
    assert (p["type"], p["line"], p["field"]) == ("field-error", 4, "value"), p
    assert f"{FIGURE_MAX:,}" in p["message"] or str(FIGURE_MAX) in p["message"], p["message"]
    # the number as the contributor can recognise it: 1.0e308 was shown as its 309 digits, cut at 60 characters
    number = float(written)
    assert repr(number) in p["message"] or f"'{number:.0f}'" in p["message"], p["message"]
    assert len(p["message"]) < 100, p["message"]


def test_a_long_number_just_over_the_largest_is_shown_over_it():
    """Shown rounded to 15 digits, 1000000000.000001 read '(1000000000) is above the maximum 1000000000'."""
    import numpy as np
    import pyarrow as pa

    from nk_troops import models as M
    from nk_troops.engine.cells import check_column
    from nk_troops.engine.spec import table_spec
    from nk_troops.engine.state import Found

    found = Found("figures")
    spec = table_spec(M.BY_RESOURCE["figures"]).by_name["value"]
    check_column(spec, pa.array(["1000000000.00000100000000000"]), np.ones(1, bool), found, 0)
    [(_, _, _, message, _)] = found.items
    assert "(1000000000.000001) is above the maximum 1000000000" in message, message


def test_the_table_checker_refuses_a_figure_over_the_largest_as_the_models_do():
    import numpy as np
    import pyarrow as pa

    from nk_troops import models as M
    from nk_troops.engine.cells import check_column
    from nk_troops.engine.spec import table_spec
    from nk_troops.engine.state import Found

    found = Found("figures")
    for name in ("value", "value_low", "value_high"):
        spec = table_spec(M.BY_RESOURCE["figures"]).by_name[name]
        check_column(spec, pa.array(["1000000000", "1000000001", "1e308"]), np.ones(3, bool), found, 0)
    assert sorted((f, i) for _, i, f, _, _ in found.items) == [
        (f, i) for f in ("value", "value_high", "value_low") for i in (1, 2)
    ]


@pytest.mark.parametrize(
    ("file", "old", "written", "line"),
    [
        (FIGURES, "  as_of: by 2025-02-05\n", "by 0001-01-01", 7),
        ("dataset/records/events.yaml", "  date: mid-January 2025\n", "from 9999-12-31", 4),
        ("dataset/records/events.yaml", "  date: mid-January 2025\n", "winter 1950", 4),
    ],
)
def test_a_date_outside_the_years_of_this_dataset_is_refused_where_it_is_written(
    mini, capsys, file, old, written, line
):
    """'from 9999-12-31' passed validate and then stopped the build in the timeline plot (OverflowError); a date
    in the year 1 did the same in the figures plot. 'winter 1950' starts in December 1949."""
    key = old.split(":")[0].strip()
    edit(mini, file, old, f"  {key}: {written}\n")
    [p] = refused(mini, capsys)
    assert (p["line"], p["field"]) == (line, key) and "1950-2100" in p["message"], p


def test_the_table_checker_refuses_a_date_outside_the_years_as_the_models_do(tmp_path):
    from conftest import synthetic
    from test_engine import _set_cells

    from nk_troops.engine import validate_tables

    synthetic(tmp_path, 30, seed=2)
    _set_cells(
        tmp_path,
        "events",
        {
            3: {
                "date_text": "from 9999-12-31",
                "date_start": "9999-12-31",
                "date_end": "",
                "date_precision": "on_or_after",
            }
        },
    )
    found = [(p.row, p.field, p.message) for p in validate_tables(tmp_path)]
    assert [(r, f) for r, f, _ in found] == [(3, "date_text")] and "1950-2100" in found[0][2], found


def test_the_table_checker_says_a_number_too_large_or_small_to_keep():
    import numpy as np
    import pyarrow as pa

    from nk_troops import models as M
    from nk_troops.engine.cells import check_column
    from nk_troops.engine.spec import table_spec
    from nk_troops.engine.state import Found

    spec = table_spec(M.BY_RESOURCE["figures"]).by_name["value"]
    found = Found("figures")
    check_column(spec, pa.array(["1" + "0" * 400, "1e-400"]), np.ones(2, bool), found, 0)
    assert ["too large" in m for _, _, _, m, _ in found.items] == [True, False]
    assert "too small" in found.items[1][3]


def test_zero_written_any_way_is_zero(mini, capsys):
    edit(mini, FIGURES, "  value: 4000\n", "  value: 0.0e-400\n")
    assert main(["validate", "--root", str(mini), "--records-only"]) == 0, capsys.readouterr().out


def test_a_number_refused_for_its_digits_leaves_the_rest_of_the_file_checked(mini, capsys):
    """The loader raised on the number: the file went unread, and the problems after it surfaced one run later."""
    edit(mini, FIGURES, "  value: 4000\n", f"  value: {'9' * 40}\n")
    edit(mini, FIGURES, "  unit: persons\n", "  unit: people\n")
    edit(mini, FIGURES, "  claimant_actor_id: dmytro-ponomarenko\n", "  claimant_actor_id: dmytro\n")
    found = sorted((p["line"], p["field"], p["type"]) for p in refused(mini, capsys))
    assert found == [
        (4, "value", "field-error"),
        (6, "unit", "field-error"),
        (8, "claimant_actor_id", "dangling-reference"),
    ]


# --------------------------------------------------------------------------- 3. numbers as Table Schema defines them


@pytest.mark.parametrize("written", ["inf", "Infinity", "1e999", "true", "false", '"300"', '"inf"'])
def test_infinity_booleans_and_text_are_not_numbers(mini, capsys, written):
    """pydantic's lax mode read 'inf', 'Infinity', 1e999 (which overflows to inf), true and "300" as floats: build then
    wrote a figures table (value 'inf', '1') that check-tables refuses."""
    edit(mini, FIGURES, "  value: 4000\n", f"  value: {written}\n")
    p = one(refused(mini, capsys), "field-error")
    assert (p["file"], p["line"], p["column"], p["field"]) == (FIGURES, 4, 3, "value")
    assert "not a number" in p["message"] or "too large to be kept" in p["message"]
    assert p["hint"]


@pytest.mark.parametrize("kind", ["number", "integer"])
def test_the_table_checker_reads_numbers_as_table_schema_defines_them(kind):
    """A leading '+' is a sign Table Schema allows: the engine refused '+300' (a scripted table may write it); inf,
    NaN, booleans and numbers beyond a float's range stay refused, as in the records."""
    import numpy as np
    import pyarrow as pa

    from nk_troops import models as M
    from nk_troops.engine.cells import check_column
    from nk_troops.engine.spec import table_spec
    from nk_troops.engine.state import Found

    table, column = ("figures", "value") if kind == "number" else ("citations", "char_start")
    spec = table_spec(M.BY_RESOURCE[table]).by_name[column]
    good = ["+300", "300", "+0"] + (["+1.5e3", "+.5", "2.5", "0.0e-400", "-0", "1e-300"] if kind == "number" else [])
    bad = ["inf", "-inf", "Infinity", "NaN", "nan", "true", "false", "1e999", "++3", "+", "3+"]
    bad += ["1e-400", "-0.5E-999"] if kind == "number" else []  # read as 0: not the number written
    if kind == "integer":
        bad += ["1.5", "+1e3", "+99999999999999999999"]
    found = Found(table)
    typed, ok = check_column(spec, pa.array(good + bad), np.ones(len(good) + len(bad), bool), found, 0)
    assert ok.tolist() == [True] * len(good) + [False] * len(bad), found.items
    assert sorted(i for _, i, *_ in found.items) == list(range(len(good), len(good) + len(bad)))
    assert typed.to_pylist()[: len(good)] == [float(v) if kind == "number" else int(v) for v in good]


# --------------------------------------------------------------------------- 4. invisible and bidi characters

INVISIBLE = ["\u200b", "\u200f", "\u202e", "\u2066", "\u2060", "\ufeff", "\u00ad", "\U000e0041"]


def _archive_with(root: Path, old: str, new: str) -> None:
    """Change the fixture's archived text (and its recorded sha256), as if the source had been archived so."""
    import hashlib

    seed = root / "seeds" / "000_903a45e1dc248108.txt"
    before = hashlib.sha256(seed.read_bytes()).hexdigest()
    text = seed.read_text(encoding="utf-8")
    assert old in text
    seed.write_text(text.replace(old, new, 1), encoding="utf-8")
    edit(root, SOURCES, before, hashlib.sha256(seed.read_bytes()).hexdigest())


@pytest.mark.parametrize("ch", INVISIBLE, ids=[f"U+{ord(c):04X}" for c in INVISIBLE])
def test_invisible_characters_are_refused_in_texts_but_kept_in_excerpts_as_the_source_has_them(mini, capsys, ch):
    """Bidi overrides and zero-width characters in a name, note or place were accepted and published: a text could
    read other than it is. An excerpt must match its archived source, so it may hold what the source holds."""
    edit(mini, EVENTS, "  place: Kursk region\n", f"  place: Kursk{ch} region\n")
    edit(mini, "dataset/records/actors.yaml", "  name: Dmytro Ponomarenko\n", f"  name: Dmytro {ch}Ponomarenko\n")
    edit(mini, SOURCES, '"No byline in the archived text."', f'"No byline in{ch} the archived text."')
    _archive_with(mini, "Ukrainian forces captured", f"Ukrainian forces{ch} captured")
    edit(mini, EVENTS, "Ukrainian forces captured", f"Ukrainian forces{ch} captured")
    problems = refused(mini, capsys)
    where = sorted((p["file"], p["line"], p["field"]) for p in problems)
    assert where == [
        ("dataset/records/actors.yaml", 2, "name"),
        (EVENTS, 5, "place"),
        (SOURCES, 8, "byline.unknown"),
    ], problems
    assert all(p["type"] == "field-error" and f"U+{ord(ch):04X}" in p["message"] for p in problems)


def test_the_table_checker_refuses_invisible_characters_where_the_models_do():
    """The engine's copy of the text rule let a bidi override through in every text column."""
    import numpy as np
    import pyarrow as pa

    from nk_troops import models as M
    from nk_troops.engine.cells import check_column
    from nk_troops.engine.spec import table_spec
    from nk_troops.engine.state import Found

    values = [f"Kursk{ch} region" for ch in INVISIBLE] + ["Курська область", "쿠르스크 지역에서", "Kursk region"]
    for table, column, refuses in (
        ("events", "place", True),
        ("actors", "name", True),
        ("citations", "excerpt", False),
    ):
        spec = table_spec(M.BY_RESOURCE[table]).by_name[column]
        found = Found(table)
        _, ok = check_column(spec, pa.array(values), np.ones(len(values), bool), found, 0)
        assert ok.tolist() == [not refuses] * len(INVISIBLE) + [True] * 3, (table, column, found.items)
        for _, row, _, message, _ in found.items:
            assert message == text_problem(values[row])  # the model's own words


DEFAULT_IGNORABLE = (  # Unicode 15's DerivedCoreProperties.txt, Default_Ignorable_Code_Point, as written there
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180F),
    (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
)  # fmt: skip


def test_the_invisible_characters_are_unicodes_format_and_default_ignorable_characters():
    """characters.INVISIBLE, the one list both checkers read, is Unicode's category Cf as this Python knows it (a
    newer Unicode that adds format characters makes this fail: add them) and every default-ignorable code point
    (a review found U+3164 HANGUL FILLER and U+FE0F accepted in names: drawn as nothing)."""
    import sys
    import unicodedata

    from nk_troops.characters import INVISIBLE_RANGES

    listed = {cp for a, b in INVISIBLE_RANGES for cp in range(a, b + 1)}
    cf = {cp for cp in range(sys.maxunicode + 1) if unicodedata.category(chr(cp)) == "Cf"}
    ignorable = {cp for a, b in DEFAULT_IGNORABLE for cp in range(a, b + 1)}
    assert listed == cf | ignorable


@pytest.mark.parametrize("ch", ["\u3164", "\u115f", "\ufe0f", "\u034f", "\U000e0100"])
def test_a_character_drawn_as_nothing_is_refused_in_a_name(mini, capsys, ch):
    edit(mini, "dataset/records/actors.yaml", "name: ", f"name: South{ch}")
    p = one(refused(mini, capsys), "field-error")
    assert p["field"] == "name" and f"U+{ord(ch):04X}" in p["message"], p


# --------------------------------------------------------------------------- 5. credentials in URLs


@pytest.mark.parametrize(
    "url", ["https://user:pass@example.com/", "http://user@example.com/a", "https://a:b@example.com:8080/?q=1"]
)
def test_a_url_carrying_a_user_or_password_is_refused(mini, capsys, url):
    """sources.url accepted https://user:pass@host/ and published it."""
    edit(mini, SOURCES, '  url: {unknown: "Not shown."}\n', f"  url: {url}\n")
    p = one(refused(mini, capsys), "field-error")
    assert (p["file"], p["line"], p["column"], p["field"]) == (SOURCES, 10, 3, "url")
    assert "user name or password" in p["hint"]


def test_the_table_checker_refuses_credentials_in_urls_as_the_models_do():
    """The pattern is the model's: the table schema, the codebook and the engine (RE2 and polars) follow it."""
    import numpy as np
    import pyarrow as pa

    from nk_troops import models as M
    from nk_troops.engine.cells import check_column
    from nk_troops.engine.spec import table_spec
    from nk_troops.engine.state import Found

    spec = table_spec(M.SourceRecord).by_name["url"]
    values = [
        "https://user:pass@example.com/",
        "http://user@example.com",
        "https://example.com/@name",
        "https://a.b?x=@",
    ]
    expected = [False, False, True, True]
    for long in (False, True):  # Arrow's RE2 on short batches, polars on long ones
        cells = values + (["https://example.com/"] * 2_100 if long else [])
        _, ok = check_column(spec, pa.array(cells), np.ones(len(cells), bool), Found("sources"), 0, use_polars=long)
        assert ok.tolist()[: len(values)] == expected and ok[len(values) :].all()


# --------------------------------------------------------------------------- 6. characters no text file holds

NOT_TEXT = ["\x00", "\x01", "\x0b", "\x1b", "\x7f", "\x80", "\x9f", "\ufffe", "\uffff", "\ufdd0", "\U0001fffe"]


@pytest.mark.parametrize("ch", NOT_TEXT, ids=[f"U+{ord(c):04X}" for c in NOT_TEXT])
@pytest.mark.parametrize("where", ["value", "comment"])
def test_a_character_no_text_file_holds_is_located(mini, capsys, ch, where):
    """A raw NUL or U+FFFE gave a YAML syntax error with no line; noncharacters such as U+FDD0 were accepted."""
    if where == "value":
        edit(mini, EVENTS, "  place: Kursk region\n", f"  place: Kursk {ch}region\n")
    else:
        edit(mini, EVENTS, "  place: Kursk region\n", f"  place: Kursk region # near {ch}\n")
    p = one(refused(mini, capsys), "encoding-error")
    assert (p["file"], p["line"], p["column"]) == (EVENTS, 5, 16 if where == "value" else 30)
    assert f"U+{ord(ch):04X}" in p["message"] and p["hint"]


# --------------------------------------------------------------------------- 7. positions in the file's own lines

BREAKS = ["\u2028", "\u2029", "\x85"]


@pytest.mark.parametrize("brk", BREAKS, ids=["U+2028", "U+2029", "U+0085"])
@pytest.mark.parametrize("error", ["unknown-field", "yaml-syntax-error"])
def test_positions_are_counted_in_the_files_own_lines(mini, capsys, brk, error):
    """PyYAML counts U+2028, U+2029 and NEL as line breaks: one in a comment shifted every later line by one. The
    same error is reported at the same place with and without one earlier in the file."""
    if error == "unknown-field":
        edit(mini, EVENTS, "  place: Kursk region\n", "  plcae: Kursk region\n")
    else:
        edit(mini, EVENTS, '  country: "RU"\n', '  country: "RU\n')  # the quote runs on to the excerpt's
    p = one(refused(mini, capsys), error)
    edit(mini, EVENTS, "  date: mid-January 2025\n", f"  date: mid-January 2025 # see seed 000{brk}\n")
    q = one(refused(mini, capsys), error)
    assert (q["file"], q["line"], q["column"]) == (p["file"], p["line"], p["column"])
    assert p["line"] == 5 if error == "unknown-field" else p["line"] > 5


@pytest.mark.parametrize("brk", BREAKS, ids=["U+2028", "U+2029", "U+0085"])
@pytest.mark.parametrize("quoted", [False, True], ids=["plain", "double-quoted"])
def test_a_character_yaml_reads_as_a_line_break_in_a_value_is_refused_where_it_is(mini, capsys, brk, quoted):
    """YAML folds it: "Ukr<NEL>aine" was read, and published, as "Ukr aine". Unquoted, it ends the line to YAML,
    and the next line no longer parses: the syntax error's hint names the character and its line."""
    value = f"Kursk{brk}region"
    edit(
        mini,
        EVENTS,
        "  place: Kursk region\n",
        f"  place: {json.dumps(value, ensure_ascii=False) if quoted else value}\n",
    )
    [p] = refused(mini, capsys)
    code = f"U+{ord(brk):04X}"
    if quoted:
        assert (p["type"], p["line"], p["column"], p["field"]) == ("field-error", 5, 3, "place")
        assert code in p["message"] and p["hint"]
    else:
        assert p["type"] == "yaml-syntax-error" and p["line"] in (5, 6)
        assert p["hint"].startswith(f"line 5 holds {code}, which YAML reads as a line break")


def test_a_line_separator_written_as_its_escape_is_kept(mini, capsys):
    edit(mini, EVENTS, "  place: Kursk region\n", '  place: "Kursk\\Lregion"\n')
    assert main(["validate", "--root", str(mini), "--records-only"]) == 0, capsys.readouterr().out
    from nk_troops.records import load_dataset

    dataset, _ = load_dataset(mini)
    assert dataset.of("events")[0].record.place == "Kursk\u2028region"


# --------------------------------------------------------------------------- 8. every entry of seeds/ described


def test_every_entry_of_seeds_is_described_by_a_source(mini, capsys):
    """Only seeds/*.txt was checked: an HTML file, a file without extension, a folder, a link or a FIFO in seeds/
    passed silently. Each is reported, and none is opened (reading a FIFO would wait forever)."""
    import os

    seeds = mini / "seeds"
    (seeds / "evil.html").write_text("<script>alert(1)</script>", encoding="utf-8")
    (seeds / "README").write_text("notes", encoding="utf-8")
    (seeds / ".hidden.txt").write_text("a text no source names", encoding="utf-8")
    (seeds / "folder").mkdir()
    (seeds / "folder" / "inside.txt").write_text("x", encoding="utf-8")
    os.symlink(seeds / "000_903a45e1dc248108.txt", seeds / "link.txt")
    os.mkfifo(seeds / "pipe")
    problems = refused(mini, capsys)
    found = sorted(p["file"] for p in problems if p["type"] == "seed-undescribed")
    expected = ["seeds/.hidden.txt", "seeds/README", "seeds/evil.html", "seeds/folder", "seeds/link.txt", "seeds/pipe"]
    assert found == expected, problems
    assert all(p["hint"] for p in problems) and len(problems) == len(expected)


def test_the_table_checker_reports_every_undescribed_entry_of_seeds_too(repo_copy):
    """check-tables listed only seeds/*.txt as well."""
    import os

    from nk_troops.engine import validate_tables

    seeds = repo_copy / "seeds"
    (seeds / "evil.html").write_text("<script>alert(1)</script>", encoding="utf-8")
    os.mkfifo(seeds / "pipe")
    problems = validate_tables(repo_copy)
    found = sorted((p.file, p.message) for p in problems if p.type == "seed-undescribed")
    assert [f for f, _ in found] == ["seeds/evil.html", "seeds/pipe"], problems
    assert "seeds/evil.html" in found[0][1] and "seeds/pipe" in found[1][1], problems
    assert len(problems) == 2


def test_an_id_too_long_is_shortened_where_it_names_the_record(mini, capsys):
    """A 3,000-character id was printed whole as the record's name, on each line naming it."""
    edit(mini, "dataset/records/actors.yaml", "- actor_id: dmytro-ponomarenko", "- actor_id: dmytro-" + "x" * 3000)
    code = main(["validate", "--root", str(mini), "--records-only"])
    lines = capsys.readouterr().out.splitlines()
    assert code == 1
    [line] = [x for x in lines if "the limit is 80" in x]
    assert "record dmytro-xxx" in line and "... (3,007 characters): field 'actor_id'" in line
    assert max(len(x) for x in lines) < 400
    [whole] = [p for p in refused(mini, capsys) if p["field"] == "actor_id"]
    assert whole["record_id"] == "dmytro-" + "x" * 3000  # the JSON report has it whole
