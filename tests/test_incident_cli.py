"""`aigen incident new|validate|review|actions` as a user runs them (subprocess, exit codes, files)."""

from __future__ import annotations

import copy
import http.server
import json
import threading
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
import yaml
from prometheus_tsdb import backfill, prometheus_on

DATA = Path(__file__).parent / "data" / "incidents"


def fraud_payload() -> dict:
    """A real-format Alertmanager webhook payload for the design's fraud incident (AI-INC-2026-0042)."""
    return json.loads((DATA / "fraud-alert.json").read_text(encoding="utf-8"))


def critical_payload() -> dict:
    payload = fraud_payload()
    alert = payload["alerts"][0]
    alert["labels"].update(alertname="AIModelInvalidOutputs", severity="critical",
                           incident_type="data_pipeline_corruption")
    alert["annotations"]["runbook_url"] = alert["annotations"]["runbook_url"].replace(
        "model_performance_degradation", "data_pipeline_corruption")
    alert["startsAt"] = "2026-04-22T08:40:00Z"
    payload["alerts"].append(alert)
    payload["alerts"] = payload["alerts"][1:]
    return payload


def write(path: Path, data: dict) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_fraud_payload_yields_a_valid_prefilled_record(project: Path, aigen) -> None:
    out = aigen("incident", "new", "--alert", str(write(project / "alert.json", fraud_payload())),
                "-o", "incidents/AI-INC-2026-0042.json", cwd=project)
    assert out.returncode == 0, out.stderr
    record = json.loads((project / "incidents" / "AI-INC-2026-0042.json").read_text(encoding="utf-8"))
    assert record["incident_id"] == "AI-INC-2026-0001"
    assert {k: record[k] for k in ("incident_type", "severity", "status", "model_id", "model_version", "detected_at",
                                   "detected_by", "response_due_at")} == {
        "incident_type": "model_performance_degradation", "severity": "high", "status": "open",
        "model_id": "fraud-detection", "model_version": "4.1.2", "detected_at": "2026-04-22T08:15:00Z",
        "detected_by": "AIModelAccuracyDegraded", "response_due_at": "2026-04-22T09:15:00Z"}
    assert record["runbook_url"].endswith("/fraud-detection/runbooks/model_performance_degradation.yaml")
    assert [(e["time"], e["event"].split(":")[0]) for e in record["timeline"]] == [
        ("2026-04-22T08:15:00Z", "AIModelAccuracyDegraded fired"),
        ("2026-04-22T08:17:30Z", "AIModelConfidenceLow fired")]
    assert "regulatory_assessment" not in record
    check = aigen("incident", "validate", "incidents", cwd=project)
    assert (check.returncode, check.stdout) == (0, "1 incident record(s) valid\n"), check.stderr


def test_new_numbers_after_existing_records_and_never_overwrites(project: Path, aigen) -> None:
    alert = str(write(project / "alert.json", fraud_payload()))
    (project / "incidents").mkdir()
    (project / "incidents" / "AI-INC-2026-0041.json").write_text("{}", encoding="utf-8")
    first = aigen("incident", "new", "--alert", alert, cwd=project)
    assert json.loads(first.stdout)["incident_id"] == "AI-INC-2026-0042"
    target = project / "incidents" / "AI-INC-2026-0041.json"
    again = aigen("incident", "new", "--alert", alert, "-o", str(target), cwd=project)
    assert again.returncode == 2 and "already exists" in again.stderr
    assert target.read_text(encoding="utf-8") == "{}"


def test_one_record_per_incident_not_per_alert_group(project: Path, aigen) -> None:
    """Keyed on model and incident type (issue 11): a re-sent incident writes nothing; another type in the same
    Alertmanager group is another incident and gets its own record."""
    alert = str(write(project / "alert.json", fraud_payload()))
    assert aigen("incident", "new", "--alert", alert, "-o", "incidents/a.json", cwd=project).returncode == 0
    again = aigen("incident", "new", "--alert", alert, "-o", "incidents/b.json", cwd=project)
    assert (again.returncode, again.stderr) == (0, "aigen: incidents/a.json already records this incident and is "
                                                   "not resolved; nothing written\n")
    assert not (project / "incidents" / "b.json").exists()
    other = critical_payload()
    assert other["groupKey"] == fraud_payload()["groupKey"]
    write(project / "other.json", other)
    assert aigen("incident", "new", "--alert", "other.json", "-o", "incidents/c.json", cwd=project).returncode == 0
    assert json.loads((project / "incidents" / "c.json").read_text(encoding="utf-8"))["incident_type"] == \
        "data_pipeline_corruption"


