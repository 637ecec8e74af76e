"""The containment rollback goes to the known-good version, not merely the previous one.

The design's failure mode: "model rollback deploys a version with known issues". The target must be the spec's
`model.versions.known_good` (or `previous` when the spec says `fallbacks.rollback_to: previous`). Without a
spec, a target named like the previous version (`MODEL_PREVIOUS_VERSION`) is reported.

Passing:
    runbook:
      model_id: fraud-detection     # spec: versions {current: 4.1.2, previous: 4.1.0, known_good: 4.1.1}
      containment:
        steps:
          - command: kubectl set env deployment/model-server MODEL_VERSION=4.1.1

Failing:
    runbook:
      containment:
        steps:
          - command: kubectl set env deployment/model-server MODEL_VERSION=MODEL_PREVIOUS_VERSION
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from aigen.errors import Problem

if TYPE_CHECKING:
    from aigen.lint.context import LintContext

ID = "runbook-target"
LEVEL = "error"
_ASSIGN = re.compile(r"\b([A-Z][A-Z0-9_]*VERSION)=([^\s\"']+)")


def check(ctx: LintContext) -> Iterator[Problem]:
    for runbook in ctx.runbooks:
        containment = runbook.node.get("containment")
        steps = containment.get("steps") if runbook.linted and isinstance(containment, dict) else None
        spec = ctx.spec_for(runbook.model_id)
        for i, step in enumerate(steps if isinstance(steps, list) else []):
            command = str(step.get("command") or "") if isinstance(step, dict) else ""
            for env, value in _ASSIGN.findall(command):
                message = _judge(spec, env, value)
                if message:
                    yield Problem(runbook.path, *runbook.at("containment", "steps", i, "command"), message)


def _judge(spec, env: str, value: str) -> str | None:
    if spec is None:
        if "PREVIOUS" in value.upper():
            return f"rolls back to {value}, the previous version; roll back to the known-good version instead"
        return None
    if env != spec.serving.version_env:
        return None
    versions = spec.model.versions
    target = spec.rollback_version
    if value == target:
        return None
    what = {versions.current: "the current (failing) version",
            versions.previous: "the previous version"}.get(value, "not a version of the spec")
    return f"rolls back to {value} ({what}); the spec's rollback target is {target} ({spec.fallbacks.rollback_to})"
