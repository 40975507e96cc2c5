"""The vectorised engine (nk_troops.engine) on synthetic packages from scripts/generate_synthetic.py.

No timing assertions here: scripts/benchmark.py measures speed and memory.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import sys
from pathlib import Path

import pytest
from conftest import generator, synthetic  # noqa: E402

pa = pytest.importorskip("pyarrow")

from nk_troops import models as M  # noqa: E402
from nk_troops.cli import main  # noqa: E402
from nk_troops.engine import build_tables, validate_tables, write_partitioned  # noqa: E402
from nk_troops.engine.compare import engine_keys, frictionless_keys  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
N = 2000


GEN = generator()


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("clean")
    synthetic(out, N, seed=7)
    return out


@pytest.fixture(scope="module")
def broken(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("broken")
    synthetic(out, N, seed=11, inject=2)
    return out


@pytest.fixture(scope="module")
def small_clean(tmp_path_factory) -> Path:
    """For tests of what a report says, not of reading at scale: a package of N=300 (frictionless-py and a
    process of its own take a second or more on the N=2000 one)."""
    return synthetic(tmp_path_factory.mktemp("small-clean"), 300, seed=7)


@pytest.fixture(scope="module")
def small_broken(tmp_path_factory) -> Path:
    return synthetic(tmp_path_factory.mktemp("small-broken"), 300, seed=11, inject=2)


def _injected(path: Path) -> set[tuple]:
    return {(e["resource"], e["row"], e["field"], e["type"]) for e in json.loads((path / "injected.json").read_text())}


def _found(problems) -> set[tuple]:
    return {(p.resource, p.row, p.field, p.type) for p in problems}


def _set_cells(package: Path, resource: str, edits: dict[int, dict[str, str]]) -> None:
    """Change cells of a published CSV ({frictionless row number: {field: text}}) and refresh bytes/hash."""
    path = package / "dataset" / "tables" / "csv" / f"{resource}.csv"
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8"), newline="")))
    head = rows[0]
    for row_number, cells in edits.items():
        for name, value in cells.items():
            rows[row_number - 1][head.index(name)] = value
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL).writerows(rows)
    data = buf.getvalue().encode("utf-8")
    path.write_bytes(data)
    _refresh(package, resource, data)


def _refresh(package: Path, resource: str, data: bytes) -> None:
    desc_path = package / "datapackage.json"
    desc = json.loads(desc_path.read_text(encoding="utf-8"))
    for res in desc["resources"]:
        if res["name"] == resource:
            res["bytes"] = len(data)
            res["hash"] = "sha256:" + hashlib.sha256(data).hexdigest()
    desc_path.write_text(json.dumps(desc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------- clean data


def test_clean_package_has_no_problems(clean):
    stats: dict = {}
    assert validate_tables(clean, stats=stats) == []
    assert stats["rows"] > 10 * N
    assert stats["tables"]["figures"] == N


def test_generator_is_deterministic(tmp_path):
    GEN.write_package(tmp_path / "a", 200, seed=3, inject=1)
    GEN.write_package(tmp_path / "b", 200, seed=3, inject=1)
    for rel in ("datapackage.json", "injected.json"):  # the descriptor holds every table's sha256
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes()


def test_generated_text_is_realistic(clean):
    text = b"".join(p.read_bytes() for p in (clean / "dataset" / "tables" / "csv").glob("*.csv")).decode("utf-8")
    assert any("\uac00" <= ch <= "\ud7a3" for ch in text)  # Hangul
    assert any("\u0400" <= ch <= "\u04ff" for ch in text)  # Cyrillic
    rows = list(
        csv.reader(io.StringIO((clean / "dataset/tables/csv/citations.csv").read_text(encoding="utf-8"), newline=""))
    )
    excerpts = [r[3] for r in rows[1:]]
    assert any("\n" in e for e in excerpts) and any('"' in e for e in excerpts) and any("," in e for e in excerpts)
    lengths = sorted(len(e) for e in excerpts)
    assert lengths[0] < 100 < 500 < lengths[-1]


# --------------------------------------------------------------------------- injected errors


@pytest.mark.parametrize("with_polars", [False, True], ids=["numpy-hashes", "polars-hashes"])
def test_every_injected_error_is_reported_exactly(broken, with_polars, monkeypatch):
    from nk_troops.engine import core

    if with_polars:  # the path packages above 32 MB take: polars hashes, regexes and child-id checks
        monkeypatch.setattr(core, "POLARS_MIN_BYTES", 0)
        monkeypatch.setattr(core, "PART_MIN", 50_000)
    expected = _injected(broken)
    kinds = {e["kind"] for e in json.loads((broken / "injected.json").read_text())}
    assert {
        "bad-type",
        "impossible-date",
        "non-padded-date",
        "bad-enum",
        "pattern",
        "duplicate-id",
        "dangling-reference",
        "rule-low-above-high",
        "missing-citation",
        "excerpt-not-in-source",
    } <= kinds
    found = _found(validate_tables(broken))
    assert expected - found == set()  # recall 100 %, same rows and fields
    assert found - expected == set()  # and nothing else


def test_split_reading_numbers_rows_like_one_read(broken, monkeypatch):
    from nk_troops.engine import core

    whole = _found(validate_tables(broken))
    monkeypatch.setattr(core, "PART_MIN", 50_000)  # every table in several byte ranges
    assert _found(validate_tables(broken)) == whole
    assert _found(validate_tables(broken, workers=1)) == whole


def test_no_cap_on_the_number_of_errors(tmp_path):
    synthetic(tmp_path, 300, seed=14)
    path = tmp_path / "dataset/tables/csv/claims.csv"
    rows = path.read_bytes().split(b"\r\n")
    rows = [rows[0]] + [
        r.replace(b",event", b",evnt").replace(b",figure", b",figur").replace(b",statement", b",statemnt")
        for r in rows[1:]
    ]
    data = b"\r\n".join(rows)
    path.write_bytes(data)
    _refresh(tmp_path, "claims", data)
    problems = validate_tables(tmp_path)
    assert sum(p.type == "field-error" and p.resource == "claims" for p in problems) == 900


# --------------------------------------------------------------------------- strict types


def test_strict_dates(tmp_path):
    synthetic(tmp_path, 100, seed=9)
    rows = list(
        csv.DictReader(
            io.StringIO((tmp_path / "dataset/tables/csv/events.csv").read_text(encoding="utf-8"), newline="")
        )
    )
    day_rows = [i + 2 for i, r in enumerate(rows) if r["date_precision"] == "day"]
    a, b, c = day_rows[:3]
    arabic = "".join(chr(0x0660 + int(ch)) if ch.isdigit() else ch for ch in rows[c - 2]["date_text"])
    _set_cells(
        tmp_path, "events", {a: {"date_start": "2025-02-30"}, b: {"date_end": "2021-7-04"}, c: {"date_text": arabic}}
    )
    found = _found(validate_tables(tmp_path))
    assert ("events", a, "date_start", "field-error") in found  # no rollover to 2025-03-02
    assert ("events", b, "date_end", "field-error") in found  # no padding of 2021-7-04
    assert ("events", c, "date_text", "record-rule") in found  # the same day in Arabic-Indic digits is no date form


@pytest.mark.parametrize("other", [None, "2025-02-30"], ids=["alone", "beside-a-bad-day"])
def test_a_day_of_year_0000_is_refused_not_a_traceback(tmp_path, other):
    """Arrow reads 0000-01-01 as a day; Python's date cannot hold it, and building a message about that row
    stopped check-tables with an OverflowError. Alone it takes Arrow's fast path; beside a bad day, the slow one."""
    synthetic(tmp_path, 100, seed=9)
    rows = list(csv.DictReader(io.StringIO((tmp_path / "dataset/tables/csv/events.csv").read_text(encoding="utf-8"))))
    a, b = [i + 2 for i, r in enumerate(rows) if r["date_precision"] == "day"][:2]
    _set_cells(tmp_path, "events", {a: {"date_start": "0000-01-01"}, **({b: {"date_end": other}} if other else {})})
    problems = [p for p in validate_tables(tmp_path) if p.row == a]
    assert [(p.field, p.type) for p in problems] == [("date_start", "field-error")], problems
    assert "year 0000" in problems[0].message


