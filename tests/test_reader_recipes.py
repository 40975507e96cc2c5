"""The reader recipes of docs/loading.md, run exactly as written there, give every column its declared type.

Each recipe is a code block preceded by `<!-- recipe: NAME -->`; the test extracts it from the page (so the page and
the test cannot drift), runs it from the repository's root, reads every table with the `read_table` it defines and
checks each column's type against the schema (schema_gen.columns, the one definition) and its missing values
against the package's own loader (so a date column read as all-missing would fail too).

R: missing Rscript is a skip on a developer's machine but a failure under CI (CI=true), so it cannot pass unseen.
The R frictionless package is on CRAN only (not in Debian, which the project's setup installs R from): its recipe is
skipped, saying so, where the package is missing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
from conftest import REPO

from nk_troops.load import load_table
from nk_troops.models import PUBLISHED
from nk_troops.schema_gen import columns

LOADING = REPO / "docs" / "loading.md"
RECIPE = re.compile(r"^<!-- recipe: (?P<name>[a-z-]+) -->\n```(?P<lang>\w+)\n(?P<code>.*?)^```$", re.M | re.S)
R_DRIVER = REPO / "tests" / "r" / "check_recipe.R"


def recipes() -> dict[str, tuple[str, str]]:
    found: dict[str, tuple[str, str]] = {}
    for m in RECIPE.finditer(LOADING.read_text(encoding="utf-8")):
        assert m["name"] not in found, f"two recipes named {m['name']}"
        found[m["name"]] = (m["lang"], m["code"])
    return found


def run_python(monkeypatch, *names: str) -> dict:
    """Execute the named recipes, in order, in one namespace, from the repository's root."""
    monkeypatch.chdir(REPO)
    ns: dict = {"__name__": "recipe"}
    for name in names:
        lang, code = recipes()[name]
        assert lang == "python", name
        exec(compile(code, f"docs/loading.md:{name}", "exec"), ns)
    return ns


def reference(resource: str):
    return load_table(resource)


def check_table(resource: str, got_types: dict[str, object], nulls: dict[str, int], rows: int, expected) -> None:
    """Every column present, in order, with the expected type and as many missing values as the loader finds."""
    ref = reference(resource)
    cols = columns(next(m for m in PUBLISHED if m.resource == resource))
    assert list(got_types) == [c.name for c in cols], resource
    assert rows == len(ref) > 0 or (rows == len(ref) == 0), resource
    for col in cols:
        assert expected(col, got_types[col.name]), (resource, col.name, col.type, got_types[col.name])
        assert nulls[col.name] == int(ref[col.name].isna().sum()), (resource, col.name, "missing values")


def test_every_recipe_is_in_the_page():
    assert set(recipes()) == {
        "pandas-csv",
        "pandas-parquet",
        "polars-csv",
        "polars-parquet",
        "duckdb-csv",
        "duckdb-parquet",
        "r-frictionless",
        "r-readr",
    }


PANDAS_CSV = {"string": "string", "integer": "Int64", "number": "Float64", "date": "datetime64[us]"}
PANDAS_PARQUET = {
    "string": "string[pyarrow]",
    "integer": "int64[pyarrow]",
    "number": "double[pyarrow]",
    "date": "date32[day][pyarrow]",
}


@pytest.mark.parametrize(("recipe", "types"), [("pandas-csv", PANDAS_CSV), ("pandas-parquet", PANDAS_PARQUET)])
def test_pandas_recipes(monkeypatch, recipe, types):
    import pandas as pd

    ns = run_python(monkeypatch, recipe)

    for model in PUBLISHED:
        frame = ns["read_table"](model.resource)

        def expected(col, dtype):
            if col.enum is not None:
                return isinstance(dtype, pd.CategoricalDtype) and list(dtype.categories) == col.enum.values()
            return str(dtype) == types[col.type]

        nulls = {c: int(frame[c].isna().sum()) for c in frame.columns}
        check_table(model.resource, dict(frame.dtypes), nulls, len(frame), expected)


