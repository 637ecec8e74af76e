"""Build: a validated spec and the taxonomy, resolved into the internal model every renderer reads.

Everything derived lives here — severities after overrides, budgets, windows, alert names, rule groups, runbook
URLs — so renderers only format and never decide.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aigen.config import Config
from aigen.dashboard_ids import alert_panel_url
from aigen.detectors import DETECTORS, Alert, Context, Detector, Record, Timing
from aigen.durations import format_duration
from aigen.escape import go_template_literal, promql_string
from aigen.spec import ModelSpec
from aigen.taxonomy import Taxonomy

if TYPE_CHECKING:
    from aigen.profile import Profile
    from aigen.project import Project


@dataclass(frozen=True)
class PlannedAlert:
    """An alert with every label and annotation resolved."""

    alert: Alert
    labels: dict[str, str]
    annotations: dict[str, str]
    budget: int

    @property
    def name(self) -> str:
        return self.alert.name


@dataclass(frozen=True)
class RuleGroup:
    name: str
    interval: int
    rules: tuple[PlannedAlert | Record, ...]


@dataclass(frozen=True)
class Skipped:
    detector: str
    incident_type: str
    reason: str


@dataclass
class ModelPlan:
    spec: ModelSpec
    taxonomy: Taxonomy
    config: Config
    spec_path: str
    groups: list[RuleGroup] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    profile: Profile | None = None

    @property
    def model_id(self) -> str:
        return self.spec.model.id

    @property
    def alerts(self) -> list[PlannedAlert]:
        return [r for g in self.groups for r in g.rules if isinstance(r, PlannedAlert)]

    @property
    def records(self) -> list[Record]:
        return [r for g in self.groups for r in g.rules if isinstance(r, Record)]

    def severity(self, incident_type: str) -> str:
        default = self.taxonomy.incident_types[incident_type].default_severity
        return self.spec.severity_overrides.get(incident_type, default)

    def runbook_url(self, incident_type: str) -> str:
        return f"{self.config.runbook_base_url}/{self.model_id}/runbooks/{incident_type}.yaml"


KILL_SWITCH = "AIModelKillSwitch"
BASELINE_INTERVAL = 120
"""Evaluation interval of a model's baselines group (profile constants). Prometheus looks back 5 minutes for the
latest sample of a series, so 2 minutes keeps the constants fresh even when one evaluation is missed or late, at a
quarter of the cost of evaluating them every 30 seconds."""


def build(spec: ModelSpec, taxonomy: Taxonomy, config: Config, spec_path: str,
          profile: Profile | None = None) -> ModelPlan:
    plan = ModelPlan(spec, taxonomy, config, spec_path, profile=profile)
    interval = config.evaluation_interval
    records: list[Record] = []
    alerts: list[PlannedAlert] = []
    for incident_type, itype in taxonomy.incident_types.items():
        severity = plan.severity(incident_type)
        budget = taxonomy.budget(severity)
        ctx = Context(spec, taxonomy, config, incident_type, severity, Timing.for_budget(budget, interval), profile)
        for det_id in itype.detectors:
            detector = DETECTORS[det_id]
            if det_id in spec.disabled_detectors:
                plan.skipped.append(Skipped(det_id, incident_type, "disabled in the spec (disabled_detectors)"))
                continue
            reason = detector.applies(spec) or _needs_profile(detector, profile)
            if reason:
                plan.skipped.append(Skipped(det_id, incident_type, reason))
                continue
            for item in detector.build(ctx):
                if isinstance(item, Record):
                    if item not in records:  # detectors may share a record (e.g. the baseline shares)
                        records.append(item)
                else:
                    alerts.append(_resolve(plan, item, budget))
    if spec.fallbacks.kill_switch.automated:
        alerts.append(_kill_switch(plan, alerts, interval))
    constants = tuple(r for r in records if r.constant)
    if constants:
        plan.groups.append(RuleGroup(f"aigen.{spec.model.id}.baselines", BASELINE_INTERVAL, constants))
    if len(constants) < len(records):
        plan.groups.append(RuleGroup(f"aigen.{spec.model.id}.recording", interval,
                                     tuple(r for r in records if not r.constant)))
    plan.groups.append(RuleGroup(f"aigen.{spec.model.id}.alerts", interval, tuple(alerts)))
    return plan


def build_project(project: Project) -> list[ModelPlan]:
    """A plan for every valid spec of a loaded project, in the project's order."""
    return [build(s.spec, project.taxonomy, project.config, s.display, s.profile) for s in project.specs]


