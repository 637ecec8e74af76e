"""`aigen render [--check]`: specs -> generated/ (rules, runbooks, ...) and docs/metrics.md."""

from __future__ import annotations

from pathlib import Path

import click

from aigen import writer
from aigen.commands.common import echo_problems, project_and_plans
from aigen.config import load_config
from aigen.errors import EXIT_INVALID, EXIT_OK, EXIT_USAGE
from aigen.render import RenderEnv, render_all
from aigen.templating import environment


def artifacts(templates: Path | None = None, config=None):
    config = config or load_config(Path.cwd())
    project, plans = project_and_plans(config=config)
    if project.problems:
        echo_problems(project.problems)
        return config, None
    return config, render_all(plans, RenderEnv(environment(templates)))


def run(check: bool = False, templates: Path | None = None, force: bool = False) -> int:
    if templates is not None and not templates.is_dir():
        click.echo(f"aigen: {templates}: no such templates directory", err=True)
        return EXIT_USAGE
    config, arts = artifacts(templates)
    if arts is None:
        return EXIT_INVALID
    result = writer.plan(config, arts)
    if check:
        for label, paths in (("stale", result.stale), ("missing", result.missing), ("extra", result.extra)):
            for path in paths:
                click.echo(f"{label}: {path}", err=True)
        if not result.in_step:
            click.echo("generated output is out of step with the specs: run `aigen render`", err=True)
            return EXIT_INVALID
        click.echo(f"{len(result.desired)} generated file(s) in step")
        return EXIT_OK
    writer.write(config, result, force=force)
    changed = len(result.stale) + len(result.missing) + len(result.extra)
    click.echo(f"rendered {len(result.desired)} file(s); {changed} changed")
    return EXIT_OK


@click.command("render")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 listing stale, missing and extra files.")
@click.option("--templates", type=click.Path(file_okay=False, path_type=Path),
              help="A folder of templates layered over the shipped ones (same relative names).")
@click.option("--force", is_flag=True, help="Overwrite generated files that were edited by hand.")
def command(check: bool, templates: Path | None, force: bool) -> int:
    """Render every spec into generated/<model-id>/ and docs/metrics.md."""
    return run(check, templates, force)
