"""`not_applicable` in a model spec: an incident type waived with a reason, and what lint's coverage makes of it."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

from aigen.errors import Problem
from aigen.lint.build import build_context
from aigen.lint.coverage import render_matrix
from aigen.lint.rules import all_rules
from aigen.lint.runner import run as run_rules
from aigen.lint.settings import Settings
from tests.conftest import REPO
from tests.hostile.cases import KEY, new_project, run, string_fields

SPEC = """\
apiVersion: aigen/v1
kind: ModelSpec
model:
  id: fraud
  owner: fraud-ml
  oncall: fraud-oncall
  versions: {current: "2.3.0", known_good: "2.2.0"}
serving: {namespace: ai-production, deployment: fraud-server}
"""

# every type of the shipped taxonomy but bias_and_fairness_violation has an alert and a runbook naming model fraud
TYPES = ("model_performance_degradation", "data_pipeline_corruption", "adversarial_attack", "model_drift",
         "harmful_output", "resource_exhaustion")
FAIRNESS = "bias_and_fairness_violation"


def rules_for(types: tuple[str, ...]) -> str:
    alerts = [{"alert": f"A{i}", "expr": f'up{{model_id="fraud"}} == {i}',
               "labels": {"severity": "high", "incident_type": t, "model_id": "fraud"}} for i, t in enumerate(types)]
    runbooks = [{"runbook": {"name": t, "incident_type": t}} for t in (*TYPES, FAIRNESS)]
    return yaml.safe_dump_all([{"groups": [{"name": "ai", "rules": alerts}]}, *runbooks], sort_keys=False)


# the rule file is a bare skeleton (no annotations, runbooks without phases): only these rules judge it
JUDGES = ("yaml-syntax", "spec-valid", "coverage", "stale-waiver")
OTHERS = frozenset(r.ID for r in all_rules()) - set(JUDGES)
CONFIG = f"[lint]\ndisable = {sorted(OTHERS)!r}\n".replace("'", '"')


def lint(tmp_path: Path, spec: str, types: tuple[str, ...] = TYPES) -> tuple[list[Problem], str]:
    """Lint a folder holding the spec and a rule file (the pre-commit path): problems, and the coverage matrix."""
    folder = tmp_path / "repo"
    folder.mkdir()
    (folder / "fraud.yaml").write_text(spec, encoding="utf-8")
    (folder / "rules.yaml").write_text(rules_for(types), encoding="utf-8")
    from aigen.config import load_config

    ctx = build_context(load_config(tmp_path), [folder], Settings(disable=OTHERS), REPO / "specs" / "taxonomy.yaml")
    return run_rules(ctx, all_rules()), render_matrix(ctx)


def messages(problems: list[Problem], rule: str) -> list[str]:
    return [f"{Path(p.path).name}:{p.line}:{p.col}: {p.level} {p.message}" for p in problems if p.rule == rule]


# --- validation --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("entry", "expected"), [
    ("  harmful_output:\n", "fraud.yaml:10:18: not_applicable.harmful_output: the reason is missing: say why"),
    ("  harmful_output: ''\n", "fraud.yaml:10:19: not_applicable.harmful_output: the reason is blank: say why"),
    ('  harmful_output: "  \\t"\n', "fraud.yaml:10:19: not_applicable.harmful_output: the reason is blank"),
    ("  harmful_output: [no, reason]\n", "fraud.yaml:10:19: not_applicable.harmful_output: Input should be a"),
    ("  bias_and_fairnes_violation: no personal data\n",
     "fraud.yaml:10:3: not_applicable: 'bias_and_fairnes_violation' is not an incident type of the taxonomy; did you "
     "mean 'bias_and_fairness_violation'?"),
    ("  fairness: no personal data\n", "fraud.yaml:10:3: not_applicable: 'fairness' is not an incident type of the "
                                      "taxonomy"),
    ("  Harmful-Output: free text only\n", "fraud.yaml:10:3: not_applicable.Harmful-Output: must match "
                                          "^[a-z][a-z0-9_]{0,62}$ (an incident type of the taxonomy"),
])
def test_a_bad_waiver_is_refused_at_its_position(tmp_path, entry, expected):
    project = new_project(tmp_path)
    (project / "specs" / "models" / "fraud.yaml").write_text(SPEC + "not_applicable:\n" + entry, encoding="utf-8")
    outcome = run(project, "validate")
    assert outcome.code == 1
    assert any(line.startswith(f"specs/models/{expected}") for line in outcome.stderr.splitlines()), outcome.stderr


def test_a_waiver_with_a_reason_validates(tmp_path):
    project = new_project(tmp_path)
    (project / "specs" / "models" / "fraud.yaml").write_text(
        SPEC + f"not_applicable:\n  {FAIRNESS}: scores card transactions; no personal data\n", encoding="utf-8")
    assert run(project, "validate").code == 0


def test_the_hostile_corpus_attacks_the_waiver_key_and_reason():
    fields = string_fields()
    assert ("not_applicable", KEY) in fields
    assert any(f[0] == "not_applicable" and f[-1] != KEY for f in fields)


# --- coverage ------------------------------------------------------------------------------------------------------

WAIVED = SPEC + f"not_applicable:\n  {FAIRNESS}: \"scores card transactions;\\nno personal data\\u001b[31m\"\n"


def test_without_the_waiver_the_missing_fairness_alert_is_an_error(tmp_path):
    problems, matrix = lint(tmp_path, SPEC)
    assert messages(problems, "coverage") == [
        f"taxonomy.yaml:27:3: error no alert for incident type '{FAIRNESS}' (model fraud)"]
    assert "n/a" not in matrix


def test_a_waived_type_is_covered_and_shown_with_its_reason(tmp_path):
    problems, matrix = lint(tmp_path, WAIVED)
    assert messages(problems, "coverage") == []
    assert messages(problems, "stale-waiver") == []
    assert not [p for p in problems if p.level == "error"], problems
    row = next(line for line in matrix.splitlines() if line.startswith(FAIRNESS))
    assert row.split()[1:] == ["n/a"]
    # the reason is under the matrix, on one line, its control characters shown rather than sent to the terminal
    assert f"  fraud {FAIRNESS}: scores card transactions;\\u000ano personal data\\u001b[31m" in matrix.splitlines()
    assert "\x1b" not in matrix


def test_a_waiver_whose_type_gets_an_alert_is_a_stale_warning(tmp_path):
    problems, _ = lint(tmp_path, WAIVED, (*TYPES, FAIRNESS))
    assert messages(problems, "stale-waiver") == [
        f"fraud.yaml:10:3: warning model fraud declares incident type '{FAIRNESS}' not applicable, but alert A6 "
        f"names the model: delete the waiver (not_applicable) or the alert"]
    assert not [p for p in problems if p.level == "error"], problems


def test_lint_exit_codes_with_a_waiver(tmp_path, monkeypatch):
    """Through the command: a waived fleet passes; a stale waiver fails only --fail-on warning; a waiver of an
    unknown type is an error (spec-valid) and leaves the model's fairness cell uncovered."""
    from aigen.commands.lint import run as lint_command

    folder = tmp_path / "repo"
    folder.mkdir()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "aigen.toml").write_text(CONFIG, encoding="utf-8")
    spec, rules = folder / "fraud.yaml", folder / "rules.yaml"
    taxonomy = REPO / "specs" / "taxonomy.yaml"
    spec.write_text(WAIVED, encoding="utf-8")
    rules.write_text(rules_for(TYPES), encoding="utf-8")
    assert lint_command([folder], taxonomy) == 0
    rules.write_text(rules_for((*TYPES, FAIRNESS)), encoding="utf-8")
    assert lint_command([folder], taxonomy) == 0
    assert lint_command([folder], taxonomy, fail_on="warning") == 1
    spec.write_text(SPEC + "not_applicable:\n  bias_and_fairnes_violation: no personal data\n", encoding="utf-8")
    rules.write_text(rules_for(TYPES), encoding="utf-8")
    assert lint_command([folder], taxonomy) == 1


