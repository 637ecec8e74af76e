"""The receiver of `aigen incident serve` in-process: one record per incident under duplicate, out-of-order,
concurrent and crashed deliveries; authentication and size limits on a loopback server."""

from __future__ import annotations

import http.client
import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aigen.commands.common import project_and_plans
from aigen.config import load_config
from aigen.incidents.durable import Journal
from aigen.incidents.records import LoadedRecord, RecordChecker
from aigen.incidents.serve import Receiver, Server
from aigen.incidents.store import RecordStore

DATA = Path(__file__).parent / "data" / "incidents"


class Log:
    """Collects the receiver's structured log instead of printing it."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def __call__(self, level: str, event: str, **fields: Any) -> None:
        self.events.append({"level": level, "event": event, **fields})


@pytest.fixture
def checker(project: Path) -> RecordChecker:
    proj, plans = project_and_plans(config=load_config(project))
    return RecordChecker(proj.taxonomy, [p.spec for p in plans])


def make_receiver(project: Path, checker: RecordChecker, log: Log, token: str | None = None) -> Receiver:
    """A fresh receiver on the project's incidents/ folder, as a (re)started `incident serve` builds it."""
    _, plans = project_and_plans(config=load_config(project))
    folder = project / "incidents"
    folder.mkdir(exist_ok=True)
    return Receiver(RecordStore(folder, plans, checker, log), Journal(folder), token, log)


@pytest.fixture
def log() -> Log:
    return Log()


@pytest.fixture
def receiver(project: Path, checker: RecordChecker, log: Log) -> Receiver:
    return make_receiver(project, checker, log)


def payload(*alerts: dict[str, Any]) -> dict[str, Any]:
    base = json.loads((DATA / "fraud-alert.json").read_text(encoding="utf-8"))
    base["alerts"] = list(alerts)
    return base


def alert(name: str = "AIModelAccuracyDegraded", fp: str = "8c1b5f4e0a7d2c93", starts: str = "2026-04-22T08:15:00Z",
          ends: str | None = None, **labels: str) -> dict[str, Any]:
    all_labels = {"alertname": name, "model_id": "fraud-detection", "incident_type": "model_performance_degradation",
                  "severity": "high", **labels}
    return {"status": "resolved" if ends else "firing", "labels": all_labels, "annotations": {"summary": f"{name}."},
            "startsAt": starts, "endsAt": ends or "0001-01-01T00:00:00Z", "fingerprint": fp,
            "generatorURL": "http://prometheus:9090/graph?g0.expr=up&g0.tab=1"}


