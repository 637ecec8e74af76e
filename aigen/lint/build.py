"""Build the LintContext from the command line's paths (or the project), collecting problems instead of raising."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from aigen.config import Config
from aigen.errors import InputError, Problem
from aigen.lint import loader
from aigen.lint.context import LintContext
from aigen.lint.model import Inputs
from aigen.lint.settings import Settings

if TYPE_CHECKING:
    from aigen.taxonomy import Taxonomy


def build_context(config: Config, paths: list[Path], settings: Settings, taxonomy: Path | None = None) -> LintContext:
    problems: list[Problem] = []
    project_mode = not paths
    if project_mode:
        inputs = loader.load([config.generated], config, problems) if config.generated.is_dir() else Inputs()
        spec_paths: list[Path] = []
    else:
        inputs = loader.load(paths, config, problems)
        spec_paths = inputs.specs
        taxonomy = taxonomy or (inputs.taxonomies[0] if inputs.taxonomies else None)
    tax_path = taxonomy or config.taxonomy or _default_taxonomy()
    ctx = LintContext(config, settings, inputs, project_mode, taxonomy_path=tax_path, load_problems=problems)
    if project_mode or spec_paths:
        _load_specs(ctx, spec_paths, tax_path)
    if ctx.taxonomy is None:
        ctx.taxonomy, tax_problems = load_lenient_taxonomy(tax_path, config)
        if ctx.project is None:
            ctx.spec_problems.extend(p for p in tax_problems if p not in ctx.spec_problems)
    for extra in inputs.taxonomies:
        if extra != tax_path:
            ctx.spec_problems.extend(load_lenient_taxonomy(extra, config)[1])
    for alert in ctx.alerts:  # runbooks named by a generated runbook_url count for coverage, linted or not
        ctx.runbook_file(alert.annotations.get("runbook_url", ""))
    return ctx


def _load_specs(ctx: LintContext, spec_paths: list[Path], tax_path: Path) -> None:
    """Validate the specs as `aigen validate` does; the taxonomy comes with them when it is valid."""
    from aigen.project import load_project

    try:
        ctx.project = load_project(ctx.config, spec_paths or None, tax_path)
    except InputError as exc:
        ctx.spec_problems.extend(exc.problems)
        return
    ctx.taxonomy = ctx.project.taxonomy
    ctx.spec_problems.extend(ctx.project.problems)


def _default_taxonomy() -> Path:
    from aigen.taxonomy import default_taxonomy_path

    return default_taxonomy_path()


def load_lenient_taxonomy(path: Path, config: Config) -> tuple[Taxonomy | None, list[Problem]]:
    """The taxonomy as lint reads it (``load_taxonomy``'s lenient mode), or None and the problems that prevent it."""
    from aigen.detectors import DETECTORS
    from aigen.taxonomy import load_taxonomy

    shown = config.display(path)
    if not path.is_file():
        return None, [Problem(shown, 0, 0, "taxonomy file not found")]
    try:
        return load_taxonomy(path, shown, detectors=DETECTORS, lenient=True), []
    except InputError as exc:
        return None, exc.problems
