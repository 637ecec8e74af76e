"""`aigen validate [PATH...]`: check specs and the taxonomy; report every problem with its location."""

from __future__ import annotations

from pathlib import Path

import click

from aigen.commands.common import echo_problems
from aigen.config import load_config
from aigen.errors import EXIT_INVALID, EXIT_OK
from aigen.project import load_project


def run(paths: list[Path], taxonomy: Path | None = None, quiet: bool = False) -> int:
    config = load_config(Path.cwd())
    project = load_project(config, paths, taxonomy)
    for note in [] if quiet else project.skipped:
        click.echo(f"note: {note}", err=True)
    if project.problems:
        echo_problems(project.problems, summary=True)
        return EXIT_INVALID
    if not quiet:
        click.echo(f"{len(project.specs)} spec(s) valid against {project.taxonomy_display}")
    return EXIT_OK


@click.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--taxonomy", type=click.Path(dir_okay=False, path_type=Path), help="Taxonomy file to validate against.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing when valid.")
def command(paths: tuple[Path, ...], taxonomy: Path | None, quiet: bool) -> int:
    """Validate model specs (default: the project's specs folder) and the taxonomy."""
    return run(list(paths), taxonomy, quiet)