def test_payload_from_stdin(project: Path, aigen) -> None:
    out = aigen("incident", "new", "--alert", "-", cwd=project, stdin=json.dumps(fraud_payload()).encode())
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["detected_by"] == "AIModelAccuracyDegraded"


def test_critical_record_carries_the_article_73_deadline_and_yaml_output(project: Path, aigen) -> None:
    alert = str(write(project / "alert.json", critical_payload()))
    out = aigen("incident", "new", "--alert", alert, "--id", "AI-INC-2026-0100", "-o", "r.yaml", cwd=project)
    assert out.returncode == 0, out.stderr
    record = yaml.safe_load((project / "r.yaml").read_text(encoding="utf-8"))
    assert (record["severity"], record["detected_by"]) == ("critical", "AIModelInvalidOutputs")
    assert record["detected_at"] == "2026-04-22T08:17:30Z"  # the first alert of the group, not the most severe
    assert record["response_due_at"] == "2026-04-22T08:32:30Z"  # 15 minutes
    assert record["regulatory_assessment"] == {
        "framework": "EU AI Act (Regulation (EU) 2024/1689) Article 73", "serious_incident": None, "criteria": [],
        "widespread_infringement": False, "decision": "pending", "aware_at": "2026-04-22T08:17:30Z",
        "reporting_deadline": "2026-05-07T08:17:30Z", "deadline_rule": "73(2)"}
    assert aigen("incident", "validate", "r.yaml", cwd=project).returncode == 0


@pytest.mark.parametrize(("mutate", "expected"), [
    (lambda p: p.update(version="3"), 'alert.json: /version: "3": aigen reads Alertmanager webhook payloads of '
                                      'version "4"'),
    (lambda p: p.update(alerts=[]), "alert.json: /alerts: expected a non-empty list of alerts"),
    (lambda p: p["alerts"][1].update(startsAt="yesterday"), 'alert.json: /alerts/1/startsAt: "yesterday" is not an '
                                                            "RFC 3339 time with a zone"),
    (lambda p: p["alerts"][0]["labels"].update(model_id="fraud-detection-v4"),
     'alert.json: /alerts/0/labels/model_id: "fraud-detection-v4" is not one of content-moderation, fraud-detection, '
     "loan-approval (a model of this project, a taxonomy type or level)"),
])
def test_bad_payloads_are_located(project: Path, aigen, mutate, expected: str) -> None:
    payload = fraud_payload()
    mutate(payload)
    out = aigen("incident", "new", "--alert", str(write(project / "alert.json", payload)), cwd=project)
    assert (out.returncode, out.stdout, out.stderr.strip()) == (1, "", expected)


def test_payload_that_is_not_json(project: Path, aigen) -> None:
    (project / "alert.json").write_text('{"version": "4",\n  alerts: []}', encoding="utf-8")
    out = aigen("incident", "new", "--alert", "alert.json", cwd=project)
    assert (out.returncode, out.stderr.strip()) == (1, "alert.json:2:3: invalid JSON: Expecting property name "
                                                       "enclosed in double quotes")
    missing = aigen("incident", "new", "--alert", "nope.json", cwd=project)
    assert (missing.returncode, missing.stderr.strip()) == (2, "aigen: nope.json: no such file")


