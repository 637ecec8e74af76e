"""The CLI's contract: documented exit codes, no traceback, `python -m aigen`, an installable wheel."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from aigen import cli
from tests.conftest import REPO


def test_internal_error_is_one_line_and_exit_3(monkeypatch, capsys, project):
    monkeypatch.chdir(project)
    monkeypatch.delenv("AIGEN_DEBUG", raising=False)

    def boom(*args, **kwargs):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr("aigen.commands.validate.load_project", boom)
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["validate"])
    assert exit_info.value.code == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "internal error: RuntimeError: simulated bug" in err and "report" in err


def test_help_lists_commands_and_exit_codes(aigen, project):
    result = aigen("--help", cwd=project)
    assert result.returncode == 0
    for name in ("validate", "render", "schema"):
        assert name in result.stdout
    assert "3 internal error" in result.stdout


def test_unknown_command_is_a_usage_error(aigen, project):
    assert aigen("frobnicate", cwd=project).returncode == 2


def test_directory_option(aigen, project, tmp_path):
    result = aigen("-C", str(project), "validate", cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_console_script_is_installed():
    script = Path(sys.executable).parent / "aigen"
    result = subprocess.run([str(script), "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and "aigen" in result.stdout


def test_wheel_ships_templates_and_taxonomy_and_works_outside_the_repo(tmp_path):
    """An installed aigen renders a project that has only a spec: the taxonomy and templates come from the wheel."""
    dist = tmp_path / "dist"
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(REPO)],
                           capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr
    wheel = next(dist.glob("aigen-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "aigen/templates/runbooks/_base.yaml.j2" in names
    assert "aigen/data/taxonomy.yaml" in names
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site), str(wheel)],
                   check=True, capture_output=True, timeout=300)
    user = tmp_path / "team-repo"
    (user / "specs" / "models").mkdir(parents=True)
    (user / "specs" / "models" / "fraud-detection.yaml").write_bytes(
        (REPO / "specs" / "models" / "fraud-detection.yaml").read_bytes())
    env = {**os.environ, "PYTHONPATH": str(site)}
    result = subprocess.run([sys.executable, "-c", "import aigen, sys; print(aigen.__file__)"], env=env,
                            capture_output=True, text=True, cwd=user)
    assert result.stdout.startswith(str(site)), result.stdout
    result = subprocess.run([sys.executable, "-m", "aigen", "render"], env=env, capture_output=True, text=True,
                            cwd=user)
    assert result.returncode == 0, result.stderr
    assert (user / "generated" / "fraud-detection" / "runbooks" / "model_drift.yaml").is_file()
