"""Rules between records, in both paths: the curated records (validate) and the table engine (check-tables).

Curated: the fixture dataset (tests/fixtures/mini, built once) is edited and its records checked in-process.
Engine: the same fixture's published package, with one CSV edited and its bytes and hash refreshed in
datapackage.json, is checked by ``validate_tables``.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from test_engine import _refresh  # the descriptor's bytes and hash, as tests/test_engine.py refreshes them

from nk_troops.engine import validate_tables
from nk_troops.validate import validate

ACTORS = "dataset/records/actors.yaml"
SOURCES = "dataset/records/sources.yaml"


def append(root: Path, rel: str, text: str) -> int:
    """Add records at the end of a records file; returns the line number of the first added line."""
    path = root / rel
    old = path.read_text(encoding="utf-8")
    path.write_text(old + text, encoding="utf-8")
    return old.count("\n") + 1


def problems_of(root: Path, type_: str) -> list:
    report = validate(root, records_only=True)
    return [p for p in report.sorted() if p.type == type_]


def actor(actor_id: str, affiliation: str | None) -> str:
    text = f"- actor_id: {actor_id}\n  name: {actor_id.title()}\n  actor_type: organisation\n"
    return text + (f"  affiliation_actor_id: {affiliation}\n" if affiliation else "")


SOURCE_LINES = 9
"""Lines of a record written by source() before its relays (then a line "relays:", and two per relay)."""


def source(source_id: str, *relays: str) -> str:
    text = (
        f"- source_id: {source_id}\n  status: not_archived\n  kind: news_article\n  outlet: X\n"
        "  headline: {unknown: a}\n  byline: {unknown: b}\n  published: {unknown: c}\n  url: {unknown: d}\n"
        "  language: en\n"
    )
    text += "  relays:\n" if relays else ""
    return text + "".join(f"    - source_id: {r}\n      what: The report of {r}.\n" for r in relays)


# --------------------------------------------------------------------------- table helpers (engine path)


def read_table(package: Path, resource: str) -> tuple[list[str], list[dict[str, str]]]:
    text = (package / "dataset/tables/csv" / f"{resource}.csv").read_bytes().decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    return rows[0], [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def write_table(package: Path, resource: str, head: list[str], rows: list[dict[str, str]]) -> None:
    """Write a published CSV as the build does and refresh its bytes and hash in datapackage.json."""
    buf = io.StringIO(newline="")
    out = csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    out.writerow(head)
    out.writerows([r.get(h, "") for h in head] for r in rows)
    data = buf.getvalue().encode("utf-8")
    (package / "dataset/tables/csv" / f"{resource}.csv").write_bytes(data)
    _refresh(package, resource, data)


def engine_problems(package: Path, type_: str) -> list:
    return [p for p in validate_tables(package) if p.type == type_]


# --------------------------------------------------------------------------- self-references that loop


def test_an_actor_affiliated_with_itself_is_refused(mini):
    path = mini / ACTORS
    path.write_text(path.read_text(encoding="utf-8") + "  affiliation_actor_id: dmytro-ponomarenko\n", "utf-8")
    [p] = problems_of(mini, "record-rule")
    assert (p.file, p.line, p.field, p.record_id) == (ACTORS, 6, "affiliation_actor_id", "dmytro-ponomarenko")
    assert "'dmytro-ponomarenko' → 'dmytro-ponomarenko'" in p.message


def test_a_loop_of_affiliations_is_reported_once_at_the_record_that_closes_it(mini):
    """a → b → c → a, d leading into the loop, e in a chain that ends: one problem, at c (the last of the loop)."""
    first = append(mini, ACTORS, actor("aa", "bb") + actor("dd", "aa") + actor("bb", "cc") + actor("cc", "aa"))
    append(mini, ACTORS, actor("ee", "dmytro-ponomarenko"))
    [p] = problems_of(mini, "record-rule")
    assert (p.file, p.line, p.field, p.record_id) == (ACTORS, first + 3 * 4 + 3, "affiliation_actor_id", "cc")
    assert "'cc' → 'aa' → 'bb' → 'cc'" in p.message


def test_a_loop_of_three_relays_is_reported_once_with_its_path(mini):
    """a → b → c → a, a relaying the fixture's source too, d leading into the loop: one problem, at the relay
    that closes the loop (the search starts at a, the first of its sources)."""
    first = append(
        mini,
        SOURCES,
        source("src-a", "seed-000-korea-times", "src-b")
        + source("src-b", "src-c")
        + source("src-c", "src-a")
        + source("src-d", "src-a"),
    )
    [p] = problems_of(mini, "record-rule")
    c_relay = first + (SOURCE_LINES + 1 + 4) + (SOURCE_LINES + 1 + 2) + SOURCE_LINES + 1
    assert (p.file, p.line, p.field, p.record_id) == (SOURCES, c_relay, "relays[0].source_id", "src-c")
    assert "relays comes back to this record: 'src-c' → 'src-a' → 'src-b' → 'src-c'" in p.message
    assert p.hint == "a chain of relays must end: empty or change one of the references in the loop"


def test_every_loop_through_a_source_that_relays_several_is_reported(mini):
    """a relays b and c, and both relay a: two loops (one pointer per source could hold only one), each once."""
    append(mini, SOURCES, source("src-a", "src-b", "src-c") + source("src-b", "src-a") + source("src-c", "src-a"))
    found = [(p.record_id, p.field, p.message.split(": ", 1)[1]) for p in problems_of(mini, "record-rule")]
    assert found == [
        ("src-b", "relays[0].source_id", "'src-b' → 'src-a' → 'src-b'"),
        ("src-c", "relays[0].source_id", "'src-c' → 'src-a' → 'src-c'"),
    ]


def test_a_source_relaying_itself_or_the_same_source_twice_is_refused(mini):
    first = append(
        mini,
        SOURCES,
        source("src-a", "src-a") + source("src-b", "seed-000-korea-times", "src-a", "seed-000-korea-times"),
    )
    found = [(p.line, p.field, p.record_id, p.message) for p in problems_of(mini, "record-rule")]
    b = first + SOURCE_LINES + 3
    assert found == [
        (first + SOURCE_LINES + 1, "relays[0].source_id", "src-a", "a source cannot relay itself"),
        (
            b + SOURCE_LINES + 5,
            "relays[2]",
            "src-b",
            f"the source already relays 'seed-000-korea-times' (relays[0], line {b + SOURCE_LINES + 1})",
        ),
    ]


def test_a_relay_of_an_unknown_source_is_refused(mini):
    first = append(mini, SOURCES, source("src-a", "seed-000-korea-time"))
    [p] = problems_of(mini, "dangling-reference")
    assert (p.line, p.field, p.record_id) == (first + SOURCE_LINES + 1, "relays[0].source_id", "src-a")
    assert "'seed-000-korea-time' is not the id of any record in sources" in p.message


def test_relays_are_published_as_rows_of_source_relays(mini, no_frictionless):
    """Two relays of one source become two rows, numbered in the record's order, and the engine accepts them."""
    from nk_troops.build import build

    append(mini, SOURCES, source("src-b") + source("src-a", "src-b", "seed-000-korea-times"))
    report, _ = build(mini)
    assert report.ok, report.render()
    _, rows = read_table(mini, "source_relays")
    assert rows == [
        {"relay_id": "src-a/r1", "source_id": "src-a", "relayed_source_id": "src-b", "what": "The report of src-b."},
        {
            "relay_id": "src-a/r2",
            "source_id": "src-a",
            "relayed_source_id": "seed-000-korea-times",
            "what": "The report of seed-000-korea-times.",
        },
    ]
    head, _ = read_table(mini, "sources")
    assert not {"relays", "relays_source_id", "relay_note"} & set(head)
    assert validate_tables(mini) == []


