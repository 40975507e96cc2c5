"""A build that fails or is interrupted at any point leaves the published files intact and readable."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import published_hashes

import nk_troops.build as build_module
from nk_troops.build import build, recover


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


def test_a_failing_write_while_staging_changes_nothing(mini, monkeypatch):
    before = published_hashes(mini)
    _change_a_record(mini)
    calls = {"n": 0}

    def failing_fsync(fd):
        calls["n"] += 1
        if calls["n"] == 5:
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(build_module.os, "fsync", failing_fsync)
    report, changed = build(mini)
    assert not report.ok and changed == []
    assert "No space left on device" in report.render()
    assert published_hashes(mini) == before
    assert not (mini / build_module.STAGING).exists() and not (mini / build_module.JOURNAL).exists()


def test_frictionless_rejecting_the_staged_package_changes_nothing(mini, monkeypatch):
    from nk_troops import package_check, problems

    before = published_hashes(mini)
    _change_a_record(mini)
    monkeypatch.setattr(
        package_check,
        "frictionless_problems",
        lambda path: [problems.PackageProblem("simulated", resource="events", row=2)],
    )
    report, changed = build(mini)
    assert not report.ok and changed == []
    assert published_hashes(mini) == before


def test_interrupted_at_every_move_each_file_stays_whole_and_the_next_build_finishes(mini, tmp_path, monkeypatch):
    before = published_hashes(mini)
    _change_a_record(mini)
    # what a clean build of the changed records publishes
    import shutil

    clean = tmp_path / "clean"
    shutil.copytree(mini, clean)
    assert build(clean)[0].ok
    after = published_hashes(clean)
    moved = [rel for rel in after if after[rel] != before.get(rel)]
    assert len(moved) >= 3
    real_replace = build_module.os.replace
    for stop_at in range(1, len(moved) + 1):  # crash before the 1st, 2nd, ... move
        work = tmp_path / f"crash{stop_at}"
        shutil.copytree(mini, work)
        calls = {"n": 0}

        def crashing_replace(src, dst, _stop=stop_at):
            if str(dst).endswith(build_module.JOURNAL):
                return real_replace(src, dst)  # the journal commit itself succeeds
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
        _all_readable(work)
        recover(work)  # what the next build does first
        assert published_hashes(work) == after
