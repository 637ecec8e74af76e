"""Every rule's `expr` is PromQL that parses, and its `for:` and its group's `interval` are durations.

Parsed with promql-parser (the Rust parser of the Prometheus language, as Python bindings). One bad expression in
a PrometheusRule can make the operator drop the whole group, so this runs on alerting and recording rules alike.

Passing:
    - alert: AIModelInvalidOutputs
      expr: rate(model_output_invalid_total[5m]) > 0
      for: 5m

Failing:
    - alert: AIModelInvalidOutputs
      expr: rate(model_output_invalid_total[5m] > 0
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from aigen.durations import parse_duration
from aigen.errors import Problem

if TYPE_CHECKING:
    from aigen.lint.context import LintContext

ID = "promql-syntax"
LEVEL = "error"


def check(ctx: LintContext) -> Iterator[Problem]:
    for group in ctx.inputs.groups:
        if "interval" in group.node and not _is_duration(group.node["interval"]):
            line, col = group.at("interval")
            yield Problem(group.path, line, col, f"group {group.name}: interval '{group.node['interval']}' is not a "
                                                 f"duration such as 30s or 1m")
    if not ctx.inputs.rules:
        return
    from aigen import promql  # here: a lint of specs alone imports no PromQL parser

    for rule in ctx.inputs.rules:
        if "for" in rule.node and not _is_duration(rule.node["for"]):
            yield Problem(rule.path, *rule.at("for"), f"{rule.name}: for '{rule.node['for']}' is not a duration such "
                                                      f"as 5m")
        if not rule.expr.strip():
            yield Problem(rule.path, *rule.at("alert" if rule.is_alert else "record"), f"{rule.name} has no expr")
            continue
        try:
            promql.parse(rule.expr)
        except (ValueError, TypeError) as exc:
            yield Problem(rule.path, *rule.at("expr"), f"{rule.name}: expr does not parse: {exc}")


def _is_duration(value: object) -> bool:
    try:
        parse_duration(str(value))
    except ValueError:
        return False
    return True
