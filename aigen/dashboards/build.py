"""Build the dashboards from plans: one per model, one for the fleet.

Panels come from the plan's alert list, not from a list of detectors, so an alert a new detector adds gets its panel
(and its threshold) without a change here. Rows follow the taxonomy's incident types, in the taxonomy's order.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from aigen import dashboard_ids as ids
from aigen.contract import MetricContract
from aigen.dashboards.model import (
    GRAFANA,
    PROMETHEUS,
    AnnotationQuery,
    Annotations,
    Dashboard,
    DashboardLink,
    FieldConfig,
    FieldCustom,
    FieldDefaults,
    GridPos,
    Link,
    Panel,
    RowPanel,
    Target,
    Templating,
    Thresholds,
    ThresholdsStyle,
    ThresholdStep,
    Variable,
    VariableOption,
)
from aigen.detectors.annotations import pipeline_run_query, version_change_query
from aigen.detectors.base import num
from aigen.durations import format_duration
from aigen.escape import markdown_literal
from aigen.promql import carries, parse, quantile_of, rewrite

if TYPE_CHECKING:
    from aigen.detectors import Alert
    from aigen.plan import ModelPlan, PlannedAlert

WIDTH = 24  # Grafana's grid
ANNOTATION_STEP = "1m"
GREEN, YELLOW, RED = "green", "#EAB839", "red"
TAGS = ["aigen", "ai-incidents"]
QUANTILES = (0.1, 0.5, 0.9, 0.99)  # drawn around a quantile alert's own quantile (confidence, latency)


class Layout:
    """Places panels left to right, top to bottom, and numbers the fixed panels in layout order from 1."""

    def __init__(self) -> None:
        self.panels: list[RowPanel | Panel] = []
        self.x = self.y = self.line_height = 0
        self.next_id = 1

    def fixed_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def row(self, title: str) -> None:
        self._newline()
        self.panels.append(RowPanel(id=self.fixed_id(), title=title, grid_pos=GridPos(h=1, w=WIDTH, x=0, y=self.y)))
        self.y += 1

    def place(self, w: int, h: int) -> GridPos:
        if self.x + w > WIDTH:
            self._newline()
        pos = GridPos(h=h, w=w, x=self.x, y=self.y)
        self.x += w
        self.line_height = max(self.line_height, h)
        return pos

    def skip(self, w: int) -> None:
        """Leave a gap, so the same column means the same incident type in every row."""
        self.x += w

    def add(self, panel: Panel) -> None:
        self.panels.append(panel)

    def _newline(self) -> None:
        self.y += self.line_height
        self.x = self.line_height = 0


# -- shared pieces -----------------------------------------------------------------------------------------------

def _datasource_variable() -> Variable:
    return Variable(type="datasource", name="datasource", label="Prometheus", query="prometheus",
                    description="The Prometheus that evaluates the aigen rules.")


def _custom_variable(name: str, label: str, values: list[str], description: str, multi: bool) -> Variable:
    """A fixed list of values from the specs (not a label_values() query: the spec is the source of truth)."""
    everything = [VariableOption(text="All", value="$__all", selected=True)] if multi else []
    options = [*everything, *(VariableOption(text=v, value=v, selected=not multi and i == 0)
                              for i, v in enumerate(values))]
    current = options[0]
    return Variable(type="custom", name=name, label=label, description=description, query=",".join(values),
                    current=current, options=options, multi=multi, include_all=multi)


def _annotations(selector: str) -> Annotations:
    step = ANNOTATION_STEP
    return Annotations(list=[
        AnnotationQuery(name="Annotations & Alerts", datasource=GRAFANA, hide=True, icon_color="rgba(0, 211, 255, 1)",
                        built_in=1, type="dashboard"),
        AnnotationQuery(name="Model version changes", datasource=PROMETHEUS, icon_color="blue",
                        expr=version_change_query(selector, step), step=step, title_format="Version {{version}}",
                        text_format="{{model_id}} now serves version {{version}}", tag_keys="model_id,version"),
        AnnotationQuery(name="Data pipeline runs", datasource=PROMETHEUS, icon_color="orange",
                        expr=pipeline_run_query(selector, step), step=step,
                        title_format="Pipeline {{pipeline}}: {{status}}", text_format="{{model_id}}: {{pipeline}} run "
                        "finished ({{status}})", tag_keys="pipeline,status"),
    ])


def _alert_list(lay: Layout, label_filter: str, title: str) -> Panel:
    """Grafana's alert list, filtered on the model label: the alerts firing or pending now."""
    options = {"alertInstanceLabelFilter": label_filter, "alertName": "", "dashboardAlerts": False, "groupBy": [],
               "groupMode": "default", "maxItems": 50, "showInstances": True, "sortOrder": 3, "viewMode": "list",
               "stateFilter": {"error": True, "firing": True, "noData": True, "normal": False, "pending": True}}
    return Panel(type="alertlist", id=lay.fixed_id(), title=title, grid_pos=lay.place(12, 8), options=options,
                 description="Alerts firing or pending now (Prometheus-managed rules need the data source's "
                             "'Manage alerts via Alerting UI' setting, or an Alertmanager data source).")


