"""validate tells a build is due in one line without rendering; build trusts nothing a pull request can add."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, published_hashes

from nk_troops.build import build
from nk_troops.descriptor import PARQUET_DIR
from nk_troops.inputs import MANIFEST
from nk_troops.validate import validate


def _edit_note(root) -> None:
    path = root / "dataset/records/figures.yaml"
    text = path.read_text(encoding="utf-8")
    assert "  subject: North Korean military personnel" in text
    path.write_text(text.replace("  subject: ", "  notes: Reviewed again.\n  subject: ", 1), encoding="utf-8")


def _types(report) -> list[str]:
    return [p.type for p in report.problems]


def test_a_correct_change_gives_exactly_one_stale_line(mini, no_frictionless):
    assert validate(mini).ok
    _edit_note(mini)
    report = validate(mini)
    assert _types(report) == ["tables-out-of-date"]
    text = report.render()
    assert "run `nk-troops build`" in text and "dataset/records/figures.yaml has changed" in text
    assert text.count("[tables-out-of-date]") == 1
    assert build(mini)[0].ok
    assert validate(mini).ok


def test_a_record_error_is_reported_without_the_stale_line(mini):
    path = mini / "dataset/records/events.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("event_type: capture", "event_type: captre"), "utf-8")
    assert _types(validate(mini)) == ["field-error"]


def test_hand_edited_or_stray_published_files_are_stale(mini, no_frictionless):
    csv = mini / "dataset/tables/csv/events.csv"
    original = csv.read_bytes()
    csv.write_bytes(original + b"x")
    assert "dataset/tables/csv/events.csv is not the file the last build wrote" in validate(mini).render()
    csv.write_bytes(original)
    for stray in ("schema/extra.json", "docs/plots/.DS_Store"):  # the second went into a release (found in review)
        (mini / stray).write_text("{}", encoding="utf-8")
        assert f"{stray} is not a file the build writes" in validate(mini).render()
        assert build(mini)[0].ok
        assert not (mini / stray).exists()
    assert validate(mini).ok


def test_a_changed_seed_or_manifest_is_noticed(mini):
    manifest = json.loads((mini / MANIFEST).read_text(encoding="utf-8"))
    manifest["inputs"]["code_sha256"] = "0" * 64
    (mini / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    assert "the code of nk_troops has changed" in validate(mini).render()
    (mini / MANIFEST).write_text("{not json", encoding="utf-8")
    assert f"{MANIFEST} cannot be read" in validate(mini).render()


_IMPORTS = (
    "import atexit, sys; sys.argv = ['nk-troops', 'validate'];"
    "atexit.register(lambda: print(sorted(m for m in ('polars', 'matplotlib', 'frictionless', 'pandas', 'jinja2')"
    " if m in sys.modules)));"
    "from nk_troops.cli import program; program()"
)


def test_validate_imports_no_renderer():
    """validate checks the records' tables with the table checker (pyarrow) and renders nothing."""
    out = subprocess.run([sys.executable, "-c", _IMPORTS], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip().splitlines()[-1] == "[]", out.stdout + out.stderr


def test_a_committed_journal_is_never_obeyed(mini, tmp_path, no_frictionless):
    victim = tmp_path / "outside.txt"
    victim.write_text("keep me", encoding="utf-8")
    (mini / ".build").mkdir()
    journal = {
        "replace": ["../outside.txt", "datapackage.json"],
        "delete": [str(victim), "seeds/000_903a45e1dc248108.txt"],
    }
    (mini / ".build/journal.json").write_text(json.dumps(journal), encoding="utf-8")
    (mini / ".build/staging").mkdir()
    (mini / ".build/staging/datapackage.json").write_text("{}", encoding="utf-8")
    before = published_hashes(mini)
    _edit_note(mini)
    report, changed = build(mini)
    assert report.ok, report.render()
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert (mini / "seeds/000_903a45e1dc248108.txt").exists()
    assert json.loads((mini / "datapackage.json").read_text(encoding="utf-8"))["resources"]
    assert published_hashes(mini) != before


def test_a_published_folder_that_is_a_link_is_refused(mini, tmp_path, no_frictionless):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.csv").write_text("keep", encoding="utf-8")
    csv_dir = mini / "dataset/tables/csv"
    for f in csv_dir.iterdir():
        f.unlink()
    csv_dir.rmdir()
    csv_dir.symlink_to(outside, target_is_directory=True)
    _edit_note(mini)
    for check in (False, True):
        report, changed = build(mini, check=check)
        assert not report.ok and changed == []
        assert "'dataset/tables/csv' is a symbolic link" in report.render()
    assert sorted(p.name for p in outside.iterdir()) == ["precious.csv"]
    assert (outside / "precious.csv").read_text(encoding="utf-8") == "keep"


@pytest.mark.parametrize("mask", [0o022, 0o077])
def test_published_files_get_the_mode_of_any_new_file(mini, no_frictionless, mask):
    """Found in review: every file a build wrote was 0600 (a temporary file renamed into place), whatever the umask:
    a web server serving docs/site/ from the checkout could read none of it."""
    edit_summary = (
        (mini / "dataset/records/events.yaml").read_text(encoding="utf-8").replace("  summary: ", "  summary: Now ", 1)
    )
    (mini / "dataset/records/events.yaml").write_text(edit_summary, encoding="utf-8")
    old = os.umask(mask)
    try:
        report, changed = build(mini)
    finally:
        os.umask(old)
    assert report.ok and changed, report.render()
    assert {oct((mini / rel).stat().st_mode & 0o777) for rel in changed} == {oct(0o666 & ~mask)}


def test_a_published_file_that_is_a_link_or_fifo_is_replaced_never_followed(mini, tmp_path, no_frictionless):
    outside = tmp_path / "outside.json"
    outside.write_text("keep", encoding="utf-8")
    (mini / "schema/events.json").unlink()
    (mini / "schema/events.json").symlink_to(outside)
    (mini / "schema/claims.json").unlink()
    os.mkfifo(mini / "schema/claims.json")  # opening it for reading would wait forever
    os.mkfifo(mini / "schema/stray.json")
    assert _types(validate(mini)) == ["tables-out-of-date"]
    report, changed = build(mini)
    assert report.ok, report.render()
    assert {"schema/events.json", "schema/claims.json", "schema/stray.json"} <= set(changed)
    assert outside.read_text(encoding="utf-8") == "keep"
    assert (mini / "schema/events.json").is_file() and not (mini / "schema/events.json").is_symlink()
    assert not (mini / "schema/stray.json").exists()
    assert validate(mini).ok


def test_build_check_runs_frictionless_and_the_table_checker_on_what_it_renders(mini, monkeypatch):
    import nk_troops.engine as engine
    import nk_troops.package_check as package_check

    seen: dict[str, list[Path]] = {"frictionless": [], "engine": [], "staged": []}
    real_frictionless, real_engine = package_check.frictionless_problems, engine.validate_tables

    def frictionless_spy(descriptor):
        seen["frictionless"].append(Path(descriptor))
        return real_frictionless(descriptor)

    def engine_spy(descriptor, *args, **kwargs):
        seen["engine"].append(Path(descriptor))
        if (Path(descriptor).parent / MANIFEST).is_file():  # the rendered package, not the records' own check
            seen["staged"].append(Path(descriptor))
        return real_engine(descriptor, *args, **kwargs)

    monkeypatch.setattr(package_check, "frictionless_problems", frictionless_spy)
    monkeypatch.setattr(engine, "validate_tables", engine_spy)
    assert build(mini, check=True)[0].ok
    assert len(seen["staged"]) == 1, seen
    stage = seen["staged"][0].parent
    assert sorted(seen["frictionless"]) == sorted(
        [stage / "datapackage.json", stage / PARQUET_DIR / "datapackage.json"]
    )


def test_a_manifest_naming_files_outside_the_repository_reads_none_of_them(mini, tmp_path, monkeypatch):
    import nk_troops.inputs as inputs

    outside = tmp_path / "secret.txt"
    outside.write_text("secret", encoding="utf-8")
    manifest = json.loads((mini / MANIFEST).read_text(encoding="utf-8"))
    opened = []
    real_open = inputs.os.open
    monkeypatch.setattr(inputs.os, "open", lambda path, *a, **k: opened.append(str(path)) or real_open(path, *a, **k))
    for rel in (str(outside), "../secret.txt", "dataset/../../secret.txt", "http://example.org/x.csv"):
        manifest["outputs"] = {rel: "0" * 64}
        (mini / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
        text = validate(mini).render()
        assert "which is not a published file" in text, text
    assert not [p for p in opened if "secret" in p]


def test_a_huge_seed_is_fingerprinted_by_its_size_unread(mini, monkeypatch):
    import nk_troops.inputs as inputs

    monkeypatch.setattr(inputs, "MAX_INPUT_BYTES", 10)
    assert inputs.current_inputs(mini)["files"]["seeds/000_903a45e1dc248108.txt"].startswith("size:")


def test_a_large_published_file_is_hashed_whole_so_it_is_not_stale_forever(mini, monkeypatch):
    """Review: a published file over the input cap was fingerprinted by its size while build recorded its sha256,
    so validate called the tables out of date forever (and build said they were up to date)."""
    import json

    import nk_troops.inputs as inputs

    monkeypatch.setattr(inputs, "MAX_INPUT_BYTES", 10)  # every published file is over it now
    outputs = json.loads((mini / inputs.MANIFEST).read_text(encoding="utf-8"))["outputs"]
    assert outputs and all(inputs.file_digest(mini / rel) == digest for rel, digest in outputs.items())


def test_a_published_folder_linked_to_a_large_tree_is_not_walked(mini, tmp_path, monkeypatch):
    import nk_troops.inputs as inputs

    walked = []
    real_walk = inputs.os.walk
    monkeypatch.setattr(inputs.os, "walk", lambda top, **k: walked.append(str(top)) or real_walk(top, **k))
    schema = mini / "schema"
    for f in schema.iterdir():
        f.unlink()
    schema.rmdir()
    schema.symlink_to("/usr", target_is_directory=True)  # validate must not list /usr's files
    text = validate(mini).render()
    assert "[tables-out-of-date]" in text and not [w for w in walked if w.endswith("schema")]


def test_build_says_which_files_it_wrote_and_which_it_removed(mini, no_frictionless, capsys):
    """Found in review: a stray file build deleted was reported as '1 file(s) written: docs/site/notes.txt~'."""
    from nk_troops.cli import main

    (mini / "docs/site/notes.txt~").write_text("a backup", encoding="utf-8")
    assert main(["build", "--root", str(mini)]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == "0 file(s) written; 1 removed: docs/site/notes.txt~"
    assert main(["build", "--root", str(mini)]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == "0 file(s) written (already up to date)"
