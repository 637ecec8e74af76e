"""The coverage matrix's `test` mark reads promtool tests without their input series: the same alerts as reading
them whole, whatever the layout."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from aigen.lint import coverage
from tests.conftest import REPO

GROUP = """\
  - interval: 30s
    name: {name}
    input_series:{series}
    alert_rule_test:
      - eval_time: 5m
        alertname: {alert}
        exp_alerts:
          - exp_labels: {{severity: critical}}
      - eval_time: 1m
        alertname: Quiet
        exp_alerts: []
    promql_expr_test:
      - expr: count(ALERTS{{alertstate="firing", alertname="{query}"}})
        eval_time: 5m
        exp_samples: [{{labels: "{{}}", value: 1}}]
"""
LAYOUTS = {
    "indented": "\n      - series: 'x{a=\"b\"}'\n        values: 0+1x10\n\n      - series: y\n        values: 1 2 3",
    "indentless": ("\n    - series: 'x{a=\"b\"}'\n      values: 0+1x10\n"
                   "    - series: y\n      values: |-\n        1 2 3"),
    "flow": " [{series: 'x{a=\"b\"}', values: '0+1x10'}]",
    "empty": " []",
}


def _whole(folder: Path) -> frozenset[str]:
    names: set[str] = set()
    for path in sorted((folder / "tests").glob("*.yaml")):
        root = yaml.compose(path.read_text(encoding="utf-8"))
        for group in coverage._items(coverage._key(root, "tests")):
            names.update(coverage._firing(group))
    return frozenset(names)


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_each_layout_gives_the_alerts_of_a_whole_read(tmp_path: Path, layout: str) -> None:
    (tmp_path / "tests").mkdir()
    text = "rule_files: [../rules.yaml]\ntests:\n" + "".join(
        GROUP.format(name=f"g{i}", series=LAYOUTS[layout], alert=f"Fires{i}", query=f"Queried{i}") for i in range(2))
    (tmp_path / "tests" / "t.yaml").write_text(text, encoding="utf-8")
    expected = frozenset({"Fires0", "Fires1", "Queried0", "Queried1"})
    assert _whole(tmp_path) == expected
    assert coverage._read_tested_alerts(tmp_path) == expected


@pytest.mark.parametrize("model", ["content-moderation", "fraud-detection", "loan-approval"])
def test_generated_tests_give_the_alerts_of_a_whole_read(model: str) -> None:
    folder = REPO / "generated" / model
    found = coverage._read_tested_alerts(folder)
    assert found == _whole(folder)
    assert found and len(found) >= 10
