"""Every incident type of the taxonomy has at least one alert and a runbook, per model, unless its spec waives it.

The model of an alert is its `model_id` label, else the `model_id="..."` matcher of its selectors; alerts
and runbooks that name no model count for every model. Checked when the files linted hold alerting rules.
`aigen lint --coverage` prints the whole matrix.

A model's spec may declare a type that cannot happen to it, with the reason (`not_applicable:
{bias_and_fairness_violation: "scores transactions; no personal data"}`): that cell needs neither alert nor runbook.
A waiver whose type gets an alert anyway is the `stale-waiver` rule's to report.

Passing:
    # a taxonomy with the single type harmful_output
    groups:
      - name: ai
        rules:
          - alert: AIModelOutputPolicyViolation
            expr: rate(model_output_policy_violation_total[1m]) > 0
            labels: {severity: critical, incident_type: harmful_output}
            annotations: {summary: Policy violations, runbook_url: https://runbooks.internal/harmful-output}
    ---
    runbook: {name: Harmful output, incident_type: harmful_output}

Failing:
    # the same taxonomy, and the alert without the runbook
    groups:
      - name: ai
        rules:
          - alert: AIModelOutputPolicyViolation
            expr: rate(model_output_policy_violation_total[1m]) > 0
            labels: {severity: critical, incident_type: harmful_output}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from aigen.errors import Problem

if TYPE_CHECKING:
    from aigen.lint.context import LintContext

ID = "coverage"
LEVEL = "error"


def check(ctx: LintContext) -> Iterator[Problem]:
    if ctx.taxonomy is None or not ctx.alerts:
        return
    from aigen.lint import coverage

    for cell in coverage.matrix(ctx):
        if cell.waived is not None:
            continue
        who = f"model {cell.model}" if cell.model else "any model"
        for mark in coverage.REQUIRED:
            if not cell.marks[mark]:
                path, line, col = ctx.taxonomy_at("incident_types", cell.incident_type)
                yield Problem(path, line, col, f"no {mark} for incident type '{cell.incident_type}' ({who})")