def _firing(lay: Layout, selector: str, by: str, title: str) -> Panel:
    expr = f'count by ({by}, severity) (ALERTS{{alertstate="firing", {selector}}})'
    return Panel(type="timeseries", id=lay.fixed_id(), title=title, grid_pos=lay.place(12, 8), datasource=PROMETHEUS,
                 description="Firing alerts over time, from Prometheus' ALERTS series: works without Grafana alerting.",
                 targets=[Target(ref_id="A", expr=parse(expr).prettify(),
                                 legend_format=f"{{{{{by}}}}} {{{{severity}}}}")],
                 field_config=FieldConfig(defaults=FieldDefaults(unit="none", min=0, decimals=0)),
                 options=_timeseries_options())


def _timeseries_options() -> dict[str, Any]:
    return {"legend": {"calcs": ["lastNotNull", "max"], "displayMode": "table", "placement": "bottom",
                       "showLegend": True},
            "tooltip": {"mode": "multi", "sort": "desc"}}


def _text(lay: Layout, title: str, content: str, w: int, h: int) -> Panel:
    return Panel(type="text", id=lay.fixed_id(), title=title, grid_pos=lay.place(w, h),
                 options={"mode": "markdown", "content": content})


# -- the per-model dashboard -------------------------------------------------------------------------------------

def model_dashboard(plan: ModelPlan) -> Dashboard:
    lay = Layout()
    lay.row("Overview")
    lay.add(_alert_list(lay, '{model_id="$model"}', "Firing and pending alerts"))
    lay.add(_firing(lay, 'model_id="$model"', "incident_type", "Firing alerts by incident type"))
    lay.add(_text(lay, "About this model", _about(plan), 12, 8))
    by_type = _alerts_by_type(plan)
    filters = _filters(plan)
    for alert in by_type.pop("", []):
        lay.add(_alert_panel(plan, alert, lay.place(12, 8), filters))
    for incident_type in plan.taxonomy.incident_types:
        lay.row(f"{incident_type} · {plan.severity(incident_type)}")
        alerts = by_type.get(incident_type, [])
        for alert in alerts:
            lay.add(_alert_panel(plan, alert, lay.place(12, 8), filters))
        if not alerts:
            lay.add(_text(lay, "No alert for this incident type", _skipped(plan, incident_type), WIDTH, 3))
    return Dashboard(
        uid=ids.model_uid(plan.model_id), title=ids.model_title(plan.model_id),
        description=(f"Generated by aigen from {plan.spec_path}; do not edit (change the spec and run `aigen "
                     f"render`)." + (f" {plan.spec.model.description}" if plan.spec.model.description else "")),
        tags=[*TAGS, plan.model_id], links=_links(), templating=Templating(list=_model_variables(plan)),
        annotations=_annotations('model_id="$model"'), panels=lay.panels,
    )


def _alerts_by_type(plan: ModelPlan) -> dict[str, list[PlannedAlert]]:
    """Alerts per incident type; those of no taxonomy type (the kill switch) under ''."""
    out: dict[str, list[PlannedAlert]] = defaultdict(list)
    for alert in plan.alerts:
        key = alert.alert.incident_type if alert.alert.incident_type in plan.taxonomy.incident_types else ""
        out[key].append(alert)
    return out


def _model_variables(plan: ModelPlan) -> list[Variable]:
    out = [_datasource_variable(),
           _custom_variable("model", "Model", [plan.model_id], "The model of this dashboard; thresholds are its "
                            "spec's.", multi=False)]
    features = [f.name for f in plan.spec.features]
    if features:
        out.append(_custom_variable("feature", "Feature", features, "Input features of the spec, for the "
                                    "per-feature panels (drift).", multi=True))
    return out


def _links() -> list[DashboardLink]:
    return [DashboardLink(title="AI models", type="dashboards", tags=["aigen"], as_dropdown=True),
            DashboardLink(title="Fleet", type="link", url=ids.dashboard_path(ids.FLEET_UID, ids.FLEET_TITLE),
                          include_vars=False, icon="dashboard")]