def test_numbers_and_integers_are_strict(tmp_path):
    synthetic(tmp_path, 100, seed=9)
    _set_cells(tmp_path, "citations", {2: {"char_start": "0x10"}, 3: {"char_end": "1_000"}, 4: {"char_start": " 5"}})
    found = _found(validate_tables(tmp_path))
    assert {
        ("citations", 2, "char_start", "field-error"),
        ("citations", 3, "char_end", "field-error"),
        ("citations", 4, "char_start", "field-error"),
    } <= found


# --------------------------------------------------------------------------- agreement with frictionless-py


def test_engine_reports_everything_frictionless_reports(small_broken):
    pytest.importorskip("frictionless")
    theirs = frictionless_keys(small_broken / "datapackage.json")
    ours = engine_keys(validate_tables(small_broken))
    assert theirs, "frictionless should find the injected errors it can express"
    assert [k for k in theirs if k not in ours] == []
    assert len(ours) > len(set(theirs))  # and more: cross-field rules, citations, excerpts, non-padded dates


def test_agreement_on_broken_rows_and_hashes(tmp_path):
    pytest.importorskip("frictionless")
    synthetic(tmp_path, 30, seed=2)
    path = tmp_path / "dataset/tables/csv/actors.csv"
    lines = path.read_bytes().split(b"\r\n")
    lines.insert(5, b"")  # a blank row: record 6
    lines[8] = lines[8].rsplit(b",", 2)[0]  # two cells short: record 9
    lines[10] = lines[10] + b",extra"  # one cell too many: record 11
    path.write_bytes(b"\r\n".join(lines))  # datapackage.json now has the wrong bytes and hash
    theirs = frictionless_keys(tmp_path / "datapackage.json")
    ours = engine_keys(validate_tables(tmp_path))
    assert ("actors", 6, None, "table-structure-error") in ours
    assert ("actors", None, None, "table-hash-mismatch") in ours
    assert [k for k in theirs if k not in ours] == []


