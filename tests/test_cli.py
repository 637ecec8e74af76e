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


def _validate(monkeypatch, capsys, project: Path, *args: str) -> tuple[int, str, str]:
    monkeypatch.chdir(project)
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["validate", *args])
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def test_validate_a_folder_reads_each_file_by_its_kind(monkeypatch, capsys, project):
    """specs/ holds the taxonomy beside the models: validated as a taxonomy, not as a spec with five bogus errors."""
    assert _validate(monkeypatch, capsys, project, "specs")[:2] == (0, "3 spec(s) valid against specs/taxonomy.yaml\n")


def test_validate_a_folder_skips_other_yaml_with_a_note(monkeypatch, capsys, project):
    (project / "specs" / "models" / "deployment.yaml").write_text("apiVersion: apps/v1\nkind: Deployment\n")
    code, out, err = _validate(monkeypatch, capsys, project, "specs")
    assert (code, out) == (0, "3 spec(s) valid against specs/taxonomy.yaml\n")
    assert err == "note: specs/models/deployment.yaml: skipped: kind 'Deployment' is neither ModelSpec nor Taxonomy\n"


def test_validate_a_folder_reports_a_second_taxonomy_and_a_misspelt_kind(monkeypatch, capsys, project):
    """A taxonomy found in the folder is checked on its own; a file that claims aigen's apiVersion is never skipped."""
    extra = project / "specs" / "team" / "taxonomy.yaml"
    extra.parent.mkdir()
    extra.write_text((project / "specs" / "taxonomy.yaml").read_text().replace("[accuracy_drop,", "[accuracy_dorp,"))
    (project / "specs" / "team" / "m.yaml").write_text("apiVersion: aigen/v1\nkind: ModelSepc\n")
    code, _, err = _validate(monkeypatch, capsys, project, "specs")
    assert code == 1
    assert "specs/team/taxonomy.yaml:" in err and "unknown detector 'accuracy_dorp'" in err
    assert "specs/team/m.yaml:2:7: kind:" in err
