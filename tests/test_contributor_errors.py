"""Broken and hostile contributions: each is rejected with a located error, and nothing published changes.

Every test edits the small fixture dataset (tests/fixtures/mini, line numbers
below refer to it), runs both `validate` and `build`, and asserts the error's
type, file, line and field, and that the published files' hashes are the same
as before.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

import pytest
from conftest import published_hashes

from nk_troops.build import build
from nk_troops.validate import validate

EVENTS = "dataset/records/events.yaml"
FIGURES = "dataset/records/figures.yaml"
SOURCES = "dataset/records/sources.yaml"
STATEMENTS = "dataset/records/statements.yaml"


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def rejected(root: Path):
    """Run validate and build; both must fail, build must change nothing; return validate's problems."""
    before = published_hashes(root)
    assert before, "the fixture has published files to protect"
    report = validate(root)
    assert not report.ok, "the broken input was accepted"
    build_report, changed = build(root)
    assert not build_report.ok and changed == []
    assert published_hashes(root) == before, "a failed build changed published files"
    assert not (root / ".build").exists() or not any((root / ".build").iterdir())
    return report.sorted()


def one(problems, type_: str):
    matches = [p for p in problems if p.type == type_]
    assert matches, f"no {type_} in: " + "\n".join(p.to_text() for p in problems)
    return matches[0]


def test_fixture_is_valid(mini):
    report = validate(mini)
    assert report.ok, report.render()
    assert report.counts["events"] == 1 and report.counts["citations"] == 3


def test_malformed_yaml(mini):
    edit(mini, EVENTS, "  place: Kursk region\n", "  place: [Kursk region\n")
    p = one(rejected(mini), "yaml-syntax-error")
    assert (p.file, p.line) == (EVENTS, 6)


@pytest.mark.parametrize(
    "rel, old, new",
    [
        (
            "dataset/records/actors.yaml",
            "  name: Dmytro Ponomarenko\n",
            "  name: [Dmytro Ponomarenko\n",
        ),  # statements, figures refer to it
        (SOURCES, "- source_id:", "- source_id: [\n  x:"),  # the citations of every claim refer to it
    ],
)
def test_a_file_that_does_not_parse_is_the_only_problem_reported(mini, rel, old, new):
    """References into a table whose file could not be read are not reported as dangling: the contributor sees the
    one error to fix (before, a syntax error in actors.yaml came with a dangling-reference error for every record
    naming an actor)."""
    edit(mini, rel, old, new)
    problems = rejected(mini)
    assert [p.type for p in problems] == ["yaml-syntax-error"], "\n".join(p.to_text() for p in problems)
    assert problems[0].file == rel


@pytest.mark.parametrize(
    "old, new", [("  place: Kursk region\n", "\tplace: Kursk region\n"), ("    - source_id", "\t- source_id")]
)
def test_a_tab_that_breaks_the_yaml_is_named_as_a_tab(mini, old, new):
    edit(mini, EVENTS, old, new)
    (p,) = rejected(mini)
    assert (p.type, p.file) == ("yaml-syntax-error", EVENTS) and "tab" in p.hint and "spaces" in p.hint, p.to_text()


def test_a_dangling_reference_is_still_reported_when_every_file_parses(mini):
    edit(mini, STATEMENTS, "  speaker_actor_id: dmytro-ponomarenko\n", "  speaker_actor_id: dmytro-ponomarenk\n")
    p = one(rejected(mini), "dangling-reference")
    assert (p.file, p.field) == (STATEMENTS, "speaker_actor_id") and "did you mean 'dmytro-ponomarenko'" in p.hint


def test_duplicate_key_is_not_silently_overwritten(mini):
    edit(mini, EVENTS, "  place: Kursk region\n", "  place: Kursk region\n  place: Kyiv\n")
    p = one(rejected(mini), "yaml-duplicate-key")
    assert (p.file, p.line, p.field) == (EVENTS, 6, "place")
    assert "first on line 5" in p.message


@pytest.mark.parametrize(
    "tagged", ['!!python/object/apply:os.system ["touch pwned"]', "!!python/name:os.system", "!custom 1"]
)
def test_object_constructing_tags_are_refused(mini, tagged):
    edit(mini, EVENTS, "  place: Kursk region\n", f"  place: {tagged}\n")
    p = one(rejected(mini), "yaml-unsupported-construct")
    assert (p.file, p.line) == (EVENTS, 5)
    assert not (mini / "pwned").exists()


