"""What a fleet's generated rules cost a real Prometheus: rule-group evaluation time and head series.

Starts /usr/bin/prometheus on 127.0.0.1 (a free port, a temporary data folder) with every ``rules.yaml`` under a
rendered project's generated/, and a tiny exporter in this process serving every series the models' promtool tests
feed their rules (so each selector matches what it would in production). Once every group has been evaluated
twice (or the deadline passes), it reads Prometheus' own /metrics:

- ``prometheus_rule_group_last_duration_seconds`` per group, scaled to one 30 s interval by the group's
  ``prometheus_rule_group_interval_seconds``: evaluation time per model per interval;
- ``prometheus_tsdb_head_series``, ``process_cpu_seconds_total``, ``process_resident_memory_bytes``.

    python bench/prom_eval.py PROJECT_DIR [--wait 150]
"""

from __future__ import annotations

import argparse
import json
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml

PROMETHEUS = "/usr/bin/prometheus"
_LABEL = re.compile(r'([A-Za-z_][A-Za-z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"')
_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)$')
_COUNTER_SUFFIXES = ("_total", "_count", "_sum", "_bucket")


def series(generated: Path) -> list[str]:
    """Every input series of every promtool test under ``generated``, in exposition form (``name{a="b"}``)."""
    found: set[str] = set()
    for path in sorted(generated.glob("*/tests/*.yaml")):
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) or {}
        for test in doc.get("tests", []):
            for item in test.get("input_series", []):
                name, _, labels = item["series"].partition("{")
                pairs = ",".join(f'{k}="{v}"' for k, v in _LABEL.findall(labels))
                found.add(f"{name.strip()}{{{pairs}}}")
    return sorted(found)


class _Exporter(ThreadingHTTPServer):
    """Serves the series: counters grow by 1 per scrape, everything else holds 0.5."""

    daemon_threads = True

    def __init__(self, names: list[str]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.counters = [s for s in names if s.split("{", 1)[0].endswith(_COUNTER_SUFFIXES)]
        self.gauges = "".join(f"{s} 0.5\n" for s in names if s not in set(self.counters)).encode()
        self.scrapes = 0


class _Handler(BaseHTTPRequestHandler):
    server: _Exporter

    def do_GET(self) -> None:  # http.server's name
        self.server.scrapes += 1
        value = f" {self.server.scrapes}\n"
        body = "".join(s + value for s in self.server.counters).encode() + self.server.gauges
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def scrape(url: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    """A Prometheus text page: metric name -> [(labels, value)]."""
    with urllib.request.urlopen(url, timeout=10) as response:
        text = response.read().decode()
    out: dict[str, list[tuple[dict[str, str], float]]] = {}
    for line in text.splitlines():
        match = _SAMPLE.match(line)
        if match:
            labels = dict(_LABEL.findall(match.group(2) or ""))
            out.setdefault(match.group(1), []).append((labels, float(match.group(3))))
    return out


def _by_group(metrics: dict, name: str) -> dict[str, float]:
    return {labels.get("rule_group", ""): value for labels, value in metrics.get(name, [])}


def _wait_ready(url: str, proc: subprocess.Popen, deadline: float) -> None:
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"prometheus exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/-/ready", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("prometheus not ready in time")


def _evaluated(url: str, deadline: float, rounds: int = 2) -> dict:
    """/metrics once every rule group has been evaluated ``rounds`` times, or at the deadline."""
    while True:
        metrics = scrape(url + "/metrics")
        iterations = _by_group(metrics, "prometheus_rule_group_iterations_total")
        if (iterations and min(iterations.values()) >= rounds) or time.monotonic() >= deadline:
            return metrics
        time.sleep(1)


def summarize(metrics: dict, models: int) -> dict[str, float]:
    last = _by_group(metrics, "prometheus_rule_group_last_duration_seconds")
    interval = _by_group(metrics, "prometheus_rule_group_interval_seconds")
    iterations = _by_group(metrics, "prometheus_rule_group_iterations_total")
    evaluated = [g for g in last if iterations.get(g, 0) >= 1]
    per_30s = sum(last[g] * 30 / interval[g] for g in evaluated if interval.get(g))
    one = lambda name: sum(v for _, v in metrics.get(name, []))  # noqa: E731
    return {
        "models": models,
        "groups": len(last),
        "groups_evaluated": len(evaluated),
        "eval_seconds_per_30s": per_30s,
        "eval_ms_per_model_per_30s": 1000 * per_30s / max(models, 1),
        "max_group_ms": 1000 * max((last[g] for g in evaluated), default=0.0),
        "head_series": one("prometheus_tsdb_head_series"),
        "prometheus_cpu_seconds": one("process_cpu_seconds_total"),
        "prometheus_rss_mb": one("process_resident_memory_bytes") / 2**20,
    }


def evaluate(project: Path, wait: float = 150.0) -> dict[str, float]:
    """Run Prometheus over ``project``'s generated rules with synthetic series; the summary of its own metrics."""
    generated = project / "generated"
    rule_files = sorted(str(p) for p in generated.rglob("rules.yaml"))
    models = len([p for p in generated.iterdir() if (p / "rules.yaml").is_file()])
    exporter = _Exporter(series(generated))
    threading.Thread(target=exporter.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory(prefix="aigen-prom-") as tmp:
        config = {"global": {"scrape_interval": "15s", "scrape_timeout": "14s"}, "rule_files": rule_files,
                  "scrape_configs": [{"job_name": "fleet", "static_configs": [
                      {"targets": [f"127.0.0.1:{exporter.server_address[1]}"]}]}]}
        (Path(tmp) / "prometheus.yml").write_text(json.dumps(config), encoding="utf-8")
        url = f"http://127.0.0.1:{_free_port()}"
        proc = subprocess.Popen([PROMETHEUS, f"--config.file={tmp}/prometheus.yml", f"--storage.tsdb.path={tmp}/data",
                                 f"--web.listen-address={url.removeprefix('http://')}"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            _wait_ready(url, proc, time.monotonic() + 120)
            result = summarize(_evaluated(url, time.monotonic() + wait), models)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            exporter.shutdown()
            exporter.server_close()
    result["series_served"] = len(exporter.counters) + exporter.gauges.count(b"\n")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("project", type=Path, help="a rendered project (with generated/)")
    parser.add_argument("--wait", type=float, default=150.0, help="seconds to wait for two evaluations of each group")
    args = parser.parse_args()
    print(json.dumps(evaluate(args.project, args.wait), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
