"""`aigen test [PATH...]`: promtool check + test over generated rules and tests, with measured time-to-fire."""

from __future__ import annotations

from pathlib import Path

import click

from aigen.config import load_config
from aigen.errors import EXIT_INVALID, EXIT_OK, EXIT_USAGE, UsageError


def _changed_targets(base: str) -> list[Path] | None:
    """The generated folders of the models changed since ``base`` (git); None, said why, when git cannot tell."""
    from aigen.changed import model_targets

    try:
        return model_targets(load_config(Path.cwd()), base)
    except UsageError as exc:
        click.echo(f"aigen: --changed: {exc}", err=True)
        return None


def run(paths: list[Path], output_format: str = "text", jobs: int | None = None, base: str | None = None) -> int:
    """``base``: prove only the models changed since that git ref (``--changed``), instead of ``paths``."""
    from aigen.proof import runner

    for path in paths:
        if not path.exists():
            click.echo(f"aigen: {path}: no such file or directory", err=True)
            return EXIT_USAGE
    targets = paths or [load_config(Path.cwd()).generated]
    if base is not None:
        changed = _changed_targets(base)
        if changed is None:
            return EXIT_USAGE
        if not changed:
            click.echo(f"no model changed since {base}: nothing to prove")
            return EXIT_OK
        targets = changed
    try:
        check_ok, check_output, results = runner.run(targets, jobs)
    except runner.PromtoolMissing as exc:
        click.echo(f"aigen: {exc}", err=True)
        return EXIT_USAGE
    if not check_ok:
        click.echo(check_output, err=True)
    if output_format == "json":
        click.echo(runner.as_json(check_ok, results))
    else:
        click.echo(runner.table(results))
        for file in results:
            for failure in file.failures:
                click.echo(f"{file.path}: {failure}", err=True)
    passed = check_ok and bool(results) and all(r.passed for r in results)
    if not results:
        click.echo("aigen: no promtool test files found (generated/<model>/tests/*.yaml)", err=True)
    if output_format == "text":
        failed = sum(1 for r in runner.rows(results) if not r.passed)
        click.echo(f"{len(runner.rows(results)) - failed} passed, {failed} failed")
    return EXIT_OK if passed else EXIT_INVALID


@click.command("test")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None,
              help="promtool processes at once (default: CPUs).")
@click.option("--changed", is_flag=True,
              help="Only the models a change touches (git: specs, profiles, generated/<model>; taxonomy, templates "
                   "or config: all), compared with --base.")
@click.option("--base", default="HEAD", show_default=True, metavar="REF",
              help="With --changed: compare with the merge base of REF and HEAD (e.g. origin/main in CI).")
def command(paths: tuple[Path, ...], output_format: str, jobs: int | None, changed: bool, base: str) -> int:
    """Run promtool over generated rules and tests; report each alert's measured time-to-fire.

    Exit 0 when every test passes and every alert fires within its budget and stays silent when healthy (or
    when --changed finds no model changed), 1 otherwise, 2 when promtool or git is missing or fails.
    """
    if changed and paths:
        raise click.UsageError("--changed picks the models itself: give no PATH with it")
    return run(list(paths), output_format, jobs, base if changed else None)