@pytest.mark.parametrize(
    ("tagged", "kind", "said"),
    [
        *((t, "field-error", "the tag '!!") for t in ("!!null 4000", "!!bool 4000", "!!timestamp 4000")),
        ("!!int 04000", "field-error", "the tag '!!"),
        ("04000", "field-error", "leading zero"),
        ("4e3", "field-error", "a YAML 1.1 reader (PyYAML) text"),  # a number here, text to PyYAML
        ('! "4000"', "yaml-unsupported-construct", "the tag '!'"),
    ],
)
def test_a_value_that_yaml_readers_read_otherwise_is_refused(mini, tagged, kind, said):
    """'value: !!null 4000' was read as 4000 and published, where another YAML reader reads nothing; 04000, with a
    tag or not, as 4000, where a YAML 1.1 reader reads the octal 2048; '! "4000"' as text, where PyYAML reads 4000."""
    edit(mini, FIGURES, "  value: 4000\n", f"  value: {tagged}\n")
    p = one(rejected(mini), kind)
    assert (p.file, p.line) == (FIGURES, 4) and said in p.message, p.message


@pytest.mark.parametrize("written", ["yes", "No", "10:30", "1_000", ".inf"])
def test_text_a_yaml_1_1_reader_reads_as_a_boolean_or_a_number_must_be_quoted(mini, written):
    """'place: yes' was the text 'yes' here and True to PyYAML (the Norway problem); 10:30 was text here and 630
    there."""
    edit(mini, EVENTS, "  place: Kursk region\n", f"  place: {written}\n")
    p = one(rejected(mini), "field-error")
    assert (p.file, p.line, p.field) == (EVENTS, 5, "place") and "YAML readers differ" in p.message, p.message
    assert "quotes" in p.hint


@pytest.mark.parametrize("tagged", ["!!int 4000", '!!int "4000"', "!!float 4000", "04000.0", "!!float 04000"])
def test_a_standard_tag_that_agrees_with_its_value_is_read(mini, tagged):
    """Every YAML reader reads these as the number 4000 (a tag, not quotes, says what a scalar is; a decimal's
    leading zero changes nothing)."""
    edit(mini, FIGURES, "  value: 4000\n", f"  value: {tagged}\n")
    report = validate(mini, records_only=True)
    assert report.ok, report.render()


@pytest.mark.parametrize(
    ("old", "new", "line"),
    [
        ("  value: 4000\n", "  !!null value: 4000\n", 4),  # another reader reads a key that is no field's name
        ("- figure_id: fg-kw\n", "- !!null\n  figure_id: fg-kw\n", 1),  # another reader reads no record
        ("  citations:\n", "  citations: !!str\n", 10),
    ],
    ids=["on-a-key", "null-on-a-record", "str-on-a-list"],
)
def test_a_tag_on_a_key_or_of_another_kind_on_a_list_or_mapping_is_refused(mini, old, new, line):
    edit(mini, FIGURES, old, new)
    p = one(rejected(mini), "yaml-unsupported-construct")
    assert (p.file, p.line) == (FIGURES, line), p


def test_unknown_field_suggests_the_real_one(mini):
    edit(mini, EVENTS, "  place: Kursk region\n", "  plcae: Kursk region\n")
    p = one(rejected(mini), "unknown-field")
    assert (p.file, p.line, p.field, p.record_id) == (EVENTS, 5, "plcae", "ev-capture")
    assert p.hint == "did you mean 'place'?"


def test_misspelt_enum_value_suggests_the_closest(mini):
    edit(mini, EVENTS, "  event_type: capture\n", "  event_type: captre\n")
    p = one(rejected(mini), "field-error")
    assert (p.file, p.line, p.field) == (EVENTS, 2, "event_type")
    assert p.hint == "did you mean 'capture'?"


def test_wrong_type(mini):
    edit(mini, FIGURES, "  value: 4000\n", "  value: about four thousand\n")
    p = one(rejected(mini), "field-error")
    assert (p.file, p.line, p.field, p.record_id) == (FIGURES, 4, "value", "fg-kw")
    assert "is not a number" in p.message


@pytest.mark.parametrize(
    "written, words",
    [
        ("2025-02-30", "February 2025 has 28 days"),
        ("2021-7-04", "not a date form"),
        ("2025-02-05..2025-01-01", "ends (2025-01-01) before it starts"),
        ("\u0662\u0660\u0662\u0665", "not a date form"),  # Arabic-Indic digits: Python's \\d and int() took them
        ("mid-January \uff12\uff10\uff12\uff15", "is not a four-digit year"),  # full-width digits
    ],
)
def test_impossible_dates_and_end_before_start(mini, written, words):
    edit(mini, EVENTS, "  date: mid-January 2025\n", f"  date: {written}\n")
    p = one(rejected(mini), "field-error")
    assert (p.file, p.line, p.field) == (EVENTS, 4, "date")
    assert words in p.message


def test_an_unknown_date_is_written_as_the_message_about_date_forms_says(mini):
    """Found in review: the list of date forms ended "or 'unknown'", and `date: unknown` was then refused for
    want of a reason. The list now says how to write it, and written so it validates."""
    edit(mini, EVENTS, "  date: mid-January 2025\n", "  date: Jan 2025\n")
    said = one(rejected(mini), "field-error").message
    written = re.search(r"in a records file: (\{unknown: \"[^\"]+\"\})", said)
    assert written, said
    edit(mini, EVENTS, "  date: Jan 2025\n", f"  date: {written.group(1)}\n")
    assert validate(mini, records_only=True).ok


