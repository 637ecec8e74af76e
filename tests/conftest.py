"""Shared fixtures. Tests never write into the repository: they copy what they need into tmp_path."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def repo() -> Path:
    return REPO


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A throwaway copy of this repository's specs (taxonomy + example models), ready for `aigen render`."""
    shutil.copytree(REPO / "specs", tmp_path / "specs")
    (tmp_path / "aigen.toml").write_text("", encoding="utf-8")
    return tmp_path


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
