"""scripts/benchmark.py runs end to end at a tiny size (its numbers are not asserted: speed is measured there,
never in tests). What is asserted is what must hold at any size: every injected error is found by the engine,
nothing is reported on the clean package, and every measurement the table in docs/benchmarks.md shows is printed."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_benchmark_runs_and_the_engine_finds_every_injected_error(tmp_path):
    argv = [sys.executable, str(ROOT / "scripts" / "benchmark.py"), "--sizes", "100", "--frictionless-max", "100"]
    argv += ["--repeat", "1", "--work", str(tmp_path), "--baseline", str(ROOT / "src")]  # this tree against itself
    out = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    rows = {}
    for line in out.stdout.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 10 and cells[0] == "100":
            rows[cells[3]] = cells
    assert set(rows) == {
        "engine validate",
        "engine validate (broken)",
        "engine build csv+parquet",
        "pyarrow bare parse",
        "frictionless validate",
    }, out.stdout
    assert rows["engine validate"][8] == "100%" and rows["engine validate"][9] == "0"  # recall, problems on clean data
    assert rows["frictionless validate"][9] == "0"
    assert int(rows["engine validate"][1].replace(",", "")) > 100 * 5  # every table's rows are counted
    assert "median of the alternating pairs" in out.stdout
    assert "new / old in each round" in out.stdout and "old / parse in each round" in out.stdout
    assert "engine validate at N=100:" in out.stdout and "rows/s in the median of its 1 runs" in out.stdout