def test_the_engine_refuses_loops_in_every_self_reference(mini):
    """The published package with an actor naming itself, a loop of three actors (with a row leading into it)
    and a loop of two sources: one problem per loop, at the row that closes it, with the loop in the message."""
    head, rows = read_table(mini, "actors")
    base = dict(rows[0])
    added = [("aa", "aa"), ("bb", "cc"), ("ee", "bb"), ("cc", "dd"), ("dd", "bb")]
    rows += [{**base, "actor_id": a, "affiliation_actor_id": b} for a, b in added]
    write_table(mini, "actors", head, rows)
    found = {(p.resource, p.row, p.field): p.message for p in engine_problems(mini, "record-rule")}
    assert set(found) == {
        ("actors", 3, "affiliation_actor_id"),  # aa (row 1 is the header, row 2 the fixture's actor)
        ("actors", 7, "affiliation_actor_id"),  # dd closes bb → cc → dd
    }
    assert "'aa' → 'aa'" in found["actors", 3, "affiliation_actor_id"]
    assert "'dd' → 'bb' → 'cc' → 'dd'" in found["actors", 7, "affiliation_actor_id"]


def add_sources(package: Path, *ids: str) -> None:
    head, rows = read_table(package, "sources")
    base = {**rows[0], "status": "not_archived", "archived_file": "", "sha256": ""}
    write_table(package, "sources", head, rows + [{**base, "source_id": i} for i in ids])


