"""Where records end, as pyarrow reads them: a record longer than the CSV reader's block (reported at its row, the
rows after it read and checked on), a quote that opens or closes no quoted cell, a CR alone; whole files and
split ones alike, valid UTF-8 or not."""

from __future__ import annotations

import csv
import io
import itertools

import pytest
from conftest import synthetic  # the synthetic generator's packages, each generated once per process
from hypothesis import given, settings
from hypothesis import strategies as st
from test_engine import _refresh

from nk_troops.engine import validate_tables
from nk_troops.engine.boundaries import QuoteCheck

BLOCK = 4096
HUGE = 20 * BLOCK  # more than a record may hold (scan.LONGEST blocks): reported and skipped
ROWS = 300
LONG = {  # data records given a long cell: the first, three in a row, between one and two blocks, the last
    0: HUGE,
    60: BLOCK + BLOCK // 2,
    61: BLOCK + BLOCK // 3,
    140: HUGE,
    141: HUGE,
    142: 6 * BLOCK,
    200: BLOCK + 100,
    ROWS - 1: 6 * BLOCK,
}


def _package(tmp_path, bad_byte: bool):
    synthetic(tmp_path, ROWS, seed=14)
    path = tmp_path / "dataset" / "tables" / "csv" / "events.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    head, data = rows[0], rows[1:]
    assert len(data) == ROWS
    summary, kind = head.index("summary"), head.index("event_type")
    for i, size in LONG.items():
        data[i][summary] = ("long, " * size)[:size]
        data[i][kind] = "long-kind"  # seen only if the record is checked
    data[180][0] = data[179][0]  # a duplicate id after the long records
    data[240][kind] = "not-a-kind"
    data[220][summary] = "Marked: the byte before this word is made not UTF-8"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([head, *data])
    raw = buf.getvalue().encode()
    if bad_byte:
        at = raw.index(b"Marked:")
        raw = raw[:at] + b"\xff" + raw[at + 1 :]
    path.write_bytes(raw)
    _refresh(tmp_path, "events", raw)
    line = {i: i + 2 for i in range(ROWS)}  # record numbers (the header is 1): no cell here holds a line break
    return line


@pytest.mark.parametrize("bad_byte", [False, True], ids=["utf8", "not-utf8"])
def test_a_record_longer_than_a_block_is_checked_or_skipped_and_the_rows_after_it_are_checked(
    tmp_path, monkeypatch, bad_byte
):
    """A record longer than the reader's block stopped the whole read. Then it was skipped, but only when the
    block edges fell across it (one read checked it, a split read skipped it). Now a record up to LONGEST blocks
    is read alone and checked as any row, a longer one is always skipped, and every row after it is checked."""
    from nk_troops.engine import core, reread, scan

    line = _package(tmp_path, bad_byte)
    monkeypatch.setattr(scan, "BLOCK_SIZE", BLOCK)
    monkeypatch.setattr(reread, "BLOCK_SIZE", BLOCK)
    results = {}
    for part_min in (core.PART_MIN, 50_000):  # whole files, and every file split into byte ranges
        monkeypatch.setattr(core, "PART_MIN", part_min)
        found = [p for p in validate_tables(tmp_path) if p.resource == "events"]
        results[part_min] = sorted((p.type, p.row, p.field, p.message) for p in found)
        skipped = sorted(p.row for p in found if "bytes long" in p.message)
        assert skipped == [line[i] for i, size in LONG.items() if size == HUGE], results[part_min]
        checked = sorted(p.row for p in found if p.field == "event_type" and "long-kind" in p.message)
        assert checked == [line[i] for i, size in LONG.items() if size < HUGE], results[part_min]
        assert all(p.row is not None for p in found), results[part_min]
        dup = [p for p in found if p.field == "event_id" and "already used" in p.message]
        assert [p.row for p in dup] == [line[180]] and f"row {line[179]}" in dup[0].message
        assert [p.row for p in found if p.field == "event_type" and "not-a-kind" in p.message] == [line[240]]
        if bad_byte:
            assert [p.row for p in found if p.type == "encoding-error"] == [line[220]], results[part_min]
        assert not [p for p in found if "reading stopped" in p.message]
    assert results[core.PART_MIN] == results[50_000]


def _rewrite(package, resource: str, edit) -> list[list[str]]:
    """Rewrite a table through ``edit(head, data) -> bytes`` (LF line ends) and refresh bytes/hash."""
    path = package / "dataset" / "tables" / "csv" / f"{resource}.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    raw = edit(rows[0], rows[1:])
    path.write_bytes(raw)
    _refresh(package, resource, raw)
    return rows


def _lf(head, data, quoting: int = csv.QUOTE_MINIMAL) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n", quoting=quoting).writerows([head, *data])
    return buf.getvalue().encode()


