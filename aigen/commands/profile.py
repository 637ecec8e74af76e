"""`aigen profile --model ID DATA`: a training sample -> specs/profiles/<model-id>.json, the drift/fairness baseline."""

from __future__ import annotations

from pathlib import Path

import click

from aigen.commands.common import echo_problems
from aigen.config import load_config
from aigen.errors import EXIT_INVALID, EXIT_OK, EXIT_USAGE, InputError
from aigen.profile import DEFAULT_BINS, DEFAULT_TOP_K, Settings, dump_profile
from aigen.profile_build import build_profile
from aigen.project import load_project, profile_path
from aigen.sample import read_table


def run(model: str, data: Path, outcome: str = "outcome", bins: int = DEFAULT_BINS, top_k: int = DEFAULT_TOP_K,
        output: Path | None = None) -> int:
    config = load_config(Path.cwd())
    project = load_project(config)
    loaded = next((s for s in project.specs if s.spec.model.id == model), None)
    if loaded is None:
        if project.problems:
            echo_problems(project.problems)
            return EXIT_INVALID
        known = ", ".join(s.spec.model.id for s in project.specs) or "none"
        click.echo(f"aigen: no spec with model.id '{model}' in {config.display(config.specs)} (known: {known})",
                   err=True)
        return EXIT_USAGE
    try:
        table = read_table(data, config.display(data))
        profile = build_profile(loaded.spec, table, outcome, Settings(bins=bins, top_k=top_k))
    except InputError as exc:
        echo_problems(exc.problems)
        return EXIT_INVALID
    target = output or profile_path(config, model)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(dump_profile(profile), encoding="utf-8")
    click.echo(f"wrote {config.display(target)}: {len(profile.features)} feature(s), {len(profile.groups)} protected "
               f"attribute(s) from {profile.source.rows} row(s)")
    return EXIT_OK


@click.command("profile")
@click.option("--model", "model", required=True, help="The spec's model.id.")
@click.argument("data", type=click.Path(path_type=Path))
@click.option("--outcome", default="outcome", show_default=True, help="Column holding the prediction's outcome.")
@click.option("--bins", type=click.IntRange(2, 100), default=DEFAULT_BINS, show_default=True,
              help="Quantile bins per numeric feature.")
@click.option("--top-k", type=click.IntRange(1, 100), default=DEFAULT_TOP_K, show_default=True,
              help="Values kept per categorical feature (the rest bin as __other__).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write (default: specs/profiles/<model-id>.json).")
def command(model: str, data: Path, outcome: str, bins: int, top_k: int, output: Path | None) -> int:
    """Profile a training sample (CSV, or Parquet with the parquet extra) into the drift and fairness baseline."""
    return run(model, data, outcome, bins, top_k, output)
