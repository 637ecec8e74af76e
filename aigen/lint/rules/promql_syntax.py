"""Every rule's `expr` is PromQL that parses.

Parsed with promql-parser (the Rust parser of the Prometheus language, as Python bindings). One bad expression in
a PrometheusRule can make the operator drop the whole group, so this runs on alerting and recording rules alike.

Passing:
    - alert: AIModelInvalidOutputs
      expr: rate(model_output_invalid_total[5m]) > 0

Failing:
    - alert: AIModelInvalidOutputs
      expr: rate(model_output_invalid_total[5m] > 0
"""

from __future__ import annotations

from collections.abc import Iterator

from aigen.errors import Problem
from aigen.lint import promql

ID = "promql-syntax"
LEVEL = "error"


def check(ctx) -> Iterator[Problem]:
    for rule in ctx.inputs.rules:
        if not rule.expr.strip():
            yield Problem(rule.path, *rule.at("alert" if rule.is_alert else "record"), f"{rule.name} has no expr")
            continue
        try:
            promql.parse(rule.expr)
        except (ValueError, TypeError) as exc:
            yield Problem(rule.path, *rule.at("expr"), f"{rule.name}: expr does not parse: {exc}")
