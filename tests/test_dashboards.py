"""Grafana dashboards: a panel per alert reading its metrics, queries that parse, typed round trip, stable ids."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import promql_parser
import pydantic
import pytest
import yaml

from aigen import dashboard_ids as ids
from aigen.commands.common import project_and_plans
from aigen.config import load_config
from aigen.dashboards.build import fleet_dashboard, model_dashboard
from aigen.dashboards.check import dashboard_file_problems, dashboard_problems
from aigen.dashboards.model import Dashboard, all_panels
from aigen.plan import ModelPlan
from aigen.promql import expand, metric_names, substitute
from tests.conftest import REPO, run_aigen

MODELS = ("content-moderation", "fraud-detection", "loan-approval")
VARIABLES = {"model": "some-model", "feature": ".*", "datasource": "prometheus"}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One rendered copy of the example project for the whole module (rendering takes a few seconds)."""
    root = tmp_path_factory.mktemp("dashboards")
    shutil.copytree(REPO / "specs", root / "specs")
    (root / "aigen.toml").write_text('dashboard_base_url = "https://grafana.test/"\n', encoding="utf-8")
    result = run_aigen("render", cwd=root)
    assert result.returncode == 0, result.stderr
    return root


@pytest.fixture(scope="module")
def plans(project: Path) -> dict[str, ModelPlan]:
    _, built = project_and_plans(config=load_config(project))
    return {p.model_id: p for p in built}


def load(project: Path, model: str) -> dict:
    return json.loads((project / "generated" / model / "dashboard.json").read_text(encoding="utf-8"))


def dashboard_files(project: Path) -> list[Path]:
    generated = project / "generated"
    return [*(generated / m / "dashboard.json" for m in MODELS), generated / "fleet-dashboard.json"]


def raw_metrics(queries: list[str], records: dict[str, str]) -> set[str]:
    """Exported series a set of queries reads, through recording rules, with histogram suffixes dropped."""
    names: set[str] = set()
    for query in queries:
        names |= metric_names(substitute(query, VARIABLES))
    out = expand(names, records) - set(records)
    return {n.removesuffix("_bucket") for n in out}


def rule_file(project: Path, model: str) -> tuple[list[dict], dict[str, str]]:
    groups = yaml.safe_load((project / "generated" / model / "rules.yaml").read_text(encoding="utf-8"))["groups"]
    rules = [r for g in groups for r in g["rules"]]
    return [r for r in rules if "alert" in r], {r["record"]: r["expr"] for r in rules if "record" in r}


@pytest.mark.parametrize("model", MODELS)
def test_every_alert_has_its_panel_reading_its_metrics(project: Path, model: str) -> None:
    """Reads both generated files: each alert's dashboard_url opens a panel whose queries read the alert's series."""
    alerts, records = rule_file(project, model)
    dashboard = load(project, model)
    panels = {p["id"]: p for p in all_panels(dashboard)}
    assert alerts
    for alert in alerts:
        wanted = raw_metrics([alert["expr"]], records)
        url = alert["annotations"].get("dashboard_url")
        if url is None:  # the kill switch: some panel must still read its series
            assert any(wanted <= raw_metrics([t["expr"] for t in p.get("targets", [])], records)
                       for p in panels.values()), alert["alert"]
            continue
        assert url.startswith(f"https://grafana.test/d/{dashboard['uid']}/"), url
        panel_id = int(parse_qs(urlparse(url).query)["viewPanel"][0])
        assert panel_id in panels, f"{alert['alert']}: no panel {panel_id}"
        used = raw_metrics([t["expr"] for t in panels[panel_id]["targets"]], records)
        assert wanted <= used, (alert["alert"], wanted - used)


def test_every_query_parses(project: Path) -> None:
    count = 0
    for path in dashboard_files(project):
        dashboard = json.loads(path.read_text(encoding="utf-8"))
        queries = [t["expr"] for p in all_panels(dashboard) for t in p.get("targets", [])]
        queries += [a["expr"] for a in dashboard["annotations"]["list"] if "expr" in a]
        for query in queries:
            promql_parser.parse(substitute(query, VARIABLES))
            count += 1
    assert count > 50


def test_files_round_trip_through_the_typed_models_unchanged(project: Path) -> None:
    for path in dashboard_files(project):
        text = path.read_text(encoding="utf-8")
        assert Dashboard.model_validate(json.loads(text)).to_json() == text, path


