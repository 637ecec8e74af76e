"""A model's drift and fairness series stay within the series budget (`series_budget`, default 2,000 per model).

Each feature costs one exported series per bin, each protected attribute multiplies the prediction series, and
aigen's recording rules add their own (see docs/metrics.md, "Cardinality"). Many features with fine bins, or several
protected attributes with many groups, multiply quickly: Prometheus pays for every one of them.

Passing:
    # a spec with 4 features of ~10 bins and one protected attribute of 4 groups: a few hundred series

Failing:
    # the same spec with 3 protected attributes of 10 groups each: 2 outcomes x 10 x 10 x 10 = 2,000 prediction
    # series before a single bin is counted
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from aigen.errors import Problem

if TYPE_CHECKING:
    from aigen.lint.context import LintContext

ID = "cardinality"
LEVEL = "warning"


def check(ctx: LintContext) -> Iterator[Problem]:
    if ctx.project is None or ctx.taxonomy is None or not ctx.project.specs:
        return
    from aigen.cardinality import DEFAULT_SERIES_BUDGET, breakdown

    budget = ctx.settings.series_budget or DEFAULT_SERIES_BUDGET
    for loaded, plan in ctx.plans:
        cost = breakdown(plan)
        if cost.total > budget:
            key = "groups" if cost.prediction_series >= cost.feature_bins and loaded.spec.groups else "features"
            line, col = loaded.doc.locate((key,), want_key=True)
            yield Problem(loaded.display, line, col,
                          f"model {plan.model_id} costs about {cost.total:,} series ({cost.feature_bins:,} feature "
                          f"bins, {cost.prediction_series:,} prediction series, {cost.recorded:,} recorded) — over "
                          f"the budget of {budget:,}; coarsen bins, drop attributes, or raise "
                          f"[tool.aigen.lint] series_budget")
