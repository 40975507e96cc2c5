"""The SQLite database: opens with sqlite3, keys hold, columns typed as the schema says, views join every claim with
its citations and sources, and the same tables always give the same bytes."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pytest
from conftest import REPO

from nk_troops.models import CLAIMS, PUBLISHED
from nk_troops.schema_gen import columns
from nk_troops.sqlite_export import SQLITE_PATH, to_sqlite
from nk_troops.validate import check_records
from nk_troops.writers import csv_cell

SQL_TYPE = {"string": "TEXT", "integer": "INTEGER", "number": "REAL", "date": "TEXT"}
STORED = {"string": "text", "integer": "integer", "number": "real", "date": "text"}


@pytest.fixture(scope="module")
def tables():
    result = check_records(REPO)
    assert result.tables is not None, result.report
    return result.tables


@pytest.fixture(scope="module")
def database(tables, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sqlite") / "nk_troops.sqlite"
    path.write_bytes(to_sqlite(tables))
    return path


@pytest.fixture
def con(database):
    con = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    yield con
    con.close()


def test_same_tables_same_bytes_and_the_committed_file_is_what_they_build(tables):
    first, second = to_sqlite(tables), to_sqlite(tables)
    assert first == second
    assert (REPO / SQLITE_PATH).read_bytes() == first
    assert first[:16] == b"SQLite format 3\x00"


def test_integrity_and_foreign_keys_hold(con):
    assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []


def test_tables_columns_types_and_keys_follow_the_table_schema(con):
    package = json.loads((REPO / "datapackage.json").read_text(encoding="utf-8"))
    for resource in package["resources"]:
        schema = resource["schema"]
        info = con.execute(f'PRAGMA table_info("{resource["name"]}")').fetchall()
        assert [row[1] for row in info] == [f["name"] for f in schema["fields"]], resource["name"]
        for (_, name, sql_type, notnull, _, pk), field in zip(info, schema["fields"], strict=True):
            assert sql_type == SQL_TYPE[field["type"]], (resource["name"], name)
            assert bool(notnull) == bool(field.get("constraints", {}).get("required")), (resource["name"], name)
            assert bool(pk) == (name in schema["primaryKey"]), (resource["name"], name)
            stored = {
                t for (t,) in con.execute(f'SELECT DISTINCT typeof("{name}") FROM "{resource["name"]}"').fetchall()
            }
            assert stored <= {STORED[field["type"]], "null"}, (resource["name"], name, stored)
        fks = con.execute(f'PRAGMA foreign_key_list("{resource["name"]}")').fetchall()
        got = sorted((row[3], row[2], row[4]) for row in fks)  # (from, table, to)
        want = sorted(
            (fk["fields"][0], fk["reference"]["resource"] or resource["name"], fk["reference"]["fields"][0])
            for fk in schema.get("foreignKeys", [])
        )
        assert got == want, resource["name"]


def test_every_row_and_value_is_the_published_csv(con):
    for model in PUBLISHED:
        names = [c.name for c in columns(model)]
        with open(REPO / "dataset" / "tables" / "csv" / f"{model.resource}.csv", encoding="utf-8", newline="") as fh:
            published = list(csv.reader(fh))[1:]
        rows = con.execute(f'SELECT {", ".join(names)} FROM "{model.resource}" ORDER BY rowid').fetchall()
        assert [[csv_cell(v) for v in row] for row in rows] == published, model.resource


@pytest.mark.parametrize(
    ("table", "column", "bad"),
    [
        ("figures", "measure", "'casualties'"),  # not a controlled value
        ("figures", "as_of_start", "'2025-02-30'"),  # not a day
        ("figures", "as_of_start", "'12 March 2025'"),  # not ISO
        ("figures", "value", "-1"),  # below the minimum
        ("figures", "value", "'many'"),  # not a number
        ("citations", "char_start", "1.5"),  # not an integer
    ],
)
def test_checks_refuse_what_the_schema_refuses(database, tmp_path, table, column, bad):
    copy = tmp_path / "copy.sqlite"
    copy.write_bytes(database.read_bytes())
    con = sqlite3.connect(copy)
    key = next(m.primary_key for m in PUBLISHED if m.resource == table)
    with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
        con.execute(f'UPDATE "{table}" SET "{column}" = {bad} WHERE rowid = (SELECT min(rowid) FROM "{table}")')
    con.execute(f'UPDATE "{table}" SET "{column}" = "{column}" WHERE "{key}" IS NOT NULL')  # the data itself passes
    con.close()


def test_claim_evidence_gives_every_claim_with_each_of_its_citations_and_source(con):
    n_claims = con.execute("SELECT count(*) FROM claims").fetchone()[0]
    n_citations = con.execute("SELECT count(*) FROM citations").fetchone()[0]
    rows = con.execute(
        "SELECT claim_id, record_type, claim_summary, citation_id, excerpt, char_start, char_end, source_id, outlet,"
        " published_text FROM claim_evidence"
    ).fetchall()
    assert len(rows) == n_citations > 0
    assert len({r[0] for r in rows}) == n_claims > 0
    assert {r[3] for r in rows} == {c for (c,) in con.execute("SELECT citation_id FROM citations")}
    assert all(r[2] for r in rows), "a claim without a summary"
    joined = con.execute(
        "SELECT count(*) FROM claim_evidence ce JOIN citations ci USING (citation_id)"
        " WHERE ce.claim_id = ci.claim_id AND ce.source_id = ci.source_id AND ce.excerpt = ci.excerpt"
    ).fetchone()[0]
    assert joined == n_citations


def test_one_evidence_view_per_claim_table(con):
    total = 0
    for model in CLAIMS:
        view = model.resource.removesuffix("s") + "_evidence"
        cur = con.execute(f'SELECT * FROM "{view}"')
        names = [d[0] for d in cur.description]
        rows = cur.fetchall()
        assert names[: len(columns(model))] == [c.name for c in columns(model)], view
        assert len(names) == len(set(names)), view
        n = con.execute(f'SELECT count(*) FROM "{model.resource}"').fetchone()[0]
        assert len({r[0] for r in rows}) == n > 0, view
        total += len(rows)
    assert total == con.execute("SELECT count(*) FROM citations").fetchone()[0]
