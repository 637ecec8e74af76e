"""An alert's severity is its incident type's default severity, unless the model's spec overrides it.

A different severity pages (or fails to page) unlike every other alert of the type. Override it in the spec
(`severity_overrides: {model_drift: high}`) so the choice is recorded; lint then accepts it.

Passing:
    - alert: AIModelInputDrift
      expr: max by (model_id, feature) (model_input_kl_divergence) > 0.5
      for: 5m
      labels: {severity: medium, incident_type: model_drift}     # the taxonomy's default for model_drift

Failing:
    - alert: AIModelInputDrift
      expr: max by (model_id, feature) (model_input_kl_divergence) > 0.5
      for: 5m
      labels: {severity: critical, incident_type: model_drift}   # no spec override says so
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from aigen.errors import Problem

if TYPE_CHECKING:
    from aigen.lint.context import LintContext

ID = "severity-default"
LEVEL = "warning"


def check(ctx: LintContext) -> Iterator[Problem]:
    if ctx.taxonomy is None:
        return
    for alert in ctx.alerts:
        severity, itype = alert.labels.get("severity"), alert.labels.get("incident_type")
        if itype not in ctx.taxonomy.incident_types or severity not in ctx.taxonomy.severity_levels:
            continue
        spec = ctx.spec_for(ctx.model_of(alert))
        override = spec.severity_overrides.get(itype) if spec is not None else None
        expected = override or ctx.taxonomy.incident_types[itype].default_severity
        if severity != expected:
            source = "the spec's override" if override else "the taxonomy's default"
            yield Problem(alert.path, *alert.at("labels", "severity"),
                          f"severity '{severity}' differs from {source} '{expected}' for {itype}; set "
                          f"severity_overrides in the model's spec to make it deliberate")
