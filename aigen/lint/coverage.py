"""The coverage matrix: incident type x model, with a mark per artifact kind.

``MARKS`` is the extension point: a mark is a function ``(ctx, model_id, incident_type) -> bool | None`` (None: this
kind of artifact does not exist in the setup, so the column is left out). ``alert`` and ``runbook`` are required by
the coverage rule; ``dashboard`` (a panel of ``generated/<model>/dashboard.json`` naming the type or one of its
alerts) and ``test`` (a promtool test in ``generated/<model>/tests/*.yaml`` that fires one of its alerts) are shown
when those files exist. Register another with ``MARKS["name"] = function``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Mark = Callable[[Any, "str | None", str], "bool | None"]
REQUIRED = ("alert", "runbook")


def models(ctx) -> list[str | None]:
    """Models seen in alerts, runbooks and specs; [None] when nothing names a model (rules count globally)."""
    found = {ctx.model_of(a) for a in ctx.alerts} | {rb.model_id for rb in ctx.runbooks}
    if ctx.project is not None:
        found |= {s.spec.model.id for s in ctx.project.specs}
    named = sorted(m for m in found if m)
    return named or [None]


def alert_types(ctx, model: str | None) -> set[str]:
    """Incident types with an alert for ``model`` (global alerts count for every model)."""
    out: set[str] = set()
    for alert in ctx.alerts:
        owner = ctx.model_of(alert)
        if owner is None or owner == model:
            itype = alert.labels.get("incident_type")
            if itype:
                out.add(itype)
    return out


def _alert(ctx, model: str | None, itype: str) -> bool | None:
    return itype in alert_types(ctx, model)


def _runbook(ctx, model: str | None, itype: str) -> bool | None:
    return any(rb.incident_type == itype and rb.model_id in (None, model) for rb in ctx.runbooks)


def _model_dir(ctx, model: str | None) -> Path | None:
    return ctx.config.generated / model if model else None


def _dashboard(ctx, model: str | None, itype: str) -> bool | None:
    folder = _model_dir(ctx, model)
    if folder is None or not (folder / "dashboard.json").is_file():
        return None
    try:
        text = json.dumps(json.loads((folder / "dashboard.json").read_text(encoding="utf-8")).get("panels", []))
    except (OSError, ValueError, AttributeError):
        return False
    names = {a.name for a in ctx.alerts if a.labels.get("incident_type") == itype and ctx.model_of(a) == model}
    return itype in text or any(name in text for name in names)


def _test(ctx, model: str | None, itype: str) -> bool | None:
    folder = _model_dir(ctx, model)
    files = sorted((folder / "tests").glob("*.yaml")) if folder is not None and (folder / "tests").is_dir() else []
    if not files:
        return None
    names = {a.name for a in ctx.alerts if a.labels.get("incident_type") == itype and ctx.model_of(a) == model}
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        if any(f"alertname: {name}" in text for name in names) or f"incident_type: {itype}" in text:
            return True
    return False


MARKS: dict[str, Mark] = {"alert": _alert, "runbook": _runbook, "dashboard": _dashboard, "test": _test}


@dataclass(frozen=True)
class Cell:
    model: str | None
    incident_type: str
    marks: dict[str, bool | None]


def matrix(ctx) -> list[Cell]:
    cells = []
    for itype in ctx.taxonomy.incident_types:
        for model in models(ctx):
            cells.append(Cell(model, itype, {name: mark(ctx, model, itype) for name, mark in MARKS.items()}))
    return cells


def render_matrix(ctx) -> str:
    """The matrix as text: one row per incident type, one column per model; a letter per mark, '.' when missing."""
    cells = matrix(ctx)
    shown = [n for n in MARKS if any(c.marks[n] is not None for c in cells)]
    cols = models(ctx)
    names = [m or "(all models)" for m in cols]
    width = max([len("incident type")] + [len(t) for t in ctx.taxonomy.incident_types])
    cell_w = max([len(n) for n in names] + [2 * len(shown)])
    lines = ["  ".join(["incident type".ljust(width)] + [n.ljust(cell_w) for n in names]).rstrip()]
    by_key = {(c.incident_type, c.model): c for c in cells}
    for itype in ctx.taxonomy.incident_types:
        row = [itype.ljust(width)]
        for model in cols:
            marks = by_key[(itype, model)].marks
            row.append(" ".join(n[0].upper() if marks[n] else "." for n in shown).ljust(cell_w))
        lines.append("  ".join(row).rstrip())
    legend = ", ".join(f"{n[0].upper()} {n}" for n in shown)
    lines.append(f"\n{legend}; '.' missing")
    return "\n".join(lines) + "\n"
