"""Alerts carry a `severity` that is a taxonomy level and an `incident_type` that is a taxonomy type.

`incident_type` may also come from the expression: the automated kill switch
(`count by (model_id, incident_type) (ALERTS{...})`) carries the type of the alert that tripped it.

Passing:
    - alert: AIModelInputDrift
      expr: max by (model_id, feature) (model_input_kl_divergence) > 0.5
      for: 5m
      labels: {severity: medium, incident_type: model_drift}

Failing:
    - alert: AIModelInputDrift
      expr: max by (model_id, feature) (model_input_kl_divergence) > 0.5
      for: 5m
      labels: {severity: warning, incident_type: drift}   # neither is in the taxonomy
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from aigen.errors import Problem

if TYPE_CHECKING:
    from aigen.lint.context import LintContext

ID = "alert-labels"
LEVEL = "error"


def check(ctx: LintContext) -> Iterator[Problem]:
    if ctx.taxonomy is None:
        return
    levels, types = list(ctx.taxonomy.severity_levels), list(ctx.taxonomy.incident_types)
    for alert in ctx.alerts:
        labels = alert.labels
        severity = labels.get("severity")
        if severity is None:
            yield Problem(alert.path, *alert.at("alert"), f"alert {alert.name} has no severity label")
        elif severity not in levels:
            yield Problem(alert.path, *alert.at("labels", "severity"),
                          f"severity '{severity}' is not a taxonomy level ({', '.join(levels)})"
                          f"{_hint(severity, levels)}")
        itype = labels.get("incident_type")
        if itype is None:
            carried = ctx.result_labels(alert)
            if not (carried.closed and "incident_type" in carried.names):
                yield Problem(alert.path, *alert.at("alert"), f"alert {alert.name} has no incident_type label, and "
                              f"its expression does not carry one")
        elif itype not in types:
            yield Problem(alert.path, *alert.at("labels", "incident_type"),
                          f"incident_type '{itype}' is not a taxonomy type{_hint(itype, types)}")


def _hint(value: str, known: list[str]) -> str:
    close = difflib.get_close_matches(value, known, n=1)
    return f"; did you mean '{close[0]}'?" if close else ""