def _needs_profile(detector: Detector, profile: Profile | None) -> str | None:
    if detector.needs_profile and profile is None:
        return "no training profile (specs/profiles/<model-id>.json): run `aigen profile`"
    return None


def _resolve(plan: ModelPlan, alert: Alert, budget: int) -> PlannedAlert:
    labels = {
        "severity": alert.severity,
        "incident_type": alert.incident_type,
        "model_id": plan.model_id,
        "team": plan.spec.model.owner,
        "oncall": plan.spec.model.oncall,
        **dict(alert.extra_labels),
    }
    annotations = {
        "summary": alert.summary,
        "description": alert.description,
        "runbook_url": go_template_literal(plan.runbook_url(alert.incident_type)),
        "dashboard_url": go_template_literal(alert_panel_url(plan.config.dashboard_base_url, plan.model_id, alert.name,
                                                             alert.extra_labels)),
        "detection_budget": format_duration(budget),
    }
    return PlannedAlert(alert, labels, annotations, budget)


NOT_EVIDENCE_OF_HARM = ("telemetry_absent",)
"""Detectors whose alerts never trigger the automated kill switch: silence is not evidence of harm, and killing a
model because its exporter died is the design's "kill switch fires on a false positive" failure mode."""


def _kill_switch(plan: ModelPlan, alerts: list[PlannedAlert], interval: int) -> PlannedAlert:
    """The automated kill switch: fires only after a top-severity alert held for N consecutive evaluations."""
    top = next(iter(plan.taxonomy.severity_levels))
    kill = plan.spec.fallbacks.kill_switch
    hold = max(kill.min_consecutive_evaluations, 2) * interval
    exempt = sorted({KILL_SWITCH} | {a.name for a in alerts if a.alert.detector in NOT_EVIDENCE_OF_HARM})
    alert = Alert(
        name=KILL_SWITCH, detector="kill_switch", incident_type="", severity=top,
        expr=(f'count by (model_id, incident_type) (ALERTS{{model_id={promql_string(plan.model_id)}, '
              f'alertstate="firing", severity={promql_string(top)}, '
              f'alertname!~{promql_string("|".join(exempt))}}}) > 0'),
        for_seconds=hold,
        summary="Automated kill switch: a critical AI incident held for consecutive evaluations; stop serving.",
        description=(f"Model {{{{ $labels.model_id }}}} has had a {top} {{{{ $labels.incident_type }}}} alert "
                     f"firing for {kill.min_consecutive_evaluations} consecutive evaluations. The oversight gateway "
                     f"({go_template_literal(plan.spec.serving.oversight_gateway)}) should activate the kill switch; "
                     f"a human confirms or restores service from the runbook."),
        metrics=("ALERTS",),
    )
    budget = plan.taxonomy.budget(top)
    labels = {"severity": top, "model_id": plan.model_id, "action": "kill_switch", "team": plan.spec.model.owner,
              "oncall": plan.spec.model.oncall}
    annotations = {"summary": alert.summary, "description": alert.description,
                   "runbook_url": (go_template_literal(f"{plan.config.runbook_base_url}/{plan.model_id}/runbooks/")
                                   + "{{ $labels.incident_type }}.yaml"),
                   "dashboard_url": go_template_literal(alert_panel_url(plan.config.dashboard_base_url, plan.model_id,
                                                                        KILL_SWITCH)),
                   "detection_budget": format_duration(budget)}
    return PlannedAlert(alert, labels, annotations, budget)
