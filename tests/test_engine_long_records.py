"""A record longer than the CSV reader's block stops pyarrow's reader. It is reported at its row, and the rows
after it are read and checked on, whole files and split ones alike, valid UTF-8 or not."""

from __future__ import annotations

import csv
import io

import pytest
from test_engine import GEN, _refresh  # the synthetic generator (scripts/generate_synthetic.py), loaded once

from nk_troops.engine import validate_tables

BLOCK = 4096
LONG = [0, 700, 701, 1499]  # data records given a cell longer than a block: the first, two in a row, the last


def _package(tmp_path, bad_byte: bool):
    GEN.write_package(tmp_path, 1500, seed=7)
    path = tmp_path / "dataset" / "tables" / "csv" / "events.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    head, data = rows[0], rows[1:]
    assert len(data) == 1500
    summary, kind = head.index("summary"), head.index("event_type")
    for i in LONG:
        data[i][summary] = "long, " * BLOCK
    data[900][0] = data[899][0]  # a duplicate id after the long records
    data[1200][kind] = "not-a-kind"
    data[1100][summary] = "Marked: the byte before this word is made not UTF-8"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([head, *data])
    raw = buf.getvalue().encode()
    if bad_byte:
        at = raw.index(b"Marked:")
        raw = raw[:at] + b"\xff" + raw[at + 1 :]
    path.write_bytes(raw)
    _refresh(tmp_path, "events", raw)
    line = {i: i + 2 for i in range(1500)}  # record numbers (the header is 1): no cell here holds a line break
    return line


@pytest.mark.parametrize("bad_byte", [False, True], ids=["utf8", "not-utf8"])
def test_a_record_longer_than_a_block_is_reported_and_the_rows_after_it_are_checked(tmp_path, monkeypatch, bad_byte):
    from nk_troops.engine import core, reread, scan

    line = _package(tmp_path, bad_byte)
    monkeypatch.setattr(scan, "BLOCK_SIZE", BLOCK)
    monkeypatch.setattr(reread, "BLOCK_SIZE", BLOCK)
    results = {}
    for part_min in (core.PART_MIN, 50_000):  # whole files, and every file split into byte ranges
        monkeypatch.setattr(core, "PART_MIN", part_min)
        found = [p for p in validate_tables(tmp_path) if p.resource == "events"]
        results[part_min] = sorted((p.type, p.row, p.field, p.message) for p in found)
        long = sorted(p.row for p in found if "bytes long" in p.message)
        assert long == [line[i] for i in LONG], results[part_min]
        assert all(p.row is not None for p in found), results[part_min]
        dup = [p for p in found if p.field == "event_id" and "already used" in p.message]
        assert [p.row for p in dup] == [line[900]] and f"row {line[899]}" in dup[0].message
        assert [p.row for p in found if p.field == "event_type"] == [line[1200]]
        if bad_byte:
            assert [p.row for p in found if p.type == "encoding-error"] == [line[1100]], results[part_min]
        assert not [p for p in found if "reading stopped" in p.message]
    assert results[core.PART_MIN] == results[50_000]