# --------------------------------------------------------------------------- build at scale


def test_build_is_canonical_and_byte_identical(clean, tmp_path):
    first = build_tables(clean, tmp_path / "one", partition_rows=1000)
    build_tables(clean, tmp_path / "two", partition_rows=1000)
    files = sorted(p.relative_to(tmp_path / "one") for p in (tmp_path / "one").rglob("*") if p.is_file())
    assert files and files == sorted(
        p.relative_to(tmp_path / "two") for p in (tmp_path / "two").rglob("*") if p.is_file()
    )
    for rel in files:
        assert (tmp_path / "one" / rel).read_bytes() == (tmp_path / "two" / rel).read_bytes(), rel
    for csv_file in (clean / "dataset/tables/csv").glob("*.csv"):  # the generator writes the canonical bytes too
        assert (tmp_path / "one/dataset/tables/csv" / csv_file.name).read_bytes() == csv_file.read_bytes()
    assert first["rows"]["figures"] == N
    assert validate_tables(tmp_path / "one") == []


def test_csv_and_parquet_match_the_record_writers(clean, tmp_path):
    import pyarrow.parquet as pq

    from nk_troops.schema_gen import arrow_schema
    from nk_troops.writers import to_csv

    build_tables(clean, tmp_path)
    for model in M.PUBLISHED:
        table = pq.read_table(tmp_path / "dataset/tables/parquet" / f"{model.resource}.parquet")
        assert table.schema.equals(arrow_schema(model), check_metadata=False)
        rows = table.slice(0, 200).to_pylist()
        ours = (clean / "dataset/tables/csv" / f"{model.resource}.csv").read_bytes()
        theirs = to_csv(model, rows)
        assert ours[: len(theirs)] == theirs, model.resource  # the first 200 rows, byte for byte


