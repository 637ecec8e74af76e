"""What a fleet's generated rules cost a real Prometheus: rule-group evaluation time and head series.

Starts /usr/bin/prometheus on 127.0.0.1 (a free port, a temporary data folder) with every ``rules.yaml`` under a
rendered project's generated/, and a tiny exporter in this process replaying each model's healthy promtool scenario
(the series and values its proof feeds the rules, one step per 30 s: so each selector matches what it would in
production, and no alert fires). Once every group has been evaluated three times (or the deadline passes), it reads
Prometheus' own /metrics:

- ``prometheus_rule_group_last_duration_seconds`` per group, scaled to one 30 s interval by the group's
  ``prometheus_rule_group_interval_seconds``: evaluation time per model per interval;
- ``prometheus_tsdb_head_series``, ``process_resident_memory_bytes``, and ``process_cpu_seconds_total`` over the
  steady part of the run (after every group's first evaluation): CPU per model per 30 s, which unlike the
  durations does not count time spent waiting for a core;
- from ``/api/v1/rules`` (polled while it waits), every rule's ``evaluationTime``, averaged over the evaluations it
  saw after each rule's first (the first reads a cold head): the rules that cost the most, and the cost per rule
  family (a recording's name without its attribute and window, or an alert's name), per model per 30 s.

Several projects are measured one after the other in the same run (one Prometheus at a time), so a "before" and an
"after" see the same machine:

    python bench/prom_eval.py PROJECT_DIR [PROJECT_DIR ...] [--wait 150] [--top 15] [--floor] [--json out.json]

``--floor`` also runs Prometheus over the first project's series without any rule: its CPU is what scraping and
storing costs, the floor the rules' CPU is measured against (the same for a "before" and "after" of one fleet).
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


def expand(notation: str) -> list[float | None]:
    """promtool's expanding notation (``a+bxn``, ``axn``, ``_``, ``_xn``, ``stale``) as one value per step."""
    out: list[float | None] = []
    for token in notation.split():
        if token in ("_", "stale"):
            out.append(None)
            continue
        head, times, count = token.partition("x")
        if head == "_":
            out.extend([None] * int(count))
            continue
        match = re.fullmatch(r"([-+]?[0-9.eE]+|[-+]?Inf|NaN)(?:([-+])([0-9.eE]+))?", head)
        if match is None:
            raise ValueError(f"cannot read {token!r}")
        first = float(match.group(1))
        step = float(match.group(3) or 0) * (-1 if match.group(2) == "-" else 1)
        out.extend(first + step * k for k in range(int(count) + 1 if times else 1))
    return out


def _healthy(tests: Path) -> Path | None:
    """A model's healthy scenario with the most traffic (``healthy-<requests per second>.yaml``)."""
    found = [(float(p.stem.removeprefix("healthy-")), p) for p in tests.glob("healthy-*.yaml")]
    return max(found)[1] if found else None


def series(generated: Path) -> dict[str, list[float | None]]:
    """What the exporter serves, in exposition form (``name{a="b"}``) with one value per 30 s step: each model's
    healthy scenario at its highest volume (real traffic, so no alert fires and the rules do the work they do in a
    healthy fleet), or, for a model without one, every input series of its tests as a counter growing by 1 per
    step (or a gauge at 0.5)."""
    found: dict[str, list[float | None]] = {}
    for tests in sorted(generated.glob("*/tests")):
        healthy = _healthy(tests)
        for path in [healthy] if healthy else sorted(tests.glob("*.yaml")):
            doc = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) or {}
            for test in doc.get("tests", [])[:1] if healthy else doc.get("tests", []):
                for item in test.get("input_series", []):
                    name, _, labels = item["series"].partition("{")
                    name = name.strip()
                    pairs = ",".join(f'{k}="{v}"' for k, v in _LABEL.findall(labels))
                    if healthy:
                        found[f"{name}{{{pairs}}}"] = expand(str(item["values"]))
                    else:
                        found[f"{name}{{{pairs}}}"] = ([float(k) for k in range(1, 1000)]
                                                       if name.endswith(_COUNTER_SUFFIXES) else [0.5])
    return found


