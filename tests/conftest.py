"""Shared fixtures. Tests never write into the repository: they copy what they need into tmp_path."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir
from hypothesis.database import DirectoryBasedExampleDatabase

REPO = Path(__file__).resolve().parent.parent
"""The repository root: the one place tests find specs/, generated/ and docs/ from."""

# hypothesis stores failing examples (to replay them) and a cache of constants under .hypothesis/ in the working
# directory by default; keep both in the temp dir so the suite never writes into the repository.
HYPOTHESIS_HOME = Path(tempfile.gettempdir()) / "aigen-hypothesis"
set_hypothesis_home_dir(HYPOTHESIS_HOME)
settings.register_profile("aigen", database=DirectoryBasedExampleDatabase(HYPOTHESIS_HOME / "examples"))
settings.load_profile("aigen")


@pytest.fixture
def repo() -> Path:
    return REPO


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A throwaway copy of this repository's specs (taxonomy + example models), ready for `aigen render`."""
    shutil.copytree(REPO / "specs", tmp_path / "specs")
    (tmp_path / "aigen.toml").write_text("", encoding="utf-8")
    return tmp_path


@pytest.fixture(scope="session")
def rendered_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example project rendered once per test process: renders cost seconds each (the proofs' sampled traffic),
    and a copy of this one is in step, so `aigen render` in the copy is an incremental no-op."""
    root = tmp_path_factory.mktemp("rendered-template")
    shutil.copytree(REPO / "specs", root / "specs")
    (root / "aigen.toml").write_text("", encoding="utf-8")
    result = run_aigen("render", cwd=root, timeout=600)
    assert result.returncode == 0, result.stderr
    return root


@pytest.fixture
def rendered_project(rendered_template: Path, tmp_path: Path) -> Path:
    """A throwaway copy of the example project with generated/ rendered and in step."""
    target = tmp_path / "project"
    shutil.copytree(rendered_template, target)
    return target


def run_aigen(*args: str, cwd: Path, env: dict[str, str] | None = None, stdin: bytes | None = None,
              timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the real CLI in a subprocess, as a user would (exit codes, stdout and stderr as they are)."""
    full_env = {**os.environ, **(env or {})}
    full_env.pop("AIGEN_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "aigen", *args], cwd=cwd, env=full_env, input=stdin,
                          capture_output=True, timeout=timeout, text=stdin is None)


@pytest.fixture
def aigen():
    return run_aigen
