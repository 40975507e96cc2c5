"""A build that fails or is interrupted at any point leaves every published file whole and readable."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from conftest import published_hashes

import nk_troops.build as build_module
from nk_troops.build import build
from nk_troops.validate import validate


def _change_a_record(root):
    path = root / "dataset/records/events.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("two North Korean soldiers in Russia's", "two North Korean soldiers in the Russian"),
        encoding="utf-8",
    )


def _all_readable(root) -> None:
    for rel in published_hashes(root):
        if rel.endswith(".csv"):
            pd.read_csv(root / rel, dtype=str)
        elif rel.endswith(".parquet"):
            pd.read_parquet(root / rel)


def _leftovers(root) -> list[str]:
    return [str(p.relative_to(root)) for p in root.rglob("*.tmp")]


def test_a_failing_write_changes_no_file_halfway(mini, monkeypatch, no_frictionless):
    before = published_hashes(mini)
    _change_a_record(mini)

    def failing_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(build_module.os, "fsync", failing_fsync)
    report, changed = build(mini)
    assert not report.ok and changed == []
    assert "No space left on device" in report.render()
    assert published_hashes(mini) == before  # the first write failed before its rename
    assert _leftovers(mini) == []


def test_checks_rejecting_the_staged_package_change_nothing(mini, monkeypatch, no_frictionless):
    from nk_troops import problems

    before = published_hashes(mini)
    _change_a_record(mini)
    monkeypatch.setattr(
        build_module, "check_staged", lambda outputs, root: [problems.PackageProblem("simulated", resource="events")]
    )
    report, changed = build(mini)
    assert not report.ok and changed == []
    assert published_hashes(mini) == before


def test_interrupted_at_every_move_each_file_stays_whole_and_the_next_build_finishes(
    mini, tmp_path, monkeypatch, no_frictionless
):
    before = published_hashes(mini)
    _change_a_record(mini)
    clean = tmp_path / "clean"  # what a clean build of the changed records publishes
    shutil.copytree(mini, clean)
    assert build(clean)[0].ok
    after = published_hashes(clean)
    moved = [rel for rel in after if after[rel] != before.get(rel)]
    assert len(moved) >= 3
    real_replace = build_module.os.replace
    outputs = build_module.render_outputs(clean, build_module.check_records(clean).tables)
    monkeypatch.setattr(build_module, "render_outputs", lambda root, tables: dict(outputs))  # rendered once
    monkeypatch.setattr(build_module, "check_staged", lambda outputs, root: [])  # checked by the clean build
    for stop_at in range(1, len(moved) + 1):  # killed before the 1st, 2nd, ... rename
        work = tmp_path / f"crash{stop_at}"
        shutil.copytree(mini, work)
        calls = {"n": 0}

        def crashing_replace(src, dst, _stop=stop_at, calls=calls):
            calls["n"] += 1
            if calls["n"] == _stop:
                raise KeyboardInterrupt("simulated kill")
            return real_replace(src, dst)

        monkeypatch.setattr(build_module.os, "replace", crashing_replace)
        with pytest.raises(KeyboardInterrupt):
            build(work)
        monkeypatch.setattr(build_module.os, "replace", real_replace)
        now = published_hashes(work)
        for rel, digest in now.items():  # every file is wholly the old or wholly the new version
            assert digest in (before.get(rel), after.get(rel)), rel
        assert now["datapackage.json"] == before["datapackage.json"]  # the root descriptor moves last of all
        assert _leftovers(work) == []
        _all_readable(work)
        kinds = [p.type for p in validate(work).problems]
        assert kinds == ["tables-out-of-date"]  # one line until the next build
        assert build(work)[0].ok
        assert published_hashes(work) == after
        assert validate(work).ok
