"""PromQL analysis on the promql-parser AST, for lint and the dashboards alike.

- the range windows it reads (``[5m]``, subquery ranges, offsets), for the detection-latency rule;
- the functions it calls and the aggregations under ``histogram_quantile``;
- the selectors it reads (names and equality matchers), for model ids and recording-rule references;
- the label set its result can carry, for the ``$labels.x`` template check and the dashboards' ``$feature`` filter;
- Grafana's side: a query with its template variables filled in (``substitute``), the metrics it reads, and an
  alert's signal rewritten for the dashboard's variables (``rewrite``).

The label-set rules follow Prometheus' evaluator: an aggregation keeps only its ``by`` labels; a one-to-one vector
match with ``on(...)`` keeps only the ``on`` labels (``a < on(model_id) b`` yields ``{model_id}`` alone); ``group_left``
keeps the many side's labels plus the included ones; ``and``/``unless`` keep the left side's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import promql_parser as pp


@dataclass(frozen=True)
class LabelSet:
    """Labels a result can carry. ``closed`` means no label outside ``names`` can appear."""

    names: frozenset[str]
    closed: bool

    def carries(self, label: str) -> bool:
        return not self.closed or label in self.names

    def __or__(self, other: LabelSet) -> LabelSet:
        return LabelSet(self.names | other.names, self.closed and other.closed)

    def without(self, labels: set[str]) -> LabelSet:
        return LabelSet(self.names - labels, self.closed)

    def keep(self, labels: set[str]) -> LabelSet:
        return LabelSet(frozenset(labels), True)


EMPTY = LabelSet(frozenset(), True)

# Functions whose result labels are not those of their (first) vector argument.
_DROPS_ALL = {"vector", "scalar", "time", "pi", "minute", "hour", "day_of_month", "day_of_week", "day_of_year",
              "days_in_month", "month", "year"}
_ADDS_FIRST_STRING = {"label_replace", "label_join"}


@lru_cache(maxsize=1 << 16)  # a fleet's rules: every model's expressions, read by several rules each
def parse(expr: str) -> Any:
    """The AST of ``expr``; raises ValueError with the parser's message when it does not parse."""
    return pp.parse(expr)


_WALKED: dict[int, tuple[Any, list[Any]]] = {}


def walk(node: Any) -> Iterator[Any]:
    """Every node of the AST, depth first, parents before children, left to right (the order of the parser's own
    ``walk``, which is not used: it copies every subtree at every level, so a chain of n ``or`` — a wide model's
    baseline constants — cost O(n³): 35 s and 14 GB at 400 terms). The list is kept per node, with the node, so
    its id stays unique."""
    entry = _WALKED.get(id(node))
    if entry is None or entry[0] is not node:
        entry = _WALKED[id(node)] = (node, _preorder(node))
    return iter(entry[1])


def _preorder(root: Any) -> list[Any]:
    found: list[Any] = []
    stack = [root]
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(reversed(_children(node)))
    return found


def _children(node: Any) -> list[Any]:
    kind = type(node)
    if kind is pp.BinaryExpr:
        return [node.lhs, node.rhs]
    if kind is pp.Call:
        return list(node.args)
    if kind is pp.AggregateExpr:
        return [child for child in (node.param, node.expr) if child is not None]
    if kind in (pp.ParenExpr, pp.UnaryExpr, pp.SubqueryExpr):
        return [node.expr]
    if kind is pp.MatrixSelector:
        return [node.vector_selector]
    return []


def selectors(node: Any) -> Iterator[pp.VectorSelector]:
    for n in walk(node):
        if isinstance(n, pp.VectorSelector):
            yield n


def equal_matchers(selector: pp.VectorSelector) -> dict[str, str]:
    return {m.name: m.value for m in selector.matchers.matchers if m.op == pp.MatchOp.Equal}


def metric_name(selector: pp.VectorSelector) -> str | None:
    """The metric a selector reads: its name, or its ``__name__="..."`` matcher; None when neither says."""
    return selector.name or equal_matchers(selector).get("__name__")


