"""The published tables as one SQLite database, for Datasette, ``sqlite3`` and spreadsheet users.

Everything comes from the one definition of the columns (``schema_gen.columns``): each column's SQLite type
(``TEXT``, ``INTEGER``, ``REAL``; a date is ISO ``TEXT``), ``NOT NULL`` where it is required, ``CHECK`` constraints
for its type, its controlled values, dates and bounds, the primary key and the foreign keys of the Table Schema.
Views join each claim with its citations and their sources: ``claim_evidence`` (every claim, one row per citation)
and ``<table>_evidence`` for each claim table (events, statements, figures) with all its columns.

The file is deterministic: it is written into a fresh temporary file with a fixed page size, no journal and no
timestamps, then VACUUMed; the header's "SQLite version" field (bytes 96-99, informational only) is set to a fixed
value so that the same rows give the same bytes whatever SQLite library wrote them.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import Any

from .descriptor import SQLITE_DIR
from .models import CLAIMS, PUBLISHED, CitationRow, Record, SourceRecord
from .schema_gen import Column, columns
from .tables import Rows

SQLITE_PATH = f"{SQLITE_DIR}/nk_troops.sqlite"
PAGE_SIZE = 4096
HEADER_VERSION = 3_000_000
"""Written at offset 96 of the header in place of the writing library's version number (informational there)."""

SQL_TYPES = {"string": "TEXT", "integer": "INTEGER", "number": "REAL", "date": "TEXT", "boolean": "INTEGER"}
TYPEOF = {"string": "text", "integer": "integer", "number": "real", "date": "text", "boolean": "integer"}

SOURCE_COLUMNS = ("outlet", "headline", "published_text", "published_start", "url")
"""What the evidence views show of a citation's source (besides its id)."""
CITATION_COLUMNS = ("citation_id", "excerpt", "char_start", "char_end", "source_id")


def _num(expr: str) -> str:
    """SQL: a REAL as text, without a needless ``.0`` (12000.0 → 12000)."""
    return f"CASE WHEN {expr} = CAST({expr} AS INTEGER) THEN CAST(CAST({expr} AS INTEGER) AS TEXT) ELSE CAST({expr} AS TEXT) END"


