"""The rule structure that keeps the generated rules cheap for Prometheus (docs/performance.md): every raw counter
is read once per model and window, records only read records evaluated before them, and long lists of constants
are or'ed as a balanced tree. The numbers they compute are proved in tests/test_drift_fairness.py."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from aigen.commands.common import project_and_plans
from aigen.config import load_config
from aigen.detectors import Record
from aigen.detectors.drift import OR_RUN, constant_series
from aigen.plan import ModelPlan
from aigen.yamlout import dump
from tests.conftest import REPO

RECORD = re.compile(r"\baigen:[A-Za-z0-9_:]+")
RAW_READ = re.compile(r"\b(model_feature_bin_total|model_predictions_total)\{[^}]*\}\[(\w+)\]")


@pytest.fixture(scope="module")
def plans() -> list[ModelPlan]:
    project, plans = project_and_plans(config=load_config(REPO))
    assert not project.problems
    return plans


def test_each_raw_counter_is_read_once_per_model_and_window(plans: list[ModelPlan]) -> None:
    for plan in plans:
        reads: dict[tuple[str, str], int] = {}
        for record in plan.records:
            for metric, window in RAW_READ.findall(record.expr):
                reads[metric, window] = reads.get((metric, window), 0) + 1
        assert reads, plan.model_id
        assert all(n == 1 for n in reads.values()), (plan.model_id, reads)
        # the drift and null-surge alerts read the records, never the bin counters themselves (other alerts read
        # model_predictions_total over their own windows)
        assert not any("model_feature_bin_total" in a.alert.expr for a in plan.alerts), plan.model_id


def test_records_only_read_records_evaluated_before_them(plans: list[ModelPlan]) -> None:
    """A record that read one evaluated later in its group would see the previous evaluation's value: every
    signal 30 s late. Constants (the baselines group) may be read from anywhere."""
    for plan in plans:
        constants = {r.record for r in plan.records if r.constant}
        known = set(constants)
        for group in plan.groups:
            for rule in group.rules:
                expr = rule.expr if isinstance(rule, Record) else rule.alert.expr
                used = set(RECORD.findall(expr))
                assert used <= known, (plan.model_id, group.name, sorted(used - known))
                if isinstance(rule, Record):
                    known.add(rule.record)


def _depth(expr: str) -> int:
    deepest = level = 0
    for char in expr:
        level += char == "("
        level -= char == ")"
        deepest = max(deepest, level)
    return deepest


def test_long_constant_lists_are_a_balanced_or_tree() -> None:
    short = constant_series("feature", [(f"f{i}", i) for i in range(OR_RUN)])
    assert "(\n" not in short and short.count("\nor ") == OR_RUN - 1
    wide = constant_series("feature", [(f"f{i}", i) for i in range(200)])
    assert wide.count("label_replace(") == 200
    # 200 constants in runs of at most OR_RUN: a tree 5 levels deep (each level adds one pair of parentheses
    # around the label_replace(vector(..)) nesting of 2), not a chain 199 deep
    assert _depth(wide) <= 2 + 5, _depth(wide)


def test_a_balanced_constant_tree_yields_every_constant_once(tmp_path: Path) -> None:
    values = [(f"f{i}", i / 4) for i in range(37)] + [('we"ird $1', 9.5)]
    rules = {"groups": [{"name": "c", "rules": [{"record": "c", "expr": constant_series("feature", values)}]}]}
    (tmp_path / "rules.yaml").write_text(dump(rules), encoding="utf-8")
    test = {"rule_files": ["rules.yaml"], "evaluation_interval": "1m", "tests": [{
        "interval": "1m", "input_series": [],
        "promql_expr_test": [{"expr": "c", "eval_time": "1m", "exp_samples": [
            {"labels": "c{feature=" + _quoted(name) + "}", "value": value} for name, value in values]}]}]}
    (tmp_path / "test.yaml").write_text(dump(test), encoding="utf-8")
    proc = subprocess.run(["promtool", "test", "rules", "test.yaml"], cwd=tmp_path, capture_output=True, text=True,
                          check=False, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