def write_relays(package: Path, relays: list[tuple[str, str, str]]) -> None:
    """Rows of source_relays: (relay_id, source_id, relayed_source_id)."""
    head, _ = read_table(package, "source_relays")
    rows = [dict(relay_id=r, source_id=s, relayed_source_id=o, what=f"The report of {o}.") for r, s, o in relays]
    write_table(package, "source_relays", head, rows)


def test_the_engine_reports_a_loop_of_three_relays_once_with_its_path(mini):
    """As in the records: a → b → c → a, a relaying the fixture's source too, d leading into the loop."""
    add_sources(mini, "src-a", "src-b", "src-c", "src-d")
    write_relays(
        mini,
        [
            ("src-a/r1", "src-a", "seed-000-korea-times"),
            ("src-a/r2", "src-a", "src-b"),
            ("src-b/r1", "src-b", "src-c"),
            ("src-c/r1", "src-c", "src-a"),
            ("src-d/r1", "src-d", "src-a"),
        ],
    )
    [p] = engine_problems(mini, "record-rule")
    assert (p.resource, p.row, p.field) == ("source_relays", 5, "relayed_source_id")  # src-c/r1
    assert p.message == "relays comes back to this record: 'src-c' → 'src-a' → 'src-b' → 'src-c'"
    assert p.hint == "a chain of relays must end: empty or change one of the references in the loop"


def test_the_engine_reports_every_loop_through_a_source_that_relays_several(mini):
    add_sources(mini, "src-a", "src-b", "src-c")
    relays = [("src-a/r1", "src-a", "src-b"), ("src-a/r2", "src-a", "src-c")]
    write_relays(mini, relays + [("src-b/r1", "src-b", "src-a"), ("src-c/r1", "src-c", "src-a")])
    found = [(p.row, p.message.split(": ", 1)[1]) for p in engine_problems(mini, "record-rule")]
    assert found == [(4, "'src-b' → 'src-a' → 'src-b'"), (5, "'src-c' → 'src-a' → 'src-c'")]


