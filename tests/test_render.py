"""`aigen render`: rules promtool accepts, manifests the CRD schema accepts, deterministic bytes, safe writes."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

from aigen import writer
from aigen.config import load_config
from aigen.render import RenderEnv, render_all
from aigen.templating import environment
from tests.conftest import REPO

CRD_SCHEMA = REPO.parent / "shared" / "schemas" / "monitoring.coreos.com" / "prometheusrule_v1.json"
MODELS = ("content-moderation", "fraud-detection", "loan-approval")


@pytest.fixture
def rendered(project, aigen) -> Path:
    result = aigen("render", cwd=project)
    assert result.returncode == 0, result.stderr
    return project / "generated"


def crd_validator() -> jsonschema.protocols.Validator:
    """The kubeconform schema, with its one Go-only regex made Python-compatible (DOMAIN.md §7)."""
    schema = json.loads(CRD_SCHEMA.read_text(encoding="utf-8"))

    def fix(node):
        if isinstance(node, dict):
            return {k: (v.replace("^(?i)", "(?i)^") if k == "pattern" and isinstance(v, str) else fix(v))
                    for k, v in node.items()}
        if isinstance(node, list):
            return [fix(v) for v in node]
        return node

    return jsonschema.Draft7Validator(fix(schema))


def test_promtool_check_rules_accepts_every_rules_file(rendered):
    files = sorted(str(p) for p in rendered.glob("*/rules.yaml"))
    assert len(files) == len(MODELS)
    result = subprocess.run(["promtool", "check", "rules", "--lint-fatal", *files], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_promtool_rejects_a_broken_rules_file(rendered):
    """The check above can fail: a corrupted expression is caught."""
    path = rendered / "fraud-detection" / "rules.yaml"
    path.write_text(path.read_text().replace("avg_over_time(", "avg_over_time((", 1))
    result = subprocess.run(["promtool", "check", "rules", str(path)], capture_output=True, text=True)
    assert result.returncode != 0


def test_manifests_validate_against_the_crd_schema(rendered):
    validator = crd_validator()
    for model in MODELS:
        manifest = yaml.safe_load((rendered / model / "prometheusrule.yaml").read_text())
        errors = [e.message for e in validator.iter_errors(manifest)]
        assert not errors, (model, errors)
        assert manifest["kind"] == "PrometheusRule" and manifest["apiVersion"] == "monitoring.coreos.com/v1"
        plain = yaml.safe_load((rendered / model / "rules.yaml").read_text())
        assert manifest["spec"]["groups"] == plain["groups"]


def test_crd_validator_catches_a_bad_manifest(rendered):
    manifest = yaml.safe_load((rendered / "fraud-detection" / "prometheusrule.yaml").read_text())
    manifest["spec"]["groups"][0]["interval"] = "30 seconds"
    assert list(crd_validator().iter_errors(manifest))


def test_every_incident_type_has_an_alert_and_a_runbook_for_every_model(rendered, project):
    taxonomy = yaml.safe_load((project / "specs" / "taxonomy.yaml").read_text())
    for model in MODELS:
        rules = yaml.safe_load((rendered / model / "rules.yaml").read_text())
        alerts = [r for g in rules["groups"] for r in g["rules"] if "alert" in r]
        covered = {a["labels"].get("incident_type") for a in alerts}
        for incident_type in taxonomy["incident_types"]:
            assert incident_type in covered, (model, incident_type)
            assert (rendered / model / "runbooks" / f"{incident_type}.yaml").is_file()
        for alert in alerts:
            assert {"severity", "model_id"} <= set(alert["labels"]), alert["alert"]
            assert alert["labels"]["model_id"] == model
            assert {"summary", "description", "runbook_url"} <= set(alert["annotations"]), alert["alert"]
            assert len(alert["alert"]) <= 40
        assert any("absent_over_time(" in a["expr"] for a in alerts), model


def test_alert_severities_follow_taxonomy_and_overrides(rendered):
    rules = yaml.safe_load((rendered / "fraud-detection" / "rules.yaml").read_text())
    by_type = {}
    for group in rules["groups"]:
        for rule in group["rules"]:
            if "alert" in rule:
                by_type.setdefault(rule["labels"].get("incident_type"), set()).add(rule["labels"]["severity"])
    assert by_type["model_drift"] == {"high"}  # severity_overrides: {model_drift: high}
    assert by_type["model_performance_degradation"] == {"high"}
    assert by_type["harmful_output"] == {"critical"}


def test_no_seed_defects_survive(rendered):
    for model in MODELS:
        text = (rendered / model / "rules.yaml").read_text()
        assert "$labels.baseline" not in text
        for line in text.splitlines():
            if "histogram_quantile(" in line:
                assert "sum by (model_id, le)" in line, line
            assert "> 0\n" not in line


def test_thresholds_have_no_float_noise(rendered):
    text = (rendered / "loan-approval" / "rules.yaml").read_text()
    assert "< 0.8096\n" in text  # 0.88 * (1 - 0.08) = 0.8096000000000001 in binary floating point
    assert "0000000" not in text


def test_generated_files_carry_a_do_not_edit_header(rendered):
    for path in rendered.rglob("*.yaml"):
        first = path.read_text().splitlines()[0]
        assert first.startswith("# Generated by aigen from specs/models/") and "do not edit" in first, path


def test_renders_are_identical_whatever_the_hash_seed_or_locale(project, aigen, tmp_path_factory):
    other = tmp_path_factory.mktemp("second") / "project"
    shutil.copytree(project, other)
    assert aigen("render", cwd=project, env={"PYTHONHASHSEED": "1", "LC_ALL": "C"}).returncode == 0
    assert aigen("render", cwd=other, env={"PYTHONHASHSEED": "4242", "LC_ALL": "C.UTF-8"}).returncode == 0
    first = {p.relative_to(project): p.read_bytes() for p in sorted(project.rglob("*")) if p.is_file()}
    second = {p.relative_to(other): p.read_bytes() for p in sorted(other.rglob("*")) if p.is_file()}
    assert first == second


def test_repository_generated_output_is_in_step(aigen):
    result = aigen("render", "--check", cwd=REPO)
    assert result.returncode == 0, result.stderr


def test_check_catches_a_hand_edit_and_missing_and_extra_files(rendered, project, aigen):
    assert aigen("render", "--check", cwd=project).returncode == 0
    edited = rendered / "fraud-detection" / "rules.yaml"
    edited.write_text(edited.read_text().replace("for: 1m", "for: 30m", 1))
    (rendered / "loan-approval" / "runbooks" / "model_drift.yaml").unlink()
    (project / "specs" / "models" / "content-moderation.yaml").unlink()
    before = {p: p.read_bytes() for p in rendered.rglob("*") if p.is_file()}
    result = aigen("render", "--check", cwd=project)
    assert result.returncode == 1
    assert "stale: generated/fraud-detection/rules.yaml" in result.stderr
    assert "missing: generated/loan-approval/runbooks/model_drift.yaml" in result.stderr
    assert "extra: generated/content-moderation/rules.yaml" in result.stderr
    assert {p: p.read_bytes() for p in rendered.rglob("*") if p.is_file()} == before  # --check writes nothing


def test_render_refuses_to_lose_a_hand_edit_unless_forced(rendered, project, aigen):
    edited = rendered / "fraud-detection" / "rules.yaml"
    edited.write_text(edited.read_text() + "# my note\n")
    result = aigen("render", cwd=project)
    assert result.returncode == 1
    assert "generated/fraud-detection/rules.yaml: was edited by hand" in result.stderr
    assert edited.read_text().endswith("# my note\n")
    assert aigen("render", "--force", cwd=project).returncode == 0
    assert not edited.read_text().endswith("# my note\n")


def test_user_files_in_generated_are_kept_and_never_overwritten(rendered, project, aigen):
    notes = rendered / "fraud-detection" / "NOTES.md"
    notes.write_text("ours\n")
    (project / "specs" / "models" / "content-moderation.yaml").unlink()
    assert aigen("render", cwd=project).returncode == 0
    assert notes.read_text() == "ours\n"
    assert not (rendered / "content-moderation").exists()  # aigen's files of a removed spec are removed


def test_render_refuses_to_overwrite_a_file_it_did_not_write(rendered, project, aigen):
    manifest = rendered / ".aigen-manifest.json"
    manifest.unlink()  # e.g. a repository whose generated/ was written by hand
    target = rendered / "fraud-detection" / "rules.yaml"
    target.write_text("groups: []  # hand-written\n")
    result = aigen("render", cwd=project)
    assert result.returncode == 1
    assert "was not written by aigen" in result.stderr
    assert target.read_text() == "groups: []  # hand-written\n"


def test_an_interrupted_render_leaves_generated_as_it_was(rendered, project, monkeypatch):
    before = {p: p.read_bytes() for p in rendered.rglob("*") if p.is_file()}
    spec = project / "specs" / "models" / "fraud-detection.yaml"
    spec.write_text(spec.read_text().replace("accuracy_drop: 0.10", "accuracy_drop: 0.20"))
    config = load_config(project)
    from aigen.commands.common import project_and_plans

    _, plans = project_and_plans(config=config)
    result = writer.plan(config, render_all(plans, RenderEnv(environment())))
    assert result.stale
    calls = {"n": 0}
    real = Path.write_bytes

    def failing_write(self, data):
        calls["n"] += 1
        if calls["n"] == 5:
            raise KeyboardInterrupt  # the user pressed Ctrl-C halfway through
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", failing_write)
    with pytest.raises(KeyboardInterrupt):
        writer.write(config, result)
    monkeypatch.undo()
    assert {p: p.read_bytes() for p in rendered.rglob("*") if p.is_file()} == before
    writer.write(config, writer.plan(config, render_all(plans, RenderEnv(environment()))))  # next run recovers
    assert not any(p.name.endswith(".aigen-tmp") for p in project.iterdir())


def test_a_crash_between_the_two_renames_is_repaired(rendered, project):
    config = load_config(project)
    old = project / ".generated.aigen-old"
    rendered.rename(old)  # crashed after moving generated/ aside, before moving the new tree in
    writer.recover(config)
    assert (project / "generated" / "fraud-detection" / "rules.yaml").is_file()
    assert not old.exists()


def test_template_overrides_layer_over_the_shipped_templates(project, aigen, tmp_path):
    overrides = tmp_path / "team-templates" / "runbooks"
    overrides.mkdir(parents=True)
    (overrides / "model_drift.yaml.j2").write_text(
        '{% extends "runbooks/_base.yaml.j2" %}\n{% block investigation %}\n'
        '      - action: "Call the data science on-call"\n        command: |\n          page ds-oncall\n'
        '        expected: "Someone answers"\n{% endblock %}\n')
    result = aigen("render", "--templates", str(overrides.parent), cwd=project)
    assert result.returncode == 0, result.stderr
    drift = yaml.safe_load((project / "generated" / "fraud-detection" / "runbooks" / "model_drift.yaml").read_text())
    assert drift["runbook"]["investigation"]["steps"][0]["action"] == "Call the data science on-call"
    other = yaml.safe_load((project / "generated" / "fraud-detection" / "runbooks" / "harmful_output.yaml").read_text())
    assert other["runbook"]["triage"]["steps"]  # the shipped templates still serve the rest


def test_a_broken_override_template_is_a_located_error(project, aigen, tmp_path):
    overrides = tmp_path / "t" / "runbooks"
    overrides.mkdir(parents=True)
    (overrides / "model_drift.yaml.j2").write_text('{% extends "runbooks/_base.yaml.j2" %}\n'
                                                   '{% block investigation %}{{ nonexistent.value }}{% endblock %}\n')
    result = aigen("render", "--templates", str(overrides.parent), cwd=project)
    assert result.returncode == 1
    assert "template error" in result.stderr and "nonexistent" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_templates_folder_is_a_usage_error(project, aigen):
    assert aigen("render", "--templates", "nope", cwd=project).returncode == 2