def test_low_greater_than_high(mini):
    edit(mini, FIGURES, "  value: 4000\n", "  value: 4000\n  value_low: 5000\n  value_high: 3000\n")
    p = one(rejected(mini), "record-rule")
    assert (p.file, p.line, p.field, p.record_id) == (FIGURES, 5, "value_low", "fg-kw")
    assert "value_low (5000) is greater than value_high (3000)" in p.message


def test_numbers_in_a_rule_message_are_shown_as_written(mini):
    """Shown to 6 digits, 'value (0.123457) is below value_low (0.123457)' gave the reader nothing to fix."""
    edit(mini, FIGURES, "  value: 4000\n", "  value: 0.12345671\n  value_low: 0.12345674\n")
    edit(mini, FIGURES, "  unit: persons\n", "  unit: share\n")
    p = one(rejected(mini), "record-rule")
    assert "value (0.12345671) is below value_low (0.12345674)" in p.message


def test_value_outside_its_range(mini):
    edit(mini, FIGURES, "  value: 4000\n", "  value: -3\n")
    p = one(rejected(mini), "field-error")
    assert (p.file, p.line, p.field) == (FIGURES, 4, "value")
    assert "below the minimum 0" in p.message


def test_a_count_of_persons_that_is_not_whole_is_refused_where_it_is_written(mini):
    edit(mini, FIGURES, "  value: 4000\n", "  value: 4000.5\n")
    p = one(rejected(mini), "record-rule")
    assert (p.file, p.line, p.field, p.record_id) == (FIGURES, 4, "value", "fg-kw"), p.to_text()
    assert p.message == "value (4000.5) is a count of persons and must be a whole number"


def test_share_above_one(mini):
    edit(mini, FIGURES, "  unit: persons\n", "  unit: share\n")
    p = one(rejected(mini), "record-rule")
    assert (p.file, p.record_id) == (FIGURES, "fg-kw") and "between 0 and 1" in p.message


def test_duplicate_ids(mini):
    text = (mini / EVENTS).read_text(encoding="utf-8")
    (mini / EVENTS).write_text(text + text, encoding="utf-8")
    problems = rejected(mini)
    p = one(problems, "duplicate-id")
    assert (p.file, p.line, p.field, p.record_id) == (EVENTS, 14, "event_id", "ev-capture")
    assert f"{EVENTS}:1" in p.message
    # one problem per repeated record: not again for the claims registry, its citations or its links
    assert [q.type for q in problems] == ["duplicate-id"] * text.count("- event_id:"), [q.to_text() for q in problems]


def test_dangling_reference_suggests_closest_id(mini):
    edit(mini, FIGURES, "  claimant_actor_id: dmytro-ponomarenko\n", "  claimant_actor_id: dmytro-ponomarenk\n")
    p = one(rejected(mini), "dangling-reference")
    assert (p.file, p.line, p.field) == (FIGURES, 8, "claimant_actor_id")
    assert p.hint == "did you mean 'dmytro-ponomarenko'?"


def test_references_to_a_record_whose_id_is_refused_say_to_correct_that_id_not_to_copy_it(mini):
    """Found in review: with the actor's id mistyped as 'dmytro_ponomarenko' (refused: no underscores), every
    correct reference to 'dmytro-ponomarenko' was told "did you mean 'dmytro_ponomarenko'?"."""
    edit(mini, "dataset/records/actors.yaml", "- actor_id: dmytro-ponomarenko\n", "- actor_id: dmytro_ponomarenko\n")
    problems = rejected(mini)
    refused = [p for p in problems if p.type == "field-error" and p.field == "actor_id"]
    assert [(p.file, p.line) for p in refused] == [("dataset/records/actors.yaml", 1)]
    dangling = [p for p in problems if p.type == "dangling-reference"]
    assert {(p.file, p.field) for p in dangling} >= {(FIGURES, "claimant_actor_id"), (STATEMENTS, "speaker_actor_id")}
    for p in dangling:
        assert "dmytro_ponomarenko" not in (p.hint or "").replace("the id 'dmytro_ponomarenko'", ""), p.hint
        assert p.hint == (
            "the record at dataset/records/actors.yaml:1 has the id 'dmytro_ponomarenko', which is refused: "
            "correct that id"
        )


def test_a_reference_of_the_wrong_form_that_names_no_record_is_one_problem(mini):
    """Its field's rules and the reference are both broken: one problem, the one whose hint names the id."""
    edit(mini, FIGURES, "  claimant_actor_id: dmytro-ponomarenko\n", "  claimant_actor_id: Dmytro Ponomarenko\n")
    problems = rejected(mini)
    assert [(p.type, p.line, p.field) for p in problems] == [("dangling-reference", 8, "claimant_actor_id")]
    assert problems[0].hint == "did you mean 'dmytro-ponomarenko'?"


