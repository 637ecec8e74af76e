"""Expand the small subset of Prometheus alert templates aigen generates, to compute expected annotations.

Only these forms are allowed in generated annotations (anything else is a bug, raised as ValueError):
``{{ $labels.NAME }}``, ``{{ $value | humanizePercentage }}``, ``{{ $value | printf "%.Nf" }}``, and the literal
brace ``{{ "{" }}`` that aigen.escape.go_template_literal writes for text that must not be expanded.
"""

from __future__ import annotations

import re

_ACTION = re.compile(r"\{\{\s*(.*?)\s*\}\}")
_PRINTF = re.compile(r'^\$value \| printf "%\.(\d)f"$')


def expand(template: str, labels: dict[str, str], value: float) -> str:
    def one(match: re.Match[str]) -> str:
        action = match.group(1)
        if action == '"{"':
            return "{"
        if action.startswith("$labels."):
            return labels[action.removeprefix("$labels.")]
        if action == "$value | humanizePercentage":
            # Prometheus: fmt.Sprintf("%.4g%%", v*100); Python's %g follows the same rules
            return "%.4g%%" % (value * 100)
        printf = _PRINTF.match(action)
        if printf:
            return f"%.{printf.group(1)}f" % value
        raise ValueError(f"unsupported template action in a generated annotation: {{{{ {action} }}}}")

    return _ACTION.sub(one, template)
