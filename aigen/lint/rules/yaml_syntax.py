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

from aigen.errors import Problem

ID = "yaml-syntax"
LEVEL = "error"


def check(ctx) -> Iterator[Problem]:
    yield from ctx.load_problems