def test_the_engine_refuses_a_self_relay_a_repeated_relay_and_an_unknown_one(mini):
    add_sources(mini, "src-a", "src-b")
    write_relays(
        mini,
        [
            ("src-a/r1", "src-a", "src-a"),
            ("src-b/r1", "src-b", "seed-000-korea-times"),
            ("src-b/r2", "src-b", "src-a"),
            ("src-b/r3", "src-b", "seed-000-korea-times"),
            ("src-b/r4", "src-b", "seed-000-korea-time"),
            ("src-a/r2", "src-b", "src-a"),  # also written twice, and not numbered under its source
        ],
    )
    found = [(p.type, p.row, p.field, p.message) for p in validate_tables(mini)]
    assert found == [
        ("record-rule", 2, "relayed_source_id", "a source cannot relay itself"),
        ("record-rule", 5, None, "the source already relays 'seed-000-korea-times' (row 3)"),
        ("dangling-reference", 6, "relayed_source_id", "'seed-000-korea-time' is not the id of any record in sources"),
        ("record-rule", 7, None, "the source already relays 'src-a' (row 4)"),
        ("record-rule", 7, "relay_id", "'src-a/r2' does not start with its source_id 'src-b/r'"),
    ]


def test_the_engine_checks_the_fixture_package(mini):
    """A table whose date column is empty in every row (the fixture's one figure, 'by 2025-02-05', has no
    as_of_start): its rows are compared with their written dates without a traceback (before, pyarrow raised
    "no kernel matching input types (date32[day], string)": the empty column stayed text)."""
    assert validate_tables(mini) == []


# --------------------------------------------------------------------------- the same link twice

FIGURES = "dataset/records/figures.yaml"


def test_the_same_link_written_twice_is_refused_at_the_second(mini):
    """fg-kw's link (alternative_estimate, ev-capture) written again, and once with another relation (accepted)."""
    path = mini / FIGURES
    link = "    - relation: alternative_estimate\n      other_claim_id: ev-capture\n"
    other = "    - relation: corroborates\n      other_claim_id: ev-capture\n"
    text = path.read_text(encoding="utf-8")
    assert text.endswith(link)
    path.write_text(text + other + link, encoding="utf-8")
    [p] = problems_of(mini, "record-rule")
    assert (p.file, p.line, p.column, p.field, p.record_id) == (FIGURES, 20, 7, "links[2]", "fg-kw")
    assert "already linked to 'ev-capture' as alternative_estimate (links[0], line 16)" in p.message


def test_the_engine_refuses_the_same_link_twice(mini):
    head, rows = read_table(mini, "claim_links")
    [link] = rows
    rows += [
        {**link, "link_id": "fg-kw/l2", "relation": "corroborates"},  # another relation: another link
        {**link, "link_id": "fg-kw/l3", "note": "Written again."},
    ]
    write_table(mini, "claim_links", head, rows)
    [p] = engine_problems(mini, "record-rule")
    assert (p.resource, p.row, p.field) == ("claim_links", 4, None)
    assert "already linked to 'ev-capture' as alternative_estimate (row 2)" in p.message


# --------------------------------------------------------------------------- the same citation twice

EVENTS = "dataset/records/events.yaml"


@pytest.mark.parametrize("again", ["verbatim", "spaced"])
def test_the_same_place_cited_twice_by_one_claim_is_refused_at_the_second(mini, again):
    """A claim citing one passage twice (word for word, or with its spacing changed as the matching allows) was
    published as two citations of the same place."""
    path = mini / EVENTS
    text = path.read_text(encoding="utf-8")
    cited = '    - source_id: seed-000-korea-times\n      excerpt: "In mid-January, Ukrainian forces captured two North Korean soldiers"\n      voice: claimant\n'
    assert cited in text
    copy = cited if again == "verbatim" else cited.replace("January, Ukrainian", "January,  Ukrainian")
    path.write_text(text.replace(cited, cited + copy), encoding="utf-8")
    [p] = problems_of(mini, "record-rule")
    assert (p.file, p.line, p.record_id) == (EVENTS, 11, "ev-capture"), p
    assert "already cites this place of 'seed-000-korea-times' (citations[0], line 8)" in p.message, p.message