CLAIM_SUMMARY = {
    "events": "e.event_type || ': ' || e.summary",
    "statements": "st.form || ' (' || st.speaker_actor_id || '): ' || st.text",
    "figures": (
        f"f.measure || ' ' || f.qualifier || ' ' || COALESCE({_num('f.value')}, "
        f"{_num('f.value_low')} || '-' || {_num('f.value_high')}, '?') || ' ' || f.unit || ': ' || f.subject"
    ),
}
"""SQL: one line that says what each kind of claim claims (plain SQL, so the views work in any SQLite)."""
ALIAS = {"events": "e", "statements": "st", "figures": "f"}
CLAIM_ID = "claim_id"
"""The column of the claims and citations tables that names a claim."""


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def literal(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def column_sql(col: Column, model: type[Record]) -> str:
    """One column of a CREATE TABLE: its type, NOT NULL, its checks, its key and its reference."""
    name = quote(col.name)
    parts = [name, SQL_TYPES[col.type]]
    if col.name == model.primary_key:
        parts.append("PRIMARY KEY")
    if col.required or col.name == model.primary_key:
        parts.append("NOT NULL")
    checks = [f"typeof({name}) = '{TYPEOF[col.type]}'"]
    if col.type == "date":  # an ISO day that exists (a modifier makes date() turn 2025-02-30 into 2025-03-02)
        checks.append(f"{name} GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]' AND date({name}, '+0 days') = {name}")
    if col.type == "boolean":
        checks.append(f"{name} IN (0, 1)")
    if col.enum is not None:
        checks.append(f"{name} IN ({', '.join(literal(v) for v in col.enum.values())})")
    if col.minimum is not None:
        checks.append(f"{name} >= {literal(col.minimum)}")
    if col.maximum is not None:
        checks.append(f"{name} <= {literal(col.maximum)}")
    if col.min_length is not None:
        checks.append(f"length({name}) >= {col.min_length}")
    if col.max_length is not None:
        checks.append(f"length({name}) <= {col.max_length}")
    parts.append(f"CHECK ({name} IS NULL OR ({' AND '.join(checks)}))")
    if col.fk:
        table, field = col.fk.split(".")
        parts.append(f"REFERENCES {quote(table)} ({quote(field)})")
    return " ".join(parts)


def create_table_sql(model: type[Record]) -> str:
    body = ",\n  ".join(column_sql(c, model) for c in columns(model))
    return f"CREATE TABLE {quote(model.resource)} (\n  {body}\n)"


def _evidence_joins(claim_table_sql: str) -> str:
    cite = ", ".join(f"ci.{quote(c)}" for c in CITATION_COLUMNS)
    src = ", ".join(f"s.{quote(c)}" for c in SOURCE_COLUMNS)
    return f"{claim_table_sql}, {cite}, {src}"


def views_sql() -> list[str]:
    """claim_evidence (every claim) and one <table>_evidence view per claim table."""
    claim_id = CLAIM_ID
    keys = {m.resource: m.primary_key for m in CLAIMS}
    summary = (
        "COALESCE("
        + ", ".join(f"CASE WHEN {ALIAS[r]}.{quote(keys[r])} IS NOT NULL THEN {s} END" for r, s in CLAIM_SUMMARY.items())
        + ")"
    )
    joins = " ".join(
        f"LEFT JOIN {quote(m.resource)} {ALIAS[m.resource]} ON {ALIAS[m.resource]}.{quote(m.primary_key)} = c.{quote(claim_id)}"
        for m in CLAIMS
    )
    out = [
        "CREATE VIEW claim_evidence AS SELECT "
        + _evidence_joins(f"c.{quote(claim_id)}, c.record_type, {summary} AS claim_summary")
        + f" FROM claims c JOIN {quote(CitationRow.resource)} ci ON ci.{quote(claim_id)} = c.{quote(claim_id)}"
        + f" JOIN {quote(SourceRecord.resource)} s ON s.{quote(SourceRecord.primary_key)} = ci.source_id"
        + f" {joins} ORDER BY c.{quote(claim_id)}, ci.citation_id"
    ]
    for m in CLAIMS:
        a = ALIAS[m.resource]
        view = m.resource.removesuffix("s") + "_evidence"
        out.append(
            f"CREATE VIEW {quote(view)} AS SELECT "
            + _evidence_joins(f"{a}.*")
            + f" FROM {quote(m.resource)} {a} JOIN {quote(CitationRow.resource)} ci ON ci.{quote(claim_id)} = {a}.{quote(m.primary_key)}"
            + f" JOIN {quote(SourceRecord.resource)} s ON s.{quote(SourceRecord.primary_key)} = ci.source_id"
            + f" ORDER BY {a}.{quote(m.primary_key)}, ci.citation_id"
        )
    return out


def _value(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


def schema_sql() -> list[str]:
    return [create_table_sql(m) for m in PUBLISHED] + views_sql()


def to_sqlite(tables: dict[str, Rows]) -> bytes:
    """The database of the published tables, as bytes (the same tables always give the same bytes)."""
    con = sqlite3.connect(":memory:", isolation_level=None)  # no file: nothing on disk to race for or clean up
    try:
        con.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        con.execute("PRAGMA journal_mode = OFF")
        # foreign keys are not enforced while the rows go in (a source may relay one listed after it);
        # the tests run PRAGMA foreign_key_check on the result
        con.execute("BEGIN")
        for sql in schema_sql():
            con.execute(sql)
        for model in PUBLISHED:
            names = [c.name for c in columns(model)]
            insert = (
                f"INSERT INTO {quote(model.resource)} ({', '.join(map(quote, names))}) "
                f"VALUES ({', '.join('?' for _ in names)})"
            )
            con.executemany(insert, ([_value(row[n]) for n in names] for row in tables[model.resource]))
        con.execute("COMMIT")
        con.execute("VACUUM")
        data = bytearray(con.serialize())
    finally:
        con.close()
    data[96:100] = HEADER_VERSION.to_bytes(4, "big")
    return bytes(data)