def test_a_generated_alert_makes_the_waiver_stale_when_linting_the_spec_alone(tmp_path):
    """The pre-commit path: a spec that gained protected groups generates fairness alerts its waiver denies."""
    folder = tmp_path / "repo"
    folder.mkdir()
    spec = SPEC + ("groups:\n  - {attribute: sex, values: [female, male], reference: male}\n"
                   f"not_applicable:\n  {FAIRNESS}: no personal data\n")
    (folder / "fraud.yaml").write_text(spec, encoding="utf-8")
    from aigen.config import load_config

    ctx = build_context(load_config(tmp_path), [folder / "fraud.yaml"], Settings(), REPO / "specs" / "taxonomy.yaml")
    found = messages(run_rules(ctx, all_rules()), "stale-waiver")
    assert len(found) == 1 and found[0].startswith(f"fraud.yaml:12:3: warning model fraud declares incident type "
                                                   f"'{FAIRNESS}' not applicable, but the spec generates alert ")
    assert "disabled_detectors: [fairness_" in found[0]


# --- the fleet ------------------------------------------------------------------------------------------------------

def test_fleet_models_without_protected_attributes_waive_fairness():
    sys.path.insert(0, str(REPO / "bench"))
    import fleet

    examples = fleet._examples()
    for i in range(10):
        _, spec, _ = fleet.model(i, examples)
        if spec["groups"]:
            assert "not_applicable" not in spec
        else:
            assert spec["not_applicable"] == {FAIRNESS: fleet.NO_GROUPS_REASON}