@pytest.mark.parametrize("row_group", [None, 150], ids=["one-batch", "streamed-in-batches"])
def test_partitioned_parquet_reads_back_as_one_table(clean, tmp_path, row_group, monkeypatch):
    import pyarrow.parquet as pq

    from nk_troops.engine import writer

    if row_group:  # many batches and row groups: the file is streamed, a row group at a time
        monkeypatch.setattr(writer, "ROW_GROUP", row_group)
    build_tables(clean, tmp_path)
    single = tmp_path / "dataset/tables/parquet/figures.parquet"
    written = write_partitioned(single, tmp_path / "by_year", by="year")
    assert len(written) > 1 and all("year=" in str(p) for p in written)
    assert write_partitioned(single, tmp_path / "again", by="year") and all(
        (tmp_path / "by_year" / p.relative_to(tmp_path / "by_year")).read_bytes()
        == (tmp_path / "again" / p.relative_to(tmp_path / "by_year")).read_bytes()
        for p in written
    )
    total = pq.read_table(single).num_rows
    duckdb = pytest.importorskip("duckdb")
    con = duckdb.connect()
    n, years = con.execute(
        f"select count(*), count(distinct year) from read_parquet('{tmp_path}/by_year/**/*.parquet', hive_partitioning=true)"
    ).fetchone()
    assert n == total and years >= 2
    pl = pytest.importorskip("polars")
    df = pl.scan_parquet(f"{tmp_path}/by_year/**/*.parquet", hive_partitioning=True).collect()
    assert df.height == total and "year" in df.columns
    # the same rows, each in its year, in the original order within a year
    whole = pl.read_parquet(single).with_row_index("at")
    back = df.join(whole.select("figure_id", "at"), on="figure_id").sort("at")
    assert back.drop("year", "at").equals(whole.drop("at"))
    years = whole.select(pl.col("as_of_start").dt.year().cast(pl.Int64).alias("y"))["y"]
    assert back["year"].cast(pl.Int64).to_list() == years.to_list()
    for path in written:
        part = pq.read_table(path)
        assert part.num_rows and list(pl.from_arrow(part)["figure_id"]) == [
            f for f in whole.filter(pl.col("figure_id").is_in(part.column("figure_id").to_pylist()))["figure_id"]
        ]


def test_partitions_are_written_a_few_files_at_a_time(clean, tmp_path, monkeypatch):
    import pyarrow.parquet as pq

    from nk_troops.engine import writer

    build_tables(clean, tmp_path)
    single = tmp_path / "dataset/tables/parquet/figures.parquet"
    monkeypatch.setattr(writer, "MAX_OPEN_PARTITIONS", 2)
    monkeypatch.setattr(writer, "ROW_GROUP", 97)
    open_now, most = [0], [0]
    original = writer.ParquetOut

    class Counted(original):
        def __init__(self, *a, **k):
            super().__init__(*a, **k)
            open_now[0] += 1
            most[0] = max(most[0], open_now[0])

        def close(self):
            super().close()
            open_now[0] -= 1

    monkeypatch.setattr(writer, "ParquetOut", Counted)
    written = write_partitioned(single, tmp_path / "by_measure", by="measure")
    assert len(written) > 2 and most[0] == 2 and open_now[0] == 0
    whole = pq.read_table(single)
    back = {str(p.parent.name): pq.read_table(p) for p in written}
    assert sum(t.num_rows for t in back.values()) == whole.num_rows
    for folder, part in back.items():
        value = folder.split("=", 1)[1]
        expected = whole.filter(pa.compute.equal(whole.column("measure"), value)).drop_columns(["measure"])
        assert part.column("figure_id").to_pylist() == expected.column("figure_id").to_pylist()  # same rows, same order


# --------------------------------------------------------------------------- command line


