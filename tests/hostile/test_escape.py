"""aigen/escape.py against the real consumers: promtool expands each Go-template literal and unquotes each PromQL
string back to the hostile value, and PyYAML reads each YAML scalar back to it."""

from __future__ import annotations

import html
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from aigen.escape import go_template_literal, markdown_literal, promql_string, shell_word, yaml_scalar
from tests.hostile.cases import CORPUS

# Prometheus keeps label values as UTF-8 strings; it refuses none of these, but a value with NUL cannot travel
# through a YAML test file unescaped, so all of the corpus is written with PyYAML's escapes.
VALUES = dict(CORPUS)


def _alert(index: int, value: str) -> dict:
    """An always-firing alert whose label comes through a PromQL string and whose annotation and rule label come
    through the Go-template literal, each followed by a real template action so the escape has neighbours."""
    return {
        "alert": f"Case{index}",
        "expr": f"absent(no_such_series{{promql={promql_string(value)}}})",  # absent() returns the matcher's label
        "labels": {"templated": go_template_literal(value)},
        "annotations": {"text": go_template_literal(value) + "{{ $value }}",
                        "between": "{{ $labels.promql | len }}" + go_template_literal(value)},
    }


def _expected(index: int, value: str) -> dict:
    return {"alertname": f"Case{index}",
            "exp_alerts": [{"exp_labels": {"promql": value, "templated": value},
                            "exp_annotations": {"text": value + "1", "between": f"{len(value.encode())}{value}"}}]}


def test_promtool_expands_and_unquotes_every_hostile_value_to_itself(tmp_path: Path):
    """One rule file and one promtool test run for the whole corpus: a value that leaks a template action or breaks
    out of the PromQL string fails the check or changes the expected label/annotation."""
    values = [v for v in VALUES.values() if v]  # Prometheus drops a label whose value is empty
    rules = {"groups": [{"name": "escape", "rules": [_alert(i, v) for i, v in enumerate(values)]}]}
    test = {"rule_files": ["rules.yaml"], "evaluation_interval": "1m",
            "tests": [{"interval": "1m", "input_series": [],
                       "alert_rule_test": [dict(eval_time="1m", **_expected(i, v)) for i, v in enumerate(values)]}]}
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump(rules, allow_unicode=True, width=float("inf")), "utf-8")
    (tmp_path / "test.yaml").write_text(yaml.safe_dump(test, allow_unicode=True, width=float("inf")), "utf-8")
    done = subprocess.run(["promtool", "test", "rules", "test.yaml"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]


def test_the_unescaped_template_is_expanded_so_the_check_above_can_fail(tmp_path: Path):
    rules = {"groups": [{"name": "g", "rules": [{"alert": "A", "expr": "vector(7)",
                                                  "annotations": {"text": "{{ $value }}"}}]}]}
    test = {"rule_files": ["rules.yaml"], "tests": [{"input_series": [], "alert_rule_test": [
        {"eval_time": "0m", "alertname": "A", "exp_alerts": [{"exp_annotations": {"text": "{{ $value }}"}}]}]}]}
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump(rules), "utf-8")
    (tmp_path / "test.yaml").write_text(yaml.safe_dump(test), "utf-8")
    done = subprocess.run(["promtool", "test", "rules", "test.yaml"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 1 and 'Annotations:{text="7"}' in done.stdout + done.stderr


@pytest.mark.parametrize("name", sorted(VALUES))
def test_yaml_scalar_reads_back_as_the_value_on_one_line(name: str):
    value = VALUES[name]
    scalar = yaml_scalar(value)
    assert "\n" not in scalar  # it is interpolated into an indented template line
    assert yaml.safe_load(f"outer:\n  key: {scalar}\n") == {"outer": {"key": value}}


@pytest.mark.parametrize("name", sorted(VALUES))
def test_shell_word_is_one_word_with_the_value(name: str):
    value = VALUES[name]
    if "\0" in value:  # no shell argument can hold NUL; identifiers and URLs, the only words, never do
        return
    done = subprocess.run(["sh", "-c", f"printf %s {shell_word(value)}"], capture_output=True, timeout=30)
    assert done.stdout.decode("utf-8", "surrogateescape") == value


GRAFANA_VARIABLE = re.compile(r"\$(\w+|\{[^}]*\})|\[\[\w+\]\]")
"""What Grafana's template service substitutes in a text panel: ``$var``, ``${var}``, ``${var:fmt}``, ``[[var]]``."""
MARKDOWN_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
"""CommonMark's backslash escape: any ASCII punctuation."""


@pytest.mark.parametrize("name", sorted(VALUES))
def test_markdown_literal_leaves_nothing_for_grafana_or_markdown_to_interpret(name: str) -> None:
    text = markdown_literal(VALUES[name])
    assert not GRAFANA_VARIABLE.search(text), "a template variable survived"
    assert not re.search(r"<[a-zA-Z/!]", text), "raw HTML survived"
    assert "\n" not in text, "a line break could start a heading, a list or a table"
    unescaped = html.unescape(MARKDOWN_ESCAPE.sub(r"\1", text))
    assert unescaped == " ".join(VALUES[name].split())
