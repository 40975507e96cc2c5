"""Tests of the scripted first pass (nk_troops.candidates, scripts/extract_candidates.py).

Three kinds of test:

* unit tests on small made-up sentences, one rule each;
* a Hypothesis property: the extractors never raise, and every candidate's
  span lies in the text and holds exactly the candidate's (normalised) words;
* a measurement against the curated records (dataset/records/*.yaml), by
  scripts/extractor_quality.py: recall and precision per seed and kind must
  not fall below the reviewed numbers (REVIEWED).
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nk_troops.candidate_text import RULE_CHANGES
from nk_troops.candidates import FigureCandidate, QuoteCandidate, extract_figures, extract_quotations
from nk_troops.excerpts import normalise
from nk_troops.vocabularies import Qualifier, StatementForm, Unit

ROOT = Path(__file__).resolve().parent.parent


def only_figure(text: str) -> FigureCandidate:
    found = extract_figures(text)
    assert len(found) == 1, found
    return found[0]


def only_quote(text: str) -> QuoteCandidate:
    found = extract_quotations(text)
    assert len(found) == 1, found
    return found[0]


# --------------------------------------------------------------------------- figures


@pytest.mark.parametrize(
    ("phrase", "qualifier"),
    [
        ("approximately", Qualifier.approximately),
        ("about", Qualifier.approximately),
        ("around", Qualifier.approximately),
        ("some", Qualifier.approximately),
        ("roughly", Qualifier.approximately),
        ("at least", Qualifier.at_least),
        ("At least", Qualifier.at_least),
        ("no fewer than", Qualifier.at_least),
        ("up to", Qualifier.up_to),
        ("Up to", Qualifier.up_to),
        ("as many as", Qualifier.up_to),
        ("over", Qualifier.more_than),
        ("more than", Qualifier.more_than),
        ("", Qualifier.exact),
    ],
)
def test_qualifier(phrase: str, qualifier: Qualifier) -> None:
    text = f"Officials said {phrase} 4,000 soldiers were deployed.".replace("  ", " ")
    fig = only_figure(text)
    assert fig.qualifier is qualifier
    assert fig.value == 4000
    assert fig.number_text == f"{phrase} 4,000".strip()
    assert text[fig.char_start : fig.char_end] == fig.number_text


@pytest.mark.parametrize(
    ("written", "value"),
    [("4,000", 4000), ("12,000", 12000), ("2,700", 2700), ("1,000,000", 1e6), ("300", 300), ("1.5 million", 1.5e6)],
)
def test_digits_and_thousands_separators(written: str, value: float) -> None:
    fig = only_figure(f"Reports put the toll at {written} troops.")
    assert fig.value == value
    assert fig.unit is Unit.persons
    assert fig.noun == "troops"


def test_counted_noun_phrase() -> None:
    fig = only_figure("The ambassador said approximately 4,000 killed or wounded so far.")
    assert (fig.value, fig.qualifier, fig.noun) == (4000, Qualifier.approximately, "killed or wounded")
    fig = only_figure("About 8,000 North Korean soldiers are still fighting.")
    assert fig.noun == "North Korean soldiers"
    assert fig.sentence == "About 8,000 North Korean soldiers are still fighting."


def test_number_words_and_fractions() -> None:
    fig = only_figure("Ukrainian forces captured two North Korean soldiers.")
    assert (fig.value, fig.unit, fig.noun) == (2, Unit.persons, "North Korean soldiers")
    fig = only_figure("Reports suggest approximately one-third of those deployed have been injured.")
    assert fig.unit is Unit.share and fig.qualifier is Qualifier.approximately
    assert fig.value == pytest.approx(1 / 3)
    assert fig.noun == "of those deployed"
    assert only_figure("Some say a third of the unit was lost.").value == pytest.approx(1 / 3)
    assert only_figure("Forty-six drones were intercepted.").value == 46
    # not figures: ordinals, "third countries", bare "one", durations
    assert extract_figures("Their transfer to third countries, now in its third year.") == []
    assert extract_figures("One of the soldiers spoke; one primary goal.") == []
    assert extract_figures("The incursion launched six months ago; 2 min read; a 3-day pause.") == []


def test_years_dates_and_times_are_skipped() -> None:
    text = (
        "Seoul, Feb. 25, 2022. Footage shown on Jan. 12 and on 6 February 2025 at 6:59 PM, "
        "since August 2024, in 1994 and during the 2014 occupation. "
        "See https://example.com/2025/02/05/photo-300.jpg for details."
    )
    assert extract_figures(text) == []
    # a four-digit number with a separator is a count, not a year
    assert only_figure("In 2025, 2,000 soldiers arrived.").value == 2000


def test_figure_span_in_broken_text() -> None:
    text = "Officials say at least 300 sol\ndiers died."
    fig = only_figure(text)
    assert fig.noun == "soldiers"
    assert text[fig.char_start : fig.char_end] == "at least 300"


# --------------------------------------------------------------------------- quotations


def test_straight_quotes() -> None:
    text = 'Kyiv is ready. "Ukraine wants to end this war more than any other country," Ponomarenko said.'
    q = only_quote(text)
    assert q.form is StatementForm.verbatim
    assert q.text == "Ukraine wants to end this war more than any other country"
    assert q.speaker == "Ponomarenko" and not q.speaker_inferred
    assert text[q.char_start : q.char_end] == q.text


def test_curly_quotes() -> None:
    text = "Zelensky called it “irrefutable evidence” of Pyongyang’s involvement."
    q = only_quote(text)
    assert q.text == "irrefutable evidence"
    assert q.speaker == "Zelensky"
    assert text[q.char_start : q.char_end] == "irrefutable evidence"
    q = only_quote("In an interview, he stated, “Ukraine does not view this matter as a bargaining issue.”")
    assert q.speaker == "he" and q.speaker_inferred  # no earlier speaker to resolve it to


def test_quotes_after_an_attribution_and_carried_speaker() -> None:
    text = '"We are open for a dialogue," the envoy said.\n"In that case, I expect we will consult."'
    first, second = extract_quotations(text)
    assert (first.speaker, first.speaker_inferred) == ("the envoy", False)
    assert second.text == "In that case, I expect we will consult."
    assert (second.speaker, second.speaker_inferred) == ("the envoy", True)


def test_quote_does_not_pair_across_lines() -> None:
    text = 'He said "unfinished.\nThen "a second quote" here, she said.'
    verbatim = [q for q in extract_quotations(text) if q.form is StatementForm.verbatim]
    assert [q.text for q in verbatim] == ["a second quote"]
    assert "\n" not in text[verbatim[0].char_start : verbatim[0].char_end]


def test_titles_are_not_quotations() -> None:
    text = 'In an interview with "The Korea Times," Dmytro Ponomarenko, the Ambassador, stated that Ukraine is ready.'
    q = only_quote(text)
    assert q.form is StatementForm.paraphrase
    assert q.speaker == "Dmytro Ponomarenko"
    assert q.text == "Ukraine is ready"


@pytest.mark.parametrize("dash", ["—", "-"])
@pytest.mark.parametrize("verb", ["stated", "summarised"])
def test_quotation_set_off_by_a_dash(dash: str, verb: str) -> None:
    text = f"Ukraine wants peace, not appeasement {dash} {verb} Ponomarenko."
    q = only_quote(text)
    assert q.form is StatementForm.verbatim
    assert q.speaker == "Ponomarenko"
    assert q.text == "Ukraine wants peace, not appeasement"


@pytest.mark.parametrize(
    ("text", "speaker", "words"),
    [
        (
            "Ukraine would be obligated to repatriate them, the ambassador noted.",
            "the ambassador",
            "Ukraine would be obligated to repatriate them",
        ),
        (
            "About 8,000 soldiers are fighting, Ukraine's spy chief Kyrylo Budanov said.",
            "Ukraine's spy chief Kyrylo Budanov",
            "About 8,000 soldiers are fighting",
        ),
        ("Ponomarenko said Ukraine is willing to cooperate.", "Ponomarenko", "Ukraine is willing to cooperate"),
        ("The ambassador emphasised that talks have not begun.", "The ambassador", "talks have not begun"),
        (
            "Troops left Kursk, according to South Korea's intelligence agency.",
            "South Korea's intelligence agency",
            "Troops left Kursk",
        ),
        (
            "At least 300 were killed, South Korea's National Intelligence Service (NIS) claimed in mid-January.",
            "South Korea's National Intelligence Service (NIS)",
            "At least 300 were killed",
        ),
        ("He urged leaders to act.", "he", "leaders to act"),
        (
            "Their withdrawal may be linked to losses, as reported by South Korean intelligence.",
            "South Korean intelligence",
            "Their withdrawal may be linked to losses",
        ),
    ],
)
def test_paraphrase_attributions(text: str, speaker: str, words: str) -> None:
    q = only_quote(text)
    assert q.form is StatementForm.paraphrase
    assert q.speaker.lower() == speaker.lower()
    assert q.text == words
    assert text[q.char_start : q.char_end] == words


def test_word_broken_across_lines() -> None:
    text = 'One soldier, he said, "has a desi\nre to defect."'
    q = only_quote(text)
    assert q.text == "has a desire to defect."
    assert text[q.char_start : q.char_end] == "has a desi\nre to defect."
    text = "Furthermore, Ponomarenko su\nggested that Moscow helped."
    q = only_quote(text)
    assert (q.speaker, q.text) == ("Ponomarenko", "Moscow helped")


def test_a_capital_after_a_line_break_starts_a_new_line() -> None:
    # normalise() joins "suk\nThe" like a broken word; for sentences it is still a line end
    text = "Photo by Choi Won-suk\nThe ambassador said talks may follow."
    q = only_quote(text)
    assert q.sentence == "The ambassador said talks may follow."


def test_to_dict_is_plain_json() -> None:
    fig = only_figure("Up to 12,000 North Korean troops were deployed.")
    quote = only_quote('"It must be real peace," the envoy said.')
    assert json.loads(json.dumps(fig.to_dict()))["qualifier"] == "up_to"
    assert fig.to_dict()["unit"] == "persons"
    assert json.loads(json.dumps(quote.to_dict()))["form"] == "verbatim"
    with pytest.raises(AttributeError):
        fig.value = 1  # type: ignore[misc]


# --------------------------------------------------------------------------- property

_PIECES = st.sampled_from(
    [" ", "\n", "\n\n", '"', "“", "”", "‘", "’", ",", ".", " — ", " - ", "e\u0301", "\u00a0", "\t",
     "4,000", "2025", "Jan. 12", "6:59 PM", "approximately ", "at least ", "up to ", "over ", "one-third",
     "two", "six months", "said", "stated", "Ponomarenko", "the ambassador", "according to", "he", "soldiers",
     "desi\nre", "A", "b"]
)  # fmt: skip
TEXTS = st.one_of(st.text(), st.lists(st.one_of(_PIECES, st.text(max_size=3)), max_size=40).map("".join))


@settings(max_examples=100, deadline=None)
@given(TEXTS)
def test_candidates_never_raise_and_spans_hold_their_words(text: str) -> None:
    for cand in [*extract_figures(text), *extract_quotations(text)]:
        words = cand.number_text if isinstance(cand, FigureCandidate) else cand.text
        assert 0 <= cand.char_start < cand.char_end <= len(text)
        assert words
        # the span holds exactly the candidate's words, up to the excerpt normalisation
        assert normalise(text[cand.char_start : cand.char_end]).text == words


# --------------------------------------------------------------------------- the script


def _script():
    spec = importlib.util.spec_from_file_location("extract_candidates", ROOT / "scripts" / "extract_candidates.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_script_output_is_deterministic(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "x.txt").write_bytes("“We are open,” the envoy said in Séoul. About 4,000 killed.\n".encode())
    script = _script()
    for out in ("a", "b"):
        assert script.main(["--seeds", str(seeds), "--out", str(tmp_path / out)]) == 0
    first, second = (tmp_path / "a" / "x.json").read_bytes(), (tmp_path / "b" / "x.json").read_bytes()
    assert first == second and first.endswith(b"}\n")
    doc = json.loads(first)
    assert list(doc) == sorted(doc) == ["figures", "quotations", "seed_file", "sha256"]
    assert doc["figures"][0]["value"] == 4000
    assert "Séoul" in first.decode("utf-8")  # ensure_ascii=False: written as UTF-8, not \\u escapes


# --------------------------------------------------------------------------- rules added after the first measurement


@pytest.mark.parametrize(
    ("rule", "text", "speaker", "words"),
    [
        (
            "not_rule_out",
            "Nevertheless, sources do not rule out the possibility of soldiers returning.",
            "sources",
            "do not rule out the possibility of soldiers returning",
        ),
        (
            "not_dismiss",
            "The Ambassador did not dismiss the possibility that more troops come.",
            "The Ambassador",
            "did not dismiss the possibility that more troops come",
        ),
        (
            "not_confirm",
            "However, officials have not been able to confirm whether this is a withdrawal.",
            "officials",
            "have not been able to confirm whether this is a withdrawal",
        ),
        (
            "people_speakers",
            "During the questioning, one of the soldiers testified that he served since age 17.",
            "one of the soldiers",
            "he served since age 17",
        ),
        (
            "that_participles",
            "Zelensky shared details, stressing that the soldiers received care.",
            "Zelensky",
            "the soldiers received care",
        ),
        (
            "voiced",
            "Critics, including defector Yeonmi Park, have voiced concerns about the transfer.",
            "Yeonmi Park",
            "concerns about the transfer",
        ),
        (
            "passive_by_tail",
            "South Korea's position was reiterated by Foreign Minister Cho Tae-yul during a phone call.",
            "Foreign Minister Cho Tae-yul",
            "South Korea's position",
        ),
    ],
)
def test_rule_changes(rule: str, text: str, speaker: str, words: str) -> None:
    q = only_quote(text)
    assert q.form is StatementForm.paraphrase
    assert (q.speaker, q.text) == (speaker, words)
    assert text[q.char_start : q.char_end] == words
    # each change is switched off by leaving it out of rules= (how the measurement holds a seed out)
    off = frozenset(RULE_CHANGES) - {rule}
    assert [(c.speaker, c.text) for c in extract_quotations(text, rules=off)] != [(speaker, words)]


def test_a_stance_after_a_quotation_takes_its_speaker() -> None:
    text = '"They are a problem for our defenders," Ponomarenko said, while not ruling out more deployments.'
    quote, stance = extract_quotations(text)
    assert (quote.form, quote.speaker) == (StatementForm.verbatim, "Ponomarenko")
    assert (stance.form, stance.speaker, stance.text) == (
        StatementForm.paraphrase,
        "Ponomarenko",
        "not ruling out more deployments",
    )
    assert [q.text for q in extract_quotations(text, rules=frozenset())] == [quote.text]


def test_a_participle_needs_a_speaker() -> None:
    # "estimates" is no speaker: a first version of the rule proposed this and lowered seed 004's precision
    assert extract_quotations("The presence was noted, with estimates indicating that 12,000 troops were sent.") == []
    assert extract_quotations("Up to 12,000 troops, highlighting the scale of it.") == []  # no "that"


# --------------------------------------------------------------------------- measurement


def _quality():
    """scripts/extractor_quality.py, the measurement the numbers below were reviewed with."""
    spec = importlib.util.spec_from_file_location("extractor_quality", ROOT / "scripts" / "extractor_quality.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass needs its module registered
    spec.loader.exec_module(module)
    return module


def test_single_seed_changes_are_held_out_of_their_seed() -> None:
    quality = _quality()
    assert "voiced" not in quality.rules_for("004")  # justified on 004 only
    assert "voiced" in quality.rules_for("000")
    assert {"people_speakers", "not_rule_out"} <= quality.rules_for("000")  # also justified on 003, 002
    assert quality.rules_for("004", held_out=False) == frozenset(RULE_CHANGES)


# Reviewed numbers (scripts/extractor_quality.py, every rule change justified only on the measured seed held out).
# Each is a floor: a drop fails. Raise them when the extractor improves; lower one only with a reason in the commit.
# seed: {kind: (recall, precision)}
REVIEWED = {
    "000": {"figures": (3 / 3, 4 / 12), "quotations": (13 / 15, 14 / 19)},
    "001": {"figures": (5 / 5, 5 / 15), "quotations": (5 / 5, 5 / 12)},
    "002": {"figures": (2 / 2, 2 / 2), "quotations": (9 / 10, 9 / 9)},
    "003": {"figures": (1 / 1, 1 / 1), "quotations": (11 / 12, 11 / 14)},
    "004": {"figures": (3 / 3, 3 / 3), "quotations": (9 / 11, 7 / 8)},
}


@pytest.fixture(scope="module")
def measured():
    return {seed[:3]: kinds for seed, kinds in _quality().measure(ROOT).items()}


@pytest.mark.parametrize("seed", sorted(REVIEWED))
@pytest.mark.parametrize("kind", ["figures", "quotations"])
def test_measured_recall_and_precision(measured, seed: str, kind: str) -> None:
    assert sorted(measured) == sorted(REVIEWED), "a seed was added or removed: measure it and review its numbers"
    score = measured[seed][kind]
    recall, precision = REVIEWED[seed][kind]
    assert score.items > 0 and score.unlocated == 0, f"{seed} {kind}: {score.unlocated} of {score.items} not located"
    assert score.recall >= recall - 1e-9, f"{seed} {kind} recall {score.hits}/{score.items}; missed: {score.missed}"
    assert score.precision >= precision - 1e-9, (
        f"{seed} {kind} precision {score.matched}/{score.candidates}; unmatched: {score.unmatched}"
    )


def test_the_counted_words_end_with_their_line():
    """Found in review: a headline's count took the next paragraph's first word ("troops killedAbout"): the words
    were read on past the end of the sentence, across the line break that normalising joins."""
    text = "Seoul says 3,000 North Korean troops killed\nAbout 2,000 North Korean soldiers have been wounded, it said."
    first, second = extract_figures(text)[:2]
    assert "About" not in first.noun and first.noun.startswith("North Korean troops"), first.noun
    assert second.noun == "North Korean soldiers", second.noun


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 60), st.integers(0, 20)).map(lambda t: (t[0], t[0] + t[1])), max_size=12),
    st.integers(0, 80),
    st.integers(0, 20),
)
def test_intervals_answer_as_comparing_every_span_does(spans, a, width):
    """Intervals (bisection, for texts of many numbers) against the comparison with every span it replaced."""
    from nk_troops.candidate_text import Intervals

    b = a + width
    assert Intervals(spans).overlaps(a, b) == any(x < b and a < y for x, y in spans)
    assert Intervals(spans).overlaps(a, a) == any(x < a < y for x, y in spans)


@given(st.text(alphabet="ab. \n", max_size=60), st.integers(0, 60), st.integers(0, 10))
def test_the_sentence_at_a_span_is_every_sentence_it_overlaps(text, start, width):
    from nk_troops.candidate_text import Doc

    doc = Doc(text)
    end = start + width
    hits = [s for s in doc.sentences if s[0] < end and start < s[1]]
    assert doc.sentence_at(start, end) == ((hits[0][0], hits[-1][1]) if hits else (start, end))
