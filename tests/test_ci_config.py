"""The pull-request workflow is safe (read-only, no secrets, no pull_request_target) and really validates."""

from __future__ import annotations

import yaml
from conftest import REPO


def test_workflow_runs_validation_and_tests_with_read_only_permissions():
    text = (REPO / ".github/workflows/validate.yml").read_text(encoding="utf-8")
    wf = yaml.safe_load(text)
    triggers = wf[True] if True in wf else wf["on"]  # YAML 1.1 reads the key `on` as True
    assert set(triggers) == {"pull_request", "push"}
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    assert "pull_request_target" not in code and "secrets." not in code
    assert wf["permissions"] == {"contents": "read"}
    runs = " ".join(step.get("run", "") for step in wf["jobs"]["validate"]["steps"])
    assert (
        "nk-troops validate --format github" in runs and "nk-troops build --check" in runs and "scripts/test.sh" in runs
    )


def test_release_workflow_verifies_before_it_publishes_and_writes_only_on_tags():
    text = (REPO / ".github/workflows/release.yml").read_text(encoding="utf-8")
    wf = yaml.safe_load(text)
    triggers = wf[True] if True in wf else wf["on"]
    assert list(triggers) == ["push"] and set(triggers["push"]) == {"tags"}
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    assert "pull_request_target" not in code and "secrets." not in code
    assert wf["permissions"] == {"contents": "read"}
    verify, publish = wf["jobs"]["verify"], wf["jobs"]["publish"]
    assert "permissions" not in verify and publish["permissions"] == {"contents": "write"}
    assert publish["needs"] == "verify"
    runs = " ".join(step.get("run", "") for step in verify["steps"])
    assert "nk-troops build --check" in runs and "--verify" in runs
    assert not any("uses" in step and "checkout" in step["uses"] for step in publish["steps"]), (
        "the job that can write runs none of the repository's code"
    )


def test_pre_commit_hook_runs_the_same_validation():
    cfg = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    entries = [hook["entry"] for repo in cfg["repos"] for hook in repo["hooks"]]
    assert "nk-troops validate" in entries and "nk-troops build --check" in entries


def test_validation_never_fetches_urls(monkeypatch):
    """URLs are checked for form only: any socket use during validate fails this test."""
    import socket

    def no_network(*args, **kwargs):
        raise AssertionError("validation tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket.socket, "connect_ex", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    from nk_troops.validate import validate

    report = validate(REPO)
    assert report.ok, report.render()


def test_pages_workflow_publishes_the_checked_site_and_only_its_deploy_job_can_write():
    text = (REPO / ".github/workflows/pages.yml").read_text(encoding="utf-8")
    wf = yaml.safe_load(text)
    triggers = wf[True] if True in wf else wf["on"]
    assert triggers == {"push": {"branches": ["main"]}}
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    assert "pull_request_target" not in code and "secrets." not in code
    assert wf["permissions"] == {"contents": "read"}
    build, deploy = wf["jobs"]["build"], wf["jobs"]["deploy"]
    assert "permissions" not in build and deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["needs"] == "build"
    runs = " ".join(step.get("run", "") for step in build["steps"])
    assert "nk-troops build --check" in runs
    uploads = [s for s in build["steps"] if s.get("uses", "").startswith("actions/upload-pages-artifact@")]
    assert [s["with"]["path"] for s in uploads] == ["docs/site"]
    assert [s.get("uses", "").split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"], (
        "the job that can write runs none of the repository's code"
    )
