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
    from aigen.lint.model import Rule

ID = "duplicates"
LEVEL = "error"


def check(ctx: LintContext) -> Iterator[Problem]:
    first: dict[tuple, Rule] = {}
    for alert in ctx.alerts:
        key = (alert.file_key, alert.name, tuple(sorted(alert.labels.items())))
        if key in first:  # located only when duplicated: positions cost a ruamel parse
            yield Problem(alert.path, *alert.at("alert"), f"alert {alert.name} duplicates the one at line "
                                                          f"{first[key].at('alert')[0]} (same name and labels)")
        else:
            first[key] = alert
