"""Hints that lead to the fix: the first difference of a wrong excerpt marked in its passage, misspelt ids
ranked by similarity and shared beginning (saying when several are close), and a source's word pointed at the
controlled value whose definition lists it."""

from __future__ import annotations

from pathlib import Path

from nk_troops.engine import validate_tables
from nk_troops.hints import Candidates, controlled_value, marked_difference, one_run, reference_hint
from nk_troops.validate import validate

FIGURES = "dataset/records/figures.yaml"
STATEMENTS = "dataset/records/statements.yaml"


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problem(root: Path, type_: str):
    found = [p for p in validate(root, records_only=True).problems if p.type == type_]
    assert len(found) == 1, found
    return found[0]


def test_the_changed_word_is_marked_between_its_neighbours():
    source = "Two soldiers were captured by Ukrainian troops in Russia's Kursk region in January."
    written = "captured by Ukrainian forces in Russia's Kursk region"
    assert (
        marked_difference(written, source)
        == "…soldiers were captured by Ukrainian [forces→troops] in Russia's Kursk region in…"
    )


def test_a_dropped_and_an_added_word_are_marked():
    source = "the two Koreas by their official names"
    assert (
        marked_difference("the two Koreas by official names", source) == "…the two Koreas by [→their] official names…"
    )
    assert marked_difference("the two Koreas by all their official names", source) == (
        "…the two Koreas by [all→] their official names…"
    )


def test_nothing_in_common_marks_nothing():
    assert marked_difference("completely other words", "the two Koreas by their official names") is None


def test_a_wrong_excerpt_gets_its_first_difference_in_the_hint(mini):
    edit(mini, FIGURES, "with approximately 4,000 killed", "with roughly 4,000 killed")
    p = problem(mini, "excerpt-not-found")
    assert "[roughly→approximately] 4,000 killed" in p.hint, p.hint
    assert "in the passage" in p.hint


def test_an_id_is_suggested_by_its_beginning_over_a_closer_ratio():
    """'fg-captured-two' was meant as 'fg-captured-two-own-voice'; difflib alone prefers 'fg-zelensky-captured-two'."""
    ids = Candidates(["fg-zelensky-captured-two", "fg-captured-two-own-voice", "ev-capture-two-soldiers-kursk"])
    with one_run():
        assert reference_hint("fg-captured-two", ids) == "did you mean 'fg-captured-two-own-voice'?"
        assert reference_hint("ve-capture-two-soldiers-kursk", ids) == "did you mean 'ev-capture-two-soldiers-kursk'?"
        assert reference_hint("zzz", ids) is None


def test_several_close_ids_are_all_offered():
    ids = Candidates(["st-a-one", "st-a-two", "st-b-three"])
    with one_run():
        assert reference_hint("st-a-o", ids) == "several ids are close: 'st-a-one', 'st-a-two'"


def test_a_misspelt_source_id_in_a_citation_is_suggested(mini):
    edit(mini, STATEMENTS, "- source_id: seed-000-korea-times", "- source_id: seed-000-korea-time")
    p = problem(mini, "dangling-reference")
    assert (p.field, p.hint) == ("citations[0].source_id", "did you mean 'seed-000-korea-times'?")


def test_the_sources_word_points_at_the_value_whose_definition_lists_it(mini):
    edit(mini, FIGURES, "qualifier: approximately", "qualifier: about")
    p = problem(mini, "field-error")
    assert p.field == "qualifier" and p.hint == "use 'approximately': its definition lists 'about'", p.hint
    definitions = {"at_least": "'at least', 'no fewer than'.", "more_than": "'more than', 'over'."}
    assert controlled_value("At least", definitions) == "use 'at_least': its definition lists 'at least'"
    assert controlled_value("more_thn", definitions) == "did you mean 'more_than'?"


def test_the_table_checker_gives_the_same_hint(mini):
    path = mini / "dataset/tables/csv/figures.csv"
    text = path.read_text(encoding="utf-8")
    assert ",approximately," in text
    path.write_text(text.replace(",approximately,", ",about,", 1), encoding="utf-8")
    found = [p for p in validate_tables(mini / "datapackage.json", check_hash=False) if p.field == "qualifier"]
    assert [(p.message, p.hint) for p in found] == [
        (
            "'about' is not an allowed value; allowed: exact, unhedged, approximately, at_least, up_to, more_than, range",
            "use 'approximately': its definition lists 'about'",
        )
    ]
