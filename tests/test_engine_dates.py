"""The engine's shared cache of parsed written dates (rules.DateTexts), used by both worker threads at once."""

from __future__ import annotations

import threading
import time

import pyarrow as pa

from nk_troops.engine import rules
from nk_troops.engine.rules import DateTexts


def test_a_thread_reading_while_another_adds_dates_sees_a_consistent_cache(monkeypatch):
    """One thread adds new written dates while the other keeps looking up the dates being added (as two tables
    sharing dates do). Concatenating the date columns is slowed down, so that a reader would see the new texts
    beside the old columns if the two were published apart: that once made `nk-troops check-tables` fail with
    'ArrowIndexError: Index 4 out of bounds', one run in a few."""
    batches = [
        pa.array([f"{year}-0{m}-1{d}" for m in (1, 2) for d in (1, 2)] + [f"mid-March {year}", None])
        for year in range(1990, 2030)
    ]
    reference = [[c.to_pylist() for c in DateTexts().lookup(b)] for b in batches]
    concat = pa.concat_arrays

    def slow_concat(arrays):
        if arrays and arrays[0].type == pa.date32():  # the columns, after the texts
            time.sleep(0.005)
        return concat(arrays)

    monkeypatch.setattr(rules.pa, "concat_arrays", slow_concat)
    shared = DateTexts()
    current = [0]
    done = threading.Event()
    errors: list = []
    reads = [0]

    def add() -> None:
        try:
            for i, b in enumerate(batches):
                current[0] = i
                shared.lookup(b)
        finally:
            done.set()

    def read() -> None:
        while not done.is_set():
            i = current[0]
            try:
                got = [c.to_pylist() for c in shared.lookup(batches[i])]
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(e)
                return
            if got != reference[i]:
                errors.append((i, got))
                return
            reads[0] += 1

    threads = [threading.Thread(target=add), threading.Thread(target=read)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:1]
    assert reads[0] >= 10  # the reader did read while dates were being added
