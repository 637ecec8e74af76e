"""No two alerts in one rule file share a name and a label set (they are the same alert to Alertmanager).

promtool reports them as duplicate rules; Alertmanager merges their notifications. Give each a distinguishing
label (`model_id`, `protected_attribute`, ...). Compared per file (per YAML document): aigen writes each
model's rules twice, as a PrometheusRule manifest and as a plain rule file.

Passing:
    - alert: AIModelFairnessDisparity
      labels: {severity: critical, incident_type: bias_and_fairness_violation, protected_attribute: age_group}
    - alert: AIModelFairnessDisparity
      labels: {severity: critical, incident_type: bias_and_fairness_violation, protected_attribute: sex}

Failing:
    - alert: AIModelFairnessDisparity
      labels: {severity: critical, incident_type: bias_and_fairness_violation}
    - alert: AIModelFairnessDisparity
      labels: {severity: critical, incident_type: bias_and_fairness_violation}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from aigen.errors import Problem

if TYPE_CHECKING:
    from aigen.lint.context import LintContext

ID = "duplicates"
LEVEL = "error"


def check(ctx: LintContext) -> Iterator[Problem]:
    first: dict[tuple, tuple[int, int]] = {}
    for alert in ctx.alerts:
        key = (alert.file_key, alert.name, tuple(sorted(alert.labels.items())))
        where = alert.at("alert")
        if key in first:
            yield Problem(alert.path, *where, f"alert {alert.name} duplicates the one at line {first[key][0]} "
                                              f"(same name and labels)")
        else:
            first[key] = where
