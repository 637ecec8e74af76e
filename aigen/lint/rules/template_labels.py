"""Templates in annotations and labels reference only labels the alert can carry.

An alert carries the labels of its expression's result plus its own static labels. Aggregations keep only their
`by` labels, and a one-to-one match with `on(...)` keeps only the `on` labels: in
`model_live_accuracy < on(model_id) (model_baseline_accuracy * 0.90)` no `baseline` label survives, so
`{{ $labels.baseline }}` renders as an empty string in every page.

Passing:
    - alert: AIModelPerformanceDegraded
      expr: model_live_accuracy < on(model_id) (model_baseline_accuracy * 0.90)
      labels: {severity: high, incident_type: model_performance_degradation}
      annotations:
        summary: "Model {{ $labels.model_id }} accuracy dropped to {{ $value }}"

Failing:
    - alert: AIModelPerformanceDegraded
      expr: model_live_accuracy < on(model_id) (model_baseline_accuracy * 0.90)
      labels: {severity: high, incident_type: model_performance_degradation}
      annotations:
        summary: "Model {{ $labels.model_id }} accuracy {{ $value }} (baseline: {{ $labels.baseline }})"
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from aigen.errors import Problem

if TYPE_CHECKING:
    from aigen.lint.context import LintContext

ID = "template-labels"
LEVEL = "error"
_REF = re.compile(r"\$labels\.([A-Za-z_][A-Za-z0-9_]*)|index\s+\$labels\s+\"([^\"]+)\"")


def check(ctx: LintContext) -> Iterator[Problem]:
    for alert in ctx.alerts:
        if ctx.ast(alert) is None:
            continue
        carried = ctx.result_labels(alert)
        static = set(alert.labels) | {"alertname"}
        for section in ("annotations", "labels"):
            for key, value in getattr(alert, section).items():
                for match in _REF.finditer(value):
                    label = match.group(1) or match.group(2)
                    if label in static or carried.carries(label):
                        continue
                    have = ", ".join(sorted(carried.names | set(alert.labels))) or "none"
                    yield Problem(alert.path, *alert.at(section, key),
                                  f"{section[:-1]} {key} uses $labels.{label}, but no '{label}' label survives the "
                                  f"expression (the alert carries: {have})")