@pytest.mark.parametrize("recipe", ["polars-csv", "polars-parquet"])
def test_polars_recipes(monkeypatch, recipe):
    pl = pytest.importorskip("polars")
    ns = run_python(monkeypatch, recipe)
    plain = {"string": pl.String, "integer": pl.Int64, "number": pl.Float64, "date": pl.Date}

    def expected(col, dtype):
        if col.enum is not None:
            return isinstance(dtype, pl.Enum) and dtype.categories.to_list() == col.enum.values()
        return dtype == plain[col.type]

    for model in PUBLISHED:
        frame = ns["read_table"](model.resource)
        nulls = {c: frame[c].null_count() for c in frame.columns}
        check_table(model.resource, dict(frame.schema), nulls, frame.height, expected)


@pytest.mark.parametrize("recipes_run", [("duckdb-csv",), ("duckdb-csv", "duckdb-parquet")])
def test_duckdb_recipes(monkeypatch, recipes_run):
    pytest.importorskip("duckdb")
    con = run_python(monkeypatch, *recipes_run)["con"]
    plain = {"string": "VARCHAR", "integer": "BIGINT", "number": "DOUBLE", "date": "DATE"}

    def expected(col, sql_type):
        if col.enum is not None:
            return sql_type == "ENUM(" + ", ".join(f"'{v}'" for v in col.enum.values()) + ")"
        return sql_type == plain[col.type]

    for model in PUBLISHED:
        described = con.execute(f'DESCRIBE "{model.resource}"').fetchall()
        types = {row[0]: row[1] for row in described}
        nulls = {
            name: con.execute(f'SELECT count(*) FROM "{model.resource}" WHERE "{name}" IS NULL').fetchone()[0]
            for name in types
        }
        rows = con.execute(f'SELECT count(*) FROM "{model.resource}"').fetchone()[0]
        check_table(model.resource, types, nulls, rows, expected)
        key = model.primary_key
        pk = con.execute(
            "SELECT constraint_column_names FROM duckdb_constraints() WHERE table_name = ? AND constraint_type = 'PRIMARY KEY'",
            [model.resource],
        ).fetchall()
        assert pk == [([key],)], (model.resource, pk)


def _rscript() -> str:
    exe = shutil.which("Rscript")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("Rscript is missing under CI: scripts/setup.sh should have installed r-base-core")
        pytest.skip("Rscript not installed (scripts/setup.sh installs it as root)")
    return exe


def _r_has(rscript: str, package: str) -> bool:
    run = subprocess.run(
        [rscript, "-e", f"quit(status = if (requireNamespace('{package}', quietly = TRUE)) 0 else 3)"],
        capture_output=True,
        timeout=120,
    )
    return run.returncode == 0


R_CLASS = {"string": "character", "integer": "integer", "number": "numeric", "date": "Date"}
R_FRICTIONLESS_CLASS = {**R_CLASS, "integer": "numeric"}  # frictionless 1.2 reads integer as double


@pytest.mark.parametrize(("recipe", "classes"), [("r-readr", R_CLASS), ("r-frictionless", R_FRICTIONLESS_CLASS)])
def test_r_recipes(tmp_path, recipe, classes):
    rscript = _rscript()
    if recipe == "r-frictionless" and not _r_has(rscript, "frictionless"):
        pytest.skip("the R package frictionless is not installed (CRAN only, not in Debian)")
    lang, code = recipes()[recipe]
    assert lang == "r"
    script = tmp_path / f"{recipe}.R"
    script.write_text(code, encoding="utf-8")
    run = subprocess.run([rscript, str(R_DRIVER), str(script)], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    seen = {}
    for line in run.stdout.splitlines():
        name, rows, described = line.split(" ", 2)
        seen[name] = (int(rows), dict(item.split("=", 1) for item in described.strip().split(",")))
    assert set(seen) == {m.resource for m in PUBLISHED}

    def expected(col, described):
        cls, _, levels = described.split(":")
        if col.enum is not None:
            return cls == "factor" and levels.split("|") == col.enum.values()
        return cls == classes[col.type]

    for model in PUBLISHED:
        rows, described = seen[model.resource]
        nulls = {name: int(d.split(":")[1]) for name, d in described.items()}
        check_table(model.resource, described, nulls, rows, expected)