def test_missing_citation(mini):
    edit(
        mini,
        EVENTS,
        "  citations:\n    - source_id: seed-000-korea-times\n",
        "  citations: []\n  old:\n    - source_id: seed-000-korea-times\n",
    )
    problems = rejected(mini)
    p = one(problems, "missing-citation")
    assert (p.file, p.line, p.field, p.record_id) == (EVENTS, 7, "citations", "ev-capture")


CAPTURE_CITATIONS = (
    "  citations:\n    - source_id: seed-000-korea-times\n"
    '      excerpt: "In mid-January, Ukrainian forces captured two North Korean soldiers"\n'
    "      voice: claimant\n"
)
"""ev-capture's citations in the mini fixture, as written."""


def test_an_empty_list_of_citations_is_one_problem_at_the_list(mini):
    """The tables' coverage rule, located at the record's citations; nothing else is wrong with the record."""
    edit(mini, EVENTS, CAPTURE_CITATIONS, "  citations: []\n")
    problems = rejected(mini)
    assert [(p.type, p.file, p.line, p.field, p.record_id) for p in problems] == [
        ("missing-citation", EVENTS, 7, "citations", "ev-capture")
    ], "\n".join(p.to_text() for p in problems)
    assert problems[0].message == "'ev-capture' has no citation"


@pytest.mark.parametrize("written", ["", "  citations: seed-000-korea-times\n"], ids=["missing", "not-a-list"])
def test_citations_that_are_missing_or_not_a_list_are_one_problem(mini, written):
    """The record's own check names the field; the tables' coverage rule does not repeat it."""
    edit(mini, EVENTS, CAPTURE_CITATIONS, written)
    problems = validate(mini).problems
    assert [(p.record_id, p.field) for p in problems] == [("ev-capture", "citations")], "\n".join(
        p.to_text() for p in problems
    )
    assert problems[0].type != "missing-citation"


def test_excerpt_not_in_source_points_at_the_closest_passage(mini):
    edit(mini, EVENTS, "In mid-January, Ukrainian forces captured", "In mid-January, Ukrainian troops captured")
    p = one(rejected(mini), "excerpt-not-found")
    assert (p.file, p.line, p.field, p.record_id) == (EVENTS, 9, "citations[0].excerpt", "ev-capture")
    assert "In mid-January, Ukrainian forces captured two North Korean soldiers" in p.hint


@pytest.mark.parametrize(
    "excerpt",
    [
        "In mid-January, Ukrainian forces captured two North Korean soldiers ",
        " In mid-January, Ukrainian forces captured two North Korean soldiers",
    ],
)
def test_an_excerpt_with_a_space_at_an_end_is_refused_where_it_is_written(mini, excerpt):
    """The excerpt was matched (spaces normalised) and published as written, with its space: `build` said valid
    and wrote a citations table that `check-tables` refused. A record's excerpt now has the table's text rules."""
    edit(mini, EVENTS, "In mid-January, Ukrainian forces captured two North Korean soldiers", excerpt)
    p = one(rejected(mini), "field-error")
    assert (p.file, p.line, p.field, p.record_id) == (EVENTS, 9, "citations[0].excerpt", "ev-capture")
    assert "spaces" in p.message


@pytest.mark.parametrize(
    "excerpt, edge, word",
    [
        ("In mid-January, Ukrainian forces captured two North Korean soldier", "ends", "soldiers"),
        ("n mid-January, Ukrainian forces captured two North Korean soldiers", "begins", "In"),
        ("In mid-January, Ukrainian forces captured two North Korean sold", "ends", "soldiers"),
    ],
)
def test_an_excerpt_that_cuts_a_word_is_refused_where_it_is_written(mini, excerpt, edge, word):
    """'captured two North Korean soldier' is in a text that says 'soldiers': found, yet a misquote."""
    edit(mini, EVENTS, "In mid-January, Ukrainian forces captured two North Korean soldiers", excerpt)
    p = one(rejected(mini), "record-rule")
    assert (p.file, p.line, p.field, p.record_id) == (EVENTS, 9, "citations[0].excerpt", "ev-capture")
    assert p.message == f"the excerpt {edge} inside the word '{word}' of 'seed-000-korea-times'"
    assert p.hint == "quote the whole word"


def test_an_excerpt_that_cuts_a_number_names_the_whole_number(mini):
    edit(mini, FIGURES, "with approximately 4,000 killed or wounded so far", "with approximately 4,00")
    p = one(rejected(mini), "record-rule")
    assert (p.file, p.line, p.field) == (FIGURES, 12, "citations[0].excerpt")
    assert p.message == "the excerpt ends inside the word '4,000' of 'seed-000-korea-times'"