class _FakePrometheus(http.server.BaseHTTPRequestHandler):
    queries: ClassVar[list[dict]] = []

    def do_GET(self) -> None:  # http.server's name
        params = {k: v[0] for k, v in urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query).items()}
        self.queries.append(params)
        body = {"status": "success", "data": {"resultType": "vector", "result": [
            {"metric": {}, "value": [float(params["time"]), "12400.6"]}]}}
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def prometheus() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _FakePrometheus)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _FakePrometheus.queries = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_prometheus_fills_affected_predictions_over_the_incident_window(project: Path, aigen, prometheus: str) -> None:
    payload = fraud_payload()
    for alert in payload["alerts"]:
        alert.update(status="resolved", endsAt="2026-04-22T10:45:00Z")
    payload["status"] = "resolved"
    out = aigen("incident", "new", "--alert", str(write(project / "alert.json", payload)), "--prometheus", prometheus,
                cwd=project)
    assert out.returncode == 0, out.stderr
    record = json.loads(out.stdout)
    assert record["impact"] == {"affected_predictions": 12401}
    assert _FakePrometheus.queries == [{
        "query": 'sum(increase(model_predictions_total{model_id="fraud-detection"}[2h30m]))',
        "time": "1776854700.000"}]  # 2026-04-22T10:45:00Z, the last endsAt
    assert [e["event"] for e in record["timeline"]][-2:] == ["AIModelAccuracyDegraded resolved",
                                                             "AIModelConfidenceLow resolved"]


def _predictions(start: int, minutes: int) -> list[str]:
    """model_predictions_total, 80 predictions a minute from ``start`` (unix seconds), one sample a minute."""
    lines = ["# HELP model_predictions_total Predictions served.", "# TYPE model_predictions_total counter"]
    for i in range(minutes + 1):
        for outcome, per_minute in (("flagged", 20), ("legit", 60)):
            lines.append(f'model_predictions_total{{model_id="fraud-detection",outcome="{outcome}"}} '
                         f"{i * per_minute} {start + i * 60}")
    return lines


@pytest.fixture
def real_prometheus(tmp_path: Path) -> Iterator[str]:
    """Five hours of predictions from 2026-04-22T07:00:00Z."""
    with prometheus_on(tmp_path, backfill(tmp_path, _predictions(1776841200, 5 * 60))) as url:
        yield url


def test_real_prometheus_counts_the_predictions_of_the_incident_window(project: Path, aigen,
                                                                       real_prometheus: str) -> None:
    payload = fraud_payload()
    for alert in payload["alerts"]:
        alert.update(status="resolved", startsAt="2026-04-22T08:15:00Z", endsAt="2026-04-22T10:45:00Z")
    out = aigen("incident", "new", "--alert", str(write(project / "alert.json", payload)),
                "--prometheus", real_prometheus, cwd=project)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["impact"] == {"affected_predictions": 12000}  # 80 a minute for 150 minutes


def test_unreachable_prometheus_is_a_usage_error(project: Path, aigen) -> None:
    out = aigen("incident", "new", "--alert", str(write(project / "alert.json", fraud_payload())),
                "--prometheus", "http://127.0.0.1:9", cwd=project)
    assert out.returncode == 2 and out.stderr.startswith("aigen: http://127.0.0.1:9: cannot query Prometheus")


def test_validate_reports_json_pointers_and_counts(project: Path, aigen) -> None:
    seed = json.loads((DATA / "seed-record.json").read_text(encoding="utf-8"))
    write(project / "seed.json", seed)
    no_cause = copy.deepcopy(seed)
    del no_cause["root_cause"]
    write(project / "no-cause.json", no_cause)
    out = aigen("incident", "validate", "seed.json", "no-cause.json", cwd=project)
    assert out.returncode == 1
    lines = out.stderr.splitlines()
    assert "no-cause.json: /root_cause: missing; a resolved incident records when it ended, its root cause and at " \
           "least one corrective action (humans fill these in post-resolution)." in lines
    assert lines[-1] == "3 problem(s) in 2 file(s)"


