"""`aigen test --changed [--base REF]`: only the models a git change touches are proven."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from aigen.changed import ALL, touched_models
from aigen.config import load_config


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=root, check=True,
                   capture_output=True)


@pytest.fixture
def repo_project(rendered_project: Path, aigen) -> Path:
    """The example project, rendered and committed in a git repository of its own."""
    project = rendered_project
    assert aigen("render", cwd=project).returncode == 0
    _git(project, "init", "-q", "-b", "main")
    _git(project, "add", "-A")
    _git(project, "commit", "-q", "-m", "rendered")
    return project


@pytest.mark.parametrize(("changed", "expected"), [
    ("specs/models/loan-approval.yaml", {"loan-approval"}),
    ("specs/profiles/fraud-detection.json", {"fraud-detection"}),
    ("generated/content-moderation/tests/healthy.yaml", {"content-moderation"}),
    ("generated/fleet-dashboard.json", set()),
    ("README.md", set()),
    ("specs/taxonomy.yaml", {ALL}),
    ("aigen.toml", {ALL}),
])
def test_touched_models(project: Path, changed: str, expected: set[str]) -> None:
    assert touched_models(load_config(project), [(project / changed).resolve()]) == expected


def test_changed_proves_only_the_changed_model(repo_project: Path, aigen) -> None:
    spec = repo_project / "specs" / "models" / "fraud-detection.yaml"
    spec.write_text(spec.read_text().replace("accuracy_drop: 0.10", "accuracy_drop: 0.20"))
    assert aigen("render", cwd=repo_project).returncode == 0
    result = aigen("test", "--changed", "--format", "json", cwd=repo_project, timeout=300)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["files"]
    assert {Path(f["path"]).parts[-3] for f in report["files"]} == {"fraud-detection"}
    assert {a["model"] for a in report["alerts"]} == {"fraud-detection"}


def test_changed_with_nothing_changed_proves_nothing(repo_project: Path, aigen) -> None:
    _git(repo_project, "checkout", "-q", "-b", "feature")
    result = aigen("test", "--changed", "--base", "main", cwd=repo_project)
    assert result.returncode == 0, result.stderr
    assert "no model changed since main" in result.stdout


def test_changed_outside_git_is_a_usage_error(project: Path, aigen) -> None:
    result = aigen("test", "--changed", cwd=project)
    assert result.returncode == 2
    assert "aigen: --changed: git" in result.stderr
    assert "Traceback" not in result.stderr