def test_the_json_schema_says_what_validation_says():
    """Editors validate with generated/schemas/modelspec.schema.json: it refuses what validate refuses."""
    import json

    import jsonschema

    from aigen.schemas import json_schema

    validator = jsonschema.Draft202012Validator(json.loads(json.dumps(json_schema("spec"))))
    spec = yaml.safe_load(SPEC)
    assert not list(validator.iter_errors({**spec, "not_applicable": {FAIRNESS: "no personal data"}}))
    for bad in ({FAIRNESS: ""}, {FAIRNESS: " \t\n"}, {FAIRNESS: None}, {"Bias-Fairness": "no personal data"}):
        assert list(validator.iter_errors({**spec, "not_applicable": bad})), bad


def test_the_waiver_key_has_the_taxonomy_name_form():
    from aigen.spec import INCIDENT_TYPE
    from aigen.taxonomy import NAME

    assert INCIDENT_TYPE == NAME


def test_linting_rule_files_alone_reads_the_waiver_from_the_projects_spec(tmp_path, monkeypatch):
    """A pre-commit run on a rule file: the model's spec is found at <specs>/<model_id>.yaml, its waiver honoured,
    and a stale one reported at its key there."""
    from aigen.commands.lint import run as lint_command

    project = new_project(tmp_path)
    (project / "aigen.toml").write_text(CONFIG, encoding="utf-8")
    (project / "specs" / "models" / "fraud.yaml").write_text(WAIVED, encoding="utf-8")
    rules = project / "rules" / "fraud.yaml"
    rules.parent.mkdir()
    monkeypatch.chdir(project)
    rules.write_text(rules_for(TYPES), encoding="utf-8")
    assert lint_command([rules.parent]) == 0
    rules.write_text(rules_for((*TYPES, FAIRNESS)), encoding="utf-8")
    from aigen.config import load_config

    ctx = build_context(load_config(project), [rules.parent], Settings(disable=OTHERS))
    problems = run_rules(ctx, all_rules())
    assert messages(problems, "stale-waiver") == [
        f"fraud.yaml:10:3: warning model fraud declares incident type '{FAIRNESS}' not applicable, but alert A6 "
        f"names the model: delete the waiver (not_applicable) or the alert"]
    assert [p.path for p in problems if p.rule == "stale-waiver"] == ["specs/models/fraud.yaml"]
