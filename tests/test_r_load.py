"""Load every CSV table in R (readr, types from datapackage.json); fail on any parse warning; check the classes.

R is installed by scripts/setup.sh (Debian's r-base-core, r-cran-readr, r-cran-jsonlite). Where R is
missing the test is skipped on a developer's machine but fails under CI (CI=true), so it cannot pass unseen.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess

import pytest
from conftest import REPO

SCRIPT = REPO / "tests" / "r" / "load_tables.R"
R_CLASS = {"string": "character", "integer": "integer", "number": "numeric", "date": "Date", "boolean": "logical"}


def _rscript() -> str:
    exe = shutil.which("Rscript")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("Rscript is missing under CI: scripts/setup.sh should have installed r-base-core")
        pytest.skip("Rscript not installed (scripts/setup.sh installs it as root)")
    return exe


def test_every_csv_table_loads_in_r_with_the_right_classes():
    run = subprocess.run(
        [_rscript(), str(SCRIPT), str(REPO / "datapackage.json")], capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stdout + run.stderr
    seen = {}
    for line in run.stdout.splitlines():
        name, rows, classes = line.split(" ", 2)
        seen[name] = (int(rows), dict(item.split("=") for item in classes.strip().split(",")))
    pkg = json.loads((REPO / "datapackage.json").read_text(encoding="utf-8"))
    assert set(seen) == {r["name"] for r in pkg["resources"]}
    for res in pkg["resources"]:
        rows, classes = seen[res["name"]]
        with open(REPO / res["path"], encoding="utf-8", newline="") as fh:
            expected_rows = sum(1 for _ in csv.reader(fh)) - 1
        assert rows == expected_rows, res["name"]
        for field in res["schema"]["fields"]:
            want = "factor" if "enum" in field.get("constraints", {}) else R_CLASS[field["type"]]
            assert classes[field["name"]] == want, (res["name"], field["name"], classes[field["name"]])
