"""A runbook leaves no placeholder unfilled (MODEL_ID, MODEL_PREVIOUS_VERSION, INC-XXXX, ...).

A responder at 3 a.m. must be able to paste a command as it is. Only the runbook's declared operator inputs
(`inputs:`, by default INCIDENT_ID and OPERATOR_EMAIL) may stay as names, ideally as shell variables
(`${OPERATOR_EMAIL}`). An environment variable's own name (`MODEL_VERSION=...`) is not a placeholder. Extend
the list with `placeholders` in `[tool.aigen.lint]`.

Passing:
    runbook:
      triage:
        steps:
          - command: curl -sG http://prometheus:9090/api/v1/query --data-urlencode 'query=up{job="fraud-detection"}'

Failing:
    runbook:
      triage:
        steps:
          - command: curl -s "http://prometheus:9090/api/v1/query?query=model_live_accuracy{model_id='MODEL_ID'}"
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from aigen.errors import Problem
from aigen.yamlio import walk_keys

if TYPE_CHECKING:
    from aigen.lint.context import LintContext

ID = "runbook-placeholder"
LEVEL = "error"
_FILLER = re.compile(r"\b[A-Z]+-X{3,}\b|\bX{4,}\b|\b(?:TODO|FIXME|CHANGEME)\b")


def check(ctx: LintContext) -> Iterator[Problem]:
    names = ctx.settings.placeholders
    token = re.compile(r"(\$\{?)?\b(" + "|".join(sorted(map(re.escape, names), key=len, reverse=True)) + r")\b(=?)")
    for runbook in ctx.runbooks:
        if not runbook.linted:
            continue
        allowed = set(ctx.settings.operator_inputs) | _declared(runbook)
        for path, value in walk_keys(runbook.node):
            if not isinstance(value, str) or (path and path[0] == "inputs"):
                continue
            for found in _placeholders(value, token, allowed):
                line, col = _where(ctx, runbook, path, found)
                yield Problem(runbook.path, line, col, f"unfilled placeholder {found}")


def _declared(runbook) -> set[str]:
    inputs = runbook.node.get("inputs")
    return {str(i.get("name")) for i in inputs if isinstance(i, dict)} if isinstance(inputs, list) else set()


def _placeholders(value: str, token: re.Pattern[str], allowed: set[str]) -> list[str]:
    out = []
    for match in token.finditer(value):
        dollar, name, assign = match.groups()
        if assign and not dollar:
            continue  # NAME=value: an environment variable's name
        if name not in allowed:
            out.append(name)
    out.extend(m.group(0) for m in _FILLER.finditer(value))
    return out


def _where(ctx, runbook, path: tuple, found: str) -> tuple[int, int]:
    """The line of the placeholder itself, searched from where the value starts (block scalars span lines)."""
    line, col = runbook.at(*path)
    lines = ctx.inputs.texts.get(runbook.path, "").splitlines()
    for number in range(max(line, 1), len(lines) + 1):
        index = lines[number - 1].find(found)
        if index >= 0:
            return number, index + 1
    return line, col
