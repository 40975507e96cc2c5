"""The command line as a contributor meets it: exit codes, no tracebacks, text / JSON / GitHub output."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

EXE = str(Path(sys.executable).with_name("nk-troops"))


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """The command line in this process (as the console script calls it), from folder ``cwd``."""
    from nk_troops.cli import main

    out, err = io.StringIO(), io.StringIO()
    here = os.getcwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as e:  # argparse's own usage errors
                code = e.code if isinstance(e.code, int) else 2
    finally:
        os.chdir(here)
    return subprocess.CompletedProcess(list(args), code, out.getvalue(), err.getvalue())


def _break(root: Path) -> None:
    events = root / "dataset/records/events.yaml"
    events.write_text(
        events.read_text(encoding="utf-8").replace("event_type: capture", "event_type: captre"), encoding="utf-8"
    )
    figures = root / "dataset/records/figures.yaml"
    figures.write_text(
        figures.read_text(encoding="utf-8").replace(
            "claimant_actor_id: dmytro-ponomarenko", "claimant_actor_id: ponomarenko"
        ),
        encoding="utf-8",
    )


def test_valid_dataset_exits_0():
    """The installed console script, as a process of its own."""
    r = subprocess.run([EXE, "validate"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.startswith("valid: ")


def test_broken_contribution_text_output(mini):
    _break(mini)
    r = run("validate", cwd=mini)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    lines = r.stdout.splitlines()
    assert (
        lines[0]
        == "dataset/records/events.yaml:2:3: [field-error] record ev-capture: field 'event_type': 'captre' is not an allowed value; allowed: "
        + ", ".join(
            [
                "deployment",
                "combat",
                "combat_cessation",
                "incursion",
                "capture",
                "transfer",
                "interrogation",
                "medical_treatment",
                "disclosure",
                "offer",
                "diplomatic_contact",
                "interview",
                "other",
            ]
        )
    )
    assert lines[1] == "    hint: did you mean 'capture'?"
    assert lines[2].startswith(
        "dataset/records/figures.yaml:8:3: [dangling-reference] record fg-kw: field 'claimant_actor_id': 'ponomarenko' is not the id"
    )
    assert lines[-1] == "2 errors found."


def test_broken_contribution_json_output(mini):
    _break(mini)
    r = run("validate", "--format", "json", cwd=mini)
    assert r.returncode == 1
    doc = json.loads(r.stdout)
    assert doc["valid"] is False and doc["error_count"] == 2
    first = doc["errors"][0]
    assert set(first) == {
        "type",
        "title",
        "message",
        "file",
        "line",
        "column",
        "resource",
        "row",
        "field",
        "record_id",
        "hint",
    }
    assert (first["type"], first["file"], first["line"], first["field"]) == (
        "field-error",
        "dataset/records/events.yaml",
        2,
        "event_type",
    )


def test_broken_contribution_github_annotations(mini):
    _break(mini)
    r = run("validate", "--format", "github", cwd=mini)
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("::error file=dataset/records/events.yaml,line=2,col=3,title=Field value is not valid::")
    assert "%0A    hint: did you mean 'capture'?" in lines[0]


def test_build_refuses_and_writes_nothing(mini):
    _break(mini)
    before = (mini / "datapackage.json").read_bytes()
    r = run("build", cwd=mini)
    assert r.returncode == 1 and r.stdout.rstrip().endswith("nothing was published")
    assert (mini / "datapackage.json").read_bytes() == before


def test_not_a_dataset_folder_is_a_plain_error(tmp_path):
    r = run("validate", cwd=tmp_path)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr and "not the dataset's folder" in r.stderr


def test_unknown_option_is_a_usage_error(mini):
    r = run("validate", "--format", "xml", cwd=mini)
    assert r.returncode == 2 and "invalid choice" in r.stderr


@pytest.mark.parametrize(
    "argv", [["validate", "--format", "xml"], ["validate", "--bogus"], ["frob"], [], ["cite", "--format"]]
)
def test_misuse_is_one_line_and_exit_2(argv, capsys):
    """As every usage error: one line on stderr naming the command and pointing at its --help, exit 2."""
    from nk_troops.cli import main

    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1, captured.err
    assert captured.err.startswith("nk-troops: ") and "--help`)" in captured.err, captured.err


def test_output_cut_short_by_a_closed_pipe_is_not_a_traceback(mini):
    """`nk-troops validate --format json | head -1`: the reader closes the pipe early."""
    _break(mini)
    proc = subprocess.Popen(
        [EXE, "validate", "--format", "json"], cwd=mini, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    proc.stdout.close()  # at once, long before the report is written (as `| true` does)
    err = proc.stderr.read().decode()
    proc.wait(timeout=120)
    assert "Traceback" not in err and "BrokenPipeError" not in err, err
    assert proc.returncode == 141


def test_check_tables_refuses_a_number_of_workers_it_cannot_start(mini):
    for workers in ("0", "-3", "100000"):
        r = run("check-tables", "--workers", workers, cwd=mini)
        assert r.returncode == 2 and r.stderr.startswith("nk-troops: --workers takes a whole number"), r.stderr


PANDAS_AT_EXIT = """
import atexit, sys
atexit.register(lambda: print("pandas imported:", "pandas" in sys.modules))
sys.argv = ["nk-troops", *sys.argv[1:]]
from nk_troops.cli import program
program()
"""


def test_validate_and_check_tables_never_import_pandas(mini):
    """The program refuses pandas for the commands that do not use it (pyarrow would import it otherwise),
    and those commands still work: a broken record is reported, a valid package passes."""
    _break(mini)
    for args, code in ((["validate"], 1), (["check-tables"], 0)):
        r = subprocess.run(
            [sys.executable, "-c", PANDAS_AT_EXIT, *args], cwd=mini, capture_output=True, text=True, timeout=120
        )
        assert r.returncode == code, r.stdout + r.stderr
        assert "pandas imported: False" in r.stdout, r.stdout
        assert "Traceback" not in r.stderr


def test_a_file_name_cannot_forge_a_github_annotation_or_reach_the_terminal():
    """The file= property was written raw: a seed named with a line break and '::warning ...' made a second
    annotation in --format github, and an escape sequence in the name reached the terminal."""
    from nk_troops import problems as P

    name = "seeds/y\n::warning file=forged.py,line=1::forged\x1b[2J.txt"
    line = P.SeedUndescribed("no source record describes it", file=name).to_github()
    assert "\n" not in line and "\x1b" not in line and line.count("::") == 2, line
    assert line.startswith("::error file=seeds/y\\n%3A%3Awarning file=forged.py%2Cline=1%3A%3Aforged\\x1b[2J.txt,"), (
        line
    )


def test_a_bug_that_an_input_reaches_is_one_line_and_exit_70_not_a_traceback():
    """The program's last guard: an exception no check foresaw (a plot of a one-day date raised KeyError in build)
    is said in one line, exit 70 (EX_SOFTWARE); NK_TROOPS_TRACEBACK=1 shows the traceback."""
    code = "import nk_troops.cli as c; c.main = lambda: {}['day']; c.program()"
    env = {k: v for k, v in os.environ.items() if k != "NK_TROOPS_TRACEBACK"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 70 and "Traceback" not in out.stderr, out.stderr
    assert out.stderr.startswith("nk-troops: internal error, please report it") and "KeyError('day')" in out.stderr
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**env, "NK_TROOPS_TRACEBACK": "1"},
        timeout=120,
    )
    assert out.returncode == 1 and "Traceback" in out.stderr and "KeyError: 'day'" in out.stderr