def feature_labelled(plan: ModelPlan) -> set[str]:
    """Metrics and recording rules whose series carry a ``feature`` label (contract metrics, then records)."""
    out = MetricContract.of(plan.taxonomy).carrying("feature")
    grew = True
    while grew:  # records may be built from records
        before = len(out)
        out |= {r.record for r in plan.records if carries(r.expr, "feature", out)}
        grew = len(out) > before
    return out


def _filters(plan: ModelPlan) -> dict[str, tuple[set[str], str]]:
    return {"feature": (feature_labelled(plan), "feature")} if plan.spec.features else {}


def _alert_panel(plan: ModelPlan, planned: PlannedAlert, pos: GridPos,
                 filters: dict[str, tuple[set[str], str]]) -> Panel:
    alert = planned.alert
    runbook = planned.annotations.get("runbook_url", "")
    return Panel(
        type="timeseries", id=ids.panel_id(alert.name, alert.extra_labels), title=_title(alert), grid_pos=pos,
        description=f"{alert.summary} {condition(alert)}", datasource=PROMETHEUS,
        targets=_alert_targets(plan, alert, filters),
        field_config=FieldConfig(defaults=FieldDefaults(
            unit=alert.signal_unit, thresholds=_thresholds(alert),
            custom=FieldCustom(thresholds_style=ThresholdsStyle(mode="line+area" if _thresholds(alert) else "off")))),
        options=_timeseries_options(),
        links=[Link(title="Runbook", url=runbook, target_blank=True)] if runbook and "{{" not in runbook else [],
    )


def _alert_targets(plan: ModelPlan, alert: Alert, filters: dict[str, tuple[set[str], str]]) -> list[Target]:
    """The alert's signal as query A; for a quantile signal, the neighbouring quantiles as B, C, ... for context."""
    signal = alert.signal or alert.expr
    found = quantile_of(signal)
    if found is None:
        return [Target(ref_id="A", expr=rewrite(signal, plan.model_id, filters), legend_format="__auto")]
    current, histogram = found
    others = [q for q in QUANTILES if q != current]
    return [Target(ref_id="A", expr=rewrite(signal, plan.model_id, filters),
                   legend_format=f"p{num(current * 100)} (alert signal)"),
            *(Target(ref_id=chr(ord("B") + i), expr=rewrite(f"histogram_quantile({q}, {histogram})", plan.model_id,
                                                             filters), legend_format=f"p{num(q * 100)}")
              for i, q in enumerate(others))]


def _title(alert: Alert) -> str:
    extra = ", ".join(f"{k}={v}" for k, v in alert.extra_labels)
    return f"{alert.name} · {extra}" if extra else alert.name


def condition(alert: Alert) -> str:
    """When the alert fires, in words, with the spec's threshold."""
    wait = f" for {format_duration(alert.for_seconds)}" if alert.for_seconds else ""
    if alert.comparison == "absent":
        return f"Fires when the series is absent{wait}."
    if alert.threshold is None:
        return f"Fires when the query returns a value{wait}."
    if alert.comparison == "band":
        return f"Fires outside [{num(alert.threshold)}, {num(round(1 / alert.threshold, 6))}]{wait}."
    side = "below" if alert.comparison == "<" else "above"
    return f"Fires {side} {num(alert.threshold)}{wait}."


def _thresholds(alert: Alert) -> Thresholds | None:
    """The failing side in red, the allowed side in green, so the panel shows the spec's threshold or band."""
    t = alert.threshold
    if t is None or alert.comparison == "absent":
        return None
    if alert.comparison == "band":
        steps = [ThresholdStep(color=RED, value=None), ThresholdStep(color=GREEN, value=t),
                 ThresholdStep(color=RED, value=round(1 / t, 6))]
    elif alert.comparison == "<":
        steps = [ThresholdStep(color=RED, value=None), ThresholdStep(color=GREEN, value=t)]
    else:
        steps = [ThresholdStep(color=GREEN, value=None), ThresholdStep(color=RED, value=t)]
    return Thresholds(steps=steps)


def _about(plan: ModelPlan) -> str:
    model, versions = plan.spec.model, plan.spec.model.versions
    about = f"**{model.id}**: {markdown_literal(model.description)}" if model.description else f"**{model.id}**"
    lines = [about, "",
             f"- Owner: {model.owner}; on call: `{model.oncall}`",
             f"- Versions: current `{versions.current}`, previous `{versions.previous or '-'}`, known good "
             f"`{versions.known_good}`; rollback target `{plan.spec.rollback_version}`",
             f"- Serving: `{plan.spec.serving.namespace}/{plan.spec.serving.deployment}`", "", "Runbooks:"]
    lines += [f"- [{t}]({plan.runbook_url(t)})" for t in plan.taxonomy.incident_types]
    return "\n".join(lines)


