"""A runbook has all four phases, each with content: triage, containment, investigation and resolution.

Passing:
    runbook:
      incident_type: model_drift
      triage: {steps: [{action: Confirm the drift}]}
      containment: {steps: [{action: Route to human review, command: "...", rollback: "..."}]}
      investigation: {steps: [{action: Compare with the training profile}]}
      resolution: {options: [{name: Retrain, steps: [Retrain and validate offline]}]}

Failing:
    runbook:
      incident_type: model_drift
      triage: {steps: [{action: Confirm the drift}]}
      investigation: {steps: [{action: Compare with the training profile}]}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from aigen.errors import Problem

if TYPE_CHECKING:
    from aigen.lint.context import LintContext

ID = "runbook-phases"
LEVEL = "error"
PHASES = ("triage", "containment", "investigation", "resolution")


def check(ctx: LintContext) -> Iterator[Problem]:
    for runbook in ctx.runbooks:
        if not runbook.linted:
            continue
        for phase in PHASES:
            section = runbook.node.get(phase)
            filled = isinstance(section, dict) and any(section.get(k) for k in ("steps", "options"))
            if not filled:
                missing = "is missing" if section is None else "has no steps"
                where = runbook.at(phase) if section is not None else runbook.at(key=True)
                yield Problem(runbook.path, *where, f"runbook phase '{phase}' {missing}")
