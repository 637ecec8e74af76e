"""`aigen render [--check]`: specs -> generated/ (rules, runbooks, ...) and docs/metrics.md.

Costs follow what changed: a model whose inputs (aigen.render.inputs) fingerprint as recorded in the manifest, and
whose files are on disk as aigen wrote them, is not rendered again; the project-level artifacts only when some
model's inputs changed (``writer.incremental_plan``, which lint's ``generated-in-step`` asks too). The rest render
in parallel across CPUs.
"""

from __future__ import annotations

from pathlib import Path

import click

from aigen import writer
from aigen.commands.common import echo_problems, project_and_plans
from aigen.config import load_config
from aigen.errors import EXIT_INVALID, EXIT_OK, EXIT_USAGE


def run(check: bool = False, templates: Path | None = None, force: bool = False, jobs: int | None = None,
        cache: bool = True) -> int:
    if templates is not None and not templates.is_dir():
        click.echo(f"aigen: {templates}: no such templates directory", err=True)
        return EXIT_USAGE
    config = load_config(Path.cwd())
    project, plans = project_and_plans(config=config)
    if project.problems:
        echo_problems(project.problems)
        return EXIT_INVALID
    result = writer.incremental_plan(config, project, plans, templates, jobs, cache)
    if check:
        for label, paths in (("stale", result.stale), ("missing", result.missing), ("extra", result.extra)):
            for path in paths:
                click.echo(f"{label}: {path}", err=True)
        if not result.in_step:
            click.echo("generated output is out of step with the specs: run `aigen render`", err=True)
            return EXIT_INVALID
        click.echo(f"{result.files} generated file(s) in step")
        return EXIT_OK
    writer.write(config, result, force=force)
    changed = len(result.stale) + len(result.missing) + len(result.extra)
    click.echo(f"rendered {result.files} file(s); {changed} changed")
    return EXIT_OK


@click.command("render")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 listing stale, missing and extra files.")
@click.option("--templates", type=click.Path(file_okay=False, path_type=Path),
              help="A folder of templates layered over the shipped ones (same relative names).")
@click.option("--force", is_flag=True, help="Overwrite generated files that were edited by hand.")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None, help="Models rendered at once (default: CPUs).")
@click.option("--no-cache", "no_cache", is_flag=True,
              help="Render every model, even those whose inputs did not change since the last render.")
def command(check: bool, templates: Path | None, force: bool, jobs: int | None, no_cache: bool) -> int:
    """Render every spec into generated/<model-id>/ and docs/metrics.md."""
    return run(check, templates, force, jobs, not no_cache)