def calls(node: Any) -> Iterator[pp.Call]:
    for n in walk(node):
        if isinstance(n, pp.Call):
            yield n


def longest_window(node: Any) -> int:
    """Seconds of the longest range any part of the expression reads: range windows, subqueries, plus offsets."""
    longest = 0
    for n in walk(node):
        span = 0
        if isinstance(n, pp.MatrixSelector):
            span = _seconds(n.range) + _seconds(n.vector_selector.offset)
        elif isinstance(n, pp.SubqueryExpr):
            span = _seconds(n.range) + _seconds(n.offset)
        elif isinstance(n, pp.VectorSelector):
            span = _seconds(n.offset)
        longest = max(longest, span)
    return longest


def _seconds(delta: Any) -> int:
    return int(delta.total_seconds()) if delta is not None else 0


def unwrap(node: Any) -> Any:
    while isinstance(node, pp.ParenExpr):
        node = node.expr
    return node


SelectorLabels = Callable[[pp.VectorSelector], LabelSet]


def result_labels(node: Any, selector_labels: SelectorLabels) -> LabelSet:
    """The labels the expression's result can carry; ``selector_labels`` knows each series' own label set."""
    node = unwrap(node)
    if isinstance(node, pp.VectorSelector):
        return selector_labels(node)
    if isinstance(node, pp.MatrixSelector):
        return selector_labels(node.vector_selector)
    if isinstance(node, (pp.SubqueryExpr, pp.UnaryExpr)):
        return result_labels(node.expr, selector_labels)
    if isinstance(node, pp.AggregateExpr):
        return _aggregate(node, selector_labels)
    if isinstance(node, pp.Call):
        return _call(node, selector_labels)
    if isinstance(node, pp.BinaryExpr):
        return _binary(node, selector_labels)
    return EMPTY  # number and string literals


def _aggregate(node: pp.AggregateExpr, selector_labels: SelectorLabels) -> LabelSet:
    inner = result_labels(node.expr, selector_labels)
    op = str(node.op)
    if op in ("topk", "bottomk", "limitk", "limit_ratio"):
        return inner
    mod = node.modifier
    if mod is None:
        out = EMPTY
    elif mod.type == pp.AggModifierType.By:
        out = inner.keep(set(mod.labels))
    else:
        out = inner.without(set(mod.labels))
    if op == "count_values" and isinstance(unwrap(node.param), pp.StringLiteral):
        out = out | LabelSet(frozenset({unwrap(node.param).val}), True)
    return out


def _call(node: pp.Call, selector_labels: SelectorLabels) -> LabelSet:
    name = node.func.name
    args = list(node.args)
    if name in _DROPS_ALL:
        return EMPTY
    if name in ("absent", "absent_over_time"):
        return LabelSet(frozenset(_absent_labels(args[0]) if args else ()), True)
    vectors = [a for a in args if not isinstance(unwrap(a), (pp.NumberLiteral, pp.StringLiteral))]
    if not vectors:
        return EMPTY
    out = result_labels(vectors[0], selector_labels)
    if name == "histogram_quantile" or name == "histogram_fraction":
        out = out.without({"le"})
    if name in _ADDS_FIRST_STRING:
        strings = [unwrap(a) for a in args if isinstance(unwrap(a), pp.StringLiteral)]
        if strings:
            out = out | LabelSet(frozenset({strings[0].val}), True)
    return out


def _absent_labels(arg: Any) -> set[str]:
    node = unwrap(arg)
    if isinstance(node, pp.MatrixSelector):
        node = node.vector_selector
    return set(equal_matchers(node)) if isinstance(node, pp.VectorSelector) else set()


