"""Run the rules over a context: settings decide which rules run and at what level; inline comments suppress.

Inline suppression: ``# aigen: disable=rule-id[,rule-id...]`` (or ``disable=all``) on the problem's line or the
line above it.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from types import ModuleType

from aigen.errors import InputError, Problem, UsageError
from aigen.lint.context import LintContext
from aigen.yamlio import read_text

_DISABLE = re.compile(r"#\s*aigen:\s*disable=([A-Za-z0-9_,\s-]+)")
RANK = {"error": 0, "warning": 1, "info": 2}


def run(ctx: LintContext, rules: list[ModuleType]) -> list[Problem]:
    found: set[Problem] = set()
    suppress = Suppressions(ctx)
    for rule in rules:
        if rule.ID in ctx.settings.disable:
            continue
        level = ctx.settings.level(rule.ID, rule.LEVEL)
        for problem in rule.check(ctx):
            problem = replace(problem, rule=rule.ID, level=level)
            if not suppress.hides(problem):
                found.add(problem)
    return sorted(found, key=lambda p: (p.path, p.line, p.col, p.rule, p.message))


class Suppressions:
    """``# aigen: disable=...`` comments, read per file on first need."""

    def __init__(self, ctx: LintContext) -> None:
        self.ctx = ctx
        self.cache: dict[str, list[set[str]]] = {}

    def hides(self, problem: Problem) -> bool:
        if problem.line <= 0:
            return False
        lines = self._lines(problem.path)
        for number in (problem.line, problem.line - 1):
            if 0 < number <= len(lines) and (problem.rule in lines[number - 1] or "all" in lines[number - 1]):
                return True
        return False

    def _lines(self, path: str) -> list[set[str]]:
        if path not in self.cache:
            text = self.ctx.inputs.texts.get(path)
            if text is None:
                text = _read(self.ctx.config.root / path if not Path(path).is_absolute() else Path(path))
            self.cache[path] = [_ids(line) for line in text.splitlines()]
        return self.cache[path]


def _read(path: Path) -> str:
    try:
        return read_text(path)
    except (InputError, UsageError):
        return ""


def _ids(line: str) -> set[str]:
    match = _DISABLE.search(line)
    return {part.strip() for part in match.group(1).split(",") if part.strip()} if match else set()


def at_or_above(problems: list[Problem], level: str) -> list[Problem]:
    return [p for p in problems if RANK.get(p.level, 0) <= RANK[level]]