SEED_000 = "seeds/000_903a45e1dc248108.txt"
SEED_000 = "seeds/000_903a45e1dc248108.txt"


def _places(root: Path, words: str) -> list[tuple[int, int]]:
    """(line from 1, character offset) of every place the words stand verbatim in seed 000, found here by str.find."""
    text = (root / SEED_000).read_text(encoding="utf-8")
    out, at = [], text.find(words)
    while at != -1:
        out.append((text.count("\n", 0, at) + 1, at))
        at = text.find(words, at + 1)
    return out


def test_an_excerpt_in_more_than_one_place_must_say_which(mini):
    """It was pinned to its first place, silently: a citation of a phrase printed three times highlighted the
    first, whichever the curator meant."""
    places = _places(mini, "North Korean soldiers")
    assert len(places) == 3
    edit(mini, EVENTS, "In mid-January, Ukrainian forces captured two North Korean soldiers", "North Korean soldiers")
    p = one(rejected(mini), "excerpt-place")
    assert (p.file, p.line, p.field, p.record_id) == (EVENTS, 9, "citations[0].excerpt", "ev-capture")
    assert "occurs 3 times" in p.message
    for n, (line, _) in enumerate(places, 1):
        assert f"{n}: line {line}, after '" in p.message
    assert "occurrence: N" in p.hint and "1 to 3" in p.hint


@pytest.mark.parametrize("occurrence", [2, 3])
def test_occurrence_pins_the_excerpt_to_the_place_it_names(mini, no_frictionless, occurrence):
    edit(
        mini,
        EVENTS,
        '      excerpt: "In mid-January, Ukrainian forces captured two North Korean soldiers"\n',
        f'      excerpt: "North Korean soldiers"\n      occurrence: {occurrence}\n',
    )
    report, _ = build(mini)
    assert report.ok, report.render()
    rows = (mini / "dataset/tables/csv/citations.csv").read_text(encoding="utf-8").splitlines()
    row = next(r for r in rows if r.startswith("ev-capture/c1,"))
    start = _places(mini, "North Korean soldiers")[occurrence - 1][1]
    assert row.split(",")[4:6] == [str(start), str(start + len("North Korean soldiers"))]


def test_an_occurrence_past_the_last_place_is_located_where_it_is_written(mini):
    edit(
        mini,
        EVENTS,
        "      voice: claimant\n  hedge: asserted\n",
        "      occurrence: 2\n      voice: claimant\n  hedge: asserted\n",
    )
    p = one(rejected(mini), "excerpt-place")
    assert (p.file, p.line, p.field, p.record_id) == (EVENTS, 10, "citations[0].occurrence", "ev-capture")
    assert "occurrence is 2, but the excerpt occurs once in" in p.message


@pytest.mark.parametrize(
    "written, said",
    [
        ("true", "True is not a whole number"),
        ('"2"', "'2' is not a whole number"),
        ("0", "0 is below the minimum 1"),  # in the words of the table checker's range rule (was pydantic's own)
        ("1001", "1001 is above the maximum 1000"),
    ],
)
def test_an_occurrence_that_is_not_a_place_number_is_one_field_error(mini, written, said):
    edit(
        mini,
        EVENTS,
        "      voice: claimant\n  hedge: asserted\n",
        f"      occurrence: {written}\n      voice: claimant\n  hedge: asserted\n",
    )
    problems = rejected(mini)
    assert [(p.type, p.line, p.field) for p in problems] == [("field-error", 10, "citations[0].occurrence")], "\n".join(
        p.to_text() for p in problems
    )
    assert problems[0].message == said


def test_the_closest_passage_is_set_off_by_quotes_it_does_not_hold(mini):
    """A passage that is itself a quotation is not shown between the same marks ('""Ukraine wants..."')."""
    edit(
        mini,
        STATEMENTS,
        "Ukraine wants to end this war more than any other country,",
        "Ukraine wishes to end this war more than any other country,",
    )
    p = one(rejected(mini), "excerpt-not-found")
    passage = p.hint.split(" in the passage ", 1)[1]
    assert passage.startswith("'\"Ukraine wants to end this war more than any other country,") and passage.endswith(
        "'"
    ), p.hint


def test_archived_source_bytes_changed(mini):
    seed = mini / "seeds" / "000_903a45e1dc248108.txt"
    seed.write_bytes(seed.read_bytes().replace(b"4,000", b"5,000"))
    p = one(rejected(mini), "seed-hash-mismatch")
    assert (p.file, p.line, p.field) == (SOURCES, 4, "sha256")


