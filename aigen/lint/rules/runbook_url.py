"""`runbook_url` resolves to a runbook, and that runbook is for the alert's incident type.

A generated URL (`{runbook_base_url}/{model}/runbooks/{type}.yaml`) is looked up in generated/; any other URL
matches the linted runbook whose path ends like the URL (`.../performance-degradation` matches
`runbook-performance-degradation.yaml`). Pass the runbook files or folders along with the rules.
A templated URL (`.../{{ $labels.incident_type }}.yaml`) is checked by template-labels instead.

Passing:
    # with runbook-performance-degradation.yaml (incident_type: model_performance_degradation) linted too
    - alert: AIModelPerformanceDegraded
      labels: {severity: high, incident_type: model_performance_degradation}
      annotations:
        summary: Accuracy dropped
        runbook_url: https://runbooks.internal/ai-incidents/performance-degradation

Failing:
    - alert: AIModelInvalidOutputs
      labels: {severity: critical, incident_type: data_pipeline_corruption}
      annotations:
        summary: Invalid outputs
        runbook_url: https://runbooks.internal/ai-incidents/invalid-outputs   # no such runbook
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from aigen.errors import Problem

if TYPE_CHECKING:
    from aigen.lint.context import LintContext
    from aigen.lint.model import Rule

ID = "runbook-url"
LEVEL = "error"


def check(ctx: LintContext) -> Iterator[Problem]:
    for alert in ctx.alerts:
        url = alert.annotations.get("runbook_url", "").strip()
        if not url or "{{" in url:
            continue
        for message in _mismatches(ctx, alert, url):  # located only when wrong: positions cost a ruamel parse
            yield Problem(alert.path, *alert.at("annotations", "runbook_url"), message)


def _mismatches(ctx: LintContext, alert: Rule, url: str) -> Iterator[str]:
    from aigen.lint import links  # here: only an alert with a runbook_url needs it

    runbook = links.resolve(ctx, url)
    if runbook is None:
        yield f"runbook_url {url} resolves to no runbook (lint the runbook files or folders along with the rules)"
        return
    itype = alert.labels.get("incident_type")
    if itype and runbook.incident_type != itype:
        yield (f"runbook_url points to {runbook.path}, a runbook for '{runbook.incident_type}', but the alert is "
               f"for '{itype}'")
    model = ctx.model_of(alert)
    if model and runbook.model_id and runbook.model_id != model:
        yield f"runbook_url points to the runbook of model {runbook.model_id}, but the alert is for {model}"
