"""Checks of a rendered model dashboard against its plan, for `aigen lint` and the tests.

- dashboard-alert-panel: every alert has the panel its ``dashboard_url`` points at, and that panel's queries read
  the alert's metrics (directly or through the recording rules they select);
- dashboard-query-parse: every query (panels and annotations) parses as PromQL once Grafana's variables are filled;
- dashboard-query-metric: every query reads only metrics of the metric contract, recording rules of the plan, or
  Prometheus' own ``ALERTS`` series;
- dashboard-panel-id: panel ids are unique (``viewPanel`` links would be ambiguous otherwise);
- dashboard-json / dashboard-schema (``dashboard_file_problems`` only): the file is JSON, and every field is one the
  typed dashboard model (the part of Grafana's schema aigen emits) accepts.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from aigen import dashboard_ids as ids
from aigen.contract import HISTOGRAM_SUFFIXES, MetricContract
from aigen.dashboards.model import Dashboard, all_panels
from aigen.errors import Problem
from aigen.promql import expand, metric_names, substitute

if TYPE_CHECKING:
    from aigen.detectors import Alert
    from aigen.plan import ModelPlan

PROMETHEUS_SERIES = {"ALERTS", "ALERTS_FOR_STATE"}


def dashboard_problems(plan: ModelPlan, dashboard: dict[str, Any], path: str | None = None) -> list[Problem]:
    """Problems of one model's dashboard dict (as loaded from generated/<model-id>/dashboard.json)."""
    where = path or plan.config.display(plan.config.generated / plan.model_id / "dashboard.json")
    records = {r.record: r.expr for r in plan.records}
    known = MetricContract.of(plan.taxonomy).names() | set(records) | PROMETHEUS_SERIES
    problems: list[Problem] = []
    used: dict[int, set[str]] = {}
    for panel in all_panels(dashboard):
        names = set()
        for label, query in _queries(panel):
            names |= _query_problems(plan, where, label, query, known, problems)
        used[panel.get("id", -1)] = _with_histogram_names(expand(names, records))
    for annotation in dashboard.get("annotations", {}).get("list", []):
        if annotation.get("expr"):
            _query_problems(plan, where, f"annotation '{annotation.get('name')}'", annotation["expr"], known, problems)
    problems += _alert_panel_problems(plan, where, used, records)
    problems += _duplicate_ids(where, dashboard)
    return sorted(problems)


def dashboard_file_problems(plan: ModelPlan, path: Path) -> list[Problem]:
    """``dashboard_problems`` of a file, plus JSON and schema errors, located at the line of the panel concerned."""
    where = plan.config.display(path)
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text)
    except OSError as exc:
        return [Problem(where, 0, 0, f"cannot read the dashboard: {exc.strerror}", rule="dashboard-json")]
    except UnicodeDecodeError as exc:
        return [Problem(where, 0, 0, f"not UTF-8 text: {exc.reason}", rule="dashboard-json")]
    except json.JSONDecodeError as exc:
        return [Problem(where, exc.lineno, exc.colno, f"not valid JSON: {exc.msg}", rule="dashboard-json")]
    if not isinstance(data, dict):
        return [Problem(where, 1, 1, "a dashboard is a JSON object", rule="dashboard-json")]
    lines = _panel_lines(text)
    problems = [replace(p, line=lines.get(_panel_of(p.message), 0), col=1 if _panel_of(p.message) in lines else 0)
                for p in dashboard_problems(plan, data, where)]
    return sorted(problems + _schema_problems(where, data))


def _panel_lines(text: str) -> dict[int, int]:
    """Line of each panel id in the file (the first ``"id": N`` line; keys are sorted, so it is the panel's)."""
    out: dict[int, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        match = re.fullmatch(r'\s*"id": (\d+),?', line)
        if match:
            out.setdefault(int(match.group(1)), number)
    return out


def _panel_of(message: str) -> int:
    match = re.match(r"panel (\d+)", message)
    return int(match.group(1)) if match else -1


def _schema_problems(where: str, data: dict[str, Any]) -> list[Problem]:
    """Fields aigen's typed dashboard model (Grafana's schema, as far as aigen uses it) does not accept."""
    try:
        Dashboard.model_validate(data)
    except ValidationError as exc:
        return [Problem(where, 0, 0, f"{'.'.join(str(x) for x in err['loc'])}: {err['msg']}", rule="dashboard-schema")
                for err in exc.errors()]
    return []



def _with_histogram_names(names: set[str]) -> set[str]:
    """A histogram is named without its suffix in the contract and alerts, and read as ``<name>_bucket``."""
    return names | {n[: -len(s)] for n in names for s in HISTOGRAM_SUFFIXES if n.endswith(s)}


def _queries(panel: dict[str, Any]) -> list[tuple[str, str]]:
    label = f"panel {panel.get('id')} '{panel.get('title', '')}'"
    return [(f"{label} query {t.get('refId', '?')}", t["expr"]) for t in panel.get("targets", []) if "expr" in t]


def _query_problems(plan: ModelPlan, where: str, label: str, query: str, known: set[str],
                    problems: list[Problem]) -> set[str]:
    """Parse one query with the variables filled; report it, or metrics outside the contract. Returns its metrics."""
    text = substitute(query, {"model": plan.model_id, "feature": ".*", "datasource": "prometheus"})
    try:
        names = metric_names(text)
    except ValueError as exc:
        problems.append(Problem(where, 0, 0, f"{label}: not valid PromQL: {exc}", rule="dashboard-query-parse"))
        return set()
    for name in sorted(names - known):
        problems.append(Problem(where, 0, 0, f"{label} reads '{name}', which is neither in the metric contract nor a "
                                             f"recording rule of the model", rule="dashboard-query-metric"))
    return names


def _alert_panel_problems(plan: ModelPlan, where: str, used: dict[int, set[str]],
                          records: dict[str, str]) -> list[Problem]:
    out: list[Problem] = []
    for planned in plan.alerts:
        alert = planned.alert
        wanted = set(alert.metrics)
        pid = ids.panel_id(alert.name, alert.extra_labels)
        if pid not in used:
            out.append(Problem(where, 0, 0, f"alert {_name(alert)} has no panel (id {pid}, where its dashboard_url "
                                            f"points)", rule="dashboard-alert-panel"))
        elif not wanted <= used[pid]:
            missing = ", ".join(sorted(wanted - used[pid]))
            out.append(Problem(where, 0, 0, f"panel {pid} of alert {_name(alert)} does not read its metrics: {missing}",
                               rule="dashboard-alert-panel"))
    return out


def _name(alert: Alert) -> str:
    extra = ", ".join(f'{k}="{v}"' for k, v in alert.extra_labels)
    return f"{alert.name}{{{extra}}}" if extra else alert.name


def _duplicate_ids(where: str, dashboard: dict[str, Any]) -> list[Problem]:
    counts = Counter(panel.get("id") for panel in all_panels(dashboard))
    return [Problem(where, 0, 0, f"panel id {pid} is used {n} times", rule="dashboard-panel-id")
            for pid, n in sorted(counts.items(), key=lambda kv: str(kv[0])) if n > 1]
