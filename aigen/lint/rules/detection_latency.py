"""The worst-case time from a failure's onset to a firing alert fits the severity's detection budget.

Worst case = the longest range window the expression reads (including the recording rules it reads) + `for:`
+ one group interval (+ one more when it reads a recording rule evaluated in another group). The budget is the
taxonomy's `detection_budget` for the alert's severity. A group without `interval` counts as 1m, Prometheus'
default evaluation interval.

Passing:
    - name: ai-model-incidents
      interval: 60s
      rules:
        - alert: AIModelPerformanceDegraded
          expr: model_live_accuracy < on(model_id) (model_baseline_accuracy * 0.90)
          for: 10m                          # 10m + 1m <= 15m, the budget of severity high
          labels: {severity: high, incident_type: model_performance_degradation}

Failing:
    - name: ai-model-incidents
      interval: 60s
      rules:
        - alert: AIModelPerformanceDegraded
          expr: model_live_accuracy < on(model_id) (model_baseline_accuracy * 0.90)
          for: 15m                          # 15m + 1m > 15m
          labels: {severity: high, incident_type: model_performance_degradation}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from aigen.durations import format_duration
from aigen.errors import Problem

if TYPE_CHECKING:
    from aigen.lint.context import LintContext

ID = "detection-latency"
LEVEL = "error"


def check(ctx: LintContext) -> Iterator[Problem]:
    if ctx.taxonomy is None:
        return
    for alert in ctx.alerts:
        severity = alert.labels.get("severity")
        if severity not in ctx.taxonomy.severity_levels or ctx.ast(alert) is None:
            continue
        window, other_group = reads(ctx, alert, frozenset())
        interval = alert.group.interval
        worst = window + alert.for_seconds + interval + (interval if other_group else 0)
        budget = ctx.taxonomy.budget(severity)
        if worst > budget:
            parts = f"window {format_duration(window)} + for {format_duration(alert.for_seconds)} + interval " \
                    f"{format_duration(interval)}" + (" + recording interval" if other_group else "")
            where = alert.at("for") if "for" in alert.node else alert.at("alert")
            yield Problem(alert.path, *where, f"{alert.name} fires at worst {format_duration(worst)} after onset "
                                              f"({parts}), beyond the {severity} detection budget of "
                                              f"{format_duration(budget)}")


def reads(ctx, rule, seen: frozenset[str]) -> tuple[int, bool]:
    """(longest window in seconds, whether a recording rule of another group is read), following records.

    Remembered per rule (``ctx.memo``): every alert of a model reads the same few recordings, which are walked once.
    """
    key = ("detection-latency", id(rule.node), seen)
    if key not in ctx.memo:
        ctx.memo[key] = _reads(ctx, rule, seen)
    return ctx.memo[key]


def _reads(ctx, rule, seen: frozenset[str]) -> tuple[int, bool]:
    from aigen import promql  # here: a lint of specs alone imports no PromQL parser

    ast = ctx.ast(rule)
    if ast is None:
        return 0, False
    window, other = promql.longest_window(ast), False
    for sel in promql.selectors(ast):
        for record in ctx.records_for(sel.name or "", rule):
            if record.name in seen:
                continue
            inner, inner_other = reads(ctx, record, seen | {record.name})
            window = max(window, inner)
            other = other or inner_other or record.group.name != rule.group.name
    return window, other
