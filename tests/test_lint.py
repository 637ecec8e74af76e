"""`aigen lint` and `aigen rules` end to end: the seed's hand-written artifacts, the generated output in every
format (SARIF validated against the 2.1.0 schema), configuration, inline suppression, exit codes."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import run_aigen

FIXTURES = Path(__file__).parent / "fixtures"
SEED = FIXTURES / "seed"


@pytest.fixture
def seed(tmp_path: Path) -> Path:
    """The design document's own PrometheusRule, runbook and taxonomy, as a hand-written repository."""
    shutil.copytree(SEED, tmp_path / "seed")
    return tmp_path / "seed"


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example specs rendered once into a throwaway project (module scope: rendering takes seconds)."""
    root = tmp_path_factory.mktemp("rendered")
    shutil.copytree(Path(__file__).parent.parent / "specs", root / "specs")
    (root / "aigen.toml").write_text("", encoding="utf-8")
    result = run_aigen("render", cwd=root)
    assert result.returncode == 0, result.stderr
    return root


def lint_seed(seed: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_aigen("lint", "--taxonomy", "ai-incident-taxonomy.yaml", "prometheus-rules-ai-incidents.yaml",
                     "runbook-performance-degradation.yaml", *extra, cwd=seed)


def test_seed_artifacts_report_what_the_taxonomy_misses(seed: Path) -> None:
    result = lint_seed(seed)
    out = result.stdout
    assert result.returncode == 1, result.stderr
    assert "coverage no alert for incident type 'bias_and_fairness_violation'" in out
    assert "coverage no alert for incident type 'resource_exhaustion'" in out
    assert len(re.findall(r"coverage no runbook for incident type", out)) == 6
    assert re.search(r"prometheus-rules-ai-incidents.yaml:22:\d+: error template-labels .*\$labels\.baseline", out)
    assert re.search(r"prometheus-rules-ai-incidents.yaml:17:\d+: error detection-latency AIModelPerformanceDegraded "
                     r"fires at worst 16m .* high detection budget of 15m", out)


def test_seed_text_format_is_path_line_col_level_rule_message(seed: Path) -> None:
    for line in lint_seed(seed).stdout.splitlines():
        assert re.match(r"^[^:]+:\d+:\d+: (error|warning|info) [a-z-]+ \S", line), line


def test_seed_runbook_problems(seed: Path) -> None:
    out = lint_seed(seed).stdout
    assert "runbook-rollback containment step 'If active harm, activate kill switch' has no rollback" in out
    assert "runbook-placeholder unfilled placeholder MODEL_PREVIOUS_VERSION" in out
    assert "runbook-placeholder unfilled placeholder INC-XXXX" in out
    assert "OPERATOR_EMAIL" not in out  # a declared operator input, not a placeholder
    assert "runbook-target rolls back to MODEL_PREVIOUS_VERSION" in out


def test_seed_coverage_matrix(seed: Path) -> None:
    result = lint_seed(seed, "--coverage")
    assert re.search(r"model_performance_degradation\s+A R\n", result.stdout)
    assert re.search(r"bias_and_fairness_violation\s+\. \.\n", result.stdout)


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif"])
def test_generated_output_lints_clean_in_every_format(rendered: Path, fmt: str) -> None:
    # text lints the project (with the render comparison); the others the same files named as paths (faster)
    paths = [] if fmt == "text" else ["specs", "generated"]
    result = run_aigen("lint", "--format", fmt, "--fail-on", "warning", *paths, cwd=rendered)
    assert result.returncode == 0, result.stdout + result.stderr
    if fmt == "json":
        assert json.loads(result.stdout) == []
    if fmt == "sarif":
        validate_sarif(result.stdout)


def validate_sarif(text: str) -> dict:
    schema = json.loads((FIXTURES / "sarif" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    doc = json.loads(text)
    jsonschema.Draft4Validator(schema).validate(doc)
    return doc


def test_sarif_with_findings_validates_and_locates(seed: Path) -> None:
    doc = validate_sarif(lint_seed(seed, "--format", "sarif").stdout)
    run = doc["runs"][0]
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    latency = [r for r in run["results"] if r["ruleId"] == "detection-latency"]
    assert latency and rules[latency[0]["ruleIndex"]] == "detection-latency"
    region = latency[0]["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == 17


def test_github_format_annotates(seed: Path) -> None:
    out = lint_seed(seed, "--format", "github").stdout
    assert "::error file=prometheus-rules-ai-incidents.yaml,line=17,col=16,title=detection-latency::" in out


def test_json_format(seed: Path) -> None:
    data = json.loads(lint_seed(seed, "--format", "json").stdout)
    assert {"path", "line", "col", "level", "rule", "message"} == set(data[0])


def test_project_lint_reports_generated_out_of_step(rendered: Path, tmp_path: Path) -> None:
    project = tmp_path / "p"
    shutil.copytree(rendered, project)
    rules = project / "generated" / "loan-approval" / "rules.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("for: 1m", "for: 2m", 1), encoding="utf-8")
    result = run_aigen("lint", cwd=project)
    assert result.returncode == 1
    assert "generated/loan-approval/rules.yaml: error generated-in-step" in result.stdout


def _generated_in_step(project: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], list[str]]:
    """The generated-in-step problems of a project lint (``path: message``), and the models it had to render."""
    from aigen import writer
    from aigen.config import load_config
    from aigen.lint import rules
    from aigen.lint.build import build_context
    from aigen.lint.settings import Settings

    rendered_ids: list[str] = []
    real = writer.render_models

    def spy(plans, env, jobs=None):
        rendered_ids.extend(p.model_id for p in plans)
        return real(plans, env, jobs=1)

    monkeypatch.setattr(writer, "render_models", spy)
    monkeypatch.chdir(project)
    ctx = build_context(load_config(project), [], Settings())
    rule = rules.by_id()["generated-in-step"]
    return [f"{p.path}: {p.message}" for p in rule.check(ctx)], rendered_ids


def test_generated_in_step_renders_nothing_when_fingerprints_and_files_match(
        rendered: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "p"
    shutil.copytree(rendered, project)
    assert _generated_in_step(project, monkeypatch) == ([], [])


def test_generated_in_step_tells_a_hand_edit_from_a_changed_spec(
        rendered: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "p"
    shutil.copytree(rendered, project)
    rules = project / "generated" / "loan-approval" / "rules.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("for: 1m", "for: 2m", 1), encoding="utf-8")
    problems, rendered_ids = _generated_in_step(project, monkeypatch)
    assert rendered_ids == ["loan-approval"]  # its fingerprint matches, but a file does not: only it is rendered
    assert problems == ["generated/loan-approval/rules.yaml: was edited by hand since `aigen render` wrote it (the "
                        "edit belongs in the spec or a template): run `aigen render`"]

    shutil.rmtree(project)
    shutil.copytree(rendered, project)
    spec = project / "specs" / "models" / "fraud-detection.yaml"
    text = spec.read_text(encoding="utf-8")
    assert "accuracy_drop: 0.10" in text
    spec.write_text(text.replace("accuracy_drop: 0.10", "accuracy_drop: 0.12", 1), encoding="utf-8")
    problems, rendered_ids = _generated_in_step(project, monkeypatch)
    assert rendered_ids == ["fraud-detection"]  # its fingerprint differs: only it is rendered
    assert any(p.startswith("generated/fraud-detection/rules.yaml: ") for p in problems), problems
    assert not any(p.startswith(("generated/loan-approval/", "generated/content-moderation/")) for p in problems)
    assert all("(a spec, profile, taxonomy or template changed): run `aigen render`" in p for p in problems)


def test_lint_one_spec_and_a_generated_model_folder(rendered: Path) -> None:
    assert run_aigen("lint", "specs/models/loan-approval.yaml", cwd=rendered).returncode == 0
    result = run_aigen("lint", "generated/fraud-detection/rules.yaml", cwd=rendered)
    assert result.returncode == 0, result.stdout  # runbooks found through runbook_url, the override through the spec


def test_invalid_spec_is_reported_located(rendered: Path, tmp_path: Path) -> None:
    spec = tmp_path / "loan-approval.yaml"
    text = (rendered / "specs" / "models" / "loan-approval.yaml").read_text(encoding="utf-8")
    spec.write_text(text.replace("accuracy_drop: 0.08", "acuracy_drop: 0.08"), encoding="utf-8")
    result = run_aigen("lint", str(spec), cwd=rendered)
    assert result.returncode == 1
    assert re.search(r"loan-approval.yaml:\d+:\d+: error spec-valid thresholds.acuracy_drop: unknown key",
                     result.stdout)


def test_config_disables_and_changes_levels(seed: Path) -> None:
    (seed / "aigen.toml").write_text('[lint]\ndisable = ["coverage"]\nlevels = { detection-latency = "warning" }\n',
                                     encoding="utf-8")
    out = lint_seed(seed).stdout
    assert " coverage " not in out
    assert "warning detection-latency" in out


def test_pyproject_section_is_read(seed: Path) -> None:
    (seed / "pyproject.toml").write_text('[tool.aigen.lint]\ndisable = ["coverage", "runbook-url", "template-labels",'
                                         ' "detection-latency", "runbook-placeholder", "runbook-rollback",'
                                         ' "runbook-target"]\n', encoding="utf-8")
    result = lint_seed(seed)
    assert result.returncode == 0, result.stdout


def test_bad_config_is_a_usage_error(seed: Path) -> None:
    (seed / "aigen.toml").write_text('[lint]\ndisable = ["no-such-rule"]\n', encoding="utf-8")
    result = lint_seed(seed)
    assert result.returncode == 2
    assert "unknown rule 'no-such-rule'" in result.stderr


def test_inline_suppression_on_the_line_or_the_line_above(seed: Path) -> None:
    path = seed / "prometheus-rules-ai-incidents.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[16] += "  # aigen: disable=detection-latency"  # line 17, the first `for: 15m`
    lines.insert(21, "          # aigen: disable=template-labels,runbook-url")  # above the baseline summary
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = lint_seed(seed).stdout
    assert "AIModelPerformanceDegraded fires at worst" not in out
    assert "$labels.baseline" not in out
    assert "AIModelConfidenceAnomaly fires at worst" in out


def test_fail_on_warning(tmp_path: Path) -> None:
    (tmp_path / "aigen.toml").write_text('[lint]\ndisable = ["coverage", "runbook-url"]\n', encoding="utf-8")
    rules = tmp_path / "rules.yaml"
    rules.write_text("groups:\n  - name: ai\n    rules:\n      - alert: A\n"
                     "        expr: rate(model_live_accuracy[5m]) < 0\n"
                     "        labels: {severity: medium, incident_type: model_drift}\n"
                     "        annotations: {summary: s, runbook_url: https://x/model-drift}\n"
                     "---\nrunbook: {incident_type: model_drift, triage: {steps: [a]}, containment: {steps: "
                     "[{command: c, rollback: r}]}, investigation: {steps: [a]}, resolution: {steps: [a]}}\n",
                     encoding="utf-8")
    lenient = run_aigen("lint", "rules.yaml", cwd=tmp_path)
    assert "warning promql-counter" in lenient.stdout
    assert lenient.returncode == 0, lenient.stdout
    assert run_aigen("lint", "--fail-on", "warning", "rules.yaml", cwd=tmp_path).returncode == 1


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    (tmp_path / "aigen.toml").write_text("", encoding="utf-8")
    missing = run_aigen("lint", "nope.yaml", cwd=tmp_path)
    assert missing.returncode == 2 and "nope.yaml: no such file or directory" in missing.stderr
    assert run_aigen("lint", "--format", "xml", cwd=tmp_path).returncode == 2
    assert run_aigen("lint", "--taxonomy", "none.yaml", ".", cwd=tmp_path).returncode == 2


def test_invalid_yaml_is_a_finding_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "aigen.toml").write_text("", encoding="utf-8")
    (tmp_path / "bad.yaml").write_text("groups:\n  - name: [\n", encoding="utf-8")
    result = run_aigen("lint", "bad.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert re.match(r"bad.yaml:\d+:\d+: error yaml-syntax invalid YAML", result.stdout)
    assert "Traceback" not in result.stderr


def test_rules_command(tmp_path: Path) -> None:
    listing = run_aigen("rules", cwd=tmp_path)
    assert listing.returncode == 0
    assert re.search(r"^detection-latency\s+error\s+The worst-case", listing.stdout, re.MULTILINE)
    doc = run_aigen("rules", "kill-switch", cwd=tmp_path)
    assert doc.returncode == 0 and "Passing:" in doc.stdout and "Failing:" in doc.stdout
    unknown = run_aigen("rules", "kill-swich", cwd=tmp_path)
    assert unknown.returncode == 2 and "did you mean 'kill-switch'" in unknown.stderr


def test_every_rule_documents_a_passing_and_a_failing_example() -> None:
    from aigen.lint.rules import all_rules, examples

    for rule in all_rules():
        kinds = [kind for kind, _ in examples(rule)]
        assert "pass" in kinds and "fail" in kinds, rule.ID
        assert rule.LEVEL in ("error", "warning", "info")


# What the pre-commit path (`aigen lint <one spec>`) must not import: rendering, templates, schemas of other
# documents, the PromQL parser (no rule file is linted), the promtool-test reader, and the rest of aigen's commands.
PRE_COMMIT_NEVER = ("jinja2", "jsonschema", "numpy", "ruamel", "promql_parser", "subprocess", "aigen.promql",
                    "aigen.contract", "aigen.lint.coverage", "aigen.lint.links", "aigen.render", "aigen.writer",
                    "aigen.dashboards", "aigen.proof", "aigen.incidents", "aigen.sample", "aigen.commands.common")


def lint_modules(repo: Path, *args: str) -> tuple[int, set[str]]:
    """Exit code and sys.modules of `aigen lint ARGS` run through the CLI entry point in a fresh interpreter."""
    code = (f"import json, sys; sys.argv = ['aigen', 'lint', *{list(args)!r}]\n"
            "from aigen.cli import main\ntry:\n    main()\nexcept SystemExit as exc:\n    code = exc.code\n"
            "print(json.dumps([code, sorted(sys.modules)]))")
    result = subprocess.run([sys.executable, "-c", code], cwd=repo, capture_output=True, text=True, timeout=60)
    exit_code, modules = json.loads(result.stdout.strip().splitlines()[-1])
    return exit_code, set(modules)


def test_lint_one_spec_imports_only_what_it_needs(repo: Path) -> None:
    code, modules = lint_modules(repo, "specs/models/loan-approval.yaml")
    assert code == 0
    # the path ran to the end: the spec was validated, planned for the cardinality rule and reported
    assert {"aigen.spec", "aigen.plan", "aigen.lint.rules.cardinality", "aigen.lint.reporters"} <= modules
    heavy = {m for m in modules for never in PRE_COMMIT_NEVER if m == never or m.startswith(never + ".")}
    assert not heavy, f"the one-spec lint imported {sorted(heavy)}: import them where they are used"


def test_operator_inputs_match_the_runbook_renderer() -> None:
    from aigen.lint.settings import OPERATOR_INPUTS
    from aigen.render.runbooks import OPERATOR_INPUTS as RENDERED

    assert tuple(OPERATOR_INPUTS) == tuple(RENDERED)


def test_docs_list_every_rule(repo: Path) -> None:
    from aigen.lint.rules import all_rules, summary

    text = (repo / "docs" / "lint.md").read_text(encoding="utf-8")
    for rule in all_rules():
        assert f"| `{rule.ID}` | {rule.LEVEL} | {summary(rule)} |" in text, rule.ID


def test_promtool_tests_are_read_once_per_model_however_large_the_fleet(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The coverage matrix asks once per incident type and alert-tested once per alert: past any bounded cache's
    size (it was 64 folders), re-reading would make lint grow faster than the fleet."""
    from types import SimpleNamespace

    from aigen.lint import coverage

    folders = []
    for i in range(80):
        tests = tmp_path / f"model-{i:02d}" / "tests"
        tests.mkdir(parents=True)
        (tests / "t.yaml").write_text(
            "rule_files: [../rules.yaml]\ntests:\n  - interval: 1m\n    input_series: []\n    alert_rule_test:\n"
            f"      - {{eval_time: 5m, alertname: Fires{i}, exp_alerts: [{{exp_labels: {{}}}}]}}\n"
            "      - {eval_time: 5m, alertname: Silent, exp_alerts: []}\n", encoding="utf-8")
        folders.append(tests.parent)
    reads: list[Path] = []
    real = coverage._read_tested_alerts
    monkeypatch.setattr(coverage, "_read_tested_alerts", lambda folder: reads.append(folder) or real(folder))
    ctx = SimpleNamespace(memo={})
    for _ in range(7):  # one pass per incident type
        for i, folder in enumerate(folders):
            assert coverage.tested_alerts(ctx, folder) == frozenset({f"Fires{i}"})
    assert len(reads) == len(folders)


def test_a_promtool_test_past_the_yaml_size_limit_is_recognised_not_refused(tmp_path: Path) -> None:
    """A wide model's generated promtool tests run to megabytes, past the limit that guards reading a user's YAML:
    lint recognises them from their head and leaves them to the coverage reader; a rules file that large is still
    refused with the located size message."""
    folder = tmp_path / "tests"
    folder.mkdir()
    series = " ".join(str(i) for i in range(300_000))
    (folder / "healthy-1000.yaml").write_text(
        f"# Generated by aigen\nrule_files:\n  - ../rules.yaml\ntests:\n  - input_series:\n"
        f"      - series: 'x{{a=\"b\"}}'\n        values: {series}\n", encoding="utf-8")
    (folder / "big-rules.yaml").write_text(f"groups:\n  - name: g\n    rules: []\n# {series}\n", encoding="utf-8")
    result = run_aigen("lint", str(folder), cwd=tmp_path)
    assert "healthy-1000.yaml" not in result.stdout + result.stderr
    assert re.search(r"big-rules\.yaml: error yaml-syntax file is [\d.]+ MB", result.stdout), result.stdout