def _skipped(plan: ModelPlan, incident_type: str) -> str:
    reasons = [f"- `{s.detector}`: {s.reason}" for s in plan.skipped if s.incident_type == incident_type]
    detectors = plan.taxonomy.incident_types[incident_type].detectors
    head = "The taxonomy binds no detector to this incident type." if not detectors else \
        "Every detector of this incident type is skipped for this model:"
    return "\n".join([head, *reasons])


# -- the fleet dashboard -----------------------------------------------------------------------------------------

def fleet_dashboard(plans: list[ModelPlan]) -> Dashboard:
    plans = sorted(plans, key=lambda p: p.model_id)
    lay = Layout()
    lay.row("Fleet")
    lay.add(_alert_list(lay, '{model_id=~"$model"}', "Firing and pending alerts"))
    lay.add(_firing(lay, 'model_id=~"$model"', "model_id", "Firing alerts by model"))
    for plan in plans:
        _fleet_row(lay, plan)
    variables = [_datasource_variable()]
    if plans:
        variables.append(_custom_variable("model", "Model", [p.model_id for p in plans], "Models of the fleet "
                                          "(for the alert panels; every model keeps its row).", multi=True))
    return Dashboard(
        uid=ids.FLEET_UID, title=ids.FLEET_TITLE,
        description="Generated by aigen from every spec; do not edit. One row per model: its worst alerting signal "
                    "per incident type, as a share of the alert's threshold (100% = at the threshold).",
        tags=[*TAGS, "fleet"], links=_links()[:1], templating=Templating(list=variables),
        annotations=_annotations('model_id=~"$model"'), panels=lay.panels,
    )


def _fleet_row(lay: Layout, plan: ModelPlan) -> None:
    types = list(plan.taxonomy.incident_types)
    w = max(2, WIDTH // (len(types) + 1))
    link = Link(title=f"{plan.model_id} dashboard",
                url=ids.dashboard_path(ids.model_uid(plan.model_id), ids.model_title(plan.model_id)))
    lay.row(f"{plan.model_id} · {plan.spec.model.owner}")
    firing = f'count(ALERTS{{alertstate="firing", model_id="{plan.model_id}"}}) or vector(0)'
    lay.add(_stat(lay, w, "Firing alerts", firing, "none", [(GREEN, None), (RED, 1.0)], link,
                  "Alerts of this model firing now."))
    by_type = _alerts_by_type(plan)
    for incident_type in types:
        query = worst_query(by_type.get(incident_type, []))
        if query is None:
            lay.skip(w)
            continue
        lay.add(_stat(lay, w, incident_type, query, "percentunit", [(GREEN, None), (YELLOW, 0.8), (RED, 1.0)], link,
                      "Worst alerting signal of this incident type relative to its alert's threshold: 100% means the "
                      "alert condition holds (it fires once that lasts its for: duration)."))


def _stat(lay: Layout, w: int, title: str, expr: str, unit: str, steps: list[tuple[str, float | None]], link: Link,
          description: str) -> Panel:
    options = {"colorMode": "background", "graphMode": "area", "justifyMode": "auto", "orientation": "auto",
               "textMode": "value", "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False}}
    thresholds = Thresholds(steps=[ThresholdStep(color=c, value=v) for c, v in steps])
    return Panel(type="stat", id=lay.fixed_id(), title=title, grid_pos=lay.place(w, 4), datasource=PROMETHEUS,
                 description=description, targets=[Target(ref_id="A", expr=parse(expr).prettify())],
                 field_config=FieldConfig(defaults=FieldDefaults(unit=unit, decimals=0, thresholds=thresholds)),
                 options=options, links=[link])


def ratio_terms(alert: Alert) -> list[str]:
    """The alert's signal as a share of its threshold (>= 1 means the condition holds), one term per side."""
    signal, t = f"({alert.signal or alert.expr})", alert.threshold
    if alert.comparison == "absent":
        return [f"absent({signal}) * 2"]
    if t is None:
        return []
    if alert.comparison == "band":
        return [f"max({signal}) / {num(round(1 / t, 6))}", f"{num(t)} / min({signal})"]
    if alert.comparison == "<":
        return [f"{num(t)} / min({signal})"]
    return [f"max({signal}) / {num(t)}" if t else f"(max({signal}) > bool 0) * 2"]


def worst_query(alerts: list[PlannedAlert]) -> str | None:
    """max over the alerts' ratio terms; each term labelled with its alert and side so ``or`` keeps them all."""
    terms = [f"label_replace({term}, \"signal\", {json.dumps(f'{_title(a.alert)}/{i}')}, \"\", \"\")"
             for a in alerts for i, term in enumerate(ratio_terms(a.alert))]
    return f"max(\n{' or '.join(terms)}\n)" if terms else None