class _Exporter(ThreadingHTTPServer):
    """Serves the series, one step further every 30 s (the last value held past the end; gaps left out)."""

    daemon_threads = True

    def __init__(self, values: dict[str, list[float | None]]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.values = values
        self.started = time.monotonic()
        self.offset = 0  # steps already backfilled

    def page(self) -> bytes:
        step = self.offset + int((time.monotonic() - self.started) // 30)
        lines = []
        for name, values in self.values.items():
            value = values[min(step, len(values) - 1)] if values else None
            if value is not None:
                lines.append(f"{name} {value!r}\n")
        return "".join(lines).encode()


class _Handler(BaseHTTPRequestHandler):
    server: _Exporter

    def do_GET(self) -> None:  # http.server's name
        body = self.server.page()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def backfill(values: dict[str, list[float | None]], steps: int, labels: str, data: Path) -> None:
    """Write the first ``steps`` values of every series, 30 s apart and ending 30 s ago, as TSDB blocks in ``data``
    (``promtool tsdb create-blocks-from openmetrics``), with the ``labels`` the scrape adds, so the live scrapes
    continue the same series and every window is full from the first evaluation."""
    end = time.time()
    source = data.parent / "backfill.om"
    with source.open("w", encoding="utf-8") as out:
        for name in sorted(values):
            series = values[name]
            full = name.replace("{", "{" + labels + ",", 1).replace(",}", "}")
            for k in range(min(steps, len(series))):
                if series[k] is not None:
                    out.write(f"{full} {series[k]!r} {end - (steps - k) * 30:.3f}\n")
        out.write("# EOF\n")
    subprocess.run(["promtool", "tsdb", "create-blocks-from", "openmetrics", str(source), str(data)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=1800)
    source.unlink()


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


_WINDOW = re.compile(r"(\d+[smhdwy])+$")
_ATTRIBUTE = re.compile(r"_by_[a-z0-9_]+:")


def family(kind: str, name: str) -> str:
    """A rule's family: a recording's name without its protected attribute and window (``..._by_*:ratio_rate*``),
    or an alert's name; what the per-family table adds up."""
    if kind != "recording":
        return name
    return _WINDOW.sub("*", _ATTRIBUTE.sub("_by_*:", name))


class RuleTimes:
    """Every rule's evaluation times from /api/v1/rules, one sample per distinct evaluation (``lastEvaluation``)."""

    def __init__(self) -> None:
        self.seen: dict[tuple[str, int], dict] = {}
        self.samples: dict[tuple[str, int], dict[str, float]] = {}
        self.active: dict[str, int] = {}

    def poll(self, url: str) -> None:
        with urllib.request.urlopen(url + "/api/v1/rules", timeout=60) as response:
            groups = json.load(response)["data"]["groups"]
        self.active = {}
        for group in groups:
            for index, rule in enumerate(group["rules"]):
                if rule.get("alerts"):
                    self.active[rule["name"]] = self.active.get(rule["name"], 0) + len(rule["alerts"])
                key = (group["name"], index)
                self.seen[key] = {"group": group["name"], "interval": float(group["interval"]),
                                  "kind": rule["type"], "name": rule["name"]}
                stamp = rule.get("lastEvaluation", "")
                if stamp and not stamp.startswith("0001-"):
                    self.samples.setdefault(key, {})[stamp] = float(rule.get("evaluationTime", 0.0))

    def rules(self) -> list[dict]:
        """One row per rule: its mean evaluation time in seconds, scaled to one 30 s interval (``per_30s``)."""
        out = []
        for key, info in self.seen.items():
            times = [t for _, t in sorted(self.samples.get(key, {}).items())]
            times = times[1:] or times  # the first evaluation reads a cold head
            mean = sum(times) / len(times) if times else 0.0
            out.append({**info, "family": family(info["kind"], info["name"]), "evaluations": len(times),
                        "seconds": mean, "per_30s": mean * 30 / info["interval"] if info["interval"] else 0.0})
        return out


def _evaluated(url: str, deadline: float, times: RuleTimes, rounds: int = 3) -> tuple[dict, float]:
    """/metrics once every rule group has been evaluated ``rounds`` times, or at the deadline; ``times`` polled
    from /api/v1/rules on the way. Also Prometheus' CPU seconds per second from the moment every group had been
    evaluated once (30 s after start without rules) to the end: start-up and the first, cold evaluations left out."""
    started, first = time.monotonic(), None
    while True:
        metrics = scrape(url + "/metrics")
        times.poll(url)
        now, cpu = time.monotonic(), sum(v for _, v in metrics.get("process_cpu_seconds_total", []))
        iterations = _by_group(metrics, "prometheus_rule_group_iterations_total")
        if first is None and ((iterations and min(iterations.values()) >= 1) or (not iterations
                                                                                 and now - started >= 30)):
            first = (now, cpu)
        if (iterations and min(iterations.values()) >= rounds) or now >= deadline:
            busy = (cpu - first[1]) / (now - first[0]) if first and now > first[0] + 1 else float("nan")
            return metrics, busy
        time.sleep(5)


def by_family(rules: list[dict], models: int) -> list[dict]:
    """Cost per (kind, family), most expensive first: ms per model per 30 s and share of all rules' time."""
    total = sum(r["per_30s"] for r in rules) or 1.0
    acc: dict[tuple[str, str], list[float]] = {}
    for r in rules:
        slot = acc.setdefault((r["kind"], r["family"]), [0.0, 0.0])
        slot[0] += r["per_30s"]
        slot[1] += 1
    rows = [{"kind": k, "family": f, "rules": int(n), "ms_per_model_per_30s": 1000 * t / max(models, 1),
             "share": t / total} for (k, f), (t, n) in acc.items()]
    return sorted(rows, key=lambda r: (-r["ms_per_model_per_30s"], r["kind"], r["family"]))


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


def evaluate(project: Path, wait: float = 150.0, top: int = 15, rules: bool = True, history: int = 0) -> dict:
    """Run Prometheus over ``project``'s generated rules with synthetic series; the summary of its own metrics, the
    ``top`` slowest rules and the cost per rule family. ``rules=False``: the same series scraped without any rule,
    the floor of Prometheus' CPU. ``history``: minutes of the scenario backfilled before Prometheus starts, so long
    windows hold as many samples as in production."""
    generated = project / "generated"
    rule_files = sorted(str(p) for p in generated.rglob("rules.yaml")) if rules else []
    models = len([p for p in generated.iterdir() if (p / "rules.yaml").is_file() and (p / "tests").is_dir()])
    exporter = _Exporter(series(generated))
    threading.Thread(target=exporter.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory(prefix="aigen-prom-") as tmp:
        config = {"global": {"scrape_interval": "15s", "scrape_timeout": "14s"}, "rule_files": rule_files,
                  "scrape_configs": [{"job_name": "fleet", "static_configs": [
                      {"targets": [f"127.0.0.1:{exporter.server_address[1]}"]}]}]}
        (Path(tmp) / "prometheus.yml").write_text(json.dumps(config), encoding="utf-8")
        if history > 0:
            (Path(tmp) / "data").mkdir()
            backfill(exporter.values, history * 2,
                     f'instance="127.0.0.1:{exporter.server_address[1]}",job="fleet"', Path(tmp) / "data")
            exporter.offset, exporter.started = history * 2, time.monotonic()
        url = f"http://127.0.0.1:{_free_port()}"
        proc = subprocess.Popen([PROMETHEUS, f"--config.file={tmp}/prometheus.yml", f"--storage.tsdb.path={tmp}/data",
                                 f"--web.listen-address={url.removeprefix('http://')}"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            _wait_ready(url, proc, time.monotonic() + 120)
            times = RuleTimes()
            metrics, busy = _evaluated(url, time.monotonic() + wait, times)
            result: dict = summarize(metrics, models)
            result["cpu_ms_per_model_per_30s"] = 1000 * 30 * busy / max(models, 1)
            timed = times.rules()
            result["rules_ms_per_model_per_30s"] = 1000 * sum(r["per_30s"] for r in timed) / max(models, 1)
            result["slowest_rules"] = sorted(timed, key=lambda r: -r["per_30s"])[:top]
            result["families"] = by_family(timed, models)
            result["active_alerts"] = dict(sorted(times.active.items()))
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            exporter.shutdown()
            exporter.server_close()
    result["series_served"] = len(exporter.values)
    return result


def report(name: str, result: dict, top: int) -> str:
    """Markdown: the summary, the ``top`` rule families and the ``top`` slowest rules of one project."""
    lines = [f"## {name}", "",
             f"{result['models']} models, {result['groups']} groups ({result['groups_evaluated']} evaluated), "
             f"{result['head_series']:.0f} head series ({result['series_served']} served), "
             f"RSS {result['prometheus_rss_mb']:.0f} MB, CPU {result['prometheus_cpu_seconds']:.1f} s",
             f"groups (last duration): {result['eval_ms_per_model_per_30s']:.2f} ms per model per 30 s, slowest "
             f"group {result['max_group_ms']:.1f} ms; rules (mean evaluationTime): "
             f"{result['rules_ms_per_model_per_30s']:.2f} ms per model per 30 s; Prometheus CPU (steady): "
             f"{result['cpu_ms_per_model_per_30s']:.1f} ms per model per 30 s"
             + (f" (floor, same series without rules: {result['floor_cpu_ms_per_model_per_30s']:.1f})"
                if "floor_cpu_ms_per_model_per_30s" in result else ""),
             f"alerts pending or firing at the end: {result['active_alerts'] or 'none'}", "",
             "| kind | family | rules | ms per model per 30 s | share |", "|---|---|---|---|---|"]
    for row in result["families"][:top]:
        lines.append(f"| {row['kind']} | `{row['family']}` | {row['rules']} | {row['ms_per_model_per_30s']:.3f} | "
                     f"{100 * row['share']:.1f} % |")
    lines += ["", "| group | kind | rule | evaluations | ms per evaluation |", "|---|---|---|---|---|"]
    for row in result["slowest_rules"]:
        lines.append(f"| {row['group']} | {row['kind']} | `{row['name']}` | {row['evaluations']} | "
                     f"{1000 * row['seconds']:.2f} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("projects", type=Path, nargs="+", help="rendered projects (with generated/), in turn")
    parser.add_argument("--wait", type=float, default=150.0, help="seconds to wait for three evaluations of each group")
    parser.add_argument("--top", type=int, default=15, help="rule families and slowest rules to list")
    parser.add_argument("--json", type=Path, help="also write every measurement here")
    parser.add_argument("--history", type=int, default=0,
                        help="minutes of each healthy scenario to backfill first (windows full from the start)")
    parser.add_argument("--floor", action="store_true",
                        help="also measure the first project's series scraped without rules (Prometheus' CPU floor)")
    args = parser.parse_args()
    results = {}
    for project in args.projects:
        print(f"prom_eval: {project}...", file=sys.stderr, flush=True)
        results[str(project)] = evaluate(project, args.wait, args.top, history=args.history)
        if args.floor and project == args.projects[0]:
            floor = evaluate(project, min(args.wait, 120.0), args.top, rules=False, history=args.history)
            results[str(project)]["floor_cpu_ms_per_model_per_30s"] = floor["cpu_ms_per_model_per_30s"]
        print(report(str(project), results[str(project)], args.top) + "\n", flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
