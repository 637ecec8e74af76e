"""`aigen test`: run promtool over generated rules and tests, and measure each alert's time-to-fire with promtool.

Each test file runs once, as committed, with probe queries added (never instead of its assertions):
- for a failure scenario, the earliest evaluation at which the alert fired
  (``min_over_time(timestamp(ALERTS{...firing})[end:interval])``);
- for the healthy scenario, how many evaluations each alert of the model spent firing.
A probe is written to fail (it expects no samples and always returns one, thanks to ``or vector(...)``), so
promtool prints the value it got; each carries a unique ``aigen_probe!="N"`` matcher (always true) that tells the
probes apart in promtool's output. A probe missing from the output means promtool failed before evaluating: the
file fails with promtool's own message.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from aigen.durations import format_duration, parse_duration
from aigen.proof.scenarios import NAME

PROMTOOL_HINT = "promtool not found: install it (Debian/Ubuntu: apt-get install prometheus) or put it on PATH"
_PROBE = re.compile(r'^\s*expr: ".*aigen_probe!=\\"(\d+)\\".*", time: .*$')
_GOT = re.compile(r"\{([^}]*)\} (\S+?)(?:, |$)")
_LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


class PromtoolMissing(Exception):
    pass


@dataclass
class AlertResult:
    model: str
    alert: str
    incident_type: str = ""
    severity: str = ""
    budget: int = 0
    time_to_fire: int | None = None  # worst over the failure scenarios that fired
    never_fired: int = 0  # failure scenarios in which the alert never fired
    scenarios: int = 0
    healthy_firing_evaluations: int = 0
    failures: list[str] = field(default_factory=list)
    volume: float = 0.0  # predictions/s of the failure scenarios (the highest, when several)
    detectable_from: float = 0.0  # predictions/s below which the alert's window holds too few events to judge
    healthy_volumes: list[float] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        within = self.scenarios == 0 or (self.time_to_fire is not None and self.time_to_fire <= self.budget)
        return not self.failures and not self.never_fired and within and self.healthy_firing_evaluations == 0

    def merge(self, other: AlertResult) -> None:
        self.incident_type = other.incident_type or self.incident_type
        self.severity = other.severity or self.severity
        self.budget = other.budget or self.budget
        self.scenarios += other.scenarios
        self.never_fired += other.never_fired
        self.healthy_firing_evaluations += other.healthy_firing_evaluations
        self.failures.extend(other.failures)
        self.volume = max(self.volume, other.volume)
        self.detectable_from = max(self.detectable_from, other.detectable_from)
        if other.time_to_fire is not None:
            self.time_to_fire = max(self.time_to_fire or 0, other.time_to_fire)


@dataclass
class FileResult:
    path: Path
    passed: bool
    output: str
    alerts: dict[str, AlertResult]
    failures: list[str] = field(default_factory=list)
    healthy_volumes: list[float] = field(default_factory=list)


def promtool() -> str:
    path = shutil.which("promtool")
    if path is None:
        raise PromtoolMissing(PROMTOOL_HINT)
    return path


def check_rules(rule_files: list[Path]) -> tuple[bool, str]:
    result = subprocess.run([promtool(), "check", "rules", *map(str, rule_files)], capture_output=True, text=True)
    return result.returncode == 0, result.stdout + result.stderr


def _probe_document(path: Path, doc: dict[str, Any], extend: int = 0,
                    only: set[str] | None = None) -> tuple[dict[str, Any], dict[int, tuple[str, dict]]]:
    """The test document plus probes; returns probe id -> (kind, scenario facts).

    With ``extend`` (seconds), only the failure groups named in ``only`` are kept, without their assertions, their
    failing phase lengthened, to measure a time-to-fire beyond the budget.
    """
    probes: dict[int, tuple[str, dict]] = {}
    base = path.parent
    doc = dict(doc)
    doc["rule_files"] = [str((base / f).resolve()) if not os.path.isabs(f) else f for f in doc.get("rule_files", [])]
    tests = []
    for group in doc.get("tests", []):
        group = dict(group)
        facts = NAME.match(str(group.get("name", "")))
        if extend:
            if not facts or group.get("name") not in (only or set()):
                continue
            longer = extended(group, extend, parse_duration(str(group.get("interval", "1m"))))
            if longer is None:
                continue
            group = {**longer, "alert_rule_test": group.get("alert_rule_test", [])}
        if facts:
            info = {**facts.groupdict(), "name": group["name"]}
            info["end"] = str(int(info["end"]) + extend)
            end = format_duration(int(info["end"]))
            interval = group.get("interval", doc.get("evaluation_interval", "1m"))
            extra = [] if extend else list(group.get("promql_expr_test") or [])
            pid = len(probes)
            if info["kind"] != "healthy":
                firing = next((a for a in group.get("alert_rule_test", []) if a.get("exp_alerts")), None)
                info["labels"] = dict(firing["exp_alerts"][0].get("exp_labels", {})) if firing else {}
            probes[pid] = ("healthy" if info["kind"] == "healthy" else "failure", info)
            expr = _probe_expr(pid, info, end, interval)
            extra.append({"expr": expr, "eval_time": end, "exp_samples": []})
            group["promql_expr_test"] = extra
        tests.append(group)
    doc["tests"] = tests
    return doc, probes


def _probe_expr(pid: int, info: dict, end: str, interval: str) -> str:
    """Healthy: firing evaluations per alert over the run. Failure: the first evaluation at which the alert fired
    with the labels the test expects. Both always return a sample, so promtool always prints one."""
    if info["kind"] == "healthy":
        return (f'sum by (alertname) (count_over_time(ALERTS{{alertstate="firing", aigen_probe!="{pid}"}}[{end}]))'
                f" or vector(0)")
    labels = {**info["labels"], "alertname": info["alert"], "alertstate": "firing"}
    matchers = ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    return (f'min_over_time(timestamp(ALERTS{{{matchers}, aigen_probe!="{pid}"}})[{end}:{interval}])'
            f" or vector(-1)")


EXTEND = re.compile(r"^(?P<head>.*?)x(?P<n>\d+)$")


def extended(group: dict[str, Any], seconds: int, step: int) -> dict[str, Any] | None:
    """The test group with its final phase (every series' last run-length token) lasting ``seconds`` longer.

    Generated series end in a run (``a+bxn``, ``axn`` or ``_xn``): lengthening each run continues the failure as
    it was. Returns None when a series does not end in a run (a hand-written test).
    """
    more = seconds // step
    series = []
    for item in group.get("input_series", []):
        tokens = str(item["values"]).split()
        match = EXTEND.match(tokens[-1]) if tokens else None
        if not match:
            return None
        tokens[-1] = f"{match.group('head')}x{int(match.group('n')) + more}"
        series.append({**item, "values": " ".join(tokens)})
    return {**group, "input_series": series, "alert_rule_test": [], "promql_expr_test": []}


def _parse_probes(output: str) -> dict[int, list[tuple[dict[str, str], float]]]:
    values: dict[int, list[tuple[dict[str, str], float]]] = {}
    lines = output.splitlines()
    for i, line in enumerate(lines):
        match = _PROBE.match(line)
        if not match:
            continue
        got = next((text for text in lines[i + 1:i + 4] if text.strip().startswith("got:")), "")
        samples = [(dict(_LABEL.findall(labels)), float(value)) for labels, value in _GOT.findall(got)]
        values[int(match.group(1))] = samples
    return values


def _failed_assertions(output: str) -> list[str]:
    """Assertion failures that are not probes: lines naming an alert test or a committed expression test."""
    out = []
    for line in output.splitlines():
        stripped = line.strip()
        if stripped.startswith("alertname:") or (stripped.startswith("expr:") and "aigen_probe" not in stripped):
            out.append(stripped.rstrip(","))
    return out


def _execute(path: Path, doc: dict[str, Any]) -> tuple[str, dict[int, list[tuple[dict[str, str], float]]]]:
    """promtool's output on ``doc`` (written to a temp dir, never over the committed test) and its probe values.

    promtool's exit code is not returned: the probes are written to fail, so it is 1 whenever they are present, and
    says nothing. Whether promtool evaluated the tests shows as probes missing from the output (see ``run_file``).
    """
    with tempfile.TemporaryDirectory(prefix="aigen-test-") as tmp:
        probe_path = Path(tmp) / path.name
        probe_path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
        proc = subprocess.run([promtool(), "test", "rules", str(probe_path)], capture_output=True, text=True)
    output = proc.stdout + proc.stderr
    return output, _parse_probes(output)


def _remeasure(path: Path, doc: dict[str, Any], names: set[str]) -> dict[str, int]:
    """Scenario name -> time-to-fire, for failure scenarios re-run with their failure going on much longer."""
    budgets = [int(m.group("budget")) for m in map(NAME.match, names) if m]
    extend = max([4 * b for b in budgets] + [7200])
    probe_doc, probes = _probe_document(path, doc, extend=extend, only=names)
    if not probes:
        return {}
    _, measured = _execute(path, probe_doc)
    out = {}
    for pid, (_, info) in probes.items():
        fired = [value for labels, value in measured.get(pid, []) if labels]
        if fired:
            out[info["name"]] = int(min(fired)) - int(info["onset"])
    return out


def run_file(path: Path) -> FileResult:
    doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    probe_doc, probes = _probe_document(path, doc)
    model = path.parent.parent.name
    output, measured = _execute(path, probe_doc)
    failures = _failed_assertions(output)
    missed = {info["name"] for pid, (kind, info) in probes.items()
              if kind == "failure" and not [v for labels, v in measured.get(pid, []) if labels]}
    late = _remeasure(path, doc, missed) if missed else {}
    alerts: dict[str, AlertResult] = {}
    healthy_volumes: set[float] = set()
    for pid, (kind, info) in probes.items():
        if kind == "healthy":
            for labels, value in measured.get(pid, []):
                if not labels:
                    continue
                alert = labels.get("alertname", "?")
                result = alerts.setdefault(alert, AlertResult(model, alert))
                result.healthy_firing_evaluations += int(value)
            if info.get("volume"):
                healthy_volumes.add(float(info["volume"]))
            continue
        result = alerts.setdefault(info["alert"], AlertResult(model, info["alert"]))
        result.volume = max(result.volume, float(info.get("volume") or 0))
        result.detectable_from = max(result.detectable_from, float(info.get("detectable") or 0))
        result.incident_type = info["labels"].get("incident_type", result.incident_type)
        result.severity = info["labels"].get("severity", result.severity)
        result.budget = int(info["budget"])
        result.scenarios += 1
        samples = [value for labels, value in measured.get(pid, []) if labels]
        if samples:
            ttf = int(min(samples)) - int(info["onset"])
        elif info["name"] in late:
            ttf = late[info["name"]]
        else:
            result.never_fired += 1
            continue
        result.time_to_fire = ttf if result.time_to_fire is None else max(result.time_to_fire, ttf)
    for line in failures:
        name = re.search(r"alertname: (\w+)", line)
        target = alerts.get(name.group(1)) if name else None
        if target is not None:
            target.failures.append(line)
    if set(measured) != set(probes):
        failures.append("promtool did not evaluate the tests: " + " ".join(output.split())[:500])
    return FileResult(path, not failures and all(a.passed for a in alerts.values()), output, alerts, failures,
                      sorted(healthy_volumes))


def collect(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """(rule files, test files) under the given folders or files."""
    rules: set[Path] = set()
    tests: set[Path] = set()
    for path in paths:
        if path.is_dir():
            rules.update(path.glob("*/rules.yaml"))
            rules.update(path.glob("rules.yaml"))
            tests.update(path.glob("*/tests/*.yaml"))
            tests.update(path.glob("tests/*.yaml"))
        elif path.is_file():
            (tests if "tests" in path.parts[-2:-1] or path.name.endswith("test.yaml") else rules).add(path)
    return sorted(rules), sorted(tests)


def run(paths: list[Path], jobs: int | None = None) -> tuple[bool, str, list[FileResult]]:
    rules, tests = collect(paths)
    ok, check_output = check_rules(rules) if rules else (True, "")
    workers = jobs or os.cpu_count() or 2
    # longest first (file size is a fair proxy for promtool's work), so no long file starts last on an idle pool
    order = sorted(tests, key=lambda p: (-p.stat().st_size, str(p)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        done = dict(zip(order, pool.map(run_file, order), strict=True))
    return ok, check_output, [done[path] for path in tests]


def rows(results: list[FileResult]) -> list[AlertResult]:
    """One row per (model, alert), merged across the model's test files."""
    merged: dict[tuple[str, str], AlertResult] = {}
    healthy: dict[str, set[float]] = {}
    for file in results:
        healthy.setdefault(file.path.parent.parent.name, set()).update(file.healthy_volumes)
        for name, res in file.alerts.items():
            merged.setdefault((res.model, name), AlertResult(res.model, name)).merge(res)
    for row in merged.values():
        row.healthy_volumes = sorted(healthy.get(row.model, ()))
    return sorted(merged.values(), key=lambda r: (r.model, r.alert))


def as_json(check_ok: bool, results: list[FileResult]) -> str:
    data = {
        "rules_check": check_ok,
        "files": [{"path": str(r.path), "passed": r.passed} for r in results],
        "alerts": [{**asdict(r), "passed": r.passed} for r in rows(results)],
    }
    return json.dumps(data, indent=2, sort_keys=True)


def _per_second(value: float) -> str:
    return f"{value:.3g}/s" if value < 1000 else f"{value:,.0f}/s"


def volumes(r: AlertResult) -> str:
    """The volume column: where the alert was proved healthy and failing, and below which volume it cannot judge."""
    healthy = "healthy " + ", ".join(_per_second(v) for v in r.healthy_volumes) if r.healthy_volumes else ""
    failing = f"failing {_per_second(r.volume)}" if r.volume else ""
    blind = f"not detectable below {_per_second(r.detectable_from)} (too few events per window)" \
        if r.detectable_from > min(r.healthy_volumes or [0.0]) else ""
    return "; ".join(part for part in (healthy, failing, blind) if part) or "-"


def table(results: list[FileResult]) -> str:
    header = ("model", "alert", "incident type", "severity", "budget", "time to fire", "healthy firing", "result",
              "volume / scenario")
    body = []
    for r in rows(results):
        if r.scenarios == 0:
            ttf = "no scenario"
        elif r.never_fired or r.time_to_fire is None:
            ttf = f"never ({r.never_fired} of {r.scenarios} scenarios)"
        else:
            ttf = format_duration(r.time_to_fire)
            if r.time_to_fire > r.budget:
                ttf += " (over budget)"
        body.append((r.model, r.alert, r.incident_type or "-", r.severity or "-",
                     format_duration(r.budget) if r.budget else "-", ttf, str(r.healthy_firing_evaluations),
                     "pass" if r.passed else "FAIL", volumes(r)))
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    return "\n".join(fmt.format(*row).rstrip() for row in [header, *body])


