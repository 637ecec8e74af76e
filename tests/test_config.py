"""Finding the project root and reading its settings (aigen.toml, or pyproject.toml's [tool.aigen])."""

from __future__ import annotations

from pathlib import Path

import pytest

import aigen.config
from aigen.config import find_root, load_config
from aigen.errors import UsageError


def test_a_pyproject_with_a_tool_section_marks_the_root_and_its_settings_are_read(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.aigen]\nspecs = "models"\n'
                                             'evaluation_interval = "1m"\n', encoding="utf-8")
    inner = tmp_path / "a" / "b"
    inner.mkdir(parents=True)
    assert find_root(inner) == tmp_path.resolve()
    config = load_config(inner)
    assert config.source == tmp_path.resolve() / "pyproject.toml"
    assert config.specs == tmp_path.resolve() / "models" and config.evaluation_interval == 60


def test_aigen_toml_wins_over_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.aigen]\nspecs = "from-pyproject"\n', encoding="utf-8")
    (tmp_path / "aigen.toml").write_text('specs = "from-aigen-toml"\n', encoding="utf-8")
    assert load_config(tmp_path).specs == tmp_path.resolve() / "from-aigen-toml"


def test_a_pyproject_without_the_section_leaves_the_defaults(tmp_path: Path) -> None:
    (tmp_path / "specs").mkdir()
    (tmp_path / "pyproject.toml").write_text('[tool.other]\nx = 1\n', encoding="utf-8")
    config = load_config(tmp_path)
    assert config.source is None and config.specs == tmp_path.resolve() / "specs" / "models"


def test_an_invalid_pyproject_at_the_root_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "specs").mkdir()
    (tmp_path / "pyproject.toml").write_text("[tool.aigen\n", encoding="utf-8")
    with pytest.raises(UsageError, match="invalid TOML"):
        load_config(tmp_path)


def test_an_unknown_setting_in_pyproject_is_named(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.aigen]\nspecz = "x"\n', encoding="utf-8")
    with pytest.raises(UsageError, match=r"unknown aigen setting.*specz"):
        load_config(tmp_path)


def test_the_pyproject_that_marks_the_root_is_parsed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pre-commit path reads the settings on every run: finding the root must not cost a second TOML parse."""
    (tmp_path / "pyproject.toml").write_text('[tool.aigen]\nspecs = "models"\n', encoding="utf-8")
    parsed: list[str] = []
    real = aigen.config.tomllib.loads
    monkeypatch.setattr(aigen.config.tomllib, "loads", lambda text: parsed.append(text) or real(text))
    assert load_config(tmp_path).source == tmp_path.resolve() / "pyproject.toml"
    assert len(parsed) == 1