def test_review_prefills_measurements_and_leaves_questions_open(project: Path, aigen) -> None:
    write(project / "seed.json", json.loads((DATA / "seed-record.json").read_text(encoding="utf-8")))
    out = aigen("incident", "review", "seed.json", "-o", "reviews/AI-INC-2026-0042.review.yaml", cwd=project)
    assert out.returncode == 0, out.stderr
    review_file = project / "reviews" / "AI-INC-2026-0042.review.yaml"
    review = yaml.safe_load(review_file.read_text(encoding="utf-8"))["review"]
    assert review["mandatory"] is True
    assert review["measured"] == {
        "onset": "2026-04-22T06:00:00Z (Data pipeline deployed with schema change)",
        "detection_delay_minutes": 135, "detection_budget": "15m", "detected_within_budget": False,
        "time_to_acknowledge_minutes": 7, "response_time": "1 hour", "acknowledged_within_response_time": True,
        "containment": "2026-04-22T09:15:00Z (Model rolled back to v4.1.1)", "time_to_containment_minutes": 60,
        "duration_minutes": 150}
    assert list(review["sections"]) == ["impact_assessment", "ai_specific_root_cause", "detection_effectiveness",
                                        "response_effectiveness", "prevention"]
    questions = [q for s in review["sections"].values() for q in s["questions"]]
    assert len(questions) == 20 and all(q["answer"] == "" for q in questions)
    signal = review["sections"]["detection_effectiveness"]["questions"][1]
    assert signal["measured"] == "AIModelPerformanceDegraded alert fired at 2026-04-22T08:15:00Z"
    # linking the review makes the record valid
    seed = json.loads((project / "seed.json").read_text(encoding="utf-8"))
    seed["post_incident_review"] = "reviews/AI-INC-2026-0042.review.yaml"
    write(project / "seed.json", seed)
    assert aigen("incident", "validate", "seed.json", cwd=project).returncode == 0
    # a review in the records folder is not mistaken for a record
    (project / "reviews" / "seed.json").write_text(json.dumps(seed), encoding="utf-8")
    assert aigen("incident", "validate", "reviews", cwd=project).returncode == 0


def test_actions_lists_overdue_first_and_flags_repeated_root_causes(project: Path, aigen) -> None:
    folder = project / "incidents"
    folder.mkdir()
    seed = json.loads((DATA / "seed-record.json").read_text(encoding="utf-8"))
    seed["post_incident_review"] = "reviews/AI-INC-2026-0042.review.yaml"
    write(folder / "AI-INC-2026-0042.json", seed)
    repeat = copy.deepcopy(seed)
    repeat.update(incident_id="AI-INC-2026-0057", corrective_actions=[
        {"action": "Block deploys of pipelines without a schema contract", "owner": "data-platform-team",
         "due_date": "2026-05-20", "status": "open"}])
    write(folder / "AI-INC-2026-0057.json", repeat)
    out = aigen("incident", "actions", "incidents", "--today", "2026-04-28", cwd=project)
    assert out.returncode == 1, out.stderr
    assert out.stdout.splitlines() == [
        "OVERDUE  2026-04-26  fraud-model-team       AI-INC-2026-0042  Document feature dependencies in model card "
        "[in_progress, 2 day(s) late]",
        "open     2026-04-29  data-platform-team     AI-INC-2026-0042  Add Great Expectations schema validation "
        "between data pipeline and model input [in_progress]",
        "open     2026-05-20  data-platform-team     AI-INC-2026-0057  Block deploys of pipelines without a schema "
        "contract [open]",
        "REPEAT   root cause data_pipeline_corruption on fraud-detection in AI-INC-2026-0042, AI-INC-2026-0057; 2 "
        "corrective action(s) of the earlier incident(s) still open",
    ]
    early = aigen("incident", "actions", "incidents", "--today", "2026-04-20", "--json", cwd=project)
    assert early.returncode == 0
    data = json.loads(early.stdout)
    assert [(a["due_date"], a["status"]) for a in data["actions"]] == [
        ("2026-04-26", "in_progress"), ("2026-04-29", "in_progress"), ("2026-05-20", "open"),
        ("2026-04-25", "completed")]
    assert not any(a["overdue"] for a in data["actions"])
    assert aigen("incident", "actions", "nowhere", cwd=project).returncode == 2


def test_validate_strict_notes_versions_the_spec_no_longer_lists(project: Path, aigen) -> None:
    seed = json.loads((DATA / "seed-record.json").read_text(encoding="utf-8"))
    seed.update(post_incident_review="reviews/r.yaml", model_version="3.9.0")
    write(project / "old.json", seed)
    plain = aigen("incident", "validate", "old.json", cwd=project)
    assert (plain.returncode, plain.stderr) == (0, "")
    strict = aigen("incident", "validate", "--strict", "old.json", cwd=project)
    assert strict.returncode == 0 and strict.stderr.startswith(
        'old.json: /model_version: warning: "3.9.0" is not a version the spec of fraud-detection lists now')
