"""`aigen incident serve` behind a real Alertmanager (Debian's prometheus-alertmanager 0.25), alerts posted with amtool.

The test's copy of the generated configuration groups by model only and flushes every second, so two incident
types share one Alertmanager group (the case that used to lose a record) and the whole lifecycle runs in seconds.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from aigen.commands.common import project_and_plans
from aigen.config import load_config
from aigen.render import RenderEnv
from aigen.render import alertmanager as alertmanager_renderer

ALERTMANAGER = "/usr/bin/prometheus-alertmanager"
DEADLINE_SECONDS = 60  # generous: the suite shares two cores with other suites


def wait_for(what: str, check: Callable[[], Any], seconds: float = DEADLINE_SECONDS) -> Any:
    """Poll ``check`` until it returns something truthy; fail naming ``what`` at the deadline."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            found = check()
        except (OSError, ValueError):
            found = None
        if found:
            return found
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")


@dataclass
class Serve:
    """`aigen incident serve` as a user starts it: a subprocess in the project, logging JSON lines to a file."""

    project: Path
    log: Path
    port: int = 0
    proc: subprocess.Popen | None = None
    url: str = ""
    extra: list[str] = field(default_factory=list)

    def start(self) -> Serve:
        offset = self.log.stat().st_size if self.log.exists() else 0
        with open(self.log, "ab") as sink:
            self.proc = subprocess.Popen([sys.executable, "-m", "aigen", "incident", "serve",
                                          f"--listen=127.0.0.1:{self.port}", *self.extra],
                                         cwd=self.project, stdout=subprocess.DEVNULL, stderr=sink)
        started = wait_for("incident serve to listen", lambda: self._listening(offset))
        self.url = started["url"].rstrip("/")
        self.port = int(self.url.rsplit(":", 1)[1])
        return self

    def _listening(self, offset: int) -> dict | None:
        if self.proc is not None and self.proc.poll() is not None:
            pytest.fail(f"incident serve exited {self.proc.returncode}: {self.log.read_text(encoding='utf-8')}")
        lines = self.log.read_bytes()[offset:].decode("utf-8").splitlines()
        return next((e for e in map(json.loads, lines) if e["event"] == "listening"), None)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)

    def events(self) -> list[dict]:
        return [json.loads(line) for line in self.log.read_text(encoding="utf-8").splitlines()]


TOKEN = "t0ken-for-the-test"


@pytest.fixture
def token_file(tmp_path: Path) -> Path:
    path = tmp_path / "records-token"
    path.write_text(TOKEN + "\n", encoding="utf-8")
    return path


@pytest.fixture
def serve(project: Path, tmp_path: Path, token_file: Path) -> Iterator[Serve]:
    server = Serve(project, tmp_path / "serve.log", extra=[f"--token-file={token_file}"]).start()
    try:
        yield server
    finally:
        server.stop()


def am_config(project: Path, serve_url: str, token_file: Path, dest: Path) -> Path:
    """The configuration aigen renders for the project, records pointed at serve (with its token) through
    aigen.toml; the test's copy groups by model only and flushes every second."""
    (project / "aigen.toml").write_text(f'[alertmanager]\nrecords_url = "{serve_url}/"\n'
                                        f'records_credentials_file = "{token_file}"\n', encoding="utf-8")
    _, plans = project_and_plans(config=load_config(project))
    (artifact,) = alertmanager_renderer.render(plans, RenderEnv(None))
    config = yaml.safe_load(artifact.text)
    (records,) = [r for r in config["receivers"] if r["name"] == "aigen-incident-records"]
    assert records["webhook_configs"][0] == {"url": f"{serve_url}/", "send_resolved": True, "max_alerts": 0,
                                             "http_config": {"authorization": {"credentials_file": str(token_file)}}}
    config["route"].update(group_by=["model_id"], group_wait="1s", group_interval="1s")
    dest.write_text(yaml.safe_dump(config), encoding="utf-8")
    return dest


