"""Project-level lint rules that read rendered output: promtool tests per alert, dashboards per alert."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def rendered(project, aigen):
    result = aigen("render", cwd=project)
    assert result.returncode == 0, result.stderr
    return project


def test_rendered_project_lints_clean(rendered, aigen):
    result = aigen("lint", "--fail-on", "warning", cwd=rendered)
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_alert_whose_tests_are_gone_fails_lint(rendered, aigen):
    (rendered / "generated" / "fraud-detection" / "tests" / "AIModelLatencyHigh.yaml").unlink()  # healthy.yaml still names it
    result = aigen("lint", "generated/fraud-detection", cwd=rendered)
    assert result.returncode == 1
    assert "alert-tested alert AIModelLatencyHigh has no promtool test that expects it to fire" in result.stdout
    assert "AIModelAccuracyDegraded has no promtool test" not in result.stdout


def test_coverage_matrix_marks_promtool_tests(rendered, aigen):
    result = aigen("lint", "--coverage", cwd=rendered)
    assert "test" in result.stdout


def test_a_dashboard_missing_an_alert_panel_fails_lint(rendered, aigen):
    path = rendered / "generated" / "fraud-detection" / "dashboard.json"
    dashboard = json.loads(path.read_text())
    before = len(dashboard["panels"])
    dashboard["panels"] = [p for p in dashboard["panels"] if "AIModelLatencyHigh" not in json.dumps(p)]
    assert len(dashboard["panels"]) < before
    path.write_text(json.dumps(dashboard, indent=2))
    result = aigen("lint", "--format", "json", cwd=rendered)
    assert result.returncode == 1
    problems = json.loads(result.stdout)
    items = problems if isinstance(problems, list) else problems.get("problems", [])
    dash = [p for p in items if p.get("rule") == "dashboard"]
    assert dash and any("AIModelLatencyHigh" in p["message"] for p in dash), dash


def test_series_budget_setting_drives_the_cardinality_rule(rendered, aigen):
    (rendered / "aigen.toml").write_text("[lint]\nseries_budget = 50\n")
    result = aigen("lint", "specs/models/loan-approval.yaml", cwd=rendered)
    assert "warning cardinality model loan-approval costs about" in result.stdout
    assert "over the budget of 50" in result.stdout
    assert result.returncode == 0  # a warning; --fail-on warning makes it fail
    assert aigen("lint", "--fail-on", "warning", "specs/models/loan-approval.yaml", cwd=rendered).returncode == 1
    (rendered / "aigen.toml").write_text("[lint]\nseries_budget = \"lots\"\n")
    bad = aigen("lint", "specs/models/loan-approval.yaml", cwd=rendered)
    assert bad.returncode == 2 and "series_budget" in bad.stderr
