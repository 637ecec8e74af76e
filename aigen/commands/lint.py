"""`aigen lint [PATH...]`: taxonomy coverage and rule quality, for generated and hand-written setups.

No paths: the project (specs, taxonomy, generated/). Paths may mix spec files, PrometheusRule manifests, plain rule
files, runbooks and folders of them. Exit 0 when nothing is at or above --fail-on, 1 when something is, 2 for
usage or I/O errors. jinja2 is imported only for the project's render comparison: the pre-commit path stays fast.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from aigen.errors import EXIT_INVALID, EXIT_OK

FORMATS = ("text", "json", "github", "sarif")


def run(paths: list[Path], taxonomy: Path | None = None, fmt: str = "text", fail_on: str = "error",
        show_coverage: bool = False) -> int:
    from aigen.config import load_config
    from aigen.lint import rules as registry
    from aigen.lint.build import build_context
    from aigen.lint.reporters import REPORTERS
    from aigen.lint.runner import at_or_above
    from aigen.lint.runner import run as run_rules
    from aigen.lint.settings import settings_from

    config = load_config(Path.cwd())
    rules = registry.all_rules()
    settings = settings_from(config.lint, config.source, {r.ID for r in rules})
    if taxonomy is not None and not taxonomy.is_file():
        from aigen.errors import UsageError

        raise UsageError(f"{taxonomy}: taxonomy file not found")
    ctx = build_context(config, paths, settings, taxonomy)
    problems = run_rules(ctx, rules)
    sys.stdout.write(REPORTERS[fmt](problems, rules))
    if show_coverage and ctx.taxonomy is not None:
        from aigen.lint.coverage import render_matrix

        click.echo(render_matrix(ctx), err=fmt != "text")
    failing = at_or_above(problems, fail_on)
    if fmt == "text":
        _summary(problems, failing)
    return EXIT_INVALID if failing else EXIT_OK


def _summary(problems: list, failing: list) -> None:
    if problems:
        errors = sum(p.level == "error" for p in problems)
        click.echo(f"{len(problems)} problem(s) ({errors} error(s)) in {len({p.path for p in problems})} file(s)",
                   err=True)


@click.command("lint")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--taxonomy", type=click.Path(dir_okay=False, path_type=Path),
              help="Taxonomy file (for a repository without specs).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text (path:line:col: level rule message), json, github (workflow annotations) or sarif.")
@click.option("--fail-on", type=click.Choice(["error", "warning"]), default="error", show_default=True,
              help="Exit 1 when a problem at or above this level is found.")
@click.option("--coverage", "show_coverage", is_flag=True,
              help="Also print the coverage matrix: incident type x model, with alert/runbook marks.")
def command(paths: tuple[Path, ...], taxonomy: Path | None, fmt: str, fail_on: str, show_coverage: bool) -> int:
    """Lint specs, Prometheus rules and runbooks against the taxonomy (default: the project)."""
    return run(list(paths), taxonomy, fmt, fail_on, show_coverage)
