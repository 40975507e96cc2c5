"""The whole-file UTF-8 check (engine.reader.Utf8Check) that lets the CSV reader skip its per-cell check."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from conftest import synthetic  # the synthetic generator's packages, each generated once per process
from hypothesis import example, given, settings
from hypothesis import strategies as st
from test_engine import _refresh

from nk_troops.engine import validate_tables
from nk_troops.engine.reader import Utf8Check

# valid characters of every encoded length, and every kind of bad byte: stray continuation bytes,
# truncated sequences, overlong forms, surrogates, code points past U+10FFFF, bytes never used
PIECES = st.sampled_from(
    [
        b"a",
        b"\n",
        b'"',
        "é".encode(),
        "한".encode(),
        "Ж".encode(),
        "𝄞".encode(),
        "€".encode(),
        b"\x80",
        b"\xbf",
        b"\xc3",
        b"\xe2\x82",
        b"\xf0\x9d\x84",
        b"\xc0\xaf",
        b"\xe0\x80\xaf",
        b"\xed\xa0\x80",
        b"\xf4\x90\x80\x80",
        b"\xf8\x88\x80\x80\x80",
        b"\xfe",
        b"\xff",
    ]
)


@settings(max_examples=100, deadline=None)
@given(st.lists(PIECES, max_size=20), st.lists(st.integers(0, 40), max_size=12))
@example([b"\xed\x95\x9c"], [1, 2])  # a window holding only the middle byte of a character (found by Hypothesis)
def test_windowed_check_agrees_with_python(pieces, cuts):
    data = b"".join(pieces)
    try:
        data.decode("utf-8")
        expected = True
    except UnicodeDecodeError:
        expected = False
    bounds = sorted({0, len(data), *(c for c in cuts if c < len(data))})  # windows split anywhere, mid-character too
    check = Utf8Check()
    for a, b in itertools.pairwise(bounds):
        check.feed(memoryview(data)[a:b])
    assert check.finish() == expected, (data, bounds)


def _break_utf8(package: Path, resource: str) -> None:
    """Replace one byte of a multi-byte character deep in a table by 0xFF, and refresh bytes/hash."""
    path = package / "dataset" / "tables" / "csv" / f"{resource}.csv"
    data = bytearray(path.read_bytes())
    at = data.index("한".encode(), len(data) // 2)
    data[at + 1] = 0xFF
    path.write_bytes(bytes(data))
    _refresh(package, resource, bytes(data))


@pytest.mark.parametrize("resource", ["events", "citations"])
def test_a_file_that_is_not_utf8_is_reported_in_every_configuration(tmp_path, monkeypatch, resource):
    """The bad byte is located to its row, whole files and split ones alike (tests/test_confinement.py
    checks the rest of the table)."""
    from nk_troops.engine import core

    synthetic(tmp_path, 300, seed=14)
    _break_utf8(tmp_path, resource)
    results = {}
    for part_min in (core.PART_MIN, 50_000):  # whole files, and every file split into byte ranges
        monkeypatch.setattr(core, "PART_MIN", part_min)
        problems = validate_tables(tmp_path)
        results[part_min] = sorted((p.type, p.resource, p.row, p.field, p.message) for p in problems)
        located = [x for x in results[part_min] if x[0] == "encoding-error"]
        assert len(located) == 1 and located[0][1] == resource and located[0][2] is not None, results[part_min]
    assert results[core.PART_MIN] == results[50_000]


@pytest.mark.parametrize("when", ["while-hashed", "before-parsed"])
def test_a_table_rewritten_during_the_check_is_reported_not_crashed_on(tmp_path, monkeypatch, when):
    """A table rewritten in place mid-check (as `open(path, "wb")` does) is reported as changed; what was read
    may mix two versions. (Hashing once memory-mapped the files: a truncated file then killed the process.)"""
    from nk_troops.engine import firstpass, reader, scan

    synthetic(tmp_path, 300, seed=14)
    path = tmp_path / "dataset/tables/csv/events.csv"
    original = path.read_bytes()
    monkeypatch.setattr(reader, "WINDOW", 4096)
    if when == "while-hashed":
        windows = firstpass.file_windows

        def rewriting(p):
            for i, item in enumerate(windows(p)):
                yield item
                if i == 0 and p == path:
                    path.write_bytes(original[: len(original) // 3])  # truncated in place, as a writer starts over

        monkeypatch.setattr(firstpass, "file_windows", rewriting)
    else:
        read_rows = scan.read_rows
        appended = []

        def appending(run, st):
            if st.path == path and not appended:
                appended.append(st)
                with open(path, "ab") as fh:
                    fh.write(original.splitlines(keepends=True)[1].replace("한".encode(), b"\xff\xfe"))
            return read_rows(run, st)

        monkeypatch.setattr(scan, "read_rows", appending)
    problems = validate_tables(tmp_path)
    changed = [p for p in problems if p.resource == "events" and "changed while it was being checked" in p.message]
    assert len(changed) == 1, [(p.type, p.resource, p.message[:80]) for p in problems]
    assert changed[0].type == "file-unreadable"


def test_a_reader_left_early_leaves_no_read_of_the_repair_running(tmp_path, monkeypatch):
    """pyarrow reads ahead on its own thread, which calls Utf8Repair.read (Python). A read still running or
    started after the reader is left can run into the interpreter's exit: the process aborted (SIGABRT,
    'terminate called without an active exception') or hung. Leaving CsvInput's block must wait for it."""
    import threading
    import time

    from nk_troops.engine import reader

    path = tmp_path / "t.csv"
    row = b'a,"caf\xe9 ' + b"x" * 200 + b'"\n'  # one byte that is not UTF-8 in every row
    path.write_bytes(b"a,b\n" + row * 60_000)  # about 12 MB: a dozen blocks of pyarrow's readahead
    calls = {"running": 0, "after": 0}
    left = threading.Event()

    class Slow(reader.Utf8Repair):
        def read(self, n: int = -1) -> bytes:
            calls["running"] += 1
            calls["after"] += left.is_set()
            time.sleep(0.02)  # slow enough that a read is under way whenever the reader is left
            try:
                return super().read(n)
            finally:
                calls["running"] -= 1

    monkeypatch.setattr(reader, "Utf8Repair", Slow)
    with reader.CsvInput(path, None, repair=True) as source:
        for _batch in source.open(read_options=reader.pacsv.ReadOptions(use_threads=False, block_size=1 << 20)):
            break
    left.set()
    running = calls["running"]
    time.sleep(0.3)
    assert running == 0 and calls["after"] == 0, calls
    assert source.repaired is not None and source.repaired.bad  # the bad bytes read so far are still there


def test_a_reader_stopped_early_on_a_file_that_is_not_utf8_prints_nothing(tmp_path, monkeypatch):
    """Leaving a reader early stops its Utf8Repair; the record it then cut short ended inside a character, and
    pyarrow, decoding it for the invalid-row handler, printed 'Exception ignored ... UnicodeDecodeError'."""
    import sys

    import pyarrow.csv as pacsv

    from nk_troops.engine.reader import CsvInput

    raised = []
    monkeypatch.setattr(sys, "unraisablehook", raised.append)
    path = tmp_path / "t.csv"
    raw = ("a,b,c\n" + "".join(f"{i},Владивосток 북한군 {i},x\n" for i in range(60_000))).encode()
    path.write_bytes(raw[:20] + b"\xff" + raw[21:])
    for _ in range(5):
        parse = pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=lambda row: "skip")
        with CsvInput(path, None, True) as source:
            for _batch in source.open(read_options=pacsv.ReadOptions(block_size=1 << 16), parse_options=parse):
                break  # as reread.fetch does once it has the rows it wants
    assert not raised, raised[0].exc_value