# Fields of the Prometheus data source's annotation queries: datasource-specific, so Grafana's core dashboard schema
# (and the SDK generated from it) does not list them; the Prometheus plugin reads them (see docs/dashboards.md).
PROMETHEUS_ANNOTATION_FIELDS = {"step", "tagKeys", "textFormat", "titleFormat"}


def dropped(ours: object, theirs: object, path: str = "") -> list[str]:
    """Paths of keys (or values) of ``ours`` that did not survive the SDK's typed round trip."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        return [p for key, value in ours.items()
                for p in ([f"{path}/{key}"] if key not in theirs else dropped(value, theirs[key], f"{path}/{key}"))]
    if isinstance(ours, list) and isinstance(theirs, list) and len(ours) == len(theirs):
        return [p for i, (a, b) in enumerate(zip(ours, theirs, strict=False)) for p in dropped(a, b, f"{path}[{i}]")]
    return [] if ours == theirs else [f"{path} = {ours!r} became {theirs!r}"]


def test_files_survive_grafanas_own_typed_schema(project: Path) -> None:
    """Decode with grafana-foundation-sdk (generated from Grafana's published dashboard and panel schemas, with the
    timeseries, stat, text and Prometheus query plugins registered) and encode again: unknown or mistyped fields
    would be dropped or changed."""
    from grafana_foundation_sdk.cog.encoder import JSONEncoder
    from grafana_foundation_sdk.cog.plugins import register_default_plugins
    from grafana_foundation_sdk.models.dashboard import Dashboard as SdkDashboard

    register_default_plugins()
    for path in dashboard_files(project):
        ours = json.loads(path.read_text(encoding="utf-8"))
        theirs = json.loads(json.dumps(SdkDashboard.from_json(ours), cls=JSONEncoder))
        lost = [p for p in dropped(ours, theirs)
                if not (p.startswith("/annotations/list[") and p.rsplit("/", 1)[1] in PROMETHEUS_ANNOTATION_FIELDS)]
        assert lost == [], path


def test_typed_models_reject_what_grafana_does_not_know(project: Path) -> None:
    data = load(project, "loan-approval")
    panel = next(p for p in data["panels"] if "fieldConfig" in p)
    panel["fieldConfig"]["defaults"]["treshold"] = 1  # misspelt
    with pytest.raises(pydantic.ValidationError):
        Dashboard.model_validate(data)
    data = load(project, "loan-approval")
    data["uid"] = "x" * 41
    with pytest.raises(pydantic.ValidationError):
        Dashboard.model_validate(data)


def test_dashboard_basics(project: Path, plans: dict[str, ModelPlan]) -> None:
    for model in MODELS:
        dashboard = load(project, model)
        assert dashboard["uid"] == ids.model_uid(model) == f"aigen-{model}"
        assert 39 <= dashboard["schemaVersion"] <= 41
        assert [v["name"] for v in dashboard["templating"]["list"]][:2] == ["datasource", "model"]
        names = [a["name"] for a in dashboard["annotations"]["list"]]
        assert "Model version changes" in names and "Data pipeline runs" in names
        [alert_list] = [p for p in all_panels(dashboard) if p["type"] == "alertlist"]
        assert alert_list["options"]["alertInstanceLabelFilter"] == '{model_id="$model"}'
        assert dashboard["templating"]["list"][1]["current"]["value"] == model
    fleet = json.loads((project / "generated" / "fleet-dashboard.json").read_text(encoding="utf-8"))
    assert fleet["uid"] == ids.FLEET_UID


def test_rows_follow_the_taxonomy_and_thresholds_are_drawn(project: Path, plans: dict[str, ModelPlan]) -> None:
    plan = plans["loan-approval"]
    dashboard = load(project, "loan-approval")
    rows = [p["title"].split(" · ")[0] for p in dashboard["panels"] if p["type"] == "row"]
    assert rows == ["Overview", *plan.taxonomy.incident_types]
    panels = {p["id"]: p for p in all_panels(dashboard)}
    for planned in plan.alerts:
        alert = planned.alert
        panel = panels[ids.panel_id(alert.name, alert.extra_labels)]
        steps = [s["value"] for s in panel["fieldConfig"]["defaults"].get("thresholds", {}).get("steps", [])]
        assert panel["fieldConfig"]["defaults"]["unit"] == alert.signal_unit
        if alert.comparison == "band":
            assert steps == [None, alert.threshold, pytest.approx(1 / alert.threshold)]
        elif alert.threshold is not None and alert.comparison != "absent":
            assert steps == [None, alert.threshold]


def test_per_feature_panels_follow_the_feature_variable(project: Path, plans: dict[str, ModelPlan]) -> None:
    dashboard = load(project, "loan-approval")
    feature_panels = [p for p in all_panels(dashboard)
                      if any('=~"$feature"' in t["expr"] for t in p.get("targets", []))]
    assert feature_panels, "the drift panels should filter on $feature"
    titles = {p["title"] for p in feature_panels}
    assert any(title.startswith("AIModelInputDrift") for title in titles)
    assert not titles & {"AIModelAccuracyDegraded", "AIModelLatencyHigh"}  # no feature label: no filter


def test_quantile_alerts_show_the_distribution_around_their_quantile(project: Path) -> None:
    panels = {p["title"]: p for p in all_panels(load(project, "loan-approval"))}
    legends = [t["legendFormat"] for t in panels["AIModelConfidenceLow"]["targets"]]
    assert legends == ["p50 (alert signal)", "p10", "p90", "p99"]
    assert panels["AIModelLatencyHigh"]["targets"][0]["legendFormat"] == "p99 (alert signal)"
    assert len(panels["AIModelAccuracyDegraded"]["targets"]) == 1


def test_a_new_incident_type_gets_its_row(tmp_path: Path) -> None:
    """Rows come from the taxonomy, not from a list in the code; a type without alerts says why."""
    shutil.copytree(REPO / "specs", tmp_path / "specs")
    (tmp_path / "aigen.toml").write_text("", encoding="utf-8")
    taxonomy = tmp_path / "specs" / "taxonomy.yaml"
    text = taxonomy.read_text(encoding="utf-8")
    extra = '  gpu_starvation:\n    description: "Inference starves for accelerators"\n    default_severity: medium\n'
    taxonomy.write_text(text.replace("incident_types:\n", "incident_types:\n" + extra, 1), encoding="utf-8")
    _, plans = project_and_plans(config=load_config(tmp_path))
    dashboard = model_dashboard(plans[0]).to_dict()
    panels = dashboard["panels"]
    row = next(i for i, p in enumerate(panels) if p["title"] == "gpu_starvation · medium")
    assert panels[row + 1]["type"] == "text" and "binds no detector" in panels[row + 1]["options"]["content"]
    assert dashboard_problems(plans[0], dashboard) == []


def test_fleet_has_a_row_per_model_with_worst_signal_per_incident_type(project: Path,
                                                                        plans: dict[str, ModelPlan]) -> None:
    fleet = json.loads((project / "generated" / "fleet-dashboard.json").read_text(encoding="utf-8"))
    rows = [p["title"].split(" · ")[0] for p in fleet["panels"] if p["type"] == "row"]
    assert rows == ["Fleet", *MODELS]
    loan = plans["loan-approval"]
    stats = [p for p in all_panels(fleet) if p["type"] == "stat" and
             any("loan-approval" in t["expr"] for t in p["targets"])]
    titles = [p["title"] for p in stats]
    assert titles[0] == "Firing alerts"
    assert set(titles[1:]) == {a.alert.incident_type for a in loan.alerts}
    fairness = next(p for p in stats if p["title"] == "bias_and_fairness_violation")["targets"][0]["expr"]
    for attribute in ("age_group", "sex"):  # one term per group, per side of the band, none lost to `or`
        assert f"protected_attribute={attribute}/0" in fairness and f"protected_attribute={attribute}/1" in fairness


def test_ids_are_stable_short_and_distinct() -> None:
    long_id = "a" + "-b" * 31
    uid = ids.model_uid(long_id)
    assert len(uid) <= 40 and uid == ids.model_uid(long_id) and uid != ids.model_uid(long_id[:-2])
    assert ids.model_uid("fleet") != ids.FLEET_UID
    assert ids.panel_id("AIModelFairnessDisparity", [("protected_attribute", "sex")]) != \
        ids.panel_id("AIModelFairnessDisparity", [("protected_attribute", "age_group")])
    assert ids.panel_id("A", [("x", "1"), ("y", "2")]) == ids.panel_id("A", [("y", "2"), ("x", "1")])
    assert ids.alert_panel_url("https://g/", "m", "A") == f"https://g/d/aigen-m/ai-model-m?viewPanel={ids.panel_id('A')}"


def test_build_is_deterministic(plans: dict[str, ModelPlan]) -> None:
    for plan in plans.values():
        assert model_dashboard(plan).to_json() == model_dashboard(plan).to_json()
    assert fleet_dashboard(list(plans.values())).to_json() == fleet_dashboard(list(reversed(plans.values()))).to_json()


def test_dashboard_problems_pass(project: Path, plans: dict[str, ModelPlan]) -> None:
    for model in MODELS:
        assert dashboard_problems(plans[model], load(project, model)) == []


def test_dashboard_problems_fail(project: Path, plans: dict[str, ModelPlan]) -> None:
    plan = plans["loan-approval"]
    data = load(project, "loan-approval")
    first = plan.alerts[0].alert
    victim = ids.panel_id(first.name, first.extra_labels)
    data["panels"] = [p for p in data["panels"] if p["id"] != victim]
    other = next(p for p in data["panels"] if p.get("targets") and p["id"] >= ids.FIRST_ALERT_PANEL_ID)
    other["targets"][0]["expr"] = "sum(rate(made_up_metric[5m])"
    data["panels"].append({**data["panels"][-1], "targets": [{"refId": "A", "expr": "rate(no_such_series[5m])"}]})
    problems = dashboard_problems(plan, data)
    rules = {p.rule for p in problems}
    assert rules == {"dashboard-alert-panel", "dashboard-query-parse", "dashboard-query-metric", "dashboard-panel-id"}
    assert any(first.name in p.message and "has no panel" in p.message for p in problems)
    assert all(p.path == "generated/loan-approval/dashboard.json" for p in problems)
    assert any("no_such_series" in p.message for p in problems)


def test_dashboard_file_problems_are_located(project: Path, plans: dict[str, ModelPlan], tmp_path: Path) -> None:
    plan = plans["loan-approval"]
    source = project / "generated" / "loan-approval" / "dashboard.json"
    assert dashboard_file_problems(plan, source) == []
    broken = tmp_path / "dashboard.json"
    broken.write_text('{\n  "panels": [\n    {"id": 1,}\n  ]\n}\n', encoding="utf-8")
    [problem] = dashboard_file_problems(plan, broken)
    assert (problem.line, problem.col, problem.rule) == (3, 14, "dashboard-json")
    data = load(project, "loan-approval")
    panel = next(p for p in data["panels"] if p.get("targets") and p["id"] >= ids.FIRST_ALERT_PANEL_ID)
    panel["targets"][0]["expr"] = "rate(x[5m]"
    panel["legnd"] = {}
    text = json.dumps(data, indent=2, sort_keys=True)
    broken.write_text(text, encoding="utf-8")
    problems = dashboard_file_problems(plan, broken)
    parse = next(p for p in problems if p.rule == "dashboard-query-parse")
    assert text.splitlines()[parse.line - 1].strip() == f'"id": {panel["id"]},'
    assert any(p.rule == "dashboard-schema" and "legnd" in p.message for p in problems)


def test_metric_contract_documents_the_annotation_metrics(project: Path) -> None:
    text = (project / "docs" / "metrics.md").read_text(encoding="utf-8")
    assert "| `model_info` | info | `model_id`, `version` |" in text
    assert "`data_pipeline_last_run_timestamp_seconds`" in text


def test_describe_command(project: Path) -> None:
    result = run_aigen("dashboards", "--describe", cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("| row | id | panel |") == len(MODELS) + 1
    rules, _ = rule_file(project, "fraud-detection")
    for rule in rules:
        assert rule["alert"] in result.stdout
    one = run_aigen("dashboards", "--describe", "--model", "loan-approval", cwd=project)
    assert one.returncode == 0 and one.stdout.count("### ") == 1
    listing = run_aigen("dashboards", cwd=project)
    assert "https://grafana.test/d/aigen-loan-approval/ai-model-loan-approval" in listing.stdout
    bad = run_aigen("dashboards", "--model", "nope", cwd=project)
    assert bad.returncode == 2 and "unknown model id(s): nope" in bad.stderr and "Traceback" not in bad.stderr
