"""What several commands share: loading the project and building plans, printing problems."""

from __future__ import annotations

from pathlib import Path

import click

from aigen.config import Config, load_config
from aigen.errors import Problem
from aigen.plan import ModelPlan, build_project
from aigen.project import Project, load_project


def echo_problems(problems: list[Problem], summary: bool = False) -> None:
    """Each problem on stderr as ``path:line:col: message``; with ``summary``, a closing count line."""
    for problem in problems:
        click.echo(str(problem), err=True)
    if summary and problems:
        click.echo(f"{len(problems)} problem(s) in {len({p.path for p in problems})} file(s)", err=True)


def project_and_plans(paths: list[Path] | None = None, taxonomy: Path | None = None,
                      config: Config | None = None) -> tuple[Project, list[ModelPlan]]:
    config = config or load_config(Path.cwd())
    project = load_project(config, paths, taxonomy)
    return project, build_project(project)
