"""The shipped .pre-commit-hooks.yaml, installed with the real pre-commit into a throwaway git repository.

pre-commit's ``language: python`` would pip-install aigen from its git URL (network); the test keeps every field of
the shipped hooks and only runs them as ``language: system`` with this virtualenv's ``aigen``, so it works offline.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, run_aigen

BIN = Path(sys.executable).parent


def git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, timeout=300, env=_env(repo))


def _env(repo: Path) -> dict[str, str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(repo.parent / "pre-commit-home"), "GIT_AUTHOR_NAME": "t",
           "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
           "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("AIGEN_DEBUG", None)
    return env


def local_config() -> str:
    """The shipped hooks as a `repo: local` config: same ids, entries, file filters; system language, venv aigen."""
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [h["id"] for h in hooks] == ["aigen-lint", "aigen-render-check"]
    for hook in hooks:
        assert hook["entry"].startswith("aigen ")
        hook["entry"] = str(BIN / "aigen") + hook["entry"][len("aigen"):]
        hook["language"] = "system"
    return yaml.safe_dump({"repos": [{"repo": "local", "hooks": hooks}]}, sort_keys=False)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "models"
    shutil.copytree(REPO / "specs", root / "specs")
    (root / "aigen.toml").write_text("", encoding="utf-8")
    rendered = run_aigen("render", cwd=root)
    assert rendered.returncode == 0, rendered.stderr
    (root / ".pre-commit-config.yaml").write_text(local_config(), encoding="utf-8")
    assert git(root, "init", "-q").returncode == 0
    installed = subprocess.run([str(BIN / "pre-commit"), "install"], cwd=root, capture_output=True, text=True,
                               env=_env(root), timeout=120)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return root


def test_one_commit_passes_and_one_is_refused(repo: Path) -> None:
    git(repo, "add", "-A")
    passed = git(repo, "commit", "-q", "-m", "specs and generated output")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "aigen lint" in passed.stdout + passed.stderr

    spec = repo / "specs" / "models" / "loan-approval.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("severity_overrides: {}",
                                                             "severity_overrides: {model_drift: urgent}"),
                    encoding="utf-8")
    git(repo, "add", "-A")
    refused = git(repo, "commit", "-q", "-m", "raise drift severity")
    output = refused.stdout + refused.stderr
    assert refused.returncode != 0, output
    assert "specs/models/loan-approval.yaml" in output and "spec-valid" in output
    assert "'urgent' is not a severity level" in output
    assert git(repo, "log", "--format=%s").stdout.splitlines() == ["specs and generated output"]


def test_shipped_manifest_is_valid_for_pre_commit() -> None:
    result = subprocess.run([str(BIN / "pre-commit"), "validate-manifest", str(REPO / ".pre-commit-hooks.yaml")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
