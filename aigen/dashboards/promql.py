"""PromQL on the dashboard side: rewrite an alert's signal for template variables, and read queries back.

Queries are changed on the parsed expression (promql_parser), never by editing text, so a rewritten query is valid
PromQL whenever the alert's signal was.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

import promql_parser as pp

_OPS = {"MatchOp.Equal": "=", "MatchOp.NotEqual": "!=", "MatchOp.Re": "=~", "MatchOp.NotRe": "!~"}
_VARIABLE = re.compile(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)")
# What Grafana substitutes for its built-in variables, for parsing a query outside Grafana.
BUILTIN_VALUES = {"__rate_interval": "1m", "__interval": "1m", "__range": "1h", "__interval_ms": "60000"}


def substitute(query: str, values: Mapping[str, str]) -> str:
    """The query as Grafana would send it: ``$model`` / ``${feature}`` / ``$__rate_interval`` replaced."""
    def value(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        return values.get(name, BUILTIN_VALUES.get(name, name))

    return _VARIABLE.sub(value, query)


def parse(query: str) -> pp.Expr:
    """Parse or raise ValueError with the parser's message."""
    return pp.parse(query)


def selectors(expr: pp.Expr) -> list[pp.VectorSelector]:
    found: list[pp.VectorSelector] = []

    def visit(node: pp.Expr) -> None:
        if isinstance(node, pp.VectorSelector):
            found.append(node)

    pp.walk(expr, visit)
    return found


def metric_name(selector: pp.VectorSelector) -> str | None:
    if selector.name:
        return selector.name
    names = [m.value for m in selector.matchers.matchers if m.name == "__name__" and str(m.op) == "MatchOp.Equal"]
    return names[0] if names else None


def metric_names(query: str) -> set[str]:
    """Metric names a (variable-free) query selects."""
    return {name for sel in selectors(parse(query)) if (name := metric_name(sel))}


def expand(names: set[str], records: Mapping[str, str]) -> set[str]:
    """``names`` plus every metric the recording rules among them read, transitively."""
    out, todo = set(), list(names)
    while todo:
        name = todo.pop()
        if name in out:
            continue
        out.add(name)
        if name in records:
            todo.extend(metric_names(records[name]))
    return out


def keeps_label(node: pp.Expr, label: str, labelled: set[str]) -> bool:
    """Whether the series of ``node`` carry ``label``, given the metrics (and records) known to carry it."""
    if isinstance(node, pp.VectorSelector):
        return metric_name(node) in labelled
    if isinstance(node, pp.MatrixSelector):
        return keeps_label(node.vector_selector, label, labelled)
    if isinstance(node, pp.AggregateExpr):
        mod = node.modifier
        if mod is None:
            return False
        listed = label in mod.labels
        by = "By" in str(mod.type)
        return keeps_label(node.expr, label, labelled) and (listed if by else not listed)
    if isinstance(node, pp.Call):
        return any(keeps_label(arg, label, labelled) for arg in node.args if isinstance(arg, pp.Expr))
    if isinstance(node, pp.BinaryExpr):
        right = node.modifier is not None and "OneToMany" in str(node.modifier.card)
        return keeps_label(node.rhs if right else node.lhs, label, labelled)
    inner = getattr(node, "expr", None)
    return isinstance(inner, pp.Expr) and keeps_label(inner, label, labelled)


def _selector_text(sel: pp.VectorSelector, matchers: list[tuple[str, str, str]]) -> str:
    body = ", ".join(f"{name}{op}{json.dumps(value)}" for name, op, value in matchers)
    return f"{sel.name or ''}{{{body}}}"


def rewrite(query: str, model_id: str, filters: Mapping[str, tuple[set[str], str]]) -> str:
    """Point the model's selectors at ``$model`` and add ``label=~"$var"`` to selectors of labelled metrics.

    ``filters`` maps a label to (metrics that carry it, variable name). Selectors with ``offset`` or ``@`` are left
    as they are (their text would have to be rebuilt too; aigen's signals use neither).
    """
    def visit(node: pp.Expr) -> pp.Expr | None:
        if not isinstance(node, pp.VectorSelector) or node.offset is not None or node.at is not None:
            return None
        matchers = [(m.name, _OPS[str(m.op)], m.value) for m in node.matchers.matchers]
        changed = [(n, "=", "$model") if (n, op, v) == ("model_id", "=", model_id) else (n, op, v) for n, op, v in matchers]
        for label, (metrics, variable) in sorted(filters.items()):
            if metric_name(node) in metrics and all(n != label for n, _, _ in changed):
                changed.append((label, "=~", f"${variable}"))
        return None if changed == matchers else pp.parse(_selector_text(node, changed))

    return pp.transform(parse(query), post_visit=visit).prettify()


def quantile_of(query: str) -> tuple[float, str] | None:
    """(q, histogram) of a ``histogram_quantile(q, histogram)`` query; None for any other query."""
    node = parse(query)
    if isinstance(node, pp.Call) and node.func.name == "histogram_quantile" and isinstance(node.args[0], pp.NumberLiteral):
        return node.args[0].val, str(node.args[1])
    return None