def send(receiver: Receiver, *alerts: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    return receiver.accept(json.dumps(payload(*alerts)).encode())


def records(receiver: Receiver) -> list[dict[str, Any]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(receiver.store.folder.glob("*.json"))]


def assert_valid(checker: RecordChecker, *found: dict[str, Any]) -> None:
    for record in found:
        assert checker.check(LoadedRecord(record["incident_id"], record)) == []


def test_resolution_before_firing_and_duplicates_make_one_resolved_record(receiver: Receiver,
                                                                          checker: RecordChecker) -> None:
    resolved = alert(ends="2026-04-22T08:45:00Z")
    assert send(receiver, resolved) == (200, {"written": ["AI-INC-2026-0001.json"]})
    assert send(receiver, alert()) == (200, {"written": []})  # the firing delivery arrives late: nothing new
    assert send(receiver, resolved) == (200, {"written": []})  # a duplicate
    (record,) = records(receiver)
    assert (record["status"], record["resolved_at"], record["duration_minutes"]) == ("open", "2026-04-22T08:45:00Z", 30)
    assert [(e["time"], e["kind"]) for e in record["timeline"]] == [("2026-04-22T08:15:00Z", "alert"),
                                                                    ("2026-04-22T08:45:00Z", "note")]
    assert_valid(checker, record)


def test_later_alerts_join_the_incident_escalate_it_and_resolve_it_when_all_have_ended(
        receiver: Receiver, checker: RecordChecker) -> None:
    send(receiver, alert())
    critical = alert("AIModelConfidenceLow", "f03a9e7b6d1c4a28", "2026-04-22T08:17:30Z", severity="critical")
    assert send(receiver, critical)[1]["written"] == ["AI-INC-2026-0001.json"]
    (record,) = records(receiver)
    assert [e["fingerprint"] for e in record["timeline"]] == ["8c1b5f4e0a7d2c93", "f03a9e7b6d1c4a28"]
    assert (record["severity"], record["response_due_at"]) == ("critical", "2026-04-22T08:30:00Z")  # 15m from detection
    assert record["regulatory_assessment"]["aware_at"] == "2026-04-22T08:15:00Z"
    send(receiver, alert(ends="2026-04-22T09:00:00Z"))
    assert "resolved_at" not in records(receiver)[0]  # one of its alerts still fires
    send(receiver, {**critical, "status": "resolved", "endsAt": "2026-04-22T09:10:00Z"})
    (record,) = records(receiver)
    assert (record["resolved_at"], record["duration_minutes"]) == ("2026-04-22T09:10:00Z", 55)
    assert_valid(checker, record)


def test_other_incident_types_and_refirings_open_new_records(receiver: Receiver) -> None:
    send(receiver, alert(ends="2026-04-22T08:30:00Z"))
    send(receiver, alert("AIModelFeatureMissing", "aa01", incident_type="data_pipeline_corruption"))
    send(receiver, alert(starts="2026-04-22T10:00:00Z"))  # the same alert fires again after its incident ended
    found = [(r["incident_id"], r["incident_type"], r["detected_at"]) for r in records(receiver)]
    assert found == [("AI-INC-2026-0001", "model_performance_degradation", "2026-04-22T08:15:00Z"),
                     ("AI-INC-2026-0002", "data_pipeline_corruption", "2026-04-22T08:15:00Z"),
                     ("AI-INC-2026-0003", "model_performance_degradation", "2026-04-22T10:00:00Z")]


def test_what_a_human_wrote_is_kept_and_a_human_resolution_closes_the_incident(receiver: Receiver) -> None:
    send(receiver, alert())
    path = receiver.store.folder / "AI-INC-2026-0001.json"
    edited = json.loads(path.read_text(encoding="utf-8"))
    edited["acknowledged_at"] = "2026-04-22T08:20:00Z"
    edited["timeline"].append({"time": "2026-04-22T08:20:00Z", "event": "Ana acknowledged", "kind": "acknowledged"})
    path.write_text(json.dumps(edited), encoding="utf-8")
    send(receiver, alert("AIModelConfidenceLow", "f03a", "2026-04-22T08:17:30Z"))
    (record,) = records(receiver)
    assert record["acknowledged_at"] == "2026-04-22T08:20:00Z"
    assert [e["event"].split(":")[0] for e in record["timeline"]] == [
        "AIModelAccuracyDegraded fired", "AIModelConfidenceLow fired", "Ana acknowledged"]
    record.update(status="resolved")
    path.write_text(json.dumps(record), encoding="utf-8")
    send(receiver, alert("AIModelLatencyHigh", "f04b", "2026-04-22T09:00:00Z"))
    assert len(records(receiver)) == 2


def test_alerts_of_unknown_models_are_logged_and_skipped(receiver: Receiver, log: Log) -> None:
    assert send(receiver, alert(model_id="recommender")) == (200, {"written": []})
    assert records(receiver) == []
    (skipped,) = [e for e in log.events if e["event"] == "alert.skipped"]
    assert skipped["reasons"][0].startswith('/alerts/0/labels/model_id: "recommender" is not one of')


def test_a_journaled_payload_is_applied_at_the_next_start(project: Path, checker: RecordChecker, log: Log) -> None:
    crashed = make_receiver(project, checker, log)
    crashed.journal.append(json.dumps(payload(alert())).encode())  # accepted, then the process died
    assert records(crashed) == []
    restarted = make_receiver(project, checker, log)
    restarted.replay()
    assert [r["detected_by"] for r in records(restarted)] == ["AIModelAccuracyDegraded"]
    assert restarted.journal.pending() == []
    restarted.replay()  # replaying again is harmless
    assert len(records(restarted)) == 1


def test_concurrent_posts_lose_no_alert(receiver: Receiver, checker: RecordChecker) -> None:
    alerts = [alert(f"AIModelSignal{i}", f"fp{i:02d}", f"2026-04-22T08:{15 + i:02d}:00Z") for i in range(12)]
    threads = [threading.Thread(target=send, args=(receiver, a)) for a in alerts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    (record,) = records(receiver)
    assert sorted(a["fingerprint"] for a in record["alertmanager"]["alerts"]) == [f"fp{i:02d}" for i in range(12)]
    assert record["detected_at"] == "2026-04-22T08:15:00Z"
    assert_valid(checker, record)


@pytest.fixture
def server(project: Path, checker: RecordChecker, log: Log) -> Iterator[str]:
    srv = Server(("127.0.0.1", 0), make_receiver(project, checker, log, token="s3cret"))
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}/"
    srv.shutdown()
    srv.server_close()
    thread.join(timeout=10)


def post(url: str, body: bytes, headers: dict[str, str]) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=body, headers=headers), timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as exc:
        return exc.code


