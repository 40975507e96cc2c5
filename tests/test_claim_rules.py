"""Issue 15's rules between a claim's fields, in both checkers: hedge words with every hedge but 'asserted' (and
none with it), a place with its precision, a subdivision code inside the record's country."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_record_rules import engine_problems, problems_of, read_table, write_table

EVENTS = "dataset/records/events.yaml"


def edit(root: Path, old: str, new: str) -> None:
    path = root / EVENTS
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ("  hedge: asserted\n", "  hedge: likely\n", "hedge 'likely' needs hedge_words"),
        ("  hedge: asserted\n", "  hedge: asserted\n  hedge_words: may\n", "an asserted claim has no hedge_words"),
        ("  place_precision: subdivision\n", "", "place is given but place_precision is not"),
        ("  place_code: RU-KRS\n", "  place_code: UA-30\n", "place_code UA-30 is not in country RU"),
    ],
)
def test_a_record_breaking_a_claim_rule_is_refused_where_it_is_written(mini, old, new, words):
    edit(mini, old, new)
    [p] = problems_of(mini, "record-rule")
    assert (p.file, p.record_id) == (EVENTS, "ev-capture") and words in p.message, p.message


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"hedge": "possible"}, "hedge_words", "hedge 'possible' needs hedge_words"),
        ({"hedge_words": "may"}, "hedge_words", "an asserted claim has no hedge_words"),
        ({"place_precision": ""}, "place_precision", "place is given but place_precision is not"),
        ({"place": ""}, "place", "place_precision is given but place is not"),
        ({"place_code": "UA-30"}, "place_code", "place_code UA-30 is not in country RU"),
        ({"country": ""}, "place_code", "place_code RU-KRS is not in country (none given)"),
    ],
)
def test_the_table_checker_refuses_the_same_rows(mini, change, field, words):
    head, rows = read_table(mini, "events")
    assert rows[0]["hedge"] == "asserted" and rows[0]["place_code"] == "RU-KRS"
    rows[0].update(change)
    write_table(mini, "events", head, rows)
    [p] = engine_problems(mini, "record-rule")
    assert (p.resource, p.row, p.field) == ("events", 2, field) and words in p.message, p.message


@pytest.mark.parametrize(
    ("unit", "value", "words"), [("persons", "4000.5", "is a count of persons"), ("share", "1.5", "is a share")]
)
def test_the_table_checker_refuses_a_part_of_a_person_and_a_share_above_one(mini, unit, value, words):
    head, rows = read_table(mini, "figures")
    assert rows[0]["unit"] == "persons" and rows[0]["value"] == "4000"
    rows[0].update(unit=unit, value=value)
    write_table(mini, "figures", head, rows)
    [p] = engine_problems(mini, "record-rule")
    assert (p.resource, p.row, p.field) == ("figures", 2, "value") and words in p.message, p.message
