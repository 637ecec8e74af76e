"""The rule registry. Each rule is one module with `ID`, `LEVEL`, a docstring (its documentation, with a
passing and a failing example) and `check(ctx)` yielding Problems (level and rule id are filled in by the runner).

A new rule is a new module and one line in `NAMES`.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from types import ModuleType

NAMES = (
    "yaml_syntax", "spec_valid", "generated_in_step", "coverage", "stale_waiver", "alert_labels", "severity_default",
    "annotations", "runbook_url", "template_labels", "promql_syntax", "promql_counter", "promql_histogram",
    "detection_latency", "kill_switch", "duplicates", "runbook_phases", "runbook_rollback", "runbook_placeholder",
    "runbook_target", "alert_tested", "dashboard", "cardinality", "manifest_schema",
)


def all_rules() -> list[ModuleType]:
    return [importlib.import_module(f"aigen.lint.rules.{name}") for name in NAMES]


def by_id() -> dict[str, ModuleType]:
    return {rule.ID: rule for rule in all_rules()}


def summary(rule: ModuleType) -> str:
    """The docstring's first line: what `aigen rules` lists."""
    return (rule.__doc__ or "").strip().splitlines()[0]


def examples(rule: ModuleType) -> Iterator[tuple[str, str]]:
    """(`pass` | `fail`, YAML) for each example block of the docstring (indented under "Passing:"/"Failing:")."""
    kind = None
    block: list[str] = []
    for line in (rule.__doc__ or "").splitlines():
        stripped = line.strip()
        if stripped in ("Passing:", "Failing:"):
            if kind and block:
                yield kind, "\n".join(block).strip("\n") + "\n"
            kind, block = ("pass" if stripped == "Passing:" else "fail"), []
        elif kind and (line.startswith("    ") or not stripped):
            block.append(line[4:])
        elif kind:
            if block:
                yield kind, "\n".join(block).strip("\n") + "\n"
            kind, block = None, []
    if kind and block:
        yield kind, "\n".join(block).strip("\n") + "\n"
