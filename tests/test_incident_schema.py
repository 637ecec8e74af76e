"""The incident record schema and the checks beyond it, on the design's own example record."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from aigen.config import load_config
from aigen.incidents.records import LoadedRecord, RecordChecker, load_record
from aigen.incidents.schema import build_schema
from aigen.project import load_project
from tests.conftest import REPO

DATA = REPO / "tests" / "data" / "incidents"


@pytest.fixture(scope="module")
def checker() -> RecordChecker:
    project = load_project(load_config(REPO))
    assert not project.problems
    return RecordChecker(project.taxonomy, [s.spec for s in project.specs])


@pytest.fixture
def seed() -> dict:
    """The design's example record AI-INC-2026-0042, its model_id set to the example spec's id."""
    return json.loads((DATA / "seed-record.json").read_text(encoding="utf-8"))


def messages(checker: RecordChecker, data: dict) -> list[str]:
    return [p.message for p in checker.check(LoadedRecord("r.json", data))]


def critical(seed: dict) -> dict:
    data = copy.deepcopy(seed)
    data.update(severity="critical", post_incident_review="reviews/AI-INC-2026-0042.yaml")
    data["regulatory_assessment"] = {
        "framework": "EU AI Act (Regulation (EU) 2024/1689) Article 73", "serious_incident": False,
        "criteria": [], "decision": "no_report", "rationale": "No harm to persons, infrastructure or rights.",
        "reporting_deadline": "2026-05-07T08:15:00Z", "deadline_rule": "73(2)"}
    return data


def test_schema_is_valid_2020_12_and_takes_enums_from_taxonomy_and_specs(checker: RecordChecker) -> None:
    schema = checker.schema
    Draft202012Validator.check_schema(schema)
    assert schema["properties"]["incident_type"]["enum"] == list(checker.taxonomy.incident_types)
    assert schema["properties"]["severity"]["enum"] == ["critical", "high", "medium", "low"]
    assert schema["properties"]["model_id"]["enum"] == ["content-moderation", "fraud-detection", "loan-approval"]
    # any version string: a record keeps what was serving, and history stays valid after the spec moves on
    assert schema["properties"]["model_version"] == {"type": "string", "minLength": 1,
                                                     "description": "The version serving when the incident began."}
    assert checker.versions["fraud-detection"] == ["4.1.2", "4.1.1"]


def test_a_version_the_spec_no_longer_lists_is_valid_and_noted_when_strict(checker: RecordChecker, seed: dict) -> None:
    seed.update(post_incident_review="r.yaml", model_version="4.0.0")
    assert messages(checker, seed) == []
    (note,) = checker.version_notes(LoadedRecord("seed.json", seed))
    assert (note.level, note.message) == ("warning", '/model_version: warning: "4.0.0" is not a version the spec of '
                                          "fraud-detection lists now (4.1.2, 4.1.1); expected for an incident older "
                                          "than the spec, else check what was serving")
    seed["model_version"] = "4.1.1"
    assert checker.version_notes(LoadedRecord("seed.json", seed)) == []


def test_generated_schema_file_is_the_built_schema(checker: RecordChecker) -> None:
    on_disk = json.loads((REPO / "generated" / "incident-record.schema.json").read_text(encoding="utf-8"))
    assert on_disk == checker.schema


def test_seed_record_fails_only_for_its_missing_review(checker: RecordChecker, seed: dict) -> None:
    assert messages(checker, seed) == [
        "/post_incident_review: missing; a post-incident review is mandatory for resolved critical and high "
        "incidents: link it in post_incident_review (`aigen incident review` drafts one)."]
    seed["post_incident_review"] = "reviews/AI-INC-2026-0042.review.yaml"
    assert messages(checker, seed) == []


def test_resolved_record_without_root_cause_says_why_it_is_needed(checker: RecordChecker, seed: dict) -> None:
    seed["post_incident_review"] = "reviews/AI-INC-2026-0042.review.yaml"
    del seed["root_cause"]
    assert messages(checker, seed) == [
        "/root_cause: missing; a resolved incident records when it ended, its root cause and at least one "
        "corrective action (humans fill these in post-resolution)."]


def test_resolved_needs_a_corrective_action(checker: RecordChecker, seed: dict) -> None:
    seed.update(post_incident_review="r.yaml", corrective_actions=[])
    assert messages(checker, seed) == ["/corrective_actions: needs at least 1 item(s) (A resolved incident records "
                                       "when it ended, its root cause and at least one corrective action (humans "
                                       "fill these in post-resolution).)"]


def test_open_medium_incident_needs_neither_root_cause_nor_review(checker: RecordChecker, seed: dict) -> None:
    for key in ("root_cause", "corrective_actions", "resolved_at", "duration_minutes"):
        del seed[key]
    seed.update(status="open", severity="medium")
    assert messages(checker, seed) == []


def test_critical_record_without_regulatory_assessment_fails(checker: RecordChecker, seed: dict) -> None:
    data = critical(seed)
    assert messages(checker, data) == []
    del data["regulatory_assessment"]
    assert messages(checker, data) == [
        "/regulatory_assessment: missing; every critical incident is assessed for EU AI Act Article 73 "
        "serious-incident reporting (regulatory_assessment; `aigen incident new` pre-fills it)."]


def test_article_73_deadlines_follow_the_facts(checker: RecordChecker, seed: dict) -> None:
    data = critical(seed)
    reg = data["regulatory_assessment"]
    reg.update(serious_incident=True, criteria=["critical_infrastructure_disruption"], decision="report")
    reg.pop("rationale")
    assert messages(checker, data) == [
        "/regulatory_assessment/reporting_deadline: is later than Art. 73(3) allows: at most 2 days: widespread "
        "infringement or critical-infrastructure disruption, so by 2026-04-24T08:15:00Z"]
    reg.update(reporting_deadline="2026-04-24T08:15:00Z")
    assert messages(checker, data) == ["/regulatory_assessment/deadline_rule: is 73(2) but the recorded facts make "
                                       "Art. 73(3) govern (at most 2 days: widespread infringement or "
                                       "critical-infrastructure disruption)"]
    reg.update(deadline_rule="73(3)")
    assert messages(checker, data) == []
    reg.update(criteria=["death"], deadline_rule="73(4)", reporting_deadline="2026-05-02T08:15:00Z")
    assert messages(checker, data) == []


def test_assessment_rules(checker: RecordChecker, seed: dict) -> None:
    data = critical(seed)
    reg = data["regulatory_assessment"]
    reg.update(serious_incident=True, decision="no_report")
    found = messages(checker, data)
    assert any(m.startswith("/regulatory_assessment/decision:") for m in found)
    assert any(m.startswith("/regulatory_assessment/criteria: needs at least 1") for m in found)
    reg.update(serious_incident=None, decision="pending")
    assert messages(checker, data) == ["/regulatory_assessment/decision: \"pending\" is not one of report, no_report "
                                       "(A resolved incident's Article 73 decision is made: report or no_report, "
                                       "not pending.)"]


@pytest.mark.parametrize(("change", "expected"), [
    ({"incident_id": "INC-42"}, '/incident_id: "INC-42" must look like AI-INC-YYYY-NNNN (AI-INC-2026-0042)'),
    ({"model_id": "fraud-detection-v4"}, '/model_id: "fraud-detection-v4" is not one of content-moderation, '
                                         "fraud-detection, loan-approval; did you mean 'fraud-detection'?"),
    ({"model_version": ""}, "/model_version: must not be empty"),
    ({"severty": "high"}, "/severty: unknown key 'severty'; did you mean 'severity'?"),
    ({"incident_type": "model_drfit"}, '/incident_type: "model_drfit" is not one of model_performance_degradation, '
                                       "data_pipeline_corruption, bias_and_fairness_violation, adversarial_attack, "
                                       "model_drift, harmful_output, resource_exhaustion; did you mean 'model_drift'?"),
    ({"detected_at": "2026-04-22 08:15"}, '/detected_at: "2026-04-22 08:15" must be an RFC 3339 time with a zone, '
                                          "such as 2026-04-22T08:15:00Z"),
    ({"acknowledged_at": "2026-04-22T08:00:00Z"}, "/acknowledged_at: is before detected_at (2026-04-22T08:15:00Z)"),
    ({"duration_minutes": 120}, "/duration_minutes: is 120 but resolved_at - detected_at is 150 minutes"),
    ({"resolved_at": "2026-04-31T10:45:00Z"}, '/resolved_at: "2026-04-31T10:45:00Z" is not a real time: day is '
                                              "out of range for month"),
])
def test_located_messages(checker: RecordChecker, seed: dict, change: dict, expected: str) -> None:
    seed["post_incident_review"] = "r.yaml"
    seed.update(change)
    assert messages(checker, seed) == [expected]


def test_timeline_out_of_order(checker: RecordChecker, seed: dict) -> None:
    seed["post_incident_review"] = "r.yaml"
    seed["timeline"][3]["time"] = "2026-04-22T08:00:00Z"
    assert messages(checker, seed) == ["/timeline/3/time: is earlier than the entry before it; keep the timeline in "
                                       "order, it is what the review measures delays from"]


def test_yaml_records_are_located_by_line_and_column(checker: RecordChecker, tmp_path: Path) -> None:
    path = tmp_path / "AI-INC-2026-0042.yaml"
    path.write_text(
        "incident_id: AI-INC-2026-0042\n"
        "incident_type: model_performance_degradation\n"
        "severity: high\n"
        "status: resolved\n"
        "model_id: fraud-detection\n"
        "model_version: '4.1.2'\n"
        "detected_at: 2026-04-22T08:15:00Z\n"
        "detected_by: AIModelAccuracyDegraded\n"
        "resolved_at: 2026-04-22T10:45:00Z\n"
        "post_incident_review: reviews/AI-INC-2026-0042.yaml\n"
        "timeline:\n"
        "  - {time: 2026-04-22T08:15:00Z, event: fired}\n"
        "corrective_actions:\n"
        "  - {action: Add schema validation, owner: data-platform-team, due_date: 2026-04-29, status: doing}\n",
        encoding="utf-8")
    problems = checker.check(load_record(path, "AI-INC-2026-0042.yaml"))
    assert [str(p) for p in problems] == [
        "AI-INC-2026-0042.yaml:1:1: root_cause: missing; a resolved incident records when it ended, its root cause "
        "and at least one corrective action (humans fill these in post-resolution).",
        'AI-INC-2026-0042.yaml:14:94: corrective_actions[0].status: "doing" is not one of open, in_progress, '
        "completed, cancelled",
    ]


def test_schema_is_deterministic(checker: RecordChecker) -> None:
    project = load_project(load_config(REPO))
    specs = [s.spec for s in project.specs]
    assert json.dumps(build_schema(project.taxonomy, specs)) == json.dumps(build_schema(project.taxonomy, specs[::-1]))


def test_every_unknown_key_is_reported_at_the_key(checker: RecordChecker, tmp_path: Path, seed: dict) -> None:
    seed.update(post_incident_review="r.yaml")
    seed["impact"]["anything"] = "impact allows further keys"
    seed["root_cause"].update(categroy="x", owner="y")
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(seed, sort_keys=False), encoding="utf-8")
    problems = [str(p) for p in checker.check(load_record(path, "r.yaml"))]
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if text.startswith("  categroy:"))
    assert problems == [f"r.yaml:{line}:3: root_cause.categroy: unknown key 'categroy'; did you mean 'category'?",
                        f"r.yaml:{line + 1}:3: root_cause.owner: unknown key 'owner' (allowed here: category, "
                        "contributing_factors, description, documented_in_model_card, locus)"]