def _binary(node: pp.BinaryExpr, selector_labels: SelectorLabels) -> LabelSet:
    lhs = result_labels(node.lhs, selector_labels)
    rhs = result_labels(node.rhs, selector_labels)
    op = str(node.op).strip()
    lhs_scalar, rhs_scalar = _is_scalar(node.lhs), _is_scalar(node.rhs)
    if lhs_scalar or rhs_scalar:
        return rhs if lhs_scalar and not rhs_scalar else lhs
    if op in ("and", "unless"):
        return lhs
    if op == "or":
        return lhs | rhs
    mod = node.modifier
    matching = mod.matching if mod is not None else None
    card = str(mod.card) if mod is not None else ""
    include = set(mod.group_labels or ()) if mod is not None else set()
    if card.endswith("ManyToOne"):
        return lhs | LabelSet(frozenset(include), True)
    if card.endswith("OneToMany"):
        return rhs | LabelSet(frozenset(include), True)
    if matching is None:
        return lhs
    labels = set(matching.labels)
    if matching.type == pp.LabelModifierType.Include:
        return lhs.keep(labels)
    return lhs.without(labels)


def _is_scalar(node: Any) -> bool:
    node = unwrap(node)
    if isinstance(node, pp.NumberLiteral):
        return True
    if isinstance(node, pp.UnaryExpr):
        return _is_scalar(node.expr)
    if isinstance(node, pp.Call):
        return node.func.name in ("scalar", "time", "pi")
    if isinstance(node, pp.BinaryExpr):
        return _is_scalar(node.lhs) and _is_scalar(node.rhs)
    return False


def carries(expr: str, label: str, labelled: set[str]) -> bool:
    """Whether the result of ``expr`` carries ``label``, given the metrics (and records) whose series carry it."""
    def selector_labels(sel: pp.VectorSelector) -> LabelSet:
        return LabelSet(frozenset({label}) if metric_name(sel) in labelled else frozenset(), True)

    return label in result_labels(parse(expr), selector_labels).names


# --- Grafana queries ---------------------------------------------------------------------------------------------

# keyed by str(op): promql_parser's MatchOp is unhashable
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


def metric_names(query: str) -> set[str]:
    """Metric names a (variable-free) query selects; raises ValueError when it does not parse."""
    return {name for sel in selectors(parse(query)) if (name := metric_name(sel))}


def expand(names: set[str], records: Mapping[str, str]) -> set[str]:
    """``names`` plus every metric the recording rules among them read, transitively."""
    out: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in out:
            continue
        out.add(name)
        if name in records:
            todo.extend(metric_names(records[name]))
    return out


def _selector_text(sel: pp.VectorSelector, matchers: list[tuple[str, str, str]]) -> str:
    body = ", ".join(f"{name}{op}{json.dumps(value)}" for name, op, value in matchers)
    return f"{sel.name or ''}{{{body}}}"


def rewrite(query: str, model_id: str, filters: Mapping[str, tuple[set[str], str]]) -> str:
    """Point the model's selectors at ``$model`` and add ``label=~"$var"`` to selectors of labelled metrics.

    ``filters`` maps a label to (metrics that carry it, variable name). Selectors with ``offset`` or ``@`` are left
    as they are (their text would have to be rebuilt too; aigen's signals use neither). The query is parsed afresh,
    not through the cache, so the transform never touches an AST other callers hold.
    """
    def visit(node: pp.Expr) -> pp.Expr | None:
        if not isinstance(node, pp.VectorSelector) or node.offset is not None or node.at is not None:
            return None
        matchers = [(m.name, _OPS[str(m.op)], m.value) for m in node.matchers.matchers]
        changed = [(n, "=", "$model") if (n, op, v) == ("model_id", "=", model_id) else (n, op, v)
                   for n, op, v in matchers]
        for label, (metrics, variable) in sorted(filters.items()):
            if metric_name(node) in metrics and all(n != label for n, _, _ in changed):
                changed.append((label, "=~", f"${variable}"))
        return None if changed == matchers else pp.parse(_selector_text(node, changed))

    return pp.transform(pp.parse(query), post_visit=visit).prettify()


def quantile_of(query: str) -> tuple[float, str] | None:
    """(q, histogram) of a ``histogram_quantile(q, histogram)`` query; None for any other query."""
    node = parse(query)
    if (isinstance(node, pp.Call) and node.func.name == "histogram_quantile"
            and isinstance(node.args[0], pp.NumberLiteral)):
        return node.args[0].val, str(node.args[1])
    return None
