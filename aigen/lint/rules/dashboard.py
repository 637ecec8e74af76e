"""Every alert of a model has a dashboard panel whose queries read the alert's metrics, and every panel query parses
as PromQL and reads only series of the metric contract or the generated recording rules (project lint only).

The checks are the dashboards' own (`aigen.dashboards.check`), run over `generated/<model>/dashboard.json` for each
spec of the project; a missing dashboard is `generated-in-step`'s to report.

Passing:
    # generated/fraud-detection/dashboard.json as `aigen render` writes it

Failing:
    # a dashboard whose AIModelLatencyHigh panel was deleted by hand, or whose query reads a series nobody exports
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from aigen.errors import Problem

if TYPE_CHECKING:
    from aigen.lint.context import LintContext

ID = "dashboard"
LEVEL = "error"


def check(ctx: LintContext) -> Iterator[Problem]:
    if not ctx.project_mode or ctx.project is None or ctx.taxonomy is None:
        return
    from aigen.dashboards.check import dashboard_file_problems

    for _, plan in ctx.plans:
        path = ctx.config.generated / plan.model_id / "dashboard.json"
        if not path.is_file():
            continue
        for problem in dashboard_file_problems(plan, path):
            yield Problem(problem.path, problem.line, problem.col, f"{problem.rule}: {problem.message}"
                          if problem.rule else problem.message)
