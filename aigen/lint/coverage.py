"""The coverage matrix: incident type x model, with a mark per artifact kind.

``MARKS`` is the extension point: a mark is a function ``(ctx, model_id, incident_type) -> bool | None`` (None: this
kind of artifact does not exist in the setup, so the column is left out). ``alert`` and ``runbook`` are required by
the coverage rule; ``dashboard`` (a panel of ``generated/<model>/dashboard.json`` naming the type or one of its
alerts) and ``test`` (a promtool test in ``generated/<model>/tests/*.yaml`` that fires one of its alerts) are shown
when those files exist. Register another with ``MARKS["name"] = function``.

A model's spec may waive an incident type (``not_applicable: {type: reason}``): its cell is covered whatever the
marks say, and shows as ``n/a`` with the reason under the matrix. Waivers come from specs only (the linted ones, else
``<specs>/<model>.yaml``); a hand-written repository without specs has none.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

Mark = Callable[[Any, "str | None", str], "bool | None"]
REQUIRED = ("alert", "runbook")

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_ALERTS = re.compile(r'ALERTS\{[^}]*alertname\s*=\s*"([^"]+)"')


def tested_alerts(ctx, folder: Path) -> frozenset[str] | None:
    """Alert names the promtool tests in ``folder/tests`` expect to fire; None when there is no such folder.

    Read once per run and folder (``ctx.memo``), whichever of the alert-tested rule and the coverage matrix asks
    first: the test files are most of a fleet's bytes, so a second read (or a bounded cache evicting models of a
    large fleet) is what made lint grow faster than the fleet.
    """
    key = ("tested-alerts", folder.resolve())
    if key not in ctx.memo:
        ctx.memo[key] = _read_tested_alerts(folder)
    return ctx.memo[key]


def _read_tested_alerts(folder: Path) -> frozenset[str] | None:
    tests = folder / "tests"
    if not tests.is_dir():
        return None
    names: set[str] = set()
    for path in sorted(tests.glob("*.y*ml")):
        try:
            root = _compose(path.read_text(encoding="utf-8", errors="replace"))
        except (OSError, yaml.YAMLError):
            continue
        for group in _items(_key(root, "tests")):
            names.update(_firing(group))
    return frozenset(names)


_INPUT_SERIES = re.compile(r"^( *)input_series:[ \t]*\n(?:(?:\1 +\S.*|\1- .*|[ \t]*)\n)*", re.MULTILINE)
"""A block-style ``input_series:`` and every line under it (deeper, or a ``- `` item at its indent, or blank)."""


def _compose(text: str) -> yaml.Node | None:
    """The file's node tree, without its input series when they are in block style (aigen writes them so).

    A test's input series are nearly all of its bytes, and composing resolves the tag of every scalar in Python
    (28 s of a 100-model fleet's lint); coverage never reads them. When the text without them does not compose
    (an unusual layout), the whole text is composed instead."""
    stripped, found = _INPUT_SERIES.subn(r"\1input_series: []\n", text)
    if found:
        try:
            return yaml.compose(stripped, Loader=_Loader)
        except yaml.YAMLError:
            pass
    return yaml.compose(text, Loader=_Loader)


def _firing(group: yaml.Node) -> set[str]:
    """Alerts a test group expects to fire: named by a non-empty ``exp_alerts``, or by an ``ALERTS{alertname=...}``
    query with expected samples.

    Read from the composed node tree (libyaml), never constructed: the ``input_series`` that make up most of a
    test file are skipped, not turned into Python objects.
    """
    out = {_scalar(_key(t, "alertname")) for t in _items(_key(group, "alert_rule_test"))
           if _items(_key(t, "exp_alerts"))}
    for test in _items(_key(group, "promql_expr_test")):
        if _items(_key(test, "exp_samples")):
            out.update(_ALERTS.findall(_scalar(_key(test, "expr"))))
    return out


def _key(node: yaml.Node | None, name: str) -> yaml.Node | None:
    """The value of ``name`` in a mapping node (None when it is not a mapping or has no such key)."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == name:
                return value
    return None


def _items(node: yaml.Node | None) -> list[yaml.Node]:
    return node.value if isinstance(node, yaml.SequenceNode) else []


def _scalar(node: yaml.Node | None) -> str:
    return node.value if isinstance(node, yaml.ScalarNode) else ""


def models(ctx) -> list[str | None]:
    """Models seen in alerts, runbooks and specs; [None] when nothing names a model (rules count globally)."""
    found = {ctx.model_of(a) for a in ctx.alerts} | {rb.model_id for rb in ctx.runbooks}
    if ctx.project is not None:
        found |= {s.spec.model.id for s in ctx.project.specs}
    named = sorted(m for m in found if m)
    return named or [None]


def alert_names(ctx) -> dict[tuple[str | None, str], set[str]]:
    """(model or None for a global alert, incident type) -> alert names; built once per run, so a mark costs a
    lookup and the matrix grows with models x types, not with models x types x alerts."""
    if "coverage-alerts" not in ctx.memo:
        index: dict[tuple[str | None, str], set[str]] = {}
        for alert in ctx.alerts:
            itype = alert.labels.get("incident_type")
            if itype:
                index.setdefault((ctx.model_of(alert), itype), set()).add(alert.name)
        ctx.memo["coverage-alerts"] = index
    return ctx.memo["coverage-alerts"]


def alert_types(ctx, model: str | None) -> set[str]:
    """Incident types with an alert for ``model`` (global alerts count for every model)."""
    return {itype for owner, itype in alert_names(ctx) if owner is None or owner == model}


def _alert(ctx, model: str | None, itype: str) -> bool | None:
    return (model, itype) in alert_names(ctx) or (None, itype) in alert_names(ctx)


def _runbook(ctx, model: str | None, itype: str) -> bool | None:
    if "coverage-runbooks" not in ctx.memo:  # one pass over the runbooks, not one per cell
        ctx.memo["coverage-runbooks"] = {(rb.model_id, rb.incident_type) for rb in ctx.runbooks}
    found = ctx.memo["coverage-runbooks"]
    return (model, itype) in found or (None, itype) in found


def waivers(ctx, model: str | None) -> dict[str, str]:
    """Incident type -> reason, from the model's spec (``not_applicable``); empty without a spec."""
    spec = ctx.spec_for(model) if model else None
    return dict(spec.not_applicable) if spec is not None else {}


def _model_dir(ctx, model: str | None) -> Path | None:
    return ctx.config.generated / model if model else None


def _dashboard(ctx, model: str | None, itype: str) -> bool | None:
    folder = _model_dir(ctx, model)
    if folder is None:
        return None
    key = ("coverage-dashboard", folder)
    if key not in ctx.memo:  # read once per model, not once per incident type
        ctx.memo[key] = _panels_text(folder / "dashboard.json")
    text = ctx.memo[key]
    if text is None:
        return None
    names = alert_names(ctx).get((model, itype), set())
    return itype in text or any(name in text for name in names)


def _panels_text(path: Path) -> str | None:
    """The dashboard's panels as JSON text ("" when unreadable); None when there is no dashboard."""
    if not path.is_file():
        return None
    try:
        return json.dumps(json.loads(path.read_text(encoding="utf-8")).get("panels", []))
    except (OSError, ValueError, AttributeError):
        return ""


def _test(ctx, model: str | None, itype: str) -> bool | None:
    folder = _model_dir(ctx, model)
    tested = tested_alerts(ctx, folder) if folder is not None else None
    if tested is None:
        return None
    return bool(tested & alert_names(ctx).get((model, itype), set()))


MARKS: dict[str, Mark] = {"alert": _alert, "runbook": _runbook, "dashboard": _dashboard, "test": _test}


@dataclass(frozen=True)
class Cell:
    model: str | None
    incident_type: str
    marks: dict[str, bool | None]
    waived: str | None = None
    """The reason of the model's ``not_applicable`` waiver for this type; None when the type applies."""


def matrix(ctx) -> list[Cell]:
    cells = []
    cols = models(ctx)
    waived = {model: waivers(ctx, model) for model in cols}
    for itype in ctx.taxonomy.incident_types:
        for model in cols:
            cells.append(Cell(model, itype, {name: mark(ctx, model, itype) for name, mark in MARKS.items()},
                              waived[model].get(itype)))
    return cells


def printable(text: str) -> str:
    """Free text on one terminal line: control, format and separator characters (newlines, escapes, bidi
    overrides) shown as ``\\uXXXX``, so a reason from a spec can neither break the matrix nor drive the terminal."""
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text)


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
            cell = by_key[(itype, model)]
            marks = cell.marks
            text = "n/a" if cell.waived is not None else " ".join(n[0].upper() if marks[n] else "." for n in shown)
            row.append(text.ljust(cell_w))
        lines.append("  ".join(row).rstrip())
    legend = ", ".join(f"{n[0].upper()} {n}" for n in shown)
    waived = [c for c in cells if c.waived is not None]
    lines.append(f"\n{legend}; '.' missing" + ("; n/a not applicable (the model's spec says why):" if waived else ""))
    lines.extend(f"  {c.model} {c.incident_type}: {printable(c.waived or '')}"
                 for c in sorted(waived, key=lambda c: (c.model or "", c.incident_type)))
    return "\n".join(lines) + "\n"
