"""Every file lint reads is UTF-8 YAML that parses: no tabs for indentation, no duplicate keys.

A file that does not parse is reported once, where the parser stopped; lint cannot check anything else in it.

Passing:
    groups:
      - name: ai-model-incidents
        rules: []

Failing:
    groups:
      - name: ai-model-incidents
        rules: [
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from aigen.errors import Problem

if TYPE_CHECKING:
    from aigen.lint.context import LintContext

ID = "yaml-syntax"
LEVEL = "error"


def check(ctx: LintContext) -> Iterator[Problem]:
    yield from ctx.load_problems