def _whole_and_split(package, monkeypatch, resource: str, block: int | None = None) -> list[tuple]:
    """The problems of one table, read whole and in byte ranges (asserted equal)."""
    from nk_troops.engine import core, reread, scan

    if block:
        monkeypatch.setattr(scan, "BLOCK_SIZE", block)
        monkeypatch.setattr(reread, "BLOCK_SIZE", block)
    results = []
    for part_min in (core.PART_MIN, 50_000):
        monkeypatch.setattr(core, "PART_MIN", part_min)
        found = validate_tables(package)
        results.append(sorted((p.row or 0, p.field or "", p.type, p.message) for p in found if p.resource == resource))
    assert results[0] == results[1]
    return results[0]


def test_quotes_inside_unquoted_cells_are_located_and_split_reads_agree(tmp_path, monkeypatch):
    """Record ends are found by quote parity, which a quote inside a cell that is not quoted breaks (pyarrow
    reads it as a letter). With an even number of such quotes a split read cut inside quoted excerpts: 17
    made-up problems and a row numbered 9 too far in a review. The first such quote is now found and located,
    and the file is read in one part."""
    synthetic(tmp_path, 300, seed=14)

    def edit(head, data):
        start = head.index("char_start")
        data[10][start], data[-10][start] = "12Q", "34Q"
        return _lf(head, data).replace(b",12Q,", b',12",').replace(b",34Q,", b',34",')

    rows = _rewrite(tmp_path, "citations", edit)
    found = _whole_and_split(tmp_path, monkeypatch, "citations")
    n = len(rows)
    assert [(r, t) for r, _, t, _ in found] == [
        (12, "table-structure-error"),
        (12, "field-error"),
        (n - 9, "field-error"),
    ]
    assert "neither opens nor closes a quoted cell" in found[0][3]


def test_a_cr_alone_in_a_cell_ends_a_record_for_every_count(tmp_path, monkeypatch):
    """pyarrow ends a record at a CR alone; finding the end of a record too long to read counted LFs only, so
    the wrong record was skipped, one bad value was never reported, and rows were numbered two ways."""
    synthetic(tmp_path, 300, seed=14)

    def edit(head, data):
        notes, measure = head.index("notes"), head.index("measure")
        data[10][notes] = "aaaQbbb"
        data[30][notes] = "long " * 5 * BLOCK  # more than a record may hold: skipped
        for i in (31, 32, 100):
            data[i][measure] = f"not-a-measure-{i}"
        return _lf(head, data).replace(b"aaaQbbb", b"aaa\rbbb")

    _rewrite(tmp_path, "figures", edit)
    found = _whole_and_split(tmp_path, monkeypatch, "figures", block=BLOCK)
    # data record i is row i + 2; pyarrow reads row 12 as two records, so every later row is one further on
    assert [(r, f, t) for r, f, t, _ in found] == [
        (13, "", "table-structure-error"),  # the half of row 12 after the CR: one cell
        (33, "", "table-structure-error"),  # the long record
        (34, "measure", "field-error"),
        (35, "measure", "field-error"),
        (103, "measure", "field-error"),
    ]
    assert "bytes long" in found[1][3]


def test_a_long_record_after_a_stray_quote_stops_the_read_and_says_so(tmp_path, monkeypatch):
    """Quote parity finds record ends only before the first stray quote: long records before it are read alone or
    skipped as usual; the first one after it stops the read there, said."""
    synthetic(tmp_path, 300, seed=14)

    def edit(head, data):
        notes, measure = head.index("notes"), head.index("measure")
        data[3][notes], data[4][notes] = "long " * BLOCK, "long " * 5 * BLOCK  # checked; skipped
        data[6][measure] = "not-a-measure"
        data[10][notes], data[20][notes], data[30][notes] = "5Q tall", "6Q tall", "long " * 5 * BLOCK
        return _lf(head, data).replace(b"5Q tall", b'5" tall').replace(b"6Q tall", b'6" tall')

    _rewrite(tmp_path, "figures", edit)
    found = _whole_and_split(tmp_path, monkeypatch, "figures", block=BLOCK)
    assert [(r, f, t) for r, f, t, _ in found] == [
        (0, "", "file-unreadable"),
        (5, "notes", "field-error"),  # read alone: over its length limit
        (6, "", "table-structure-error"),  # over 16 blocks
        (8, "measure", "field-error"),
        (12, "", "table-structure-error"),  # the stray quote
    ], found
    assert "reading stopped after 29 rows: a record is longer than the 4,096 bytes" in found[0][3]


def _stray_reference(data: bytes) -> int | None:
    """The first quote that neither opens nor closes a cell, by the rule written out byte by byte."""
    quotes = [i for i, b in enumerate(data) if b == 34]
    for k, i in enumerate(quotes):
        edge = b',\n\r"'
        if k % 2 == 0 and i > 0 and data[i - 1] not in edge:
            return i
        if k % 2 == 1 and i + 1 < len(data) and data[i + 1] not in edge:
            return i
    return None


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from([b'"', b",", b"\n", b"\r", b"a", b'""']), max_size=30), st.lists(st.integers(0, 40)))
def test_stray_quotes_are_found_wherever_the_windows_fall(pieces, cuts):
    data = b"".join(pieces)
    bounds = sorted({0, len(data), *(c for c in cuts if c < len(data))})
    check = QuoteCheck()
    for a, b in itertools.pairwise(bounds):
        check.feed(memoryview(data)[a:b], a)
    assert (check.count, check.stray) == (data.count(b'"'), _stray_reference(data)), (data, bounds)