@pytest.mark.parametrize("written", ["as-is", "leading-zero", "plus-sign"])
def test_the_engine_refuses_the_same_place_cited_twice(mini, written):
    """The place was hashed as written: offsets written 0272 or +272 (numbers as Table Schema reads them) cited
    the same place unnoticed."""
    head, rows = read_table(mini, "citations")
    first = rows[0]
    again = {"as-is": "{}", "leading-zero": "0{}", "plus-sign": "+{}"}[written]
    offsets = {k: again.format(first[k]) for k in ("char_start", "char_end")}
    rows.append({**first, **offsets, "citation_id": first["claim_id"] + "/c9", "voice": "other"})
    write_table(mini, "citations", head, rows)
    [p] = engine_problems(mini, "record-rule")
    assert (p.resource, p.row) == ("citations", len(rows) + 1)
    assert "already cites this place of" in p.message and "(row 2)" in p.message, p.message


# --------------------------------------------------------------------------- an excerpt padded to the minimum


@pytest.mark.parametrize(
    ("padded", "length"), [("Ukr\naine", 7), ("K  y  i  v", 7), ("K\u00a0\u00a0y\u00a0\u00a0iv", 6)]
)
def test_an_excerpt_padded_to_the_minimum_is_refused_in_records(mini, padded, length):
    """'Ukraine' is 7 characters; a line break inside a word, or runs of spaces, make 8 or more as written but
    not as matched."""
    path = mini / "dataset/records/figures.yaml"
    text = path.read_text(encoding="utf-8")
    old = 'excerpt: "with approximately 4,000 killed or wounded so far"'
    assert old in text
    path.write_text(text.replace(old, "excerpt: " + json.dumps(padded)), encoding="utf-8")
    found = problems_of(mini, "field-error")
    assert [(p.field, p.message) for p in found] == [
        (
            "citations[0].excerpt",
            f"the excerpt is {length} characters once its spacing and line breaks are normalised; quote at least 8",
        )
    ]


@pytest.mark.parametrize("written", ["Nothing", "Kyiv\u00a0\u00a0\u00a0\u00a0\u00a0"])
def test_an_excerpt_too_short_to_look_for_is_one_problem(mini, written):
    """Besides the length error, a 7-letter excerpt not in the source was reported not found, with an unrelated
    passage as the nearest: it is too short to be looked for at all."""
    path = mini / "dataset/records/figures.yaml"
    text = path.read_text(encoding="utf-8")
    old = 'excerpt: "with approximately 4,000 killed or wounded so far"'
    path.write_text(text.replace(old, "excerpt: " + json.dumps(written)), encoding="utf-8")
    found = [p for p in validate(mini).problems if p.type != "tables-out-of-date"]
    assert [(p.type, p.field) for p in found] == [("field-error", "citations[0].excerpt")], found


def test_an_excerpt_padded_to_the_minimum_is_refused_in_tables(mini):
    head, rows = read_table(mini, "citations")
    rows[0]["excerpt"] = "Ukr\naine"
    write_table(mini, "citations", head, rows)
    found = [p for p in engine_problems(mini, "field-error") if p.field == "excerpt"]
    assert [(p.resource, p.row, p.message) for p in found] == [
        (
            "citations",
            2,
            "the excerpt is 7 characters once its spacing and line breaks are normalised; quote at least 8",
        )
    ]


# --------------------------------------------------------------------------- did-you-mean, bounded

MOST_COMPARISONS = 3_000_000
"""Far more comparisons than hints.BUDGET_SECONDS allows on any machine (each takes a microsecond or more),
far fewer than a search of every candidate for every wrong value makes (15,000 x 15,000)."""