@pytest.fixture
def alertmanager(project: Path, serve: Serve, token_file: Path, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    config = am_config(project, serve.url, token_file, tmp_path / "am.yaml")
    proc = subprocess.Popen([ALERTMANAGER, f"--config.file={config}", f"--storage.path={tmp_path / 'am-data'}",
                             f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address="],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for("alertmanager to be ready", lambda: proc.poll() is None
                 and urllib.request.urlopen(f"{url}/-/ready", timeout=1).status == 200)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def free_port() -> int:
    """A free loopback port (bound, then released): Alertmanager must be told its port, it logs none for :0."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def utc(at: datetime) -> str:
    return at.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def amtool_add(am: str, name: str, incident_type: str, start: datetime, end: datetime | None = None) -> None:
    labels = [f"alertname={name}", "model_id=fraud-detection", f"incident_type={incident_type}", "severity=high"]
    times = [f"--start={utc(start)}", *([f"--end={utc(end)}"] if end else [])]
    out = subprocess.run(["amtool", "alert", "add", *labels, f"--annotation=summary={name} summary", *times,
                          f"--alertmanager.url={am}"], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr


def records(folder: Path) -> dict[str, dict]:
    return {p.name: json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))}


def by_type(folder: Path) -> dict[str, dict]:
    return {r["incident_type"]: r for r in records(folder).values()}


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (records, journal, lock) with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def post(url: str, body: bytes, token: str = TOKEN) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json",
                                                                             "Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_live_alertmanager_one_record_per_incident_resolution_restart_and_malformed_posts(
        project: Path, serve: Serve, alertmanager: str, aigen) -> None:
    folder = project / "incidents"
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=2)
    # two incident types in one Alertmanager group => two records
    amtool_add(alertmanager, "AIModelFeatureMissing", "data_pipeline_corruption", start)
    amtool_add(alertmanager, "AIModelAccuracyDegraded", "model_performance_degradation", start + timedelta(seconds=30))
    found = wait_for("two records", lambda: len(records(folder)) == 2 and by_type(folder))
    assert set(found) == {"data_pipeline_corruption", "model_performance_degradation"}
    assert len({r["alertmanager"]["group_key"] for r in found.values()}) == 1  # one group, two incidents
    assert found["data_pipeline_corruption"]["detected_at"] == utc(start)

    # serve goes down mid-stream: a third incident and a resolution arrive while it is away
    serve.stop()
    amtool_add(alertmanager, "AIModelInputDrift", "model_drift", start + timedelta(seconds=60))
    end = datetime.now(UTC).replace(microsecond=0)
    amtool_add(alertmanager, "AIModelFeatureMissing", "data_pipeline_corruption", start, end)
    serve.start()
    found = wait_for("the third record and the resolution", lambda: len(records(folder)) == 3 and "resolved_at" in (
        by_type(folder)["data_pipeline_corruption"]) and by_type(folder))
    resolved = found["data_pipeline_corruption"]
    assert (resolved["status"], resolved["resolved_at"]) == ("open", utc(end))  # root cause is for a human
    assert resolved["duration_minutes"] == round((end - start).total_seconds() / 60)
    assert [e["kind"] for e in resolved["timeline"]] == ["alert", "note"]
    assert resolved["timeline"][1]["event"] == "AIModelFeatureMissing resolved"
    assert "resolved_at" not in found["model_performance_degradation"]
    assert list((folder / ".aigen-serve" / "journal").iterdir()) == []  # every accepted payload applied

    # a malformed or unauthenticated post is refused and changes nothing
    before = snapshot(folder)
    status, answer = post(serve.url, (project / "incidents" / "AI-INC-2026-0001.json").read_bytes(), token="guess")
    assert (status, answer) == (401, {"error": "missing or wrong bearer token"})
    status, answer = post(serve.url, b'{"version": "4", "alerts": [')
    assert status == 400 and answer["error"].startswith("not JSON")
    status, answer = post(serve.url, json.dumps({"version": "3", "alerts": []}).encode())
    assert (status, answer["problems"]) == (400, ['/version: "3": aigen reads Alertmanager webhook payloads of '
                                                  'version "4"', "/alerts: expected a non-empty list of alerts"])
    assert snapshot(folder) == before
    assert [e["status"] for e in serve.events() if e["event"] == "request"][-3:] == [401, 400, 400]
    assert aigen("incident", "validate", "incidents", cwd=project).returncode == 0


def test_serve_refuses_a_busy_folder_a_bad_address_and_an_empty_token_file(
        project: Path, serve: Serve, aigen, tmp_path: Path) -> None:
    second = aigen("incident", "serve", "--listen", "127.0.0.1:0", cwd=project, timeout=30)
    assert (second.returncode, second.stderr.strip()) == (
        2, f"aigen: {project / 'incidents'}: another `aigen incident serve` already writes these records")
    bad = aigen("incident", "serve", "--listen", "localhost", "--records", "other", cwd=project, timeout=30)
    assert bad.returncode == 2 and "expected HOST:PORT" in bad.stderr
    (tmp_path / "empty").write_text("\n", encoding="utf-8")
    empty = aigen("incident", "serve", "--token-file", str(tmp_path / "empty"), "--records", "other", cwd=project)
    assert (empty.returncode, empty.stderr.strip()) == (2, f"aigen: {tmp_path / 'empty'}: the token file is empty")
