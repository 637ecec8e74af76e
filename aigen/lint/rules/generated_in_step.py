"""generated/ is in step with the specs: what `aigen render --check` compares (project lint only).

Runs when `aigen lint` is called without paths (the project). A stale, missing or leftover generated file means
someone edited a spec without re-rendering, or edited generated output by hand. The fix is `aigen render`.

Passing:
    # generated/loan-approval/rules.yaml exactly as `aigen render` writes it

Failing:
    # generated/loan-approval/rules.yaml edited by hand, e.g. `for: 1m` changed to `for: 10m`
"""

from __future__ import annotations

from collections.abc import Iterator

from aigen.errors import InputError, Problem

ID = "generated-in-step"
LEVEL = "error"
_WHY = {"stale": "differs from what `aigen render` produces from the specs (edited by hand, or a spec changed)",
        "missing": "is not rendered yet",
        "extra": "is no longer produced by any spec"}


def check(ctx) -> Iterator[Problem]:
    if not ctx.project_mode or ctx.project is None or ctx.spec_problems or ctx.taxonomy is None:
        return
    from aigen import writer
    from aigen.commands.render import artifacts

    try:
        _, rendered = artifacts(None, ctx.config)  # the same plans and renderers as `aigen render --check`
    except InputError as exc:
        yield from exc.problems
        return
    if rendered is None:
        return
    result = writer.plan(ctx.config, rendered)
    for label in ("stale", "missing", "extra"):
        for path in getattr(result, label):
            yield Problem(path, 0, 0, f"{_WHY[label]}: run `aigen render`")
