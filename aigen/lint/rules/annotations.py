"""Alerts have a `summary` and a `runbook_url` annotation: what happened, and where the response is written.

Passing:
    - alert: AIModelInputDrift
      expr: model_input_kl_divergence > 0.5
      labels: {severity: medium, incident_type: model_drift}
      annotations:
        summary: Model input distribution diverges from training.
        runbook_url: https://runbooks.internal/ai-incidents/model-drift

Failing:
    - alert: AIModelInputDrift
      expr: model_input_kl_divergence > 0.5
      labels: {severity: medium, incident_type: model_drift}
      annotations:
        description: KL divergence above 0.5
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from aigen.errors import Problem

if TYPE_CHECKING:
    from aigen.lint.context import LintContext

ID = "annotations"
LEVEL = "error"
REQUIRED = ("summary", "runbook_url")


def check(ctx: LintContext) -> Iterator[Problem]:
    for alert in ctx.alerts:
        annotations = alert.annotations
        for key in REQUIRED:
            if not annotations.get(key, "").strip():
                where = alert.at("annotations", key=True) if "annotations" in alert.node else alert.at("alert")
                yield Problem(alert.path, *where, f"alert {alert.name} has no {key} annotation")
