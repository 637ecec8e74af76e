"""The PromQL facts lint relies on: result label sets (checked against Prometheus' evaluator rules), windows."""

from __future__ import annotations

import pytest

from aigen import promql


def _open(sel) -> promql.LabelSet:
    """Every selector may carry anything beyond its equality matchers (an unknown metric)."""
    return promql.LabelSet(frozenset(promql.equal_matchers(sel)), False)


def _closed(sel) -> promql.LabelSet:
    """Every selector carries exactly model_id, feature and its matchers (a known metric)."""
    return promql.LabelSet(frozenset({"model_id", "feature"} | set(promql.equal_matchers(sel))), True)


@pytest.mark.parametrize(("expr", "names", "closed"), [
    ("a < on(model_id) (b * 0.9)", {"model_id"}, True),  # one-to-one on(): only the on labels survive
    ("sum by (model_id, le) (rate(x_bucket[5m]))", {"model_id", "le"}, True),
    ("histogram_quantile(0.5, sum by (model_id, le) (rate(x_bucket[5m])))", {"model_id"}, True),
    ("count by (model_id, incident_type) (ALERTS{severity=\"critical\"}) > 0", {"model_id", "incident_type"}, True),
    ("sum(x)", set(), True),
    ("absent(x{model_id=\"m\", job=\"j\"})", {"model_id", "job"}, True),
    ("vector(1)", set(), True),
    ("label_replace(sum by (a) (x), \"dst\", \"$1\", \"a\", \"(.*)\")", {"a", "dst"}, True),
    ("sum by (a) (x) / on(a) group_left(team) sum by (a, team) (y)", {"a", "team"}, True),
    ("sum by (a) (x) and on(a) sum by (a, b) (y)", {"a"}, True),
    ("sum by (a) (x) or sum by (b) (y)", {"a", "b"}, True),
    ("x > 1", set(), False),
])
def test_result_labels_open_selectors(expr: str, names: set[str], closed: bool) -> None:
    labels = promql.result_labels(promql.parse(expr), _open)
    assert labels.closed is closed
    assert labels.names == frozenset(names)


def test_known_metric_keeps_its_labels_through_comparison_and_without() -> None:
    labels = promql.result_labels(promql.parse("sum without (feature) (m{model_id=\"x\"}) > 0.5"), _closed)
    assert labels == promql.LabelSet(frozenset({"model_id"}), True)
    assert not labels.carries("baseline")


@pytest.mark.parametrize(("expr", "seconds"), [
    ("model_live_accuracy < 0.8", 0),
    ("rate(x_total[5m]) > 0 and rate(x_total[1h]) > 0", 3600),
    ("max_over_time(rate(x_total[5m])[30m:1m])", 1800),
    ("rate(x_total[5m] offset 10m)", 900),
])
def test_longest_window(expr: str, seconds: int) -> None:
    assert promql.longest_window(promql.parse(expr)) == seconds


def test_parse_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        promql.parse("rate(x[5m]")


# Where the dashboards' former label analyser disagreed with lint's (a scalar on the left, one-to-one on(), a
# function whose first argument is the vector, group_right): Prometheus itself decides, through promtool.
LABEL_CASES = [  # expression, value at share=0.5 and total=2
    ("1 - share", 0.5),
    ("share / on(model_id) total", 0.25),
    ("sum by (feature) (share)", 0.5),
    ("sum(share)", 0.5),
    ("clamp_min(share, 0)", 0.5),
    ("total * on(model_id) group_right share", 1.0),
]


def test_result_labels_agree_with_prometheus(tmp_path) -> None:
    """Each expression is recorded by promtool over ``share{model_id, feature}`` and ``total{model_id}``; the series
    it produces must carry exactly the labels the analysis predicts (``carries`` included)."""
    import json
    import subprocess

    known = {"share": {"model_id", "feature"}, "total": {"model_id"}}
    values = {"model_id": "m", "feature": "f"}
    rules, tests = [], []
    for i, (expr, value) in enumerate(LABEL_CASES):
        labels = promql.result_labels(promql.parse(expr), lambda s: promql.LabelSet(frozenset(known[s.name]), True))
        assert labels.closed and ("feature" in labels.names) == promql.carries(expr, "feature", {"share"})
        rules.append({"record": f"r{i}", "expr": expr})
        text = ", ".join(f'{k}="{values[k]}"' for k in sorted(labels.names))
        tests.append({"expr": f"r{i}", "eval_time": "1m",
                      "exp_samples": [{"labels": f"r{i}{{{text}}}", "value": value}]})
    (tmp_path / "rules.yaml").write_text(json.dumps({"groups": [{"name": "g", "rules": rules}]}), encoding="utf-8")
    series = [{"series": 'share{model_id="m", feature="f"}', "values": "0.5x5"},
              {"series": 'total{model_id="m"}', "values": "2x5"}]
    (tmp_path / "test.yaml").write_text(json.dumps({
        "rule_files": ["rules.yaml"], "evaluation_interval": "1m",
        "tests": [{"interval": "1m", "input_series": series, "promql_expr_test": tests}]}), encoding="utf-8")
    result = subprocess.run(["promtool", "test", "rules", "test.yaml"], cwd=tmp_path, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
