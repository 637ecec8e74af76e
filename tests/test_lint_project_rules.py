"""Project-level lint rules that read rendered output: promtool tests per alert, dashboards per alert."""

from __future__ import annotations

import json
from pathlib import Path

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
    # healthy.yaml still names it
    (rendered / "generated" / "fraud-detection" / "tests" / "AIModelLatencyHigh.yaml").unlink()
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


def test_manifests_are_checked_by_kubeconform_when_it_is_on_path(rendered, aigen, tmp_path):
    """kubeconform is not packaged for Debian, so a stand-in proves the subprocess contract: aigen passes the
    manifests with the shipped schema as -schema-location and reports what kubeconform finds invalid."""
    import os

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls.txt"
    fake = bin_dir / "kubeconform"
    fake.write_text("#!/bin/sh\n"
                    f"printf '%s\\n' \"$@\" > {calls}\n"
                    "for last; do :; done\n"
                    "printf '{\"resources\": [{\"filename\": \"%s\", \"kind\": \"PrometheusRule\", '"
                    "'\"version\": \"monitoring.coreos.com/v1\", \"status\": \"INVALID\", '"
                    "'\"msg\": \"problem validating schema\"}]}\\n' \"$last\"\n"
                    "exit 1\n")
    fake.chmod(0o755)
    env = {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    result = aigen("lint", "generated/fraud-detection/prometheusrule.yaml", cwd=rendered, env=env)
    assert result.returncode == 1
    assert "manifest-schema kubeconform: PrometheusRule invalid: problem validating schema" in result.stdout
    args = calls.read_text().split("\n")
    assert "-strict" in args and "json" in args
    location = args[args.index("-schema-location") + 1]
    schema = location.replace("{{.Group}}", "monitoring.coreos.com").replace(
        "{{.ResourceKind}}_{{.ResourceAPIVersion}}", "prometheusrule_v1")
    # the shipped schema, where kubeconform looks
    assert json.loads(Path(schema).read_text(encoding="utf-8"))["properties"]["spec"]
    assert args[-2].endswith("generated/fraud-detection/prometheusrule.yaml")
    # without kubeconform on PATH, the schema check alone passes the generated manifest
    plain = aigen("lint", "generated/fraud-detection/prometheusrule.yaml", cwd=rendered)
    assert "manifest-schema" not in plain.stdout