@pytest.mark.parametrize("path", ["seeds/../../etc/passwd.txt", "/etc/passwd", "seeds/../x.txt"])
def test_source_path_escaping_seeds_is_refused(mini, path):
    edit(mini, SOURCES, "  archived_file: seeds/000_903a45e1dc248108.txt\n", f"  archived_file: {path}\n")
    p = one(rejected(mini), "field-error")
    assert (p.file, p.line, p.field) == (SOURCES, 3, "archived_file")


def test_source_symlink_is_refused(mini, tmp_path):
    outside = tmp_path / "outside.txt"
    seed = mini / "seeds" / "000_903a45e1dc248108.txt"
    outside.write_bytes(seed.read_bytes())
    link = mini / "seeds" / "link.txt"
    os.symlink(outside, link)
    edit(mini, SOURCES, "  archived_file: seeds/000_903a45e1dc248108.txt\n", "  archived_file: seeds/link.txt\n")
    problems = rejected(mini)
    p = one(problems, "seed-path-error")
    assert (p.file, p.line, p.field) == (SOURCES, 3, "archived_file")


def test_not_utf8(mini):
    path = mini / EVENTS
    path.write_bytes(path.read_bytes().replace(b"Kursk region\n", b"Kursk r\xe9gion\n", 1))
    p = one(rejected(mini), "encoding-error")
    assert (p.file, p.line, p.column) == (EVENTS, 5, 17)


def test_byte_order_mark(mini):
    path = mini / EVENTS
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    p = one(rejected(mini), "encoding-error")
    assert (p.file, p.line) == (EVENTS, 1) and "byte-order mark" in p.message


def test_crlf_line_ends(mini):
    path = mini / EVENTS
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    p = one(rejected(mini), "encoding-error")
    assert (p.file, p.line) == (EVENTS, 1) and "CRLF" in p.message


def test_nfd_text_equals_nfc(mini, no_frictionless):
    """A record typed in NFD (as macOS may) publishes exactly what the NFC record publishes, and its excerpt matches."""
    before = published_hashes(mini)
    nfd_name = unicodedata.normalize("NFD", "Dmytro Ponomarenko (조태열 Café)")
    edit(mini, "dataset/records/actors.yaml", "  name: Dmytro Ponomarenko\n", f"  name: {nfd_name}\n")
    edit(
        mini,
        EVENTS,
        "In mid-January, Ukrainian forces",
        unicodedata.normalize("NFD", "In mid-January, Ukrainian forces"),
    )
    report, _ = build(mini)
    assert report.ok, report.render()
    actors = (mini / "dataset/tables/csv/actors.csv").read_text(encoding="utf-8")
    assert unicodedata.normalize("NFC", nfd_name) in actors and nfd_name not in actors
    assert published_hashes(mini)["dataset/tables/csv/citations.csv"] == before["dataset/tables/csv/citations.csv"]


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_formula_like_text_is_refused(mini, start):
    edit(mini, EVENTS, "  place: Kursk region\n", f'  place: "{start}HYPERLINK(\\"http://x\\")"\n')
    p = one(rejected(mini), "field-error")
    assert (p.file, p.line, p.field) == (EVENTS, 5, "place")
    assert "formula" in p.message


@pytest.mark.parametrize("text", ["", "\n \n", "# no event yet\n"], ids=["nothing", "blank-lines", "comments-only"])
def test_empty_file(mini, text):
    """One cause, one message: a file of comments only got another message than an empty one, with no hint."""
    (mini / EVENTS).write_text(text, encoding="utf-8")
    (p,) = [p for p in rejected(mini) if p.file == EVENTS]
    assert (p.type, p.line) == ("yaml-shape-error", 1) and "empty" in p.message and "write []" in p.hint, p.to_text()


@pytest.mark.parametrize("text", ["null\n", "# a comment\n~\n"])
def test_a_file_holding_null_is_no_list_not_an_empty_file(mini, text):
    (mini / EVENTS).write_text(text, encoding="utf-8")
    (p,) = [p for p in rejected(mini) if p.file == EVENTS]
    assert p.type == "yaml-shape-error" and "must hold a YAML list" in p.message, p.to_text()


def test_file_far_larger_than_any_record(mini):
    from nk_troops.records import MAX_FILE_BYTES

    path = mini / EVENTS
    path.write_text(path.read_text(encoding="utf-8") + "# " + "x" * MAX_FILE_BYTES + "\n", encoding="utf-8")
    p = one(rejected(mini), "file-too-large")
    assert p.file == EVENTS and f"{MAX_FILE_BYTES:,}" in p.message


def test_every_error_is_reported_not_just_the_first(mini):
    edit(mini, EVENTS, "  event_type: capture\n", "  event_type: captre\n")
    edit(mini, FIGURES, "  claimant_actor_id: dmytro-ponomarenko\n", "  claimant_actor_id: nobody\n")
    edit(mini, STATEMENTS, "Ponomarenko said.", "Ponomarenko wrote.")
    types = sorted(p.type for p in rejected(mini))
    assert types == ["dangling-reference", "excerpt-not-found", "field-error"]