def announce(url: str, length: int, token: str) -> int:
    """The status answered to headers announcing a body of ``length`` bytes, before any of it is sent."""
    conn = http.client.HTTPConnection(urllib.parse.urlparse(url).netloc, timeout=10)
    try:
        conn.putrequest("POST", "/")
        conn.putheader("Authorization", f"Bearer {token}")
        conn.putheader("Content-Length", str(length))
        conn.endheaders()
        return conn.getresponse().status
    finally:
        conn.close()


def test_bearer_token_and_body_limit(server: str, project: Path) -> None:
    body = json.dumps(payload(alert())).encode()
    assert post(server, body, {}) == 401
    assert post(server, body, {"Authorization": "Bearer wrong"}) == 401
    assert announce(server, 5 * 1024 * 1024, "s3cret") == 413
    assert list((project / "incidents").glob("*.json")) == []
    assert post(server, body, {"Authorization": "Bearer s3cret"}) == 200
    assert [p.name for p in (project / "incidents").glob("*.json")] == ["AI-INC-2026-0001.json"]


# ---------------------------------------------------------------- onset, version and impact from a real Prometheus

T0 = 1776841200  # 2026-04-22T07:00:00Z
BREAK = T0 + 70 * 60  # 08:10:00Z: merchant_category_code starts arriving null


def _broken_feature_history() -> list[str]:
    """Two hours at 30 s: the null share crosses its threshold at BREAK, a canary version serves throughout,
    80 predictions a minute, of which 20 a minute without the feature once it broke."""
    lines = ["# TYPE aigen_null_share gauge", "# TYPE model_info gauge", "# TYPE model_predictions counter",
             "# TYPE model_feature_bin counter"]
    model = 'model_id="fraud-detection"'
    for i in range(0, 2 * 3600 // 30 + 1):
        at = T0 + 30 * i
        broken = max(0, (at - BREAK) // 30)
        lines += [f'aigen_null_share{{{model}}} {0.9 if at >= BREAK else 0.01} {at}',
                  f'model_info{{{model},version="4.2.0-canary"}} 1 {at}',
                  f"model_predictions_total{{{model}}} {40 * i} {at}",
                  f'model_feature_bin_total{{{model},feature="merchant_category_code",bin="__missing__"}} '
                  f"{10 * broken} {at}"]
    return lines


@pytest.fixture
def history(tmp_path: Path) -> Iterator[str]:
    from prometheus_tsdb import backfill, prometheus_on

    with prometheus_on(tmp_path, backfill(tmp_path, _broken_feature_history())) as url:
        yield url


def test_onset_version_and_impact_come_from_prometheus(project: Path, checker: RecordChecker, log: Log,
                                                       history: str) -> None:
    from aigen.incidents.store import Prometheus

    receiver = make_receiver(project, checker, log)
    receiver.store.prometheus = Prometheus(history, step_seconds=30)
    missing = alert("AIModelFeatureMissing", "f1", "2026-04-22T08:12:00Z", incident_type="data_pipeline_corruption",
                    feature="merchant_category_code")
    missing["generatorURL"] = ("http://prometheus:9090/graph?g0.expr=" + urllib.parse.quote(
        'aigen_null_share{model_id="fraud-detection"} > 0.5') + "&g0.tab=1")
    send(receiver, missing)
    (record,) = records(receiver)
    assert record["estimates"]["onset_at"] == "2026-04-22T08:10:00Z"  # 2 minutes before it fired
    assert (record["timeline"][0]["time"], record["timeline"][0]["kind"]) == ("2026-04-22T08:10:00Z", "onset")
    assert record["model_version"] == "4.2.0-canary"  # what served, although the spec does not list it
    assert [e["model_version"] for e in log.events if e["event"] == "version.unknown"] == ["4.2.0-canary"]
    send(receiver, {**missing, "status": "resolved", "endsAt": "2026-04-22T08:40:00Z"})
    (record,) = records(receiver)
    # 30 minutes from onset to resolution: 80 predictions a minute served, 20 a minute without the feature
    assert record["impact"] == {"affected_predictions": 2400, "failing_predictions": 600}
    assert "from onset" in record["estimates"]["affected_predictions_method"]
    assert_valid(checker, record)


def test_a_journal_that_cannot_be_written_refuses_the_payload(receiver: Receiver, log: Log, tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("", encoding="utf-8")
    receiver.journal.folder = blocked  # writing inside it fails as a full or read-only disk would, even for root
    assert send(receiver, alert())[0] == 503
    assert records(receiver) == [] and [e["event"] for e in log.events] == ["journal.failed"]
