"""The generated Alertmanager configuration, checked by Alertmanager's own tools.

`amtool check-config` accepts it, `amtool config routes test` routes every severity of every model where the
taxonomy says, and a real Alertmanager (Debian's prometheus-alertmanager) applies its inhibit rules and sends the
webhook payload `aigen incident new` turns into a valid record.
"""

from __future__ import annotations

import http.server
import json
import socket
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import ClassVar

import pytest
import yaml

from aigen.commands.common import project_and_plans
from aigen.config import load_config
from aigen.durations import parse_duration
from aigen.render import RenderEnv
from aigen.render import alertmanager as alertmanager_renderer
from tests.conftest import REPO

AMTOOL = "amtool"
ALERTMANAGER = "prometheus-alertmanager"
ONCALL = {"content-moderation": "trust-safety-oncall", "fraud-detection": "ml-platform-oncall",
          "loan-approval": "credit-risk-oncall"}
TICKETS = {"content-moderation": "trust-safety-ml-tickets", "fraud-detection": "fraud-model-team-tickets",
           "loan-approval": "credit-risk-ml-tickets"}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The configuration rendered from the repository's specs (read only), written outside the repository."""
    _, plans = project_and_plans(config=load_config(REPO))
    (artifact,) = alertmanager_renderer.render(plans, RenderEnv(None))
    path = tmp_path_factory.mktemp("alertmanager") / "alertmanager.yaml"
    path.write_text(artifact.text, encoding="utf-8")
    return path


def test_committed_configuration_is_the_rendered_one(rendered: Path) -> None:
    committed = REPO / "generated" / "alertmanager" / "alertmanager.yaml"
    assert committed.read_text(encoding="utf-8") == rendered.read_text(encoding="utf-8")


