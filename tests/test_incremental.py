"""Incremental and parallel render: only models whose inputs changed are rendered, and the result is byte-identical
to a full render from scratch."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from aigen import writer
from aigen.commands import render
from aigen.commands.common import project_and_plans
from aigen.config import load_config
from aigen.render import RenderEnv, render_models
from aigen.templating import environment


def _tree(root: Path) -> dict[str, bytes]:
    """Every file of a project's output (generated/ and docs/), by relative path."""
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for folder in ("generated", "docs") for p in sorted((root / folder).rglob("*")) if p.is_file()}


def _render(root: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.chdir(root)
    return render.command.main(list(args), standalone_mode=False)


def _full_render_of(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """The output of a render from scratch of a copy of ``project``'s specs."""
    fresh = tmp_path / "fresh"
    shutil.copytree(project / "specs", fresh / "specs")
    shutil.copyfile(project / "aigen.toml", fresh / "aigen.toml")
    assert _render(fresh, monkeypatch, "--no-cache") == 0
    return _tree(fresh)


@pytest.fixture
def rendered(project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    assert _render(project, monkeypatch) == 0
    return project


def _touch_spec(project: Path) -> None:
    spec = project / "specs" / "models" / "fraud-detection.yaml"
    spec.write_text(spec.read_text().replace("accuracy_drop: 0.10", "accuracy_drop: 0.20"))


def test_one_changed_spec_renders_only_that_model_and_matches_a_full_render(rendered, tmp_path, monkeypatch):
    _touch_spec(rendered)
    seen: list[str] = []
    real = render_models

    def spy(plans, env, jobs=None):
        seen.extend(p.model_id for p in plans)
        return real(plans, env, jobs)

    monkeypatch.setattr(writer, "render_models", spy)
    assert _render(rendered, monkeypatch) == 0
    assert seen == ["fraud-detection"]
    assert _tree(rendered) == _full_render_of(rendered, tmp_path, monkeypatch)
    seen.clear()
    assert _render(rendered, monkeypatch, "--check") == 0
    assert seen == []  # nothing changed since: nothing rendered


def test_a_taxonomy_change_renders_every_model(rendered, tmp_path, monkeypatch):
    taxonomy = rendered / "specs" / "taxonomy.yaml"
    taxonomy.write_text(taxonomy.read_text() + "\n# a comment changes the bytes, so every model's inputs\n")
    result = writer.reusable(load_config(rendered), writer.fingerprints(
        load_config(rendered), project_and_plans(config=load_config(rendered))[0], None))
    assert result == {}
    assert _render(rendered, monkeypatch) == 0
    assert _tree(rendered) == _full_render_of(rendered, tmp_path, monkeypatch)


def test_a_hand_edit_in_an_unchanged_model_is_still_caught(rendered, monkeypatch, capsys):
    edited = rendered / "generated" / "loan-approval" / "rules.yaml"
    edited.write_text(edited.read_text() + "# my note\n")
    assert _render(rendered, monkeypatch, "--check") == 1
    assert "stale: generated/loan-approval/rules.yaml" in capsys.readouterr().err
    with pytest.raises(Exception, match="edited by hand"):
        _render(rendered, monkeypatch)
    assert edited.read_text().endswith("# my note\n")


def test_a_deleted_output_of_an_unchanged_model_is_rendered_again(rendered, monkeypatch):
    lost = rendered / "generated" / "content-moderation" / "rules.yaml"
    before = lost.read_bytes()
    lost.unlink()
    assert _render(rendered, monkeypatch) == 0
    assert lost.read_bytes() == before


def test_parallel_render_equals_sequential_render(project):
    _, plans = project_and_plans(config=load_config(project))
    env = RenderEnv(environment())
    assert list(render_models(plans, env, jobs=2)) == list(render_models(plans, env, jobs=1))


def test_a_render_interrupted_while_moving_files_is_finished_by_the_next(rendered, tmp_path, monkeypatch):
    _touch_spec(rendered)
    config = load_config(rendered)
    project, plans = project_and_plans(config=config)
    result = writer.incremental_plan(config, project, plans, None, jobs=1)
    assert result.stale
    real, calls = os.replace, {"n": 0}

    def failing_replace(src, dest):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # Ctrl-C after the first file was moved into place
        return real(src, dest)

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(KeyboardInterrupt):
        writer.write(config, result)
    monkeypatch.undo()
    writer.recover(config)
    assert not any(p.name.endswith(".aigen-tmp") for p in rendered.iterdir())
    assert _tree(rendered) == _full_render_of(rendered, tmp_path, monkeypatch)
