"""Runbooks: one per incident type of the taxonomy, in the design's shape, every placeholder filled from the spec.

The text lives in templates/runbooks/<incident_type>.yaml.j2 (or _default.yaml.j2 for a type without one).
Only operator inputs (INCIDENT_ID, OPERATOR_EMAIL) stay as named shell variables.
"""

from __future__ import annotations

from typing import Any

import yaml
from jinja2 import TemplateError, TemplateNotFound

from aigen.durations import format_duration
from aigen.errors import InputError, Problem
from aigen.plan import ModelPlan
from aigen.render import Artifact, RenderEnv
from aigen.yamlout import header

OPERATOR_INPUTS = ("INCIDENT_ID", "OPERATOR_EMAIL")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the YAML check of every rendered runbook, at C speed


def context(plan: ModelPlan, incident_type: str) -> dict[str, Any]:
    spec = plan.spec
    severity = plan.severity(incident_type)
    alerts = sorted({a.name for a in plan.alerts if a.labels.get("incident_type") == incident_type})
    queries = [a.alert.signal.replace("\n", " ") for a in plan.alerts
               if a.labels.get("incident_type") == incident_type and a.alert.signal]
    rollback_label = "known-good" if spec.fallbacks.rollback_to == "known_good" else "previous"
    return {
        "title": incident_type.replace("_", " ").capitalize(),
        "incident_type": incident_type,
        "itype": plan.taxonomy.incident_types[incident_type],
        "severity": severity,
        "level": plan.taxonomy.severity_levels[severity],
        "budget": format_duration(plan.taxonomy.budget(severity)),
        "alerts": alerts,
        "queries": list(dict.fromkeys(" ".join(q.split()) for q in queries)),
        "model": spec.model,
        "versions": spec.model.versions,
        "serving": spec.serving,
        "prometheus": spec.serving.prometheus_url.rstrip("/"),
        "gateway": spec.serving.oversight_gateway.rstrip("/"),
        "features": [f.name for f in spec.features],
        "required_features": [f.name for f in spec.features if f.required],
        "groups": spec.groups,
        "thresholds": spec.thresholds,
        "fallbacks": spec.fallbacks,
        "rollback": {"version": spec.rollback_version, "label": rollback_label},
    }


def render(plan: ModelPlan, env: RenderEnv) -> list[Artifact]:
    out = []
    for incident_type in plan.taxonomy.incident_types:
        name = f"runbooks/{incident_type}.yaml.j2"
        try:
            template = env.templates.get_template(name)  # type: ignore[attr-defined]
        except TemplateNotFound:
            template = env.templates.get_template("runbooks/_default.yaml.j2")  # type: ignore[attr-defined]
        try:
            text = template.render(**context(plan, incident_type))
        except TemplateError as exc:
            line = getattr(exc, "lineno", 0) or 0
            where = getattr(exc, "filename", None) or template.filename or name
            raise InputError([Problem(where, line, 1 if line else 0, f"template error: {exc.message}")]) from None
        try:
            yaml.load(text, Loader=_LOADER)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            output_line = mark.line + 1 if mark else "?"
            raise InputError([Problem(template.filename or name, 0, 0,
                                      f"template renders invalid YAML for {plan.model_id}/{incident_type} "
                                      f"(output line {output_line}): {exc}")]) from None
        out.append(Artifact(f"{plan.model_id}/runbooks/{incident_type}.yaml", header(plan.spec_path) + text))
    return out
