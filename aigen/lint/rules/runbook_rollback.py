"""Every containment step has a `rollback`: how to undo it when it made things worse or the alarm was false.

Passing:
    runbook:
      containment:
        steps:
          - action: Route every prediction to human review
            command: kubectl set env deployment/ai-oversight-gateway OVERSIGHT_MODE=human_in_the_loop
            rollback: kubectl rollout undo deployment/ai-oversight-gateway

Failing:
    runbook:
      containment:
        steps:
          - action: Route every prediction to human review
            command: kubectl set env deployment/ai-oversight-gateway OVERSIGHT_MODE=human_in_the_loop
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from aigen.errors import Problem

if TYPE_CHECKING:
    from aigen.lint.context import LintContext

ID = "runbook-rollback"
LEVEL = "error"


def check(ctx: LintContext) -> Iterator[Problem]:
    for runbook in ctx.runbooks:
        containment = runbook.node.get("containment")
        steps = containment.get("steps") if runbook.linted and isinstance(containment, dict) else None
        for i, step in enumerate(steps if isinstance(steps, list) else []):
            if isinstance(step, dict) and not str(step.get("rollback") or "").strip():
                action = step.get("action", f"step {i + 1}")
                yield Problem(runbook.path, *runbook.at("containment", "steps", i),
                              f"containment step '{action}' has no rollback")