def routes(config: Path, *labels: str) -> list[str]:
    out = subprocess.run([AMTOOL, "config", "routes", "test", f"--config.file={config}", *labels],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().split(",")


def test_amtool_accepts_the_configuration(rendered: Path) -> None:
    out = subprocess.run([AMTOOL, "check-config", str(rendered)], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "SUCCESS" in out.stdout and "2 inhibit rules" in out.stdout


@pytest.mark.parametrize("model", sorted(ONCALL))
def test_each_severity_routes_where_it_should(rendered: Path, model: str) -> None:
    def receivers(severity: str) -> list[str]:
        return routes(rendered, f"model_id={model}", f"severity={severity}", "incident_type=model_drift",
                      "alertname=AIModelInputDrift")

    records = "aigen-incident-records"
    assert receivers("critical") == [records, "aigen-management-escalation", ONCALL[model]]
    assert receivers("high") == [records, ONCALL[model]]
    assert receivers("medium") == [records, TICKETS[model]]
    assert receivers("low") == [records, TICKETS[model]]


def test_alerts_of_unknown_models_still_reach_someone(rendered: Path) -> None:
    assert routes(rendered, "model_id=recommender", "severity=high") == ["aigen-default-oncall"]
    assert routes(rendered, "model_id=recommender", "severity=low") == ["aigen-default-tickets"]
    assert routes(rendered, "alertname=Watchdog") == ["aigen-default-tickets"]


def test_repeat_intervals_and_grouping_follow_the_taxonomy(rendered: Path) -> None:
    config = yaml.safe_load(rendered.read_text(encoding="utf-8"))
    assert config["route"]["group_by"] == ["model_id", "incident_type"]
    fraud = next(r for r in config["route"]["routes"] if r.get("matchers") == ['model_id="fraud-detection"'])
    repeats = {r["matchers"][0]: r["repeat_interval"] for r in fraud["routes"]}
    assert repeats == {'severity="critical"': "15m", 'severity="high"': "1h", 'severity="medium"': "4h",
                       'severity="low"': "1d"}


# ---------------------------------------------------------------- a real Alertmanager


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Capture(http.server.BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[str, dict]]] = []

    def do_POST(self) -> None:  # http.server's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path.strip("/"), json.loads(body)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Capture)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Capture.received = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _wired(rendered: Path, webhook: str, dest: Path) -> Path:
    """The generated config with each placeholder receiver given a webhook, and short waits for the test."""
    config = yaml.safe_load(rendered.read_text(encoding="utf-8"))
    for receiver in config["receivers"]:
        receiver["webhook_configs"] = [{"url": f"{webhook}/{receiver['name']}", "send_resolved": False}]
    config["route"].update(group_wait="2s", group_interval="1s")
    dest.write_text(yaml.safe_dump(config), encoding="utf-8")
    return dest


@pytest.fixture
def alertmanager(rendered: Path, webhook: str, tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    config = _wired(rendered, webhook, tmp_path / "am.yaml")
    proc = subprocess.Popen([ALERTMANAGER, f"--config.file={config}", f"--storage.path={tmp_path / 'am-data'}",
                             f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address="],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(lambda: urllib.request.urlopen(f"{url}/-/ready", timeout=1).status == 200, proc)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _wait(ready, proc: subprocess.Popen | None = None, seconds: float = 40) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"alertmanager exited: {proc.stderr.read().decode() if proc.stderr else ''}")
        try:
            if ready():
                return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail("timed out")


def _inhibited(url: str, name: str) -> bool:
    """Alertmanager's API reports ``name`` suppressed by an inhibit rule (it evaluates inhibition on every read)."""
    query = urllib.parse.urlencode({"filter": f'alertname="{name}"'})
    with urllib.request.urlopen(f"{url}/api/v2/alerts?{query}", timeout=5) as answer:
        found = json.loads(answer.read())
    return bool(found) and all(a["status"]["state"] == "suppressed" and a["status"]["inhibitedBy"] for a in found)


def _notified(receiver: str, labels: dict[str, str]) -> bool:
    """Some notification to ``receiver`` carried an alert with all of ``labels``."""
    return any(labels.items() <= a["labels"].items() for name, p in _Capture.received if name == receiver
               for a in p["alerts"])


def _source_first(url: str, source: dict, receiver: str) -> None:
    """Post an inhibiting alert alone and wait for its notification: by then Alertmanager's inhibitor knows it, so
    the alerts it mutes, posted next, cannot race it into a group flush (which a loaded machine made happen)."""
    _post(url, [source])
    _wait(lambda: _notified(receiver, source["labels"]))


def _muted_then_flushed(url: str, muted: list[str], sentinels: list[dict], receiver: str) -> None:
    """Wait until Alertmanager shows ``muted`` inhibited, then until ``sentinels`` (alerts that share the muted
    alerts' groups but are not muted) reach ``receiver``: those groups have flushed since, without the muted ones."""
    for name in muted:
        _wait(lambda name=name: _inhibited(url, name))
    _post(url, sentinels)
    for sentinel in sentinels:
        _wait(lambda sentinel=sentinel: _notified(receiver, sentinel["labels"]))


def _post(url: str, alerts: list[dict]) -> None:
    request = urllib.request.Request(f"{url}/api/v2/alerts", data=json.dumps(alerts).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    assert urllib.request.urlopen(request, timeout=5).status == 200


def _utc(at: datetime) -> str:
    return at.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _alert(name: str, severity: str, incident_type: str, model: str = "fraud-detection", **extra: str) -> dict:
    labels = {"alertname": name, "severity": severity, "incident_type": incident_type, "model_id": model,
              "team": "fraud-model-team", "oncall": ONCALL[model], **extra}
    runbook = f"https://runbooks.example.com/aigen/{model}/runbooks/{incident_type}.yaml"
    # startsAt is now: Alertmanager flushes a group at once for an alert older than group_wait, racing the inhibitor
    return {"labels": labels, "startsAt": _utc(datetime.now(UTC)),
            "annotations": {"summary": f"{name} summary", "runbook_url": runbook},
            "generatorURL": "http://prometheus:9090/graph"}


def test_real_alertmanager_inhibits_and_its_payload_becomes_a_valid_record(
        alertmanager: str, project: Path, aigen) -> None:
    critical = _alert("AIModelInvalidOutputs", "critical", "data_pipeline_corruption")
    _source_first(alertmanager, critical, "ml-platform-oncall")
    _post(alertmanager, [
        _alert("AIModelAccuracyDegraded", "high", "model_performance_degradation"),
        _alert("AIModelConfidenceLow", "high", "model_performance_degradation", model="loan-approval"),
    ])
    _wait(lambda: "credit-risk-oncall" in {name for name, _ in _Capture.received})
    # a critical alert of the muted alert's own group pages; its notification shows that group flushed without it
    collapsed = _alert("AIModelAccuracyCollapsed", "critical", "model_performance_degradation")
    _muted_then_flushed(alertmanager, ["AIModelAccuracyDegraded"], [collapsed], "ml-platform-oncall")
    # the escalation route is a separate notification of the same alerts: wait for it too (a loaded machine
    # delivered it after the on-call one)
    for alert in (critical, collapsed):
        _wait(lambda alert=alert: _notified("aigen-management-escalation", alert["labels"]))
    by_receiver: dict[str, set[str]] = {}
    for name, payload in _Capture.received:
        by_receiver.setdefault(name, set()).update(a["labels"]["alertname"] for a in payload["alerts"])
    # fraud-detection's critical alert mutes its high one; loan-approval's high alert is another model's, not muted
    assert by_receiver["ml-platform-oncall"] == {"AIModelInvalidOutputs", "AIModelAccuracyCollapsed"}
    assert by_receiver["credit-risk-oncall"] == {"AIModelConfidenceLow"}
    assert by_receiver["aigen-management-escalation"] == {"AIModelInvalidOutputs", "AIModelAccuracyCollapsed"}
    assert "AIModelAccuracyDegraded" not in set().union(*by_receiver.values())

    payload = next(p for name, p in _Capture.received if name == "ml-platform-oncall")
    assert payload["version"] == "4" and payload["groupLabels"] == {"model_id": "fraud-detection",
                                                                    "incident_type": "data_pipeline_corruption"}
    (project / "payload.json").write_text(json.dumps(payload), encoding="utf-8")
    out = aigen("incident", "new", "--alert", "payload.json", "-o", "incidents/new.json", cwd=project)
    assert out.returncode == 0, out.stderr
    record = json.loads((project / "incidents" / "new.json").read_text(encoding="utf-8"))
    assert (record["severity"], record["detected_by"], record["regulatory_assessment"]["reporting_deadline"]) == (
        "critical", "AIModelInvalidOutputs", _utc(datetime.fromisoformat(critical["startsAt"]) + timedelta(days=15)))
    assert aigen("incident", "validate", "incidents", cwd=project).returncode == 0


def test_real_alertmanager_kill_switch_mutes_the_rest_of_its_model(alertmanager: str) -> None:
    model = "content-moderation"
    _source_first(alertmanager, _alert("AIModelKillSwitch", "critical", "harmful_output", model=model,
                                       action="kill_switch"), ONCALL[model])
    _post(alertmanager, [
        _alert("AIModelPolicyViolations", "critical", "harmful_output", model=model),
        _alert("AIModelFairnessDisparity", "critical", "bias_and_fairness_violation", model=model),
    ])
    # only a kill switch escapes a kill switch: one more in each muted alert's group proves both groups flushed
    _muted_then_flushed(alertmanager, ["AIModelPolicyViolations", "AIModelFairnessDisparity"], [
        _alert("AIModelKillSwitch", "critical", incident_type, model=model, action="kill_switch", sentinel="yes")
        for incident_type in ("harmful_output", "bias_and_fairness_violation")], ONCALL[model])
    paged = {a["labels"]["alertname"] for name, p in _Capture.received if name == ONCALL[model] for a in p["alerts"]}
    assert paged == {"AIModelKillSwitch"}


def _repeats(route: dict) -> Iterator[str]:
    if "repeat_interval" in route:
        yield route["repeat_interval"]
    for child in route.get("routes", []):
        yield from _repeats(child)


def test_no_repeat_interval_outlives_alertmanagers_retention(rendered: Path) -> None:
    """Alertmanager forgets a notification after --data.retention (120h by default) and warns at start-up."""
    repeats = list(_repeats(yaml.safe_load(rendered.read_text(encoding="utf-8"))["route"]))
    assert len(repeats) > 10 and max(map(parse_duration, repeats)) <= 120 * 3600


def test_webhook_urls_come_from_the_project_settings(project: Path, tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("s3cret\n", encoding="utf-8")
    (project / "aigen.toml").write_text(
        '[alertmanager]\nrecords_url = "http://records.internal:9099/hook"\n'
        f'records_credentials_file = "{token}"\nretention = "12h"\n'
        '[alertmanager.webhooks]\nml-platform-oncall = "https://pager.example.com/ml"\n', encoding="utf-8")
    _, plans = project_and_plans(config=load_config(project))
    (artifact,) = alertmanager_renderer.render(plans, RenderEnv(None))
    (tmp_path / "am.yaml").write_text(artifact.text, encoding="utf-8")
    out = subprocess.run([AMTOOL, "check-config", str(tmp_path / "am.yaml")], capture_output=True, text=True,
                         timeout=30)
    assert out.returncode == 0, out.stdout + out.stderr
    config = yaml.safe_load(artifact.text)
    hooks = {r["name"]: r.get("webhook_configs") for r in config["receivers"]}
    assert hooks["aigen-incident-records"] == [{"url": "http://records.internal:9099/hook", "send_resolved": True,
                                                "max_alerts": 0,
                                                "http_config": {"authorization": {"credentials_file": str(token)}}}]
    assert hooks["ml-platform-oncall"] == [{"url": "https://pager.example.com/ml", "send_resolved": True}]
    assert hooks["credit-risk-oncall"] is None  # no URL given: a named placeholder
    assert max(map(parse_duration, _repeats(config["route"]))) == 12 * 3600


def test_bad_alertmanager_settings_are_usage_errors(project: Path, aigen) -> None:
    (project / "aigen.toml").write_text('[alertmanager]\nrecords_url = "ftp://x"\n', encoding="utf-8")
    out = aigen("render", cwd=project)
    assert (out.returncode, out.stderr.strip()) == (2, f"aigen: {project / 'aigen.toml'}: alertmanager.records_url: "
                                                       "'ftp://x' is not an http(s) URL")
