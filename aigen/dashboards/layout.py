"""A dashboard's panel layout as a markdown table, read from the dashboard itself (no Grafana needed to review it)."""

from __future__ import annotations

from typing import Any

from aigen.promql import metric_names, substitute

_VALUES = {"model": "m", "feature": ".*"}


def describe(dashboard: dict[str, Any]) -> str:
    """Title, uid, variables and annotations, then one table line per panel in layout order."""
    variables = ", ".join(f"`${v['name']}`" for v in dashboard.get("templating", {}).get("list", []))
    annotations = ", ".join(a["name"] for a in dashboard.get("annotations", {}).get("list", []) if not a.get("builtIn"))
    lines = [f"### {dashboard.get('title', '')} (uid `{dashboard.get('uid', '')}`)", "",
             f"Variables: {variables or 'none'}. Annotations: {annotations or 'none'}.", "",
             "| row | id | panel | type | position (x,y w×h) | unit | threshold | reads |",
             "|---|---|---|---|---|---|---|---|"]
    row = ""
    for panel in dashboard.get("panels", []):
        if panel.get("type") == "row":
            row = panel.get("title", "")
            continue
        lines.append(_line(row, panel))
    return "\n".join(lines) + "\n"


def _line(row: str, panel: dict[str, Any]) -> str:
    pos = panel.get("gridPos", {})
    defaults = panel.get("fieldConfig", {}).get("defaults", {})
    cells = [row, str(panel.get("id", "")), panel.get("title", ""), panel.get("type", ""),
             f"{pos.get('x')},{pos.get('y')} {pos.get('w')}×{pos.get('h')}", defaults.get("unit", ""),
             _threshold(defaults.get("thresholds")), ", ".join(f"`{m}`" for m in sorted(_metrics(panel)))]
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def _threshold(thresholds: dict[str, Any] | None) -> str:
    """``green; red from 0.9`` — the base colour, then each step."""
    if not thresholds:
        return ""
    steps = thresholds.get("steps", [])
    parts = [str(s.get("color")) if s.get("value") is None else f"{s.get('color')} from {s.get('value'):g}"
             for s in steps]
    return "; ".join(parts)


def _metrics(panel: dict[str, Any]) -> set[str]:
    out: set[str] = set()
    for target in panel.get("targets", []):
        try:
            out |= metric_names(substitute(target.get("expr", ""), _VALUES))
        except ValueError:
            out.add("(query does not parse)")
    return out