def test_check_tables_command(small_clean, small_broken, capsys):
    assert main(["check-tables", "--package", str(small_clean / "datapackage.json")]) == 0
    capsys.readouterr()
    assert main(["check-tables", "--package", str(small_broken), "--format", "json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["valid"] is False and out["error_count"] == len(_injected(small_broken))


@pytest.mark.parametrize(
    "data, why",
    [
        (b"", "its first line is empty"),
        (b"\r\n", "its first line is empty"),
        (b"\nx,y\r\n", "its first line is empty"),
        (b',,"",\r\nx,y,z,w\r\n', "every name in its first line is empty"),
    ],
    ids=["empty", "a-line-end", "empty-first-line", "empty-names"],
)
def test_a_table_with_no_header_line_is_one_problem(tmp_path, data, why):
    """Found in review: an empty table file gave a problem for each of its columns."""
    synthetic(tmp_path, 30, seed=3)
    (tmp_path / "dataset/tables/csv/figures.csv").write_bytes(data)
    found = validate_tables(tmp_path, check_hash=False)
    said = [(p.type, p.field, p.message) for p in found if p.resource == "figures"]
    structure = [s for s in said if s[0] == "table-structure-error"]
    assert structure == [("table-structure-error", None, f"the table has no header line: {why}")], said


def test_no_hash_skips_the_sha256_but_not_the_size(tmp_path, capsys):
    """Found in review: --no-hash also skipped the size check, which costs nothing."""
    synthetic(tmp_path, 30, seed=3)
    path = tmp_path / "dataset/tables/csv/actors.csv"
    path.write_bytes(path.read_bytes() + b"x,y\r\n")  # the descriptor's bytes and hash are now both wrong
    assert main(["check-tables", "--package", str(tmp_path), "--no-hash", "--format", "json"]) == 1
    said = [(p["resource"], p["type"], p["message"]) for p in json.loads(capsys.readouterr().out)["errors"]]
    mismatch = [m for r, t, m in said if (r, t) == ("actors", "table-hash-mismatch")]
    assert len(mismatch) == 1 and "bytes; datapackage.json says" in mismatch[0], said


def test_check_tables_as_a_process_prints_its_whole_report_and_exit_code(small_clean, small_broken):
    """As a process of its own, with stdout buffered (as on most machines): the report is whole and the exit code kept."""
    import subprocess

    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    for package, code in ((small_clean, 0), (small_broken, 1)):
        out = subprocess.run(
            [sys.executable, "-m", "nk_troops.cli", "check-tables", "--package", str(package), "--format", "json"],
            capture_output=True,
            text=True,
            env=env,
        )
        assert out.returncode == code, out.stderr
        report = json.loads(out.stdout)
        assert report["error_count"] == len(report["errors"]) == (len(_injected(small_broken)) if code else 0)
        assert sum(report["counts"].values()) > 0


def test_a_header_that_is_not_ours_is_reported_without_a_traceback(tmp_path):
    """A bare CR in the header line, and a table saved as UTF-16: located problems (the csv module used to
    raise on both), and no cascade of 'is in claims but not in events' for every claim of the unread table."""
    synthetic(tmp_path, 300, seed=14)
    path = tmp_path / "dataset/tables/csv/events.csv"
    original = path.read_bytes()
    head, rest = original.split(b"\r\n", 1)
    cr = head.replace(b"event_id,", b"event_id\r,", 1) + b"\r\n" + rest
    path.write_bytes(cr)
    _refresh(tmp_path, "events", cr)
    problems = validate_tables(tmp_path)
    assert [(p.type, p.resource) for p in problems] == [("table-structure-error", "events")], problems
    assert "bare CR" in problems[0].message  # pyarrow would end the header there
    utf16 = original.decode("utf-8").encode("utf-16")
    path.write_bytes(utf16)
    _refresh(tmp_path, "events", utf16)
    problems = validate_tables(tmp_path)
    assert [(p.type, p.resource, p.message) for p in problems] == [
        ("encoding-error", "events", "the file is not UTF-8, so its header cannot be read")
    ]


@pytest.mark.parametrize(
    "header, expected",
    [
        ("claim_id,claim_id", {("claim_id", "names the column 'claim_id' 2 times"), ("record_type", "no column")}),
        ("claim_id,record_type,claim_id", {("claim_id", "names the column 'claim_id' 2 times")}),
        ("claim_id,record_type,x,x", {("x", "a column 'x' that the table does not define")}),
    ],
    ids=["in-place-of-another", "added-at-the-end", "unknown-twice"],
)
def test_a_column_named_twice_in_a_header_is_said_as_such(tmp_path, header, expected):
    """A header with a column named twice was reported as 'the columns are not in the defined order'."""
    synthetic(tmp_path, 50, seed=15)
    path = tmp_path / "dataset/tables/csv/claims.csv"
    head, rest = path.read_bytes().split(b"\r\n", 1)
    assert head == b"claim_id,record_type", head
    data = header.encode() + b"\r\n" + rest
    path.write_bytes(data)
    _refresh(tmp_path, "claims", data)
    problems = [p for p in validate_tables(tmp_path) if p.resource == "claims"]
    assert problems and all(p.type == "table-structure-error" for p in problems), problems
    said = {(p.field, p.message) for p in problems}
    for field, words in expected:
        assert any(f == field and words in m for f, m in said), said
    assert not any("defined order" in m for _, m in said), said
    assert len(problems) == len(expected), problems


def test_every_reference_into_a_table_of_no_rows_dangles(tmp_path):
    """A table holding its header alone was never looked up: the references into it went unchecked, and a
    package whose actors table was emptied passed."""
    synthetic(tmp_path, 50, seed=15)
    tables = tmp_path / "dataset/tables/csv"
    data = (tables / "actors.csv").read_bytes().split(b"\r\n", 1)[0] + b"\r\n"
    (tables / "actors.csv").write_bytes(data)
    _refresh(tmp_path, "actors", data)
    expected = set()
    for resource, column in (("events", "claimant_actor_id"), ("statements", "speaker_actor_id")):
        rows = list(csv.DictReader(io.StringIO((tables / f"{resource}.csv").read_text(encoding="utf-8"), newline="")))
        expected |= {(resource, i + 2, column, "dangling-reference") for i, r in enumerate(rows) if r[column]}
    found = {k for k in _found(validate_tables(tmp_path)) if k[2] in ("claimant_actor_id", "speaker_actor_id")}
    assert len(expected) > 20 and expected <= found, sorted(expected - found)[:5]


@pytest.mark.parametrize("table", ["actors", "claims", "sources"])
@pytest.mark.parametrize("rows", ["one", "every"])
def test_a_table_with_rows_it_could_not_split_is_not_looked_up(tmp_path, table, rows):
    """A skipped row's key is unknown: every reference to it was reported as dangling (and with every row skipped,
    every reference into the table; for claims, every claim as held by nothing and cited by nothing)."""
    synthetic(tmp_path, 50, seed=15)
    path = tmp_path / f"dataset/tables/csv/{table}.csv"
    lines = path.read_bytes().split(b"\r\n")
    last = 2 if rows == "one" else len(lines) - 1
    lines[1:last] = [line + b",extra" for line in lines[1:last]]
    data = b"\r\n".join(lines)
    path.write_bytes(data)
    _refresh(tmp_path, table, data)
    problems = validate_tables(tmp_path)
    assert {(p.resource, p.type) for p in problems} == {(table, "table-structure-error")}, problems[:5]
    assert len(problems) == last - 1


@pytest.mark.parametrize(
    "first, said",
    [
        (b'"claim_id\n",record_type\r\n', {"a column 'claim_id\\n' that the table", "no column 'claim_id'"}),
        (
            b'claim"_id,record_type\r\n',
            {"a column 'claim\"_id' that the table", "no column 'claim_id'", "neither opens nor closes"},
        ),
        (b"claim_id,record_type\r", {"bare CR"}),
    ],
    ids=["quoted-line-break", "quote-inside-a-cell", "bare-cr-and-no-rows"],
)
def test_the_header_line_ends_where_pyarrow_ends_it(tmp_path, first, said):
    """The header was read to the first LF, even inside a quoted cell (every later column then missing); a quote
    inside an unquoted cell was taken to open a quoted one; a header alone ending in a bare CR passed."""
    synthetic(tmp_path, 30, seed=2)
    path = tmp_path / "dataset/tables/csv/claims.csv"
    rest = path.read_bytes().split(b"\r\n", 1)[1]
    data = first + (rest if first.endswith(b"\n") else b"")
    path.write_bytes(data)
    _refresh(tmp_path, "claims", data)
    problems = [p for p in validate_tables(tmp_path) if p.resource == "claims"]
    messages = [p.message.replace("\n", "\\n") for p in problems]
    assert all(p.type == "table-structure-error" for p in problems) and len(problems) == len(said), messages
    assert all(any(words in m for m in messages) for words in said), messages


@pytest.mark.parametrize("extra", ["one-long", "many"])
def test_a_header_that_is_not_the_tables_is_said_briefly(tmp_path, extra):
    """A header name of a MiB was printed whole, twice; 10,000 unknown columns gave 10,000 problems."""
    synthetic(tmp_path, 30, seed=2)
    path = tmp_path / "dataset/tables/csv/claims.csv"
    head, rest = path.read_bytes().split(b"\r\n", 1)
    added = [b"x" * (1 << 20)] if extra == "one-long" else [b"c%d" % i for i in range(10_000)]
    data = b",".join([head, *added]) + b"\r\n" + rest
    path.write_bytes(data)
    _refresh(tmp_path, "claims", data)
    problems = [p for p in validate_tables(tmp_path) if p.resource == "claims"]
    assert len(problems) == 1 and len(problems[0].to_text()) < 300, [p.to_text()[:300] for p in problems[:3]]
    if extra == "many":
        assert "10,000 columns the table does not define" in problems[0].message


def test_the_rows_read_before_a_record_longer_than_a_block_are_checked(tmp_path):
    """Batches are checked a group at a time; a read that stopped (a cell over pyarrow's block) dropped the group
    read so far unchecked, and said it stopped "after 0 rows". Now the long record is read alone and checked
    (tests/test_engine_record_ends.py checks the rows after it)."""
    synthetic(tmp_path, 300, seed=14)
    _set_cells(tmp_path, "actors", {10: {"actor_type": "bogus"}, 250: {"notes": "x" * (2 << 20)}})
    found = validate_tables(tmp_path)
    assert ("actors", 10, "actor_type", "field-error") in _found(found)
    assert ("actors", 250, "notes", "field-error") in _found(found)  # over its length limit
    assert not [p for p in found if "reading stopped" in p.message]


def test_a_split_point_at_the_end_of_the_file_makes_no_empty_part(tmp_path, monkeypatch):
    """When the last record is longer than the span between split targets, a cut can fall at the end of
    the file; that empty byte range used to be reported as 'Empty CSV file' with two workers only."""
    from nk_troops.engine import core

    synthetic(tmp_path, 1000, seed=12)
    rows = list(
        csv.reader(io.StringIO((tmp_path / "dataset/tables/csv/events.csv").read_text(encoding="utf-8"), newline=""))
    )
    _set_cells(tmp_path, "events", {len(rows): {"notes": "x" * 900_000}})
    monkeypatch.setattr(core, "PART_MIN", 200_000)
    one, two = (_found(validate_tables(tmp_path, workers=w)) for w in (1, 2))
    assert one == two
    assert ("events", len(rows), "notes", "field-error") in two  # the long cell itself: over its length limit


def test_values_that_would_act_on_a_terminal_reach_the_report_inert(tmp_path):
    """Control characters, line breaks and lone surrogates from a table or a descriptor: escaped in the text
    report (no terminal escape, no forged report line), and printed without a traceback, as a process."""
    import subprocess

    synthetic(tmp_path, 100, seed=9)
    _set_cells(tmp_path, "claims", {2: {"claim_id": "ev-x\x1b[2J\x1b]0;PWNED\x07\n::error forged"}})
    desc = tmp_path / "datapackage.json"
    desc.write_text(desc.read_text(encoding="utf-8").replace("csv/events.csv", "csv/events\\ud800.csv", 1))
    for fmt in ("text", "json", "github"):
        cmd = [sys.executable, "-m", "nk_troops.cli", "check-tables", "--package", str(tmp_path), "--format", fmt]
        out = subprocess.run(cmd, capture_output=True, text=True, errors="strict")
        assert out.returncode == 1 and "Traceback" not in out.stderr, out.stderr
        assert "\x1b" not in out.stdout and "\x07" not in out.stdout, fmt
        if fmt == "json":
            assert any("\ud800" in (p["message"] or "") for p in json.loads(out.stdout)["errors"])
        else:
            lines = out.stdout.splitlines()
            assert not any(line.startswith("::error forged") for line in lines), fmt
            assert "\\x1b[2J" in out.stdout, fmt  # shown, as its escape


def test_a_quote_left_open_at_the_end_of_a_table_is_reported(tmp_path):
    """pyarrow reads a quoted cell that the file ends inside as if it were closed: the first pass counts the
    quotes, and an odd number is a located problem of the table (the package passed with exit 0 before)."""
    synthetic(tmp_path, 100, seed=9)
    path = tmp_path / "dataset/tables/csv/citations.csv"
    data = path.read_bytes().rstrip(b"\r\n") + b'"abc'
    path.write_bytes(data)
    _refresh(tmp_path, "citations", data)
    problems = validate_tables(tmp_path)
    assert [(p.resource, p.type) for p in problems] == [("citations", "table-structure-error")], problems
    assert "odd number of double quotes" in problems[0].message


def test_a_table_of_its_header_alone_with_no_line_end_is_an_empty_table(tmp_path):
    """Valid CSV (RFC 4180 needs no line end after the last line): pyarrow cannot infer its columns, which
    was reported as an unreadable file; with a line end it passed."""
    synthetic(tmp_path, 100, seed=9)
    path = tmp_path / "dataset/tables/csv/source_relays.csv"
    data = path.read_bytes().split(b"\r\n", 1)[0]
    path.write_bytes(data)
    _refresh(tmp_path, "source_relays", data)
    assert validate_tables(tmp_path) == []


def test_a_stray_quote_gives_the_same_report_whole_or_split(tmp_path, monkeypatch):
    """The cutter finds record boundaries by quote parity; pyarrow reads a quote inside an unquoted cell as
    a letter. With an odd number of quotes a cut could fall inside a record (bogus structure errors, rows
    numbered wrong, a verdict that changed with the number of workers): such a file is read as one part."""
    from nk_troops.engine import core

    synthetic(tmp_path, 600, seed=14)
    path = tmp_path / "dataset/tables/csv/citations.csv"
    rows = path.read_bytes().split(b"\r\n")
    rows[2] = rows[2][:3] + b'"' + rows[2][3:]  # a quote in the citation id of row 3
    data = b"\r\n".join(rows)
    path.write_bytes(data)
    _refresh(tmp_path, "citations", data)
    whole = _found(validate_tables(tmp_path, workers=1))
    assert ("citations", 3, None, "table-structure-error") in whole  # the quote, located to its row
    monkeypatch.setattr(core, "PART_MIN", 50_000)  # every table in several byte ranges
    assert _found(validate_tables(tmp_path)) == whole
    assert _found(validate_tables(tmp_path, workers=1)) == whole


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("header", ["as-written", "columns-swapped", "names-quoted", "a-column-twice"])
def test_a_table_whose_lines_end_in_a_bare_cr_is_one_problem(tmp_path, monkeypatch, workers, header):
    """Lines ended by CR alone: the header was read to the first LF, and every cell up to it was reported as a
    column the table does not define (92 problems for the actors table). pyarrow misreads the quoted line
    breaks of such a file, so it is one problem of the table, which is not read further."""
    from nk_troops.engine import core

    synthetic(tmp_path, 300, seed=14)
    path = tmp_path / "dataset/tables/csv/citations.csv"
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8"), newline="")))
    if header == "columns-swapped":
        rows[0][:2] = rows[0][1::-1]
    elif header == "a-column-twice":
        rows[0].append(rows[0][-1])
    buf = io.StringIO(newline="")
    quoting = csv.QUOTE_ALL if header == "names-quoted" else csv.QUOTE_MINIMAL
    csv.writer(buf, lineterminator="\r", quoting=quoting).writerows(rows)
    data = buf.getvalue().encode("utf-8")
    path.write_bytes(data)
    _refresh(tmp_path, "citations", data)
    monkeypatch.setattr(core, "PART_MIN", 50_000)  # with two workers, tables in several byte ranges
    from nk_troops.engine import scan

    parts_read, read_rows = [], scan.read_rows
    monkeypatch.setattr(scan, "read_rows", lambda run, st: (parts_read.append(st.part), read_rows(run, st))[1])
    problems = validate_tables(tmp_path, workers=workers)
    assert [(p.resource, p.row, p.type) for p in problems] == [("citations", 1, "table-structure-error")], problems
    assert "bare CR" in problems[0].message and "CRLF" in (problems[0].hint or "")
    assert set(parts_read) == {0}  # such a table is read as one part: a cut at an LF may fall inside a record


def test_a_record_too_long_to_read_leaves_no_later_row_misnumbered(tmp_path, monkeypatch):
    """A cell longer than pyarrow's block stops the read of its part. The rows of the parts after it were
    numbered as if that part had ended there (131,250 rows too early in a review); then the table was what one
    read of it reported, the rest unread. Now the record is read alone, and every later row, in this part and the
    next ones, is read and numbered as in a read of the whole file."""
    from nk_troops.engine import core

    synthetic(tmp_path, 600, seed=14)
    n = (tmp_path / "dataset/tables/csv/citations.csv").read_bytes().count(b"\r\n")
    _set_cells(tmp_path, "citations", {n // 3: {"excerpt": "B" * (2 << 20)}, n - 2: {"voice": "OWNVOICE"}})
    whole = _found(validate_tables(tmp_path, workers=1))
    assert ("citations", n // 3, "excerpt", "field-error") in whole  # over its length limit
    assert ("citations", n - 2, "voice", "field-error") in whole
    assert not [w for w in whole if w[3] == "file-unreadable"]
    monkeypatch.setattr(core, "PART_MIN", 50_000)  # every table in several byte ranges
    assert _found(validate_tables(tmp_path)) == whole
