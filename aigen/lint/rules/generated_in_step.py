"""generated/ is in step with the specs: what `aigen render --check` compares (project lint only).

Runs when `aigen lint` is called without paths (the project). A stale, missing or leftover generated file means
someone edited a spec without re-rendering, or edited generated output by hand. The fix is `aigen render`.

It asks the same question as `aigen render --check`, through the same function (``writer.incremental_plan``): a
model whose input fingerprint matches the manifest and whose files are on disk as aigen wrote them is in step
without being rendered; only the others are rendered, to tell which of their files differ.

Passing:
    # generated/loan-approval/rules.yaml exactly as `aigen render` writes it

Failing:
    # generated/loan-approval/rules.yaml edited by hand, e.g. `for: 1m` changed to `for: 10m`
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from aigen.errors import Problem

if TYPE_CHECKING:
    from aigen.lint.context import LintContext

ID = "generated-in-step"
LEVEL = "error"
_WHY = {"stale": "differs from what `aigen render` produces from the specs (a spec, profile, taxonomy or template "
                 "changed)",
        "hand_edited": "was edited by hand since `aigen render` wrote it (the edit belongs in the spec or a template)",
        "missing": "is not rendered yet",
        "extra": "is no longer produced by any spec"}


def check(ctx: LintContext) -> Iterator[Problem]:
    if not ctx.project_mode or ctx.project is None or ctx.spec_problems or ctx.taxonomy is None:
        return
    from aigen import writer

    result = writer.incremental_plan(ctx.config, ctx.project, [plan for _, plan in ctx.plans])
    hand_edited = set(result.hand_edited)
    for label in ("stale", "missing", "extra"):
        for path in getattr(result, label):
            why = _WHY["hand_edited" if label == "stale" and path in hand_edited else label]
            yield Problem(path, 0, 0, f"{why}: run `aigen render`")