def test_a_byte_order_mark_before_a_quoted_header_is_the_file_s_start(tmp_path, monkeypatch):
    """Excel's "CSV UTF-8" writes a BOM, and may quote every cell: the quote after the BOM opens the first cell."""
    synthetic(tmp_path, 300, seed=14)
    _rewrite(tmp_path, "figures", lambda head, data: _lf(head, data, csv.QUOTE_ALL))
    assert _whole_and_split(tmp_path, monkeypatch, "figures") == []
    _rewrite(tmp_path, "figures", lambda head, data: b"\xef\xbb\xbf" + _lf(head, data, csv.QUOTE_ALL))
    assert _whole_and_split(tmp_path, monkeypatch, "figures") == []


def test_quotes_and_line_ends_are_checked_in_a_file_that_is_not_utf8(tmp_path, monkeypatch):
    """A file with a byte that is not UTF-8 is read through Utf8Repair: a stray quote in it was not reported,
    and a bad byte after a CR alone was numbered one row before a field error on the same row."""
    synthetic(tmp_path, 300, seed=14)

    def edit(head, data):
        notes, measure = head.index("notes"), head.index("measure")
        data[5][notes] = "Mark one"
        data[10][notes] = "aaaQbbb"
        data[50][notes], data[50][measure] = "Mark two", "not-a-measure"
        data[100][notes] = "5Z tall"
        raw = _lf(head, data).replace(b"aaaQbbb", b"aaa\rbbb").replace(b"5Z tall", b'5" tall')
        return raw.replace(b"Mark one", b"\xffark one").replace(b"Mark two", b"\xffark two")

    _rewrite(tmp_path, "figures", edit)
    found = _whole_and_split(tmp_path, monkeypatch, "figures")
    # data record i is row i + 2, and one row further on after the CR alone in row 12
    assert [(r, f, t) for r, f, t, _ in found] == [
        (7, "notes", "encoding-error"),
        (13, "", "table-structure-error"),  # the half of row 12 after the CR
        (53, "measure", "field-error"),
        (53, "notes", "encoding-error"),
        (103, "", "table-structure-error"),  # the stray quote
    ], found


def test_a_long_record_of_bytes_that_are_not_utf8_is_read_alone_too(tmp_path, monkeypatch):
    """Read through Utf8Repair, each bad byte becomes three (U+FFFD): a block the size of the record's bytes was
    too small for it, and the read stopped there."""
    synthetic(tmp_path, 300, seed=14)

    def edit(head, data):
        data[20][head.index("notes")] = "MARK" * (BLOCK // 2)  # 1.5 blocks, three quarters of them bad bytes
        data[40][head.index("measure")] = "not-a-measure"
        return _lf(head, data).replace(b"MARK", b"\xff\xfe\xfdK")

    _rewrite(tmp_path, "figures", edit)
    found = _whole_and_split(tmp_path, monkeypatch, "figures", block=BLOCK)
    assert [(r, f, t) for r, f, t, _ in found] == [(22, "notes", "encoding-error"), (42, "measure", "field-error")]


def test_a_quoted_cell_left_open_is_located(tmp_path, monkeypatch):
    """An odd number of quotes was one problem for the whole table. The cell left open is now located: at the
    end, its opening quote's row; earlier, the quote that then closes it in the wrong place, naming both rows."""
    synthetic(tmp_path, 300, seed=14)

    def at_end(head, data):
        data[3][head.index("notes")] = "long " * BLOCK  # before the open cell: its end is found, and read on
        data[-1][head.index("notes")] = "OPEN never closed"
        return _lf(head, data).replace(b"OPEN never", b'"never')

    _rewrite(tmp_path, "figures", at_end)
    found = _whole_and_split(tmp_path, monkeypatch, "figures", block=BLOCK)
    assert (5, "notes", "field-error") in [(r, f, t) for r, f, t, _ in found]  # read alone: over its length
    assert not [m for _, _, _, m in found if "reading stopped" in m]
    [(row, message)] = [(r, m) for r, _, t, m in found if t == "table-structure-error"]
    assert row == 301 and "the quoted cell opened at byte" in message and "is not closed" in message, message
    synthetic(tmp_path / "again", 300, seed=14)

    def early(head, data):
        data[10][head.index("notes")] = "OPEN never closed"
        return _lf(head, data).replace(b"OPEN never", b'"never')

    _rewrite(tmp_path / "again", "statements", early)  # statements quote their cells: a later quote closes it
    found = _whole_and_split(tmp_path / "again", monkeypatch, "statements")
    [quote] = [m for _, _, t, m in found if t == "table-structure-error" and "double quote" in m]
    assert "(or the cell opened in row 12 is not closed)" in quote, quote
