"""aigen.promql.walk: the parser's node order, in time and memory linear in the expression's size."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import promql_parser as pp
import pytest
import yaml

from aigen import promql
from tests.conftest import REPO

EXPRESSIONS = [
    'topk(3, sum by (a) (rate(x[5m])))', 'count_values("v", y)', 'quantile(0.9, z)', 'max_over_time((a + b)[10m:1m])',
    '-(x offset 5m)', 'sum(x) > bool 3 and on(a) y', 'histogram_quantile(0.99, sum by (le) (rate(h_bucket[5m]))) * -1',
    'absent_over_time(x{a="b"}[1h] @ 100)', 'label_replace(vector(1), "a", "b", "", "") or vector(2)',
]


def _shape(nodes: list) -> list[str]:
    return [f"{type(n).__name__}:{getattr(n, 'name', '')}:{getattr(getattr(n, 'func', None), 'name', '')}"
            for n in nodes]


def _generated() -> list[str]:
    return [rule["expr"] for path in sorted((REPO / "generated").glob("*/rules.yaml"))
            for group in yaml.safe_load(path.read_text(encoding="utf-8"))["groups"] for rule in group["rules"]]


@pytest.mark.parametrize("expr", EXPRESSIONS + _generated())
def test_walk_visits_what_the_parsers_walk_visits_in_its_order(expr: str) -> None:
    node = pp.parse(expr)
    theirs: list = []
    pp.walk(node, theirs.append)
    assert _shape(list(promql.walk(node))) == _shape(theirs)


def test_walk_of_a_wide_models_or_chain_stays_small(tmp_path: Path) -> None:
    """1,000 baseline constants joined by `or` (a wide model's chain): the parser's own walk copies every subtree at
    every level (400 terms took 35 s and 14 GB); ours must finish within a 1 GiB address-space cap."""
    script = (
        "import resource; resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))\n"
        "import promql_parser as pp; from aigen import promql\n"
        "expr = ' or '.join(f'label_replace(vector({i}), \"bin\", \"b{i}\", \"\", \"\")' for i in range(1000))\n"
        "print(sum(1 for _ in promql.walk(pp.parse(expr))))\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=REPO)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == str(1000 * 7 + 999 * 1)  # per term: Call, 5 args and vector's NumberLiteral
