"""Model specs and the taxonomy pass every check of `aigen validate` (schema, references, file names).

Lint reports the same located problems `aigen validate` prints, so a pre-commit hook needs only `aigen lint`.

Passing:
    apiVersion: aigen/v1
    kind: ModelSpec
    model:
      id: loan-approval          # the file is loan-approval.yaml
      owner: credit-risk-ml
      oncall: credit-risk-oncall
      versions: {current: "2.3.0", known_good: "2.2.0"}
    serving: {namespace: ai-production, deployment: loan-approval-server}

Failing:
    apiVersion: aigen/v1
    kind: ModelSpec
    model:
      id: loan-approval
      owner: credit-risk-ml
      oncall: credit-risk-oncall
      versions: {current: "2.3.0", known_good: "2.3.0"}   # known_good must differ from current
    serving: {namespace: ai-production, deployment: loan-approval-server}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from aigen.errors import Problem

if TYPE_CHECKING:
    from aigen.lint.context import LintContext

ID = "spec-valid"
LEVEL = "error"


def check(ctx: LintContext) -> Iterator[Problem]:
    yield from ctx.spec_problems
