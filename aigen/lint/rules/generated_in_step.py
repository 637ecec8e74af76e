"""generated/ is in step with the specs: what `aigen render --check` compares (project lint only).

Runs when `aigen lint` is called without paths (the project). A stale, missing or leftover generated file means
someone edited a spec without re-rendering, or edited generated output by hand. The fix is `aigen render`.

Passing:
    # generated/loan-approval/rules.yaml exactly as `aigen render` writes it

Failing:
    # generated/loan-approval/rules.yaml edited by hand, e.g. `for: 1m` changed to `for: 10m`
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from aigen.errors import Problem

if TYPE_CHECKING:
    from aigen.config import Config
    from aigen.lint.context import LintContext
    from aigen.plan import ModelPlan
    from aigen.writer import Plan

ID = "generated-in-step"
LEVEL = "error"
_WHY = {"stale": "differs from what `aigen render` produces from the specs (edited by hand, or a spec changed)",
        "missing": "is not rendered yet",
        "extra": "is no longer produced by any spec"}


def check(ctx: LintContext) -> Iterator[Problem]:
    if not ctx.project_mode or ctx.project is None or ctx.spec_problems or ctx.taxonomy is None:
        return
    result = compare_with_disk(ctx.config, [plan for _, plan in ctx.plans])
    for label in ("stale", "missing", "extra"):
        for path in getattr(result, label):
            yield Problem(path, 0, 0, f"{_WHY[label]}: run `aigen render`")


def compare_with_disk(config: Config, plans: list[ModelPlan]) -> Plan:
    """What ``aigen render --check`` reports, from the plans lint already built (no second load of the specs).

    The one place this rule decides "in step": it renders the plans with the shipped templates and lets the writer
    compare. Once the writer's manifest records each model's input hash, models whose inputs hash the same can be
    skipped here instead of rendered.
    """
    from aigen import writer
    from aigen.render import RenderEnv, render_all
    from aigen.templating import environment

    return writer.plan(config, render_all(plans, RenderEnv(environment(None))))
