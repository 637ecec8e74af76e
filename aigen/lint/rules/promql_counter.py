"""`rate`, `irate` and `increase` read counters only, by naming convention.

A counter's name ends in `_total` (or is a histogram's `_bucket`, `_count` or `_sum`). `rate` of a
gauge treats every drop as a counter reset and reports nonsense; use `deriv` or `delta` for gauges.

Passing:
    - alert: AIModelInvalidOutputs
      expr: rate(model_output_invalid_total[5m]) > 0

Failing:
    - alert: AIModelAccuracyFalling
      expr: rate(model_live_accuracy[5m]) < 0
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from aigen.errors import Problem

if TYPE_CHECKING:
    from aigen.lint.context import LintContext

ID = "promql-counter"
LEVEL = "warning"
FUNCTIONS = ("rate", "irate", "increase")
SUFFIXES = ("_total", "_bucket", "_count", "_sum")


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
            if call.func.name not in FUNCTIONS or not call.args:
                continue
            arg = promql.unwrap(call.args[0])
            if isinstance(arg, pp.MatrixSelector) and arg.vector_selector.name:
                name = arg.vector_selector.name
                if not name.endswith(SUFFIXES):
                    yield Problem(rule.path, *rule.at("expr"), f"{rule.name}: {call.func.name}() of {name}, which is "
                                  f"not a counter by name ({', '.join(SUFFIXES)}); use deriv() or delta() for a gauge")