def test_a_record_with_one_error_still_has_its_references_and_excerpts_checked(mini):
    edit(mini, FIGURES, "  as_of: by 2025-02-05\n", "  as_of: 2025-02-30\n")
    edit(mini, FIGURES, "  claimant_actor_id: dmytro-ponomarenko\n", "  claimant_actor_id: dmytro-ponomarenk\n")
    edit(mini, FIGURES, "with approximately 4,000 killed", "with about 4,000 killed")
    found = {(p.type, p.line, p.field) for p in rejected(mini)}
    assert found == {
        ("field-error", 7, "as_of"),
        ("dangling-reference", 8, "claimant_actor_id"),
        ("excerpt-not-found", 12, "citations[0].excerpt"),
    }


def test_plain_scalars_keep_their_yaml_types(mini):
    """A number written where text belongs is an error, not silently text (whichever YAML parser is in use)."""
    edit(mini, SOURCES, '  byline: {unknown: "No byline in the archived text."}\n', "  byline: 42\n")
    p = one(rejected(mini), "field-error")
    assert (p.file, p.line, p.field) == (SOURCES, 8, "byline")
    assert "give the value as text, or {unknown:" in p.message


def test_misspelt_unknown_key_points_at_it(mini):
    edit(mini, SOURCES, '  url: {unknown: "Not shown."}\n', '  url: {unknwon: "Not shown."}\n')
    problems = rejected(mini)
    p = one(problems, "unknown-field")
    assert (p.file, p.line, p.field, p.hint) == (SOURCES, 10, "url.unknwon", "did you mean 'unknown'?")
    assert not any(q.type == "seed-undescribed" for q in problems)  # the source exists; it is only invalid


def test_a_temporary_folder_that_cannot_be_written_is_one_problem_not_a_traceback(mini, monkeypatch):
    """validate writes the records' tables to a temporary folder for the table checker."""
    import tempfile

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tempfile, "TemporaryDirectory", full)
    [p] = validate(mini, records_only=True).problems
    assert p.type == "file-unreadable" and "temporary folder" in p.message and "No space left" in p.message


def test_a_seed_named_by_a_broken_source_is_not_undescribed_but_a_stray_one_still_is(mini):
    """A source record that fails its own checks still describes the seed it names; any other entry of seeds/
    without a record is reported all the same."""
    edit(mini, SOURCES, "  kind: interview\n", "  kind: interviewing\n")
    (mini / "seeds" / "stray.txt").write_text("no record names this", encoding="utf-8")
    report = validate(mini, records_only=True)
    assert {p.type for p in report.problems} == {"field-error", "seed-undescribed"}, report.render()
    assert [p.file for p in report.problems if p.type == "seed-undescribed"] == ["seeds/stray.txt"]


def test_a_malformed_claim_id_is_one_problem_with_its_own_field_s_hint(mini):
    """The build makes the claims registry entry and the citation ids from a claim's id: a malformed id is
    reported once, on the record's own id field, not again for each row made from it (the link that names it
    is wrong in its own place)."""
    edit(mini, EVENTS, "- event_id: ev-capture\n", "- event_id: ev-Capture now\n")
    edit(mini, FIGURES, "      other_claim_id: ev-capture\n", "      other_claim_id: ev-Capture now\n")
    problems = validate(mini, records_only=True).problems
    found = sorted((p.type, p.file, p.field) for p in problems)
    assert found == [("field-error", EVENTS, "event_id"), ("field-error", FIGURES, "links[0].other_claim_id")], problems
    own = next(p for p in problems if p.field == "event_id")
    assert own.hint and own.hint.startswith("event_id: Identifier of the event"), own


def test_a_misspelt_reference_to_a_record_with_other_errors_still_gets_its_did_you_mean(mini):
    edit(mini, FIGURES, "  qualifier: approximately\n", "  qualifier: about\n")  # fg-kw now fails its shape
    edit(
        mini,
        EVENTS,
        "- event_id: ev-capture\n",
        "- event_id: ev-capture\n  links:\n    - relation: corroborates\n      other_claim_id: fg-k\n",
    )
    [p] = [p for p in validate(mini, records_only=True).problems if p.type == "dangling-reference"]
    assert p.hint == "did you mean 'fg-kw'?", p


