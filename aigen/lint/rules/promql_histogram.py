"""`histogram_quantile` over an aggregation keeps the `le` label.

`histogram_quantile(0.99, sum by (model_id) (rate(x_bucket[5m])))` sums the buckets away: there is no `le`
left to compute a quantile from, and the alert never fires.

Passing:
    - alert: AIModelLatencyHigh
      expr: histogram_quantile(0.99, sum by (model_id, le) (rate(model_inference_duration_seconds_bucket[5m]))) > 1

Failing:
    - alert: AIModelLatencyHigh
      expr: histogram_quantile(0.99, sum by (model_id) (rate(model_inference_duration_seconds_bucket[5m]))) > 1
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from aigen.errors import Problem

if TYPE_CHECKING:
    import promql_parser as pp

    from aigen.lint.context import LintContext

ID = "promql-histogram"
LEVEL = "error"


def check(ctx: LintContext) -> Iterator[Problem]:
    if not ctx.inputs.rules:
        return
    import promql_parser as pp  # here: a lint of specs alone imports no PromQL parser

    from aigen import promql

    for rule in ctx.inputs.rules:
        ast = ctx.ast(rule)
        if ast is None:
            continue
        for call in promql.calls(ast):
            if call.func.name != "histogram_quantile" or len(call.args) < 2:
                continue
            arg = promql.unwrap(call.args[1])
            if isinstance(arg, pp.AggregateExpr) and not _keeps_le(arg):
                yield Problem(rule.path, *rule.at("expr"), f"{rule.name}: histogram_quantile() over {arg.op}() "
                              f"that drops the 'le' label; aggregate by (..., le)")


def _keeps_le(node: pp.AggregateExpr) -> bool:
    import promql_parser as pp

    mod = node.modifier
    if mod is None:
        return False
    if mod.type == pp.AggModifierType.By:
        return "le" in mod.labels
    return "le" not in mod.labels