@pytest.fixture
def comparisons(monkeypatch) -> dict:
    """Count difflib's comparisons (set_seq1: one per candidate tried) and the longest text given it;
    stop a run that goes past the bounds at once, instead of after minutes."""
    import difflib

    seen = {"count": 0, "longest": 0}
    real1, real2 = difflib.SequenceMatcher.set_seq1, difflib.SequenceMatcher.set_seq2

    def watch(text) -> None:
        seen["longest"] = max(seen["longest"], len(text))
        assert seen["longest"] <= 2_000, f"a text of {len(text):,} characters compared"

    def set_seq1(self, a):
        seen["count"] += 1
        assert seen["count"] <= MOST_COMPARISONS, "hint searches are not bounded"
        watch(a)
        return real1(self, a)

    def set_seq2(self, b):
        watch(b)
        return real2(self, b)

    monkeypatch.setattr(difflib.SequenceMatcher, "set_seq1", set_seq1)
    monkeypatch.setattr(difflib.SequenceMatcher, "set_seq2", set_seq2)
    return seen


def test_15000_misspelt_references_among_15000_ids_are_each_reported(mini, comparisons):
    """Each actor names a misspelling of another's id: every reference is reported, located, and the hints
    stop when their time is spent (before, each of the 15,000 was compared with all 15,000 ids: minutes)."""
    n = 15_000
    records = "".join(
        f"- actor_id: person-{i:05d}-kursk\n  name: Person {i}\n  actor_type: person\n"
        f"  affiliation_actor_id: persn-{(i + 1) % n:05d}-kursk\n"
        for i in range(n)
    )
    first = append(mini, ACTORS, records)
    assert (mini / ACTORS).stat().st_size < 2 * 1024 * 1024  # under the size limit of a records file
    found = problems_of(mini, "dangling-reference")
    assert [(p.file, p.line, p.field) for p in found] == [
        (ACTORS, first + 4 * i + 3, "affiliation_actor_id") for i in range(n)
    ]
    assert found[0].hint == "did you mean 'person-00001-kursk'?"
    assert comparisons["count"] < MOST_COMPARISONS


def test_an_excerpt_of_two_megabytes_is_refused_at_once(mini, comparisons):
    """An excerpt far over its length limit is refused for its length, and not searched for or compared
    (before, about 7 minutes of difflib against every sentence of the source)."""
    from nk_troops.hints import LONGEST

    words = "forces captured soldiers Kursk region ambassador interview "
    path = mini / "dataset/records/statements.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[8].startswith("      excerpt: ")
    lines[8] = f'      excerpt: "{(words * 32_000).strip()}"\n'
    path.write_text("".join(lines), encoding="utf-8")
    assert 1_800_000 < path.stat().st_size < 2 * 1024 * 1024  # under the size limit of a records file
    report = validate(mini, records_only=True)
    assert [(p.type, p.file, p.line, p.field) for p in report.sorted()] == [
        ("field-error", "dataset/records/statements.yaml", 9, "citations[0].excerpt")
    ]
    assert comparisons["longest"] <= LONGEST


def test_the_engine_compares_no_long_value_for_a_hint(mini, comparisons):
    """A megabyte in an enum cell: reported at its row, with no hint searched (before, difflib indexed
    the whole value for each such cell)."""
    from nk_troops.hints import LONGEST

    head, rows = read_table(mini, "events")
    rows[0]["event_type"] = "capture" * 150_000
    write_table(mini, "events", head, rows)
    [p] = engine_problems(mini, "field-error")
    assert (p.resource, p.row, p.field) == ("events", 2, "event_type")
    assert comparisons["longest"] <= LONGEST


def test_every_engine_run_has_its_own_hint_budget(mini, monkeypatch):
    """A budget spent before (here: emptied) does not take the hints of a later check-tables run."""
    from nk_troops import hints

    monkeypatch.setattr(hints, "_budget", hints.Budget(0.0))
    head, rows = read_table(mini, "events")
    rows[0]["event_type"] = "captrue"
    write_table(mini, "events", head, rows)
    [p] = engine_problems(mini, "field-error")
    assert (p.resource, p.row, p.field) == ("events", 2, "event_type")
    assert p.hint == hints.did_you_mean("capture")