def _vocabulary_lines() -> list[tuple[str, int, str, bool]]:
    """(records file, line, key, whether the line is added) of every line of the mini fixture that writes a
    vocabulary's value, and a line added to the first record of a file for each vocabulary the fixture leaves
    to its default."""
    import re

    from nk_troops.models import CURATED, PUBLISHED
    from nk_troops.schema_gen import columns

    keys = {c.name for m in PUBLISHED for c in columns(m) if c.enum is not None}
    out = []
    for path in sorted((Path(__file__).parent / "fixtures" / "mini").glob("*.yaml")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            m = re.match(r"\s*(?:- )?(\w+): \S", line)
            if m and m[1] in keys:
                out.append((f"dataset/records/{path.name}", number, m[1], False))
    written = {key for _, _, key, _ in out}
    for model in CURATED:
        for c in columns(model):
            if c.enum is not None and c.name not in written and c.name in model.model_fields:
                out.append((f"dataset/records/{model.resource}.yaml", 2, c.name, True))
    return out


VOCABULARY_LINES = _vocabulary_lines()


def test_every_vocabulary_that_records_hold_is_tried():
    """So that the test below tries every one (record_type and the dates' precisions are made by the build)."""
    from nk_troops.models import PUBLISHED
    from nk_troops.schema_gen import columns

    tried = {key for _, _, key, _ in VOCABULARY_LINES}
    made = {"record_type"} | {c.name for m in PUBLISHED for c in columns(m) if c.part == "precision"}
    assert {c.name for m in PUBLISHED for c in columns(m) if c.enum is not None} - made - tried == set()


@pytest.mark.parametrize(("rel", "number", "key", "added"), VOCABULARY_LINES, ids=lambda v: str(v))
def test_a_value_outside_its_vocabulary_is_one_located_problem(mini, rel, number, key, added):
    """Checked once, by the table checker's enum rule (pydantic only asks for a string), and mapped back to
    the line: one problem, nothing cascading from it (a source whose status is unknown is not 'unarchived')."""
    path = mini / rel
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    if added:
        lines.insert(number - 1, f"  {key}: bogus\n")
    else:
        lines[number - 1] = lines[number - 1].split(":")[0] + ": bogus\n"
    path.write_text("".join(lines), encoding="utf-8")
    [p] = validate(mini, records_only=True).problems
    assert (p.type, p.file, p.line) == ("field-error", rel, number), p.to_text()
    assert p.field is not None and p.field.endswith(key) and "'bogus' is not an allowed value" in p.message, p


def test_a_record_that_fails_its_shape_still_has_its_values_checked(mini):
    """One run reports everything: a record with a missing field (pydantic's shape check refuses it) still has
    each of its other texts checked by the table checker's cell rules, its citations' and links' included,
    and nothing the shape check reported is said twice."""
    edit(mini, STATEMENTS, "  form: verbatim\n", "  form: bogus\n")
    edit(mini, FIGURES, "      voice: claimant\n", "      voice: bogus\n")
    edit(mini, FIGURES, "    - relation: alternative_estimate\n", "    - relation: bogus\n")
    edit(mini, FIGURES, "  unit: persons\n", "  unit: 7\n")  # a number where text is wanted: the shape check's
    text = (mini / STATEMENTS).read_text(encoding="utf-8")
    (mini / STATEMENTS).write_text(text.replace("  medium: ", "  mediun: ", 1), encoding="utf-8")
    found = sorted((p.type, p.file, p.field) for p in validate(mini, records_only=True).problems)
    assert found == [
        ("field-error", FIGURES, "citations[0].voice"),
        ("field-error", FIGURES, "links[0].relation"),
        ("field-error", FIGURES, "unit"),
        ("field-error", STATEMENTS, "form"),
        ("missing-field", STATEMENTS, "medium"),
        ("unknown-field", STATEMENTS, "mediun"),
    ], found


def test_a_source_said_not_archived_beside_its_archived_file_is_reported_on_the_source_alone(mini):
    """The contradiction is the source's (two fields that must be empty); its citations are not each
    'unarchived' and its seed is not 'undescribed' on top of it (34 problems for one word, before)."""
    edit(mini, SOURCES, "  status: archived\n", "  status: not_archived\n")
    found = sorted((p.type, p.file, p.field) for p in validate(mini, records_only=True).problems)
    assert found == [("record-rule", SOURCES, "archived_file"), ("record-rule", SOURCES, "sha256")], found


def test_one_rule_on_two_fields_a_record_leaves_out_is_said_once(mini):
    """Both missing fields are located at the record, with the same message: one problem, not two."""
    edit(mini, FIGURES, "  qualifier: approximately\n", "  qualifier: range\n")
    [p] = validate(mini, records_only=True).problems
    assert (p.type, p.file) == ("record-rule", FIGURES) and "needs value_low and value_high" in p.message, p


def test_a_date_written_unknown_without_a_reason_says_how_a_record_gives_one(mini):
    """The rule is the table's (date_missing_reason), but a record has no such field: the hint gives the
    record's form too, so following it does not lead to an 'unknown field' error."""
    edit(mini, EVENTS, "  date: mid-January 2025\n", "  date: unknown\n")
    [p] = validate(mini, records_only=True).problems
    assert (p.type, p.file, p.line) == ("record-rule", EVENTS, 4), p
    assert p.hint and 'date: {unknown: "why' in p.hint, p
